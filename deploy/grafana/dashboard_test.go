package grafana

import (
	"fmt"
	"os"
	"slices"
	"sort"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/cadence-dev/cadence/deploy/internal/deploycheck"
)

// The tests here check the dashboard's structure, that every query parses
// as PromQL, is tested by promtool (../prometheus/tests/dashboard_test.yml)
// and uses only metrics the daemon exports or the rules record. The
// end-to-end test in cmd/cadence/internal/e2e runs every query against a
// real Prometheus scraping cadence on the example org.

const (
	dashboardFile = "cadence-dashboard.json"
	usedFile      = "../metrics-used.txt"
	rulesFile     = "../prometheus/rules.yml"
	alertsFile    = "../prometheus/alerts.yml"
	queryTests    = "../prometheus/tests/dashboard_test.yml"
	repoRoot      = "../.."
	dsRef         = "${datasource}"
)

// query is one PromQL query of the dashboard and where it is.
type query struct {
	where string
	expr  string
}

// exampleValues are the values substituted for the dashboard's variables
// and Grafana's built-in interval variables before parsing.
var exampleValues = map[string]string{
	"job":             "cadence",
	"instance":        "c:9469",
	"manager":         "boss@example.com",
	"datasource":      "prometheus",
	"__rate_interval": "4m", // as in ../prometheus/tests/dashboard_test.yml
	"__interval":      "1m",
	"__range":         "1d",
}

func loadDashboard(t *testing.T) *Dashboard {
	t.Helper()
	data, err := os.ReadFile(dashboardFile)
	if err != nil {
		t.Fatal(err)
	}
	d, err := Parse(data)
	if err != nil {
		t.Fatalf("%s: %v", dashboardFile, err)
	}
	return d
}

// queries returns every PromQL query of d: panel targets and the PromQL of
// each query variable.
func queries(t *testing.T, d *Dashboard) []query {
	t.Helper()
	var qs []query
	for _, p := range d.AllPanels() {
		for _, tg := range p.Targets {
			qs = append(qs, query{fmt.Sprintf("%s: panel %d %q target %s", dashboardFile, p.ID, p.Title, tg.RefID), tg.Expr})
		}
	}
	for _, v := range d.Templating.List {
		if v.Type != "query" {
			continue
		}
		vq, err := v.ParseQuery()
		if err != nil {
			t.Errorf("%s: %v", dashboardFile, err)
			continue
		}
		qs = append(qs, query{fmt.Sprintf("%s: variable %s (%s)", dashboardFile, v.Name, vq.Func), vq.Expr})
	}
	return qs
}

