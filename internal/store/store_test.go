package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	calendarv3 "google.golang.org/api/calendar/v3"

	"github.com/cadence-dev/cadence/calendar"
	"github.com/cadence-dev/cadence/calendar/google"
	"github.com/cadence-dev/cadence/calendar/google/fakegoogle"
)

func open(t *testing.T, path string) *Store {
	t.Helper()
	s, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestOpenMigratesAndUsesWAL(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.db")
	s := open(t, path)
	defer s.Close()
	v, err := s.SchemaVersion(context.Background())
	want, _ := loadMigrations(migrationFS, "migrations")
	if err != nil || v != len(want) || v < 2 {
		t.Fatalf("schema version %d, %v; want %d (every embedded migration)", v, err, len(want))
	}
	var mode string
	if err := s.db.QueryRow("PRAGMA journal_mode").Scan(&mode); err != nil || mode != "wal" {
		t.Errorf("journal_mode = %q, %v", mode, err)
	}
	var busy int
	if err := s.db.QueryRow("PRAGMA busy_timeout").Scan(&busy); err != nil || busy != 5000 {
		t.Errorf("busy_timeout = %d, %v", busy, err)
	}
	var ckpt int
	if err := s.db.QueryRow("PRAGMA wal_autocheckpoint").Scan(&ckpt); err != nil || ckpt != 10000 {
		t.Errorf("wal_autocheckpoint = %d, %v", ckpt, err)
	}
	// Opening again applies nothing twice.
	s2 := open(t, path)
	defer s2.Close()
	var n int
	if err := s2.db.QueryRow("SELECT COUNT(*) FROM schema_migrations").Scan(&n); err != nil || n != len(want) {
		t.Errorf("schema_migrations rows = %d, %v", n, err)
	}
}

func state(token string, evs map[string]string) *google.CalendarState {
	st := &google.CalendarState{SyncToken: token, TimeZone: "Europe/Berlin", UpdatedAt: time.Date(2026, 3, 1, 12, 0, 0, 5, time.UTC), Events: map[string]json.RawMessage{}}
	for k, v := range evs {
		st.Events[k] = json.RawMessage(v)
	}
	return st
}

func TestGoogleStatePersists(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "state.db")
	s := open(t, path)
	if st, err := s.LoadCalendar(ctx, "ana@example.com"); st != nil || err != nil {
		t.Fatalf("unknown calendar: %v, %v", st, err)
	}
	want := state("tok1", map[string]string{"a": `{"id":"a"}`, "b": `{"id":"b","status":"cancelled"}`})
	if err := s.SaveCalendar(ctx, "ana@example.com", want); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveCalendar(ctx, "bo@example.com", state("tokB", map[string]string{"x": `{}`})); err != nil {
		t.Fatal(err)
	}
	// Replace: b goes, c comes, a changes.
	want = state("tok2", map[string]string{"a": `{"id":"a","summary":"x"}`, "c": `{"id":"c"}`})
	if err := s.SaveCalendar(ctx, "ana@example.com", want); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = open(t, path)
	defer s.Close()
	got, err := s.LoadCalendar(ctx, "ana@example.com")
	if err != nil {
		t.Fatal(err)
	}
	if got.SyncToken != "tok2" || got.TimeZone != "Europe/Berlin" || !got.UpdatedAt.Equal(want.UpdatedAt) || len(got.Events) != 2 ||
		string(got.Events["a"]) != `{"id":"a","summary":"x"}` || string(got.Events["c"]) != `{"id":"c"}` {
		t.Errorf("reloaded state = %+v", got)
	}
	// A new token alone keeps the events.
	later := want.UpdatedAt.Add(time.Minute)
	if err := s.SaveSyncToken(ctx, "ana@example.com", "tok3", "UTC", later); err != nil {
		t.Fatal(err)
	}
	if got, err := s.LoadCalendar(ctx, "ana@example.com"); err != nil || got.SyncToken != "tok3" || got.TimeZone != "UTC" || !got.UpdatedAt.Equal(later) || len(got.Events) != 2 {
		t.Errorf("after SaveSyncToken: %+v, %v", got, err)
	}
	if err := s.SaveSyncToken(ctx, "nobody@example.com", "t", "", later); err == nil || !strings.Contains(err.Error(), "nobody@example.com: no saved state") {
		t.Errorf("token for an unknown calendar: %v", err)
	}
	if err := s.DeleteCalendar(ctx, "ana@example.com"); err != nil {
		t.Fatal(err)
	}
	if st, err := s.LoadCalendar(ctx, "ana@example.com"); st != nil || err != nil {
		t.Errorf("deleted calendar: %v, %v", st, err)
	}
	var n int
	if err := s.db.QueryRow("SELECT COUNT(*) FROM google_events WHERE calendar_id = 'ana@example.com'").Scan(&n); err != nil || n != 0 {
		t.Errorf("deleted calendar keeps %d event rows (%v)", n, err)
	}
	if st, err := s.LoadCalendar(ctx, "bo@example.com"); err != nil || st.SyncToken != "tokB" || len(st.Events) != 1 {
		t.Errorf("other calendar after a delete: %+v, %v", st, err)
	}
}

