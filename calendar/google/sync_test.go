package google_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	calendarv3 "google.golang.org/api/calendar/v3"

	"github.com/cadence-dev/cadence/calendar"
	"github.com/cadence-dev/cadence/calendar/google"
	"github.com/cadence-dev/cadence/calendar/google/fakegoogle"
)

const series = "w1on1@google.com"

// mondays lists the series' expected starts (Berlin wall time) in window.
func mondays() []string {
	var out []string
	for d := at(time.January, 5, 10, 0); d.Before(window.To); d = d.AddDate(0, 0, 7) {
		out = append(out, d.Format("01-02 15:04"))
	}
	return out
}

func TestFullSync(t *testing.T) {
	e := newEnv(t, google.Config{PageSize: 2})
	e.load()
	rs := e.syncAll()
	a := byID(t, rs, ana)
	if !a.Full || a.Resynced {
		t.Errorf("first sync: Full=%v Resynced=%v, want full, not resynced", a.Full, a.Resynced)
	}
	// 3 events in pages of 2: 2 requests.
	if a.Requests != 2 || e.fake.Requests(ana, fakegoogle.MethodEventsList) != 2 {
		t.Errorf("requests for ana: result %d, server %d; want 2", a.Requests, e.fake.Requests(ana, fakegoogle.MethodEventsList))
	}
	if a.Changes != 3 {
		t.Errorf("changes = %d, want 3", a.Changes)
	}
	if !a.LastSuccess.Equal(e.clock.Now()) {
		t.Errorf("LastSuccess = %v, want %v", a.LastSuccess, e.clock.Now())
	}
	q := e.fake.LastQuery(ana)
	for k, want := range map[string]string{"singleEvents": "false", "showDeleted": "true", "maxResults": "2", "quotaUser": ana} {
		if got := q.Get(k); got != want {
			t.Errorf("request parameter %s = %q, want %q", k, got, want)
		}
	}
	if a.Feed.Name != "google:"+ana || a.Feed.Owner != ana {
		t.Errorf("feed name/owner = %q/%q", a.Feed.Name, a.Feed.Owner)
	}
	occs := occurrences(t, a)
	// Weekly at 10:00 Berlin across the DST change of 29 March.
	if got, want := starts(occs, series), mondays(); !slices.Equal(got, want) {
		t.Errorf("series starts:\n got %v\nwant %v", got, want)
	}
	first := find(occs, series, at(time.January, 5, 10, 0))
	if len(first) != 1 {
		t.Fatalf("first instance: %d occurrences", len(first))
	}
	o := first[0]
	if o.Organizer != ana || !o.Recurring || o.Title != "Ana / Bo" || o.Source != "google:"+ana || o.Owner != ana || o.End.Sub(o.Start) != 30*time.Minute {
		t.Errorf("first instance = %+v", o)
	}
	wantAtt := []calendar.Attendee{
		{Email: ana, Response: calendar.ResponseAccepted, Organizer: true},
		{Email: bo, Name: "Bo", Response: calendar.ResponseAccepted},
		{Email: "room-1@resource.calendar.google.com", Response: calendar.ResponseAccepted, Resource: true},
	}
	if !slices.Equal(o.Attendees, wantAtt) {
		t.Errorf("attendees = %+v\nwant %+v", o.Attendees, wantAtt)
	}
	var oooOcc *calendar.Occurrence
	for i := range occs {
		if occs[i].UID == "ooo1@google.com" {
			oooOcc = &occs[i]
		}
	}
	if oooOcc == nil || !oooOcc.OutOfOffice || !oooOcc.AllDay || !oooOcc.Start.Equal(time.Date(2026, 2, 2, 0, 0, 0, 0, berlin)) || !oooOcc.End.Equal(time.Date(2026, 2, 4, 0, 0, 0, 0, berlin)) {
		t.Errorf("out-of-office occurrence = %+v", oooOcc)
	}
	// Free-form text other than titles is not stored.
	st, err := e.store.LoadCalendar(context.Background(), ana)
	if err != nil || st == nil {
		t.Fatalf("load state: %v, %v", st, err)
	}
	for id, raw := range st.Events {
		if strings.Contains(string(raw), "secret") || strings.Contains(string(raw), "Room 1") {
			t.Errorf("stored event %s keeps description/location: %s", id, raw)
		}
	}
	if st.SyncToken == "" || len(st.Events) != 3 || st.TimeZone != "Europe/Berlin" {
		t.Errorf("state: token %q, %d events, zone %q", st.SyncToken, len(st.Events), st.TimeZone)
	}
}

// expectOneRequestEach checks that the last cycle sent exactly one
// request per calendar.
func (e *env) expectOneRequestEach(rs []google.Result) {
	e.t.Helper()
	for _, r := range rs {
		if r.Requests != 1 || r.Full {
			e.t.Errorf("%s: %d requests (full=%v), want 1 incremental", r.Calendar.ID, r.Requests, r.Full)
		}
		if n := e.fake.Requests(r.Calendar.ID, fakegoogle.MethodEventsList); n != 1 {
			e.t.Errorf("%s: server saw %d requests, want 1", r.Calendar.ID, n)
		}
	}
	e.fake.ResetCounts()
}

