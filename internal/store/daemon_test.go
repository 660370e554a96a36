package store

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/cadence-dev/cadence/calendar"
)

func TestFeedAndHistoryPersistAcrossReopen(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "state.db")
	st, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	rec := &FeedRecord{
		Source:      "ana@example.com|/feeds/ana.ics||UTC",
		Validators:  calendar.Validators{ETag: `"v1"`, LastModified: "Mon, 02 Nov 2026 09:00:00 GMT"},
		Body:        []byte("BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n"),
		LastSuccess: start,
	}
	if err := st.SaveFeed(ctx, "ana", rec); err != nil {
		t.Fatal(err)
	}
	o1 := calendar.Occurrence{UID: "u1", SeriesUID: "u1", OriginalStart: start, Start: start, End: start.Add(time.Hour), Status: calendar.StatusConfirmed}
	o2 := o1
	o2.OriginalStart, o2.Start = start.AddDate(0, 0, 7), start.AddDate(0, 0, 7)
	if err := st.SaveHistory(ctx, []calendar.Seen{{Occ: o1, LastSeen: start}, {Occ: o2, LastSeen: start}}, nil); err != nil {
		t.Fatal(err)
	}
	if err := st.SaveHistory(ctx, nil, []calendar.Key{o2.Key()}); err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}

	st, err = Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	got, err := st.LoadFeed(ctx, "ana")
	if err != nil {
		t.Fatal(err)
	}
	if got == nil || got.Source != rec.Source || got.Validators != rec.Validators || !got.LastSuccess.Equal(rec.LastSuccess) ||
		!bytes.Equal(got.Body, rec.Body) {
		t.Fatalf("feed after reopen = %+v", got)
	}
	if none, err := st.LoadFeed(ctx, "nobody"); none != nil || err != nil {
		t.Fatalf("unknown feed: %v, %v", none, err)
	}
	var hist []calendar.Seen
	if err := st.LoadHistory(ctx, func(e calendar.Seen) error { hist = append(hist, e); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(hist) != 1 || hist[0].Occ.Key() != o1.Key() {
		t.Fatalf("history after reopen = %+v", hist)
	}
	if v, _ := st.SchemaVersion(ctx); v < 2 {
		t.Errorf("schema version %d, want >= 2", v)
	}
}

// TestConcurrentFeedSaves: the daemon saves every feed from its own
// goroutine; none may fail. At 5k+ large feeds, several connections waiting
// on SQLite's file lock ran past the busy timeout (SQLITE_BUSY); the store
// now serializes on one connection, which this test pins down (the saves
// themselves would also pass at this small scale with more connections).
func TestConcurrentFeedSaves(t *testing.T) {
	ctx := context.Background()
	st, err := Open(ctx, filepath.Join(t.TempDir(), "state.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if n := st.db.Stats().MaxOpenConnections; n != 1 {
		t.Errorf("MaxOpenConnections = %d, want 1 (one writer, no SQLITE_BUSY)", n)
	}
	const n = 400
	errs := make(chan error, n)
	body := bytes.Repeat([]byte("BEGIN:VEVENT\r\nEND:VEVENT\r\n"), 2000)
	for i := 0; i < n; i++ {
		go func(i int) {
			errs <- st.SaveFeed(ctx, fmt.Sprintf("feed-%d", i), &FeedRecord{Source: "s", Body: body, LastSuccess: time.Unix(0, 0)})
		}(i)
	}
	for i := 0; i < n; i++ {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
}

// TestFeedQuarantineRoundTrip: the quarantine mark is stored with the
// record and cleared by the next save without it.
func TestFeedQuarantineRoundTrip(t *testing.T) {
	ctx := context.Background()
	st, err := Open(ctx, filepath.Join(t.TempDir(), "s.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	rec := &FeedRecord{Source: "s", Body: []byte("x"), LastSuccess: time.Unix(0, 0), Quarantined: "calendar: ana: parse_time limit of 10s exceeded"}
	if err := st.SaveFeed(ctx, "ana", rec); err != nil {
		t.Fatal(err)
	}
	got, err := st.LoadFeed(ctx, "ana")
	if err != nil || got.Quarantined != rec.Quarantined || string(got.Body) != "x" {
		t.Fatalf("load %+v, %v", got, err)
	}
	rec.Quarantined = ""
	if err := st.SaveFeed(ctx, "ana", rec); err != nil {
		t.Fatal(err)
	}
	if got, _ := st.LoadFeed(ctx, "ana"); got.Quarantined != "" {
		t.Errorf("mark not cleared: %q", got.Quarantined)
	}
}
