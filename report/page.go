package report

import (
	"bytes"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/cadence-dev/cadence/cadence"
)

// PageOptions configure the org-health web page.
type PageOptions struct {
	// View shapes the per-manager view (zone, new-hire tenure, ...).
	// View.BaseURL is ignored: the page links within itself.
	View ViewOptions
	// Prefix is the path the handler is mounted under ("" for the root;
	// "/health" when mounted with http.StripPrefix("/health", h)). It is
	// used only to build links.
	Prefix string
	// Previous returns the evaluation a week before cur (cadence.Evaluate
	// at T-7d on the same occurrences), for the changes since last week;
	// nil shows no changes.
	Previous func(cur *cadence.Snapshot) *cadence.Snapshot
	// Links are shown in the page header (the daemon's /metrics,
	// /api/v1/report, ...), in order.
	Links []PageLink
	// Trend returns a manager's stored weekly compliance (any order; the
	// page draws the last StripWeeks weeks); nil draws no trend.
	Trend func(manager string) []TrendPoint
}

// maxIndexRows bounds the pairs needing attention listed on the index
// (every manager's page lists all of theirs).
const maxIndexRows = 300

// PageLink is one header link.
type PageLink struct{ Name, Href string }

// NewPageHandler serves the org-health page from the current snapshot:
//
//	GET /                  the org tree with each manager's direct and org
//	                       compliance, and each source's health
//	GET /manager/{email}   one manager's view, the same as their digest
//
// Pages are server-rendered HTML (no scripts), readable on a phone. Every
// calendar- or directory-derived text is escaped. Before the first
// evaluation (snap returns nil) it answers 503.
func NewPageHandler(snap func() *cadence.Snapshot, opts PageOptions) http.Handler {
	opts.View = opts.View.withDefaults()
	opts.Prefix = strings.TrimRight(opts.Prefix, "/")
	h := &pageHandler{snap: snap, opts: opts}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", h.index)
	mux.HandleFunc("GET /manager/{email}", h.manager)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		h.message(w, http.StatusNotFound, "Page not found", nil)
	})
	return mux
}

type pageHandler struct {
	snap func() *cadence.Snapshot
	opts PageOptions
}

type pageHead struct {
	Title string
	Home  string
	AsOf  string
	Links []PageLink
}

type treeNode struct {
	Person      PersonRef
	URL         string
	Direct, Org cadence.Tally
	Attention   int // required pairs of the subtree needing attention
	Spark       template.HTML
	Children    []treeNode
}

type trendSection struct {
	Name        string
	Chart       template.HTML
	Org, Direct string
}

type sourceList struct {
	Problems, OK []sourceRow
	Total        int
}

type sourceRow struct {
	Name        string
	OK          bool
	LastSuccess string
	Error       string
	Warning     string
}

func (h *pageHandler) head(s *cadence.Snapshot, title string) pageHead {
	ph := pageHead{Title: title, Home: h.opts.Prefix + "/", AsOf: "-", Links: h.opts.Links}
	if s != nil {
		ph.AsOf = s.AsOf.In(h.opts.View.Location).Format("2006-01-02 15:04 MST")
	}
	return ph
}

func (h *pageHandler) managerURL(email string) string {
	return h.opts.Prefix + "/manager/" + url.PathEscape(email)
}

func (h *pageHandler) render(w http.ResponseWriter, code int, name string, data any) {
	var buf bytes.Buffer
	if err := templates.ExecuteTemplate(&buf, name, data); err != nil {
		http.Error(w, "internal error rendering the page", http.StatusInternalServerError)
		return
	}
	hd := w.Header()
	hd.Set("Content-Type", "text/html; charset=utf-8")
	hd.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Referrer-Policy", "no-referrer")
	hd.Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	_, _ = w.Write(buf.Bytes())
}

func (h *pageHandler) message(w http.ResponseWriter, code int, msg string, s *cadence.Snapshot) {
	h.render(w, code, "pagemessage", struct {
		pageHead
		Message string
	}{h.head(s, "cadence: "+msg), msg})
}

func (h *pageHandler) previous(cur *cadence.Snapshot) *cadence.Snapshot {
	if h.opts.Previous != nil {
		return h.opts.Previous(cur)
	}
	return nil
}

