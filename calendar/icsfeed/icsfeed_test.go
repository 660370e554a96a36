package icsfeed_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cadence-dev/cadence/calendar"
	"github.com/cadence-dev/cadence/calendar/icsfeed"
	"github.com/cadence-dev/cadence/internal/hostile"
)

const feedICS = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\nBEGIN:VEVENT\r\nUID:a\r\nDTSTAMP:20261101T000000Z\r\nDTSTART:20261102T090000Z\r\nDURATION:PT30M\r\nORGANIZER:mailto:ana@example.com\r\nATTENDEE:mailto:bo@example.com\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"

type memStore struct {
	mu       sync.Mutex
	recs     map[string]*icsfeed.Record
	fail     bool
	failOnce bool // the next save fails (a full disk), later ones work
	saves    int
}

func (m *memStore) LoadFeed(_ context.Context, name string) (*icsfeed.Record, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.recs[name], nil
}

func (m *memStore) SaveFeed(_ context.Context, name string, rec *icsfeed.Record) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.saves++
	if m.fail || m.failOnce {
		m.failOnce = false
		return errors.New("disk full")
	}
	m.recs[name] = rec
	return nil
}

type org struct{}

func (org) Emails() []string { return nil }
func (org) Resolve(e string) (string, bool) {
	if e == "Ana.Alias@example.com" {
		return "ana@example.com", true
	}
	return "", false
}

// TestSyncRestoreConditional: a read is stored; a new Source restores it
// and then asks conditionally, a 304 is Unchanged; a changed definition
// ignores the stored record; a failed save is a StateErr beside good data.
func TestSyncRestoreConditional(t *testing.T) {
	st := &memStore{recs: map[string]*icsfeed.Record{}}
	var prevSeen []*calendar.Validators
	fetch := func(_ context.Context, src calendar.ICSSource, o calendar.FetchOptions) (*calendar.FetchResult, error) {
		prevSeen = append(prevSeen, o.Previous)
		if o.Previous != nil && o.Previous.ETag == `"v1"` {
			return &calendar.FetchResult{NotModified: true, Validators: *o.Previous}, nil
		}
		return &calendar.FetchResult{Data: []byte(feedICS), Validators: calendar.Validators{ETag: `"v1"`}}, nil
	}
	now := func() time.Time { return time.Date(2026, 11, 3, 0, 0, 0, 0, time.UTC) }
	feeds := []icsfeed.Feed{{Name: "ana", Owner: "Ana.Alias@example.com", URL: "https://cal.example.com/ana.ics", Zone: time.UTC}}
	opts := icsfeed.Options{Feeds: feeds, Store: st, Fetch: fetch, Now: now}
	syncOnce := func(s *icsfeed.Source) calendar.SyncResult { return syncOne(t, s) }

	s := icsfeed.New(opts)
	cals := s.Calendars(org{})
	if len(cals) != 1 || cals[0].Owner != "ana@example.com" || !strings.HasPrefix(cals[0].ID, "sha256:") {
		t.Fatalf("calendars %+v: want the owner resolved to the primary email, the URL only as its hash", cals)
	}
	r := syncOnce(s)
	if r.Err != nil || r.Feed == nil || len(r.Feed.Events) != 1 || prevSeen[0] != nil {
		t.Fatalf("first sync %+v (previous %v)", r, prevSeen[0])
	}
	if rec := st.recs["ana"]; rec == nil || !rec.LastSuccess.Equal(now()) {
		t.Fatalf("stored %+v", rec)
	}

	// A restart: a new Source restores the body, then asks conditionally.
	s2 := icsfeed.New(opts)
	rest, err := s2.Restore(context.Background(), cals[0])
	if err != nil || rest == nil || len(rest.Feed.Events) != 1 || !rest.LastSuccess.Equal(now()) {
		t.Fatalf("restore %+v, %v", rest, err)
	}
	if r := syncOnce(s2); !r.Unchanged || r.Feed != nil || r.Err != nil {
		t.Errorf("conditional sync %+v: want unchanged", r)
	}

	// A reload builds a new Source: it inherits the validators (the next
	// fetch is still conditional) and the running one is left as it was.
	s3 := icsfeed.New(opts)
	s3.Inherit(s2)
	if r := syncOnce(s3); !r.Unchanged {
		t.Errorf("sync after Inherit %+v: want a conditional request answered 304", r)
	}
	if r := syncOnce(s2); !r.Unchanged {
		t.Errorf("the previous source after Inherit: %+v", r)
	}

	// Another zone is another definition: the stored record is not used.
	other := cals[0]
	other.Zone = time.FixedZone("x", 3600)
	if rest, err := s2.Restore(context.Background(), other); err != nil || rest != nil {
		t.Errorf("restore of a changed definition: %+v, %v", rest, err)
	}

	// Read-only (a one-shot beside the daemon) never writes.
	st.recs = map[string]*icsfeed.Record{}
	ro := opts
	ro.ReadOnly = true
	syncOnce(icsfeed.New(ro))
	if len(st.recs) != 0 {
		t.Errorf("read-only source stored %v", st.recs)
	}

	// A failed save keeps the good data and says why.
	st.fail = true
	if r := syncOnce(icsfeed.New(opts)); r.Feed == nil || r.StateErr == nil || !strings.Contains(r.StateErr.Error(), "icsfeed: feed ana: disk full") {
		t.Errorf("failed save: %+v", r)
	}
}

