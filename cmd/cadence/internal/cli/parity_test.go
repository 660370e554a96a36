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

	calendarv3 "google.golang.org/api/calendar/v3"

	"github.com/cadence-dev/cadence/calendar/google/fakegoogle"
	"github.com/cadence-dev/cadence/cmd/cadence/internal/app"
	"github.com/cadence-dev/cadence/internal/store"
)

// stillClock is a clock fixed at one instant whose timers never fire: the
// daemon syncs once, evaluates once every calendar was tried, and waits.
type stillClock struct{ t time.Time }

func (c stillClock) Now() time.Time                       { return c.t }
func (c stillClock) After(time.Duration) <-chan time.Time { return nil }

const parityPeople = `email,name,manager_email,hire_date
ana@example.com,Ana Lima,,2020-01-01
bo@example.com,Bo Chen,ana@example.com,2020-01-01
cy@example.com,Cy Park,ana@example.com,2020-01-01
`

// parityICS is Ana's feed: a one-off 1:1 with Bo on 2026-11-10 (unless
// without it) and a weekly 1:1 with Bo from 2026-10-05.
func parityICS(withOneOff bool) string {
	var b strings.Builder
	b.WriteString("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//cadence//parity//EN\r\n")
	ev := func(uid, start, rrule string) {
		fmt.Fprintf(&b, "BEGIN:VEVENT\r\nUID:%s\r\nDTSTAMP:20261001T000000Z\r\nDTSTART:%s\r\nDURATION:PT30M\r\n", uid, start)
		if rrule != "" {
			b.WriteString("RRULE:" + rrule + "\r\n")
		}
		b.WriteString("SUMMARY:Ana / Bo\r\nORGANIZER:mailto:ana@example.com\r\n")
		b.WriteString("ATTENDEE;PARTSTAT=ACCEPTED:mailto:ana@example.com\r\nATTENDEE;PARTSTAT=ACCEPTED:mailto:bo@example.com\r\nEND:VEVENT\r\n")
	}
	ev("weekly-ana-bo", "20261005T090000Z", "FREQ=WEEKLY;COUNT=20")
	if withOneOff {
		ev("oneoff-ana-bo", "20261110T140000Z", "")
	}
	b.WriteString("END:VCALENDAR\r\n")
	return b.String()
}

