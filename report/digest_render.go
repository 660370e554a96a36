package report

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"math"
	"strings"
	"time"

	"github.com/cadence-dev/cadence/cadence"
)

//go:embed templates/*.html
var templateFS embed.FS

var templates = template.Must(template.New("").Funcs(template.FuncMap{
	// css passes the fixed palette of this package (never calendar data)
	// into style attributes.
	"css":        func(s string) template.CSS { return template.CSS(s) },
	"statusBG":   func(s cadence.Status) string { return statusColor(s) },
	"statusText": StatusText,
	"pct":        tallyPercent,
	"delta":      tallyDelta,
	"when": func(v *ManagerView, t *time.Time, none string) string {
		return v.When(t, none)
	},
	"stamp": func(v *ManagerView) string { return v.AsOf.In(v.Location).Format("2006-01-02 15:04 MST") },
	"rows": func(v *ManagerView, rows []PairRow, withLead bool) pairTable {
		return pairTable{V: v, Rows: rows, WithLead: withLead}
	},
	"managerURL": func(v *ManagerView, email string) string { return ManagerURL(v.BaseURL, email) },
	"stripLabel": StripLabel,
	"trendChart": func(v *ManagerView) template.HTML {
		return TrendChart(v.Trend, TrendWeeks(v.AsOf, v.Location), v.ManagerOfManagers)
	},
	"trendSummary": func(v *ManagerView, org bool) string {
		return TrendSummary(v.Trend, TrendWeeks(v.AsOf, v.Location), org)
	},
	"more":       func(all, shown []PairRow) int { return len(all) - len(shown) },
	"ratioWidth": func(t cadence.Tally) int { return int(t.Ratio*100 + 0.5) },
	"barColor": func(t cadence.Tally) string {
		switch {
		case t.Pairs == 0:
			return "#b0bec5"
		case t.Ratio >= 0.9:
			return "#2e7d32"
		case t.Ratio >= 0.7:
			return "#f9a825"
		}
		return "#c62828"
	},
}).ParseFS(templateFS, "templates/*.html"))

type pairTable struct {
	V        *ManagerView
	Rows     []PairRow
	WithLead bool
}

// StatusText is a status in the views' words.
func StatusText(s cadence.Status) string {
	switch s {
	case cadence.StatusOK:
		return "on track"
	case cadence.StatusDue:
		return "due"
	case cadence.StatusOverdue:
		return "overdue"
	case cadence.StatusNever:
		return "never held"
	}
	return CleanText(string(s))
}

func statusColor(s cadence.Status) string {
	switch s {
	case cadence.StatusOK:
		return "#2e7d32"
	case cadence.StatusDue:
		return "#f9a825"
	case cadence.StatusOverdue:
		return "#c62828"
	case cadence.StatusNever:
		return "#6a1b9a"
	}
	return "#455a64"
}

// tallyPercent: "5 of 6 (83%)", or "no required pairs".
func tallyPercent(t cadence.Tally) string {
	if t.Pairs == 0 {
		return "no required pairs"
	}
	return fmt.Sprintf("%d of %d (%.0f%%)", t.Compliant, t.Pairs, 100*float64(t.Compliant)/float64(t.Pairs))
}

// tallyDelta: " (+17 pts since last week)", " (no change)", or "" without
// last week's figure.
func tallyDelta(cur cadence.Tally, prev *cadence.Tally) string {
	if prev == nil || cur.Pairs == 0 || prev.Pairs == 0 {
		return ""
	}
	d := 100*float64(cur.Compliant)/float64(cur.Pairs) - 100*float64(prev.Compliant)/float64(prev.Pairs)
	switch {
	case d >= 0.5:
		return fmt.Sprintf(" (+%.0f pts since last week)", d)
	case d <= -0.5:
		return fmt.Sprintf(" (−%.0f pts since last week)", -d)
	}
	return " (no change since last week)"
}

// Headline is the view's first sentence: how many required pairs of the
// manager's org need attention.
func (v *ManagerView) Headline() string {
	switch {
	case v.AttentionOf == 0:
		return "No required 1:1s to track in your org."
	case v.Attention == 0 && v.AttentionOf == 1:
		return "The one required 1:1 pair in your org is on track."
	case v.Attention == 0 && v.AttentionOf == 2:
		return "Both required 1:1 pairs in your org are on track."
	case v.Attention == 0:
		return fmt.Sprintf("All %d required 1:1 pairs in your org are on track.", v.AttentionOf)
	case v.Attention == 1:
		return fmt.Sprintf("1 of %d required 1:1 pairs in your org needs attention.", v.AttentionOf)
	}
	return fmt.Sprintf("%d of %d required 1:1 pairs in your org need attention.", v.Attention, v.AttentionOf)
}

// LastWeekText is last week's figure of the headline: "Last week: none
// needed attention.", or "" when unknown.
func (v *ManagerView) LastWeekText() string {
	switch {
	case v.PrevAttention == nil:
		return ""
	case *v.PrevAttention == 0:
		return "Last week: none needed attention."
	}
	return fmt.Sprintf("Last week: %d needed attention.", *v.PrevAttention)
}