// TestFetchErrorReasons: fetch errors are classified for metrics.
func TestFetchErrorReasons(t *testing.T) {
	for _, tc := range []struct {
		err    error
		reason string
	}{
		{calendar.ErrTooLarge, "too_large"},
		{calendar.ErrHTTPStatus, "http_status"},
		{context.DeadlineExceeded, "timeout"},
		{errors.New("connection refused"), "fetch"},
	} {
		fetch := func(context.Context, calendar.ICSSource, calendar.FetchOptions) (*calendar.FetchResult, error) {
			return nil, tc.err
		}
		s := icsfeed.New(icsfeed.Options{Feeds: []icsfeed.Feed{{Name: "x", Path: "/nonexistent"}}, Fetch: fetch})
		var got calendar.SyncResult
		s.Sync(context.Background(), s.Calendars(org{}), func(r calendar.SyncResult) { got = r })
		if got.Err == nil || got.Reason != tc.reason {
			t.Errorf("%v: reason %q, want %q", tc.err, got.Reason, tc.reason)
		}
	}
	// A feed that does not parse.
	fetch := func(context.Context, calendar.ICSSource, calendar.FetchOptions) (*calendar.FetchResult, error) {
		return &calendar.FetchResult{Data: []byte("<html>not a calendar</html>")}, nil
	}
	s := icsfeed.New(icsfeed.Options{Feeds: []icsfeed.Feed{{Name: "x", Path: "/nonexistent"}}, Fetch: fetch})
	var got calendar.SyncResult
	s.Sync(context.Background(), s.Calendars(org{}), func(r calendar.SyncResult) { got = r })
	if got.Err == nil || got.Reason != "parse" {
		t.Errorf("garbage: %+v, want a parse error", got)
	}
}

