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
	var d Deduper
	d.Add(occs)
	return d.Result()
}

// Deduper is Dedup one batch at a time: Add each calendar's occurrences
// as it is expanded (and drop them), then take the Result. Only the kept
// copies are held, not every calendar's expansion at once. The zero value
// is ready to use.
type Deduper struct {
	idx map[Key]int32
	out []Occurrence
	// first[i] is the source of out[i]'s first copy; extra lists the
	// sources of further copies (most occurrences have none).
	first []string
	extra map[int32][]string
}

// Grow makes room for n kept occurrences (a size known from an earlier
// run): the result is then not copied as it grows.
func (d *Deduper) Grow(n int) {
	if n <= 0 || d.idx != nil {
		return
	}
	d.idx = make(map[Key]int32, n)
	d.out = make([]Occurrence, 0, n)
	d.first = make([]string, 0, n)
}

// Add merges occs into the result; occs can be reused afterwards.
func (d *Deduper) Add(occs []Occurrence) {
	if d.idx == nil {
		d.idx = make(map[Key]int32, len(occs))
		d.out = make([]Occurrence, 0, len(occs))
		d.first = make([]string, 0, len(occs))
	}
	for i := range occs {
		o := &occs[i]
		k := o.Key()
		j, ok := d.idx[k]
		if !ok {
			d.idx[k] = int32(len(d.out))
			d.out = append(d.out, *o)
			d.first = append(d.first, o.Source)
			continue
		}
		if d.extra == nil {
			d.extra = make(map[int32][]string)
		}
		d.extra[j] = append(d.extra[j], o.Source)
		if better(o, &d.out[j]) {
			d.out[j] = *o
		}
	}
}

// Result returns the merged occurrences, as Dedup does, and resets d.
func (d *Deduper) Result() []Occurrence {
	out, first, extra := d.out, d.first, d.extra
	*d = Deduper{}
	if len(out) == 0 {
		return nil
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
