package app_test

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/cadence-dev/cadence/calendar"
	"github.com/cadence-dev/cadence/calendar/google/fakegoogle"
	"github.com/cadence-dev/cadence/cmd/cadence/internal/app"
	"github.com/cadence-dev/cadence/cmd/cadence/internal/cli"
	"github.com/cadence-dev/cadence/internal/store"
	"github.com/cadence-dev/cadence/report"
)

const exampleConfig = "../../../../config.example.yaml"

var pinned = time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)

// fakeClock is a fixed clock whose timers fire only when the test says so.
type fakeClock struct {
	mu     sync.Mutex
	now    time.Time
	timers []chan time.Time
}

func (c *fakeClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }

// After fires at once for waits under a minute (retry backoff); the
// daemon's loop intervals (minutes) never fire on their own.
func (c *fakeClock) After(d time.Duration) <-chan time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	ch := make(chan time.Time, 1)
	if d < time.Minute {
		ch <- c.now
		return ch
	}
	c.timers = append(c.timers, ch)
	return ch
}

func startApp(t *testing.T, cfgPath, statePath string, clock app.Clock, fetch func(context.Context, calendar.ICSSource, calendar.FetchOptions) (*calendar.FetchResult, error)) (*app.App, *prometheus.Registry) {
	t.Helper()
	st, err := store.Open(context.Background(), statePath)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	reg := prometheus.NewRegistry()
	a, err := app.New(app.Options{ConfigPath: cfgPath, Registry: reg, Clock: clock, Store: st, ListenAddresses: []string{"127.0.0.1:0"}, Fetch: fetch})
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	select {
	case <-a.Evaluated():
	case <-time.After(60 * time.Second): // a guard, not a sleep: fails a hung test
		t.Fatal("no evaluation within 60s")
	}
	return a, reg
}

func stop(t *testing.T, a *app.App) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := a.Stop(ctx); err != nil {
		t.Fatal(err)
	}
}

func get(t *testing.T, url string) (int, []byte) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, b
}

func scrape(t *testing.T, base string) map[string]*dto.MetricFamily {
	t.Helper()
	code, body := get(t, base+"/metrics")
	if code != 200 {
		t.Fatalf("/metrics: %d", code)
	}
	parser := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := parser.TextToMetricFamilies(bytes.NewReader(body))
	if err != nil {
		t.Fatalf("parsing /metrics: %v", err)
	}
	return fams
}

// value finds the sample of family name whose labels include want.
func value(fams map[string]*dto.MetricFamily, name string, want map[string]string) (float64, bool) {
	f := fams[name]
	if f == nil {
		return 0, false
	}
next:
	for _, m := range f.GetMetric() {
		have := map[string]string{}
		for _, l := range m.GetLabel() {
			have[l.GetName()] = l.GetValue()
		}
		for k, v := range want {
			if have[k] != v {
				continue next
			}
		}
		switch {
		case m.Gauge != nil:
			return m.GetGauge().GetValue(), true
		case m.Counter != nil:
			return m.GetCounter().GetValue(), true
		}
	}
	return 0, false
}

