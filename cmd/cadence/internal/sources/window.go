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
func Occurrences(rel *cadence.Relevance, events [][]calendar.Event, zones []*time.Location, w calendar.Window, warn func(source int, msg string)) (occs []calendar.Occurrence, filtered map[string]bool) {
	if rel != nil {
		events, filtered = rel.Filter(events)
	}
	parts := make([][]calendar.Occurrence, len(events))
	n := 0
	for i, evs := range events {
		var warns []string
		parts[i], warns = calendar.Expand(evs, w, calendar.ExpandOptions{Zone: zones[i]})
		n += len(parts[i])
		if warn != nil {
			for _, m := range warns {
				warn(i, m)
			}
		}
	}
	// Joined once at full size: growing one slice source by source copies
	// every occurrence many times over on a large org.
	all := make([]calendar.Occurrence, 0, n)
	for i, p := range parts {
		all = append(all, p...)
		parts[i] = nil
	}
	return calendar.Dedup(all), filtered
}
