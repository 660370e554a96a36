package store

import (
	"context"
	"fmt"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	calendarv3 "google.golang.org/api/calendar/v3"

	"github.com/cadence-dev/cadence/calendar"
	"github.com/cadence-dev/cadence/calendar/google"
	"github.com/cadence-dev/cadence/calendar/google/fakegoogle"
)

// benchSetup fills the fake with nCal calendars of nEv weekly series each.
func benchSetup(b *testing.B, nCal, nEv int) (*fakegoogle.Server, string, []google.Calendar) {
	fake := fakegoogle.New()
	srv := httptest.NewServer(fake)
	b.Cleanup(srv.Close)
	var cals []google.Calendar
	for c := range nCal {
		id := fmt.Sprintf("p%03d@example.com", c)
		fake.AddCalendar(id, "UTC")
		cals = append(cals, google.Calendar{ID: id, Name: id, Owner: id})
		evs := make([]*calendarv3.Event, nEv)
		for i := range evs {
			start := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC).Add(time.Duration(i) * time.Hour)
			evs[i] = &calendarv3.Event{
				Id: fmt.Sprintf("e%04d", i), Summary: "1:1", Recurrence: []string{"RRULE:FREQ=WEEKLY"},
				Start:     &calendarv3.EventDateTime{DateTime: start.Format(time.RFC3339), TimeZone: "UTC"},
				End:       &calendarv3.EventDateTime{DateTime: start.Add(30 * time.Minute).Format(time.RFC3339), TimeZone: "UTC"},
				Attendees: []*calendarv3.EventAttendee{{Email: id}, {Email: "boss@example.com"}},
			}
		}
		fake.LoadEvents(id, evs)
	}
	return fake, fakegoogle.CalendarEndpoint(srv.URL), cals
}

func benchSyncer(b *testing.B, st google.StateStore, endpoint string) *google.Syncer {
	sy, err := google.New(google.Config{Endpoint: endpoint, PerUserPerMinute: -1, PerProjectPerMinute: -1, Concurrency: 8}, st)
	if err != nil {
		b.Fatal(err)
	}
	return sy
}

func check(b *testing.B, rs []google.Result) {
	for _, r := range rs {
		if r.Err != nil {
			b.Fatal(r.Err)
		}
	}
}

// BenchmarkFullSyncSQLite: first sync of 100 calendars x 200 series into a
// fresh database.
func BenchmarkFullSyncSQLite(b *testing.B) {
	_, endpoint, cals := benchSetup(b, 100, 200)
	for i := 0; i < b.N; i++ {
		s, err := Open(context.Background(), filepath.Join(b.TempDir(), fmt.Sprintf("s%d.db", i)))
		if err != nil {
			b.Fatal(err)
		}
		check(b, benchSyncer(b, s, endpoint).SyncAll(context.Background(), cals))
		s.Close()
	}
}

// BenchmarkIncrementalSQLite: a cycle over the same 100 calendars where
// one event changed in each.
func BenchmarkIncrementalSQLite(b *testing.B) {
	fake, endpoint, cals := benchSetup(b, 100, 200)
	s, err := Open(context.Background(), filepath.Join(b.TempDir(), "s.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	sy := benchSyncer(b, s, endpoint)
	check(b, sy.SyncAll(context.Background(), cals))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		for _, c := range cals {
			if err := fake.SetResponse(c.ID, "e0001", "boss@example.com", []string{"accepted", "declined"}[i%2]); err != nil {
				b.Fatal(err)
			}
		}
		b.StartTimer()
		check(b, sy.SyncAll(context.Background(), cals))
	}
}

// BenchmarkUnchangedSQLite: a cycle over 100 calendars with no change.
func BenchmarkUnchangedSQLite(b *testing.B) {
	_, endpoint, cals := benchSetup(b, 100, 200)
	s, err := Open(context.Background(), filepath.Join(b.TempDir(), "s.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	sy := benchSyncer(b, s, endpoint)
	check(b, sy.SyncAll(context.Background(), cals))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		check(b, sy.SyncAll(context.Background(), cals))
	}
}

// BenchmarkSaveHistory writes the first history of a large org: 100,000
// occurrences in batches of 2,000, as the daemon's first evaluation does.
func BenchmarkSaveHistory(b *testing.B) {
	t0 := time.Date(2026, 5, 4, 9, 0, 0, 0, time.UTC)
	entries := make([]calendar.Seen, 100000)
	for i := range entries {
		uid := fmt.Sprintf("%08x-%04x@orgsim.example.com", uint32(i/20)*2654435761, i/20)
		start := t0.Add(time.Duration(i%20) * 7 * 24 * time.Hour)
		entries[i] = calendar.Seen{LastSeen: t0, Occ: calendar.Occurrence{
			UID: uid, SeriesUID: uid, OriginalStart: start, Start: start, End: start.Add(30 * time.Minute),
			Status: calendar.StatusConfirmed, Title: "Ada / Bo", Organizer: "ada.silva@example.com",
			Attendees: []calendar.Attendee{{Email: "ada.silva@example.com", Response: calendar.ResponseAccepted, Organizer: true},
				{Email: "bo.lee@example.com", Response: calendar.ResponseAccepted}},
			Recurring: true, Source: "ada.silva", Owner: "ada.silva@example.com", SeenIn: []string{"ada.silva", "bo.lee"},
		}}
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		s, err := Open(context.Background(), filepath.Join(b.TempDir(), fmt.Sprintf("h%d.db", i)))
		if err != nil {
			b.Fatal(err)
		}
		for rest := entries; len(rest) > 0; {
			n := min(2000, len(rest))
			if err := s.SaveHistory(context.Background(), rest[:n], nil); err != nil {
				b.Fatal(err)
			}
			rest = rest[n:]
		}
		s.Close()
	}
	b.ReportMetric(float64(len(entries)), "rows")
}
