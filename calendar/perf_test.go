package calendar

import (
	"fmt"
	"math/rand"
	"slices"
	"testing"
	"time"
)

// TestSortOccurrencesPermutesInPlace checks the in-place permutation
// against a stable sort of copies, over random orders with ties.
func TestSortOccurrencesPermutesInPlace(t *testing.T) {
	r := rand.New(rand.NewSource(3))
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for n := 0; n < 60; n++ {
		occs := make([]Occurrence, n)
		for i := range occs {
			occs[i] = Occurrence{Start: base.Add(time.Duration(r.Intn(8)) * time.Hour), UID: fmt.Sprint(r.Intn(3)), Title: fmt.Sprint(i)}
		}
		cmp := func(a, b *Occurrence) int {
			if c := a.Start.Compare(b.Start); c != 0 {
				return c
			}
			return slices.Compare([]byte(a.UID), []byte(b.UID))
		}
		want := slices.Clone(occs)
		slices.SortStableFunc(want, func(a, b Occurrence) int { return cmp(&a, &b) })
		sortOccurrences(occs, cmp)
		for i := range occs {
			if occs[i].Title != want[i].Title {
				t.Fatalf("n=%d: position %d holds %s, want %s", n, i, occs[i].Title, want[i].Title)
			}
		}
	}
}

// TestDedupSeenInShared checks single-source occurrences get their source
// in SeenIn and that appending to one SeenIn cannot change another's.
func TestDedupSeenInShared(t *testing.T) {
	at := time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)
	occs := []Occurrence{
		{UID: "a", SeriesUID: "a", Start: at, OriginalStart: at, Source: "s1"},
		{UID: "b", SeriesUID: "b", Start: at, OriginalStart: at, Source: "s1"},
		{UID: "c", SeriesUID: "c", Start: at, OriginalStart: at, Source: "s2"},
		{UID: "c", SeriesUID: "c", Start: at, OriginalStart: at, Source: "s1"},
	}
	out := Dedup(occs)
	if len(out) != 3 {
		t.Fatalf("%d occurrences", len(out))
	}
	got := map[string][]string{}
	for _, o := range out {
		got[o.UID] = o.SeenIn
	}
	if fmt.Sprint(got) != "map[a:[s1] b:[s1] c:[s1 s2]]" {
		t.Fatalf("SeenIn %v", got)
	}
	grown := append(got["a"], "x")
	grown[0] = "changed"
	if got["b"][0] != "s1" {
		t.Errorf("appending to one SeenIn changed another: %v", got["b"])
	}
}
