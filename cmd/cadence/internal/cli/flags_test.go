package cli

import (
	"context"
	"encoding/json"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/common/version"
)

// TestHelp: --help and -h on every command print GNU-style help (the
// synopsis, double-dash flags) on stdout and exit 0, and `cadence help
// COMMAND` prints the same text.
func TestHelp(t *testing.T) {
	singleDash := regexp.MustCompile(`(?m)^  -[a-z][^,]`)
	for _, tc := range []struct {
		cmd   []string
		flags []string // must be listed
	}{
		{[]string{"report"}, []string{"--config.file FILE", "(alias: --config)", "--at TIME", "--format FORMAT"}},
		{[]string{"events"}, []string{"--config.file FILE", "--owner EMAIL", "--from TIME", "--to TIME"}},
		{[]string{"serve"}, []string{"--config.file FILE", "--web.listen-address ADDRESS", "(alias: --listen)", "--web.config.file FILE", "--log.level LEVEL", "--log.format FORMAT", "(default info)", "(default logfmt)"}},
		{[]string{"digest"}, []string{"--config.file FILE", "--preview", "--send-now", "--recipient EMAIL", "--out DIR", "(default .)"}},
		{[]string{"check-config"}, []string{"--config.file FILE"}},
		{[]string{"auth", "google"}, []string{"--config.file FILE"}},
		{[]string{"auth"}, []string{"--config.file FILE"}},
		{[]string{"version"}, nil},
	} {
		name := strings.Join(tc.cmd, " ")
		var want string
		for _, h := range []string{"--help", "-h", "-help"} {
			out, stderr, err := run(t, append(append([]string{}, tc.cmd...), h)...)
			if err != nil || ExitCode(err) != ExitOK {
				t.Errorf("cadence %s %s: exit %d, %v", name, h, ExitCode(err), err)
			}
			if stderr != "" {
				t.Errorf("cadence %s %s wrote to stderr: %q", name, h, stderr)
			}
			if want == "" {
				want = out
			} else if out != want {
				t.Errorf("cadence %s %s differs from --help", name, h)
			}
		}
		synopsis := "usage: cadence " + name
		if name == "auth" {
			synopsis = "usage: cadence auth google"
		}
		if !strings.HasPrefix(want, synopsis) {
			t.Errorf("cadence %s --help starts %q, want %q", name, firstLine(want), synopsis)
		}
		for _, f := range append(tc.flags, "-h, --help") {
			if !strings.Contains(want, f) {
				t.Errorf("cadence %s --help does not list %q:\n%s", name, f, want)
			}
		}
		if m := singleDash.FindString(want); m != "" {
			t.Errorf("cadence %s --help lists a single-dash flag %q:\n%s", name, m, want)
		}
		// The alias is listed beside its flag, not on its own line.
		if strings.Contains(want, "\n  --config ") || strings.Contains(want, "\n  --listen ") {
			t.Errorf("cadence %s --help lists an alias as a flag:\n%s", name, want)
		}
		out, _, err := run(t, append([]string{"help"}, tc.cmd...)...)
		if err != nil || out != want {
			t.Errorf("cadence help %s: %v, output differs from cadence %s --help:\n%s", name, err, name, out)
		}
	}
}

func TestTopLevelHelp(t *testing.T) {
	var want string
	for _, args := range [][]string{{"--help"}, {"-h"}, {"help"}, {"help", "--help"}, {"help", "help"}} {
		out, stderr, err := run(t, args...)
		if err != nil || stderr != "" {
			t.Errorf("cadence %v: %v, stderr %q", args, err, stderr)
		}
		if want == "" {
			want = out
		} else if out != want {
			t.Errorf("cadence %v differs from cadence --help", args)
		}
	}
	for _, c := range []string{"report", "serve", "events", "auth", "digest", "check-config", "version", "help"} {
		if !strings.Contains(want, "\n  "+c+" ") {
			t.Errorf("cadence --help does not list %s:\n%s", c, want)
		}
	}
	// No command: the usage on stderr, exit 2.
	out, stderr, err := run(t)
	if ExitCode(err) != ExitUsage || out != "" || stderr != want {
		t.Errorf("cadence: exit %d, stdout %q, stderr %q", ExitCode(err), out, stderr)
	}
}

