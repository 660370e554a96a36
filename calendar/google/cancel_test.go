package google_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	calendarv3 "google.golang.org/api/calendar/v3"

	"github.com/cadence-dev/cadence/calendar"
	"github.com/cadence-dev/cadence/calendar/google"
	"github.com/cadence-dev/cadence/calendar/google/fakegoogle"
)

// Issue 10: a single 1:1 its organizer cancelled or deleted is a cancelled
// meeting on every path (full sync, incremental sync, re-sync after 410);
// only a recurring series deleted as a whole has ended.

const catchUp = "catchup@google.com"

var catchUpStart = at(time.February, 11, 15, 0)

// catchUpEvent is a one-off 30-minute 1:1 Ana organizes with Bo.
func catchUpEvent() *calendarv3.Event {
	return &calendarv3.Event{
		Id:        "catchup",
		Summary:   "Ana / Bo catch-up",
		Start:     edt(catchUpStart),
		End:       edt(catchUpStart.Add(30 * time.Minute)),
		Organizer: &calendarv3.EventOrganizer{Email: ana},
		Attendees: []*calendarv3.EventAttendee{
			{Email: ana, Organizer: true, ResponseStatus: "accepted"},
			{Email: bo, ResponseStatus: "accepted"},
		},
		Description: "agenda: secret things",
	}
}

// loadCatchUp adds the standard dataset and the catch-up in Ana's and
// Bo's calendars.
func (e *env) loadCatchUp() {
	e.load()
	for _, c := range []string{ana, bo} {
		e.fake.PutEvent(c, catchUpEvent())
	}
}

// cancelCatchUp cancels the catch-up in Ana's and Bo's calendars.
func (e *env) cancelCatchUp() {
	e.t.Helper()
	for _, c := range []string{ana, bo} {
		if err := e.fake.DeleteEvent(c, "catchup"); err != nil {
			e.t.Fatal(err)
		}
	}
}

// catchUpOccs returns the catch-up's occurrences in one result.
func catchUpOccs(t *testing.T, r google.Result) []calendar.Occurrence {
	t.Helper()
	var out []calendar.Occurrence
	for _, o := range occurrences(t, r) {
		if o.UID == catchUp {
			out = append(out, o)
		}
	}
	return out
}

// wantCatchUp checks that Ana's and Bo's calendars each have exactly one
// catch-up occurrence, with its data, cancelled or not.
func wantCatchUp(t *testing.T, rs []google.Result, cancelled bool) {
	t.Helper()
	for _, c := range []string{ana, bo} {
		got := catchUpOccs(t, byID(t, rs, c))
		if len(got) != 1 {
			t.Errorf("%s: %d catch-up occurrences, want 1: %+v", c, len(got), got)
			continue
		}
		o := got[0]
		if o.Cancelled() != cancelled || (cancelled && o.CancelReason != calendar.CancelStatus) {
			t.Errorf("%s: catch-up status %q (reason %q), want cancelled=%v", c, o.Status, o.CancelReason, cancelled)
		}
		if !o.Start.Equal(catchUpStart) || o.End.Sub(o.Start) != 30*time.Minute || o.Title != "Ana / Bo catch-up" || o.Organizer != ana ||
			len(o.Attendees) != 2 || o.Attendees[1].Email != bo || o.Recurring || o.Override {
			t.Errorf("%s: catch-up = %+v", c, o)
		}
	}
}

func TestCancelledSingleInFirstFullSync(t *testing.T) {
	for _, tc := range []struct {
		name     string
		pageSize int
		cancel   func(e *env)
	}{
		{"deleted", 0, (*env).cancelCatchUp},
		{"deleted, pages of one", 1, (*env).cancelCatchUp},
		{"put as cancelled", 0, func(e *env) {
			for _, c := range []string{ana, bo} {
				ev := catchUpEvent()
				ev.Status = "cancelled"
				e.fake.PutEvent(c, ev)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, google.Config{PageSize: tc.pageSize})
			e.loadCatchUp()
			tc.cancel(e)
			rs := e.syncAll()
			if !byID(t, rs, ana).Full {
				t.Fatal("first sync not full")
			}
			wantCatchUp(t, rs, true)
			// Stored trimmed, like any other event.
			st, err := e.store.LoadCalendar(context.Background(), ana)
			if err != nil {
				t.Fatal(err)
			}
			raw := string(st.Events["catchup"])
			if !strings.Contains(raw, `"status":"cancelled"`) || strings.Contains(raw, "secret") {
				t.Errorf("stored catch-up: %s", raw)
			}
			// A new Syncer (no conversion cache) reads the same from the store.
			fresh, err := google.New(google.Config{}, e.store)
			if err != nil {
				t.Fatal(err)
			}
			var again []google.Result
			for _, c := range e.cals {
				feed, err := fresh.Events(context.Background(), c)
				if err != nil {
					t.Fatal(err)
				}
				again = append(again, google.Result{Calendar: c, Feed: feed})
			}
			wantCatchUp(t, again, true)
		})
	}
}

