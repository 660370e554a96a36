package fakegoogle

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strings"
	"testing"
	"time"

	calendarv3 "google.golang.org/api/calendar/v3"
)

type page struct {
	Items         []map[string]any `json:"items"`
	NextPageToken string           `json:"nextPageToken"`
	NextSyncToken string           `json:"nextSyncToken"`
	TimeZone      string           `json:"timeZone"`
}

func get(t *testing.T, srv *httptest.Server, cal string, q url.Values) (int, page, string) {
	t.Helper()
	resp, err := http.Get(srv.URL + "/calendar/v3/calendars/" + url.PathEscape(cal) + "/events?" + q.Encode())
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var p page
	if resp.StatusCode == 200 {
		if err := json.Unmarshal(b, &p); err != nil {
			t.Fatalf("%s: %v", b, err)
		}
	}
	return resp.StatusCode, p, string(b)
}

func ids(p page) []string {
	var out []string
	for _, it := range p.Items {
		out = append(out, it["id"].(string))
	}
	return out
}

func setup(t *testing.T) (*Server, *httptest.Server) {
	s := New()
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	s.AddCalendar("ana@example.com", "Europe/Berlin")
	s.LoadEvents("ana@example.com", sample())
	return s, srv
}

// sample is a weekly series "s" and a single event "x".
func sample() []*calendarv3.Event {
	start := time.Date(2026, 1, 5, 10, 0, 0, 0, time.UTC)
	return []*calendarv3.Event{
		{Id: "s", Summary: "series", Recurrence: []string{"RRULE:FREQ=WEEKLY;COUNT=10"},
			Start: &calendarv3.EventDateTime{DateTime: start.Format(time.RFC3339), TimeZone: "UTC"},
			End:   &calendarv3.EventDateTime{DateTime: start.Add(time.Hour).Format(time.RFC3339), TimeZone: "UTC"}},
		{Id: "x", Summary: "single",
			Start: &calendarv3.EventDateTime{DateTime: start.Format(time.RFC3339)},
			End:   &calendarv3.EventDateTime{DateTime: start.Add(time.Hour).Format(time.RFC3339)}},
	}
}

