package calendar

import (
	"math/rand"
	"reflect"
	"testing"
	"time"
)

func TestDedup(t *testing.T) {
	at := time.Date(2024, 3, 4, 9, 0, 0, 0, time.UTC)
	base := Occurrence{UID: "u1", SeriesUID: "u1", OriginalStart: at, Start: at, End: at.Add(time.Hour), Status: StatusConfirmed, Organizer: "ann@example.com"}
	mk := func(source, owner, title string, seq int) Occurrence {
		o := base
		o.Source, o.Owner, o.Title, o.Sequence = source, owner, title, seq
		return o
	}
	other := mk("bob-feed", "bob@example.com", "other meeting", 0)
	other.UID, other.SeriesUID = "u2", "u2"
	split := mk("cid-feed", "cid@example.com", "split part", 0)
	split.UID = "u1_R20240304T090000" // same series, same original start
	cases := []struct {
		name string
		in   []Occurrence
		want []Occurrence
	}{
		{"organizer's copy wins over a higher sequence",
			[]Occurrence{mk("bob-feed", "bob@example.com", "bob's copy", 5), mk("ann-feed", "ann@example.com", "ann's copy", 1)},
			[]Occurrence{withSeen(mk("ann-feed", "ann@example.com", "ann's copy", 1), "ann-feed", "bob-feed")}},
		{"higher sequence wins when nobody is the organizer",
			[]Occurrence{mk("bob-feed", "bob@example.com", "old", 1), mk("cid-feed", "cid@example.com", "new", 2)},
			[]Occurrence{withSeen(mk("cid-feed", "cid@example.com", "new", 2), "bob-feed", "cid-feed")}},
		{"tie: first source by name; SeenIn without repeats",
			[]Occurrence{mk("z-feed", "z@example.com", "z", 1), mk("a-feed", "a@example.com", "a", 1), mk("a-feed", "a@example.com", "a", 1)},
			[]Occurrence{withSeen(mk("a-feed", "a@example.com", "a", 1), "a-feed", "z-feed")}},
		{"different keys stay apart; split series parts merge by series UID",
			[]Occurrence{other, mk("bob-feed", "bob@example.com", "x", 0), split},
			[]Occurrence{withSeen(mk("bob-feed", "bob@example.com", "x", 0), "bob-feed", "cid-feed"), withSeen(other, "bob-feed")}},
	}
	for _, tc := range cases {
		got := Dedup(tc.in)
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s:\n got %+v\nwant %+v", tc.name, got, tc.want)
		}
		// Order of the input must not matter.
		r := rand.New(rand.NewSource(1))
		for i := 0; i < 5; i++ {
			in := append([]Occurrence(nil), tc.in...)
			r.Shuffle(len(in), func(i, j int) { in[i], in[j] = in[j], in[i] })
			if again := Dedup(in); !reflect.DeepEqual(again, got) {
				t.Errorf("%s: result depends on input order:\n%+v\n%+v", tc.name, again, got)
			}
			// Nor its split into Deduper batches (one per calendar in
			// the daemon), the batches reused after Add.
			var d Deduper
			for rest := in; len(rest) > 0; {
				n := 1 + r.Intn(len(rest))
				batch := append([]Occurrence(nil), rest[:n]...)
				d.Add(batch)
				for j := range batch {
					batch[j] = Occurrence{}
				}
				rest = rest[n:]
			}
			if again := d.Result(); !reflect.DeepEqual(again, got) {
				t.Errorf("%s: Deduper in batches:\n%+v\n%+v", tc.name, again, got)
			}
		}
	}
	if Dedup(nil) != nil {
		t.Errorf("Dedup(nil) != nil")
	}
}

func withSeen(o Occurrence, seen ...string) Occurrence {
	o.SeenIn = seen
	return o
}

// The same meeting read from both participants' feeds counts once.
func TestExpandDedupAcrossFeeds(t *testing.T) {
	ann := `BEGIN:VCALENDAR
BEGIN:VEVENT
UID:pair@example.com
DTSTART;TZID=Europe/Berlin:20240304T090000
DTEND;TZID=Europe/Berlin:20240304T093000
RRULE:FREQ=WEEKLY;COUNT=3
ORGANIZER:mailto:ann@example.com
ATTENDEE;PARTSTAT=ACCEPTED:mailto:bob@example.com
SEQUENCE:2
SUMMARY:Ann / Bob
END:VEVENT
END:VCALENDAR
`
	bob := `BEGIN:VCALENDAR
BEGIN:VEVENT
UID:pair@example.com
DTSTART:20240304T080000Z
DTEND:20240304T083000Z
RRULE:FREQ=WEEKLY;COUNT=3
ORGANIZER:mailto:ann@example.com
SEQUENCE:1
SUMMARY:Ann / Bob (old title)
END:VEVENT
END:VCALENDAR
`
	var events []Event
	for name, text := range map[string]string{"ann": ann, "bob": bob} {
		f := parseText(t, text, "UTC")
		for i := range f.Events {
			f.Events[i].Source = name
			f.Events[i].Owner = name + "@example.com"
		}
		events = append(events, f.Events...)
	}
	occs, _ := Expand(events, Window{From: utc("2024-03-01"), To: utc("2024-04-01")}, ExpandOptions{})
	if len(occs) != 6 {
		t.Fatalf("%d occurrences before dedup, want 6", len(occs))
	}
	// ExpandAppend appends the same, sorted on their own, after dst.
	head := []Occurrence{{UID: "zzz", Start: utc("2030-01-01")}}
	app, _ := ExpandAppend(head, events, Window{From: utc("2024-03-01"), To: utc("2024-04-01")}, ExpandOptions{})
	if len(app) != 7 || app[0].UID != "zzz" || !reflect.DeepEqual(app[1:], occs) {
		t.Errorf("ExpandAppend after one occurrence: %d, first %q; want 7 with Expand's after it", len(app), app[0].UID)
	}
	d := Dedup(occs)
	if len(d) != 3 {
		t.Fatalf("%d occurrences after dedup, want 3", len(d))
	}
	for _, o := range d {
		if o.Source != "ann" || o.Title != "Ann / Bob" || !reflect.DeepEqual(o.SeenIn, []string{"ann", "bob"}) {
			t.Errorf("kept %+v", o)
		}
	}
}
