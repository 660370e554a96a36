package cadence

import "github.com/cadence-dev/cadence/calendar"

// Relevance tells, before recurrence expansion, which calendar events can
// change an evaluation. Evaluate reads an occurrence only when it is a 1:1
// candidate (at most two directory people and nobody outside the
// directory) or an out-of-office event; on a large org most copies are
// group meetings, and expanding, deduplicating and storing them is most of
// the daemon's work and memory.
//
// The filter works on whole series across every source, so that it changes
// nothing Evaluate computes: a series is kept when any copy of any of its
// events (master or override, in any calendar) is a candidate, so Dedup
// still sees every copy of the occurrences it chooses between.
type Relevance struct {
	c *classifier
}

// NewRelevance returns the filter for dir and opts (the same ones given to
// Evaluate). It is not safe for concurrent use.
func NewRelevance(dir *Directory, opts Options) *Relevance {
	return &Relevance{c: newClassifier(dir, opts, nil)}
}

// Event reports whether one event can matter: it is an out-of-office event,
// or its organizer and attendees (rooms and ignored addresses aside) are
// at most two directory people and nobody outside the directory.
func (r *Relevance) Event(e *calendar.Event) bool {
	o := calendar.Occurrence{
		Title: e.Title, Organizer: e.Organizer, Attendees: e.Attendees,
		OutOfOffice: e.OutOfOffice, Owner: e.Owner,
	}
	if r.c.isOOO(&o) {
		return true
	}
	p := r.c.partEntry(&o).part
	return len(p.people) <= 2 && len(p.external) == 0
}

// Series returns which series can matter (see Event), from every
// source's events: keep holds the UIDs of the series to expand, removed
// those present in the sources but left out. removed series must not be
// taken for deletions by a history of earlier reads
// (calendar.MergeHistory's filtered).
func (r *Relevance) Series(feeds [][]calendar.Event) (keep, removed map[string]bool) {
	keep = map[string]bool{}
	for _, evs := range feeds {
		for i := range evs {
			e := &evs[i]
			if !keep[e.SeriesUID] && r.Event(e) {
				keep[e.SeriesUID] = true
			}
		}
	}
	removed = map[string]bool{}
	for _, evs := range feeds {
		for i := range evs {
			if !keep[evs[i].SeriesUID] {
				removed[evs[i].SeriesUID] = true
			}
		}
	}
	return keep, removed
}

// KeepSeries returns the events of evs whose series is in keep: evs
// itself when that is all of them.
func KeepSeries(evs []calendar.Event, keep map[string]bool) []calendar.Event {
	n := 0
	for i := range evs {
		if keep[evs[i].SeriesUID] {
			n++
		}
	}
	if n == len(evs) {
		return evs
	}
	out := make([]calendar.Event, 0, n)
	for i := range evs {
		if keep[evs[i].SeriesUID] {
			out = append(out, evs[i])
		}
	}
	return out
}