// TestHostileQuarantine: a stored body that fails at restore (here: over the
// parse-time limit, as a feed stored by an earlier version or under a
// larger limit would be) is set aside: marked in the store, kept, never
// parsed again at the next start, and no validator of it is used; the
// next good fetch replaces it and clears the mark. A read-only source
// reports the quarantine without writing it.
func TestHostileQuarantine(t *testing.T) {
	body := hostile.DailySeries(200, hostile.Pair{Lead: "ana@example.com", Member: "bo@example.com"}, "20261101")
	rec := func() *icsfeed.Record {
		return &icsfeed.Record{Validators: calendar.Validators{ETag: `"poison"`}, Body: body, LastSuccess: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)}
	}
	feeds := []icsfeed.Feed{{Name: "ana", Owner: "ana@example.com", Path: "/nonexistent/ana.ics", Zone: time.UTC}}
	var prev []*calendar.Validators
	fetch := func(_ context.Context, _ calendar.ICSSource, o calendar.FetchOptions) (*calendar.FetchResult, error) {
		prev = append(prev, o.Previous)
		return &calendar.FetchResult{Data: []byte(feedICS), Validators: calendar.Validators{ETag: `"good"`}}, nil
	}
	st := &memStore{recs: map[string]*icsfeed.Record{}}
	opts := icsfeed.Options{Feeds: feeds, Store: st, Fetch: fetch, Limits: calendar.Limits{ParseTime: time.Nanosecond}}
	s := icsfeed.New(opts)
	cal := s.Calendars(org{})[0]
	r := rec()
	generous := opts
	generous.Limits = calendar.Limits{}
	r.Source = sourceIDOf(t, icsfeed.New(generous), cal, st)
	st.recs["ana"] = r

	ro := opts
	ro.ReadOnly = true
	rest, err := icsfeed.New(ro).Restore(context.Background(), cal)
	if err != nil || rest == nil || rest.Feed != nil || rest.Quarantined == nil || st.recs["ana"].Quarantined != "" {
		t.Fatalf("read-only restore: %+v, %v; stored mark %q", rest, err, st.recs["ana"].Quarantined)
	}

	rest, err = s.Restore(context.Background(), cal)
	if err != nil || rest == nil || rest.Feed != nil || rest.Quarantined == nil {
		t.Fatalf("restore: %+v, %v", rest, err)
	}
	if !errors.Is(rest.Quarantined, calendar.ErrBudget) || !strings.Contains(rest.Quarantined.Error(), "icsfeed: feed ana: stored data quarantined: calendar: feed ana: UID daily-0@hostile: parse_time limit of 1ns exceeded") {
		t.Errorf("quarantine error: %v", rest.Quarantined)
	}
	kept := st.recs["ana"]
	if !strings.Contains(kept.Quarantined, "parse_time limit") || string(kept.Body) != string(body) {
		t.Fatalf("stored record after quarantine: mark %q, body kept %v", kept.Quarantined, string(kept.Body) == string(body))
	}

	// The next start does not parse it again (a generous limit would
	// succeed: the mark alone decides).
	s2 := icsfeed.New(generous)
	rest, err = s2.Restore(context.Background(), cal)
	if err != nil || rest == nil || rest.Feed != nil || !strings.Contains(fmt.Sprint(rest.Quarantined), "stored data quarantined (not parsed again)") {
		t.Fatalf("second restore: %+v, %v", rest, err)
	}
	var got []calendar.SyncResult
	s2.Sync(context.Background(), []calendar.Calendar{cal}, func(r calendar.SyncResult) { got = append(got, r) })
	if len(got) != 1 || got[0].Feed == nil || prev[len(prev)-1] != nil {
		t.Fatalf("sync after quarantine: %+v, previous validators %v (want a full fetch)", got, prev[len(prev)-1])
	}
	if r := st.recs["ana"]; r.Quarantined != "" || r.Validators.ETag != `"good"` {
		t.Errorf("after a good fetch the record is %+v: want the mark cleared", r)
	}
}

// sourceIDOf learns the definition id the source stores (a sync into a
// scratch store), so a test can plant a record of the same definition.
func sourceIDOf(t *testing.T, s *icsfeed.Source, cal calendar.Calendar, real *memStore) string {
	t.Helper()
	var id string
	s.Sync(context.Background(), []calendar.Calendar{cal}, func(calendar.SyncResult) {})
	if r := real.recs[cal.Name]; r != nil {
		id = r.Source
	}
	delete(real.recs, cal.Name)
	if id == "" {
		t.Fatal("no record stored by a sync")
	}
	return id
}

// syncOne syncs the only feed of s once.
func syncOne(t *testing.T, s *icsfeed.Source) calendar.SyncResult {
	t.Helper()
	var got []calendar.SyncResult
	s.Sync(context.Background(), s.Calendars(org{}), func(r calendar.SyncResult) { got = append(got, r) })
	if len(got) != 1 {
		t.Fatalf("%d results, want 1", len(got))
	}
	return got[0]
}

