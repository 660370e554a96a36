package deploycheck

import (
	"reflect"
	"strings"
	"testing"
)

func TestMetricNames(t *testing.T) {
	tests := []struct {
		expr string
		want []string
	}{
		{`up`, []string{"up"}},
		{`sum by (kind) (cadence_pair_required) / on (kind) kind:cadence_pair_required:sum`,
			[]string{"cadence_pair_required", "kind:cadence_pair_required:sum"}},
		{`{__name__="cadence_source_up", source="x"} == 0`, []string{"cadence_source_up"}},
		{`histogram_quantile(0.9, sum by (le) (rate(cadence_evaluation_duration_seconds_bucket[5m])))`,
			[]string{"cadence_evaluation_duration_seconds_bucket"}},
		{`time() - max(cadence_source_last_success_timestamp_seconds) or cadence_source_last_success_timestamp_seconds`,
			[]string{"cadence_source_last_success_timestamp_seconds"}},
		{`vector(1)`, []string{}},
	}
	for _, tt := range tests {
		got, err := MetricNames(tt.expr)
		if err != nil {
			t.Errorf("MetricNames(%q): %v", tt.expr, err)
			continue
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("MetricNames(%q) = %q, want %q", tt.expr, got, tt.want)
		}
	}
}

func TestMetricNamesErrors(t *testing.T) {
	for _, expr := range []string{
		`sum(cadence_pair_status`,            // unbalanced
		`cadence_pair_status{status=~"ok|"`,  // unclosed matcher
		`rate(cadence_source_errors_total)`,  // range vector expected
		`{__name__=~"cadence_.*", kind="x"}`, // no single metric
		`cadence_pair_status ==`,             // missing operand
	} {
		if _, err := MetricNames(expr); err == nil {
			t.Errorf("MetricNames(%q): no error", expr)
		} else if !strings.HasPrefix(err.Error(), "deploycheck: ") {
			t.Errorf("MetricNames(%q): error %q lacks the package prefix", expr, err)
		}
	}
}

func TestIsRecordName(t *testing.T) {
	for name, want := range map[string]bool{
		"kind_status:cadence_pair_status:count": true,
		":cadence_pair_compliance:ratio":        true,
		"cadence_pair_status":                   false,
		"kind:cadence_pair_status":              false,
		"Kind:cadence_pair_status:count":        false,
		"a:b:c:d":                               false,
	} {
		if got := IsRecordName(name); got != want {
			t.Errorf("IsRecordName(%q) = %v, want %v", name, got, want)
		}
	}
}

func TestReadMetricsUsed(t *testing.T) {
	got, err := ReadMetricsUsed("testdata/good.txt")
	if err != nil {
		t.Fatal(err)
	}
	if want := map[string]bool{"cadence_a": true, "cadence_b": true}; !reflect.DeepEqual(got, want) {
		t.Errorf("ReadMetricsUsed = %v, want %v", got, want)
	}

	_, err = ReadMetricsUsed("testdata/bad.txt")
	if err == nil {
		t.Fatal("bad.txt: no error")
	}
	for _, want := range []string{"testdata/bad.txt:5: cadence_b listed twice", `testdata/bad.txt:6: "not-a-name" is not a metric name`} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("bad.txt: error %q does not contain %q", err, want)
		}
	}
	if _, err := ReadMetricsUsed("testdata/unsorted.txt"); err == nil || !strings.Contains(err.Error(), "testdata/unsorted.txt:2: cadence_a is out of order") {
		t.Errorf("unsorted.txt: error %v", err)
	}
	if _, err := ReadMetricsUsed("testdata/missing.txt"); err == nil {
		t.Error("missing file: no error")
	}
}

func TestGoldenFamilies(t *testing.T) {
	got, err := GoldenFamilies("testdata/sample.prom")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{
		"cadence_pair_status":                        true,
		"cadence_evaluation_duration_seconds":        true,
		"cadence_evaluation_duration_seconds_bucket": true,
		"cadence_evaluation_duration_seconds_sum":    true,
		"cadence_evaluation_duration_seconds_count":  true,
		"cadence_source_errors_total":                true,
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("GoldenFamilies = %v, want %v", got, want)
	}
	if _, err := GoldenFamilies("testdata/broken.prom"); err == nil || !strings.Contains(err.Error(), "testdata/broken.prom") {
		t.Errorf("broken.prom: error %v, want one naming the file", err)
	}
}