func TestIncrementalSync(t *testing.T) {
	e := newEnv(t, google.Config{})
	e.load()
	first := e.syncAll()
	e.fake.ResetCounts()
	saves := e.store.Saves()
	before, _ := e.store.LoadCalendar(context.Background(), ana)

	t.Run("unchanged", func(t *testing.T) {
		rs := e.syncAll()
		e.expectOneRequestEach(rs)
		// Only the new tokens are saved, not the event sets.
		if e.store.Saves() != saves || e.store.TokenSaves() != 3 {
			t.Errorf("unchanged cycle: %d full saves, %d token saves; want 0, 3", e.store.Saves()-saves, e.store.TokenSaves())
		}
		after, _ := e.store.LoadCalendar(context.Background(), ana)
		if after.SyncToken == before.SyncToken || len(after.Events) != len(before.Events) {
			t.Errorf("token %q -> %q, %d -> %d events", before.SyncToken, after.SyncToken, len(before.Events), len(after.Events))
		}
		// ... and the conversion is not redone.
		if r := byID(t, rs, ana); r.Feed != byID(t, first, ana).Feed || len(r.Feed.Events) != 3 {
			t.Errorf("feed after an unchanged cycle: %+v", r.Feed)
		}
		if got := starts(occurrences(t, byID(t, rs, ana)), series); !slices.Equal(got, mondays()) {
			t.Errorf("starts = %v", got)
		}
	})

	jan12 := at(time.January, 12, 10, 0)
	t.Run("cancel instance", func(t *testing.T) {
		for _, c := range []string{ana, bo} {
			if err := e.fake.CancelInstance(c, "w1on1", jan12); err != nil {
				t.Fatal(err)
			}
		}
		rs := e.syncAll()
		e.expectOneRequestEach(rs)
		for _, c := range []string{ana, bo} {
			got := find(occurrences(t, byID(t, rs, c)), series, jan12)
			if len(got) != 1 || !got[0].Cancelled() || got[0].CancelReason != calendar.CancelStatus || len(got[0].Attendees) != 3 || got[0].Title != "Ana / Bo" ||
				got[0].Organizer != ana || !got[0].Start.Equal(jan12) || got[0].End.Sub(got[0].Start) != 30*time.Minute || got[0].Moved() {
				t.Errorf("%s: cancelled instance = %+v", c, got)
			}
		}
	})

	jan19 := at(time.January, 19, 10, 0)
	moved := at(time.January, 20, 11, 0)
	t.Run("move instance", func(t *testing.T) {
		for _, c := range []string{ana, bo} {
			if err := e.fake.MoveInstance(c, "w1on1", jan19, moved, moved.Add(45*time.Minute)); err != nil {
				t.Fatal(err)
			}
		}
		rs := e.syncAll()
		e.expectOneRequestEach(rs)
		got := find(occurrences(t, byID(t, rs, ana)), series, jan19)
		if len(got) != 1 || !got[0].Moved() || !got[0].Start.Equal(moved) || got[0].End.Sub(got[0].Start) != 45*time.Minute || !got[0].Override || got[0].Cancelled() {
			t.Errorf("moved instance = %+v", got)
		}
	})

	jan26 := at(time.January, 26, 10, 0)
	t.Run("decline", func(t *testing.T) {
		for _, c := range []string{ana, bo} {
			if _, err := e.fake.UpdateInstance(c, "w1on1", jan26, func(ev *calendarv3.Event) {
				for _, a := range ev.Attendees {
					if a.Email == bo {
						a.ResponseStatus = "declined"
					}
				}
			}); err != nil {
				t.Fatal(err)
			}
		}
		rs := e.syncAll()
		e.expectOneRequestEach(rs)
		got := find(occurrences(t, byID(t, rs, bo)), series, jan26)
		if len(got) != 1 || got[0].Cancelled() || got[0].Attendees[1].Email != bo || got[0].Attendees[1].Response != calendar.ResponseDeclined {
			t.Errorf("declined instance = %+v", got)
		}
	})

	t.Run("attendee removed", func(t *testing.T) {
		// Cy drops Ana from the kickoff: Cy's copy changes, Ana's copy is
		// deleted. Ana's calendar alone cannot tell that from a
		// cancellation, so her copy stays, cancelled; merged with the
		// other calendars, the organizer's copy wins.
		ev := e.fake.Event(cy, "kickoff")
		ev.Attendees = ev.Attendees[1:]
		e.fake.PutEvent(cy, ev)
		if err := e.fake.DeleteEvent(ana, "kickoff"); err != nil {
			t.Fatal(err)
		}
		rs := e.syncAll()
		e.expectOneRequestEach(rs)
		anaOccs := occurrences(t, byID(t, rs, ana))
		var kick []calendar.Occurrence
		for _, o := range anaOccs {
			if o.UID == "kickoff@google.com" {
				kick = append(kick, o)
			}
		}
		if len(kick) != 1 || !kick[0].Cancelled() {
			t.Errorf("ana's kickoff = %+v, want one cancelled occurrence", kick)
		}
		occs := occurrences(t, byID(t, rs, cy))
		if len(occs) != 1 || len(occs[0].Attendees) != 1 || occs[0].Attendees[0].Email != cy {
			t.Errorf("cy's kickoff = %+v", occs)
		}
		for _, o := range calendar.Dedup(append(anaOccs, occs...)) {
			if o.UID == "kickoff@google.com" && (o.Cancelled() || o.Source != "google:"+cy) {
				t.Errorf("merged kickoff = %+v, want cy's confirmed copy", o)
			}
		}
	})

	feb16 := at(time.February, 16, 10, 0)
	var newID string
	t.Run("cut series", func(t *testing.T) {
		for _, c := range []string{ana, bo} {
			id, err := e.fake.CutSeries(c, "w1on1", feb16, func(ev *calendarv3.Event) { ev.Summary = "Ana / Bo (new time)" })
			if err != nil {
				t.Fatal(err)
			}
			newID = id
		}
		if newID != "w1on1_R20260216T090000" {
			t.Fatalf("new series id %q", newID)
		}
		rs := e.syncAll()
		e.expectOneRequestEach(rs)
		occs := occurrences(t, byID(t, rs, ana))
		// The split series is still one series: the same starts, each once.
		want := mondays()
		for i, s := range want {
			switch s {
			case "01-12 10:00":
				want[i] = s + " cancelled"
			case "01-19 10:00":
				want[i] = "01-20 11:00"
			}
		}
		slices.Sort(want)
		if got := starts(occs, series); !slices.Equal(got, want) {
			t.Errorf("starts after the cut:\n got %v\nwant %v", got, want)
		}
		after := find(occs, series, feb16)
		if len(after) != 1 || after[0].UID != "w1on1_R20260216T090000@google.com" || after[0].Title != "Ana / Bo (new time)" {
			t.Errorf("first instance of the new series = %+v", after)
		}
	})

	t.Run("delete series", func(t *testing.T) {
		for _, c := range []string{ana, bo} {
			if err := e.fake.DeleteEvent(c, newID); err != nil {
				t.Fatal(err)
			}
		}
		rs := e.syncAll()
		e.expectOneRequestEach(rs)
		occs := occurrences(t, byID(t, rs, bo))
		want := []string{"01-05 10:00", "01-12 10:00 cancelled", "01-20 11:00", "01-26 10:00", "02-02 10:00", "02-09 10:00"}
		if got := starts(occs, series); !slices.Equal(got, want) {
			t.Errorf("starts after deleting the new series:\n got %v\nwant %v", got, want)
		}
		// Deleting the original master too ends everything, exceptions
		// included.
		for _, c := range []string{ana, bo} {
			if err := e.fake.DeleteEvent(c, "w1on1"); err != nil {
				t.Fatal(err)
			}
		}
		rs = e.syncAll()
		e.expectOneRequestEach(rs)
		if got := starts(occurrences(t, byID(t, rs, bo)), series); len(got) != 0 {
			t.Errorf("deleted series still has occurrences %v", got)
		}
		st, _ := e.store.LoadCalendar(context.Background(), bo)
		if len(st.Events) != 0 {
			t.Errorf("bo's state keeps %d events after the deletion", len(st.Events))
		}
	})
}