func TestDashboardStructure(t *testing.T) {
	d := loadDashboard(t)
	if d.UID == "" || len(d.UID) > 40 {
		t.Errorf("uid %q: want 1 to 40 characters", d.UID)
	}
	if d.Title == "" {
		t.Error("title is empty")
	}
	if d.SchemaVersion < 36 || d.SchemaVersion > 41 {
		t.Errorf("schemaVersion %d: want Grafana 10/11's (36..41)", d.SchemaVersion)
	}
	if d.ID != nil {
		t.Errorf("id %d: must be null so that imports do not overwrite another dashboard", *d.ID)
	}

	var names []string
	for _, v := range d.Templating.List {
		names = append(names, v.Name)
	}
	// Each variable may only use the ones before it.
	if want := []string{"datasource", "job", "instance", "manager"}; !slices.Equal(names, want) {
		t.Errorf("templating: variables %v, want %v in that order", names, want)
	}
	if v, ok := d.Variable("datasource"); !ok || v.Type != "datasource" || string(v.Query) != `"prometheus"` {
		t.Errorf("templating: want a variable datasource of type datasource querying prometheus, got %+v", v)
	}
	for name, want := range map[string]VariableQuery{
		"job":      {Func: "label_values", Expr: "cadence_build_info", Label: "job"},
		"instance": {Func: "label_values", Expr: `cadence_build_info{job="$job"}`, Label: "instance"},
	} {
		v, _ := d.Variable(name)
		if got, err := v.ParseQuery(); err != nil || got != want {
			t.Errorf("variable %s: query %+v (%v), want %+v", name, got, err, want)
		}
	}
	for _, name := range []string{"job", "instance", "manager"} {
		v, ok := d.Variable(name)
		if !ok || v.Type != "query" || v.Multi || v.IncludeAll {
			t.Errorf("templating: want a single-value query variable %s, got %+v", name, v)
			continue
		}
		if v.Datasource == nil || v.Datasource.UID != dsRef {
			t.Errorf("variable %s: datasource %+v, want uid %s", name, v.Datasource, dsRef)
		}
	}
	// The manager variable lists managers from their names info series,
	// the top of the org first (sorted by the number of ancestors, kept in
	// that order), showing names and selecting identities.
	mv, _ := d.Variable("manager")
	mq, err := mv.ParseQuery()
	if err != nil || mq.Func != "query_result" || !strings.HasPrefix(mq.Expr, "sort(") ||
		!strings.Contains(mq.Expr, "cadence_manager_info") || !strings.Contains(mq.Expr, "cadence_lead_ancestor_info") {
		t.Errorf("variable manager: query %+v (%v): want query_result(sort(...)) over cadence_lead_ancestor_info and cadence_manager_info", mq, err)
	}
	if mv.Sort != 0 {
		t.Errorf("variable manager: sort %d, want 0 (the query's order: the top of the org first)", mv.Sort)
	}
	re, err := mv.RegexFilter()
	if err != nil || re == nil {
		t.Fatalf("variable manager: regex %q: %v", mv.Regex, err)
	}
	for line, want := range map[string][2]string{
		`{manager="ana@example.com",name="Ana Alvarez"} 1 1795424400000`: {"ana@example.com", "Ana Alvarez"},
		`{manager="0123456789abcdef"} 1 1795424400000`:                   {"0123456789abcdef", ""}, // metrics.identity: hash
	} {
		m := re.FindStringSubmatch(line)
		if m == nil || m[re.SubexpIndex("value")] != want[0] || m[re.SubexpIndex("text")] != want[1] {
			t.Errorf("variable manager: regex %s on %s: %q, want value %q text %q", mv.Regex, line, m, want[0], want[1])
		}
	}

	ids := map[int]bool{}
	kinds := map[string]int{}
	for _, p := range d.AllPanels() {
		where := fmt.Sprintf("panel %d %q", p.ID, p.Title)
		if ids[p.ID] || p.ID <= 0 {
			t.Errorf("%s: id not unique and positive", where)
		}
		ids[p.ID] = true
		if p.Title == "" {
			t.Errorf("panel %d: no title", p.ID)
		}
		if p.GridPos.W <= 0 || p.GridPos.H <= 0 || p.GridPos.X < 0 || p.GridPos.X+p.GridPos.W > 24 {
			t.Errorf("%s: gridPos %+v outside the 24-column grid", where, p.GridPos)
		}
		kinds[p.Type]++
		if p.Type == "row" {
			continue
		}
		if p.Datasource == nil || p.Datasource.UID != dsRef || p.Datasource.Type != "prometheus" {
			t.Errorf("%s: datasource %+v, want {prometheus %s}", where, p.Datasource, dsRef)
		}
		if len(p.Targets) == 0 {
			t.Errorf("%s: no targets", where)
		}
		refs := map[string]bool{}
		for _, tg := range p.Targets {
			if tg.Datasource == nil || tg.Datasource.UID != dsRef {
				t.Errorf("%s target %s: datasource %+v, want uid %s", where, tg.RefID, tg.Datasource, dsRef)
			}
			if strings.TrimSpace(tg.Expr) == "" {
				t.Errorf("%s target %s: no expr", where, tg.RefID)
			}
			if tg.RefID == "" || refs[tg.RefID] {
				t.Errorf("%s: refId %q empty or repeated", where, tg.RefID)
			}
			refs[tg.RefID] = true
			// Every query is about the selected cadence instance.
			vars := deploycheck.GrafanaVars(tg.Expr)
			if !slices.Contains(vars, "job") || !slices.Contains(vars, "instance") {
				t.Errorf("%s target %s: query does not use $job and $instance:\n%s", where, tg.RefID, tg.Expr)
			}
		}
	}
	// The views the issue asks for.
	for kind, min := range map[string]int{"timeseries": 1, "table": 3, "stat": 1} {
		if kinds[kind] < min {
			t.Errorf("%d %s panels, want at least %d", kinds[kind], kind, min)
		}
	}
	if err := overlaps(d.AllPanels()); err != nil {
		t.Error(err)
	}
}

