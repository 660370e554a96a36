package fakegraph_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/cadence-dev/cadence/calendar/microsoft/fakegraph"
	"github.com/cadence-dev/cadence/calendar/microsoft/graph"
)

type page struct {
	Value     []map[string]any `json:"value"`
	NextLink  string           `json:"@odata.nextLink"`
	DeltaLink string           `json:"@odata.deltaLink"`
	Error     *graph.ErrorDetail
}

func get(t *testing.T, u string, pageSize int) (page, int) {
	t.Helper()
	req, _ := http.NewRequest("GET", u, nil)
	if pageSize > 0 {
		req.Header.Set("Prefer", "odata.maxpagesize="+itoa(pageSize))
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var p page
	var raw map[string]json.RawMessage
	if err := json.NewDecoder(resp.Body).Decode(&raw); err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(raw)
	_ = json.Unmarshal(b, &p)
	if e, ok := raw["error"]; ok {
		p.Error = new(graph.ErrorDetail)
		_ = json.Unmarshal(e, p.Error)
	}
	return p, resp.StatusCode
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

// TestDeltaRound: a full round pages the instances to a delta link; the
// link then returns only what changed (a cancelled occurrence as
// @removed); expired tokens answer 410 with the code asked for.
func TestDeltaRound(t *testing.T) {
	s := fakegraph.New()
	srv := httptest.NewServer(s)
	defer srv.Close()
	s.AddMailbox("id-ana", "ana@example.com")
	first := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	if err := s.PutEvent("ana@example.com", graph.Event{ID: "m", Subject: "1:1", Start: graph.UTC(first), End: graph.UTC(first.Add(time.Hour)),
		Recurrence: &graph.PatternedRecurrence{Pattern: &graph.RecurrencePattern{Type: "weekly", Interval: 1, DaysOfWeek: []string{"monday"}},
			Range: &graph.RecurrenceRange{Type: "numbered", NumberOfOccurrences: 5}}}); err != nil {
		t.Fatal(err)
	}
	q := url.Values{"startDateTime": {"2026-01-01T00:00:00Z"}, "endDateTime": {"2026-12-31T00:00:00Z"}}
	link := fakegraph.Endpoint(srv.URL) + "/users/ana@example.com/calendarView/delta?" + q.Encode()
	var ids []string
	pages := 0
	for {
		p, code := get(t, link, 2)
		if code != 200 {
			t.Fatalf("status %d", code)
		}
		pages++
		for _, v := range p.Value {
			ids = append(ids, v["id"].(string))
			if v["type"] != "occurrence" || v["seriesMasterId"] != "m" {
				t.Errorf("item %v", v)
			}
		}
		if p.NextLink != "" {
			link = p.NextLink
			continue
		}
		link = p.DeltaLink
		break
	}
	if len(ids) != 5 || pages != 3 || link == "" {
		t.Fatalf("ids %v in %d pages, delta link %q", ids, pages, link)
	}
	if err := s.CancelOccurrence("id-ana", "m", first.AddDate(0, 0, 14)); err != nil {
		t.Fatal(err)
	}
	if err := s.CancelOccurrence("id-ana", "m", first.Add(time.Minute)); err == nil {
		t.Error("an original start off the pattern was accepted")
	}
	p, _ := get(t, link, 0)
	if len(p.Value) != 1 || p.Value[0]["@removed"] == nil || p.DeltaLink == "" {
		t.Fatalf("delta after a cancellation: %+v", p)
	}
	p2, _ := get(t, p.DeltaLink, 0)
	if len(p2.Value) != 0 {
		t.Errorf("unchanged delta: %+v", p2.Value)
	}
	if err := s.ExpireDeltaTokens("ana@example.com", graph.CodeResyncRequired); err != nil {
		t.Fatal(err)
	}
	p3, code := get(t, p2.DeltaLink, 0)
	if code != http.StatusGone || p3.Error == nil || p3.Error.Code != graph.CodeResyncRequired {
		t.Errorf("expired: %d %+v", code, p3.Error)
	}
	if n := s.Requests("ana@example.com", fakegraph.MethodDelta); n != 6 {
		t.Errorf("counted %d delta requests, want 6", n)
	}
	if _, code := get(t, fakegraph.Endpoint(srv.URL)+"/users/id-ana/events/m", 0); code != 200 {
		t.Errorf("GET master: %d", code)
	}
	if _, code := get(t, fakegraph.Endpoint(srv.URL)+"/users/id-ana/events/nope", 0); code != http.StatusNotFound {
		t.Errorf("GET unknown event: %d", code)
	}
}

func TestThrottleAndToken(t *testing.T) {
	s := fakegraph.New()
	srv := httptest.NewServer(s)
	defer srv.Close()
	s.SetUsers([]fakegraph.DirectoryUser{{Mail: "ana@example.com"}, {Mail: "bo@example.com", Manager: "ana@example.com"}})
	s.InjectFaults("", fakegraph.TooManyRequests)
	resp, err := http.Get(fakegraph.Endpoint(srv.URL) + "/users")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 429 || resp.Header.Get("Retry-After") != "2" {
		t.Errorf("throttled: %d, Retry-After %q", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	p, _ := get(t, fakegraph.Endpoint(srv.URL)+"/users?$top=1&$expand=manager", 0)
	if len(p.Value) != 1 || p.NextLink == "" {
		t.Errorf("users page: %+v", p)
	}
	s.RequireAuth("app", "secret")
	if _, code := get(t, fakegraph.Endpoint(srv.URL)+"/users", 0); code != http.StatusUnauthorized {
		t.Errorf("without a token: %d", code)
	}
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {"app"}, "client_secret": {"secret"}, "scope": {"https://graph.microsoft.com/.default"}}
	resp, err = http.Post(fakegraph.TokenURL(srv.URL, "contoso"), "application/x-www-form-urlencoded", strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&tok)
	resp.Body.Close()
	req, _ := http.NewRequest("GET", fakegraph.Endpoint(srv.URL)+"/users", nil)
	req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("with a token: %d", resp.StatusCode)
	}
}