func TestEventsListSemantics(t *testing.T) {
	s, srv := setup(t)
	cal := "ana@example.com"
	code, p, body := get(t, srv, cal, url.Values{"maxResults": {"1"}, "showDeleted": {"true"}})
	if code != 200 || len(p.Items) != 1 || p.NextPageToken == "" || p.NextSyncToken != "" || p.TimeZone != "Europe/Berlin" {
		t.Fatalf("page 1: %d %s", code, body)
	}
	if p.Items[0]["iCalUID"] != "s@google.com" || p.Items[0]["kind"] != "calendar#event" || p.Items[0]["updated"] == nil {
		t.Errorf("item = %v", p.Items[0])
	}
	_, p2, _ := get(t, srv, cal, url.Values{"maxResults": {"1"}, "showDeleted": {"true"}, "pageToken": {p.NextPageToken}})
	if strings.Join(ids(p2), ",") != "x" || p2.NextSyncToken == "" || p2.NextPageToken != "" {
		t.Fatalf("page 2: %+v", p2)
	}
	sync1 := p2.NextSyncToken

	// Nothing changed: empty answer, a token.
	_, p3, _ := get(t, srv, cal, url.Values{"syncToken": {sync1}})
	if len(p3.Items) != 0 || p3.NextSyncToken == "" {
		t.Errorf("unchanged: %+v", p3)
	}
	orig := time.Date(2026, 1, 12, 10, 0, 0, 0, time.UTC)
	if err := s.CancelInstance(cal, "s", orig); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteEvent(cal, "x"); err != nil {
		t.Fatal(err)
	}
	_, p4, body := get(t, srv, cal, url.Values{"syncToken": {sync1}})
	if strings.Join(ids(p4), ",") != "s_20260112T100000Z,x" {
		t.Fatalf("changes: %s", body)
	}
	ex, del := p4.Items[0], p4.Items[1]
	if ex["status"] != "cancelled" || ex["recurringEventId"] != "s" || ex["originalStartTime"].(map[string]any)["dateTime"] != "2026-01-12T10:00:00Z" || ex["summary"] != nil || ex["start"] != nil {
		t.Errorf("cancelled exception = %v", ex)
	}
	if del["status"] != "cancelled" || del["summary"] != nil || del["recurringEventId"] != nil {
		t.Errorf("deleted event = %v", del)
	}
	// Without showDeleted a full listing omits cancelled items.
	_, p5, _ := get(t, srv, cal, url.Values{})
	if strings.Join(ids(p5), ",") != "s" {
		t.Errorf("full listing without showDeleted: %v", ids(p5))
	}
	_, p6, _ := get(t, srv, cal, url.Values{"showDeleted": {"true"}})
	if len(p6.Items) != 3 {
		t.Errorf("full listing with showDeleted: %v", ids(p6))
	}

	// Expired and invalid tokens: 410; bad requests: 400; unknown calendar: 404.
	s.ExpireSyncTokens(cal)
	for name, q := range map[string]url.Values{
		"expired sync token": {"syncToken": {sync1}},
		"garbage sync token": {"syncToken": {"nonsense"}},
		"expired page token": {"pageToken": {p.NextPageToken}},
	} {
		if code, _, body := get(t, srv, cal, q); code != 410 || !strings.Contains(body, "fullSyncRequired") {
			t.Errorf("%s: %d %s", name, code, body)
		}
	}
	for name, q := range map[string]url.Values{
		"singleEvents":      {"singleEvents": {"true"}},
		"maxResults":        {"maxResults": {"0"}},
		"sync with timeMin": {"syncToken": {sync1}, "timeMin": {"2026-01-01T00:00:00Z"}},
	} {
		if code, _, _ := get(t, srv, cal, q); code != 400 {
			t.Errorf("%s: status %d, want 400", name, code)
		}
	}
	if code, _, _ := get(t, srv, "nobody@example.com", nil); code != 404 {
		t.Errorf("unknown calendar: %d", code)
	}
	if n := s.Requests(cal, MethodEventsList); n != 12 {
		t.Errorf("requests counted %d, want 12", n)
	}
}

func TestFaultsAndBlocks(t *testing.T) {
	s, srv := setup(t)
	cal := "ana@example.com"
	s.InjectFaults(cal, RateLimitExceeded, Fault{}, Fault{Status: 429, RetryAfter: 7})
	s.InjectFaults("", Unavailable)
	want := []int{403, 200, 429, 503, 200}
	for i, w := range want {
		resp, err := http.Get(srv.URL + "/calendar/v3/calendars/" + cal + "/events")
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != w {
			t.Errorf("request %d: %d, want %d (%s)", i+1, resp.StatusCode, w, b)
		}
		if w == 403 && !strings.Contains(string(b), `"reason":"rateLimitExceeded"`) {
			t.Errorf("403 body %s", b)
		}
		if w == 429 && resp.Header.Get("Retry-After") != "7" {
			t.Errorf("Retry-After = %q", resp.Header.Get("Retry-After"))
		}
	}
	release := s.Block(cal)
	done := make(chan int)
	go func() {
		resp, err := http.Get(srv.URL + "/calendar/v3/calendars/" + cal + "/events")
		if err != nil {
			done <- 0
			return
		}
		resp.Body.Close()
		done <- resp.StatusCode
	}()
	select {
	case <-done:
		t.Fatal("blocked request answered before release")
	default:
	}
	release()
	if code := <-done; code != 200 {
		t.Errorf("released request: %d", code)
	}
	s.SetLatency("", time.Millisecond)
	if code, _, body := get(t, srv, cal, nil); code != 200 {
		t.Errorf("with latency: %d %s", code, body)
	}
	s.SetLatency("", 0)
	s.FailAlways(cal, InternalError)
	s.InjectFaults("", TooManyRequests)
	s.ClearFaults()
	if code, _, body := get(t, srv, cal, nil); code != 200 {
		t.Errorf("after ClearFaults: %d %s", code, body)
	}
}

