package cli

import (
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/cadence-dev/cadence/calendar/google/fakegoogle"
)

// TestReportAgainstFakeGoogle runs `cadence report` through the real Google
// client against the fake server, with the org chart from the fake
// Workspace directory and hire dates from the CSV override (the README's
// "Trying Google without an account" setup).
func TestReportAgainstFakeGoogle(t *testing.T) {
	fake := fakegoogle.New()
	f, err := os.Open("../../../../examples/google/dataset.json")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := fake.LoadDataset(f, "dataset.json"); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(fake)
	defer srv.Close()

	dir := t.TempDir()
	csv, _ := filepath.Abs("../../../../examples/google/hire-dates.csv")
	cfg := filepath.Join(dir, "cadence.yaml")
	if err := os.WriteFile(cfg, []byte(fmt.Sprintf("timezone: Europe/Berlin\ndirectory:\n  csv: %s\ngoogle:\n  endpoint: %s\n  directory:\n    customer: my_customer\nserve:\n  state_path: %s\n",
		csv, srv.URL, filepath.Join(dir, "state.db"))), 0o644); err != nil {
		t.Fatal(err)
	}
	type pair struct {
		Lead, Member, Status string
		Window               struct{ Held, Cancelled, Excused int }
	}
	report := func() map[string]pair {
		t.Helper()
		out, stderr, err := run(t, "report", "--config", cfg, "--format", "json")
		if err != nil {
			t.Fatalf("report: %v\n%s", err, stderr)
		}
		var doc struct {
			Pairs   []pair `json:"pairs"`
			Sources []struct {
				Name string
				OK   bool
			} `json:"sources"`
		}
		if err := json.Unmarshal([]byte(out), &doc); err != nil {
			t.Fatal(err)
		}
		if len(doc.Sources) != 4 {
			t.Errorf("sources = %+v, want the 4 people's calendars", doc.Sources)
		}
		for _, s := range doc.Sources {
			if !s.OK {
				t.Errorf("source %s failed", s.Name)
			}
		}
		m := map[string]pair{}
		for _, p := range doc.Pairs {
			m[p.Lead+"/"+p.Member] = p
		}
		return m
	}

	first := report()
	bc := first["bo@example.com/cy@example.com"]
	if bc.Status != "ok" || bc.Window.Cancelled != 1 || bc.Window.Excused != 1 {
		t.Errorf("bo/cy = %+v, want ok with 1 cancelled and 1 excused (bo out of office)", bc)
	}
	if p, ok := first["bo@example.com/dee@example.com"]; !ok || p.Window.Held == 0 {
		t.Errorf("bo/dee (room attendee must not count) = %+v, %v", p, ok)
	}
	if _, ok := first["ana@example.com/cy@example.com"]; !ok {
		t.Errorf("skip pair ana/cy missing: %v", first)
	}

	// Second run: incremental, one events.list request per unchanged calendar.
	fake.ResetCounts()
	report()
	for _, id := range []string{"ana@example.com", "bo@example.com", "cy@example.com", "dee@example.com"} {
		if n := fake.Requests(id, fakegoogle.MethodEventsList); n != 1 {
			t.Errorf("calendar %s: %d events.list requests on an unchanged cycle, want 1", id, n)
		}
	}

	// A cancellation arrives as a bare cancelled exception and is counted.
	if err := fake.CancelInstance("bo@example.com", "bocyweekly", time.Date(2026, 11, 16, 9, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	third := report()
	if got := third["bo@example.com/cy@example.com"].Window.Cancelled; got != 2 {
		t.Errorf("after cancelling 2026-11-16: cancelled = %d, want 2", got)
	}
}
