package store

import (
	"context"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/cadence-dev/cadence/calendar/microsoft"
	"github.com/cadence-dev/cadence/calendar/microsoft/fakegraph"
	"github.com/cadence-dev/cadence/calendar/microsoft/graph"
)

type msClock struct{ t time.Time }

func (c msClock) Now() time.Time                                   { return c.t }
func (c msClock) Sleep(ctx context.Context, _ time.Duration) error { return ctx.Err() }

// TestMicrosoftStateAcrossRestarts: a mailbox synced into the store is
// restored by a new syncer on a reopened store without any request, and
// the next cycle is one incremental request.
func TestMicrosoftStateAcrossRestarts(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "state.db")
	fake := fakegraph.New()
	srv := httptest.NewServer(fake)
	defer srv.Close()
	const ana = "ana@example.com"
	fake.AddMailbox("", ana)
	first := time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)
	if err := fake.PutEvent(ana, graph.Event{ID: "s", Subject: "Ana / Bo", IsOrganizer: true,
		Start: graph.UTC(first), End: graph.UTC(first.Add(30 * time.Minute)),
		Attendees: []graph.Attendee{{EmailAddress: graph.EmailAddress{Address: "bo@example.com"}}},
		Recurrence: &graph.PatternedRecurrence{Pattern: &graph.RecurrencePattern{Type: "weekly", Interval: 1, DaysOfWeek: []string{"monday"}},
			Range: &graph.RecurrenceRange{Type: "noEnd"}}}); err != nil {
		t.Fatal(err)
	}
	if err := fake.CancelOccurrence(ana, "s", first.AddDate(0, 0, 7)); err != nil {
		t.Fatal(err)
	}
	cfg := microsoft.Config{Endpoint: fakegraph.Endpoint(srv.URL), Clock: msClock{first}}
	s := open(t, path)
	syncer, err := microsoft.New(cfg, s)
	if err != nil {
		t.Fatal(err)
	}
	res := syncer.Sync(ctx, microsoft.Mailbox{ID: ana})
	if res.Err != nil {
		t.Fatal(res.Err)
	}
	s.Close()

	s = open(t, path)
	defer s.Close()
	st, err := s.LoadMailbox(ctx, ana)
	if err != nil || st == nil || len(st.Masters) != 1 || len(st.Events) == 0 || st.DeltaLink == "" || !st.WindowStart.Before(first) {
		t.Fatalf("stored state %+v, %v", st, err)
	}
	syncer2, _ := microsoft.New(cfg, s)
	fake.ResetCounts()
	feed, _, err := syncer2.Events(ctx, microsoft.Mailbox{ID: ana})
	if err != nil || feed == nil || len(feed.Events) != len(res.Feed.Events) {
		t.Fatalf("restored feed %v, %v", feed, err)
	}
	if n := fake.TotalRequests(fakegraph.MethodDelta); n != 0 {
		t.Errorf("restore sent %d requests", n)
	}
	r2 := syncer2.Sync(ctx, microsoft.Mailbox{ID: ana})
	if r2.Err != nil || r2.Full || r2.Requests != 1 {
		t.Errorf("after restart: err %v full %v requests %d; want one incremental request", r2.Err, r2.Full, r2.Requests)
	}
	if err := s.DeleteMailbox(ctx, ana); err != nil {
		t.Fatal(err)
	}
	if st, err := s.LoadMailbox(ctx, ana); st != nil || err != nil {
		t.Errorf("after delete: %v, %v", st, err)
	}
}
