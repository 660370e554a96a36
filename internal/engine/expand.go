package engine

import (
	"time"

	"github.com/cadence-dev/cadence/cadence"
	"github.com/cadence-dev/cadence/calendar"
)

// Expanded is the result of Occurrences.
type Expanded struct {
	// Occurrences are deduplicated (one per meeting, however many
	// calendars hold a copy).
	Occurrences []calendar.Occurrence
	// Filtered are the series the relevance filter left out (for
	// calendar.MergeHistory: their stored occurrences are not deletions).
	Filtered map[string]bool
	// Expanded counts occurrences before deduplication.
	Expanded int
}

// Occurrences turns every calendar's events into deduplicated occurrences
// expanded over w; zones[i] is the zone of events[i]'s calendar. With a
// Relevance, series that cannot matter to the evaluation are not
// expanded. warn, when not nil, receives expansion warnings with their
// calendar's index. sizeHint, when known (the count of the previous
// evaluation), sizes the result at once instead of growing it.
func Occurrences(rel *cadence.Relevance, events [][]calendar.Event, zones []*time.Location, w calendar.Window, warn func(cal int, msg string), sizeHint int) Expanded {
	var keep map[string]bool
	var out Expanded
	if rel != nil {
		keep, out.Filtered = rel.Series(events)
	}
	// One calendar filtered and expanded at a time and merged at once:
	// only the kept copies are held, not every calendar's expansion.
	var d calendar.Deduper
	d.Grow(sizeHint)
	var buf []calendar.Occurrence // one expansion buffer for every calendar
	for i, evs := range events {
		if keep != nil {
			evs = cadence.KeepSeries(evs, keep)
		}
		var warns []string
		buf, warns = calendar.ExpandAppend(buf[:0], evs, w, calendar.ExpandOptions{Zone: zones[i]})
		out.Expanded += len(buf)
		d.Add(buf)
		if warn != nil {
			for _, m := range warns {
				warn(i, m)
			}
		}
	}
	out.Occurrences = d.Result()
	return out
}
