package engine

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/cadence-dev/cadence/calendar"
	"github.com/cadence-dev/cadence/internal/store"
)

// histAt is day d of November 2026 at 10:00 UTC; histOcc a confirmed
// 30-minute single occurrence then.
func histAt(d int) time.Time { return time.Date(2026, 11, d, 10, 0, 0, 0, time.UTC) }

func histOcc(uid string, d int) calendar.Occurrence {
	return calendar.Occurrence{UID: uid, SeriesUID: uid, OriginalStart: histAt(d), Start: histAt(d), End: histAt(d).Add(30 * time.Minute), Status: calendar.StatusConfirmed}
}

// histWindow is a year back from November 1st to November 28th.
var histWindow = calendar.Window{From: histAt(1).AddDate(-1, 0, 0), To: histAt(28)}

// openHistory opens a fresh store (closed with the test) and its history.
func openHistory(t *testing.T) (*store.Store, *historyState) {
	t.Helper()
	st, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "state.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	h, err := loadHistory(context.Background(), st)
	if err != nil {
		t.Fatal(err)
	}
	return st, h
}

// TestHistoryReloadsVanishedEntries: occurrences of the current read are
// not held in memory by the history; when they vanish from a later read
// they are loaded back from the store and the SPEC's rules apply.
func TestHistoryReloadsVanishedEntries(t *testing.T) {
	ctx := context.Background()
	st, h := openHistory(t)
	at, occ, w := histAt, histOcc, histWindow
	past, future := occ("held", 2), occ("deleted-later", 12)

	now1 := at(5)
	occs, err := h.merge(ctx, st, []calendar.Occurrence{past, future}, w, now1, w.From, nil, false)
	if err != nil || len(occs) != 2 {
		t.Fatalf("first merge: %d occurrences, %v", len(occs), err)
	}
	if len(h.entries) != 0 {
		t.Errorf("history holds %d entries of the current read in memory, want 0", len(h.entries))
	}

	// Both vanish; by now2 the deleted meeting's time has passed. The
	// daemon restarted in between: the history comes back from the store
	// as fingerprints only, and the vanished entries are read back.
	h, err = loadHistory(ctx, st)
	if err != nil {
		t.Fatal(err)
	}
	if len(h.saved) != 2 || len(h.entries) != 0 {
		t.Fatalf("after a restart: %d fingerprints, %d entries in memory; want 2 and 0", len(h.saved), len(h.entries))
	}
	now2 := at(20)
	occs, err = h.merge(ctx, st, nil, w, now2, w.From, nil, false)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]calendar.Occurrence{}
	for _, o := range occs {
		got[o.UID] = o
	}
	if o, ok := got["held"]; !ok || o.Status != calendar.StatusConfirmed {
		t.Errorf("a meeting that had happened and left the feed: %+v, %v (want kept as held)", o, ok)
	}
	if o, ok := got["deleted-later"]; !ok || o.Status != calendar.StatusCancelled || o.CancelReason != calendar.CancelVanished {
		t.Errorf("a single meeting deleted before it happened: %+v, %v (want cancelled, vanished)", o, ok)
	}
	if len(h.entries) != 2 {
		t.Errorf("history keeps %d vanished entries in memory, want 2", len(h.entries))
	}
}

// failingSaves fails SaveHistory while fail is set.
type failingSaves struct {
	HistoryStore
	fail              bool
	upserts, removals int // written
}

func (f *failingSaves) SaveHistory(ctx context.Context, up []calendar.Seen, rm []calendar.Key) error {
	if f.fail {
		return errors.New("disk full")
	}
	f.upserts += len(up)
	f.removals += len(rm)
	return f.HistoryStore.SaveHistory(ctx, up, rm)
}

// A failed history write still evaluates the merged history, and what
// was not written is written by the next merge.
func TestHistoryMergeSurvivesFailedWrites(t *testing.T) {
	ctx := context.Background()
	real, h := openHistory(t)
	st := &failingSaves{HistoryStore: real}
	at, occ, w := histAt, histOcc, histWindow
	if _, err := h.merge(ctx, st, []calendar.Occurrence{occ("held", 2)}, w, at(5), w.From, nil, false); err != nil {
		t.Fatal(err)
	}
	// "held" left the feed after it happened; "new" appears; writes fail.
	st.fail = true
	occs, err := h.merge(ctx, st, []calendar.Occurrence{occ("new", 6)}, w, at(7), w.From, nil, false)
	if err == nil {
		t.Fatal("a failed write was not reported")
	}
	if len(occs) != 2 {
		t.Fatalf("evaluated %d occurrences after a failed write, want the merged 2", len(occs))
	}
	st.fail = false
	if _, err := h.merge(ctx, st, []calendar.Occurrence{occ("new", 6)}, w, at(8), w.From, nil, false); err != nil {
		t.Fatal(err)
	}
	var stored []string
	if err := real.LoadHistory(ctx, func(e calendar.Seen) error { stored = append(stored, e.Occ.UID); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(stored) != 2 {
		t.Errorf("stored after recovery: %v, want held and new", stored)
	}

	// Nothing changed: nothing is written.
	st.upserts, st.removals = 0, 0
	if _, err := h.merge(ctx, st, []calendar.Occurrence{occ("new", 6)}, w, at(8).Add(time.Hour), w.From, nil, false); err != nil {
		t.Fatal(err)
	}
	if st.upserts != 0 || st.removals != 0 {
		t.Errorf("an unchanged merge wrote %d entries and removed %d", st.upserts, st.removals)
	}
	// A single meeting moved to a later day: its old time is dropped from
	// the store once it has passed.
	if _, err := h.merge(ctx, st, []calendar.Occurrence{occ("new", 6), occ("mv", 12)}, w, at(9), w.From, nil, false); err != nil {
		t.Fatal(err)
	}
	if _, err := h.merge(ctx, st, []calendar.Occurrence{occ("new", 6), occ("mv", 14)}, w, at(10), w.From, nil, false); err != nil {
		t.Fatal(err)
	}
	st.removals = 0
	if _, err := h.merge(ctx, st, []calendar.Occurrence{occ("new", 6), occ("mv", 14)}, w, at(13), w.From, nil, false); err != nil {
		t.Fatal(err)
	}
	if st.removals != 1 {
		t.Errorf("the moved meeting's old time: %d removals, want 1", st.removals)
	}
	if old := occ("mv", 12); h.saved[old.Key()] != (savedEntry{}) {
		t.Error("the moved meeting's old time is still in the fingerprints")
	}
}