// When formats a time of the view: "2026-11-20 (3 days ago)", "2026-11-24
// 10:00 (in 1 day)", or none when t is nil.
func (v *ManagerView) When(t *time.Time, none string) string {
	if t == nil {
		return none
	}
	loc := v.Location
	if loc == nil {
		loc = time.UTC
	}
	lt := t.In(loc)
	days := calendarDays(v.AsOf.In(loc), lt)
	if t.Before(v.AsOf) {
		s := lt.Format("Mon 2 Jan")
		switch {
		case days == 0:
			return s + " (today)"
		case days == -1:
			return s + " (yesterday)"
		}
		return fmt.Sprintf("%s (%d days ago)", s, -days)
	}
	s := lt.Format("Mon 2 Jan 15:04")
	switch days {
	case 0:
		return s + " (today)"
	case 1:
		return s + " (tomorrow)"
	}
	return fmt.Sprintf("%s (in %d days)", s, days)
}

// calendarDays counts the dates from a to b in their (shared) zone.
func calendarDays(a, b time.Time) int {
	ay, am, ad := a.Date()
	by, bm, bd := b.Date()
	return int(math.Round(time.Date(by, bm, bd, 0, 0, 0, 0, time.UTC).Sub(time.Date(ay, am, ad, 0, 0, 0, 0, time.UTC)).Hours() / 24))
}

// RenderDigestHTML renders the digest email's HTML part: inline styles,
// a table layout about 600px wide, no images and no scripts.
func RenderDigestHTML(v *ManagerView) ([]byte, error) {
	var buf bytes.Buffer
	if err := templates.ExecuteTemplate(&buf, "digest", v); err != nil {
		return nil, fmt.Errorf("report: digest for %s: %w", v.Manager.Email, err)
	}
	return buf.Bytes(), nil
}

// CleanText makes untrusted text safe for a plain-text view (a terminal or
// an email's text part): control characters, ANSI escapes, bidi overrides
// and invalid UTF-8 become visible escapes.
func CleanText(s string) string { return cleanText(s) }

// RenderDigestText renders the digest's plain-text part, with the same
// facts as the HTML part and a text cadence strip.
func RenderDigestText(v *ManagerView) []byte {
	var b strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	name := func(r PersonRef) string { return clip(cleanText(r.Display()), 60) }

	p("1:1 digest for %s - week %s, as of %s\n\n", name(v.Manager), v.Week, v.AsOf.In(v.Location).Format("2006-01-02 15:04 MST"))
	p("%s", v.Headline())
	if lw := v.LastWeekText(); lw != "" {
		p(" %s", lw)
	}
	p("\nYour direct reports: %s%s", tallyPercent(v.Direct), tallyDelta(v.Direct, v.PrevDirect))
	if v.ManagerOfManagers {
		p("; whole org: %s%s", tallyPercent(v.Org), tallyDelta(v.Org, v.PrevOrg))
	}
	p("\n")

	pairs := func(rows []PairRow, withLead bool) {
		for _, r := range rows {
			who := name(r.Member)
			if withLead {
				who = name(r.Lead) + " -> " + who
			}
			if r.NewHire {
				who += " (new)"
			}
			p("\n  %s\n", who)
			p("    %s   %s", StripText(r.Strip), StatusText(r.Status))
			if r.HasFlag(cadence.FlagCancelStreak) {
				p(", %d cancelled in a row", r.Streak)
			}
			p("\n    last held: %s; next: %s\n", v.When(r.LastHeld, "never"), v.When(r.NextScheduled, "none scheduled"))
		}
	}
	p("\nYOUR 1:1s WITH YOUR REPORTS (last %d weeks, oldest first)\n", StripWeeks)
	if len(v.Pairs) == 0 {
		p("\n  No direct reports.\n")
	}
	pairs(v.Pairs, false)
	if len(v.NewHires) > 0 {
		p("\nNEW HIRES WITHOUT A WEEKLY 1:1\n")
		for _, r := range v.NewHires {
			p("  - %s: last held %s\n", name(r.Member), v.When(r.LastHeld, "never"))
		}
	}
	if len(v.NoUpcoming) > 0 {
		p("\nNO UPCOMING 1:1 SCHEDULED\n")
		for _, r := range v.NoUpcoming {
			p("  - %s\n", name(r.Member))
		}
	}
	if v.ManagerOfManagers {
		p("\nMANAGERS REPORTING TO YOU\n")
		for _, t := range v.SubManagers {
			p("  - %s: their reports %s; their whole org %s%s\n", name(t.Manager), tallyPercent(t.Direct), tallyPercent(t.Org), tallyDelta(t.Org, t.PrevOrg))
		}
		p("\nSkip-level coverage: ")
		if v.SkipCoverage.Total == 0 {
			p("no skip-level reports.\n")
		} else {
			p("you met %d of %d skip-level reports in the look-back window", v.SkipCoverage.Met, v.SkipCoverage.Total)
			if v.PrevSkipCoverage != nil {
				p(" (last week: %d)", v.PrevSkipCoverage.Met)
			}
			p(".\n")
		}
		if len(v.WorstPairs) > 0 {
			p("\nPAIRS IN YOUR ORG THAT NEED ATTENTION (%d, worst first)\n", len(v.AttentionPairs))
			pairs(v.WorstPairs, true)
			if n := len(v.AttentionPairs) - len(v.WorstPairs); n > 0 {
				p("\n  ... and %d more", n)
				if v.URL != "" {
					p(" on the web page")
				}
				p(".\n")
			}
		}
	}
	p("\nStrip legend: %s.\n", StripLegend)
	if v.URL != "" {
		p("Web page: %s\n", cleanText(v.URL))
	}
	if v.UnsubscribeURL != "" {
		p("Unsubscribe: %s\n", cleanText(v.UnsubscribeURL))
	}
	return []byte(b.String())
}
