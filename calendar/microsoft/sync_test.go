package microsoft_test

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cadence-dev/cadence/calendar"
	"github.com/cadence-dev/cadence/calendar/microsoft"
	"github.com/cadence-dev/cadence/calendar/microsoft/fakegraph"
	"github.com/cadence-dev/cadence/calendar/microsoft/graph"
)

func mondays() []string {
	var out []string
	for d := at(time.January, 5, 10, 0); d.Before(window.To); d = d.AddDate(0, 0, 7) {
		out = append(out, d.Format("01-02 15:04"))
	}
	return out
}

func starts(occs []calendar.Occurrence) []string {
	var out []string
	for _, o := range occs {
		out = append(out, o.Start.In(berlin).Format("01-02 15:04"))
	}
	return out
}

func TestFullSyncPagesAndMasters(t *testing.T) {
	e := newEnv(t, microsoft.Config{PageSize: 10})
	e.load()
	r := e.syncOK(ana)
	if !r.Full || r.Resynced {
		t.Errorf("first sync: Full=%v Resynced=%v, want full, not resynced", r.Full, r.Resynced)
	}
	// The window (1 March 2026 -430 days .. +135 days) holds 28 weekly
	// occurrences (5 Jan .. 13 Jul) and 2 single events: 3 pages of 10,
	// then one request for the series master.
	delta := e.fake.Requests(ana, fakegraph.MethodDelta)
	if delta != 3 || r.Masters != 1 || e.fake.Requests(ana, fakegraph.MethodEvent) != 1 || r.Requests != delta+1 {
		t.Errorf("requests: result %d, delta pages %d, masters %d (server %d)", r.Requests, delta, r.Masters, e.fake.Requests(ana, fakegraph.MethodEvent))
	}
	if r.Changes != 30 {
		t.Errorf("changes = %d", r.Changes)
	}
	req := e.fake.LastRequest(ana)
	prefer := strings.Join(req.Header.Values("Prefer"), ", ")
	if !strings.Contains(prefer, `outlook.timezone="UTC"`) {
		t.Errorf("Prefer = %q, want outlook.timezone=\"UTC\"", prefer)
	}
	if r.Feed.Name != "microsoft:"+ana || r.Feed.Owner != ana {
		t.Errorf("feed name/owner = %q/%q", r.Feed.Name, r.Feed.Owner)
	}
	occs := occurrences(t, r)
	series := of(occs, seriesUID)
	// Weekly at 10:00 Berlin across the DST change of 29 March.
	if got, want := starts(series), mondays(); !slices.Equal(got, want) {
		t.Errorf("series starts\n got %v\nwant %v", got, want)
	}
	for _, o := range series {
		if o.Cancelled() || o.Moved() || o.Organizer != ana || o.UID != seriesUID || !o.Recurring {
			t.Errorf("occurrence %v: %+v", o.OriginalStart, o)
		}
	}
	// The delta calls after the first carry only the state token.
	if q := e.fake.LastRequest(ana).URL.Query(); q.Get("startDateTime") != "" {
		t.Errorf("the last request repeats startDateTime: %v", q)
	}
}

func TestDeltaUnchangedMailboxOneRequest(t *testing.T) {
	e := newEnv(t, microsoft.Config{})
	e.load()
	first := e.syncOK(ana)
	e.fake.ResetCounts()
	for cycle := 0; cycle < 3; cycle++ {
		r := e.syncOK(ana)
		if r.Full || r.Changes != 0 || r.Requests != 1 {
			t.Errorf("cycle %d: Full=%v changes=%d requests=%d, want one incremental request and no change", cycle, r.Full, r.Changes, r.Requests)
		}
		if r.Feed != first.Feed {
			t.Errorf("cycle %d: the unchanged mailbox's feed was converted again", cycle)
		}
	}
	if n := e.fake.Requests(ana, fakegraph.MethodDelta); n != 3 {
		t.Errorf("server saw %d delta requests for 3 unchanged cycles, want 3", n)
	}
	if n := e.fake.Requests(ana, fakegraph.MethodEvent); n != 0 {
		t.Errorf("server saw %d master requests on unchanged cycles, want 0", n)
	}
	if e.store.Saves() != 1 {
		t.Errorf("SaveMailbox calls = %d, want 1 (unchanged cycles record the delta link only)", e.store.Saves())
	}
}