func TestServeEndToEnd(t *testing.T) {
	clock := &fakeClock{now: pinned}
	a, _ := startApp(t, exampleConfig, filepath.Join(t.TempDir(), "state.db"), clock, nil)
	defer stop(t, a)
	base := "http://" + a.Addr()

	// Prometheus's spellings and the old ones (aliases).
	for _, path := range []string{"/-/healthy", "/-/ready", "/healthz", "/readyz"} {
		if code, body := get(t, base+path); code != 200 {
			t.Fatalf("%s: %d %s", path, code, body)
		}
	}
	// The org-health page and a manager's drill-down.
	if code, body := get(t, base+"/"); code != 200 || !strings.Contains(string(body), "ana@example.com") {
		t.Errorf("GET /: %d, page without the org tree", code)
	}
	if code, body := get(t, base+"/manager/gus@example.com"); code != 200 || !strings.Contains(string(body), "Pia Park") {
		t.Errorf("GET /manager/gus@example.com: %d, page without gus's pairs", code)
	}
	code, body := get(t, base+"/api/v1/report")
	if code != 200 {
		t.Fatalf("/api/v1/report: %d", code)
	}
	rep, err := report.ReadJSON(bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}

	// The daemon's report is the one-shot report's, byte for byte, at the
	// same instant.
	var out, errb bytes.Buffer
	if err := cli.RunEnv(context.Background(), []string{"report", "--config", exampleConfig, "--format", "json"},
		cli.Env{Stdout: &out, Stderr: &errb, Now: func() time.Time { return pinned }}); err != nil {
		t.Fatalf("cadence report: %v\n%s", err, errb.String())
	}
	if out.String() != string(body) {
		t.Errorf("/api/v1/report differs from `cadence report --format json`")
	}

	fams := scrape(t, base)
	if len(rep.Pairs) < 20 {
		t.Fatalf("only %d pairs", len(rep.Pairs))
	}
	for _, p := range rep.Pairs {
		pl := map[string]string{"kind": p.Kind, "lead": p.Lead, "member": p.Member}
		with := func(k, v string) map[string]string {
			m := map[string]string{k: v}
			for a, b := range pl {
				m[a] = b
			}
			return m
		}
		if v, ok := value(fams, "cadence_pair_status", with("status", p.Status)); !ok || v != 1 {
			t.Errorf("%v: cadence_pair_status{status=%q} = %v, %v; want 1", pl, p.Status, v, ok)
		}
		if v, _ := value(fams, "cadence_pair_consecutive_cancellations", pl); int(v) != p.ConsecutiveCancellations {
			t.Errorf("%v: streak metric %v, JSON %d", pl, v, p.ConsecutiveCancellations)
		}
		for outcome, n := range map[string]int{"held": p.Window.Held, "cancelled": p.Window.Cancelled, "declined": p.Window.Declined, "excused": p.Window.Excused} {
			if v, _ := value(fams, "cadence_pair_occurrences", with("outcome", outcome)); int(v) != n {
				t.Errorf("%v: occurrences{outcome=%s} metric %v, JSON %d", pl, outcome, v, n)
			}
		}
		v, ok := value(fams, "cadence_pair_last_held_timestamp_seconds", pl)
		if (p.LastHeld != nil) != ok || (ok && int64(v) != p.LastHeld.Unix()) {
			t.Errorf("%v: last_held metric %v (%v), JSON %v", pl, v, ok, p.LastHeld)
		}
	}
	for _, m := range rep.Managers {
		for scope, tally := range map[string]report.Tally{"direct": m.Direct, "org": m.Org} {
			v, ok := value(fams, "cadence_manager_compliance_ratio", map[string]string{"manager": m.Manager, "scope": scope})
			if !ok || v != tally.Ratio {
				t.Errorf("manager %s %s ratio metric %v (%v), JSON %v", m.Manager, scope, v, ok, tally.Ratio)
			}
		}
	}
	for _, s := range rep.Sources {
		up, ok := value(fams, "cadence_source_up", map[string]string{"source": s.Name})
		if !ok || (up == 1) != s.OK {
			t.Errorf("source %s: up metric %v (%v), JSON ok %v", s.Name, up, ok, s.OK)
		}
		if !s.OK {
			if n, _ := value(fams, "cadence_source_errors_total", map[string]string{"source": s.Name, "reason": "parse"}); n < 1 {
				t.Errorf("source %s failed but cadence_source_errors_total{reason=parse} = %v", s.Name, n)
			}
		}
	}
	for _, name := range []string{"cadence_evaluation_duration_seconds", "cadence_evaluation_last_success_timestamp_seconds", "cadence_config_last_reload_successful", "cadence_build_info", "cadence_source_sync_duration_seconds", "cadence_manager_info"} {
		if fams[name] == nil {
			t.Errorf("/metrics lacks %s", name)
		}
	}
}

// emptyICS is a valid feed with no events: what a feed that dropped its
// past (or everything) looks like.
const emptyICS = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nEND:VCALENDAR\r\n"

