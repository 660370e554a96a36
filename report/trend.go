package report

import (
	"fmt"
	"html/template"
	"strings"
	"time"

	"github.com/cadence-dev/cadence/cadence"
)

// TrendPoint is one manager's compliance in one ISO week, as the daemon
// stored it (once per week and manager).
type TrendPoint struct {
	Week        string // "2026-W48"
	Direct, Org cadence.Tally
	// Reconstructed: evaluated afterwards from the calendars (a week
	// before the daemon ran, or while it was down), not recorded live.
	Reconstructed bool
}

// TrendWeeks are the StripWeeks ISO week names ending with the week (in
// loc) that holds asOf, oldest first.
func TrendWeeks(asOf time.Time, loc *time.Location) []string {
	if loc == nil {
		loc = time.UTC
	}
	cur := WeekStart(asOf, loc)
	out := make([]string, StripWeeks)
	for i := range out {
		y, m, d := cur.Date()
		out[i] = ISOWeek(time.Date(y, m, d-7*(StripWeeks-1-i), 12, 0, 0, 0, loc), loc)
	}
	return out
}

// trendSlots places points on weeks: one slot per week, nil when the week
// has no point.
func trendSlots(points []TrendPoint, weeks []string) []*TrendPoint {
	by := make(map[string]*TrendPoint, len(points))
	for i := range points {
		by[points[i].Week] = &points[i]
	}
	out := make([]*TrendPoint, len(weeks))
	for i, w := range weeks {
		out[i] = by[w]
	}
	return out
}

func ratioOf(t cadence.Tally) (float64, bool) {
	if t.Pairs == 0 {
		return 0, false
	}
	return float64(t.Compliant) / float64(t.Pairs), true
}

func pctText(t cadence.Tally) string {
	r, ok := ratioOf(t)
	if !ok {
		return "no required pairs"
	}
	return fmt.Sprintf("%.0f%%", 100*r)
}

// TrendSummary says the trend in words: "org 78% (2026-W37) → 81%
// (2026-W48)"; "" without two weeks of data.
func TrendSummary(points []TrendPoint, weeks []string, org bool) string {
	var first, last *TrendPoint
	for _, p := range trendSlots(points, weeks) {
		if p == nil {
			continue
		}
		t := p.Direct
		if org {
			t = p.Org
		}
		if _, ok := ratioOf(t); !ok {
			continue
		}
		if first == nil {
			first = p
		}
		last = p
	}
	if first == nil {
		return ""
	}
	pick := func(p *TrendPoint) cadence.Tally {
		if org {
			return p.Org
		}
		return p.Direct
	}
	if first == last {
		return fmt.Sprintf("%s (%s)", pctText(pick(first)), first.Week)
	}
	return fmt.Sprintf("%s (%s) → %s (%s)", pctText(pick(first)), first.Week, pctText(pick(last)), last.Week)
}

// svgPath draws the ratios of one series as a path, broken where a week
// has no figure; dots are the points.
func svgPath(slots []*TrendPoint, pick func(*TrendPoint) cadence.Tally, x func(int) float64, y func(float64) float64) (path string, dots []svgDot) {
	var b strings.Builder
	pen := false
	for i, p := range slots {
		if p == nil {
			pen = false
			continue
		}
		r, ok := ratioOf(pick(p))
		if !ok {
			pen = false
			continue
		}
		cmd := "L"
		if !pen {
			cmd = "M"
		}
		fmt.Fprintf(&b, "%s%.1f %.1f ", cmd, x(i), y(r))
		pen = true
		dots = append(dots, svgDot{X: x(i), Y: y(r), Hollow: p.Reconstructed, Label: fmt.Sprintf("%s: %s", p.Week, tallyPercent(pick(p)))})
	}
	return strings.TrimSpace(b.String()), dots
}

type svgDot struct {
	X, Y   float64
	Hollow bool
	Label  string
}