func TestGoneRecovery(t *testing.T) {
	e := newEnv(t, google.Config{})
	e.load()
	e.syncAll()
	e.fake.ResetCounts()
	e.fake.ExpireSyncTokens(ana)
	jan12 := at(time.January, 12, 10, 0)
	if err := e.fake.CancelInstance(ana, "w1on1", jan12); err != nil {
		t.Fatal(err)
	}
	rs := e.syncAll()
	a := byID(t, rs, ana)
	if !a.Resynced || !a.Full || a.Requests != 2 || a.Changes != 4 {
		t.Errorf("after 410: Resynced=%v Full=%v Requests=%d Changes=%d; want resync, 2 requests, 4 items", a.Resynced, a.Full, a.Requests, a.Changes)
	}
	if b := byID(t, rs, bo); b.Resynced || b.Requests != 1 {
		t.Errorf("bo: Resynced=%v Requests=%d", b.Resynced, b.Requests)
	}
	got := find(occurrences(t, a), series, jan12)
	if len(got) != 1 || !got[0].Cancelled() {
		t.Errorf("cancelled instance after the re-sync = %+v", got)
	}
	e.fake.ResetCounts()
	e.expectOneRequestEach(e.syncAll())
}

// scenario loads the dataset, syncs, applies every kind of change in two
// batches, syncing after each, and returns each calendar's final
// occurrences as JSON.
func scenario(t *testing.T, e *env) map[string]string {
	t.Helper()
	e.load()
	e.syncAll()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range []string{ana, bo} {
		must(e.fake.CancelInstance(c, "w1on1", at(time.January, 12, 10, 0)))
		must(e.fake.MoveInstance(c, "w1on1", at(time.January, 19, 10, 0), at(time.January, 20, 9, 0), at(time.January, 20, 9, 30)))
	}
	must(e.fake.SetResponse(ana, "kickoff", ana, "declined"))
	e.syncAll()
	for _, c := range []string{ana, bo} {
		_, err := e.fake.CutSeries(c, "w1on1", at(time.March, 2, 10, 0), nil)
		must(err)
		must(e.fake.CancelInstance(c, "w1on1_R20260302T090000", at(time.March, 9, 10, 0)))
	}
	must(e.fake.DeleteEvent(ana, "ooo1"))
	e.fake.PutEvent(cy, &calendarv3.Event{Id: "late", Summary: "Late", Start: edt(at(time.April, 1, 9, 0)), End: edt(at(time.April, 1, 10, 0))})
	rs := e.syncAll()
	// A new Syncer (no conversion cache) reads the same from the store.
	fresh, err := google.New(google.Config{}, e.store)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, r := range rs {
		b, err := json.Marshal(occurrences(t, r))
		if err != nil {
			t.Fatal(err)
		}
		out[r.Calendar.ID] = string(b)
		feed, err := fresh.Events(context.Background(), r.Calendar)
		if err != nil {
			t.Fatal(err)
		}
		b2, _ := json.Marshal(occurrences(t, google.Result{Calendar: r.Calendar, Feed: feed}))
		if string(b2) != string(b) {
			t.Errorf("%s: cached conversion differs from a fresh one:\n%s\n%s", r.Calendar.ID, b, b2)
		}
	}
	return out
}

