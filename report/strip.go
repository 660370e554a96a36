package report

import (
	"fmt"
	"strings"
	"time"

	"github.com/cadence-dev/cadence/cadence"
)

// StripWeeks is how many ISO weeks a cadence strip shows.
const StripWeeks = 12

// Mark is what one week of a pair's cadence strip shows.
type Mark string

// The marks of a strip. A week with several occurrences shows the first
// of: held, cancelled, declined, excused. A week without any tells a 1:1
// that was due and did not happen (missed) from a week when none was due
// (not due: the off-weeks of a biweekly or monthly rhythm, or before the
// pair started).
const (
	MarkHeld      Mark = "held"
	MarkCancelled Mark = "cancelled"
	MarkDeclined  Mark = "declined"
	MarkExcused   Mark = "excused"
	MarkMissed    Mark = "missed"
	MarkNotDue    Mark = "notdue"
	// MarkNone: no occurrence, and the pair's interval is unknown (a
	// snapshot without rules), so due or not cannot be told.
	MarkNone Mark = "none"
)

// StripLegend explains the characters of a text strip.
const StripLegend = "H held, C cancelled, D declined, E excused (time off), x missed (a 1:1 was due, none held), . not due (off-week or before the pair started)"

// StripCell is one ISO week of a cadence strip.
type StripCell struct {
	Week  string    // "2026-W48"
	Start time.Time // Monday 00:00 in the view's zone
	Mark  Mark
	// Why says what made a week without an occurrence missed or not due
	// ("before the pair started", "due every 14 days").
	Why string
}

var markStyle = map[Mark]struct{ letter, bg, fg, border, words string }{
	MarkHeld:      {"H", "#2e7d32", "#ffffff", "#2e7d32", "held"},
	MarkCancelled: {"C", "#c62828", "#ffffff", "#c62828", "cancelled"},
	MarkDeclined:  {"D", "#ef6c00", "#ffffff", "#ef6c00", "declined"},
	MarkExcused:   {"E", "#90a4ae", "#ffffff", "#90a4ae", "excused (time off)"},
	MarkMissed:    {"x", "#ffebee", "#c62828", "#c62828", "missed: a 1:1 was due, none held"},
	MarkNotDue:    {".", "#f5f7f8", "#90a4ae", "#f5f7f8", "not due"},
	MarkNone:      {"-", "#eceff1", "#607d8b", "#eceff1", "no 1:1"},
}

// Letter is the one-character form of the mark (works without colour).
func (c StripCell) Letter() string { return markStyle[c.Mark].letter }

// Background is the cell's background colour.
func (c StripCell) Background() string { return markStyle[c.Mark].bg }

// Foreground is the cell's text colour.
func (c StripCell) Foreground() string { return markStyle[c.Mark].fg }

// Border is the cell's border colour (a missed week is outlined).
func (c StripCell) Border() string { return markStyle[c.Mark].border }

// Title describes the cell in words ("2026-W48: held", "2026-W47: not
// due (due every 14 days, last held 9 days before)").
func (c StripCell) Title() string {
	s := c.Week + ": " + markStyle[c.Mark].words
	if c.Why != "" {
		s += " (" + c.Why + ")"
	}
	return s
}

// ISOWeek names the ISO week of t in loc: "2026-W48".
func ISOWeek(t time.Time, loc *time.Location) string {
	y, w := t.In(loc).ISOWeek()
	return fmt.Sprintf("%d-W%02d", y, w)
}

// WeekStart is Monday 00:00 (in loc) of the ISO week holding t.
func WeekStart(t time.Time, loc *time.Location) time.Time {
	t = t.In(loc)
	back := (int(t.Weekday()) + 6) % 7 // Monday = 0
	y, m, d := t.Date()
	return time.Date(y, m, d-back, 0, 0, 0, 0, loc)
}

var markRank = map[cadence.Outcome]int{
	cadence.OutcomeHeld:      4,
	cadence.OutcomeCancelled: 3,
	cadence.OutcomeDeclined:  2,
	cadence.OutcomeExcused:   1,
}

var outcomeMark = map[cadence.Outcome]Mark{
	cadence.OutcomeHeld:      MarkHeld,
	cadence.OutcomeCancelled: MarkCancelled,
	cadence.OutcomeDeclined:  MarkDeclined,
	cadence.OutcomeExcused:   MarkExcused,
}