// TrendChart draws a manager's 12-week compliance, org (solid) and direct
// (dashed), as inline SVG: no script, no external resource. Weeks without
// a figure leave a gap; reconstructed weeks have hollow dots. Every text
// in it is cadence's own (week names and figures), escaped all the same.
func TrendChart(points []TrendPoint, weeks []string, withOrg bool) template.HTML {
	const (
		w, h          = 320.0, 116.0
		left, right   = 34.0, 310.0
		top, bottom   = 10.0, 92.0
		orgColor      = "#1565c0"
		directColor   = "#ef6c00"
		gridColor     = "#dde3e8"
		labelColor    = "#607d8b"
		labelFontSize = 10
	)
	slots := trendSlots(points, weeks)
	x := func(i int) float64 {
		if len(weeks) < 2 {
			return left
		}
		return left + float64(i)*(right-left)/float64(len(weeks)-1)
	}
	y := func(r float64) float64 { return bottom - r*(bottom-top) }
	esc := template.HTMLEscapeString
	var b strings.Builder
	desc := []string{}
	for _, p := range slots {
		if p == nil {
			continue
		}
		d := p.Week + ": direct " + pctText(p.Direct)
		if withOrg {
			d += ", org " + pctText(p.Org)
		}
		if p.Reconstructed {
			d += " (reconstructed)"
		}
		desc = append(desc, d)
	}
	if len(desc) == 0 {
		desc = append(desc, "no week recorded yet")
	}
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %.0f %.0f" width="100%%" role="img" aria-labelledby="trend-title trend-desc" style="display:block;max-width:480px;height:auto;" font-family="Arial,Helvetica,sans-serif">`, w, h)
	fmt.Fprintf(&b, `<title id="trend-title">Compliance, last %d weeks</title><desc id="trend-desc">%s</desc>`, len(weeks), esc(strings.Join(desc, "; ")))
	for _, g := range []float64{0, 0.5, 1} {
		fmt.Fprintf(&b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="%s" stroke-width="1"/>`, left, y(g), right, y(g), gridColor)
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" font-size="%d" fill="%s" text-anchor="end">%.0f%%</text>`, left-4, y(g)+3, labelFontSize, labelColor, 100*g)
	}
	for _, i := range []int{0, len(weeks) / 2, len(weeks) - 1} {
		if i < 0 || i >= len(weeks) {
			continue
		}
		anchor := "middle"
		switch i {
		case 0:
			anchor = "start"
		case len(weeks) - 1:
			anchor = "end"
		}
		wk := weeks[i]
		if j := strings.Index(wk, "-"); j >= 0 {
			wk = wk[j+1:]
		}
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" font-size="%d" fill="%s" text-anchor="%s">%s</text>`, x(i), bottom+14, labelFontSize, labelColor, anchor, esc(wk))
	}
	series := []struct {
		pick  func(*TrendPoint) cadence.Tally
		color string
		dash  string
		r     float64
	}{{func(p *TrendPoint) cadence.Tally { return p.Direct }, directColor, ` stroke-dasharray="4 3"`, 2.5}}
	if withOrg {
		series = append(series, struct {
			pick  func(*TrendPoint) cadence.Tally
			color string
			dash  string
			r     float64
		}{func(p *TrendPoint) cadence.Tally { return p.Org }, orgColor, "", 3})
	}
	for _, s := range series {
		path, dots := svgPath(slots, s.pick, x, y)
		if path != "" {
			fmt.Fprintf(&b, `<path d="%s" fill="none" stroke="%s" stroke-width="2"%s/>`, path, s.color, s.dash)
		}
		for _, d := range dots {
			fill := s.color
			if d.Hollow {
				fill = "#ffffff"
			}
			fmt.Fprintf(&b, `<circle cx="%.1f" cy="%.1f" r="%.1f" fill="%s" stroke="%s" stroke-width="1.5"><title>%s</title></circle>`, d.X, d.Y, s.r, fill, s.color, esc(d.Label))
		}
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// Sparkline draws the org compliance of the last weeks as a small inline
// SVG for the org tree; "" without any figure.
func Sparkline(points []TrendPoint, weeks []string) template.HTML {
	const w, h = 60.0, 18.0
	slots := trendSlots(points, weeks)
	x := func(i int) float64 {
		if len(weeks) < 2 {
			return 1
		}
		return 2 + float64(i)*(w-4)/float64(len(weeks)-1)
	}
	y := func(r float64) float64 { return h - 2 - r*(h-4) }
	path, dots := svgPath(slots, func(p *TrendPoint) cadence.Tally { return p.Org }, x, y)
	if len(dots) == 0 {
		return ""
	}
	label := "org compliance, last 12 weeks: " + TrendSummary(points, weeks, true)
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %.0f %.0f" width="%.0f" height="%.0f" role="img" aria-label="%s" style="vertical-align:middle;"><title>%s</title>`,
		w, h, w, h, template.HTMLEscapeString(label), template.HTMLEscapeString(label))
	fmt.Fprintf(&b, `<rect x="0" y="0" width="%.0f" height="%.0f" fill="#f5f7f8"/>`, w, h)
	if len(dots) > 1 {
		fmt.Fprintf(&b, `<path d="%s" fill="none" stroke="#1565c0" stroke-width="1.5"/>`, path)
	}
	last := dots[len(dots)-1]
	fmt.Fprintf(&b, `<circle cx="%.1f" cy="%.1f" r="2" fill="#1565c0"/>`, last.X, last.Y)
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// WeekPoints are the trend points of every manager of s for the ISO week
// (in loc) holding s.AsOf, by manager email.
func WeekPoints(s *cadence.Snapshot, loc *time.Location, reconstructed bool) map[string]TrendPoint {
	if s == nil {
		return nil
	}
	if loc == nil {
		loc = time.UTC
	}
	week := ISOWeek(s.AsOf, loc)
	out := make(map[string]TrendPoint, len(s.Managers))
	for _, m := range s.Managers {
		out[m.Manager] = TrendPoint{Week: week, Direct: m.Direct, Org: m.Org, Reconstructed: reconstructed}
	}
	return out
}