// overlaps reports two panels that share a grid cell.
func overlaps(ps []Panel) error {
	cells := map[[2]int]int{}
	for _, p := range ps {
		for x := p.GridPos.X; x < p.GridPos.X+p.GridPos.W; x++ {
			for y := p.GridPos.Y; y < p.GridPos.Y+p.GridPos.H; y++ {
				if other, ok := cells[[2]int{x, y}]; ok {
					return fmt.Errorf("panels %d and %d overlap at x=%d y=%d", other, p.ID, x, y)
				}
				cells[[2]int{x, y}] = p.ID
			}
		}
	}
	return nil
}

// TestQueriesParse substitutes the variables and parses every query.
func TestQueriesParse(t *testing.T) {
	d := loadDashboard(t)
	qs := queries(t, d)
	if len(qs) == 0 {
		t.Fatal("no queries")
	}
	for _, q := range qs {
		expr, err := deploycheck.SubstituteVars(q.expr, exampleValues)
		if err != nil {
			t.Errorf("%s: %v", q.where, err)
			continue
		}
		if _, err := deploycheck.ParseExpr(expr); err != nil {
			t.Errorf("%s: %v", q.where, err)
		}
	}
}

// TestQueriesHavePromtoolTests checks that every query, with the example
// variable values, is tested by promtool in ../prometheus/tests/dashboard_test.yml
// (which deploy/check.sh runs): the parse check cannot tell a join that
// matches nothing from one that works.
func TestQueriesHavePromtoolTests(t *testing.T) {
	var doc struct {
		Tests []struct {
			Exprs []struct {
				Expr string `yaml:"expr"`
			} `yaml:"promql_expr_test"`
		} `yaml:"tests"`
	}
	readYAML(t, queryTests, &doc)
	tested := map[string]bool{}
	for _, tc := range doc.Tests {
		for _, e := range tc.Exprs {
			tested[strings.Join(strings.Fields(e.Expr), " ")] = true
		}
	}
	for _, q := range queries(t, loadDashboard(t)) {
		if strings.HasSuffix(q.where, "(label_values)") {
			continue // a selector for label_values, not a query
		}
		expr, err := deploycheck.SubstituteVars(q.expr, exampleValues)
		if err != nil {
			continue // reported by TestQueriesParse
		}
		if !tested[strings.Join(strings.Fields(expr), " ")] {
			t.Errorf("%s: no promtool test in %s for\n%s", q.where, queryTests, expr)
		}
	}
}

// usedMetrics returns the metric names the dashboard's queries use, with
// where each is used.
func usedMetrics(t *testing.T) map[string]string {
	t.Helper()
	used := map[string]string{}
	for _, q := range queries(t, loadDashboard(t)) {
		expr, err := deploycheck.SubstituteVars(q.expr, exampleValues)
		if err != nil {
			continue // reported by TestQueriesParse
		}
		names, err := deploycheck.MetricNames(expr)
		if err != nil {
			continue // reported by TestQueriesParse
		}
		for _, n := range names {
			if _, ok := used[n]; !ok {
				used[n] = q.where
			}
		}
	}
	return used
}