func (h *pageHandler) index(w http.ResponseWriter, r *http.Request) {
	s := h.snap()
	if s == nil {
		h.message(w, http.StatusServiceUnavailable, "No evaluation yet: cadence is reading the calendars", nil)
		return
	}
	data := struct {
		pageHead
		Required, Compliant, Attention int
		Percent                        string
		Rows                           pairTable
		More                           int
		Trends                         []trendSection
		Tree                           []treeNode
		Sources                        sourceList
	}{pageHead: h.head(s, "cadence: org health")}
	for i := range s.Pairs {
		p := &s.Pairs[i]
		if !p.Required {
			continue
		}
		data.Required++
		if p.Status == cadence.StatusOK || p.Status == cadence.StatusDue {
			data.Compliant++
		}
		if needsAttention(p) {
			data.Attention++
		}
	}
	if data.Required > 0 {
		data.Percent = tallyPercent(cadence.Tally{Pairs: data.Required, Compliant: data.Compliant})
	}
	vo := h.opts.View
	vo.BaseURL = h.opts.Prefix + "/"
	rows := AttentionRows(s, vo)
	if len(rows) > maxIndexRows {
		data.More = len(rows) - maxIndexRows
		rows = rows[:maxIndexRows]
	}
	data.Rows = pairTable{V: &ManagerView{AsOf: s.AsOf, Location: vo.Location, OnPage: true, BaseURL: vo.BaseURL}, Rows: rows, WithLead: true}
	data.Tree = h.tree(s)
	if h.opts.Trend != nil {
		weeks := TrendWeeks(s.AsOf, vo.Location)
		for _, n := range data.Tree {
			pts := h.opts.Trend(n.Person.Email)
			if len(pts) == 0 {
				continue
			}
			data.Trends = append(data.Trends, trendSection{Name: n.Person.Display(), Chart: TrendChart(pts, weeks, true),
				Org: TrendSummary(pts, weeks, true), Direct: TrendSummary(pts, weeks, false)})
		}
	}
	for _, src := range s.Sources {
		row := sourceRow{Name: displayText(src.Name), OK: src.OK, LastSuccess: "never"}
		if src.LastSuccess != nil {
			row.LastSuccess = src.LastSuccess.In(h.opts.View.Location).Format("2006-01-02 15:04 MST")
		}
		if !src.OK {
			row.Error = clip(cleanText(src.Error), maxErrorLen)
		}
		if src.Warning != "" {
			row.Warning = clip(cleanText(src.Warning), maxErrorLen)
		}
		data.Sources.Total++
		if row.OK && row.Warning == "" {
			data.Sources.OK = append(data.Sources.OK, row)
		} else {
			data.Sources.Problems = append(data.Sources.Problems, row)
		}
	}
	// Failing sources first, then the ones with a warning.
	slices.SortStableFunc(data.Sources.Problems, func(a, b sourceRow) int {
		if a.OK != b.OK {
			if !a.OK {
				return -1
			}
			return 1
		}
		return 0
	})
	h.render(w, http.StatusOK, "index", data)
}

// tree is the org chart's managers from the roots down, reports in email
// order.
func (h *pageHandler) tree(s *cadence.Snapshot) []treeNode {
	dir := s.Directory
	if dir == nil {
		return nil
	}
	attention := map[string]int{} // by lead
	for i := range s.Pairs {
		if needsAttention(&s.Pairs[i]) {
			attention[s.Pairs[i].Lead]++
		}
	}
	var weeks []string
	if h.opts.Trend != nil {
		weeks = TrendWeeks(s.AsOf, h.opts.View.Location)
	}
	var build func(email string, depth int) treeNode
	build = func(email string, depth int) treeNode {
		n := treeNode{Person: ref(dir, email), URL: h.managerURL(email)}
		if t := managerTally(s, email); t != nil {
			n.Direct, n.Org = t.Direct, t.Org
		}
		for _, e := range dir.Subtree(email) {
			n.Attention += attention[e]
		}
		if h.opts.Trend != nil {
			n.Spark = Sparkline(h.opts.Trend(email), weeks)
		}
		if depth > 100 {
			return n
		}
		for _, r := range dir.Reports(email) {
			if len(dir.Reports(r)) > 0 {
				n.Children = append(n.Children, build(r, depth+1))
			}
		}
		return n
	}
	var roots []treeNode
	for _, m := range dir.Managers() {
		if p, ok := dir.Person(m); ok && p.Manager == "" {
			roots = append(roots, build(m, 0))
		}
	}
	return roots
}

func (h *pageHandler) manager(w http.ResponseWriter, r *http.Request) {
	s := h.snap()
	if s == nil {
		h.message(w, http.StatusServiceUnavailable, "No evaluation yet: cadence is reading the calendars", nil)
		return
	}
	email := r.PathValue("email")
	if s.Directory == nil {
		h.message(w, http.StatusNotFound, "No directory in this evaluation", s)
		return
	}
	if _, ok := s.Directory.Resolve(email); !ok {
		h.message(w, http.StatusNotFound, "Nobody with that address in the directory", s)
		return
	}
	vo := h.opts.View
	vo.BaseURL = h.opts.Prefix + "/"
	v, err := BuildManagerView(s, h.previous(s), email, vo)
	if err != nil {
		h.message(w, http.StatusNotFound, "Nobody with that address in the directory", s)
		return
	}
	v.OnPage = true
	if h.opts.Trend != nil {
		v.Trend = h.opts.Trend(v.Manager.Email)
	}
	h.render(w, http.StatusOK, "managerpage", struct {
		pageHead
		View *ManagerView
	}{h.head(s, "cadence: "+v.Manager.Display()), v})
}
