package cadence

import (
	"testing"
	"time"

	"github.com/cadence-dev/cadence/calendar"
)

// TestParticipantsCacheKeys checks the per-attendee-list cache of the
// classifier: occurrences sharing one Attendees slice but with different
// organizers or lengths classify independently, and a repeated list gives
// the same result as a fresh read.
func TestParticipantsCacheKeys(t *testing.T) {
	dir := testDir(t)
	at := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	atts := []calendar.Attendee{{Email: "e1@example.com"}, {Email: "e2@example.com", Response: calendar.ResponseDeclined}}
	occs := []calendar.Occurrence{
		{UID: "a", SeriesUID: "a", Start: at, OriginalStart: at, End: at.Add(30 * time.Minute), Organizer: "m1@example.com", Attendees: atts[:1]},
		{UID: "b", SeriesUID: "b", Start: at, OriginalStart: at, End: at.Add(30 * time.Minute), Organizer: "m1@example.com", Attendees: atts},
		{UID: "c", SeriesUID: "c", Start: at, OriginalStart: at, End: at.Add(30 * time.Minute), Organizer: "e3@example.com", Attendees: atts[:1]},
		{UID: "a", SeriesUID: "a", Start: at.Add(time.Hour), OriginalStart: at.Add(time.Hour), End: at.Add(90 * time.Minute), Organizer: "m1@example.com", Attendees: atts[:1]},
	}
	c := newClassifier(dir, testOpts(), occs)
	want := []struct {
		people   int
		declined int
	}{{2, 0}, {3, 1}, {2, 0}, {2, 0}}
	for i := range occs {
		p := c.participants(&occs[i], false)
		fresh := newClassifier(dir, testOpts(), occs).readParticipants(&occs[i], false)
		if len(p.people) != want[i].people || len(p.declined) != want[i].declined || len(fresh.people) != len(p.people) {
			t.Errorf("occurrence %d: people %v declined %v (fresh %v); want %d people, %d declined", i, p.people, p.declined, fresh.people, want[i].people, want[i].declined)
		}
		for j := range fresh.people {
			if fresh.people[j] != p.people[j] {
				t.Errorf("occurrence %d: cached %v, fresh %v", i, p.people, fresh.people)
			}
		}
	}
	if p := c.participants(&occs[2], false); p.people[0] != "e1@example.com" || p.people[1] != "e3@example.com" {
		t.Errorf("organizer e3: people %v", p.people)
	}
}