// ruleMetrics returns the metric families the rule files use (expressions
// and annotation templates) and the names rules.yml records.
func ruleMetrics(t *testing.T, listed map[string]bool) (used, records map[string]bool) {
	t.Helper()
	used = map[string]bool{}
	for _, path := range []string{rulesFile, alertsFile} {
		groups, err := deploycheck.ReadRules(path)
		if err != nil {
			t.Fatal(err)
		}
		if path == rulesFile {
			records = deploycheck.Records(groups)
		}
		for _, g := range groups {
			for _, r := range g.Rules {
				names, err := deploycheck.MetricNames(r.Expr)
				if err != nil {
					t.Errorf("%s: %s%s: %v", path, r.Record, r.Alert, err)
				}
				for _, text := range r.Annotations {
					names = append(names, deploycheck.TemplateMetrics(text)...)
				}
				for _, n := range names {
					if fam, ok := deploycheck.Family(n, listed); ok {
						used[fam] = true
					} else {
						used[n] = true
					}
				}
			}
		}
	}
	return used, records
}

func TestMetricsListed(t *testing.T) {
	listed, err := deploycheck.ReadMetricsUsed(usedFile)
	if err != nil {
		t.Fatal(err)
	}
	ruleUsed, records := ruleMetrics(t, listed)
	dashUsed := usedMetrics(t)
	dashFams := map[string]bool{}
	for _, name := range sortedKeys(dashUsed) {
		where := dashUsed[name]
		if deploycheck.IsRecordName(name) {
			if !records[name] {
				t.Errorf("%s: recorded metric %s is not defined in deploy/prometheus/rules.yml", where, name)
			}
			continue
		}
		fam, ok := deploycheck.Family(name, listed)
		if !ok {
			t.Errorf("%s: metric %s is not listed in deploy/metrics-used.txt", where, name)
		}
		dashFams[fam] = true
	}
	// metrics-used.txt lists exactly what the deploy files use.
	for name := range listed {
		if !dashFams[name] && !ruleUsed[name] {
			t.Errorf("deploy/metrics-used.txt: %s is used by neither the dashboard nor the rules; remove it", name)
		}
	}
}

// TestMetricsInGolden checks every metric the dashboard uses against the
// golden /metrics files present; it is skipped until one exists.
func TestMetricsInGolden(t *testing.T) {
	goldens, err := deploycheck.LoadGoldens(repoRoot, deploycheck.GoldenFiles)
	if err != nil {
		t.Fatal(err)
	}
	if len(goldens) == 0 {
		t.Skip("no golden /metrics file yet: cannot cross-check against the daemon's metrics")
	}
	used := usedMetrics(t)
	for _, name := range sortedKeys(used) {
		if deploycheck.IsRecordName(name) {
			continue
		}
		missing, covered := deploycheck.MissingFrom(name, goldens)
		if !covered {
			t.Logf("%s: no golden /metrics file present covers %s yet", used[name], name)
		}
		for _, path := range missing {
			t.Errorf("%s: metric %s is not in the golden /metrics file %s", used[name], name, path)
		}
	}
}

// TestProvisioning checks the provisioning examples: the dashboard provider
// points at a directory and the data source is a Prometheus one.
func TestProvisioning(t *testing.T) {
	var dash struct {
		APIVersion int `yaml:"apiVersion"`
		Providers  []struct {
			Name    string `yaml:"name"`
			Type    string `yaml:"type"`
			Options struct {
				Path string `yaml:"path"`
			} `yaml:"options"`
		} `yaml:"providers"`
	}
	readYAML(t, "provisioning/dashboards.yml", &dash)
	if dash.APIVersion != 1 || len(dash.Providers) != 1 || dash.Providers[0].Type != "file" || dash.Providers[0].Options.Path == "" {
		t.Errorf("provisioning/dashboards.yml: want apiVersion 1 and one file provider with a path, got %+v", dash)
	}
	var ds struct {
		APIVersion  int `yaml:"apiVersion"`
		Datasources []struct {
			Name string `yaml:"name"`
			Type string `yaml:"type"`
			URL  string `yaml:"url"`
		} `yaml:"datasources"`
	}
	readYAML(t, "provisioning/datasources.yml", &ds)
	if ds.APIVersion != 1 || len(ds.Datasources) != 1 || ds.Datasources[0].Type != "prometheus" || ds.Datasources[0].URL == "" {
		t.Errorf("provisioning/datasources.yml: want apiVersion 1 and one prometheus data source with a url, got %+v", ds)
	}
}

func readYAML(t *testing.T, path string, v any) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(data, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
