// Package deploycheck holds the checks shared by the tests of the deployment
// files under deploy/ (Prometheus rules, Grafana dashboard): PromQL parsing,
// the metric names a query uses, the list of metrics the deploy files rely
// on (deploy/metrics-used.txt) and the daemon's golden /metrics file.
//
// It is used only by tests; the daemon does not import it.
package deploycheck

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/promql/parser"
	"go.yaml.in/yaml/v3"
)

// GoldenFile is a golden /metrics file of the repository and the metric
// names it must hold.
type GoldenFile struct {
	Path string // relative to the repository root
	// Prefixes limits the names the file covers; nil covers every name.
	Prefixes []string
}

// GoldenFiles are the golden /metrics files the deploy files are checked
// against when present: the daemon's whole /metrics, and the snapshot
// collector's (report.NewCollector), which holds every pair and manager
// family.
var GoldenFiles = []GoldenFile{
	{Path: "cmd/cadence/testdata/metrics.golden.prom"},
	{Path: "report/testdata/metrics.golden.prom", Prefixes: []string{"cadence_pair_", "cadence_manager_"}},
}

// Covers reports whether the file must hold the metric name.
func (g GoldenFile) Covers(name string) bool {
	if g.Prefixes == nil {
		return true
	}
	for _, p := range g.Prefixes {
		if strings.HasPrefix(name, p) {
			return true
		}
	}
	return false
}

// Golden is a golden file that was found, with its metric names.
type Golden struct {
	GoldenFile
	Families map[string]bool // as GoldenFamilies returns
}

// LoadGoldens reads those of files present under root. A file that exists
// but does not parse is an error.
func LoadGoldens(root string, files []GoldenFile) ([]Golden, error) {
	var out []Golden
	for _, g := range files {
		path := filepath.Join(root, g.Path)
		if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
			continue
		}
		fams, err := GoldenFamilies(path)
		if err != nil {
			return nil, err
		}
		out = append(out, Golden{GoldenFile: g, Families: fams})
	}
	return out, nil
}

// MissingFrom returns the paths of the goldens that cover name but do not
// hold it, and whether any golden covers it at all.
func MissingFrom(name string, goldens []Golden) (missing []string, covered bool) {
	for _, g := range goldens {
		if !g.Covers(name) {
			continue
		}
		covered = true
		if !g.Families[name] {
			missing = append(missing, g.Path)
		}
	}
	return missing, covered
}

var promql = parser.NewParser(parser.Options{})

// ParseExpr parses a PromQL expression.
func ParseExpr(expr string) (parser.Expr, error) {
	e, err := promql.ParseExpr(expr)
	if err != nil {
		return nil, fmt.Errorf("deploycheck: PromQL %q: %w", expr, err)
	}
	return e, nil
}

// MetricNames parses expr and returns the metric names its selectors use
// (plain names and {__name__="..."} matchers), sorted and without duplicates.
func MetricNames(expr string) ([]string, error) {
	e, err := ParseExpr(expr)
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	var missing []string
	parser.Inspect(e, func(node parser.Node, _ []parser.Node) error {
		vs, ok := node.(*parser.VectorSelector)
		if !ok {
			return nil
		}
		name := vs.Name
		if name == "" {
			for _, m := range vs.LabelMatchers {
				if m.Name == model.MetricNameLabel && m.Type == labels.MatchEqual {
					name = m.Value
				}
			}
		}
		if name == "" {
			missing = append(missing, vs.String())
			return nil
		}
		seen[name] = true
		return nil
	})
	if len(missing) > 0 {
		return nil, fmt.Errorf("deploycheck: PromQL %q: selector %s names no single metric", expr, strings.Join(missing, ", "))
	}
	return sortedKeys(seen), nil
}

var templateMetric = regexp.MustCompile(`\bcadence_[a-z0-9_]+`)

// TemplateMetrics returns the cadence metric names an alert template
// mentions (in query calls), in order of appearance.
func TemplateMetrics(text string) []string {
	return templateMetric.FindAllString(text, -1)
}

// prometheusSeries are the series Prometheus makes itself for every target
// and alert, not the daemon: the deploy files may use them without listing
// them in metrics-used.txt, and no golden /metrics file holds them.
var prometheusSeries = map[string]bool{
	"up": true, "ALERTS": true, "ALERTS_FOR_STATE": true,
	"scrape_duration_seconds": true, "scrape_samples_scraped": true,
	"scrape_samples_post_metric_relabeling": true, "scrape_series_added": true,
}

// IsPrometheusSeries reports whether name is a series Prometheus itself
// records (up, scrape_*, ALERTS).
func IsPrometheusSeries(name string) bool { return prometheusSeries[name] }

// recordName is the level:metric:operations form of a recording rule name
// (level may be empty for an aggregate over everything).
var recordName = regexp.MustCompile(`^([a-z][a-z0-9_]*)?:[a-z][a-z0-9_]*:[a-z][a-z0-9_]*$`)

// IsRecordName reports whether name has the level:metric:operations form.
func IsRecordName(name string) bool { return recordName.MatchString(name) }

var metricName = regexp.MustCompile(`^[a-zA-Z_][a-zA-Z0-9_]*$`)