// Strip is StripSince without a known start of the pair: weeks before the
// pair's first occurrence are not due.
func Strip(p *cadence.Pair, asOf time.Time, loc *time.Location) []StripCell {
	return StripSince(p, asOf, loc, time.Time{})
}

// StripSince returns the last StripWeeks ISO weeks of a pair, oldest
// first, ending with the week (in loc) that holds asOf. Only occurrences
// that started before asOf count; scheduled ones do not.
//
// A week without an occurrence is missed when, by its end (asOf for the
// current week), the pair's interval and grace (its rule's every + grace,
// the line past which it is overdue) had passed since the last held or
// excused occurrence, or since the pair started when none was; otherwise
// it is not due. since is when the pair
// started (a report's team start or hire date); zero means its first
// known occurrence.
func StripSince(p *cadence.Pair, asOf time.Time, loc *time.Location, since time.Time) []StripCell {
	if loc == nil {
		loc = time.UTC
	}
	cur := WeekStart(asOf, loc)
	cells := make([]StripCell, StripWeeks)
	starts := make([]time.Time, StripWeeks+1)
	for i := range StripWeeks + 1 {
		y, m, d := cur.Date()
		starts[i] = time.Date(y, m, d-7*(StripWeeks-1-i), 0, 0, 0, 0, loc)
	}
	best := make([]int, StripWeeks)
	for i := range cells {
		cells[i] = StripCell{Week: ISOWeek(starts[i], loc), Start: starts[i]}
	}
	if since.IsZero() {
		for _, o := range p.Occurrences {
			if markRank[o.Outcome] > 0 || o.Outcome == cadence.OutcomeScheduled {
				since = o.Start
				break
			}
		}
	}
	for _, o := range p.Occurrences {
		if !o.Start.Before(asOf) || o.Start.Before(starts[0]) || !o.Start.Before(starts[StripWeeks]) {
			continue
		}
		r := markRank[o.Outcome]
		if r == 0 {
			continue
		}
		for i := range StripWeeks {
			if o.Start.Before(starts[i+1]) {
				if r > best[i] {
					best[i] = r
					cells[i].Mark = outcomeMark[o.Outcome]
				}
				break
			}
		}
	}
	for i := range cells {
		if cells[i].Mark != "" {
			continue
		}
		end := starts[i+1]
		if asOf.Before(end) {
			end = asOf
		}
		cells[i].Mark, cells[i].Why = emptyWeek(p, end, since)
	}
	return cells
}

// emptyWeek tells a week without an occurrence, ending at end, missed or
// not due.
func emptyWeek(p *cadence.Pair, end, since time.Time) (Mark, string) {
	if since.IsZero() || !end.After(since) {
		return MarkNotDue, "before the pair started"
	}
	if p.Interval <= 0 {
		return MarkNone, ""
	}
	anchor := since
	for _, o := range p.Occurrences {
		if !o.Start.Before(end) {
			break
		}
		if (o.Outcome == cadence.OutcomeHeld || o.Outcome == cadence.OutcomeExcused) && o.Start.After(anchor) {
			anchor = o.Start
		}
	}
	every := fmt.Sprintf("due every %s", intervalText(p.Interval))
	if end.Sub(anchor) >= p.Interval+p.Grace {
		return MarkMissed, every
	}
	return MarkNotDue, every
}

// intervalText: "7 days", "14 days", "1 day", or a duration.
func intervalText(d time.Duration) string {
	if d%(24*time.Hour) == 0 {
		n := int(d / (24 * time.Hour))
		if n == 1 {
			return "1 day"
		}
		return fmt.Sprintf("%d days", n)
	}
	return d.String()
}

// StripText is the plain-text strip: "H H . C x D E ...", oldest first.
func StripText(cells []StripCell) string {
	parts := make([]string, len(cells))
	for i, c := range cells {
		parts[i] = c.Letter()
	}
	return strings.Join(parts, " ")
}

// StripLabel is the strip in words for screen readers: "last 12 weeks:
// 2026-W37 held, 2026-W38 missed, ...".
func StripLabel(cells []StripCell) string {
	parts := make([]string, len(cells))
	for i, c := range cells {
		parts[i] = c.Week + " " + markStyle[c.Mark].words
	}
	return fmt.Sprintf("last %d weeks, oldest first: %s", len(cells), strings.Join(parts, "; "))
}