// conditionalFeed answers like a server with ETag "v1": 304 to a request
// carrying it, the whole feed otherwise. It records what each request
// carried.
type conditionalFeed struct {
	mu   sync.Mutex
	prev []*calendar.Validators
}

func (c *conditionalFeed) fetch(_ context.Context, _ calendar.ICSSource, o calendar.FetchOptions) (*calendar.FetchResult, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.prev = append(c.prev, o.Previous)
	if o.Previous != nil && o.Previous.ETag == `"v1"` {
		return &calendar.FetchResult{NotModified: true, Validators: *o.Previous}, nil
	}
	return &calendar.FetchResult{Data: []byte(feedICS), Validators: calendar.Validators{ETag: `"v1"`}}, nil
}

// TestSaveRetriedAfterFailedSave: a save that failed (a full disk) is
// redone by the next successful sync, although the feed did not change:
// the next request is unconditional, so the whole feed comes back.
func TestSaveRetriedAfterFailedSave(t *testing.T) {
	st := &memStore{recs: map[string]*icsfeed.Record{}, failOnce: true}
	cf := &conditionalFeed{}
	s := icsfeed.New(icsfeed.Options{Feeds: []icsfeed.Feed{{Name: "ana", Owner: "ana@example.com", URL: "https://cal.example.com/ana.ics"}}, Store: st, Fetch: cf.fetch})
	if r := syncOne(t, s); r.Feed == nil || r.StateErr == nil {
		t.Fatalf("first sync: %+v, want data and a failed save", r)
	}
	if st.recs["ana"] != nil {
		t.Fatal("a failed save stored a record")
	}
	r := syncOne(t, s)
	if r.Err != nil || r.StateErr != nil {
		t.Fatalf("second sync: %+v", r)
	}
	if p := cf.prev[1]; p == nil || *p != (calendar.Validators{}) {
		t.Errorf("second request carried %+v, want no validators (the whole feed, to save it)", p)
	}
	if rec := st.recs["ana"]; rec == nil || rec.Validators.ETag != `"v1"` || !bytes.Equal(rec.Body, calendar.Minimize([]byte(feedICS))) {
		t.Fatalf("after the retry the store holds %+v", rec)
	}
	// Saved: conditional again, and a 304 saves nothing more.
	if r := syncOne(t, s); !r.Unchanged || r.Err != nil || cf.prev[2] == nil || cf.prev[2].ETag != `"v1"` || st.saves != 2 {
		t.Errorf("third sync: %+v, previous %+v, %d saves", r, cf.prev[2], st.saves)
	}
}

// TestNotModifiedWithoutData: a 304 is a healthy "unchanged" only when
// there is data to reuse. The first request of a feed carries no copy
// (Previous nil): a 304 to it is an http_status error, not an empty feed.
// With restored data but no validators (the server sent none), the
// request is unconditional yet a 304 keeps the data.
func TestNotModifiedWithoutData(t *testing.T) {
	var prevs []*calendar.Validators
	notModified := func(_ context.Context, _ calendar.ICSSource, o calendar.FetchOptions) (*calendar.FetchResult, error) {
		prevs = append(prevs, o.Previous)
		return &calendar.FetchResult{NotModified: true}, nil
	}
	feeds := []icsfeed.Feed{{Name: "ana", Owner: "ana@example.com", URL: "https://user:pw@cal.example.com/private-abc/ana.ics"}}
	s := icsfeed.New(icsfeed.Options{Feeds: feeds, Fetch: notModified})
	r := syncOne(t, s)
	if r.Err == nil || r.Reason != "http_status" || r.Unchanged || !errors.Is(r.Err, calendar.ErrHTTPStatus) || prevs[0] != nil {
		t.Fatalf("304 to a first request: %+v (previous %v), want an http_status error", r, prevs[0])
	}
	if strings.Contains(r.Err.Error(), "private-abc") || !strings.Contains(r.Err.Error(), "feed ana (cal.example.com)") {
		t.Errorf("error %q", r.Err)
	}

	// The real fetch says the same of a server answering 304 to anything.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNotModified) }))
	defer srv.Close()
	s = icsfeed.New(icsfeed.Options{Feeds: []icsfeed.Feed{{Name: "bo", Owner: "bo@example.com", URL: srv.URL + "/bo.ics"}}})
	if r := syncOne(t, s); r.Err == nil || r.Reason != "http_status" || r.Unchanged {
		t.Errorf("server answering 304 to a first request: %+v", r)
	}

	// Restored data without validators: reused on a 304.
	st := &memStore{recs: map[string]*icsfeed.Record{}}
	st.recs["ana"] = &icsfeed.Record{Source: icsfeed.SourceID("ana@example.com", "", feeds[0].URL, ""), Body: []byte(feedICS)}
	s = icsfeed.New(icsfeed.Options{Feeds: feeds, Fetch: notModified, Store: st})
	cal := s.Calendars(org{})[0]
	if rest, err := s.Restore(context.Background(), cal); err != nil || rest == nil {
		t.Fatalf("restore: %v, %v", rest, err)
	}
	if r := syncOne(t, s); !r.Unchanged || r.Err != nil {
		t.Errorf("304 with restored data: %+v, want unchanged", r)
	}
}

