package fakegoogle

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
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
	start := time.Date(2026, 1, 5, 10, 0, 0, 0, time.UTC)
	s.AddCalendar("ana@example.com", "Europe/Berlin")
	s.LoadEvents("ana@example.com", []*calendarv3.Event{
		{Id: "s", Summary: "series", Recurrence: []string{"RRULE:FREQ=WEEKLY;COUNT=10"},
			Start: &calendarv3.EventDateTime{DateTime: start.Format(time.RFC3339), TimeZone: "UTC"},
			End:   &calendarv3.EventDateTime{DateTime: start.Add(time.Hour).Format(time.RFC3339), TimeZone: "UTC"}},
		{Id: "x", Summary: "single",
			Start: &calendarv3.EventDateTime{DateTime: start.Format(time.RFC3339)},
			End:   &calendarv3.EventDateTime{DateTime: start.Add(time.Hour).Format(time.RFC3339)}},
	})
	return s, srv
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
