package store

import (
	"bytes"
	"context"
	"database/sql"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/cadence-dev/cadence/calendar"
	"github.com/cadence-dev/cadence/calendar/icsfeed"
)

// TestStateFilesArePrivate: a new state file, its -wal and its -shm are
// 0600 whatever the umask allows; an existing file readable by others is
// made private, and Open says so.
func TestStateFilesArePrivate(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "state.db")
	st := open(t, path)
	if err := st.SaveFeed(ctx, "ana", &FeedRecord{Source: "s", Body: []byte("x"), LastSuccess: time.Unix(0, 0)}); err != nil {
		t.Fatal(err)
	}
	if len(st.Notes()) != 0 {
		t.Errorf("notes on a new file: %q", st.Notes())
	}
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: mode %04o, want 0600", filepath.Base(p), fi.Mode().Perm())
		}
	}
	st.Close()

	// A file left readable by an older cadence (SQLite's default 0644).
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		if err := os.Chmod(p, 0o644); err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
	}
	st = open(t, path)
	defer st.Close()
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
		t.Errorf("existing 0644 file left %04o", fi.Mode().Perm())
	}
	if n := st.Notes(); len(n) == 0 || !strings.Contains(n[0], "was readable by others (mode 0644); now 0600") {
		t.Errorf("notes %q", n)
	}
	if rec, err := st.LoadFeed(ctx, "ana"); err != nil || rec == nil {
		t.Errorf("data after tightening: %v, %v", rec, err)
	}
}

const (
	oldSecret = "priv4te-token-91c2"
	oldURL    = "https://user:" + oldSecret + "@calendar.google.com/calendar/ical/ana%40example.com/private-" + oldSecret + "/basic.ics?key=" + oldSecret
	oldBody   = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:a\r\nDTSTART:20261102T090000Z\r\nDURATION:PT30M\r\n" +
		"SUMMARY:Ana / Bo\r\nDESCRIPTION:Zoom passcode 8812-" + oldSecret + "\r\nLOCATION:Room 4\r\n" +
		"ORGANIZER:mailto:ana@example.com\r\nATTENDEE:mailto:bo@example.com\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
)

// TestMigrationRemovesFeedSecrets: a state file of the previous schema
// (two migrations), whose feed record holds the URL in clear and the whole
// body, is migrated: the record identifies the feed by the URL's hash, its
// body is minimized, no byte of the files holds the secret any more, and
// the stored data is still used by the feed's source.
func TestMigrationRemovesFeedSecrets(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "state.db")
	old := fstest.MapFS{}
	for _, name := range []string{"0001_init.sql", "0002_daemon.sql"} {
		b, err := fs.ReadFile(migrationFS, "migrations/"+name)
		if err != nil {
			t.Fatal(err)
		}
		old["migrations/"+name] = &fstest.MapFile{Data: b}
	}
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=journal_mode(WAL)")
	if err != nil {
		t.Fatal(err)
	}
	if err := migrate(ctx, db, old, "migrations"); err != nil {
		t.Fatal(err)
	}
	oldSource := "ana@example.com||" + oldURL + "|Europe/Berlin"
	last := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	if _, err := db.ExecContext(ctx, `INSERT INTO ics_feeds(name, source, etag, last_modified, body, last_success) VALUES
		('ana', ?, '"v1"', '', ?, ?), ('file', 'bo@example.com|/feeds/bo.ics||UTC', '', 'x', ?, ?)`,
		oldSource, []byte(oldBody), last.Format(time.RFC3339Nano), []byte(oldBody), last.Format(time.RFC3339Nano)); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	st := open(t, path)
	latest, err := fs.Glob(migrationFS, "migrations/*.sql")
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := st.SchemaVersion(ctx); v != len(latest) {
		t.Errorf("schema version %d, want %d (every migration)", v, len(latest))
	}
	rec, err := st.LoadFeed(ctx, "ana")
	if err != nil || rec == nil {
		t.Fatalf("record after migration: %v, %v", rec, err)
	}
	if want := icsfeed.SourceID("ana@example.com", "", oldURL, "Europe/Berlin"); rec.Source != want {
		t.Errorf("source %q, want %q", rec.Source, want)
	}
	if !bytes.Equal(rec.Body, calendar.Minimize([]byte(oldBody))) || rec.Validators.ETag != `"v1"` || !rec.LastSuccess.Equal(last) {
		t.Errorf("record %+v", rec)
	}
	if file, _ := st.LoadFeed(ctx, "file"); file == nil || file.Source != "bo@example.com|/feeds/bo.ics||UTC" {
		t.Errorf("file feed record %+v", file)
	}

	// The feed's source still restores it.
	berlin, _ := time.LoadLocation("Europe/Berlin")
	src := icsfeed.New(icsfeed.Options{Feeds: []icsfeed.Feed{{Name: "ana", Owner: "ana@example.com", URL: oldURL, Zone: berlin}}, Store: st})
	cal := calendar.Calendar{Name: "ana", Owner: "ana@example.com", Zone: berlin}
	for _, c := range src.Calendars(noOrg{}) {
		cal = c
	}
	rest, err := src.Restore(ctx, cal)
	if err != nil || rest == nil || len(rest.Feed.Events) != 1 || rest.Feed.Events[0].Title != "Ana / Bo" {
		t.Fatalf("restore after migration: %+v, %v", rest, err)
	}
	st.Close()

	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		b, err := os.ReadFile(p)
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		for _, secret := range []string{oldSecret, "calendar.google.com", "Zoom passcode", "Room 4"} {
			if bytes.Contains(b, []byte(secret)) {
				t.Errorf("%s still holds %q", filepath.Base(p), secret)
			}
		}
	}
}

type noOrg struct{}

func (noOrg) Emails() []string                { return nil }
func (noOrg) Resolve(e string) (string, bool) { return e, true }

// TestKeepFeeds: the stored state of a feed no longer configured is
// deleted, and overwritten in the file.
func TestKeepFeeds(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "state.db")
	st := open(t, path)
	defer st.Close()
	for _, n := range []string{"ana", "bo", "cy"} {
		body := []byte("BEGIN:VCALENDAR\r\nSUMMARY:title-of-" + n + "\r\nEND:VCALENDAR\r\n")
		if err := st.SaveFeed(ctx, n, &FeedRecord{Source: n, Body: body, LastSuccess: time.Unix(0, 0)}); err != nil {
			t.Fatal(err)
		}
	}
	gone, err := st.KeepFeeds(ctx, []string{"ana", "cy", "dee"})
	if err != nil || len(gone) != 1 || gone[0] != "bo" {
		t.Fatalf("KeepFeeds = %v, %v; want [bo]", gone, err)
	}
	if rec, _ := st.LoadFeed(ctx, "bo"); rec != nil {
		t.Errorf("bo still stored: %+v", rec)
	}
	for _, n := range []string{"ana", "cy"} {
		if rec, _ := st.LoadFeed(ctx, n); rec == nil {
			t.Errorf("%s deleted", n)
		}
	}
	if _, err := st.db.ExecContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)"); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(path); bytes.Contains(b, []byte("title-of-bo")) {
		t.Error("the deleted body is still in the file")
	}
	if gone, err := st.KeepFeeds(ctx, []string{"ana", "cy"}); err != nil || len(gone) != 0 {
		t.Errorf("second KeepFeeds = %v, %v", gone, err)
	}
}