func TestTinyPages(t *testing.T) {
	want := scenario(t, newEnv(t, google.Config{}))
	var anaOccs []struct{ UID, Status string }
	if err := json.Unmarshal([]byte(want[ana]), &anaOccs); err != nil {
		t.Fatal(err)
	}
	oooCancelled := false
	for _, o := range anaOccs {
		oooCancelled = oooCancelled || (o.UID == "ooo1@google.com" && o.Status == string(calendar.StatusCancelled))
	}
	// The deleted out-of-office stays as a cancelled occurrence.
	if !strings.Contains(want[ana], "R20260302T090000") || !oooCancelled {
		t.Fatalf("reference run lacks the changes: %s", want[ana])
	}
	for size := 1; size <= 3; size++ {
		e := newEnv(t, google.Config{PageSize: size})
		got := scenario(t, e)
		for _, c := range []string{ana, bo, cy} {
			if got[c] != want[c] {
				t.Errorf("page size %d, %s:\n got %s\nwant %s", size, c, got[c], want[c])
			}
		}
	}
}

func TestRateLimitStorm(t *testing.T) {
	e := newEnv(t, google.Config{PageSize: 1, MaxAttempts: 10, Concurrency: 1, BaseBackoff: time.Second, MaxBackoff: 4 * time.Second, PerUserPerMinute: -1, PerProjectPerMinute: -1})
	e.load()
	storm := []fakegoogle.Fault{fakegoogle.TooManyRequests, fakegoogle.TooManyRequests, fakegoogle.TooManyRequests, fakegoogle.TooManyRequests, fakegoogle.TooManyRequests}
	e.fake.InjectFaults("", storm...)
	e.fake.InjectFaults(ana, fakegoogle.Fault{}, fakegoogle.RateLimitExceeded, fakegoogle.UserRateLimitExceeded, fakegoogle.Unavailable)
	e.fake.InjectFaults(cy, fakegoogle.InternalError, fakegoogle.TooManyRequests)
	rs := e.syncAll()
	wantChanges := map[string]int{ana: 3, bo: 1, cy: 1}
	faults := 5 + 3 + 2
	total := 0
	for _, r := range rs {
		if r.Changes != wantChanges[r.Calendar.ID] || len(r.Feed.Events) != wantChanges[r.Calendar.ID] {
			t.Errorf("%s: %d changes, %d events; want %d", r.Calendar.ID, r.Changes, len(r.Feed.Events), wantChanges[r.Calendar.ID])
		}
		total += r.Requests
	}
	if pages := 3 + 1 + 1; total != pages+faults {
		t.Errorf("%d requests, want %d pages + %d retries", total, pages, faults)
	}
	if total != e.fake.TotalRequests(fakegoogle.MethodEventsList) {
		t.Errorf("results count %d requests, server %d", total, e.fake.TotalRequests(fakegoogle.MethodEventsList))
	}
	sleeps := e.clock.Sleeps()
	if len(sleeps) != faults {
		t.Errorf("%d backoff waits, want %d: %v", len(sleeps), faults, sleeps)
	}
	// Full jitter over min(4s, 1s*2^n): each wait in (0, ceiling].
	for i, ceil := range []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 4 * time.Second, 4 * time.Second} {
		if i < len(sleeps) && (sleeps[i] <= 0 || sleeps[i] > ceil) {
			t.Errorf("wait %d: %v, want in (0, %v]", i, sleeps[i], ceil)
		}
	}
	if n := counterValue(t, e.reg, "cadence_google_requests_total", map[string]string{"method": "events.list", "code": "429"}); n != 6 {
		t.Errorf("requests_total{code=429} = %v, want 6", n)
	}
	if n := counterValue(t, e.reg, "cadence_google_retries_total", map[string]string{"method": "events.list"}); n != float64(faults) {
		t.Errorf("retries_total = %v, want %d", n, faults)
	}

	// Changes during another storm arrive, each once.
	jan12 := at(time.January, 12, 10, 0)
	if err := e.fake.CancelInstance(ana, "w1on1", jan12); err != nil {
		t.Fatal(err)
	}
	if err := e.fake.SetResponse(ana, "kickoff", ana, "declined"); err != nil {
		t.Fatal(err)
	}
	e.fake.InjectFaults("", storm...)
	e.fake.InjectFaults(ana, fakegoogle.Fault{}, fakegoogle.TooManyRequests, fakegoogle.Fault{}, fakegoogle.Unavailable)
	rs = e.syncAll()
	a := byID(t, rs, ana)
	if a.Changes != 2 {
		t.Errorf("ana: %d changes, want 2", a.Changes)
	}
	occs := occurrences(t, a)
	seen := map[calendar.Key]int{}
	for _, o := range occs {
		seen[o.Key()]++
		if seen[o.Key()] > 1 {
			t.Errorf("occurrence %v twice", o.Key())
		}
	}
	if got := find(occs, series, jan12); len(got) != 1 || !got[0].Cancelled() {
		t.Errorf("cancelled instance = %+v", got)
	}
}

