// Package prometheus holds the Prometheus recording and alerting rules for
// cadence (rules.yml, alerts.yml) and their tests. promtool runs the rule
// unit tests (tests/*.yml, via deploy/check.sh); this Go test checks what
// promtool does not: naming, annotations, runbook links and that every
// metric the rules use is one the daemon exports.
package prometheus

import (
	"fmt"
	"net/url"
	"os"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/common/model"

	"github.com/cadence-dev/cadence/deploy/internal/deploycheck"
)

const (
	rulesFile   = "rules.yml"
	alertsFile  = "alerts.yml"
	readmeFile  = "../README.md"
	usedFile    = "../metrics-used.txt"
	repoRoot    = "../.."
	runbookBase = "https://github.com/cadence-dev/cadence/blob/main/deploy/README.md"
)

// wantAlerts are the alerts the issues ask for, plus CadenceSourceDown.
var wantAlerts = []string{
	"CadenceAbsent",
	"CadenceConfigReloadFailed",
	"CadenceDown",
	"CadenceEvaluationStale",
	"CadenceOneOnOneCancelledRepeatedly",
	"CadenceRequiredOneOnOneOverdue",
	"CadenceSourceDown",
	"CadenceSourceStale",
}

func readRules(t *testing.T, path string) []deploycheck.RuleGroup {
	t.Helper()
	groups, err := deploycheck.ReadRules(path)
	if err != nil {
		t.Fatal(err)
	}
	return groups
}

// usedNames returns the metric names the rules of groups use, in their
// expressions and in their annotation templates, by where they are used.
func usedNames(t *testing.T, path string, groups []deploycheck.RuleGroup) map[string][]string {
	t.Helper()
	used := map[string][]string{}
	for _, g := range groups {
		for _, r := range g.Rules {
			where := fmt.Sprintf("%s: group %s, rule %s%s", path, g.Name, r.Record, r.Alert)
			names, err := deploycheck.MetricNames(r.Expr)
			if err != nil {
				t.Errorf("%s: %v", where, err)
				continue
			}
			for _, n := range names {
				used[n] = append(used[n], where)
			}
			for key, text := range r.Annotations {
				for _, n := range deploycheck.TemplateMetrics(text) {
					used[n] = append(used[n], where+" annotation "+key)
				}
			}
		}
	}
	return used
}

func TestRulesParseAndAreNamed(t *testing.T) {
	groups := readRules(t, rulesFile)
	seen := map[string]bool{}
	for _, g := range groups {
		if g.Name == "" {
			t.Errorf("%s: a group has no name", rulesFile)
		}
		for _, r := range g.Rules {
			if r.Alert != "" {
				t.Errorf("%s: group %s: alert %s belongs in %s", rulesFile, g.Name, r.Alert, alertsFile)
				continue
			}
			if !deploycheck.IsRecordName(r.Record) {
				t.Errorf("%s: group %s: record %q is not level:metric:operations", rulesFile, g.Name, r.Record)
			}
			if seen[r.Record] {
				t.Errorf("%s: record %s defined twice", rulesFile, r.Record)
			}
			seen[r.Record] = true
			// The metric part names the cadence metric it derives from.
			if parts := strings.Split(r.Record, ":"); len(parts) == 3 && !strings.HasPrefix(parts[1], "cadence_") {
				t.Errorf("%s: record %s: metric part %q does not start with cadence_", rulesFile, r.Record, parts[1])
			}
			if _, err := deploycheck.ParseExpr(r.Expr); err != nil {
				t.Errorf("%s: record %s: %v", rulesFile, r.Record, err)
			}
		}
	}
}

