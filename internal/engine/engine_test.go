package engine

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/cadence-dev/cadence/cadence"
	"github.com/cadence-dev/cadence/calendar"
)

// memSource is a calendar.Source over fixed feeds: feeds[name] is what a
// sync returns, errs[name] makes it fail, stored[name] is what Restore
// returns.
type memSource struct {
	names  []string
	owners map[string]string
	feeds  map[string]*calendar.Feed
	errs   map[string]error
	stored map[string]*calendar.Feed
	mu     sync.Mutex
	syncs  int
}

func (m *memSource) Kind() string { return "mem" }

func (m *memSource) Calendars(org calendar.Org) []calendar.Calendar {
	var out []calendar.Calendar
	for _, n := range m.names {
		owner, _ := org.Resolve(m.owners[n])
		out = append(out, calendar.Calendar{Name: n, Owner: owner, Zone: time.UTC, ID: n})
	}
	return out
}

func (m *memSource) Restore(_ context.Context, cal calendar.Calendar) (*calendar.Restored, error) {
	if f := m.stored[cal.Name]; f != nil {
		return &calendar.Restored{Feed: f, LastSuccess: at(1)}, nil
	}
	return nil, nil
}

func (m *memSource) Sync(_ context.Context, cals []calendar.Calendar, done func(calendar.SyncResult)) {
	m.mu.Lock()
	m.syncs++
	m.mu.Unlock()
	for _, c := range cals {
		if err := m.errs[c.Name]; err != nil {
			done(calendar.SyncResult{Calendar: c, Err: err, Reason: "fetch"})
			continue
		}
		done(calendar.SyncResult{Calendar: c, Feed: m.feeds[c.Name]})
	}
}

func at(d int) time.Time { return time.Date(2026, 11, d, 10, 0, 0, 0, time.UTC) }

// oneOnOne is a 30-minute meeting of lead and member on day d.
func oneOnOne(uid string, d int, withAttendees bool) calendar.Event {
	e := calendar.Event{UID: uid, SeriesUID: uid, Start: at(d), End: at(d).Add(30 * time.Minute), Status: calendar.StatusConfirmed, Title: "Lee / Ann"}
	if withAttendees {
		e.Organizer = "lead@example.com"
		e.Attendees = []calendar.Attendee{{Email: "lead@example.com"}, {Email: "ann@example.com"}}
	}
	return e
}

func testOptions(t *testing.T, src *memSource, notes *[]string) Options {
	t.Helper()
	ppl, err := cadence.ParseDirectoryCSV(strings.NewReader(people), "people.csv")
	if err != nil {
		t.Fatal(err)
	}
	return Options{
		Directory: []DirectorySource{DirectoryFunc(func(context.Context) ([]cadence.Person, error) { return ppl, nil })},
		Sources:   []calendar.Source{src},
		Eval:      cadence.Options{Rules: cadence.DefaultRules(), Window: cadence.DefaultWindow, MaxDuration: cadence.DefaultMaxDuration, SkipLevels: cadence.DefaultSkipLevels},
		Clock:     fixedClock{at(20)},
		Notify:    func(source, msg string) { *notes = append(*notes, source+": "+msg) },
	}
}

type fixedClock struct{ t time.Time }

func (c fixedClock) Now() time.Time                       { return c.t }
func (c fixedClock) After(time.Duration) <-chan time.Time { return nil }

func pairOf(t *testing.T, s *cadence.Snapshot, member string) cadence.Pair {
	t.Helper()
	for _, p := range s.Pairs {
		if p.Member == member {
			return p
		}
	}
	t.Fatalf("no pair with %s", member)
	return cadence.Pair{}
}