func TestCancelledOccurrenceIsAbsent(t *testing.T) {
	e := newEnv(t, microsoft.Config{})
	e.load()
	e.syncOK(ana)
	day := at(time.February, 16, 10, 0)
	must(t, e.fake.CancelOccurrence(ana, "ana-weekly", day))
	e.fake.ResetCounts()
	r := e.syncOK(ana)
	if r.Full || r.Changes != 1 || r.Masters != 1 || r.Requests != 2 {
		t.Errorf("after one cancellation: Full=%v changes=%d masters=%d requests=%d; want 1 removed item, 1 master read, 2 requests", r.Full, r.Changes, r.Masters, r.Requests)
	}
	occs := occurrences(t, r)
	o := find(t, occs, seriesUID, day)
	if !o.Cancelled() || o.CancelReason != calendar.CancelExdate || o.Title != "Ana / Bo" || len(o.Attendees) != 1 {
		t.Errorf("cancelled occurrence = %+v, want cancelled (exdate) with the master's title and attendees", o)
	}
	n := 0
	for _, o := range of(occs, seriesUID) {
		if o.Cancelled() {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d cancelled occurrences, want 1", n)
	}
	// A full re-sync (expired delta state) finds the same: the occurrence
	// is absent from the full listing too.
	must(t, e.fake.ExpireDeltaTokens(ana, ""))
	r = e.syncOK(ana)
	if !r.Resynced {
		t.Fatalf("expected a re-sync")
	}
	if o := find(t, occurrences(t, r), seriesUID, day); !o.Cancelled() {
		t.Errorf("after re-sync: %+v, want cancelled", o)
	}
}

func TestMovedAndDeclinedOccurrences(t *testing.T) {
	e := newEnv(t, microsoft.Config{})
	e.load()
	e.syncOK(ana)
	moved := at(time.March, 2, 10, 0)
	must(t, e.fake.MoveOccurrence(ana, "ana-weekly", moved, at(time.March, 3, 14, 0), at(time.March, 3, 14, 30)))
	declined := at(time.March, 9, 10, 0)
	must(t, e.fake.DeclineOccurrence(ana, "ana-weekly", declined, bo))
	r := e.syncOK(ana)
	occs := occurrences(t, r)
	m := find(t, occs, seriesUID, moved)
	if !m.Moved() || !m.Start.Equal(at(time.March, 3, 14, 0)) || m.Cancelled() || !m.Override {
		t.Errorf("moved occurrence = %+v, want moved to 3 March 14:00", m)
	}
	d := find(t, occs, seriesUID, declined)
	if d.Cancelled() || len(d.Attendees) != 1 || d.Attendees[0].Response != calendar.ResponseDeclined {
		t.Errorf("declined occurrence = %+v, want Bo declined", d)
	}
}

func TestSingleMeetingsOOOAndResources(t *testing.T) {
	e := newEnv(t, microsoft.Config{})
	e.load()
	r := e.syncOK(ana)
	occs := occurrences(t, r)
	one := of(occs, fakegraph.GOID("oneoff"))
	if len(one) != 1 || one[0].Recurring || one[0].Organizer != ana {
		t.Fatalf("one-off = %+v", one)
	}
	var room *calendar.Attendee
	for i, a := range one[0].Attendees {
		if a.Email == "room-1@example.com" {
			room = &one[0].Attendees[i]
		}
	}
	if room == nil || !room.Resource {
		t.Errorf("room attendee = %+v, want a resource", room)
	}
	var ooo *calendar.Occurrence
	for i := range occs {
		if occs[i].Title == "Vacation" {
			ooo = &occs[i]
		}
	}
	if ooo == nil || !ooo.OutOfOffice || !ooo.AllDay || !ooo.Start.Equal(at(time.February, 20, 0, 0)) {
		t.Errorf("out of office = %+v, want an all-day out-of-office on 20 Feb", ooo)
	}
}

func TestOrganizerCancelsMeeting(t *testing.T) {
	e := newEnv(t, microsoft.Config{})
	e.load()
	e.syncOK(ana)
	e.syncOK(bo)
	// The organizer cancels the one-off: it leaves Ana's calendar, Bo
	// keeps a "Canceled:" copy with isCancelled.
	must(t, e.fake.CancelMeeting(ana, "ana-oneoff"))
	a := e.syncOK(ana)
	b := e.syncOK(bo)
	if a.Changes != 1 || b.Changes != 1 {
		t.Errorf("changes ana %d, bo %d; want 1 each", a.Changes, b.Changes)
	}
	uid := fakegraph.GOID("oneoff")
	for _, r := range []microsoft.Result{a, b} {
		got := of(occurrences(t, r), uid)
		if len(got) != 1 || !got[0].Cancelled() || got[0].Title != "Ana / Bo: planning" {
			t.Errorf("%s: one-off = %+v, want one cancelled occurrence titled without the prefix", r.Mailbox.ID, got)
		}
	}
	// Ana's copy stays cancelled across a full re-sync, although the
	// listing no longer has it.
	must(t, e.fake.ExpireDeltaTokens(ana, graph.CodeResyncRequired))
	a = e.syncOK(ana)
	if got := of(occurrences(t, a), uid); !a.Resynced || len(got) != 1 || !got[0].Cancelled() {
		t.Errorf("after re-sync: resynced=%v %+v", a.Resynced, got)
	}
	// The whole series deleted by its organizer: the series has ended.
	must(t, e.fake.DeleteEvent(ana, "ana-weekly"))
	a = e.syncOK(ana)
	if got := of(occurrences(t, a), seriesUID); len(got) != 0 {
		t.Errorf("deleted series: %d occurrences left, want none", len(got))
	}
}

func TestCopiesInTwoMailboxesCountOnce(t *testing.T) {
	e := newEnv(t, microsoft.Config{})
	e.load()
	a, b := e.syncOK(ana), e.syncOK(bo)
	// Bo declines one occurrence; Exchange takes it off his calendar.
	day := at(time.March, 16, 10, 0)
	must(t, e.fake.DeclineOccurrence(ana, "ana-weekly", day, bo))
	must(t, e.fake.CancelOccurrence(bo, "bo-weekly", day))
	a, b = e.syncOK(ana), e.syncOK(bo)
	all := append(occurrences(t, a), occurrences(t, b)...)
	merged := calendar.Dedup(all)
	series := of(merged, seriesUID)
	if got, want := starts(series), mondays(); !slices.Equal(got, want) {
		t.Errorf("deduplicated series\n got %v\nwant %v", got, want)
	}
	o := find(t, merged, seriesUID, day)
	if o.Owner != ana || o.Cancelled() || o.Attendees[0].Response != calendar.ResponseDeclined || len(o.SeenIn) != 2 {
		t.Errorf("16 March = %+v: want the organizer's copy (Bo declined), seen in both mailboxes", o)
	}
}

func TestExpiredDeltaResyncs(t *testing.T) {
	for _, code := range []string{graph.CodeSyncStateNotFound, graph.CodeResyncRequired} {
		t.Run(code, func(t *testing.T) {
			e := newEnv(t, microsoft.Config{})
			e.load()
			before := occurrences(t, e.syncOK(ana))
			must(t, e.fake.ExpireDeltaTokens(ana, code))
			r := e.syncOK(ana)
			if !r.Full || !r.Resynced {
				t.Errorf("after expiry: Full=%v Resynced=%v", r.Full, r.Resynced)
			}
			if got := occurrences(t, r); len(got) != len(before) {
				t.Errorf("after re-sync: %d occurrences, before %d", len(got), len(before))
			}
			if r := e.syncOK(ana); r.Full || r.Requests != 1 {
				t.Errorf("the cycle after the re-sync: Full=%v requests=%d", r.Full, r.Requests)
			}
		})
	}
}

func TestRetryAfterIsHonoured(t *testing.T) {
	e := newEnv(t, microsoft.Config{})
	e.load()
	e.fake.InjectFaults(ana, fakegraph.Fault{Status: http.StatusTooManyRequests, Code: "TooManyRequests", RetryAfter: 30}, fakegraph.ServiceUnavailable, fakegraph.GatewayTimeout)
	r := e.syncOK(ana)
	sleeps := e.clock.Sleeps()
	if len(sleeps) != 3 || sleeps[0] < 30*time.Second {
		t.Errorf("sleeps = %v, want 3 waits, the first at least the 30 s Retry-After", sleeps)
	}
	if !r.Full || r.Feed == nil || len(r.Feed.Events) == 0 {
		t.Errorf("sync after retries: %+v", r)
	}
}

func TestRetryAfterTooLongFails(t *testing.T) {
	e := newEnv(t, microsoft.Config{MaxRetryAfter: time.Minute})
	e.load()
	e.syncOK(ana)
	e.fake.InjectFaults(ana, fakegraph.Fault{Status: http.StatusTooManyRequests, Code: "TooManyRequests", RetryAfter: 3600})
	r := e.sync(ana)
	if r.Err == nil || !strings.Contains(r.Err.Error(), "max retry-after") || r.Feed == nil {
		t.Errorf("err = %v, feed %v; want a failure that keeps the last good data", r.Err, r.Feed != nil)
	}
}

// Test429StormConverges: throttling at random points of many rounds, while
// the mailbox changes, ends with the same state as an unthrottled sync,
// each change counted once.
func Test429StormConverges(t *testing.T) {
	e := newEnv(t, microsoft.Config{PageSize: 7, MaxAttempts: 4})
	ref := newEnv(t, microsoft.Config{PageSize: 7})
	e.load()
	ref.load()
	e.syncOK(ana)
	ref.syncOK(ana)
	storm := fakegraph.Fault{Status: http.StatusTooManyRequests, Code: "TooManyRequests", RetryAfter: 5}
	changes, refChanges := 0, 0
	for i := 0; i < 8; i++ {
		day := at(time.February, 2, 10, 0).AddDate(0, 0, 7*i)
		for _, x := range []*env{e, ref} {
			if i%2 == 0 {
				must(t, x.fake.CancelOccurrence(ana, "ana-weekly", day))
			} else {
				must(t, x.fake.MoveOccurrence(ana, "ana-weekly", day, day.Add(2*time.Hour), day.Add(150*time.Minute)))
			}
		}
		// Throttle two of every three requests, some past MaxAttempts.
		faults := []fakegraph.Fault{storm, storm, {}, storm, {}, storm, storm, storm, storm}
		e.fake.InjectFaults(ana, faults[i%3:]...)
		for {
			r := e.sync(ana)
			if r.Err == nil {
				changes += r.Changes
				break
			}
			if !strings.Contains(r.Err.Error(), "429") {
				t.Fatalf("round %d: %v", i, r.Err)
			}
		}
		refChanges += ref.syncOK(ana).Changes
	}
	e.fake.ClearFaults()
	if changes != refChanges || changes != 8 {
		t.Errorf("changes counted: %d under throttling, %d without; want 8 each", changes, refChanges)
	}
	got, want := occurrences(t, e.syncOK(ana)), occurrences(t, ref.syncOK(ana))
	if len(got) != len(want) {
		t.Fatalf("%d occurrences under throttling, %d without", len(got), len(want))
	}
	for i := range got {
		g, w := got[i], want[i]
		if !g.Start.Equal(w.Start) || g.Status != w.Status || !g.OriginalStart.Equal(w.OriginalStart) {
			t.Errorf("occurrence %d: %v %s vs %v %s", i, g.Start, g.Status, w.Start, w.Status)
		}
	}
	for _, d := range e.clock.Sleeps() {
		if d < 5*time.Second {
			t.Errorf("a retry waited %v, less than the 5 s Retry-After", d)
		}
	}
}

func TestFailingMailboxKeepsLastGoodData(t *testing.T) {
	e := newEnv(t, microsoft.Config{MaxAttempts: 2})
	e.load()
	good := e.syncOK(ana)
	e.fake.FailAlways(ana, fakegraph.Forbidden)
	r := e.sync(ana)
	if r.Err == nil || r.Feed != good.Feed || !r.LastSuccess.Equal(good.LastSuccess) {
		t.Errorf("failed sync: err %v, same feed %v, last success %v (was %v)", r.Err, r.Feed == good.Feed, r.LastSuccess, good.LastSuccess)
	}
	if !strings.HasPrefix(r.Err.Error(), "microsoft: mailbox "+ana+": ") || !strings.Contains(r.Err.Error(), "403") {
		t.Errorf("error %q: want the prefix, the mailbox and the status", r.Err)
	}
	// Bo's mailbox is unaffected.
	if b := e.sync(bo); b.Err != nil {
		t.Errorf("bo: %v", b.Err)
	}
}

func TestWindowMovesWithTime(t *testing.T) {
	e := newEnv(t, microsoft.Config{})
	e.load()
	first := e.syncOK(ana)
	// Within Ahead - MinAhead the delta link is used.
	e.clock.Advance(20 * 24 * time.Hour)
	if r := e.syncOK(ana); r.Full {
		t.Errorf("20 days later: full sync, want incremental")
	}
	// After that the window no longer reaches far enough: a new one.
	e.clock.Advance(15 * 24 * time.Hour)
	r := e.syncOK(ana)
	if !r.Full || r.Resynced {
		t.Errorf("35 days later: Full=%v Resynced=%v, want a full sync over a new window", r.Full, r.Resynced)
	}
	q := e.fake.LastRequest(ana)
	if q == nil {
		t.Fatal("no request")
	}
	_ = first
}

func TestContextCancelStops(t *testing.T) {
	e := newEnv(t, microsoft.Config{})
	e.load()
	release := e.fake.Block(ana)
	defer release()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	r := e.syncer.Sync(ctx, microsoft.Mailbox{ID: ana})
	if !errors.Is(r.Err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", r.Err)
	}
}

// TestPartialDeltaUpdate: Graph's delta contract lets an updated item
// carry only the properties that changed; the rest is kept.
func TestPartialDeltaUpdate(t *testing.T) {
	e := newEnv(t, microsoft.Config{})
	e.load()
	e.syncOK(ana)
	// A partial update of the one-off, served by a wrapper that strips
	// every property but id and subject from delta items.
	must(t, e.fake.UpdateEvent(ana, "ana-oneoff", func(ev *graph.Event) { ev.Subject = "Ana / Bo: new plan" }))
	e.fake.SetDeltaFilter(func(item map[string]any) map[string]any {
		if item["id"] == "ana-oneoff" {
			return map[string]any{"id": item["id"], "subject": item["subject"]}
		}
		return item
	})
	r := e.syncOK(ana)
	got := of(occurrences(t, r), fakegraph.GOID("oneoff"))
	if len(got) != 1 || got[0].Title != "Ana / Bo: new plan" || got[0].Organizer != ana || len(got[0].Attendees) != 2 || !got[0].Start.Equal(at(time.February, 11, 15, 0)) {
		t.Errorf("after a partial update: %+v", got)
	}
}
