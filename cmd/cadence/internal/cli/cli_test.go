package cli

import (
	"bytes"
	"context"
	"encoding/json"
	goldenpkg "github.com/cadence-dev/cadence/internal/golden"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// exampleConfig is the shipped example configuration; the tests run the
// README's demo command in-process on it with a pinned clock.
const exampleConfig = "../../../../config.example.yaml"

var pinned = time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)

func run(t *testing.T, args ...string) (string, string, error) {
	t.Helper()
	var out, errb bytes.Buffer
	env := Env{Stdout: &out, Stderr: &errb, Now: func() time.Time { return pinned }}
	err := RunEnv(context.Background(), args, env)
	return out.String(), errb.String(), err
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	goldenpkg.Check(t, filepath.Join("testdata", name), []byte(got))
}

func TestReportExampleJSON(t *testing.T) {
	out, stderr, err := run(t, "report", "--config", exampleConfig, "--format", "json")
	if err != nil {
		t.Fatalf("report: %v\n%s", err, stderr)
	}
	var doc struct {
		AsOf  string `json:"as_of"`
		Pairs []struct {
			Kind, Lead, Member, Status string
			Flags                      []string
		} `json:"pairs"`
		Managers []json.RawMessage `json:"managers"`
		Sources  []struct {
			Name  string  `json:"name"`
			OK    bool    `json:"ok"`
			Error *string `json:"error"`
		} `json:"sources"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("output is not JSON: %v", err)
	}
	if doc.AsOf != "2026-11-23T09:00:00Z" {
		t.Errorf("as_of = %q", doc.AsOf)
	}
	if len(doc.Pairs) < 20 || len(doc.Managers) < 4 {
		t.Errorf("example org too small: %d pairs, %d managers", len(doc.Pairs), len(doc.Managers))
	}
	broken := 0
	for _, s := range doc.Sources {
		if !s.OK {
			broken++
			if s.Error == nil || *s.Error == "" {
				t.Errorf("broken source %s has no error text", s.Name)
			} else if !strings.Contains(stderr, s.Name) {
				t.Errorf("broken source %s not reported on stderr:\n%s", s.Name, stderr)
			}
		}
	}
	if broken != 1 {
		t.Errorf("want exactly one broken feed in the example org, got %d", broken)
	}
	statuses := map[string]int{}
	for _, p := range doc.Pairs {
		statuses[p.Status]++
	}
	for _, s := range []string{"ok", "overdue", "never"} {
		if statuses[s] == 0 {
			t.Errorf("example org has no pair with status %s (%v)", s, statuses)
		}
	}
	golden(t, "report.json", out)
}

func TestReportExampleText(t *testing.T) {
	out, stderr, err := run(t, "report", "--config", exampleConfig)
	if err != nil {
		t.Fatalf("report: %v\n%s", err, stderr)
	}
	golden(t, "report.txt", out)
}

func TestReportExampleMarkdown(t *testing.T) {
	out, stderr, err := run(t, "report", "--config", exampleConfig, "--format", "markdown", "--at", "2026-11-23T09:00:00Z")
	if err != nil {
		t.Fatalf("report: %v\n%s", err, stderr)
	}
	golden(t, "report.md", out)
}

func TestCheckConfigExample(t *testing.T) {
	// --config.file, and its documented aliases.
	for _, args := range [][]string{
		{"check-config", "--config.file", exampleConfig},
		{"check-config", "--config.file=" + exampleConfig},
		{"check-config", "--config", exampleConfig},
		{"check-config", "-config", exampleConfig},
	} {
		out, stderr, err := run(t, args...)
		if err != nil {
			t.Fatalf("%v: %v\n%s", args, err, stderr)
		}
		if !strings.Contains(out, "OK") {
			t.Errorf("%v: output %q", args, out)
		}
	}
}

func TestCheckConfigInvalid(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(bad, []byte("timezone: UTC\npolcies: []\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, _, err := run(t, "check-config", "--config", bad)
	if ExitCode(err) != ExitConfig {
		t.Fatalf("exit code %d (err %v), want %d", ExitCode(err), err, ExitConfig)
	}
	if !strings.Contains(err.Error(), "bad.yaml:2") || !strings.Contains(err.Error(), "polcies") {
		t.Errorf("error does not name the file, line and key: %v", err)
	}
}

func TestUsageErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{nil, "no command given"},
		{[]string{"frobnicate"}, `unknown command "frobnicate"`},
		{[]string{"report"}, "--config.file FILE is required"},
		{[]string{"serve"}, "--config.file FILE is required"},
		{[]string{"report", "--config", exampleConfig, "--format", "xml"}, `--format "xml"`},
		{[]string{"report", "--config", exampleConfig, "--at", "yesterday"}, `--at "yesterday"`},
		{[]string{"events", "--config", exampleConfig}, "--owner EMAIL is required"},
		{[]string{"report", "--bogus"}, "report: flag provided but not defined: --bogus (see 'cadence report --help')"},
		{[]string{"report", "-bogus"}, "flag provided but not defined: --bogus"},
		{[]string{"report", "--config.file", exampleConfig, "extra"}, `report: unexpected argument "extra"`},
		{[]string{"events", "--at"}, "flag needs an argument: --at"},
		{[]string{"digest", "--preview=maybe"}, `invalid boolean value "maybe" for --preview`},
		{[]string{"serve", "--config.file", exampleConfig, "--log.level", "loud"}, `invalid value "loud" for flag --log.level`},
		{[]string{"serve", "--config.file", exampleConfig, "--log.format", "xml"}, `invalid value "xml" for flag --log.format`},
		{[]string{"help", "frobnicate"}, `help: unknown command "frobnicate"`},
		{[]string{"auth"}, "usage: cadence auth google --config.file FILE"},
		{[]string{"version", "extra"}, `version: unexpected argument "extra"`},
	} {
		_, _, err := run(t, tc.args...)
		if ExitCode(err) != ExitUsage {
			t.Errorf("%v: exit code %d (err %v), want %d", tc.args, ExitCode(err), err, ExitUsage)
			continue
		}
		if !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: error %q does not contain %q", tc.args, err, tc.want)
		}
	}
}

// TestEventsExplainsOutcomes runs `cadence events` for a person whose 1:1s
// were removed from the series, and for one with an alias.
func TestEventsExplainsOutcomes(t *testing.T) {
	out, stderr, err := run(t, "events", "--config", exampleConfig, "--owner", "wes@example.com", "--at", "2026-11-23T09:00:00Z", "--from", "2026-10-20", "--to", "2026-11-30")
	if err != nil {
		t.Fatalf("events: %v\n%s", err, stderr)
	}
	if !strings.Contains(out, "cancelled (EXDATE") || !strings.Contains(out, "1:1:        direct, lead ivan@example.com, member wes@example.com") {
		t.Errorf("events output does not explain the cancelled 1:1s:\n%s", out)
	}
	golden(t, "events-wes.txt", out)

	out, stderr, err = run(t, "events", "--config", exampleConfig, "--owner", "gus@example.com", "--at", "2026-11-23T09:00:00Z", "--from", "2026-11-01", "--to", "2026-11-30", "--format", "json")
	if err != nil {
		t.Fatalf("events json: %v\n%s", err, stderr)
	}
	var rows []map[string]any
	if err := json.Unmarshal([]byte(out), &rows); err != nil {
		t.Fatalf("events --format json is not a JSON array: %v", err)
	}
	if len(rows) == 0 {
		t.Fatal("no events for gus in November")
	}
	golden(t, "events-gus.json", out)
}

func TestEventsUnknownOwner(t *testing.T) {
	_, _, err := run(t, "events", "--config", exampleConfig, "--owner", "nobody@example.com")
	if err == nil || !strings.Contains(err.Error(), `"nobody@example.com" is not in the directory`) {
		t.Errorf("err = %v", err)
	}
}
