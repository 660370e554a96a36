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
	// Exceeded are the limits each calendar (by index) exceeded; the
	// series they dropped are in Filtered (their history is kept as it
	// is, not taken for deletions).
	Exceeded map[int][]*calendar.BudgetError
}

// DefaultEvaluationOccurrences bounds the occurrences one evaluation
// expands, all calendars together: 2.7 times what a generated
// 20,000-person organisation expands without the relevance filter (1.9
// million; bench/). Per-calendar limits are calendar.Limits.
const DefaultEvaluationOccurrences = 5_000_000

// Budget bounds an expansion: per series and per calendar (Limits), and
// for all calendars together (Evaluation, 0 = the default).
type Budget struct {
	Limits     calendar.Limits
	Evaluation int
}

// Occurrences turns every calendar's events into deduplicated occurrences
// expanded over w; zones[i] is the zone of events[i]'s calendar. With a
// Relevance, series that cannot matter to the evaluation are not
// expanded. warn, when not nil, receives expansion warnings with their
// calendar's index. sizeHint, when known (the count of the previous
// evaluation), sizes the result at once instead of growing it.
func Occurrences(rel *cadence.Relevance, events [][]calendar.Event, zones []*time.Location, w calendar.Window, b Budget, warn func(cal int, msg string), sizeHint int) Expanded {
	var keep map[string]bool
	var out Expanded
	if rel != nil {
		keep, out.Filtered = rel.Series(events)
	}
	if b.Evaluation <= 0 {
		b.Evaluation = DefaultEvaluationOccurrences
	}
	eval := &calendar.EvaluationBudget{Limit: b.Evaluation, Left: b.Evaluation}
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
		buf, warns = calendar.ExpandAppend(buf[:0], evs, w, calendar.ExpandOptions{
			Zone: zones[i], Limits: b.Limits, Evaluation: eval,
			Exceeded: func(err *calendar.BudgetError, series []string) {
				if out.Exceeded == nil {
					out.Exceeded = map[int][]*calendar.BudgetError{}
				}
				out.Exceeded[i] = append(out.Exceeded[i], err)
				if out.Filtered == nil {
					out.Filtered = map[string]bool{}
				}
				for _, s := range series {
					out.Filtered[s] = true
				}
			},
		})
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
