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
// all copies, sorted and without repeats (treat it as read-only: the
// occurrences seen in one source only share one slice). The result is sorted like
// Expand's: by Start, then UID.
func Dedup(occs []Occurrence) []Occurrence {
	if len(occs) == 0 {
		return nil
	}
	idx := make(map[Key]int32, len(occs))
	out := make([]Occurrence, 0, len(occs))
	// first[i] is the source of out[i]'s first copy; extra lists the
	// sources of further copies (most occurrences have none).
	first := make([]string, 0, len(occs))
	var extra map[int32][]string
	for i := range occs {
		o := &occs[i]
		k := o.Key()
		j, ok := idx[k]
		if !ok {
			idx[k] = int32(len(out))
			out = append(out, *o)
			first = append(first, o.Source)
			continue
		}
		if extra == nil {
			extra = make(map[int32][]string)
		}
		extra[j] = append(extra[j], o.Source)
		if better(o, &out[j]) {
			out[j] = *o
		}
	}
	// A single-source SeenIn is shared between the occurrences of that
	// source (one allocation per source, not per occurrence).
	single := make(map[string][]string)
	for i := range out {
		src := first[i]
		more, dup := extra[int32(i)]
		if !dup {
			s, ok := single[src]
			if !ok {
				s = []string{src}
				single[src] = s
			}
			out[i].SeenIn = s[:1:1]
			continue
		}
		s := append(append(make([]string, 0, len(more)+1), src), more...)
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