// ReadMetricsUsed reads a list of metric family names, one a line; blank
// lines and lines starting with # are skipped. Duplicates, invalid names and
// an unsorted list are errors (the file is kept sorted for review).
func ReadMetricsUsed(path string) (map[string]bool, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("deploycheck: %w", err)
	}
	used := map[string]bool{}
	var errs []error
	prev := ""
	sc := bufio.NewScanner(bytes.NewReader(data))
	for line := 1; sc.Scan(); line++ {
		name := strings.TrimSpace(sc.Text())
		if name == "" || strings.HasPrefix(name, "#") {
			continue
		}
		switch {
		case !metricName.MatchString(name):
			errs = append(errs, fmt.Errorf("deploycheck: %s:%d: %q is not a metric name", path, line, name))
		case used[name]:
			errs = append(errs, fmt.Errorf("deploycheck: %s:%d: %s listed twice", path, line, name))
		case name < prev:
			errs = append(errs, fmt.Errorf("deploycheck: %s:%d: %s is out of order (after %s); keep the list sorted", path, line, name, prev))
		}
		used[name] = true
		prev = name
	}
	if err := sc.Err(); err != nil {
		errs = append(errs, fmt.Errorf("deploycheck: %s: %w", path, err))
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return used, nil
}

// GoldenFamilies parses a Prometheus text exposition file and returns its
// metric family names, with the _bucket, _sum and _count series names of
// histograms and _sum and _count of summaries.
func GoldenFamilies(path string) (map[string]bool, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("deploycheck: %w", err)
	}
	defer f.Close()
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(f)
	if err != nil {
		return nil, fmt.Errorf("deploycheck: %s: %w", path, err)
	}
	names := map[string]bool{}
	for name, fam := range fams {
		names[name] = true
		switch fam.GetType().String() {
		case "HISTOGRAM", "GAUGE_HISTOGRAM":
			names[name+"_bucket"] = true
			names[name+"_sum"] = true
			names[name+"_count"] = true
		case "SUMMARY":
			names[name+"_sum"] = true
			names[name+"_count"] = true
		}
	}
	return names, nil
}

// Family returns the family a series name belongs to among families: the
// name itself, or the name without a _bucket, _sum or _count suffix. The
// second result is false when neither is in families.
func Family(name string, families map[string]bool) (string, bool) {
	if families[name] {
		return name, true
	}
	for _, suffix := range []string{"_bucket", "_sum", "_count"} {
		if base, ok := strings.CutSuffix(name, suffix); ok && families[base] {
			return base, true
		}
	}
	return "", false
}

// Rule is one rule of a Prometheus rule file.
type Rule struct {
	Record      string            `yaml:"record"`
	Alert       string            `yaml:"alert"`
	Expr        string            `yaml:"expr"`
	For         string            `yaml:"for"`
	Labels      map[string]string `yaml:"labels"`
	Annotations map[string]string `yaml:"annotations"`
}

// RuleGroup is one group of a Prometheus rule file.
type RuleGroup struct {
	Name     string `yaml:"name"`
	Interval string `yaml:"interval"`
	Rules    []Rule `yaml:"rules"`
}

// ReadRules reads a Prometheus rule file strictly (unknown keys are errors).
func ReadRules(path string) ([]RuleGroup, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("deploycheck: %w", err)
	}
	var doc struct {
		Groups []RuleGroup `yaml:"groups"`
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("deploycheck: %s: %w", path, err)
	}
	if len(doc.Groups) == 0 {
		return nil, fmt.Errorf("deploycheck: %s: no rule groups", path)
	}
	return doc.Groups, nil
}

// Records returns the names recorded by the recording rules of groups.
func Records(groups []RuleGroup) map[string]bool {
	rec := map[string]bool{}
	for _, g := range groups {
		for _, r := range g.Rules {
			if r.Record != "" {
				rec[r.Record] = true
			}
		}
	}
	return rec
}

// grafanaVar matches Grafana variable references: $name, ${name} and
// ${name:format}. "$1" (a label_replace group) is not a variable.
var grafanaVar = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_.]*)(?::[^}]*)?\}|\$([A-Za-z_][A-Za-z0-9_]*)`)

// GrafanaVars returns the variable names s refers to, sorted.
func GrafanaVars(s string) []string {
	seen := map[string]bool{}
	for _, m := range grafanaVar.FindAllStringSubmatch(s, -1) {
		if m[1] != "" {
			seen[m[1]] = true
		} else {
			seen[m[2]] = true
		}
	}
	return sortedKeys(seen)
}

// SubstituteVars replaces the Grafana variable references in s with values
// (by variable name). A reference without a value is an error.
func SubstituteVars(s string, values map[string]string) (string, error) {
	var missing []string
	out := grafanaVar.ReplaceAllStringFunc(s, func(ref string) string {
		m := grafanaVar.FindStringSubmatch(ref)
		name := m[1]
		if name == "" {
			name = m[2]
		}
		v, ok := values[name]
		if !ok {
			missing = append(missing, name)
			return ref
		}
		return v
	})
	if len(missing) > 0 {
		return "", fmt.Errorf("deploycheck: %q: no value for variable(s) %s", s, strings.Join(missing, ", "))
	}
	return out, nil
}

// MarkdownAnchors returns the GitHub anchors of the headings of a Markdown
// document: lower case, spaces to '-', punctuation other than '-' and '_'
// dropped.
func MarkdownAnchors(doc string) map[string]bool {
	anchors := map[string]bool{}
	inFence := false
	for _, line := range strings.Split(doc, "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "```") {
			inFence = !inFence
			continue
		}
		if inFence || !strings.HasPrefix(line, "#") {
			continue
		}
		title := strings.TrimSpace(strings.TrimLeft(line, "#"))
		var b strings.Builder
		for _, r := range strings.ToLower(title) {
			switch {
			case r == ' ':
				b.WriteRune('-')
			case r == '-' || r == '_' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
				b.WriteRune(r)
			}
		}
		anchors[b.String()] = true
	}
	return anchors
}

func sortedKeys(m map[string]bool) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