func TestCancelledSingleInIncrementalSync(t *testing.T) {
	e := newEnv(t, google.Config{})
	e.loadCatchUp()
	wantCatchUp(t, e.syncAll(), false)
	e.fake.ResetCounts()

	// The deletion arrives as a bare {id, status: cancelled}.
	e.cancelCatchUp()
	rs := e.syncAll()
	e.expectOneRequestEach(rs)
	if a := byID(t, rs, ana); a.Changes != 1 {
		t.Errorf("ana: %d changes, want 1", a.Changes)
	}
	wantCatchUp(t, rs, true)

	for _, step := range []struct {
		name   string
		change func(t *testing.T)
	}{
		{"no changes", func(t *testing.T) {}},
		{"unrelated changes", func(t *testing.T) {
			if err := e.fake.SetResponse(ana, "kickoff", ana, "declined"); err != nil {
				t.Fatal(err)
			}
			if err := e.fake.CancelInstance(bo, "w1on1", at(time.January, 12, 10, 0)); err != nil {
				t.Fatal(err)
			}
		}},
		{"no changes again", func(t *testing.T) {}},
	} {
		t.Run(step.name, func(t *testing.T) {
			step.change(t)
			rs := e.syncAll()
			e.expectOneRequestEach(rs)
			wantCatchUp(t, rs, true)
		})
	}
	// What is stored reads the same without the Syncer's cache.
	fresh, err := google.New(google.Config{}, e.store)
	if err != nil {
		t.Fatal(err)
	}
	feed, err := fresh.Events(context.Background(), e.cals[0])
	if err != nil {
		t.Fatal(err)
	}
	if got := catchUpOccs(t, google.Result{Calendar: e.cals[0], Feed: feed}); len(got) != 1 || !got[0].Cancelled() {
		t.Errorf("stored catch-up = %+v", got)
	}
}

func TestCancelledSingleAfterGone(t *testing.T) {
	for _, tc := range []struct {
		name string
		// seen: the deletion reached an incremental sync before the 410.
		seen bool
	}{
		{"cancelled, then 410", true},
		{"cancelled while tokens expire", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, google.Config{PageSize: 2})
			e.loadCatchUp()
			e.syncAll()
			e.cancelCatchUp()
			if tc.seen {
				wantCatchUp(t, e.syncAll(), true)
			}
			e.fake.ExpireSyncTokens(ana)
			e.fake.ExpireSyncTokens(bo)
			rs := e.syncAll()
			for _, c := range []string{ana, bo} {
				if r := byID(t, rs, c); !r.Resynced || !r.Full {
					t.Errorf("%s: Resynced=%v Full=%v, want a full re-sync", c, r.Resynced, r.Full)
				}
			}
			wantCatchUp(t, rs, true)
			// ... and the next incremental cycle keeps it.
			e.fake.ResetCounts()
			rs = e.syncAll()
			e.expectOneRequestEach(rs)
			wantCatchUp(t, rs, true)
		})
	}
}

