package google_test

import (
	"context"
	"net/http/httptest"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	calendarv3 "google.golang.org/api/calendar/v3"

	"github.com/cadence-dev/cadence/calendar"
	"github.com/cadence-dev/cadence/calendar/google"
	"github.com/cadence-dev/cadence/calendar/google/fakegoogle"
)

// fakeClock advances only when someone sleeps on it.
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

// at is a wall time in Berlin.
func at(month time.Month, day, hour, min int) time.Time {
	return time.Date(2026, month, day, hour, min, 0, 0, berlin)
}

func edt(t time.Time) *calendarv3.EventDateTime {
	return &calendarv3.EventDateTime{DateTime: t.Format(time.RFC3339), TimeZone: "Europe/Berlin"}
}

const (
	ana = "ana@example.com"
	bo  = "bo@example.com"
	cy  = "cy@example.com"
)

// weekly1on1 is Ana's weekly 30-minute 1:1 with Bo, Mondays 10:00 Berlin
// from 5 January 2026, with a room.
func weekly1on1() *calendarv3.Event {
	return &calendarv3.Event{
		Id:         "w1on1",
		ICalUID:    "w1on1@google.com",
		Summary:    "Ana / Bo",
		Start:      edt(at(time.January, 5, 10, 0)),
		End:        edt(at(time.January, 5, 10, 30)),
		Recurrence: []string{"RRULE:FREQ=WEEKLY;BYDAY=MO"},
		Organizer:  &calendarv3.EventOrganizer{Email: "Ana@Example.com"},
		Attendees: []*calendarv3.EventAttendee{
			{Email: ana, Organizer: true, ResponseStatus: "accepted"},
			{Email: bo, ResponseStatus: "accepted", DisplayName: "Bo"},
			{Email: "room-1@resource.calendar.google.com", Resource: true, ResponseStatus: "accepted"},
		},
		Description: "agenda: secret things",
		Location:    "Room 1",
	}
}

func single() *calendarv3.Event {
	return &calendarv3.Event{
		Id:        "kickoff",
		Summary:   "Kickoff",
		Start:     edt(at(time.January, 7, 14, 0)),
		End:       edt(at(time.January, 7, 15, 0)),
		Organizer: &calendarv3.EventOrganizer{Email: cy},
		Attendees: []*calendarv3.EventAttendee{{Email: ana}, {Email: cy, Organizer: true}},
	}
}

func ooo() *calendarv3.Event {
	return &calendarv3.Event{
		Id:           "ooo1",
		Summary:      "Out of office",
		EventType:    "outOfOffice",
		Transparency: "opaque",
		Start:        &calendarv3.EventDateTime{Date: "2026-02-02"},
		End:          &calendarv3.EventDateTime{Date: "2026-02-04"},
		Organizer:    &calendarv3.EventOrganizer{Email: ana},
	}
}

type env struct {
	t     *testing.T
	fake  *fakegoogle.Server
	srv   *httptest.Server
	store *google.MemoryStore
	clock *fakeClock
	reg   *prometheus.Registry
	sync  *google.Syncer
	cals  []google.Calendar
}

func newEnv(t *testing.T, cfg google.Config) *env {
	t.Helper()
	e := &env{t: t, fake: fakegoogle.New(), store: google.NewMemoryStore(), clock: newFakeClock(), reg: prometheus.NewRegistry()}
	e.srv = httptest.NewServer(e.fake)
	t.Cleanup(e.srv.Close)
	cfg.Endpoint = fakegoogle.CalendarEndpoint(e.srv.URL)
	cfg.Clock = e.clock
	cfg.Registerer = e.reg
	s, err := google.New(cfg, e.store)
	if err != nil {
		t.Fatal(err)
	}
	e.sync = s
	for _, owner := range []string{ana, bo, cy} {
		e.fake.AddCalendar(owner, "Europe/Berlin")
		e.cals = append(e.cals, google.Calendar{ID: owner, Name: "google:" + owner, Owner: owner, Zone: berlin})
	}
	return e
}

// load puts the standard dataset in: the 1:1 series in Ana's and Bo's
// calendars, the kickoff in Ana's and Cy's, Ana's out-of-office.
func (e *env) load() {
	e.fake.LoadEvents(ana, []*calendarv3.Event{weekly1on1(), single(), ooo()})
	e.fake.LoadEvents(bo, []*calendarv3.Event{weekly1on1()})
	e.fake.LoadEvents(cy, []*calendarv3.Event{single()})
}

// syncAll runs a cycle and fails the test on any calendar error.
func (e *env) syncAll() []google.Result {
	e.t.Helper()
	rs := e.sync.SyncAll(context.Background(), e.cals)
	for _, r := range rs {
		if r.Err != nil {
			e.t.Fatalf("sync %s: %v", r.Calendar.ID, r.Err)
		}
		if len(r.Feed.Warnings) > 0 {
			e.t.Fatalf("sync %s: warnings %v", r.Calendar.ID, r.Feed.Warnings)
		}
	}
	return rs
}

var window = calendar.Window{From: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)}

// occurrences expands the feed of one result.
func occurrences(t *testing.T, r google.Result) []calendar.Occurrence {
	t.Helper()
	occs, warns := calendar.Expand(r.Feed.Events, window, calendar.ExpandOptions{Zone: berlin})
	if len(warns) > 0 {
		t.Fatalf("expand %s: %v", r.Calendar.ID, warns)
	}
	return occs
}

func byID(t *testing.T, rs []google.Result, id string) google.Result {
	t.Helper()
	for _, r := range rs {
		if r.Calendar.ID == id {
			return r
		}
	}
	t.Fatalf("no result for %s", id)
	return google.Result{}
}

// find returns the occurrences of series uid with original start orig.
func find(occs []calendar.Occurrence, seriesUID string, orig time.Time) []calendar.Occurrence {
	var out []calendar.Occurrence
	for _, o := range occs {
		if o.SeriesUID == seriesUID && o.OriginalStart.Equal(orig) {
			out = append(out, o)
		}
	}
	return out
}

func starts(occs []calendar.Occurrence, seriesUID string) []string {
	var out []string
	for _, o := range occs {
		if o.SeriesUID == seriesUID {
			s := o.Start.In(berlin).Format("01-02 15:04")
			if o.Cancelled() {
				s += " cancelled"
			}
			out = append(out, s)
		}
	}
	sort.Strings(out)
	return out
}