// TestVersion: `cadence version` and `cadence --version` print
// prometheus/common/version's block with what the release's -ldflags set.
func TestVersion(t *testing.T) {
	saved := []string{version.Version, version.Revision, version.Branch, version.BuildUser, version.BuildDate}
	t.Cleanup(func() {
		version.Version, version.Revision, version.Branch, version.BuildUser, version.BuildDate = saved[0], saved[1], saved[2], saved[3], saved[4]
	})
	version.Version, version.Revision, version.Branch, version.BuildUser, version.BuildDate = "1.2.3", "0123abcd", "main", "builder@ci", "20261204-09:00:00"
	var want string
	for _, args := range [][]string{{"version"}, {"--version"}, {"-version"}} {
		out, stderr, err := run(t, args...)
		if err != nil || stderr != "" {
			t.Fatalf("cadence %v: %v %q", args, err, stderr)
		}
		if want == "" {
			want = out
		} else if out != want {
			t.Errorf("cadence %v differs from cadence version:\n%s", args, out)
		}
	}
	for _, s := range []string{
		"cadence, version 1.2.3 (branch: main, revision: 0123abcd)\n",
		"  build user:       builder@ci\n",
		"  build date:       20261204-09:00:00\n",
		"  go version:       go1.",
		"  platform:         ",
	} {
		if !strings.Contains(want, s) {
			t.Errorf("cadence version does not say %q:\n%s", s, want)
		}
	}
}

// TestServeLogs: cadence serve logs through promslog (level=info in lower
// case, logfmt or JSON) and --log.level filters.
func TestServeLogs(t *testing.T) {
	cfg := stateConfig(t, t.TempDir()+"/state.db")
	serve := func(extra ...string) string {
		t.Helper()
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		// serve drains as soon as it serves.
		errb := &cancelOn{cancel: cancel, marks: []string{`msg="cadence serving"`, `"msg":"cadence serving"`}}
		var out strings.Builder
		args := append([]string{"serve", "--config.file", cfg, "--web.listen-address", "127.0.0.1:0"}, extra...)
		if err := RunEnv(ctx, args, Env{Stdout: &out, Stderr: errb, Now: func() time.Time { return pinned }}); err != nil {
			t.Fatalf("%v: %v\n%s", args, err, errb.String())
		}
		return errb.String()
	}
	logs := serve()
	for _, s := range []string{`level=info`, `msg="starting cadence" version="(version=`, `msg="cadence serving" addr=127.0.0.1:`, `caller=`} {
		if !strings.Contains(logs, s) {
			t.Errorf("logfmt logs lack %q:\n%s", s, logs)
		}
	}
	if strings.Contains(logs, "level=INFO") {
		t.Errorf("upper-case level in the logs:\n%s", logs)
	}
	logs = serve("--log.format", "json")
	first := strings.SplitN(logs, "\n", 2)[0]
	var rec map[string]any
	if err := json.Unmarshal([]byte(first), &rec); err != nil {
		t.Fatalf("--log.format json: %v: %q", err, first)
	}
	if rec["level"] != "info" || rec["msg"] != "starting cadence" {
		t.Errorf("--log.format json: first record %v", rec)
	}
	// --log.level warn: a start on a cancelled context (it fails at once)
	// logs no info line; at the default level the same start does.
	for _, tc := range []struct {
		level   string
		logInfo bool
	}{{"warn", false}, {"info", true}} {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		var out, errb strings.Builder
		_ = RunEnv(ctx, []string{"serve", "--config.file", cfg, "--listen", "127.0.0.1:0", "--log.level", tc.level},
			Env{Stdout: &out, Stderr: &errb, Now: func() time.Time { return pinned }})
		if got := strings.Contains(errb.String(), "level=info"); got != tc.logInfo {
			t.Errorf("--log.level %s: info lines logged %v, want %v:\n%s", tc.level, got, tc.logInfo, errb.String())
		}
	}
}

// cancelOn is a log writer that calls cancel once it sees one of marks.
type cancelOn struct {
	mu     sync.Mutex
	b      strings.Builder
	cancel func()
	marks  []string
}

func (w *cancelOn) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.b.Write(p)
	for _, m := range w.marks {
		if strings.Contains(string(p), m) {
			w.cancel()
		}
	}
	return len(p), nil
}

func (w *cancelOn) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.String()
}

func firstLine(s string) string { return strings.SplitN(s, "\n", 2)[0] }
