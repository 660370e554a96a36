package engine

import (
	"context"
	"encoding/binary"
	"hash/fnv"
	"sync"
	"time"

	"github.com/cadence-dev/cadence/calendar"
)

// HistoryStore keeps the occurrence history (SPEC "Silent deletions count
// too"). The embedded implementation is SQLite (internal/store);
// a PostgreSQL one can satisfy the same interface. Every method commits
// before it returns: a crash loses nothing committed.
type HistoryStore interface {
	// LoadHistory calls fn with every stored entry.
	LoadHistory(ctx context.Context, fn func(calendar.Seen) error) error
	// LoadHistoryEntries returns the stored entries of keys (unknown keys
	// skipped).
	LoadHistoryEntries(ctx context.Context, keys []calendar.Key) ([]calendar.Seen, error)
	// SaveHistory upserts and deletes history entries in one transaction.
	SaveHistory(ctx context.Context, upsert []calendar.Seen, remove []calendar.Key) error
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
	saved   map[calendar.Key]savedEntry
	gen     uint32 // merges so far
}

// savedEntry is what the history knows of one stored entry: the
// fingerprint of what is stored, and the last merge whose history held it
// (one map serves for "stored as what" and "still there": on a large org
// the history has hundreds of thousands of keys).
type savedEntry struct {
	fp  uint64
	gen uint32
}

// loadHistory reads the fingerprints of the stored history. The entries
// themselves stay in the store: the first merge loads back those its read
// does not contain, like any vanished entry.
func loadHistory(ctx context.Context, st HistoryStore) (*historyState, error) {
	h := &historyState{saved: map[calendar.Key]savedEntry{}}
	err := st.LoadHistory(ctx, func(e calendar.Seen) error {
		h.saved[e.Occ.Key()] = savedEntry{fp: fingerprint(e)}
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
	num(s.GoneSince.UnixNano())
	return h.Sum64()
}

// merge folds the current occurrences into the history, persists what
// changed, and returns the occurrences to evaluate (built in cur's array:
// cur must not be used after). On a store error the in-memory history
// still advances and the merged occurrences are returned with the error;
// what was not written is written by a later merge. With readOnly (the
// one-shot commands beside a daemon, which owns the history) nothing is
// written: the stored history is applied to this read only.
func (h *historyState) merge(ctx context.Context, st HistoryStore, cur []calendar.Occurrence, w calendar.Window, now, keepFrom time.Time, filtered map[string]bool, readOnly bool) ([]calendar.Occurrence, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.gen++
	gen := h.gen
	// touch marks a stored key as held by this merge's history and says
	// whether fp differs from what is stored (or nothing is).
	touch := func(k calendar.Key, fp uint64) bool {
		e, ok := h.saved[k]
		if !ok {
			return true
		}
		if e.gen != gen {
			e.gen = gen
			h.saved[k] = e
		}
		return e.fp != fp
	}
	var saveErr error
	var changed []calendar.Seen
	var changedFP []uint64
	flush := func(up []calendar.Seen, fps []uint64, remove []calendar.Key) {
		if readOnly || saveErr != nil || len(up) == 0 && len(remove) == 0 {
			return
		}
		if saveErr = st.SaveHistory(ctx, up, remove); saveErr != nil {
			return
		}
		for i, e := range up {
			h.saved[e.Occ.Key()] = savedEntry{fp: fps[i], gen: gen}
		}
		for _, k := range remove {
			delete(h.saved, k)
		}
	}
	// The current read, before MergeHistory reorders cur: what changed is
	// written in batches as it is found. After a failed write nothing
	// more is written, but the merge goes on.
	for i := range cur {
		s := calendar.Seen{Occ: cur[i], LastSeen: now}
		if fp := fingerprint(s); touch(s.Occ.Key(), fp) {
			changed, changedFP = append(changed, s), append(changedFP, fp)
			if len(changed) == historyBatch {
				flush(changed, changedFP, nil)
				changed, changedFP = changed[:0], changedFP[:0]
			}
		}
	}
	// Stored entries neither in this read nor held in memory (they left
	// the read since the last merge, or the daemon restarted) are loaded
	// back for MergeHistory.
	held := make(map[calendar.Key]bool, len(h.entries))
	for i := range h.entries {
		held[h.entries[i].Occ.Key()] = true
	}
	var missing []calendar.Key
	for k, e := range h.saved {
		if e.gen != gen && !held[k] {
			missing = append(missing, k)
		}
	}
	loaded, err := st.LoadHistoryEntries(ctx, missing)
	if err != nil {
		// Without them the merge would forget those entries: evaluate this
		// read alone and change nothing more.
		flush(changed, changedFP, nil)
		return cur, err
	}
	prev := append(h.entries[:len(h.entries):len(h.entries)], loaded...)
	kept, occs := calendar.MergeHistory(prev, cur, w, now, keepFrom, filtered)
	for _, e := range kept {
		if fp := fingerprint(e); touch(e.Occ.Key(), fp) {
			changed, changedFP = append(changed, e), append(changedFP, fp)
		}
	}
	var remove []calendar.Key
	for k, e := range h.saved {
		if e.gen != gen {
			remove = append(remove, k)
		}
	}
	h.entries = kept
	for len(changed) > 0 || len(remove) > 0 {
		n, r := min(historyBatch, len(changed)), min(historyBatch, len(remove))
		flush(changed[:n], changedFP[:n], remove[:r])
		changed, changedFP, remove = changed[n:], changedFP[n:], remove[r:]
	}
	return occs, saveErr
}

// historyBatch is how many history entries one transaction writes: the
// first evaluation of a large org writes every occurrence, and one huge
// transaction (or one slice of them all) would hold it all in memory. Each
// batch commits on its own; a failed one is retried next time (its
// fingerprints are not recorded).
const historyBatch = 2000