// TestReportAndServeAgree: `cadence report --format json` on the daemon's
// state and the daemon's GET /api/v1/report at the same instant are
// byte-identical, across a restart, with an ICS meeting that vanished
// from its feed (the history's silent deletion) and a Google one-off that
// was deleted (a bare cancellation in the incremental sync).
func TestReportAndServeAgree(t *testing.T) {
	dir := t.TempDir()
	write := func(name, data string) string {
		t.Helper()
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	write("people.csv", parityPeople)
	feed := write("ana.ics", parityICS(true))

	fake := fakegoogle.New()
	srv := httptest.NewServer(fake)
	defer srv.Close()
	for _, id := range []string{"ana@example.com", "bo@example.com", "cy@example.com"} {
		fake.AddCalendar(id, "UTC")
	}
	start := time.Date(2026, 11, 12, 15, 0, 0, 0, time.UTC)
	fake.PutEvent("cy@example.com", &calendarv3.Event{
		Id: "anacy", ICalUID: "anacy@google.com", Summary: "Ana / Cy",
		Start:     &calendarv3.EventDateTime{DateTime: start.Format(time.RFC3339)},
		End:       &calendarv3.EventDateTime{DateTime: start.Add(30 * time.Minute).Format(time.RFC3339)},
		Organizer: &calendarv3.EventOrganizer{Email: "ana@example.com"},
		Attendees: []*calendarv3.EventAttendee{
			{Email: "ana@example.com", ResponseStatus: "accepted", Organizer: true},
			{Email: "cy@example.com", ResponseStatus: "accepted"},
		},
	})
	statePath := filepath.Join(dir, "state.db")
	cfg := write("cadence.yaml", fmt.Sprintf(`timezone: UTC
directory:
  csv: people.csv
sources:
  ics:
    - name: ana
      owner: ana@example.com
      path: %s
google:
  endpoint: %s
  per_user_per_minute: -1
  per_project_per_minute: -1
serve:
  state_path: %s
`, feed, srv.URL, statePath))

	// serveAt runs the daemon on the state at now until its first
	// evaluation and returns GET /api/v1/report.
	serveAt := func(now time.Time) []byte {
		t.Helper()
		st, err := store.Open(context.Background(), statePath)
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		a, err := app.New(app.Options{ConfigPath: cfg, Clock: stillClock{now}, Store: st, ListenAddresses: []string{"127.0.0.1:0"}})
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
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		if err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("GET /api/v1/report: %s, %v", resp.Status, err)
		}
		return body
	}
	reportAt := func(now time.Time) []byte {
		t.Helper()
		out, stderr, err := run(t, "report", "--config", cfg, "--format", "json", "--at", now.Format(time.RFC3339))
		if err != nil {
			t.Fatalf("report: %v\n%s", err, stderr)
		}
		return []byte(out)
	}
	pairOf := func(doc []byte, member string) map[string]any {
		t.Helper()
		var r struct{ Pairs []map[string]any }
		if err := json.Unmarshal(doc, &r); err != nil {
			t.Fatal(err)
		}
		for _, p := range r.Pairs {
			if p["member"] == member {
				return p
			}
		}
		t.Fatalf("no pair with %s in %s", member, doc)
		return nil
	}

	// Before either meeting: the daemon sees both scheduled.
	t0 := time.Date(2026, 11, 9, 9, 0, 0, 0, time.UTC)
	if a, b := serveAt(t0), reportAt(t0); string(a) != string(b) {
		t.Errorf("at %s report and serve differ:\nserve:  %s\nreport: %s", t0, a, b)
	}
	// Both meetings go away without a trace the feed could show: the
	// one-off leaves Ana's feed; Cy's Google meeting is deleted (the
	// incremental sync carries only its id).
	write("ana.ics", parityICS(false))
	if err := fake.DeleteEvent("cy@example.com", "anacy"); err != nil {
		t.Fatal(err)
	}
	// After both dates, a restarted daemon and a report on its state.
	t1 := time.Date(2026, 11, 16, 9, 0, 0, 0, time.UTC)
	served := serveAt(t1)
	reported := reportAt(t1)
	if string(served) != string(reported) {
		t.Errorf("at %s report and serve differ:\nserve:  %s\nreport: %s", t1, served, reported)
	}
	for _, doc := range [][]byte{served, reported} {
		bo := pairOf(doc, "bo@example.com")["window"].(map[string]any)
		if bo["cancelled"] != 1.0 {
			t.Errorf("ana/bo window %v: want the vanished one-off counted as cancelled", bo)
		}
		cy := pairOf(doc, "cy@example.com")
		if w := cy["window"].(map[string]any); w["cancelled"] != 1.0 || w["held"] != 0.0 {
			t.Errorf("ana/cy %v: want the deleted Google meeting counted as cancelled", cy)
		}
	}
	// A report alone (no daemon in between) gives the same answer again.
	if again := reportAt(t1); string(again) != string(reported) {
		t.Errorf("a second report differs:\n%s\n%s", reported, again)
	}

	// cadence events explains the vanished one-off.
	out, stderr, err := run(t, "events", "--config", cfg, "--owner", "bo@example.com", "--at", t1.Format(time.RFC3339), "--from", "2026-11-09", "--to", "2026-11-12")
	if err != nil {
		t.Fatalf("events: %v\n%s", err, stderr)
	}
	if want := "history:    seen on 2026-11-09, gone from the feed since 2026-11-16: counted as cancelled"; !strings.Contains(out, want) {
		t.Errorf("events output lacks %q:\n%s", want, out)
	}
}
