package sources

import (
	"time"

	"github.com/cadence-dev/cadence/cadence"
	"github.com/cadence-dev/cadence/calendar"
)

// ExpansionWindow is the span expanded for an evaluation at now: far
// enough back for last_held and cancellation streaks beyond the look-back
// window (SPEC fine point 5) — four windows, at least 400 days — and one
// window plus a day ahead for next_scheduled.
func ExpansionWindow(now time.Time, window time.Duration) calendar.Window {
	back := 4 * window
	if back < 400*24*time.Hour {
		back = 400 * 24 * time.Hour
	}
	return calendar.Window{From: now.Add(-back), To: now.Add(window + 24*time.Hour)}
}

// Occurrences turns every source's events into deduplicated occurrences
// expanded over w; zones[i] is the zone of events[i]'s source. With a
// Relevance, series that cannot matter to the evaluation are not expanded
// and their UIDs are returned as filtered, for calendar.MergeHistory. warn,
// when not nil, receives expansion warnings with their source's index.
// sizeHint, when known (the count of the previous evaluation), sizes the
// result at once instead of growing it.
func Occurrences(rel *cadence.Relevance, events [][]calendar.Event, zones []*time.Location, w calendar.Window, warn func(source int, msg string), sizeHint int) (occs []calendar.Occurrence, filtered map[string]bool) {
	var keep map[string]bool
	if rel != nil {
		keep, filtered = rel.Series(events)
	}
	// One source filtered and expanded at a time and merged at once: only
	// the kept copies are held, not every source's expansion.
	var d calendar.Deduper
	d.Grow(sizeHint)
	var buf []calendar.Occurrence // one expansion buffer for every source
	for i, evs := range events {
		if keep != nil {
			evs = cadence.KeepSeries(evs, keep)
		}
		var warns []string
		buf, warns = calendar.ExpandAppend(buf[:0], evs, w, calendar.ExpandOptions{Zone: zones[i]})
		d.Add(buf)
		if warn != nil {
			for _, m := range warns {
				warn(i, m)
			}
		}
	}
	return d.Result(), filtered
}
