package app_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cadence-dev/cadence/internal/store"
)

// TestTrendStoredWeeklyAndSurvivesRestart: the daemon's first evaluation
// of a week stores every manager's compliance once, reconstructs the
// eleven weeks before it (the daemon never ran then), draws the trend on
// the page, and a restart reads it back without writing the week again.
func TestTrendStoredWeeklyAndSurvivesRestart(t *testing.T) {
	statePath := filepath.Join(t.TempDir(), "state.db")
	a, _ := startApp(t, exampleConfig, statePath, &fakeClock{now: pinned}, nil)
	base := "http://" + a.Addr()
	// The trend is recorded and reconstructed after the first
	// evaluation is served.
	page := pollPage(t, base+"/manager/ana@example.com", func(p string) bool { return strings.Count(p, "<circle") >= 2*12 })
	for _, want := range []string{"Compliance, last 12 weeks", "<svg", "2026-W48: direct 100%, org 81%", "whole org 78% (2026-W37) → 81% (2026-W48)"} {
		if !strings.Contains(page, want) {
			t.Errorf("manager page lacks %q", want)
		}
	}
	if strings.Contains(strings.ToLower(page), "<script") {
		t.Error("the page has a script")
	}
	if _, idx := get(t, base+"/"); !strings.Contains(string(idx), "Ana Alvarez: compliance, last 12 weeks") || !strings.Contains(string(idx), `aria-label="org compliance, last 12 weeks: `) {
		t.Error("index without the org trend or the sparklines")
	}
	stop(t, a)

	st, err := store.Open(context.Background(), statePath)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := st.ComplianceWeeks(context.Background(), "2026-W37", "2026-W48")
	st.Close()
	if err != nil {
		t.Fatal(err)
	}
	weeks, live := map[string]int{}, 0
	for _, r := range rows {
		weeks[r.Week]++
		if !r.Reconstructed {
			live++
			if r.Week != "2026-W48" {
				t.Errorf("live row for %s", r.Week)
			}
		}
	}
	if len(weeks) != 12 || live != weeks["2026-W48"] || live < 10 {
		t.Fatalf("stored weeks %v, %d live", weeks, live)
	}

	// A restart a day later (same week): nothing new, the trend is back.
	a2, _ := startApp(t, exampleConfig, statePath, &fakeClock{now: pinned.Add(24 * time.Hour)}, nil)
	defer stop(t, a2)
	pollPage(t, "http://"+a2.Addr()+"/manager/ana@example.com", func(p string) bool { return strings.Contains(p, "2026-W37: direct 100%, org 78% (reconstructed)") })
}

// pollPage gets url until ok says its body is there (a step the daemon
// takes in the background), failing after 30 s.
func pollPage(t *testing.T, url string, ok func(string) bool) string {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		_, body := get(t, url)
		if ok(string(body)) {
			return string(body)
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: not there after 30s:\n%s", url, body)
		}
		time.Sleep(20 * time.Millisecond) // polling, bounded by the deadline
	}
}

// TestTrendOneRowPerWeek: without evaluate_at, the daemon writes a new
// live row when the ISO week changes, keeps the older weeks, and
// reconstructs only weeks it has no row for.
func TestTrendOneRowPerWeek(t *testing.T) {
	cfgPath := oneFeedConfig(t, "")
	statePath := filepath.Join(t.TempDir(), "state.db")
	read := func() map[string][]bool {
		st, err := store.Open(context.Background(), statePath)
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		rows, err := st.ComplianceWeeks(context.Background(), "2026-W01", "2026-W53")
		if err != nil {
			t.Fatal(err)
		}
		out := map[string][]bool{}
		for _, r := range rows {
			if r.Manager == "ana@example.com" {
				out[r.Week] = append(out[r.Week], r.Reconstructed)
			}
		}
		return out
	}
	for i, now := range []time.Time{pinned, pinned.Add(2 * time.Hour), pinned.AddDate(0, 0, 7)} {
		a, _ := startApp(t, cfgPath, statePath, &fakeClock{now: now}, nil)
		pollPage(t, "http://"+a.Addr()+"/manager/ana@example.com", func(p string) bool { return strings.Count(p, "(reconstructed)") >= 10 })
		stop(t, a)
		weeks := read()
		want := 12
		if i == 2 {
			want = 13
		}
		if len(weeks) != want {
			t.Fatalf("run %d: %d weeks stored, want %d: %v", i, len(weeks), want, weeks)
		}
		for w, rs := range weeks {
			live := w == "2026-W48" || (i == 2 && w == "2026-W49")
			if len(rs) != 1 || rs[0] == live {
				t.Errorf("run %d: %s rows %v (live %v)", i, w, rs, live)
			}
		}
	}
}
