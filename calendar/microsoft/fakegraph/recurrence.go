package fakegraph

import (
	"fmt"
	"strings"
	"time"

	"github.com/cadence-dev/cadence/calendar/microsoft/graph"
)

// originals lists the original starts of a series' occurrences that may
// overlap [from, to) (starts in [from-dur, to)), the way Exchange expands
// a patternedRecurrence: day by day from the range's startDate in the
// series' zone, a day being an occurrence when the pattern matches it (a
// series start off the pattern is not one), up to endDate or
// numberOfOccurrences. It is written independently of the source's
// RRULE conversion, so tests compare two readings of the pattern.
func originals(m *graph.Event, loc *time.Location, from, to time.Time) ([]time.Time, error) {
	r := m.Recurrence
	if r == nil || r.Pattern == nil {
		return nil, fmt.Errorf("no recurrence pattern")
	}
	start, err := m.Start.Parse(zoneOf(m.Start.TimeZone))
	if err != nil {
		return nil, err
	}
	end, err := m.End.Parse(zoneOf(m.End.TimeZone))
	if err != nil {
		return nil, err
	}
	dur := end.Sub(start)
	start = start.In(loc)
	first := civil(start)
	if r.Range != nil && r.Range.StartDate != "" {
		d, err := time.Parse("2006-01-02", r.Range.StartDate)
		if err != nil {
			return nil, fmt.Errorf("range startDate %q", r.Range.StartDate)
		}
		first = d
	}
	var last time.Time
	count := 0
	if r.Range != nil {
		switch strings.ToLower(r.Range.Type) {
		case "enddate":
			d, err := time.Parse("2006-01-02", r.Range.EndDate)
			if err != nil {
				return nil, fmt.Errorf("range endDate %q", r.Range.EndDate)
			}
			last = d
		case "numbered":
			count = r.Range.NumberOfOccurrences
		}
	}
	p := r.Pattern
	interval := max(p.Interval, 1)
	days := map[time.Weekday]bool{}
	for _, d := range p.DaysOfWeek {
		wd, ok := graph.Weekday(d)
		if !ok {
			return nil, fmt.Errorf("day of week %q", d)
		}
		days[wd] = true
	}
	wkst := time.Sunday
	if p.FirstDayOfWeek != "" {
		if wd, ok := graph.Weekday(p.FirstDayOfWeek); ok {
			wkst = wd
		}
	}
	index := 0 // 0..3, 4 = last
	for i, s := range graph.Indexes {
		if strings.EqualFold(p.Index, s) {
			index = i
		}
	}
	// nth reports whether d is the index-th day of its month among the
	// pattern's days of week.
	nth := func(d time.Time) bool {
		if !days[d.Weekday()] {
			return false
		}
		if index == 4 {
			for x := d.AddDate(0, 0, 1); x.Month() == d.Month(); x = x.AddDate(0, 0, 1) {
				if days[x.Weekday()] {
					return false
				}
			}
			return true
		}
		n := 0
		for x := time.Date(d.Year(), d.Month(), 1, 0, 0, 0, 0, time.UTC); x.Before(d); x = x.AddDate(0, 0, 1) {
			if days[x.Weekday()] {
				n++
			}
		}
		return n == index
	}
	weekOf := func(d time.Time) time.Time {
		off := (int(d.Weekday()) - int(wkst) + 7) % 7
		return d.AddDate(0, 0, -off)
	}
	months := func(d time.Time) int { return (d.Year()-first.Year())*12 + int(d.Month()) - int(first.Month()) }
	match := func(d time.Time) bool {
		switch strings.ToLower(p.Type) {
		case "daily":
			return int(d.Sub(first).Hours()/24)%interval == 0
		case "weekly":
			return days[d.Weekday()] && int(weekOf(d).Sub(weekOf(first)).Hours()/24/7)%interval == 0
		case "absolutemonthly":
			return d.Day() == p.DayOfMonth && months(d)%interval == 0
		case "relativemonthly":
			return months(d)%interval == 0 && nth(d)
		case "absoluteyearly":
			return int(d.Month()) == p.Month && d.Day() == p.DayOfMonth && (d.Year()-first.Year())%interval == 0
		case "relativeyearly":
			return int(d.Month()) == p.Month && (d.Year()-first.Year())%interval == 0 && nth(d)
		}
		return false
	}
	switch strings.ToLower(p.Type) {
	case "daily", "weekly", "absolutemonthly", "relativemonthly", "absoluteyearly", "relativeyearly":
	default:
		return nil, fmt.Errorf("pattern type %q", p.Type)
	}
	stop := civil(to.In(loc)).AddDate(0, 0, 1)
	var out []time.Time
	n := 0
	for d := first; !d.After(stop); d = d.AddDate(0, 0, 1) {
		if !last.IsZero() && d.After(last) {
			break
		}
		if count > 0 && n >= count {
			break
		}
		if !match(d) {
			continue
		}
		n++
		t := time.Date(d.Year(), d.Month(), d.Day(), start.Hour(), start.Minute(), start.Second(), 0, loc)
		if t.Before(to) && t.Add(dur).After(from) {
			out = append(out, t)
		}
	}
	return out, nil
}

// civil is t's local date as a UTC midnight (for day arithmetic).
func civil(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}