func TestAlerts(t *testing.T) {
	groups := readRules(t, alertsFile)
	readme, err := os.ReadFile(readmeFile)
	if err != nil {
		t.Fatal(err)
	}
	anchors := deploycheck.MarkdownAnchors(string(readme))
	var names []string
	for _, g := range groups {
		for _, r := range g.Rules {
			if r.Record != "" {
				t.Errorf("%s: group %s: record %s belongs in %s", alertsFile, g.Name, r.Record, rulesFile)
				continue
			}
			where := fmt.Sprintf("%s: alert %s", alertsFile, r.Alert)
			names = append(names, r.Alert)
			if !strings.HasPrefix(r.Alert, "Cadence") {
				t.Errorf("%s: name does not start with Cadence", where)
			}
			if _, err := deploycheck.ParseExpr(r.Expr); err != nil {
				t.Errorf("%s: %v", where, err)
			}
			if d, err := model.ParseDuration(r.For); err != nil || time.Duration(d) <= 0 {
				t.Errorf("%s: for %q: want a positive duration (%v)", where, r.For, err)
			}
			switch r.Labels["severity"] {
			case "critical", "warning", "info":
			default:
				t.Errorf("%s: severity %q: want critical, warning or info", where, r.Labels["severity"])
			}
			for _, key := range []string{"summary", "description", "runbook_url"} {
				if strings.TrimSpace(r.Annotations[key]) == "" {
					t.Errorf("%s: annotation %s missing", where, key)
				}
			}
			for key, text := range r.Annotations {
				if key != "summary" && key != "description" && key != "runbook_url" {
					t.Errorf("%s: unexpected annotation %s", where, key)
				}
				if strings.Contains(text, "\n") {
					t.Errorf("%s: annotation %s spans several lines (use >- folding)", where, key)
				}
			}
			// The summary names what the alert is about (an absent() alert
			// has no labels to name).
			if sum := r.Annotations["summary"]; !strings.Contains(sum, "{{ $labels.") && !strings.HasPrefix(strings.TrimSpace(r.Expr), "absent(") {
				t.Errorf("%s: summary %q uses no label", where, sum)
			}
			u, err := url.Parse(r.Annotations["runbook_url"])
			if err != nil {
				t.Errorf("%s: runbook_url: %v", where, err)
				continue
			}
			if base := u.Scheme + "://" + u.Host + u.Path; base != runbookBase {
				t.Errorf("%s: runbook_url %s: want %s#<anchor>", where, u, runbookBase)
			}
			if want := strings.ToLower(r.Alert); u.Fragment != want {
				t.Errorf("%s: runbook_url anchor %q, want %q", where, u.Fragment, want)
			}
			if !anchors[u.Fragment] {
				t.Errorf("%s: runbook_url anchor #%s has no heading in deploy/README.md", where, u.Fragment)
			}
		}
	}
	sort.Strings(names)
	if strings.Join(names, ",") != strings.Join(wantAlerts, ",") {
		t.Errorf("%s: alerts %v, want %v", alertsFile, names, wantAlerts)
	}
}

// TestMetricsExist checks that every metric the rules use is listed in
// deploy/metrics-used.txt, or recorded by rules.yml (level:metric:op names).
func TestMetricsExist(t *testing.T) {
	listed, err := deploycheck.ReadMetricsUsed(usedFile)
	if err != nil {
		t.Fatal(err)
	}
	ruleGroups := readRules(t, rulesFile)
	records := deploycheck.Records(ruleGroups)
	used := usedNames(t, rulesFile, ruleGroups)
	for n, where := range usedNames(t, alertsFile, readRules(t, alertsFile)) {
		used[n] = append(used[n], where...)
	}
	for name, where := range used {
		if deploycheck.IsPrometheusSeries(name) {
			continue
		}
		if deploycheck.IsRecordName(name) {
			if !records[name] {
				t.Errorf("%s: recorded metric %s is not defined in %s", where[0], name, rulesFile)
			}
			continue
		}
		if _, ok := deploycheck.Family(name, listed); !ok {
			t.Errorf("%s: metric %s is not listed in deploy/metrics-used.txt", where[0], name)
		}
	}

}

// TestMetricsInGolden checks every metric the rules use against the golden
// /metrics files present (deploycheck.GoldenFiles); it is skipped until one
// exists.
func TestMetricsInGolden(t *testing.T) {
	goldens, err := deploycheck.LoadGoldens(repoRoot, deploycheck.GoldenFiles)
	if err != nil {
		t.Fatal(err)
	}
	if len(goldens) == 0 {
		t.Skip("no golden /metrics file yet: cannot cross-check against the daemon's metrics")
	}
	used := usedNames(t, rulesFile, readRules(t, rulesFile))
	for n, where := range usedNames(t, alertsFile, readRules(t, alertsFile)) {
		used[n] = append(used[n], where...)
	}
	for _, name := range sortedNames(used) {
		if deploycheck.IsRecordName(name) || deploycheck.IsPrometheusSeries(name) {
			continue
		}
		missing, covered := deploycheck.MissingFrom(name, goldens)
		if !covered {
			t.Logf("%s: no golden /metrics file present covers %s yet", used[name][0], name)
		}
		for _, path := range missing {
			t.Errorf("%s: metric %s is not in the golden /metrics file %s", used[name][0], name, path)
		}
	}
}

func sortedNames(m map[string][]string) []string {
	names := make([]string, 0, len(m))
	for n := range m {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}