func TestFailedSaveKeepsOldState(t *testing.T) {
	ctx := context.Background()
	s := open(t, filepath.Join(t.TempDir(), "state.db"))
	defer s.Close()
	if err := s.SaveCalendar(ctx, "ana@example.com", state("tok1", map[string]string{"a": `{"id":"a"}`})); err != nil {
		t.Fatal(err)
	}
	// The token row is written first, then an event fails: nothing of the
	// new state may remain.
	err := s.SaveCalendar(ctx, "ana@example.com", state("tok2", map[string]string{"a": `{"id":"a2"}`, "zz": `{broken`}))
	if err == nil || !strings.HasPrefix(err.Error(), "store: save google calendar ana@example.com: event zz") {
		t.Fatalf("err = %v", err)
	}
	got, err := s.LoadCalendar(ctx, "ana@example.com")
	if err != nil || got.SyncToken != "tok1" || len(got.Events) != 1 || string(got.Events["a"]) != `{"id":"a"}` {
		t.Errorf("state after a failed save: %+v, %v", got, err)
	}
	// A cancelled context fails the save too, without damage.
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if err := s.SaveCalendar(cctx, "ana@example.com", state("tok3", nil)); err == nil {
		t.Error("save with a cancelled context: no error")
	}
	if got, _ := s.LoadCalendar(ctx, "ana@example.com"); got.SyncToken != "tok1" {
		t.Errorf("token after a cancelled save: %q", got.SyncToken)
	}
}

