package microsoft_test

import (
	"context"
	"net/http/httptest"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/cadence-dev/cadence/calendar"
	"github.com/cadence-dev/cadence/calendar/microsoft"
	"github.com/cadence-dev/cadence/calendar/microsoft/fakegraph"
	"github.com/cadence-dev/cadence/calendar/microsoft/graph"
)

// fakeClock advances only when someone sleeps on it (or the test moves it).
type fakeClock struct {
	mu     sync.Mutex
	now    time.Time
	sleeps []time.Duration
}

func newFakeClock() *fakeClock {
	return &fakeClock{now: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if d > 0 {
		c.now = c.now.Add(d)
	}
	c.sleeps = append(c.sleeps, d)
	return nil
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func (c *fakeClock) Sleeps() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]time.Duration(nil), c.sleeps...)
}

var berlin = mustZone("Europe/Berlin")

func mustZone(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

// at is a wall time in Berlin in 2026.
func at(month time.Month, day, hour, min int) time.Time {
	return time.Date(2026, month, day, hour, min, 0, 0, berlin)
}

// wall is a Berlin wall time as Graph writes it with the Windows zone
// name Exchange uses.
func wall(t time.Time) *graph.DateTimeTimeZone {
	return &graph.DateTimeTimeZone{DateTime: t.In(berlin).Format(graph.DateTimeLayout), TimeZone: "W. Europe Standard Time"}
}

const (
	ana = "ana@example.com"
	bo  = "bo@example.com"
	cy  = "cy@example.com"
)

// window is what the tests expand.
var window = calendar.Window{From: at(time.January, 1, 0, 0), To: at(time.May, 1, 0, 0)}

func person(email, name string, response string) graph.Attendee {
	return graph.Attendee{Type: "required", Status: &graph.ResponseStatus{Response: response}, EmailAddress: graph.EmailAddress{Address: email, Name: name}}
}

// weekly is Ana's weekly 30-minute 1:1 with Bo, Mondays 10:00 Berlin from
// 5 January 2026: the master id in mailbox box (ids differ per mailbox;
// the iCalUId is the meeting's).
func weekly(id string, organizer bool) graph.Event {
	return graph.Event{
		ID: id, ICalUID: seriesUID, Subject: "Ana / Bo", IsOrganizer: organizer,
		Start: wall(at(time.January, 5, 10, 0)), End: wall(at(time.January, 5, 10, 30)),
		Organizer: &graph.Recipient{EmailAddress: graph.EmailAddress{Address: ana, Name: "Ana"}},
		Attendees: []graph.Attendee{person(bo, "Bo", "accepted")},
		ShowAs:    "busy",
		Recurrence: &graph.PatternedRecurrence{
			Pattern: &graph.RecurrencePattern{Type: "weekly", Interval: 1, DaysOfWeek: []string{"monday"}, FirstDayOfWeek: "sunday"},
			Range:   &graph.RecurrenceRange{Type: "noEnd", StartDate: "2026-01-05", RecurrenceTimeZone: "W. Europe Standard Time"},
		},
	}
}

var seriesUID = fakegraph.GOID("ana-bo-weekly")

// env is a fake server with Ana's and Bo's mailboxes, and a Syncer on a
// fake clock.
type env struct {
	t      *testing.T
	fake   *fakegraph.Server
	srv    *httptest.Server
	clock  *fakeClock
	store  *microsoft.MemoryStore
	syncer *microsoft.Syncer
}

func newEnv(t *testing.T, cfg microsoft.Config) *env {
	t.Helper()
	e := &env{t: t, fake: fakegraph.New(), clock: newFakeClock(), store: microsoft.NewMemoryStore()}
	e.srv = httptest.NewServer(e.fake)
	t.Cleanup(e.srv.Close)
	for _, m := range []string{ana, bo, cy} {
		e.fake.AddMailbox("", m)
	}
	cfg.Endpoint = fakegraph.Endpoint(e.srv.URL)
	cfg.Clock = e.clock
	var err error
	if e.syncer, err = microsoft.New(cfg, e.store); err != nil {
		t.Fatal(err)
	}
	return e
}

// load puts the weekly series in both mailboxes, a one-off 1:1 in both,
// and Ana's out-of-office day.
func (e *env) load() {
	e.t.Helper()
	must(e.t, e.fake.PutEvent(ana, weekly("ana-weekly", true)))
	must(e.t, e.fake.PutEvent(bo, weekly("bo-weekly", false)))
	one := graph.Event{ID: "ana-oneoff", ICalUID: fakegraph.GOID("oneoff"), Subject: "Ana / Bo: planning", IsOrganizer: true,
		Start: wall(at(time.February, 11, 15, 0)), End: wall(at(time.February, 11, 15, 45)),
		Organizer: &graph.Recipient{EmailAddress: graph.EmailAddress{Address: ana}},
		Attendees: []graph.Attendee{person(bo, "Bo", "accepted"), {Type: "resource", Status: &graph.ResponseStatus{Response: "accepted"}, EmailAddress: graph.EmailAddress{Address: "room-1@example.com", Name: "Room 1"}}},
		ShowAs:    "busy"}
	must(e.t, e.fake.PutEvent(ana, one))
	one.ID, one.IsOrganizer = "bo-oneoff", false
	must(e.t, e.fake.PutEvent(bo, one))
	must(e.t, e.fake.PutEvent(ana, graph.Event{ID: "ana-ooo", Subject: "Vacation", IsOrganizer: true, IsAllDay: true, ShowAs: "oof",
		Start:     &graph.DateTimeTimeZone{DateTime: "2026-02-20T00:00:00.0000000", TimeZone: "W. Europe Standard Time"},
		End:       &graph.DateTimeTimeZone{DateTime: "2026-02-21T00:00:00.0000000", TimeZone: "W. Europe Standard Time"},
		Organizer: &graph.Recipient{EmailAddress: graph.EmailAddress{Address: ana}}}))
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func (e *env) mailboxes() []microsoft.Mailbox {
	return []microsoft.Mailbox{{ID: ana, Zone: berlin}, {ID: bo, Zone: berlin}}
}

func (e *env) sync(id string) microsoft.Result {
	e.t.Helper()
	return e.syncer.Sync(context.Background(), microsoft.Mailbox{ID: id, Zone: berlin})
}

func (e *env) syncOK(id string) microsoft.Result {
	e.t.Helper()
	r := e.sync(id)
	if r.Err != nil {
		e.t.Fatalf("sync %s: %v", id, r.Err)
	}
	if len(r.Feed.Warnings) > 0 {
		e.t.Errorf("sync %s: warnings %v", id, r.Feed.Warnings)
	}
	return r
}

func occurrences(t *testing.T, r microsoft.Result) []calendar.Occurrence {
	t.Helper()
	occs, warns := calendar.Expand(r.Feed.Events, window, calendar.ExpandOptions{Zone: berlin})
	if len(warns) > 0 {
		t.Errorf("expand %s: %v", r.Mailbox.ID, warns)
	}
	return occs
}

// of returns the occurrences of a series, by original start.
func of(occs []calendar.Occurrence, uid string) []calendar.Occurrence {
	var out []calendar.Occurrence
	for _, o := range occs {
		if o.SeriesUID == uid {
			out = append(out, o)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].OriginalStart.Before(out[j].OriginalStart) })
	return out
}

func find(t *testing.T, occs []calendar.Occurrence, uid string, orig time.Time) calendar.Occurrence {
	t.Helper()
	for _, o := range occs {
		if o.SeriesUID == uid && o.OriginalStart.Equal(orig) {
			return o
		}
	}
	t.Fatalf("no occurrence of %s at %v", uid, orig)
	return calendar.Occurrence{}
}