func TestCutSeriesAndDataset(t *testing.T) {
	s, _ := setup(t)
	cal := "ana@example.com"
	at := time.Date(2026, 1, 26, 10, 0, 0, 0, time.UTC)
	if err := s.CancelInstance(cal, "s", time.Date(2026, 2, 2, 10, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	id, err := s.CutSeries(cal, "s", at, nil)
	if err != nil || id != "s_R20260126T100000" {
		t.Fatalf("CutSeries = %q, %v", id, err)
	}
	old, nw := s.Event(cal, "s"), s.Event(cal, id)
	if old.Recurrence[0] != "RRULE:FREQ=WEEKLY;UNTIL=20260126T095959Z" {
		t.Errorf("old rule %q", old.Recurrence[0])
	}
	if nw.Recurrence[0] != "RRULE:FREQ=WEEKLY" || nw.ICalUID != "s_R20260126T100000@google.com" || nw.Start.DateTime != "2026-01-26T10:00:00Z" || nw.End.DateTime != "2026-01-26T11:00:00Z" {
		t.Errorf("new series %+v", nw)
	}
	if ex := s.Event(cal, "s_20260202T100000Z"); ex == nil || ex.Status != "cancelled" {
		t.Errorf("exception after the cut: %+v", ex)
	}
	if _, err := s.CutSeries(cal, "x", at, nil); err == nil {
		t.Error("cutting a single event: no error")
	}

	err = s.LoadDataset(strings.NewReader(`{"calendars":{"bo@example.com":{"timeZone":"UTC","events":[{"id":"e1","summary":"hi","start":{"date":"2026-01-01"},"end":{"date":"2026-01-02"}}]}},
		"users":[{"id":"9","email":"bo@example.com","manager":"ana@example.com"}]}`), "data.json")
	if err != nil {
		t.Fatal(err)
	}
	if ev := s.Event("bo@example.com", "e1"); ev == nil || ev.Summary != "hi" {
		t.Errorf("dataset event %+v", ev)
	}
	if len(s.users) != 1 || s.users[0].PrimaryEmail != "bo@example.com" || s.users[0].Relations == nil {
		t.Errorf("dataset users %+v", s.users)
	}
	if err := s.LoadDataset(strings.NewReader(`{"calendar":{}}`), "bad.json"); err == nil || !strings.Contains(err.Error(), "bad.json") {
		t.Errorf("unknown field: %v", err)
	}
}

// list follows the pages of one events.list sequence and returns its items
// by id and the next sync token.
func list(t *testing.T, srv *httptest.Server, cal string, q url.Values) (map[string]map[string]any, string) {
	t.Helper()
	items := map[string]map[string]any{}
	for pages := 0; ; pages++ {
		if pages > 20 {
			t.Fatal("too many pages")
		}
		code, p, body := get(t, srv, cal, q)
		if code != 200 {
			t.Fatalf("%d %s", code, body)
		}
		for _, it := range p.Items {
			items[it["id"].(string)] = it
		}
		if p.NextPageToken == "" {
			return items, p.NextSyncToken
		}
		q2 := url.Values{}
		for k, v := range q {
			q2[k] = v
		}
		q2.Set("pageToken", p.NextPageToken)
		q = q2
	}
}

// keys returns the sorted field names of a wire item.
func keys(it map[string]any) string {
	var out []string
	for k := range it {
		out = append(out, k)
	}
	sort.Strings(out)
	return strings.Join(out, ",")
}

// TestDeletedWireForm: a full sync with showDeleted lists deleted events
// with all their fields (status cancelled), as Google does on the
// organizer's calendar; an incremental sync carries them bare.
func TestDeletedWireForm(t *testing.T) {
	const cal = "ana@example.com"
	for _, tc := range []struct {
		name        string
		maxResults  string
		incremental bool
		// early: the sync token was issued before any change to the
		// server (its change window starts at 0, like a full sync's).
		early bool
	}{
		{"full sync", "", false, false},
		{"full sync, pages of one", "1", false, false},
		{"incremental sync", "", true, false},
		{"incremental sync, pages of one", "1", true, false},
		{"incremental sync from the first token", "1", true, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var s *Server
			var srv *httptest.Server
			var syncTok string
			if tc.early {
				s = New()
				srv = httptest.NewServer(s)
				t.Cleanup(srv.Close)
				s.AddCalendar(cal, "UTC")
				_, syncTok = list(t, srv, cal, url.Values{"showDeleted": {"true"}})
				s.LoadEvents(cal, sample())
			} else {
				s, srv = setup(t)
				_, syncTok = list(t, srv, cal, url.Values{"showDeleted": {"true"}})
			}
			x := s.Event(cal, "x")
			x.Organizer = &calendarv3.EventOrganizer{Email: cal}
			x.Attendees = []*calendarv3.EventAttendee{{Email: cal, Organizer: true}, {Email: "bo@example.com"}}
			s.PutEvent(cal, x)
			orig := time.Date(2026, 1, 12, 10, 0, 0, 0, time.UTC)
			if err := s.CancelInstance(cal, "s", orig); err != nil {
				t.Fatal(err)
			}
			moved := time.Date(2026, 1, 19, 10, 0, 0, 0, time.UTC)
			if err := s.MoveInstance(cal, "s", moved, moved.Add(time.Hour), moved.Add(2*time.Hour)); err != nil {
				t.Fatal(err)
			}
			for _, id := range []string{"x", "s"} {
				if err := s.DeleteEvent(cal, id); err != nil {
					t.Fatal(err)
				}
			}
			q := url.Values{"showDeleted": {"true"}}
			if tc.incremental {
				q = url.Values{"syncToken": {syncTok}}
			}
			if tc.maxResults != "" {
				q.Set("maxResults", tc.maxResults)
			}
			items, _ := list(t, srv, cal, q)
			if len(items) != 4 {
				t.Fatalf("%d items, want 4: %v", len(items), items)
			}
			for id, it := range items {
				if it["status"] != "cancelled" {
					t.Errorf("%s: status %v", id, it["status"])
				}
			}
			single, master := items["x"], items["s"]
			ex1, ex2 := items["s_20260112T100000Z"], items["s_20260119T100000Z"]
			if !tc.incremental {
				if single["summary"] != "single" || single["start"] == nil || single["end"] == nil || single["organizer"] == nil || len(single["attendees"].([]any)) != 2 {
					t.Errorf("deleted single in a full sync: %v", single)
				}
				if master["recurrence"] == nil || master["start"] == nil {
					t.Errorf("deleted master in a full sync: %v", master)
				}
				for _, ex := range []map[string]any{ex1, ex2} {
					if ex["recurringEventId"] != "s" || ex["originalStartTime"] == nil || ex["start"] == nil || ex["summary"] != "series" {
						t.Errorf("deleted exception in a full sync: %v", ex)
					}
				}
				return
			}
			for _, it := range []map[string]any{single, master} {
				if got := keys(it); got != "etag,id,kind,status" {
					t.Errorf("deleted event %v in an incremental sync has fields %s", it["id"], got)
				}
			}
			for _, ex := range []map[string]any{ex1, ex2} {
				if got := keys(ex); got != "etag,id,kind,originalStartTime,recurringEventId,status" || ex["recurringEventId"] != "s" {
					t.Errorf("deleted exception %v in an incremental sync has fields %s", ex["id"], got)
				}
			}
		})
	}
}