func TestRestartKeepsStateAndHistory(t *testing.T) {
	statePath := filepath.Join(t.TempDir(), "state.db")
	a, _ := startApp(t, exampleConfig, statePath, &fakeClock{now: pinned}, nil)
	first := a.Snapshot()
	stop(t, a)

	// Restart with every feed down: the last good data from the store
	// serves the same evaluation.
	down := func(context.Context, calendar.ICSSource, calendar.FetchOptions) (*calendar.FetchResult, error) {
		return nil, errors.New("connection refused")
	}
	a2, _ := startApp(t, exampleConfig, statePath, &fakeClock{now: pinned}, down)
	second := a2.Snapshot()
	stop(t, a2)
	if len(second.Pairs) != len(first.Pairs) {
		t.Fatalf("after restart with feeds down: %d pairs, before %d", len(second.Pairs), len(first.Pairs))
	}
	for i := range first.Pairs {
		p, q := first.Pairs[i], second.Pairs[i]
		if p.Lead != q.Lead || p.Member != q.Member || p.Status != q.Status || p.Window != q.Window {
			t.Errorf("pair %s/%s changed across restart: %s %+v -> %s %+v", p.Lead, p.Member, p.Status, p.Window, q.Status, q.Window)
		}
	}
	for _, s := range second.Sources {
		if s.OK {
			t.Errorf("source %s reported ok while its fetch fails", s.Name)
		}
	}

	// Restart a day later with every feed now empty: history keeps the
	// meetings that had already happened.
	empty := func(context.Context, calendar.ICSSource, calendar.FetchOptions) (*calendar.FetchResult, error) {
		return &calendar.FetchResult{Data: []byte(emptyICS)}, nil
	}
	a3, _ := startApp(t, exampleConfig, statePath, &fakeClock{now: pinned}, empty)
	third := a3.Snapshot()
	stop(t, a3)
	heldBefore, heldAfter := 0, 0
	for i := range first.Pairs {
		heldBefore += first.Pairs[i].Window.Held
	}
	for i := range third.Pairs {
		heldAfter += third.Pairs[i].Window.Held
		if third.Pairs[i].NextScheduled != nil {
			t.Errorf("pair %s/%s still has a next meeting although every feed is empty", third.Pairs[i].Lead, third.Pairs[i].Member)
		}
	}
	if heldBefore == 0 || heldAfter != heldBefore {
		t.Errorf("held 1:1s in the window: %d before the feeds emptied, %d after (history must keep them)", heldBefore, heldAfter)
	}
}

