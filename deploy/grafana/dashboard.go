// Package grafana holds the Grafana dashboard for cadence
// (cadence-dashboard.json) and its provisioning examples, and reads the
// dashboard's queries for the tests: the structure and PromQL checks here,
// and the end-to-end test that runs every query against a real Prometheus
// scraping cadence (cmd/cadence/internal/e2e).
package grafana

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/cadence-dev/cadence/deploy/internal/deploycheck"
)

// JSON is cadence-dashboard.json.
//
//go:embed cadence-dashboard.json
var JSON []byte

// DatasourceRef names a data source.
type DatasourceRef struct {
	Type string `json:"type"`
	UID  string `json:"uid"`
}

// Target is one query of a panel.
type Target struct {
	Datasource *DatasourceRef `json:"datasource"`
	Expr       string         `json:"expr"`
	RefID      string         `json:"refId"`
	Instant    bool           `json:"instant"`
	Range      bool           `json:"range"`
}

// Panel is a panel or a row (a collapsed row holds its panels).
type Panel struct {
	ID         int            `json:"id"`
	Type       string         `json:"type"`
	Title      string         `json:"title"`
	Datasource *DatasourceRef `json:"datasource"`
	GridPos    struct {
		X, Y, W, H int
	} `json:"gridPos"`
	Targets []Target `json:"targets"`
	Panels  []Panel  `json:"panels"`
}

// Variable is a template variable.
type Variable struct {
	Name       string          `json:"name"`
	Type       string          `json:"type"`
	Query      json.RawMessage `json:"query"`
	Definition string          `json:"definition"`
	Datasource *DatasourceRef  `json:"datasource"`
	Regex      string          `json:"regex"`
	Sort       int             `json:"sort"`
	Multi      bool            `json:"multi"`
	IncludeAll bool            `json:"includeAll"`
}

// Dashboard is the part of the dashboard model the tests read.
type Dashboard struct {
	UID           string  `json:"uid"`
	Title         string  `json:"title"`
	SchemaVersion int     `json:"schemaVersion"`
	ID            *int    `json:"id"`
	Panels        []Panel `json:"panels"`
	Templating    struct {
		List []Variable `json:"list"`
	} `json:"templating"`
}

// Parse reads a dashboard.
func Parse(data []byte) (*Dashboard, error) {
	if !json.Valid(data) {
		return nil, fmt.Errorf("grafana: dashboard: not valid JSON")
	}
	var d Dashboard
	if err := json.Unmarshal(data, &d); err != nil {
		return nil, fmt.Errorf("grafana: dashboard: %w", err)
	}
	return &d, nil
}

// AllPanels flattens rows (open rows list their panels after them,
// collapsed rows inside them).
func (d *Dashboard) AllPanels() []Panel { return flatten(d.Panels) }

func flatten(ps []Panel) []Panel {
	var out []Panel
	for _, p := range ps {
		out = append(out, p)
		out = append(out, flatten(p.Panels)...)
	}
	return out
}

// Variable returns the template variable name.
func (d *Dashboard) Variable(name string) (Variable, bool) {
	for _, v := range d.Templating.List {
		if v.Name == name {
			return v, true
		}
	}
	return Variable{}, false
}

// QueryString is a query variable's query, stored as a string (older
// Grafana) or as {"query": "..."} (Grafana 10+).
func (v Variable) QueryString() (string, error) {
	var s string
	if err := json.Unmarshal(v.Query, &s); err == nil {
		return s, nil
	}
	var obj struct {
		Query string `json:"query"`
	}
	if err := json.Unmarshal(v.Query, &obj); err != nil {
		return "", fmt.Errorf("grafana: variable %s: query %s: %w", v.Name, v.Query, err)
	}
	return obj.Query, nil
}

// VariableQuery is a query variable's query split into Grafana's function
// (label_values or query_result) and its PromQL: the series selector of
// label_values(selector, label) with the label, or the expression of
// query_result(expr).
type VariableQuery struct {
	Func  string // "label_values" or "query_result"
	Expr  string // PromQL
	Label string // label_values only
}

// ParseQuery splits v's query.
func (v Variable) ParseQuery() (VariableQuery, error) {
	q, err := v.QueryString()
	if err != nil {
		return VariableQuery{}, err
	}
	q = strings.TrimSpace(q)
	if inner, ok := strings.CutPrefix(q, "query_result("); ok && strings.HasSuffix(inner, ")") {
		return VariableQuery{Func: "query_result", Expr: strings.TrimSpace(strings.TrimSuffix(inner, ")"))}, nil
	}
	sel, ok := strings.CutPrefix(q, "label_values(")
	i := strings.LastIndex(sel, ",")
	if !ok || i < 0 || !strings.HasSuffix(sel, ")") {
		return VariableQuery{}, fmt.Errorf("grafana: variable %s: query %q is neither label_values(selector, label) nor query_result(expr)", v.Name, q)
	}
	return VariableQuery{Func: "label_values", Expr: strings.TrimSpace(sel[:i]), Label: strings.TrimSpace(strings.TrimSuffix(sel[i+1:], ")"))}, nil
}

// Substitute replaces the Grafana variable references of expr ($name,
// ${name}, ${name:format}) with values; a reference without a value is an
// error.
func Substitute(expr string, values map[string]string) (string, error) {
	return deploycheck.SubstituteVars(expr, values)
}

// RegexFilter compiles v's regex (Grafana's "/pattern/flags", a JavaScript
// regular expression; the named groups "value" and "text" pick what the
// variable selects and shows). Nil when v has none.
func (v Variable) RegexFilter() (*regexp.Regexp, error) {
	if v.Regex == "" {
		return nil, nil
	}
	body, ok := strings.CutPrefix(v.Regex, "/")
	i := strings.LastIndex(body, "/")
	if !ok || i < 0 {
		return nil, fmt.Errorf("grafana: variable %s: regex %q is not /pattern/flags", v.Name, v.Regex)
	}
	if flags := body[i+1:]; flags != "" {
		return nil, fmt.Errorf("grafana: variable %s: regex %q: flags %q not supported here", v.Name, v.Regex, flags)
	}
	re, err := regexp.Compile(body[:i])
	if err != nil {
		return nil, fmt.Errorf("grafana: variable %s: regex %q: %w", v.Name, v.Regex, err)
	}
	return re, nil
}

// QueryResultLine is how Grafana turns one sample of a query_result()
// variable query into the text its regex runs on:
// name{label="value",...} value timestamp-in-ms, labels in the order
// Prometheus's JSON gives them (sorted), the name left out when none.
func QueryResultLine(labels map[string]string, value string, unixMillis int64) string {
	var b strings.Builder
	b.WriteString(labels["__name__"])
	b.WriteByte('{')
	keys := make([]string, 0, len(labels))
	for k := range labels {
		if k != "__name__" {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	for i, k := range keys {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, "%s=%q", k, labels[k])
	}
	fmt.Fprintf(&b, "} %s %d", value, unixMillis)
	return b.String()
}