func TestFamily(t *testing.T) {
	fams := map[string]bool{"cadence_evaluation_duration_seconds": true, "cadence_source_up": true}
	for name, want := range map[string]string{
		"cadence_evaluation_duration_seconds_bucket": "cadence_evaluation_duration_seconds",
		"cadence_evaluation_duration_seconds_count":  "cadence_evaluation_duration_seconds",
		"cadence_source_up":                          "cadence_source_up",
		"cadence_source_up_bucket":                   "cadence_source_up",
		"cadence_source_down":                        "",
		"cadence_source_up_total":                    "",
	} {
		got, ok := Family(name, fams)
		if got != want || ok != (want != "") {
			t.Errorf("Family(%q) = %q, %v; want %q", name, got, ok, want)
		}
	}
}

func TestReadRules(t *testing.T) {
	if _, err := ReadRules("testdata/unknown-key.yml"); err == nil || !strings.Contains(err.Error(), "anotations") {
		t.Errorf("unknown-key.yml: error %v, want one naming the unknown key", err)
	}
}

func TestGrafanaVars(t *testing.T) {
	s := `label_replace(x{manager="$manager", a="${datasource}", b="${manager:raw}"}, "lead", "$1", "manager", "(.+)")[$__rate_interval]`
	if got, want := GrafanaVars(s), []string{"__rate_interval", "datasource", "manager"}; !reflect.DeepEqual(got, want) {
		t.Errorf("GrafanaVars = %q, want %q", got, want)
	}
	out, err := SubstituteVars(s, map[string]string{"manager": "m@example.com", "datasource": "ds", "__rate_interval": "5m"})
	if err != nil {
		t.Fatal(err)
	}
	if want := `label_replace(x{manager="m@example.com", a="ds", b="m@example.com"}, "lead", "$1", "manager", "(.+)")[5m]`; out != want {
		t.Errorf("SubstituteVars = %s, want %s", out, want)
	}
	if _, err := SubstituteVars(`x{a="$team"}`, map[string]string{"manager": "m"}); err == nil || !strings.Contains(err.Error(), "team") {
		t.Errorf("undefined variable: error %v", err)
	}
}

func TestMarkdownAnchors(t *testing.T) {
	doc := "# cadence deployment\n## Alerts\n### CadenceSourceStale\n```sh\n# not a heading\n```\n## Wiring Prometheus: TLS & basic auth\n"
	got := MarkdownAnchors(doc)
	want := map[string]bool{"cadence-deployment": true, "alerts": true, "cadencesourcestale": true, "wiring-prometheus-tls--basic-auth": true}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("MarkdownAnchors = %v, want %v", got, want)
	}
}

func TestGoldens(t *testing.T) {
	files := []GoldenFile{
		{Path: "testdata/absent.prom"},
		{Path: "testdata/sample.prom", Prefixes: []string{"cadence_pair_", "cadence_evaluation_"}},
	}
	goldens, err := LoadGoldens(".", files)
	if err != nil {
		t.Fatal(err)
	}
	if len(goldens) != 1 || goldens[0].Path != "testdata/sample.prom" {
		t.Fatalf("LoadGoldens = %+v, want only testdata/sample.prom", goldens)
	}
	for _, tt := range []struct {
		name    string
		missing []string
		covered bool
	}{
		{"cadence_pair_status", nil, true},
		{"cadence_evaluation_duration_seconds_bucket", nil, true},
		{"cadence_pair_info", []string{"testdata/sample.prom"}, true},
		{"cadence_source_up", nil, false},
	} {
		missing, covered := MissingFrom(tt.name, goldens)
		if !reflect.DeepEqual(missing, tt.missing) || covered != tt.covered {
			t.Errorf("MissingFrom(%s) = %v, %v; want %v, %v", tt.name, missing, covered, tt.missing, tt.covered)
		}
	}
	if _, err := LoadGoldens(".", []GoldenFile{{Path: "testdata/broken.prom"}}); err == nil {
		t.Error("LoadGoldens(broken.prom): no error")
	}
}

func TestTemplateMetrics(t *testing.T) {
	text := `threshold {{ with printf "cadence_pair_max_consecutive_cancellations{kind=%q}" $labels.kind | query }}{{ . | first | value }}{{ end }}, see cadence_source_errors_total`
	got := TemplateMetrics(text)
	if want := []string{"cadence_pair_max_consecutive_cancellations", "cadence_source_errors_total"}; !reflect.DeepEqual(got, want) {
		t.Errorf("TemplateMetrics = %q, want %q", got, want)
	}
}

func TestIsPrometheusSeries(t *testing.T) {
	for name, want := range map[string]bool{
		"up": true, "ALERTS": true, "scrape_duration_seconds": true,
		"cadence_build_info": false, "upstream": false, "": false,
	} {
		if got := IsPrometheusSeries(name); got != want {
			t.Errorf("IsPrometheusSeries(%q) = %v, want %v", name, got, want)
		}
	}
}
