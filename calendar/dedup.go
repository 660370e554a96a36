package calendar

import (
	"sort"
	"strings"
)

// Dedup merges copies of the same occurrence (Key) seen in several
// calendars: prefers the organizer's own copy, fills SeenIn.
//
// Among copies with the same Key (series UID + original start) the kept
// copy is, in order: the one whose Owner is its Organizer, the one with
// the higher Sequence, then the first by Source, Owner and UID, so the
// result does not depend on the input order. SeenIn lists the sources of
// all copies, sorted and without repeats. The result is sorted like
// Expand's: by Start, then UID.
func Dedup(occs []Occurrence) []Occurrence {
	if len(occs) == 0 {
		return nil
	}
	idx := make(map[Key]int, len(occs))
	out := make([]Occurrence, 0, len(occs))
	seen := make([][]string, 0, len(occs))
	for i := range occs {
		o := &occs[i]
		k := o.Key()
		j, ok := idx[k]
		if !ok {
			idx[k] = len(out)
			out = append(out, *o)
			seen = append(seen, append([]string(nil), o.Source))
			continue
		}
		seen[j] = append(seen[j], o.Source)
		if better(o, &out[j]) {
			out[j] = *o
		}
	}
	for i := range out {
		s := seen[i]
		sort.Strings(s)
		u := s[:1]
		for _, x := range s[1:] {
			if x != u[len(u)-1] {
				u = append(u, x)
			}
		}
		out[i].SeenIn = u
	}
	sortOccurrences(out, func(a, b *Occurrence) int {
		if c := a.Start.Compare(b.Start); c != 0 {
			return c
		}
		if c := strings.Compare(a.UID, b.UID); c != 0 {
			return c
		}
		return a.OriginalStart.Compare(b.OriginalStart)
	})
	return out
}

// better reports whether copy a should be kept over copy b.
func better(a, b *Occurrence) bool {
	ao := a.Organizer != "" && a.Owner == a.Organizer
	bo := b.Organizer != "" && b.Owner == b.Organizer
	if ao != bo {
		return ao
	}
	if a.Sequence != b.Sequence {
		return a.Sequence > b.Sequence
	}
	if a.Source != b.Source {
		return a.Source < b.Source
	}
	if a.Owner != b.Owner {
		return a.Owner < b.Owner
	}
	if a.UID != b.UID {
		return a.UID < b.UID
	}
	if !a.Start.Equal(b.Start) {
		return a.Start.Before(b.Start)
	}
	return a.Status < b.Status
}
