package app

import (
	"context"
	"encoding/binary"
	"hash/fnv"
	"sync"
	"time"

	"github.com/cadence-dev/cadence/calendar"
	"github.com/cadence-dev/cadence/cmd/cadence/internal/store"
)

// Store is the daemon's state. The embedded implementation is SQLite
// (package store); a PostgreSQL one can satisfy the same interface.
// Every method commits before it returns: a crash loses nothing committed.
type Store interface {
	LoadFeed(ctx context.Context, name string) (*store.FeedRecord, error) // nil, nil when none
	SaveFeed(ctx context.Context, name string, rec *store.FeedRecord) error
	// LoadHistory calls fn with every stored entry.
	LoadHistory(ctx context.Context, fn func(calendar.Seen) error) error
	// LoadHistoryEntries returns the stored entries of keys (unknown keys
	// skipped).
	LoadHistoryEntries(ctx context.Context, keys []calendar.Key) ([]calendar.Seen, error)
	// SaveHistory upserts and deletes history entries in one transaction.
	SaveHistory(ctx context.Context, upsert []calendar.Seen, remove []calendar.Key) error
	Close() error
}

var _ Store = (*store.Store)(nil)

// OpenStore opens the embedded SQLite state at path.
func OpenStore(path string) (Store, error) {
	return store.Open(context.Background(), path)
}

// historyState mirrors the stored occurrence history cheaply: a fingerprint
// per stored entry (so each evaluation writes only what changed) and, in
// full, only the entries the last read did not contain (kept past
// occurrences, vanished ones). An entry that was in the last read and is
// gone from this one is loaded back from the store: that is rare, and it
// keeps the occurrences of the current read from living in memory twice.
type historyState struct {
	mu      sync.Mutex
	entries []calendar.Seen // not in the last read (none after a load)
	saved   map[calendar.Key]uint64
}

// loadHistory reads the fingerprints of the stored history. The entries
// themselves stay in the store: the first merge loads back those its read
// does not contain, like any vanished entry.
func loadHistory(ctx context.Context, st Store) (*historyState, error) {
	h := &historyState{saved: map[calendar.Key]uint64{}}
	err := st.LoadHistory(ctx, func(e calendar.Seen) error {
		h.saved[e.Occ.Key()] = fingerprint(e)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return h, nil
}

func fingerprint(s calendar.Seen) uint64 {
	// Everything the history rules and the evaluation read, hashed without
	// an encoding pass (this runs for every occurrence of every
	// evaluation). LastSeen matters only as before/after the start.
	h := fnv.New64a()
	o := &s.Occ
	var b [8]byte
	num := func(v int64) {
		binary.LittleEndian.PutUint64(b[:], uint64(v))
		h.Write(b[:])
	}
	str := func(v string) {
		h.Write([]byte(v))
		h.Write([]byte{0})
	}
	flag := func(v bool) {
		if v {
			h.Write([]byte{1})
		} else {
			h.Write([]byte{0})
		}
	}
	str(o.UID)
	str(o.SeriesUID)
	num(o.OriginalStart.UnixNano())
	num(o.Start.UnixNano())
	num(o.End.UnixNano())
	str(string(o.Status))
	str(string(o.CancelReason))
	str(o.Title)
	str(o.Organizer)
	num(int64(o.Sequence))
	flag(o.AllDay)
	flag(o.OutOfOffice)
	flag(o.Transparent)
	flag(o.Override)
	flag(o.Recurring)
	str(o.Source)
	str(o.Owner)
	for _, a := range o.Attendees {
		str(a.Email)
		str(a.Name)
		str(string(a.Response))
		flag(a.Resource)
		flag(a.Organizer)
	}
	for _, src := range o.SeenIn {
		str(src)
	}
	flag(!s.LastSeen.Before(o.Start))
	return h.Sum64()
}

// merge folds the current occurrences into the history, persists what
// changed, and returns the occurrences to evaluate (built in cur's array:
// cur must not be used after). On a store error the in-memory history
// still advances; the next evaluation retries the write.
func (h *historyState) merge(ctx context.Context, st Store, cur []calendar.Occurrence, w calendar.Window, now, keepFrom time.Time, filtered map[string]bool) ([]calendar.Occurrence, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	// The fingerprints of the current read, taken before MergeHistory
	// reorders cur; fps ends as the fingerprint of every history entry.
	fps := make(map[calendar.Key]uint64, len(cur)+len(h.entries))
	for i := range cur {
		fps[cur[i].Key()] = fingerprint(calendar.Seen{Occ: cur[i], LastSeen: now})
	}
	inCur := func(k calendar.Key) bool { _, ok := fps[k]; return ok }
	held := make(map[calendar.Key]bool, len(h.entries))
	for i := range h.entries {
		held[h.entries[i].Occ.Key()] = true
	}
	var missing []calendar.Key
	for k := range h.saved {
		if !inCur(k) && !held[k] {
			missing = append(missing, k)
		}
	}
	loaded, err := st.LoadHistoryEntries(ctx, missing)
	if err != nil {
		// Without them the merge would forget those entries: evaluate this
		// read alone and change nothing stored.
		return cur, err
	}
	prev := append(h.entries[:len(h.entries):len(h.entries)], loaded...)
	// The entries of cur that changed since stored, written in batches
	// before cur is reordered. After a failed write nothing more is
	// written (it is retried next time), but the merge goes on.
	var changed []calendar.Seen
	var saveErr error
	flush := func(upsert []calendar.Seen, remove []calendar.Key) {
		if saveErr == nil && (len(upsert) > 0 || len(remove) > 0) {
			saveErr = h.save(ctx, st, upsert, remove, fps)
		}
	}
	for i := range cur {
		k := cur[i].Key()
		if old, ok := h.saved[k]; !ok || old != fps[k] {
			changed = append(changed, calendar.Seen{Occ: cur[i], LastSeen: now})
			if len(changed) == historyBatch {
				flush(changed, nil)
				changed = changed[:0]
			}
		}
	}
	kept, occs := calendar.MergeHistory(prev, cur, w, now, keepFrom, filtered)
	for _, e := range kept {
		k := e.Occ.Key()
		fps[k] = fingerprint(e)
		if old, ok := h.saved[k]; !ok || old != fps[k] {
			changed = append(changed, e)
		}
	}
	var remove []calendar.Key
	for k := range h.saved {
		if _, ok := fps[k]; !ok {
			remove = append(remove, k)
		}
	}
	h.entries = kept
	for len(changed) > 0 || len(remove) > 0 {
		u, r := changed[:min(historyBatch, len(changed))], remove[:min(historyBatch, len(remove))]
		flush(u, r)
		changed, remove = changed[len(u):], remove[len(r):]
	}
	return occs, saveErr
}

// historyBatch is how many history entries one transaction writes: the
// first evaluation of a large org writes every occurrence, and one huge
// transaction (or one slice of them all) would hold it all in memory. Each
// batch commits on its own; a failed one is retried next time (its
// fingerprints are not recorded).
const historyBatch = 2000

func (h *historyState) save(ctx context.Context, st Store, upsert []calendar.Seen, remove []calendar.Key, fps map[calendar.Key]uint64) error {
	if err := st.SaveHistory(ctx, upsert, remove); err != nil {
		return err
	}
	for _, e := range upsert {
		h.saved[e.Occ.Key()] = fps[e.Occ.Key()]
	}
	for _, k := range remove {
		delete(h.saved, k)
	}
	return nil
}
