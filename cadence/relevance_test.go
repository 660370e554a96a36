package cadence

import (
	"reflect"
	"sort"
	"testing"
	"time"

	"github.com/cadence-dev/cadence/calendar"
)

func evOf(o calendar.Occurrence) calendar.Event {
	return calendar.Event{UID: o.UID, SeriesUID: o.SeriesUID, Start: o.Start, End: o.End, Status: o.Status,
		Title: o.Title, Organizer: o.Organizer, Attendees: o.Attendees, OutOfOffice: o.OutOfOffice, Owner: o.Owner, Source: o.Source}
}

func TestRelevanceEvent(t *testing.T) {
	r := NewRelevance(testDir(t), testOpts())
	h := time.Hour
	cases := []struct {
		name string
		o    calendar.Occurrence
		want bool
	}{
		{"two directory people", mk("a", T, h, "m1@example.com", "e1@example.com"), true},
		{"two people, an alias and a declined attendee", mk("a", T, h, "vp.alias@example.com", "m1@example.com:declined"), true},
		{"two people, a room and a bot", mk("a", T, h, "m1@example.com", "e1@example.com", "room1@example.com:room", "notes@otter.ai"), true},
		{"one person and a title", with(mk("a", T, h, "m1@example.com"), func(o *calendar.Occurrence) { o.Title = "Mina Ueda / Eli Stone" }), true},
		{"no organizer, no attendee", mk("a", T, h, ""), true},
		{"three directory people", mk("a", T, h, "m1@example.com", "e1@example.com", "e2@example.com"), false},
		{"two people and an external guest", mk("a", T, h, "m1@example.com", "e1@example.com", "guest@elsewhere.com"), false},
		{"a group out-of-office by flag", with(mk("a", T, h, "m1@example.com", "e1@example.com", "e2@example.com"), func(o *calendar.Occurrence) { o.OutOfOffice = true }), true},
		{"a group out-of-office by title", with(mk("a", T, h, "m1@example.com", "e1@example.com", "e2@example.com"), func(o *calendar.Occurrence) { o.Title = "Vacation" }), true},
	}
	for _, tc := range cases {
		e := evOf(tc.o)
		if got := r.Event(&e); got != tc.want {
			t.Errorf("%s: Event = %v, want %v", tc.name, got, tc.want)
		}
	}
}

// A series is kept whole, across sources, when any of its events in any
// source can matter: Dedup must still see every copy.
func TestRelevanceFilterKeepsWholeSeries(t *testing.T) {
	h := time.Hour
	group := evOf(mk("g", T, h, "m1@example.com", "e1@example.com", "e2@example.com"))
	// A series whose master is a group meeting and whose one override is
	// a 1:1 (e2 removed from that instance).
	master := evOf(mk("s", T, h, "m1@example.com", "e1@example.com", "e2@example.com"))
	override := evOf(mk("s", T.Add(7*24*h), h, "m1@example.com", "e1@example.com"))
	override.RecurrenceID = override.Start
	// The same meeting in two calendars: a stale 1:1 copy in e1's, the
	// organizer's copy with a third person.
	stale := evOf(mk("c", T, h, "m1@example.com", "e1@example.com"))
	current := evOf(mk("c", T, h, "m1@example.com", "e1@example.com", "e3@example.com"))
	oneOnOne := evOf(mk("o", T, h, "m2@example.com", "e3@example.com"))

	feeds := [][]calendar.Event{{group, master, current, oneOnOne}, {override, stale, group}}
	kept, removed := filter(NewRelevance(testDir(t), testOpts()), feeds)
	uids := func(evs []calendar.Event) []string {
		var out []string
		for _, e := range evs {
			out = append(out, e.UID)
		}
		return out
	}
	if got, want := uids(kept[0]), []string{"s", "c", "o"}; !reflect.DeepEqual(got, want) {
		t.Errorf("first source kept %v, want %v", got, want)
	}
	if got, want := uids(kept[1]), []string{"s", "c"}; !reflect.DeepEqual(got, want) {
		t.Errorf("second source kept %v, want %v", got, want)
	}
	var rm []string
	for u := range removed {
		rm = append(rm, u)
	}
	sort.Strings(rm)
	if want := []string{"g"}; !reflect.DeepEqual(rm, want) {
		t.Errorf("removed %v, want %v", rm, want)
	}
	// A source nothing was removed from is returned as is.
	only := [][]calendar.Event{{oneOnOne}}
	k, _ := filter(NewRelevance(testDir(t), testOpts()), only)
	if &k[0][0] != &only[0][0] {
		t.Error("an unfiltered source was copied")
	}
}

// filter is Series and KeepSeries for every source at once, as the engine
// uses them.
func filter(r *Relevance, feeds [][]calendar.Event) (kept [][]calendar.Event, removed map[string]bool) {
	keep, removed := r.Series(feeds)
	kept = make([][]calendar.Event, len(feeds))
	for i, evs := range feeds {
		kept[i] = KeepSeries(evs, keep)
	}
	return kept, removed
}
