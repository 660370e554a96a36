package e2e_test

import (
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/cadence-dev/cadence/calendar/google/fakegoogle"
	"github.com/cadence-dev/cadence/deploy/grafana"
	"github.com/cadence-dev/cadence/report"
)

// pinned is the example org's reference time (README: --at).
var pinned = time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)

// exampleWithGoogle is config.example.yaml with absolute paths, a state
// file in dir, and one Google calendar from the fake Google server (as the
// golden /metrics test has), so that the Google panel has a source.
func exampleWithGoogle(t *testing.T, dir string) string {
	t.Helper()
	fake := fakegoogle.New()
	f, err := os.Open(repoRoot + "/examples/google/dataset.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := fake.LoadDataset(f, "dataset.json"); err != nil {
		t.Fatal(err)
	}
	f.Close()
	fake.InjectFaults("cy@example.com", fakegoogle.TooManyRequests) // one retry
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	example, err := os.ReadFile(repoRoot + "/config.example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	root, err := filepath.Abs(repoRoot)
	if err != nil {
		t.Fatal(err)
	}
	cfg := strings.ReplaceAll(string(example), " examples/", " "+root+"/examples/")
	cfg += fmt.Sprintf("google:\n  endpoint: %s\n  calendars: [cy@example.com]\n", srv.URL)
	path := filepath.Join(dir, "cadence.yaml")
	if err := os.WriteFile(path, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

type pairKey struct{ kind, lead, member string }

func (k pairKey) String() string { return k.kind + " " + k.lead + "/" + k.member }

func keysOf(m map[pairKey]bool) []string {
	var out []string
	for k := range m {
		out = append(out, k.String())
	}
	sort.Strings(out)
	return out
}

// TestDashboardOnPrometheus runs every query of the Grafana dashboard
// against Debian's Prometheus scraping `cadence serve` on the example org
// (at the README's pinned time) with the shipped rules loaded: the
// variables list the job, the instance and the managers (the top of the
// org first, with names), every panel returns data for the top manager,
// and the "Overdue 1:1s" and "Cancellation streaks" tables list, for every
// manager, exactly the pairs led in their subtree that the JSON report
// marks overdue or never (with whether they are required) and with a
// streak, cancel_streak ones marked as at their threshold.
//
// The test's copy of the rules evaluates every second (recording rules
// run every minute in the shipped file).
func TestDashboardOnPrometheus(t *testing.T) {
	binary(t, "prometheus", "prometheus")
	began := time.Now()
	dir := t.TempDir()
	cfgPath := exampleWithGoogle(t, dir)
	clock := &fakeClock{now: pinned}
	addr := freeAddr(t)
	cadence := startCadence(t, cfgPath, addr, clock, nil)
	snap := cadence.app.Snapshot()

	// The JSON report of the same evaluation (GET /api/v1/report is byte
	// for byte `cadence report --format json` at the same instant:
	// app.TestServeEndToEnd).
	resp, err := http.Get("http://" + addr + "/api/v1/report")
	if err != nil {
		t.Fatal(err)
	}
	rep, err := report.ReadJSON(resp.Body)
	resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}

	rules, alerts := shippedRules(t, func(_, orig string) string { return orig })
	prom := startPrometheus(t, addr, "", rules, alerts)
	job := fmt.Sprintf(`{job="cadence",instance=%q}`, addr)

	// A second evaluation after the first scrape, so that every rate()
	// (evaluations, Google requests, source errors) has moved; then enough
	// samples for the rate windows and every recording rule evaluated.
	prom.waitValue(t, 20*time.Second, "up"+job, 1)
	clock.fire()
	waitFor(t, 30*time.Second, "a second evaluation scraped", func() (bool, string) {
		out, err := prom.query("cadence_evaluation_duration_seconds_count" + job)
		if err != nil || len(out) != 1 {
			return false, fmt.Sprint(out, err)
		}
		return out[0].float() >= 2, out[0].value()
	})
	prom.waitValue(t, 20*time.Second, "count(manager:cadence_pair_cancel_streaks:count"+job+") > 0", float64(len(rep.Managers)))
	prom.waitValue(t, 20*time.Second, "count_over_time(up"+job+"[1m]) >= 3", 3)

	d, err := grafana.Parse(grafana.JSON)
	if err != nil {
		t.Fatal(err)
	}

	// The variables, as Grafana would fill them.
	jobs := labelValues(t, prom, d, "job", map[string]string{})
	if !slices.Contains(jobs, "cadence") {
		t.Fatalf("variable job: %v, want cadence among them", jobs)
	}
	vars := map[string]string{"job": "cadence", "__rate_interval": "1m", "__interval": "15s", "__range": "1h"}
	insts := labelValues(t, prom, d, "instance", vars)
	if !slices.Equal(insts, []string{addr}) {
		t.Fatalf("variable instance: %v, want [%s]", insts, addr)
	}
	vars["instance"] = addr
	options := managerOptions(t, prom, d, vars)
	var top string
	for _, p := range snap.Directory.People() {
		if p.Manager == "" && len(snap.Directory.Reports(p.Email)) > 0 {
			top = p.Email
		}
	}
	if len(options) == 0 || options[0].value != top || options[0].text != "Ana Alvarez" {
		t.Fatalf("variable manager: first option %+v, want the top of the org, %s (Ana Alvarez); options %v", first(options), top, options)
	}
	if len(options) != len(rep.Managers) {
		t.Errorf("variable manager: %d options, want the report's %d managers: %v", len(options), len(rep.Managers), options)
	}

	// Every panel returns data for the top manager.
	vars["manager"] = top
	for _, p := range d.AllPanels() {
		for _, tg := range p.Targets {
			where := fmt.Sprintf("panel %d %q target %s", p.ID, p.Title, tg.RefID)
			expr, err := grafana.Substitute(tg.Expr, vars)
			if err != nil {
				t.Errorf("%s: %v", where, err)
				continue
			}
			out, err := prom.query(expr)
			if err != nil {
				t.Errorf("%s: %v", where, err)
				continue
			}
			if len(out) == 0 {
				t.Errorf("%s: no data for manager %s:\n%s", where, top, expr)
			}
			for _, s := range out {
				if math.IsNaN(s.float()) || s.value() == "NaN" {
					t.Errorf("%s: NaN in %v:\n%s", where, s.Metric, expr)
				}
			}
		}
	}

	// The two tables, for every manager: exactly the pairs of the JSON
	// report led in the manager's subtree.
	overdue := panelTarget(t, d, "Overdue 1:1s", "A")
	streak := panelTarget(t, d, "Cancellation streaks", "A")
	reached := panelTarget(t, d, "Cancellation streaks", "C")
	inSubtree := func(lead, manager string) bool {
		return lead == manager || slices.Contains(snap.Directory.Chain(lead), manager)
	}
	for _, m := range rep.Managers {
		wantOverdue, wantRequired, wantStreak, wantReached := map[pairKey]bool{}, map[pairKey]bool{}, map[pairKey]bool{}, map[pairKey]bool{}
		for _, p := range rep.Pairs {
			if !inSubtree(p.Lead, m.Manager) {
				continue
			}
			k := pairKey{p.Kind, p.Lead, p.Member}
			if p.Status == "overdue" || p.Status == "never" {
				wantOverdue[k] = true
				wantRequired[k] = p.Required
			}
			if p.ConsecutiveCancellations > 0 {
				wantStreak[k] = true
			}
			if slices.Contains(p.Flags, "cancel_streak") {
				wantReached[k] = true
			}
		}
		mv := map[string]string{"manager": m.Manager}
		for k, v := range vars {
			if k != "manager" {
				mv[k] = v
			}
		}
		gotRequired := map[pairKey]bool{}
		rows := func(expr string, only1 bool) map[pairKey]bool {
			q, err := grafana.Substitute(expr, mv)
			if err != nil {
				t.Fatal(err)
			}
			out := map[pairKey]bool{}
			for _, s := range prom.mustQuery(t, q) {
				if only1 && s.float() != 1 {
					continue
				}
				k := pairKey{s.Metric["kind"], s.Metric["lead"], s.Metric["member"]}
				out[k] = true
				if r, ok := s.Metric["required"]; ok {
					gotRequired[k] = r == "yes"
				}
			}
			return out
		}
		for _, c := range []struct {
			table string
			got   map[pairKey]bool
			want  map[pairKey]bool
		}{
			{"Overdue 1:1s (overdue or never)", rows(overdue, false), wantOverdue},
			{"Cancellation streaks (streak > 0)", rows(streak, false), wantStreak},
			{"Cancellation streaks, At threshold = 1 (cancel_streak)", rows(reached, true), wantReached},
		} {
			if got, want := keysOf(c.got), keysOf(c.want); !slices.Equal(got, want) {
				t.Errorf("manager %s: table %s:\n got  %v\n want %v", m.Manager, c.table, got, want)
			}
		}
		for k, want := range wantRequired {
			if got, ok := gotRequired[k]; !ok || got != want {
				t.Errorf("manager %s: table Overdue 1:1s: %s Required = %v (label present: %v), the JSON report says %v", m.Manager, k, got, ok, want)
			}
		}
		if m.Manager == top {
			// The findings two levels below the top.
			for _, k := range []pairKey{{"direct", "ivan@example.com", "vic@example.com"}} {
				if !wantOverdue[k] || !wantRequired[k] {
					t.Errorf("the example org at %v: %s is not overdue or never in the JSON report", pinned, k)
				}
			}
			if len(wantReached) == 0 {
				t.Errorf("the example org at %v: no cancel_streak pair in the JSON report", pinned)
			}
		}
	}
	t.Logf("%d managers, %d panels checked in %v", len(rep.Managers), len(d.AllPanels()), time.Since(began).Round(time.Millisecond))
}

// panelTarget returns the query refID of the table panel whose title
// starts with prefix.
func panelTarget(t *testing.T, d *grafana.Dashboard, prefix, refID string) string {
	t.Helper()
	for _, p := range d.AllPanels() {
		if p.Type != "table" || !strings.HasPrefix(p.Title, prefix) {
			continue
		}
		for _, tg := range p.Targets {
			if tg.RefID == refID {
				return tg.Expr
			}
		}
	}
	t.Fatalf("dashboard: no table %q... with a target %s", prefix, refID)
	return ""
}

// labelValues fills a label_values(selector, label) variable as Grafana
// does (the series API with the selector as match[]).
func labelValues(t *testing.T, prom *promServer, d *grafana.Dashboard, name string, vars map[string]string) []string {
	t.Helper()
	v, ok := d.Variable(name)
	if !ok {
		t.Fatalf("dashboard: no variable %s", name)
	}
	q, err := v.ParseQuery()
	if err != nil || q.Func != "label_values" {
		t.Fatalf("variable %s: %+v %v", name, q, err)
	}
	sel, err := grafana.Substitute(q.Expr, vars)
	if err != nil {
		t.Fatal(err)
	}
	var values []string
	if err := prom.apiGet("/api/v1/label/"+q.Label+"/values", map[string][]string{"match[]": {sel}}, &values); err != nil {
		t.Fatalf("variable %s: %v", name, err)
	}
	return values
}

type option struct{ value, text string }

func first(o []option) any {
	if len(o) == 0 {
		return "none"
	}
	return o[0]
}

// managerOptions fills the manager variable as Grafana does: its
// query_result() expression as an instant query, each sample written as
// Grafana writes it, the regex's value and text groups picked, in the
// query's order (the variable does not sort).
func managerOptions(t *testing.T, prom *promServer, d *grafana.Dashboard, vars map[string]string) []option {
	t.Helper()
	v, _ := d.Variable("manager")
	q, err := v.ParseQuery()
	if err != nil || q.Func != "query_result" {
		t.Fatalf("variable manager: %+v %v", q, err)
	}
	re, err := v.RegexFilter()
	if err != nil || re == nil {
		t.Fatalf("variable manager: regex %q: %v", v.Regex, err)
	}
	expr, err := grafana.Substitute(q.Expr, vars)
	if err != nil {
		t.Fatal(err)
	}
	var out []option
	for _, s := range prom.mustQuery(t, expr) {
		line := grafana.QueryResultLine(s.Metric, s.value(), time.Now().UnixMilli())
		m := re.FindStringSubmatch(line)
		if m == nil {
			t.Errorf("variable manager: regex %s does not match %s", v.Regex, line)
			continue
		}
		o := option{value: m[re.SubexpIndex("value")], text: m[re.SubexpIndex("text")]}
		if o.text == "" {
			o.text = o.value // Grafana shows the value when there is no text
		}
		out = append(out, o)
	}
	return out
}
