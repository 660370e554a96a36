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

// The marks of a strip, from best to worst news. A week with several
// occurrences shows the first of: held, cancelled, declined, excused.
const (
	MarkHeld      Mark = "held"
	MarkCancelled Mark = "cancelled"
	MarkDeclined  Mark = "declined"
	MarkExcused   Mark = "excused"
	MarkNone      Mark = "none"
)

// StripLegend explains the letters of a text strip.
const StripLegend = "H held, C cancelled, D declined, E excused (time off), . nothing"

// StripCell is one ISO week of a cadence strip.
type StripCell struct {
	Week  string    // "2026-W48"
	Start time.Time // Monday 00:00 in the view's zone
	Mark  Mark
}

var markStyle = map[Mark]struct{ letter, bg, fg, words string }{
	MarkHeld:      {"H", "#2e7d32", "#ffffff", "held"},
	MarkCancelled: {"C", "#c62828", "#ffffff", "cancelled"},
	MarkDeclined:  {"D", "#ef6c00", "#ffffff", "declined"},
	MarkExcused:   {"E", "#90a4ae", "#ffffff", "excused (time off)"},
	MarkNone:      {".", "#eceff1", "#607d8b", "nothing"},
}

// Letter is the one-character form of the mark (works without colour).
func (c StripCell) Letter() string { return markStyle[c.Mark].letter }

// Background is the cell's background colour.
func (c StripCell) Background() string { return markStyle[c.Mark].bg }

// Foreground is the cell's text colour.
func (c StripCell) Foreground() string { return markStyle[c.Mark].fg }

// Title describes the cell in words ("2026-W48: held").
func (c StripCell) Title() string { return c.Week + ": " + markStyle[c.Mark].words }

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

// Strip returns the last StripWeeks ISO weeks of a pair, oldest first,
// ending with the week (in loc) that holds asOf. Only occurrences that
// started before asOf count; scheduled ones show as nothing.
func Strip(p *cadence.Pair, asOf time.Time, loc *time.Location) []StripCell {
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
		cells[i] = StripCell{Week: ISOWeek(starts[i], loc), Start: starts[i], Mark: MarkNone}
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
	return cells
}

// StripText is the plain-text strip: "H H . C D E ...", oldest first.
func StripText(cells []StripCell) string {
	parts := make([]string, len(cells))
	for i, c := range cells {
		parts[i] = c.Letter()
	}
	return strings.Join(parts, " ")
}
