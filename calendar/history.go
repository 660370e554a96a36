package calendar

import (
	"sort"
	"time"
)

// Seen is one occurrence as the daemon last saw it, kept in its state store
// so that a feed that later drops old events, or silently deletes an
// instance, does not erase history (SPEC "Silent deletions count too").
type Seen struct {
	Occ Occurrence `json:"occ"`
	// LastSeen is when a read last contained the occurrence.
	LastSeen time.Time `json:"last_seen"`
	// GoneSince is when a read first no longer contained it (zero while
	// it is still there), so `cadence events` can say "seen on ..., gone
	// from the feed since ...".
	GoneSince time.Time `json:"gone_since,omitzero"`
}

// gone returns s marked as missing from the read at now (once: the first
// read without it stays the date).
func (s Seen) gone(now time.Time) Seen {
	if s.GoneSince.IsZero() {
		s.GoneSince = now
	}
	return s
}

// MergeHistory merges the occurrences of the current read (cur, expanded
// over w, already deduplicated) into the stored history prev, at time now.
// The new history is cur, every occurrence seen at now, plus the returned
// kept entries of prev; occs are the occurrences to evaluate: cur and some
// of kept, sorted by start. occs is built in cur's backing array when it
// has room (cur is then reordered): the caller must not use cur after.
//
// The rules, from SPEC:
//   - an occurrence present in cur replaces its stored copy;
//   - a stored occurrence that was last seen after it started (it had
//     already happened) is kept as it was: feeds drop old events;
//   - a stored occurrence that was last seen while still in the future and
//     has since vanished counts, once its time has passed, as cancelled
//     (reason "vanished") when it was a single meeting, or a hole in a series
//     whose later occurrences still exist in cur; otherwise its series was
//     cut short or deleted as a whole and it is dropped (the series ended);
//     a single meeting whose UID still exists at another time was moved;
//   - a vanished occurrence still in the future is kept in the history (its
//     fate is decided when its time passes) but not evaluated;
//   - stored occurrences outside w are kept unchanged, except those that
//     ended before keepFrom, which are forgotten;
//   - filtered names series the read contains but the caller left out of
//     cur (they cannot matter to it now): their stored occurrences are not
//     deletions. Those that had already happened when last seen are kept
//     as they were (what happened stays history); the others are dropped,
//     as the read replaced them with a form the caller does not keep.
func MergeHistory(prev []Seen, cur []Occurrence, w Window, now, keepFrom time.Time, filtered map[string]bool) (kept []Seen, occs []Occurrence) {
	inCur := make(map[Key]bool, len(cur))
	// latest start per series in cur, to tell a hole from an ended series.
	lastOfSeries := make(map[string]time.Time)
	// single (non-recurring) events by UID: a single meeting whose start
	// changed keeps its UID, so its old key vanishing is a move.
	singles := make(map[string]bool)
	for i := range cur {
		o := &cur[i]
		inCur[o.Key()] = true
		if !o.Recurring {
			singles[o.SeriesUID] = true
		}
		if o.Recurring && o.Status != StatusCancelled {
			if t, ok := lastOfSeries[o.SeriesUID]; !ok || o.OriginalStart.After(t) {
				lastOfSeries[o.SeriesUID] = o.OriginalStart
			}
		}
	}
	occs = cur
	for _, s := range prev {
		o := s.Occ
		k := o.Key()
		if inCur[k] {
			continue
		}
		if o.End.Before(keepFrom) {
			continue // forgotten
		}
		if filtered[o.SeriesUID] {
			if !s.LastSeen.Before(o.Start) {
				kept = append(kept, s)
				occs = append(occs, o)
			}
			continue
		}
		inWindow := !o.Start.Before(w.From) && o.Start.Before(w.To)
		if !inWindow || !s.LastSeen.Before(o.Start) {
			// Outside what this read covers, or already happened when last
			// seen: keep as it was.
			kept = append(kept, s)
			occs = append(occs, o)
			continue
		}
		// Last seen while still in the future, and gone now.
		s = s.gone(now)
		if !o.Start.Before(now) {
			kept = append(kept, s) // decide when its time passes
			continue
		}
		if o.Status == StatusCancelled {
			kept = append(kept, s)
			occs = append(occs, o)
			continue
		}
		if !o.Recurring && singles[o.SeriesUID] {
			continue // a single meeting moved to another time
		}
		hole := !o.Recurring
		if o.Recurring {
			if last, ok := lastOfSeries[o.SeriesUID]; ok && last.After(o.OriginalStart) {
				hole = true
			}
		}
		if !hole {
			continue // the series ended: not a cancellation
		}
		o.Status = StatusCancelled
		o.CancelReason = CancelVanished
		kept = append(kept, Seen{Occ: o, LastSeen: s.LastSeen, GoneSince: s.GoneSince})
		occs = append(occs, o)
	}
	sort.SliceStable(occs, func(i, j int) bool {
		if !occs[i].Start.Equal(occs[j].Start) {
			return occs[i].Start.Before(occs[j].Start)
		}
		return occs[i].SeriesUID < occs[j].SeriesUID
	})
	return kept, occs
}