func TestAtomicSaveAndGiveUp(t *testing.T) {
	e := newEnv(t, google.Config{PageSize: 1, MaxAttempts: 3})
	e.load()
	e.syncAll()
	before, _ := e.store.LoadCalendar(context.Background(), ana)
	jan12 := at(time.January, 12, 10, 0)
	if err := e.fake.CancelInstance(ana, "w1on1", jan12); err != nil {
		t.Fatal(err)
	}
	if err := e.fake.DeleteEvent(ana, "ooo1"); err != nil {
		t.Fatal(err)
	}
	// Page 1 passes, page 2 fails three times.
	e.fake.InjectFaults(ana, fakegoogle.Fault{}, fakegoogle.Unavailable, fakegoogle.Unavailable, fakegoogle.Unavailable)
	r := e.sync.Sync(context.Background(), e.cals[0])
	if r.Err == nil || !strings.HasPrefix(r.Err.Error(), "google: calendar ana@example.com: events.list page 2") || !strings.Contains(r.Err.Error(), "503") {
		t.Fatalf("err = %v", r.Err)
	}
	after, _ := e.store.LoadCalendar(context.Background(), ana)
	if after.SyncToken != before.SyncToken || len(after.Events) != len(before.Events) {
		t.Errorf("a failed page sequence changed the state: token %q -> %q, %d -> %d events", before.SyncToken, after.SyncToken, len(before.Events), len(after.Events))
	}
	// The stale feed is still there.
	if r.Feed == nil || len(r.Feed.Events) != 3 || !r.LastSuccess.Equal(before.UpdatedAt) {
		t.Errorf("failed sync: feed %+v, LastSuccess %v", r.Feed, r.LastSuccess)
	}
	r = e.sync.Sync(context.Background(), e.cals[0])
	if r.Err != nil || r.Changes != 2 {
		t.Fatalf("retry cycle: err %v, %d changes", r.Err, r.Changes)
	}
	if got := find(occurrences(t, r), series, jan12); len(got) != 1 || !got[0].Cancelled() {
		t.Errorf("cancelled instance = %+v", got)
	}
	// The deleted single event stays, cancelled.
	n := 0
	for _, ev := range r.Feed.Events {
		if ev.UID == "ooo1@google.com" {
			n++
			if ev.Status != calendar.StatusCancelled {
				t.Errorf("deleted event %s has status %q, want cancelled", ev.UID, ev.Status)
			}
		}
	}
	if n != 1 {
		t.Errorf("deleted event: %d events, want 1 (cancelled)", n)
	}
}

func TestFailingCalendarDoesNotStopOthers(t *testing.T) {
	e := newEnv(t, google.Config{MaxAttempts: 3})
	e.load()
	e.fake.FailAlways(bo, fakegoogle.InternalError)
	rs := e.sync.SyncAll(context.Background(), e.cals)
	for _, r := range rs {
		if r.Calendar.ID == bo {
			if r.Err == nil || !strings.HasPrefix(r.Err.Error(), "google: calendar bo@example.com: ") || !strings.Contains(r.Err.Error(), "500") {
				t.Errorf("bo: err = %v", r.Err)
			}
			if r.Requests != 3 || e.fake.Requests(bo, fakegoogle.MethodEventsList) != 3 {
				t.Errorf("bo: %d requests, want 3 attempts", r.Requests)
			}
			if r.Feed != nil || !r.LastSuccess.IsZero() {
				t.Errorf("bo: never synced, yet feed %v / last success %v", r.Feed, r.LastSuccess)
			}
			continue
		}
		if r.Err != nil || len(r.Feed.Events) == 0 {
			t.Errorf("%s: err %v, feed %v", r.Calendar.ID, r.Err, r.Feed)
		}
	}
	// A 404 (no such calendar) is not retried.
	r := e.sync.Sync(context.Background(), google.Calendar{ID: "nobody@example.com", Name: "x"})
	if r.Err == nil || r.Requests != 1 || !strings.Contains(r.Err.Error(), "nobody@example.com") {
		t.Errorf("unknown calendar: err %v after %d requests", r.Err, r.Requests)
	}
}

func TestRequestTimeout(t *testing.T) {
	e := newEnv(t, google.Config{MaxAttempts: 2, RequestTimeout: 50 * time.Millisecond})
	e.load()
	release := e.fake.Block(cy)
	defer release()
	rs := e.sync.SyncAll(context.Background(), e.cals)
	if r := byID(t, rs, cy); r.Err == nil || r.Requests != 2 || !strings.HasPrefix(r.Err.Error(), "google: calendar cy@example.com: ") || !strings.Contains(r.Err.Error(), "request timeout (50ms)") {
		t.Errorf("blocked calendar: err %v after %d requests", r.Err, r.Requests)
	}
	if r := byID(t, rs, ana); r.Err != nil {
		t.Errorf("ana: %v", r.Err)
	}
}