func memDB(t *testing.T) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(t.TempDir(), "m.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestMigrationRunner(t *testing.T) {
	ctx := context.Background()
	good := fstest.MapFS{
		"m/0001_a.sql": {Data: []byte("CREATE TABLE a (x INTEGER);")},
		"m/0002_b.sql": {Data: []byte("CREATE TABLE b (y INTEGER); INSERT INTO b VALUES (1);")},
	}
	db := memDB(t)
	if err := migrate(ctx, db, good, "m"); err != nil {
		t.Fatal(err)
	}
	if v, _ := schemaVersion(ctx, db); v != 2 {
		t.Errorf("version %d, want 2", v)
	}
	// A third migration that fails half-way leaves version 2 and no trace.
	bad := fstest.MapFS{
		"m/0001_a.sql": good["m/0001_a.sql"],
		"m/0002_b.sql": good["m/0002_b.sql"],
		"m/0003_c.sql": {Data: []byte("CREATE TABLE c (z INTEGER); INSERT INTO nowhere VALUES (1);")},
	}
	err := migrate(ctx, db, bad, "m")
	if err == nil || !strings.Contains(err.Error(), "migration 0003_c.sql") {
		t.Fatalf("err = %v", err)
	}
	if v, _ := schemaVersion(ctx, db); v != 2 {
		t.Errorf("version after a failed migration %d, want 2", v)
	}
	var n int
	if err := db.QueryRow("SELECT COUNT(*) FROM sqlite_master WHERE name = 'c'").Scan(&n); err != nil || n != 0 {
		t.Errorf("failed migration left table c (%d, %v)", n, err)
	}
	// A database newer than the binary.
	err = migrate(ctx, db, fstest.MapFS{"m/0001_a.sql": good["m/0001_a.sql"]}, "m")
	if err == nil || !strings.Contains(err.Error(), "schema version 2 is newer") {
		t.Errorf("newer database: err = %v", err)
	}
	for name, fsys := range map[string]fstest.MapFS{
		"gap":       {"m/0001_a.sql": good["m/0001_a.sql"], "m/0003_c.sql": good["m/0002_b.sql"]},
		"duplicate": {"m/0001_a.sql": good["m/0001_a.sql"], "m/0001_b.sql": good["m/0002_b.sql"]},
		"bad name":  {"m/1_a.sql": good["m/0001_a.sql"]},
	} {
		if err := migrate(ctx, memDB(t), fsys, "m"); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

// TestSyncAcrossRestarts runs the Google sync engine on this store against
// the fake server: after a restart the next cycle is incremental.
func TestSyncAcrossRestarts(t *testing.T) {
	ctx := context.Background()
	fake := fakegoogle.New()
	srv := httptest.NewServer(fake)
	defer srv.Close()
	cals := []google.Calendar{}
	for _, id := range []string{"ana@example.com", "bo@example.com", "cy@example.com", "di@example.com"} {
		fake.AddCalendar(id, "UTC")
		cals = append(cals, google.Calendar{ID: id, Name: id, Owner: id})
		for i := range 5 {
			start := time.Date(2026, 1, 5+i, 9, 0, 0, 0, time.UTC)
			fake.PutEvent(id, &calendarv3.Event{
				Id:    "ev" + string(rune('a'+i)),
				Start: &calendarv3.EventDateTime{DateTime: start.Format(time.RFC3339)},
				End:   &calendarv3.EventDateTime{DateTime: start.Add(time.Hour).Format(time.RFC3339)},
			})
		}
	}
	path := filepath.Join(t.TempDir(), "state.db")
	run := func() []google.Result {
		t.Helper()
		st := open(t, path)
		defer st.Close()
		sy, err := google.New(google.Config{Endpoint: fakegoogle.CalendarEndpoint(srv.URL), PageSize: 2, Concurrency: 4, PerUserPerMinute: -1, PerProjectPerMinute: -1}, st)
		if err != nil {
			t.Fatal(err)
		}
		rs := sy.SyncAll(ctx, cals)
		for _, r := range rs {
			if r.Err != nil {
				t.Fatal(r.Err)
			}
		}
		return rs
	}
	for _, r := range run() {
		if !r.Full || r.Requests != 3 || len(r.Feed.Events) != 5 {
			t.Errorf("first run %s: full %v, %d requests, %d events", r.Calendar.ID, r.Full, r.Requests, len(r.Feed.Events))
		}
	}
	if err := fake.DeleteEvent("bo@example.com", "evc"); err != nil {
		t.Fatal(err)
	}
	fake.ResetCounts()
	for _, r := range run() {
		// A deleted single meeting stays, cancelled (SPEC: it counts as
		// cancelled once past).
		cancelled := 0
		for _, ev := range r.Feed.Events {
			if ev.Status == calendar.StatusCancelled {
				cancelled++
			}
		}
		want := 0
		if r.Calendar.ID == "bo@example.com" {
			want = 1
		}
		if r.Full || r.Requests != 1 || len(r.Feed.Events) != 5 || cancelled != want {
			t.Errorf("after restart %s: full %v, %d requests, %d events, %d cancelled (want 5, %d)", r.Calendar.ID, r.Full, r.Requests, len(r.Feed.Events), cancelled, want)
		}
	}
}

func TestOpenOddPath(t *testing.T) {
	// Spaces, '#', '?', '%' in the path are not taken for URI syntax.
	dir := filepath.Join(t.TempDir(), "a dir #1 ?x=y%20")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, "st ate.db")
	s := open(t, p)
	if err := s.SaveCalendar(context.Background(), "c", state("t", nil)); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("database not at its path: %v", err)
	}
	missing := filepath.Join(t.TempDir(), "missing", "dir", "x.db")
	_, err := Open(context.Background(), missing)
	if err == nil || !strings.HasPrefix(err.Error(), "state file "+missing+" cannot be created: directory ") {
		t.Errorf("unopenable path: err = %v", err)
	}
}
