package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cadence-dev/cadence/calendar/microsoft/fakegraph"
	"github.com/cadence-dev/cadence/calendar/microsoft/graph"
	"github.com/cadence-dev/cadence/cmd/cadence/internal/app"
	"github.com/cadence-dev/cadence/internal/store"
)

// msFake is a fake tenant: Ana (CEO), Bo (reports to Ana), Cy (reports
// to Bo). Ana and Bo have a weekly 1:1 (each mailbox has its copy), Bo
// and Cy a biweekly one; Bo is out of office one day. The app
// registration needs a client secret.
func msFake(t *testing.T) (*fakegraph.Server, *httptest.Server) {
	t.Helper()
	fake := fakegraph.New()
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	fake.RequireAuth("cadence-app", "graph-secret-value")
	fake.SetUsers([]fakegraph.DirectoryUser{
		{ID: "u-ana", Mail: "ana@example.com", Name: "Ana Lima", Title: "CEO", HireDate: "2020-01-06"},
		{ID: "u-bo", Mail: "bo@example.com", Name: "Bo Chen", Manager: "ana@example.com", HireDate: "2021-03-01", Aliases: []string{"bo.chen@example.com"}},
		{ID: "u-cy", Mail: "cy@example.com", Name: "Cy Park", Manager: "bo@example.com", HireDate: "2022-09-01"},
	})
	series := func(id, uid, org, other, subject string, first time.Time, interval int) graph.Event {
		return graph.Event{ID: id, ICalUID: uid, Subject: subject, ShowAs: "busy",
			Start:     &graph.DateTimeTimeZone{DateTime: first.Format(graph.DateTimeLayout), TimeZone: "W. Europe Standard Time"},
			End:       &graph.DateTimeTimeZone{DateTime: first.Add(30 * time.Minute).Format(graph.DateTimeLayout), TimeZone: "W. Europe Standard Time"},
			Organizer: &graph.Recipient{EmailAddress: graph.EmailAddress{Address: org}},
			Attendees: []graph.Attendee{{Type: "required", Status: &graph.ResponseStatus{Response: "accepted"}, EmailAddress: graph.EmailAddress{Address: other}}},
			Recurrence: &graph.PatternedRecurrence{
				Pattern: &graph.RecurrencePattern{Type: "weekly", Interval: interval, DaysOfWeek: []string{strings.ToLower(first.Weekday().String())}},
				Range:   &graph.RecurrenceRange{Type: "noEnd", StartDate: first.Format("2006-01-02")},
			}}
	}
	skip := series("", fakegraph.GOID("ana-cy"), "ana@example.com", "cy@example.com", "Skip-level: Ana / Cy", time.Date(2026, 9, 1, 16, 0, 0, 0, time.UTC), 1)
	skip.Recurrence.Pattern = &graph.RecurrencePattern{Type: "relativeMonthly", Interval: 1, DaysOfWeek: []string{"tuesday"}, Index: "first"}
	anaBo := series("", fakegraph.GOID("ana-bo"), "ana@example.com", "bo@example.com", "Ana / Bo", time.Date(2026, 9, 7, 10, 0, 0, 0, time.UTC), 1)
	boCy := series("", fakegraph.GOID("bo-cy"), "bo@example.com", "cy@example.com", "Bo / Cy", time.Date(2026, 9, 8, 14, 0, 0, 0, time.UTC), 2)
	put := func(box, id string, ev graph.Event, organizer bool) {
		t.Helper()
		ev.ID, ev.IsOrganizer = id, organizer
		if err := fake.PutEvent(box, ev); err != nil {
			t.Fatal(err)
		}
	}
	put("ana@example.com", "ana-anacy", skip, true)
	put("cy@example.com", "cy-anacy", skip, false)
	put("ana@example.com", "ana-anabo", anaBo, true)
	put("bo@example.com", "bo-anabo", anaBo, false)
	put("bo@example.com", "bo-bocy", boCy, true)
	put("cy@example.com", "cy-bocy", boCy, false)
	put("bo@example.com", "bo-ooo", graph.Event{Subject: "Out of office", ShowAs: "oof", IsAllDay: true,
		Start: &graph.DateTimeTimeZone{DateTime: "2026-11-16T00:00:00", TimeZone: "UTC"},
		End:   &graph.DateTimeTimeZone{DateTime: "2026-11-17T00:00:00", TimeZone: "UTC"}}, true)
	return fake, srv
}