// TestStoredRecordHoldsNoURL: the stored record identifies the feed by the
// URL's hash, and its body is minimized; records stored before hashing are
// upgraded to the same identity.
func TestStoredRecordHoldsNoURL(t *testing.T) {
	const url = "https://user:pw@calendar.google.com/calendar/ical/x%40example.com/private-0123abcd/basic.ics?key=s3cret"
	st := &memStore{recs: map[string]*icsfeed.Record{}}
	full := strings.Replace(feedICS, "END:VEVENT", "DESCRIPTION:dial-in 555-0100\r\nLOCATION:Room 4\r\nEND:VEVENT", 1)
	fetch := func(context.Context, calendar.ICSSource, calendar.FetchOptions) (*calendar.FetchResult, error) {
		return &calendar.FetchResult{Data: []byte(full)}, nil
	}
	s := icsfeed.New(icsfeed.Options{Feeds: []icsfeed.Feed{{Name: "ana", Owner: "ana@example.com", URL: url, Zone: time.UTC}}, Store: st, Fetch: fetch})
	if r := syncOne(t, s); r.Err != nil || r.StateErr != nil {
		t.Fatal(r)
	}
	rec := st.recs["ana"]
	for _, secret := range []string{"private-0123abcd", "s3cret", "pw", "calendar.google.com", "dial-in", "Room 4"} {
		if strings.Contains(rec.Source, secret) || bytes.Contains(rec.Body, []byte(secret)) {
			t.Errorf("stored record holds %q: %q\n%s", secret, rec.Source, rec.Body)
		}
	}
	want := "ana@example.com||sha256:"
	if !strings.HasPrefix(rec.Source, want) || !strings.HasSuffix(rec.Source, "|UTC") {
		t.Errorf("source %q, want %s<hex>|UTC", rec.Source, want)
	}
	if got := icsfeed.UpgradeSourceID("ana@example.com||" + url + "|UTC"); got != rec.Source {
		t.Errorf("UpgradeSourceID of the old form = %q, want %q", got, rec.Source)
	}
	for _, current := range []string{rec.Source, "ana@example.com|/feeds/ana.ics||UTC", "garbage"} {
		if got := icsfeed.UpgradeSourceID(current); got != current {
			t.Errorf("UpgradeSourceID(%q) = %q, want it unchanged", current, got)
		}
	}
	// The minimized body restores the same events.
	rest, err := icsfeed.New(icsfeed.Options{Feeds: []icsfeed.Feed{{Name: "ana", Owner: "ana@example.com", URL: url, Zone: time.UTC}}, Store: st}).
		Restore(context.Background(), s.Calendars(org{})[0])
	if err != nil || rest == nil || len(rest.Feed.Events) != 1 || rest.Feed.Events[0].Organizer != "ana@example.com" {
		t.Errorf("restore of the minimized body: %+v, %v", rest, err)
	}
}