func TestDeletedSeriesEnds(t *testing.T) {
	jan12, jan19 := at(time.January, 12, 10, 0), at(time.January, 19, 10, 0)
	for _, tc := range []struct {
		name string
		// before: sync once before the deletion (it then arrives in an
		// incremental sync); expire: a 410 then forces a full re-sync.
		before, expire bool
	}{
		{"full sync", false, false},
		{"incremental sync", true, false},
		{"full re-sync after 410", true, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, google.Config{PageSize: 1})
			e.loadCatchUp()
			for _, c := range []string{ana, bo} {
				if err := e.fake.CancelInstance(c, "w1on1", jan12); err != nil {
					t.Fatal(err)
				}
				if err := e.fake.MoveInstance(c, "w1on1", jan19, jan19.Add(time.Hour), jan19.Add(90*time.Minute)); err != nil {
					t.Fatal(err)
				}
			}
			if tc.before {
				if got := starts(occurrences(t, byID(t, e.syncAll(), bo)), series); len(got) != len(mondays()) {
					t.Fatalf("before the deletion: %d starts, want %d", len(got), len(mondays()))
				}
			}
			for _, c := range []string{ana, bo} {
				if err := e.fake.DeleteEvent(c, "w1on1"); err != nil {
					t.Fatal(err)
				}
				if tc.expire {
					e.fake.ExpireSyncTokens(c)
				}
			}
			rs := e.syncAll()
			for _, c := range []string{ana, bo} {
				r := byID(t, rs, c)
				if wantFull := !tc.before || tc.expire; r.Full != wantFull {
					t.Errorf("%s: Full=%v, want %v", c, r.Full, wantFull)
				}
				if got := starts(occurrences(t, r), series); len(got) != 0 {
					t.Errorf("%s: the deleted series still has occurrences %v", c, got)
				}
				st, err := e.store.LoadCalendar(context.Background(), c)
				if err != nil {
					t.Fatal(err)
				}
				for id := range st.Events {
					if strings.HasPrefix(id, "w1on1") {
						t.Errorf("%s: state keeps %s of the deleted series", c, id)
					}
				}
			}
			// The single meeting is untouched.
			wantCatchUp(t, rs, false)
		})
	}
}

// A series deleted as a whole after a "this and following" cut: the
// occurrences before the cut stay as they were, nothing after it is
// cancelled.
func TestDeletedSplitSeries(t *testing.T) {
	feb16 := at(time.February, 16, 10, 0)
	for _, full := range []bool{false, true} {
		name := "incremental"
		if full {
			name = "full"
		}
		t.Run(name, func(t *testing.T) {
			e := newEnv(t, google.Config{})
			e.load()
			if !full {
				e.syncAll()
			}
			if err := e.fake.CancelInstance(bo, "w1on1", at(time.January, 12, 10, 0)); err != nil {
				t.Fatal(err)
			}
			// An instance after the cut was moved: the cut deletes it.
			feb23 := at(time.February, 23, 10, 0)
			if err := e.fake.MoveInstance(bo, "w1on1", feb23, feb23.Add(time.Hour), feb23.Add(90*time.Minute)); err != nil {
				t.Fatal(err)
			}
			id, err := e.fake.CutSeries(bo, "w1on1", feb16, nil)
			if err != nil {
				t.Fatal(err)
			}
			if err := e.fake.DeleteEvent(bo, id); err != nil {
				t.Fatal(err)
			}
			want := []string{"01-05 10:00", "01-12 10:00 cancelled", "01-19 10:00", "01-26 10:00", "02-02 10:00", "02-09 10:00"}
			if got := starts(occurrences(t, byID(t, e.syncAll(), bo)), series); !slices.Equal(got, want) {
				t.Errorf("starts:\n got %v\nwant %v", got, want)
			}
		})
	}
}

func TestUnknownBareCancellation(t *testing.T) {
	for _, tc := range []struct {
		name   string
		before bool // sync before the change: it arrives incrementally
		change func(e *env)
	}{
		{"created and deleted between incremental syncs", true, func(e *env) {
			e.fake.PutEvent(ana, catchUpEvent())
			if err := e.fake.DeleteEvent(ana, "catchup"); err != nil {
				e.t.Fatal(err)
			}
		}},
		{"bare id in a full sync", false, func(e *env) {
			e.fake.PutEvent(ana, &calendarv3.Event{Id: "ghost", Status: "cancelled"})
		}},
		{"bare id in an incremental sync", true, func(e *env) {
			e.fake.PutEvent(ana, &calendarv3.Event{Id: "ghost", Status: "cancelled"})
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, google.Config{})
			e.load()
			if tc.before {
				e.syncAll()
			}
			tc.change(e)
			rs := e.syncAll() // fails on any error or warning
			a := byID(t, rs, ana)
			if a.Changes == 0 {
				t.Fatal("the cancellation did not arrive")
			}
			st, err := e.store.LoadCalendar(context.Background(), ana)
			if err != nil {
				t.Fatal(err)
			}
			if len(st.Events) != 3 || st.Events["ghost"] != nil || st.Events["catchup"] != nil {
				t.Errorf("state keeps %d events, want the 3 of the dataset", len(st.Events))
			}
			if len(a.Feed.Events) != 3 {
				t.Errorf("feed has %d events, want 3", len(a.Feed.Events))
			}
			if n := e.fake.Requests(ana, fakegoogle.MethodEventsList); n == 0 {
				t.Error("no request")
			}
		})
	}
}