// TestAttendeelessFeedWarns: a feed whose events carry no attendee and no
// organizer is read fine but cannot show a 1:1: its status says so (report
// sources, page, metric), Notify (stderr) and the log say so.
func TestAttendeelessFeedWarns(t *testing.T) {
	src := &memSource{
		names:  []string{"lead", "ann"},
		owners: map[string]string{"lead": "lead@example.com", "ann": "ann@example.com"},
		feeds: map[string]*calendar.Feed{
			"lead": {Events: []calendar.Event{oneOnOne("one", 10, true)}},
			"ann":  {Events: []calendar.Event{oneOnOne("two", 12, false)}},
		},
	}
	var notes []string
	ev, err := New(testOptions(t, src, &notes)).Once(context.Background(), at(20))
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]cadence.SourceStatus{}
	for _, s := range ev.Snapshot.Sources {
		byName[s.Name] = s
	}
	if s := byName["ann"]; !s.OK || !s.NoAttendees || !strings.Contains(s.Warning, "cannot show 1:1s") {
		t.Errorf("ann's status %+v: want ok with the no-attendee warning", s)
	}
	if s := byName["lead"]; !s.OK || s.NoAttendees || s.Warning != "" {
		t.Errorf("lead's status %+v: want ok without warning", s)
	}
	if len(notes) != 1 || !strings.HasPrefix(notes[0], "ann: warning: no event carries an ATTENDEE or ORGANIZER") {
		t.Errorf("notes %q: want the warning for ann", notes)
	}
	if p := pairOf(t, ev.Snapshot, "ann@example.com"); p.Window.Held != 1 {
		t.Errorf("lead/ann held %d, want 1 (from lead's feed)", p.Window.Held)
	}
	// An empty calendar is not warned about: it has nothing to show.
	src.feeds["ann"] = &calendar.Feed{}
	notes = nil
	ev, err = New(testOptions(t, src, &notes)).Once(context.Background(), at(20))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range ev.Snapshot.Sources {
		if s.Warning != "" {
			t.Errorf("empty calendar %s warned: %q", s.Name, s.Warning)
		}
	}
}

// TestFailingCalendarKeepsStoredData: a calendar that fails its sync is
// reported failing and its stored data still counts; the others are read.
func TestFailingCalendarKeepsStoredData(t *testing.T) {
	src := &memSource{
		names:  []string{"lead", "ann"},
		owners: map[string]string{"lead": "lead@example.com", "ann": "ann@example.com"},
		feeds:  map[string]*calendar.Feed{"ann": {Events: []calendar.Event{oneOnOne("two", 12, true)}}},
		errs:   map[string]error{"lead": errors.New("calendar: feed lead (example.com): HTTP status 503 Service Unavailable")},
		stored: map[string]*calendar.Feed{"lead": {Events: []calendar.Event{oneOnOne("one", 5, true)}}},
	}
	var notes []string
	ev, err := New(testOptions(t, src, &notes)).Once(context.Background(), at(20))
	if err != nil {
		t.Fatal(err)
	}
	var lead cadence.SourceStatus
	for _, s := range ev.Snapshot.Sources {
		if s.Name == "lead" {
			lead = s
		}
	}
	if lead.OK || !strings.Contains(lead.Error, "503") || lead.LastSuccess == nil || !lead.LastSuccess.Equal(at(1)) {
		t.Errorf("lead's status %+v: want failing, with the stored data's last success", lead)
	}
	if p := pairOf(t, ev.Snapshot, "ann@example.com"); p.Window.Held != 2 {
		t.Errorf("lead/ann held %d, want 2 (stored + read)", p.Window.Held)
	}
	if len(notes) != 1 || !strings.Contains(notes[0], "503") {
		t.Errorf("notes %q: want the failure", notes)
	}
}

// TestLastWeek: the evaluation a week earlier uses the same occurrences
// at LastWeek(T), without per-pair occurrence lists; NoLastWeek skips it.
func TestLastWeek(t *testing.T) {
	src := &memSource{
		names:  []string{"lead"},
		owners: map[string]string{"lead": "lead@example.com"},
		feeds:  map[string]*calendar.Feed{"lead": {Events: []calendar.Event{oneOnOne("a", 2, true), oneOnOne("b", 16, true)}}},
	}
	var notes []string
	ev, err := New(testOptions(t, src, &notes)).Once(context.Background(), at(20))
	if err != nil {
		t.Fatal(err)
	}
	if !ev.LastWeek.AsOf.Equal(at(13)) {
		t.Errorf("last week as of %s, want %s", ev.LastWeek.AsOf, at(13))
	}
	now, prev := pairOf(t, ev.Snapshot, "ann@example.com"), pairOf(t, ev.LastWeek, "ann@example.com")
	if now.Window.Held != 2 || prev.Window.Held != 1 || prev.Occurrences != nil {
		t.Errorf("held now %d, last week %d (occurrences %v): want 2, 1, none kept", now.Window.Held, prev.Window.Held, prev.Occurrences)
	}
	o := testOptions(t, src, &notes)
	o.NoLastWeek = true
	if ev, err = New(o).Once(context.Background(), at(20)); err != nil || ev.LastWeek != nil {
		t.Errorf("NoLastWeek: last week %v, %v", ev.LastWeek, err)
	}
}

