package cli

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cadence-dev/cadence/internal/hostile"
)

// hostileConfig writes the example configuration with absolute paths, a
// state path of its own, and the extra ICS feeds given (name → body),
// each owned by ana, into dir.
func hostileConfig(t *testing.T, dir string, feeds map[string][]byte) string {
	t.Helper()
	raw, err := os.ReadFile(exampleConfig)
	if err != nil {
		t.Fatal(err)
	}
	root, err := filepath.Abs(filepath.Dir(exampleConfig))
	if err != nil {
		t.Fatal(err)
	}
	cfg := strings.ReplaceAll(string(raw), "examples/org", filepath.Join(root, "examples/org"))
	cfg = strings.Replace(cfg, "state_path: cadence.db", "state_path: "+filepath.Join(dir, "state.db"), 1)
	// The parse-time limit has its own test (calendar TestHostileParseTimeLimit);
	// under -race on a loaded 2-core machine the VTIMEZONE bomb's parse can
	// near 10 s, so it is out of the way here.
	if !strings.Contains(cfg, "parse_time: 10s") {
		t.Fatal("config.example.yaml has no parse_time: 10s to relax")
	}
	cfg = strings.Replace(cfg, "parse_time: 10s", "parse_time: 10m", 1)
	var extra strings.Builder
	for name, body := range feeds {
		path := filepath.Join(dir, name+".ics")
		if err := os.WriteFile(path, body, 0o644); err != nil {
			t.Fatal(err)
		}
		extra.WriteString("    - name: " + name + "\n      owner: ana@example.com\n      path: " + path + "\n")
	}
	cfg = strings.Replace(cfg, "  ics:\n", "  ics:\n"+extra.String(), 1)
	path := filepath.Join(dir, "cadence.yml")
	if err := os.WriteFile(path, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

type jsonReport struct {
	Pairs   json.RawMessage `json:"pairs"`
	Sources []struct {
		Name    string  `json:"name"`
		OK      bool    `json:"ok"`
		Error   *string `json:"error"`
		Warning string  `json:"warning"`
	} `json:"sources"`
}

// TestHostileFeedsBeside: feeds that ask for unbounded work — the
// expansion blow-up (100 series of one instance a minute), FREQ=HOURLY
// ×100, thousands of ordinary daily series, a VTIMEZONE bomb — put into
// ana's calendars by whoever can send her an invitation. `cadence report`
// finishes (without limits the first alone took 61 s and 7.4 GB), names
// each feed, UID and limit on stderr and in the report, and every pair of
// the example org is evaluated exactly as without them.
func TestHostileFeedsBeside(t *testing.T) {
	p := hostile.Pair{Lead: "ana@example.com", Member: "bo@example.com"}
	clean := hostileConfig(t, t.TempDir(), nil)
	dirty := hostileConfig(t, t.TempDir(), map[string][]byte{
		"minute": hostile.MinuteSeries(100, p, "20260101"),
		"hourly": hostile.HourlySeries(100, p, "20260101"),
		"daily":  hostile.DailySeries(2000, p, "20251101"),
		"zones":  hostile.ZoneBomb(100, 20, p, "20261102"),
	})
	read := func(cfg string) (jsonReport, string) {
		out, stderr, err := run(t, "report", "--config", cfg, "--format", "json", "--at", "2026-11-23T09:00:00Z")
		if err != nil {
			t.Fatalf("report: %v\n%s", err, stderr)
		}
		var r jsonReport
		if err := json.Unmarshal([]byte(out), &r); err != nil {
			t.Fatal(err)
		}
		return r, stderr
	}
	want, _ := read(clean)
	got, stderr := read(dirty)
	// The daily series that fit the feed's budget are ana/bo meetings
	// and count as such; every other pair is untouched.
	if g, w := otherPairs(t, got.Pairs, p), otherPairs(t, want.Pairs, p); len(w) == 0 || !bytes.Equal(g, w) {
		t.Errorf("the example org's pairs changed beside the hostile feeds")
	}
	limits := map[string]string{
		"minute": "calendar: feed minute: UID minute-0@hostile: series_occurrences limit of 10000 exceeded; 100 series dropped (the first named)",
		"hourly": "calendar: feed hourly: UID hourly-0@hostile: series_occurrences limit of 10000 exceeded; 100 series dropped (the first named)",
		"daily":  "calendar: feed daily: UID daily-209@hostile: feed_occurrences limit of 100000 exceeded; 1791 series dropped (the first named)",
		"zones":  "calendar: feed zones: UID zone-4@hostile: zone_transitions limit of 50000 exceeded; 96 time zones not built, the feed's zone used instead (the first named)",
	}
	for _, s := range got.Sources {
		w, ok := limits[s.Name]
		if !ok {
			continue
		}
		delete(limits, s.Name)
		if !s.OK || s.Warning != w {
			t.Errorf("source %s: ok %v, warning %q; want ok with %q", s.Name, s.OK, s.Warning, w)
		}
		if !strings.Contains(stderr, "cadence: source "+s.Name+": "+w) {
			t.Errorf("stderr does not name %s's limit:\n%s", s.Name, stderr)
		}
	}
	if len(limits) != 0 {
		t.Errorf("sources missing from the report: %v", limits)
	}
}

// otherPairs is the JSON of the report's pairs other than p's.
func otherPairs(t *testing.T, raw json.RawMessage, p hostile.Pair) []byte {
	t.Helper()
	var pairs []map[string]any
	if err := json.Unmarshal(raw, &pairs); err != nil {
		t.Fatal(err)
	}
	var keep []map[string]any
	for _, x := range pairs {
		if x["lead"] == p.Lead && x["member"] == p.Member {
			continue
		}
		keep = append(keep, x)
	}
	b, err := json.Marshal(keep)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
