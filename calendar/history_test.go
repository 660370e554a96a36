package calendar

import (
	"testing"
	"time"
)

// TestMergeHistoryGoneSince: the first read without an occurrence is
// remembered (for "gone from the feed since"), later reads keep it, and
// an occurrence that comes back is no longer gone.
func TestMergeHistoryGoneSince(t *testing.T) {
	day := func(d int) time.Time { return time.Date(2026, 11, d, 10, 0, 0, 0, time.UTC) }
	o := Occurrence{UID: "m", SeriesUID: "m", OriginalStart: day(12), Start: day(12), End: day(12).Add(30 * time.Minute), Status: StatusConfirmed}
	w := Window{From: day(1), To: day(30)}
	prev := []Seen{{Occ: o, LastSeen: day(5)}}
	kept, _ := MergeHistory(prev, nil, w, day(8), day(1), nil) // gone, still in the future
	if len(kept) != 1 || !kept[0].GoneSince.Equal(day(8)) || !kept[0].LastSeen.Equal(day(5)) {
		t.Fatalf("first read without it: %+v", kept)
	}
	kept, occs := MergeHistory(kept, nil, w, day(14), day(1), nil) // its time has passed
	if len(kept) != 1 || !kept[0].GoneSince.Equal(day(8)) || len(occs) != 1 || occs[0].CancelReason != CancelVanished {
		t.Fatalf("later read: kept %+v, occurrences %+v", kept, occs)
	}
	kept, _ = MergeHistory([]Seen{{Occ: o, LastSeen: day(5), GoneSince: day(8)}}, []Occurrence{o}, w, day(9), day(1), nil)
	if len(kept) != 0 {
		t.Errorf("back in the read: kept %+v, want it replaced by the read", kept)
	}
}

func TestMergeHistory(t *testing.T) {
	day := func(d int) time.Time { return time.Date(2026, 11, d, 10, 0, 0, 0, time.UTC) }
	occ := func(uid string, d int, recurring bool) Occurrence {
		return Occurrence{UID: uid, SeriesUID: uid, OriginalStart: day(d), Start: day(d), End: day(d).Add(30 * time.Minute), Status: StatusConfirmed, Recurring: recurring}
	}
	now := day(20).Add(time.Hour)
	w := Window{From: day(1), To: day(30)}
	keepFrom := day(1).AddDate(0, -12, 0)
	seenBefore := day(5) // an earlier read, before every occurrence below from the 6th on
	seen := func(o Occurrence, last time.Time) Seen { return Seen{Occ: o, LastSeen: last} }

	type want struct {
		inOccs    bool
		status    Status
		reason    CancelReason
		inHistory bool
	}
	cases := []struct {
		name     string
		prev     Seen
		cur      []Occurrence
		want     want
		filtered string // a series present in the read but left out of cur
	}{
		{"past occurrence dropped by the feed after it happened is kept",
			seen(occ("a", 3, false), day(4)), nil,
			want{true, StatusConfirmed, "", true}, ""},
		{"single meeting deleted before it happened counts as cancelled",
			seen(occ("b", 10, false), seenBefore), nil,
			want{true, StatusCancelled, CancelVanished, true}, ""},
		{"single meeting moved (same UID, new start) is not a cancellation",
			seen(occ("c", 10, false), seenBefore), []Occurrence{occ("c", 12, false)},
			want{false, "", "", false}, ""},
		{"hole in a series whose later occurrences exist counts as cancelled",
			seen(occ("s", 10, true), seenBefore), []Occurrence{occ("s", 3, true), occ("s", 17, true)},
			want{true, StatusCancelled, CancelVanished, true}, ""},
		{"series cut short: vanished occurrence is not a cancellation",
			seen(occ("s", 17, true), seenBefore), []Occurrence{occ("s", 3, true), occ("s", 10, true)},
			want{false, "", "", false}, ""},
		{"vanished future occurrence is kept but not evaluated yet",
			seen(occ("f", 25, false), seenBefore), nil,
			want{false, "", "", true}, ""},
		{"occurrence outside the read window is kept",
			seen(Occurrence{UID: "o", SeriesUID: "o", Start: day(1).AddDate(0, -2, 0), OriginalStart: day(1).AddDate(0, -2, 0), End: day(1).AddDate(0, -2, 0).Add(time.Hour), Status: StatusConfirmed}, day(1).AddDate(0, -3, 0)), nil,
			want{true, StatusConfirmed, "", true}, ""},
		{"occurrence older than keepFrom is forgotten",
			seen(Occurrence{UID: "x", SeriesUID: "x", Start: keepFrom.AddDate(0, 0, -2), OriginalStart: keepFrom.AddDate(0, 0, -2), End: keepFrom.AddDate(0, 0, -2).Add(time.Hour)}, keepFrom.AddDate(0, 0, -1)), nil,
			want{false, "", "", false}, ""},
		{"filtered series: a single meeting last seen in the future is not a deletion",
			seen(occ("g", 10, false), seenBefore), nil,
			want{false, "", "", false}, "g"},
		{"filtered series: what had happened when last seen stays history",
			seen(occ("g", 3, true), day(4)), nil,
			want{true, StatusConfirmed, "", true}, "g"},
		{"filtered series: a future occurrence is dropped",
			seen(occ("g", 25, false), seenBefore), nil,
			want{false, "", "", false}, "g"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cur := append([]Occurrence(nil), tc.cur...)
			kept, occs := MergeHistory([]Seen{tc.prev}, cur, w, now, keepFrom, map[string]bool{tc.filtered: tc.filtered != ""})
			k := tc.prev.Occ.Key()
			var got *Occurrence
			for i := range occs {
				if occs[i].Key() == k {
					got = &occs[i]
				}
			}
			if (got != nil) != tc.want.inOccs {
				t.Fatalf("in occurrences = %v, want %v", got != nil, tc.want.inOccs)
			}
			if got != nil && (got.Status != tc.want.status || got.CancelReason != tc.want.reason) {
				t.Errorf("status %q reason %q, want %q %q", got.Status, got.CancelReason, tc.want.status, tc.want.reason)
			}
			// The history is the current read plus kept.
			inHist := false
			for _, o := range tc.cur {
				if o.Key() == k {
					inHist = true
				}
			}
			for _, s := range kept {
				if s.Occ.Key() == k {
					if inHist {
						t.Errorf("kept repeats an occurrence of the current read")
					}
					inHist = true
				}
			}
			if inHist != tc.want.inHistory {
				t.Errorf("in history = %v, want %v", inHist, tc.want.inHistory)
			}
			if len(occs) < len(tc.cur) {
				t.Errorf("current occurrences lost: %d < %d", len(occs), len(tc.cur))
			}
		})
	}
}