// TestReportAndServeAgainstFakeGraph runs `cadence report` and `cadence
// serve` through the Microsoft source against the fake Graph server, with
// the org chart from the fake Entra ID directory and a client secret
// from the environment: the pairs come out, an unchanged mailbox costs
// exactly one request per cycle (reports and daemon alike), a cancelled
// occurrence (absent from the calendar view) is counted, and the report
// and the daemon agree byte for byte on the same state.
func TestReportAndServeAgainstFakeGraph(t *testing.T) {
	fake, srv := msFake(t)
	t.Setenv("CADENCE_TEST_GRAPH_SECRET", "graph-secret-value")
	dir := t.TempDir()
	statePath := filepath.Join(dir, "state.db")
	cfg := filepath.Join(dir, "cadence.yaml")
	if err := os.WriteFile(cfg, []byte(fmt.Sprintf(`timezone: Europe/Berlin
microsoft:
  tenant: contoso.example
  client_id: cadence-app
  client_secret_env: CADENCE_TEST_GRAPH_SECRET
  endpoint: %s
  token_url: %s
  directory: {}
serve:
  state_path: %s
`, fakegraph.Endpoint(srv.URL), fakegraph.TokenURL(srv.URL, "contoso.example"), statePath)), 0o644); err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	type pair struct {
		Lead, Member, Status string
		Window               struct{ Held, Cancelled, Excused int }
	}
	parse := func(doc []byte) map[string]pair {
		t.Helper()
		var r struct {
			Pairs   []pair `json:"pairs"`
			Sources []struct {
				Name string
				OK   bool
			} `json:"sources"`
		}
		if err := json.Unmarshal(doc, &r); err != nil {
			t.Fatal(err)
		}
		if len(r.Sources) != 3 {
			t.Errorf("sources = %+v, want the 3 mailboxes", r.Sources)
		}
		for _, s := range r.Sources {
			if !s.OK || !strings.HasPrefix(s.Name, "microsoft:") {
				t.Errorf("source %+v", s)
			}
		}
		m := map[string]pair{}
		for _, p := range r.Pairs {
			m[p.Lead+"/"+p.Member] = p
		}
		return m
	}
	report := func() ([]byte, map[string]pair) {
		t.Helper()
		out, stderr, err := run(t, "report", "--config", cfg, "--format", "json", "--at", at.Format(time.RFC3339))
		if err != nil {
			t.Fatalf("report: %v\n%s", err, stderr)
		}
		if strings.Contains(out+stderr, "graph-secret-value") {
			t.Errorf("the client secret appears in the output")
		}
		if stderr != "" {
			t.Errorf("report stderr: %s", stderr)
		}
		return []byte(out), parse([]byte(out))
	}
	_, first := report()
	ab, bc := first["ana@example.com/bo@example.com"], first["bo@example.com/cy@example.com"]
	if ab.Status != "ok" || ab.Window.Held != 11 || ab.Window.Cancelled != 0 {
		t.Errorf("ana/bo = %+v, want ok, held 11 (weekly from 7 Sep, counted once across both mailboxes)", ab)
	}
	if bc.Status != "ok" || bc.Window.Held != 6 {
		t.Errorf("bo/cy = %+v, want ok, held 6", bc)
	}
	if p, ok := first["ana@example.com/cy@example.com"]; !ok || p.Window.Held != 3 {
		t.Errorf("skip pair ana/cy = %+v, %v: want held 3 (first Tuesdays of Sep, Oct, Nov)", p, ok)
	}

	// Second run: one calendarView delta request per unchanged mailbox,
	// no master read.
	fake.ResetCounts()
	second, _ := report()
	for _, m := range []string{"ana@example.com", "bo@example.com", "cy@example.com"} {
		if d, ev := fake.Requests(m, fakegraph.MethodDelta), fake.Requests(m, fakegraph.MethodEvent); d != 1 || ev != 0 {
			t.Errorf("mailbox %s: %d delta and %d event requests on an unchanged cycle, want 1 and 0", m, d, ev)
		}
		if p := fake.LastRequest(m).URL.Path; !strings.Contains(p, "/users/u-") {
			t.Errorf("mailbox %s requested as %s, want its object id", m, p)
		}
	}

	// Ana deletes the 16 November occurrence (Exchange: it is no longer
	// in the calendar view of either mailbox; Bo's copy is marked
	// cancelled). Bo was out of office that day: excused.
	orig := time.Date(2026, 11, 16, 9, 0, 0, 0, time.UTC) // 10:00 Berlin
	if err := fake.CancelOccurrence("ana@example.com", "ana-anabo", orig); err != nil {
		t.Fatal(err)
	}
	if err := fake.UpdateOccurrence("bo@example.com", "bo-anabo", orig, func(ev *graph.Event) {
		ev.IsCancelled, ev.Subject = true, "Canceled: Ana / Bo"
	}); err != nil {
		t.Fatal(err)
	}
	fake.ResetCounts()
	third, after := report()
	if p := after["ana@example.com/bo@example.com"]; p.Window.Held != 10 || p.Window.Cancelled+p.Window.Excused != 1 {
		t.Errorf("after cancelling 16 Nov: %+v, want held 10 and the cancellation counted (excused: Bo was out)", p)
	}
	if n := fake.Requests("ana@example.com", fakegraph.MethodEvent); n != 1 {
		t.Errorf("ana: %d master reads after a change of the series, want 1", n)
	}
	if string(second) == string(third) {
		t.Errorf("the report did not change")
	}

	// The daemon on the same state: one request per unchanged mailbox,
	// and the same report byte for byte.
	fake.ResetCounts()
	st, err := store.Open(context.Background(), statePath)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	a, err := app.New(app.Options{ConfigPath: cfg, Clock: stillClock{at}, Store: st, ListenAddresses: []string{"127.0.0.1:0"}})
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer a.Stop(context.Background())
	select {
	case <-a.Evaluated():
	case <-time.After(60 * time.Second): // a guard, not a sleep
		t.Fatal("no evaluation within 60s")
	}
	resp, err := http.Get("http://" + a.Addr() + "/api/v1/report")
	if err != nil {
		t.Fatal(err)
	}
	served, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /api/v1/report: %s, %v", resp.Status, err)
	}
	if string(served) != string(third) {
		t.Errorf("serve and report differ:\nserve:  %s\nreport: %s", served, third)
	}
	for _, m := range []string{"ana@example.com", "bo@example.com", "cy@example.com"} {
		if d := fake.Requests(m, fakegraph.MethodDelta); d != 1 {
			t.Errorf("daemon: mailbox %s: %d delta requests in its cycle, want 1", m, d)
		}
	}
	mresp, err := http.Get("http://" + a.Addr() + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	metrics, _ := io.ReadAll(mresp.Body)
	mresp.Body.Close()
	if !strings.Contains(string(metrics), `cadence_microsoft_requests_total{code="200",method="calendarView.delta"}`) {
		t.Errorf("/metrics lacks cadence_microsoft_requests_total for calendarView.delta")
	}
}
