package app_test

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	_ "modernc.org/sqlite"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/cadence-dev/cadence/calendar"
	"github.com/cadence-dev/cadence/cmd/cadence/internal/app"
	"github.com/cadence-dev/cadence/internal/store"
)

// quarantined reads the quarantine mark of a stored feed straight from
// the state file.
func quarantined(t *testing.T, statePath, feed string) string {
	t.Helper()
	db, err := sql.Open("sqlite", statePath)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var q string
	if err := db.QueryRow("SELECT quarantined FROM ics_feeds WHERE name = ?", feed).Scan(&q); err != nil {
		t.Fatal(err)
	}
	return q
}

// TestHostilePoisonedState: a stored body that cannot be read (a
// state written by another version, or a body over a limit) does not stop
// a restart. The port opens and /-/healthy answers while sources are still
// being read (/-/ready not yet); the body is quarantined — kept, reported
// (status, reason="quarantined"), never parsed again at the next start —
// and the next good fetch replaces it.
func TestHostilePoisonedState(t *testing.T) {
	statePath := filepath.Join(t.TempDir(), "state.db")
	a, _ := startApp(t, exampleConfig, statePath, &fakeClock{now: pinned}, nil)
	stop(t, a)

	db, err := sql.Open("sqlite", statePath)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec("UPDATE ics_feeds SET body = ? WHERE name = 'ana'", []byte("<html>poison</html>")); err != nil {
		t.Fatal(err)
	}
	db.Close()

	// Ana's feed is down; its fetch is held until the test has looked at
	// the endpoints, so the first evaluation cannot have happened yet.
	release := make(chan struct{})
	fetch := func(ctx context.Context, src calendar.ICSSource, o calendar.FetchOptions) (*calendar.FetchResult, error) {
		if src.Name == "ana" {
			<-release
			return nil, errors.New("connection refused")
		}
		b, err := os.ReadFile(src.Path)
		return &calendar.FetchResult{Data: b}, err
	}
	st, err := store.Open(context.Background(), statePath)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	reg := prometheus.NewRegistry()
	a2, err := app.New(app.Options{ConfigPath: exampleConfig, Registry: reg, Clock: &fakeClock{now: pinned}, Store: st, ListenAddresses: []string{"127.0.0.1:0"}, Fetch: fetch})
	if err != nil {
		t.Fatal(err)
	}
	if err := a2.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	base := "http://" + a2.Addr()
	for _, path := range []string{"/-/healthy", "/healthz"} {
		if code, _ := get(t, base+path); code != 200 {
			t.Errorf("%s while sources are read: %d, want 200 (live)", path, code)
		}
	}
	for _, path := range []string{"/-/ready", "/readyz"} {
		if code, _ := get(t, base+path); code != 503 {
			t.Errorf("%s before the first evaluation: %d, want 503", path, code)
		}
	}
	close(release)
	select {
	case <-a2.Evaluated():
	case <-time.After(60 * time.Second): // a guard, not a sleep
		t.Fatal("no evaluation within 60s")
	}
	var ana string
	for _, s := range a2.Snapshot().Sources {
		if s.Name == "ana" {
			ana = s.Error + " | " + s.Warning
		}
	}
	if !strings.Contains(ana, "connection refused") || !strings.Contains(ana, "icsfeed: feed ana: stored data quarantined: calendar: ana: not an iCalendar feed") {
		t.Errorf("ana's status %q: want the fetch error and the quarantine", ana)
	}
	if v, _ := value(scrape(t, base), "cadence_source_errors_total", map[string]string{"source": "ana", "reason": "quarantined"}); v != 1 {
		t.Errorf("reason=quarantined counted %v, want 1", v)
	}
	stop(t, a2)
	if q := quarantined(t, statePath, "ana"); !strings.Contains(q, "not an iCalendar feed") {
		t.Fatalf("stored mark %q", q)
	}

	// The next start does not parse it again, and says so.
	down := func(context.Context, calendar.ICSSource, calendar.FetchOptions) (*calendar.FetchResult, error) {
		return nil, errors.New("connection refused")
	}
	a3, _ := startApp(t, exampleConfig, statePath, &fakeClock{now: pinned}, down)
	for _, s := range a3.Snapshot().Sources {
		if s.Name == "ana" && !strings.Contains(s.Warning, "stored data quarantined (not parsed again)") {
			t.Errorf("ana after a second restart: %+v", s)
		}
	}
	stop(t, a3)

	// A good fetch replaces the body and clears the mark.
	a4, _ := startApp(t, exampleConfig, statePath, &fakeClock{now: pinned}, nil)
	for _, s := range a4.Snapshot().Sources {
		if s.Name == "ana" && (!s.OK || s.Warning != "") {
			t.Errorf("ana after a good fetch: %+v", s)
		}
	}
	stop(t, a4)
	if q := quarantined(t, statePath, "ana"); q != "" {
		t.Errorf("mark after a good fetch: %q", q)
	}
}