// ExampleEngine_Once evaluates one org from one in-memory source.
func ExampleEngine_Once() {
	ppl, _ := cadence.ParseDirectoryCSV(strings.NewReader(people), "people.csv")
	src := &memSource{
		names:  []string{"lead"},
		owners: map[string]string{"lead": "lead@example.com"},
		feeds:  map[string]*calendar.Feed{"lead": {Events: []calendar.Event{oneOnOne("a", 16, true)}}},
	}
	eng := New(Options{
		Directory: []DirectorySource{DirectoryFunc(func(context.Context) ([]cadence.Person, error) { return ppl, nil })},
		Sources:   []calendar.Source{src},
		Eval:      cadence.Options{Rules: cadence.DefaultRules(), Window: cadence.DefaultWindow, MaxDuration: cadence.DefaultMaxDuration, SkipLevels: cadence.DefaultSkipLevels},
	})
	ev, err := eng.Once(context.Background(), at(20))
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, p := range ev.Snapshot.Pairs {
		fmt.Println(p.Lead, p.Member, p.Status)
	}
	// Output:
	// lead@example.com ann@example.com ok
	// lead@example.com bo@example.com never
}

// TestHostileBudgetExceeded: a series over its limit is dropped with an error
// naming the calendar, the UID and the limit (status warning, Notify, one
// count of reason "budget" however many evaluations repeat it); the
// calendar's other events and the other calendars still count.
func TestHostileBudgetExceeded(t *testing.T) {
	evil := oneOnOne("evil", 1, true)
	evil.Recurrence = &calendar.RecurrenceSet{RRules: []string{"FREQ=HOURLY"}}
	src := &memSource{
		names:  []string{"lead", "ann"},
		owners: map[string]string{"lead": "lead@example.com", "ann": "ann@example.com"},
		feeds: map[string]*calendar.Feed{
			"lead": {Events: []calendar.Event{evil, oneOnOne("one", 10, true)}},
			"ann":  {Events: []calendar.Event{oneOnOne("two", 12, true)}},
		},
	}
	var notes []string
	o := testOptions(t, src, &notes)
	reg := prometheus.NewPedanticRegistry()
	o.Metrics = NewMetrics(reg)
	o.Budget.Limits.SeriesOccurrences = 1000 // the hourly series has ~2,700 instances to February
	e := New(o)
	ev, err := e.Once(context.Background(), at(20))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.Evaluate(context.Background(), at(20)); err != nil {
		t.Fatal(err)
	}
	want := "calendar: feed lead: UID evil: series_occurrences limit of 1000 exceeded; series dropped"
	for _, s := range ev.Snapshot.Sources {
		if s.Name == "lead" && (!s.OK || s.Warning != want) {
			t.Errorf("lead's status %+v: want ok with warning %q", s, want)
		}
	}
	if p := pairOf(t, ev.Snapshot, "ann@example.com"); p.Window.Held != 2 {
		t.Errorf("lead/ann held %d, want 2 (the good events of both calendars)", p.Window.Held)
	}
	if len(notes) != 1 || notes[0] != "lead: "+want {
		t.Errorf("notes %q", notes)
	}
	got := testutil.ToFloat64(o.Metrics.sourceErrors.WithLabelValues("lead", "budget"))
	if got != 1 {
		t.Errorf("cadence_source_errors_total{reason=budget} = %v after two evaluations, want 1", got)
	}
}