func TestReloadKeepsOldConfigOnError(t *testing.T) {
	dir := t.TempDir()
	root, _ := filepath.Abs("../../../..")
	cfgPath := filepath.Join(dir, "cadence.yaml")
	good := fmt.Sprintf("serve:\n  enable_reload: true\ndirectory:\n  csv: %s\nsources:\n  ics:\n    - name: ana\n      owner: ana@example.com\n      path: %s\n",
		filepath.Join(root, "examples/org/people.csv"), filepath.Join(root, "examples/org/feeds/ana.ics"))
	if err := os.WriteFile(cfgPath, []byte(good), 0o644); err != nil {
		t.Fatal(err)
	}
	a, _ := startApp(t, cfgPath, filepath.Join(dir, "state.db"), &fakeClock{now: pinned}, nil)
	defer stop(t, a)
	base := "http://" + a.Addr()

	if err := os.WriteFile(cfgPath, []byte(good+"polcies: []\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	resp, err := http.Post(base+"/-/reload", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 500 || !strings.Contains(string(b), `unknown key "polcies"`) {
		t.Errorf("bad reload: %d %s", resp.StatusCode, b)
	}
	fams := scrape(t, base)
	if v, _ := value(fams, "cadence_config_last_reload_successful", nil); v != 0 {
		t.Errorf("cadence_config_last_reload_successful = %v after a bad reload", v)
	}
	if code, _ := get(t, base+"/-/ready"); code != 200 {
		t.Errorf("not ready after a bad reload")
	}

	if err := os.WriteFile(cfgPath, []byte(good), 0o644); err != nil {
		t.Fatal(err)
	}
	resp, err = http.Post(base+"/-/reload", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("good reload: %d", resp.StatusCode)
	}
	fams = scrape(t, base)
	if v, _ := value(fams, "cadence_config_last_reload_successful", nil); v != 1 {
		t.Errorf("cadence_config_last_reload_successful = %v after a good reload", v)
	}
}

var update = flag.Bool("update", false, "rewrite cmd/cadence/testdata/metrics.golden.prom")

// goldenMetrics is the daemon's /metrics on the example org at the pinned
// time. CI checks it with `promtool check metrics` (deploy/check.sh) and the
// dashboard test checks every metric it uses exists in it. Values that
// depend on the machine (durations, build labels) are normalized.
const goldenMetrics = "../../testdata/metrics.golden.prom"

var labelValue = regexp.MustCompile(`\w+="[^"]*"`)

func TestGoldenMetrics(t *testing.T) {
	// The example org plus one Google calendar from the fake server, so the
	// Google source's metrics are in the golden file too.
	fake := fakegoogle.New()
	f, err := os.Open("../../../../examples/google/dataset.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := fake.LoadDataset(f, "dataset.json"); err != nil {
		t.Fatal(err)
	}
	f.Close()
	fake.InjectFaults("cy@example.com", fakegoogle.TooManyRequests) // one retry
	srv := httptest.NewServer(fake)
	defer srv.Close()
	example, err := os.ReadFile(exampleConfig)
	if err != nil {
		t.Fatal(err)
	}
	root, _ := filepath.Abs("../../../..")
	cfg := strings.ReplaceAll(string(example), " examples/", " "+root+"/examples/")
	cfg += fmt.Sprintf("google:\n  endpoint: %s\n  calendars: [cy@example.com]\n", srv.URL)
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "cadence.yaml")
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	a, _ := startApp(t, cfgPath, filepath.Join(dir, "state.db"), &fakeClock{now: pinned}, nil)
	defer stop(t, a)
	_, body := get(t, "http://"+a.Addr()+"/metrics")
	var out strings.Builder
	for _, line := range strings.SplitAfter(string(body), "\n") {
		if line == "" {
			continue
		}
		if !strings.HasPrefix(line, "#") {
			name := line[:strings.IndexAny(line, "{ ")]
			switch {
			case strings.Contains(name, "_duration_seconds"):
				line = line[:strings.LastIndex(line, " ")] + " 0\n"
			case name == "cadence_build_info":
				// Label names are pinned, values vary by build:
				// branch="BRANCH", version="VERSION", ...
				line = labelValue.ReplaceAllStringFunc(line, func(l string) string {
					name := l[:strings.Index(l, "=")]
					return name + `="` + strings.ToUpper(name) + `"`
				})
			}
		}
		out.WriteString(line)
	}
	got := out.String()
	if *update {
		if err := os.MkdirAll(filepath.Dir(goldenMetrics), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(goldenMetrics, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(goldenMetrics)
	if err != nil {
		t.Fatalf("%v (go test ./cmd/cadence/internal/app -run TestGoldenMetrics -update)", err)
	}
	if string(want) != got {
		t.Errorf("/metrics differs from %s (rerun with -update to accept)", goldenMetrics)
	}
}

// TestNewErrorKinds: New says which errors the configuration is to blame
// for (exit 3 in cadence serve) and which are runtime failures (exit 1):
// a state file that is not a database is not a configuration problem.
func TestNewErrorKinds(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(bad, []byte("windoe: 7d\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := app.New(app.Options{ConfigPath: bad})
	var ce *app.ConfigError
	if !errors.As(err, &ce) {
		t.Errorf("bad config: %v (%T), want an *app.ConfigError", err, err)
	}
	raw, err := os.ReadFile(exampleConfig)
	if err != nil {
		t.Fatal(err)
	}
	state := filepath.Join(dir, "state.db")
	if err := os.WriteFile(state, []byte("not a database, not at all, 100 bytes of it ........................................"), 0o644); err != nil {
		t.Fatal(err)
	}
	root, _ := filepath.Abs(filepath.Dir(exampleConfig))
	cfg := strings.ReplaceAll(string(raw), "examples/org", filepath.Join(root, "examples/org"))
	cfg = strings.Replace(cfg, "state_path: cadence.db", "state_path: "+state, 1)
	good := filepath.Join(dir, "good.yaml")
	if err := os.WriteFile(good, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = app.New(app.Options{ConfigPath: good})
	if err == nil || errors.As(err, &ce) {
		t.Errorf("corrupt state file: %v (%T), want a runtime error", err, err)
	}
}