func TestRateLimits(t *testing.T) {
	// 60 per minute per user with a burst of 1: ana's three requests (pages
	// of one) wait 1s each after the first.
	e := newEnv(t, google.Config{PageSize: 1, PerUserPerMinute: 60, PerProjectPerMinute: -1, Concurrency: 1})
	e.load()
	r := e.sync.Sync(context.Background(), e.cals[0])
	if r.Err != nil {
		t.Fatal(r.Err)
	}
	if got, want := e.clock.Sleeps(), []time.Duration{time.Second, time.Second}; !slices.Equal(got, want) {
		t.Errorf("per-user waits %v, want %v", got, want)
	}
	// Another user is not held back by ana's bucket.
	if r := e.sync.Sync(context.Background(), e.cals[1]); r.Err != nil || len(e.clock.Sleeps()) != 2 {
		t.Errorf("bo: err %v, waits %v", r.Err, e.clock.Sleeps())
	}

	// The project limit spans users.
	e = newEnv(t, google.Config{PerUserPerMinute: -1, PerProjectPerMinute: 60, Concurrency: 1})
	e.load()
	e.syncAll()
	if got := e.clock.Sleeps(); len(got) != 2 {
		t.Errorf("project waits %v, want 2 (three calendars, burst 1)", got)
	}
}

