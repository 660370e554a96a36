package microsoft_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"time"

	"github.com/cadence-dev/cadence/calendar"
	"github.com/cadence-dev/cadence/calendar/microsoft"
	"github.com/cadence-dev/cadence/calendar/microsoft/fakegraph"
	"github.com/cadence-dev/cadence/calendar/microsoft/graph"
)

// stillClock is fixed at one instant (no request here waits).
type stillClock struct{ t time.Time }

func (c stillClock) Now() time.Time                                   { return c.t }
func (c stillClock) Sleep(ctx context.Context, _ time.Duration) error { return ctx.Err() }

// Example syncs one mailbox from the fake Graph server: a weekly 1:1
// whose third occurrence the organizer cancelled (Exchange then simply
// no longer lists it) and whose fourth was moved.
func Example() {
	fake := fakegraph.New()
	srv := httptest.NewServer(fake)
	defer srv.Close()
	fake.AddMailbox("", "ana@example.com")
	first := time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)
	_ = fake.PutEvent("ana@example.com", graph.Event{
		ID: "series-1", Subject: "Ana / Bo", IsOrganizer: true,
		Start: graph.UTC(first), End: graph.UTC(first.Add(30 * time.Minute)),
		Attendees: []graph.Attendee{{Type: "required", EmailAddress: graph.EmailAddress{Address: "bo@example.com"},
			Status: &graph.ResponseStatus{Response: "accepted"}}},
		Recurrence: &graph.PatternedRecurrence{
			Pattern: &graph.RecurrencePattern{Type: "weekly", Interval: 1, DaysOfWeek: []string{"monday"}},
			Range:   &graph.RecurrenceRange{Type: "numbered", NumberOfOccurrences: 4, StartDate: "2026-11-02"},
		},
	})
	_ = fake.CancelOccurrence("ana@example.com", "series-1", first.AddDate(0, 0, 14))
	_ = fake.MoveOccurrence("ana@example.com", "series-1", first.AddDate(0, 0, 21), first.AddDate(0, 0, 22), first.AddDate(0, 0, 22).Add(30*time.Minute))

	syncer, err := microsoft.New(microsoft.Config{Endpoint: fakegraph.Endpoint(srv.URL), Clock: stillClock{first}}, microsoft.NewMemoryStore())
	if err != nil {
		panic(err)
	}
	res := syncer.Sync(context.Background(), microsoft.Mailbox{ID: "ana@example.com"})
	if res.Err != nil {
		panic(res.Err)
	}
	occs, _ := calendar.Expand(res.Feed.Events, calendar.Window{From: first, To: first.AddDate(0, 1, 0)}, calendar.ExpandOptions{})
	for _, o := range occs {
		fmt.Println(o.Start.Format("Mon 02 Jan 15:04"), o.Status, o.Moved(), o.Attendees[0].Email)
	}
	fmt.Println("requests:", res.Requests)
	// Output:
	// Mon 02 Nov 10:00 confirmed false bo@example.com
	// Mon 09 Nov 10:00 confirmed false bo@example.com
	// Mon 16 Nov 10:00 cancelled false bo@example.com
	// Tue 24 Nov 10:00 confirmed true bo@example.com
	// requests: 2
}