func TestSeriesUID(t *testing.T) {
	for in, want := range map[string]string{
		"abc@google.com":                                     "abc@google.com",
		"abc_R20231009T130000@google.com":                    "abc@google.com",
		"abc_R20231009T130000":                               "abc",
		"abc_R20231009T130000_R20240101T090000@google.com":   "abc@google.com",
		"abc_R2023@google.com":                               "abc_R2023@google.com",
		"_R20231009T130000@google.com":                       "_R20231009T130000@google.com",
		"040000008200E00074C5B7101A82E008_R20231009T130000Z": "040000008200E00074C5B7101A82E008",
	} {
		if got := google.SeriesUID(in); got != want {
			t.Errorf("SeriesUID(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestConfigErrors(t *testing.T) {
	for _, cfg := range []google.Config{{PageSize: 2501}, {PageSize: -1}, {MaxAttempts: -1}, {Concurrency: -2}} {
		if _, err := google.New(cfg, google.NewMemoryStore()); err == nil || !strings.HasPrefix(err.Error(), "google: ") {
			t.Errorf("New(%+v) err = %v", cfg, err)
		}
	}
	if _, err := google.New(google.Config{}, nil); err == nil {
		t.Error("New without store: no error")
	}
}

func TestGoneThenFailure(t *testing.T) {
	e := newEnv(t, google.Config{MaxAttempts: 2})
	e.load()
	e.syncAll()
	e.fake.ExpireSyncTokens(ana)
	// The 410 passes, the full re-sync fails twice.
	e.fake.InjectFaults(ana, fakegoogle.Fault{}, fakegoogle.InternalError, fakegoogle.InternalError)
	r := e.sync.Sync(context.Background(), e.cals[0])
	if r.Err == nil || !r.Resynced {
		t.Fatalf("err %v, resynced %v", r.Err, r.Resynced)
	}
	// The result still carries the last known events; the store has
	// dropped them, so the next cycle starts a full sync.
	if r.Feed == nil || len(r.Feed.Events) != 3 {
		t.Errorf("stale feed after a failed re-sync: %+v", r.Feed)
	}
	if st, _ := e.store.LoadCalendar(context.Background(), ana); st != nil {
		t.Errorf("state kept after 410: %+v", st)
	}
	r = e.sync.Sync(context.Background(), e.cals[0])
	if r.Err != nil || !r.Full || r.Resynced || len(r.Feed.Events) != 3 {
		t.Errorf("next cycle: err %v, full %v, resynced %v", r.Err, r.Full, r.Resynced)
	}
}

func TestRetryAfter(t *testing.T) {
	e := newEnv(t, google.Config{BaseBackoff: time.Millisecond, MaxBackoff: 10 * time.Second, PerUserPerMinute: -1, PerProjectPerMinute: -1})
	e.load()
	e.fake.InjectFaults(ana, fakegoogle.Fault{Status: 429, Reason: "rateLimitExceeded", RetryAfter: 3}, fakegoogle.Fault{Status: 503, RetryAfter: 60})
	r := e.sync.Sync(context.Background(), e.cals[0])
	if r.Err != nil {
		t.Fatal(r.Err)
	}
	// Retry-After is honoured, but never beyond MaxBackoff.
	if got, want := e.clock.Sleeps(), []time.Duration{3 * time.Second, 10 * time.Second}; !slices.Equal(got, want) {
		t.Errorf("waits %v, want %v", got, want)
	}
	// 403 without a rate-limit reason is final.
	e.fake.InjectFaults(bo, fakegoogle.Fault{Status: 403, Reason: "forbidden"})
	if r := e.sync.Sync(context.Background(), e.cals[1]); r.Err == nil || r.Requests != 1 {
		t.Errorf("403 forbidden: err %v after %d requests", r.Err, r.Requests)
	}
}

func TestDedupAcrossCalendars(t *testing.T) {
	e := newEnv(t, google.Config{})
	e.load()
	for _, c := range []string{ana, bo} {
		if _, err := e.fake.CutSeries(c, "w1on1", at(time.February, 16, 10, 0), nil); err != nil {
			t.Fatal(err)
		}
	}
	rs := e.syncAll()
	var all []calendar.Occurrence
	for _, r := range rs {
		all = append(all, occurrences(t, r)...)
	}
	occs := calendar.Dedup(all)
	if got := starts(occs, series); !slices.Equal(got, mondays()) {
		t.Errorf("deduplicated series:\n got %v\nwant %v", got, mondays())
	}
	for _, o := range occs {
		if o.SeriesUID != series {
			continue
		}
		if o.Source != "google:"+ana || !slices.Equal(o.SeenIn, []string{"google:" + ana, "google:" + bo}) {
			t.Errorf("%v: kept copy from %s, seen in %v; want the organizer's (ana) and both", o.OriginalStart, o.Source, o.SeenIn)
		}
	}
	if c, d := google.Endpoints("http://127.0.0.1:8090/"); c != "http://127.0.0.1:8090/calendar/v3/" || d != "http://127.0.0.1:8090/" {
		t.Errorf("Endpoints = %q, %q", c, d)
	}
	if c, d := google.Endpoints(""); c != "" || d != "" {
		t.Errorf("Endpoints(\"\") = %q, %q", c, d)
	}
	cals := google.PrimaryCalendars([]string{" Ana@Example.com", ""}, "google:", berlin)
	if len(cals) != 1 || cals[0].ID != ana || cals[0].Owner != ana || cals[0].Name != "google:"+ana || cals[0].Zone != berlin {
		t.Errorf("PrimaryCalendars = %+v", cals)
	}
}

func TestTransportErrorsHideQuery(t *testing.T) {
	e := newEnv(t, google.Config{MaxAttempts: 2})
	e.load()
	e.syncAll()
	e.srv.Close() // the API is gone
	r := e.sync.Sync(context.Background(), e.cals[0])
	if r.Err == nil || !strings.HasPrefix(r.Err.Error(), "google: calendar ana@example.com: events.list page 1: ") {
		t.Fatalf("err = %v", r.Err)
	}
	st, _ := e.store.LoadCalendar(context.Background(), ana)
	if strings.Contains(r.Err.Error(), "syncToken") || strings.Contains(r.Err.Error(), st.SyncToken) {
		t.Errorf("error shows the sync token: %v", r.Err)
	}
	if r.Requests != 2 {
		t.Errorf("%d requests, want 2 (transport errors are retried)", r.Requests)
	}
}

func TestConversionWarnings(t *testing.T) {
	e := newEnv(t, google.Config{})
	start := at(time.January, 6, 9, 0)
	e.fake.LoadEvents(ana, []*calendarv3.Event{
		{Id: "badrule", Summary: "x", Start: edt(start), End: edt(start.Add(time.Hour)), Recurrence: []string{"RRULE:FREQ=SOMETIMES"}},
		{Id: "mars", Summary: "y", Start: &calendarv3.EventDateTime{DateTime: "2026-01-07T09:00:00+01:00", TimeZone: "Mars/Olympus"},
			End: &calendarv3.EventDateTime{DateTime: "2026-01-07T10:00:00+01:00", TimeZone: "Mars/Olympus"}},
		{Id: "nostart", Summary: "z"},
		// An exception of a series this calendar lacks, without a start.
		{Id: "orphan_20260108T090000Z", RecurringEventId: "orphan", OriginalStartTime: edt(at(time.January, 8, 10, 0))},
		// ... and one with its data: kept as a single overridden instance.
		{Id: "other_20260109T090000Z", RecurringEventId: "other", ICalUID: "other@google.com", Summary: "invited once",
			OriginalStartTime: edt(at(time.January, 9, 10, 0)), Start: edt(at(time.January, 9, 11, 0)), End: edt(at(time.January, 9, 12, 0))},
	})
	r := e.sync.Sync(context.Background(), e.cals[0])
	if r.Err != nil {
		t.Fatal(r.Err)
	}
	w := strings.Join(r.Feed.Warnings, "\n")
	for _, want := range []string{
		"google: calendar ana@example.com: event badrule: recurrence (kept as a single occurrence)",
		`google: calendar ana@example.com: event mars: unknown timeZone "Mars/Olympus"`,
		"google: calendar ana@example.com: event nostart: start: missing",
		"google: calendar ana@example.com: event orphan_20260108T090000Z: instance of unknown series orphan without a start: skipped",
	} {
		if !strings.Contains(w, want) {
			t.Errorf("warnings lack %q:\n%s", want, w)
		}
	}
	if len(r.Feed.Warnings) != 4 {
		t.Errorf("%d warnings, want 4:\n%s", len(r.Feed.Warnings), w)
	}
	occs := occurrences(t, r)
	if len(occs) != 3 || !occs[0].Start.Equal(start) || !occs[1].Start.Equal(time.Date(2026, 1, 7, 8, 0, 0, 0, time.UTC)) ||
		occs[2].UID != "other@google.com" || !occs[2].Moved() || !occs[2].Override || occs[2].Title != "invited once" {
		t.Errorf("occurrences %+v", occs)
	}
}

func TestGoneMidPagination(t *testing.T) {
	e := newEnv(t, google.Config{PageSize: 1})
	e.load()
	gone := fakegoogle.Fault{Status: 410, Reason: "fullSyncRequired"}
	// Page 2 of the first full sync answers 410: the sync starts over.
	e.fake.InjectFaults(ana, fakegoogle.Fault{}, gone)
	r := e.sync.Sync(context.Background(), e.cals[0])
	if r.Err != nil || !r.Resynced || r.Requests != 5 || r.Changes != 3 || len(r.Feed.Events) != 3 {
		t.Fatalf("err %v, resynced %v, %d requests, %d changes", r.Err, r.Resynced, r.Requests, r.Changes)
	}
	// The stored state matches what the syncer returned, without a request.
	feed, err := e.sync.Events(context.Background(), e.cals[0])
	if err != nil || feed == nil || len(feed.Events) != 3 {
		t.Errorf("Events: %+v, %v", feed, err)
	}
	if feed, err := e.sync.Events(context.Background(), google.Calendar{ID: "nobody@example.com"}); feed != nil || err != nil {
		t.Errorf("Events of an unknown calendar: %+v, %v", feed, err)
	}
	// 410 again and again: a clear error, no endless loop.
	e.fake.InjectFaults(ana, gone, gone, gone, gone)
	r = e.sync.Sync(context.Background(), e.cals[0])
	if r.Err == nil || !strings.Contains(r.Err.Error(), "410") || !strings.HasPrefix(r.Err.Error(), "google: calendar ana@example.com: ") || r.Requests != 3 {
		t.Errorf("endless 410: err %v after %d requests", r.Err, r.Requests)
	}
}

func TestCalendarDefaultsAndMetrics(t *testing.T) {
	e := newEnv(t, google.Config{})
	e.load()
	r := e.sync.Sync(context.Background(), google.Calendar{ID: bo})
	if r.Err != nil || r.Feed.Name != bo || r.Feed.Owner != bo || r.Feed.Events[0].Source != bo || r.Feed.Events[0].Owner != bo {
		t.Fatalf("defaults: err %v, feed %+v", r.Err, r.Feed)
	}
	if n := counterValue(t, e.reg, "cadence_google_requests_total", map[string]string{"method": "events.list", "code": "200"}); n != 1 {
		t.Errorf("requests_total{200} = %v", n)
	}
	mfs, err := e.reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, mf := range mfs {
		if mf.GetName() == "cadence_source_sync_duration_seconds" {
			for _, m := range mf.GetMetric() {
				if m.GetLabel()[0].GetValue() == bo && m.GetGauge().GetValue() == r.Duration.Seconds() {
					found = true
				}
			}
		}
		if mf.GetName() == "cadence_source_last_success_timestamp_seconds" {
			t.Error("the daemon's metric is registered here")
		}
	}
	if !found {
		t.Errorf("cadence_source_sync_duration_seconds{source=%q} is not the sync's duration %s", bo, r.Duration)
	}
	r = e.sync.Sync(context.Background(), google.Calendar{ID: cy, QuotaUser: "q-cy"})
	if r.Err != nil || e.fake.LastQuery(cy).Get("quotaUser") != "q-cy" {
		t.Errorf("explicit quota user: err %v, sent %q", r.Err, e.fake.LastQuery(cy).Get("quotaUser"))
	}
	// Calendar ids with characters that need escaping in the path.
	odd := "c_team#1/x?y@group.calendar.google.com"
	e.fake.AddCalendar(odd, "UTC")
	e.fake.PutEvent(odd, single())
	if r := e.sync.Sync(context.Background(), google.Calendar{ID: odd, Owner: cy}); r.Err != nil || len(r.Feed.Events) != 1 || e.fake.Requests(odd, fakegoogle.MethodEventsList) != 1 {
		t.Errorf("odd calendar id: err %v, feed %+v", r.Err, r.Feed)
	}
	// Credentials failing for one calendar: an error naming it, no request.
	s2, err := google.New(google.Config{Endpoint: fakegoogle.CalendarEndpoint(e.srv.URL), HTTPClient: func(ctx context.Context, cal google.Calendar) (*http.Client, error) {
		if cal.ID == ana {
			return nil, errors.New("no delegation for this user")
		}
		return http.DefaultClient, nil
	}}, google.NewMemoryStore())
	if err != nil {
		t.Fatal(err)
	}
	e.fake.ResetCounts()
	rs := s2.SyncAll(context.Background(), e.cals)
	if a := byID(t, rs, ana); a.Err == nil || a.Err.Error() != "google: calendar ana@example.com: credentials: no delegation for this user" || e.fake.Requests(ana, fakegoogle.MethodEventsList) != 0 {
		t.Errorf("ana: %v", a.Err)
	}
	if b := byID(t, rs, bo); b.Err != nil {
		t.Errorf("bo: %v", b.Err)
	}
	// Registering twice on one registry is an error, not a panic.
	if _, err := google.New(google.Config{Registerer: e.reg}, google.NewMemoryStore()); err == nil || !strings.HasPrefix(err.Error(), "google: register metrics") {
		t.Errorf("second registration: %v", err)
	}
}

func TestCancelMovedInstance(t *testing.T) {
	e := newEnv(t, google.Config{})
	e.load()
	e.syncAll()
	jan19, moved := at(time.January, 19, 10, 0), at(time.January, 20, 11, 0)
	if err := e.fake.MoveInstance(ana, "w1on1", jan19, moved, moved.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	e.syncAll()
	// Cancelling the moved instance arrives as a bare id: the instance
	// keeps its moved time and is cancelled there.
	if err := e.fake.CancelInstance(ana, "w1on1", jan19); err != nil {
		t.Fatal(err)
	}
	rs := e.syncAll()
	got := find(occurrences(t, byID(t, rs, ana)), series, jan19)
	if len(got) != 1 || !got[0].Cancelled() || !got[0].Start.Equal(moved) || got[0].End.Sub(got[0].Start) != time.Hour || len(got[0].Attendees) != 3 {
		t.Errorf("cancelled moved instance = %+v", got)
	}
}
