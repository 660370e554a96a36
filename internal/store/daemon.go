package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/cadence-dev/cadence/calendar"
	"github.com/cadence-dev/cadence/calendar/icsfeed"
)

// FeedRecord is the persisted state of one ICS feed.
type FeedRecord = icsfeed.Record

var _ icsfeed.Store = (*Store)(nil)

// LoadFeed returns the stored state of the ICS source name, or (nil, nil).
func (s *Store) LoadFeed(ctx context.Context, name string) (*FeedRecord, error) {
	var rec FeedRecord
	var last string
	err := s.db.QueryRowContext(ctx,
		"SELECT source, etag, last_modified, body, last_success, quarantined FROM ics_feeds WHERE name = ?", name).
		Scan(&rec.Source, &rec.Validators.ETag, &rec.Validators.LastModified, &rec.Body, &last, &rec.Quarantined)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("store: load feed %s: %w", name, err)
	}
	if rec.LastSuccess, err = time.Parse(time.RFC3339Nano, last); err != nil {
		return nil, fmt.Errorf("store: feed %s: bad last_success %q: %w", name, last, err)
	}
	return &rec, nil
}

// SaveFeed replaces the stored state of the ICS source name.
func (s *Store) SaveFeed(ctx context.Context, name string, rec *FeedRecord) error {
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO ics_feeds(name, source, etag, last_modified, body, last_success, quarantined) VALUES (?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT(name) DO UPDATE SET source = excluded.source, etag = excluded.etag, last_modified = excluded.last_modified,
			body = excluded.body, last_success = excluded.last_success, quarantined = excluded.quarantined`,
			name, rec.Source, rec.Validators.ETag, rec.Validators.LastModified, rec.Body, rec.LastSuccess.UTC().Format(time.RFC3339Nano), rec.Quarantined)
		return err
	})
	if err != nil {
		return fmt.Errorf("store: save feed %s: %w", name, err)
	}
	return nil
}

// KeepFeeds deletes the stored state (validators and body) of every ICS
// source not named in names: a feed removed from the configuration leaves
// nothing behind. The deleted content is overwritten (secure_delete), not
// only unlinked. It returns the names it deleted.
func (s *Store) KeepFeeds(ctx context.Context, names []string) ([]string, error) {
	keep := make(map[string]bool, len(names))
	for _, n := range names {
		keep[n] = true
	}
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("store: prune feeds: %w", err)
	}
	defer conn.Close()
	var gone []string
	rows, err := conn.QueryContext(ctx, "SELECT name FROM ics_feeds ORDER BY name")
	if err != nil {
		return nil, fmt.Errorf("store: prune feeds: %w", err)
	}
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			rows.Close()
			return nil, fmt.Errorf("store: prune feeds: %w", err)
		}
		if !keep[n] {
			gone = append(gone, n)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: prune feeds: %w", err)
	}
	if len(gone) == 0 {
		return nil, nil
	}
	if _, err := conn.ExecContext(ctx, "PRAGMA secure_delete = ON"); err != nil {
		return nil, fmt.Errorf("store: prune feeds: %w", err)
	}
	defer func() { _, _ = conn.ExecContext(context.WithoutCancel(ctx), "PRAGMA secure_delete = OFF") }()
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("store: prune feeds: %w", err)
	}
	for _, n := range gone {
		if _, err := tx.ExecContext(ctx, "DELETE FROM ics_feeds WHERE name = ?", n); err != nil {
			_ = tx.Rollback()
			return nil, fmt.Errorf("store: prune feed %s: %w", n, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("store: prune feeds: %w", err)
	}
	return gone, nil
}

// LoadHistory calls fn with every stored occurrence, one at a time (a
// large org's history need not be in memory at once); an error from fn
// stops it and is returned.
func (s *Store) LoadHistory(ctx context.Context, fn func(calendar.Seen) error) error {
	rows, err := s.db.QueryContext(ctx, "SELECT series_uid, original_start, json FROM occurrence_history ORDER BY original_start, series_uid")
	if err != nil {
		return fmt.Errorf("store: load history: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var uid string
		var js []byte
		var start int64
		if err := rows.Scan(&uid, &start, &js); err != nil {
			return fmt.Errorf("store: load history: %w", err)
		}
		var seen calendar.Seen
		if err := json.Unmarshal(js, &seen); err != nil {
			return fmt.Errorf("store: history entry %s@%d: %w", uid, start, err)
		}
		if err := fn(seen); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("store: load history: %w", err)
	}
	return nil
}

// SaveHistory upserts and removes history entries in one transaction.
func (s *Store) SaveHistory(ctx context.Context, upsert []calendar.Seen, remove []calendar.Key) error {
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		up, err := tx.PrepareContext(ctx, `INSERT INTO occurrence_history(series_uid, original_start, json) VALUES (?, ?, ?)
			ON CONFLICT(series_uid, original_start) DO UPDATE SET json = excluded.json`)
		if err != nil {
			return err
		}
		defer up.Close()
		for _, e := range upsert {
			js, err := json.Marshal(e)
			if err != nil {
				return err
			}
			k := e.Occ.Key()
			if _, err := up.ExecContext(ctx, k.UID, k.OriginalStart, string(js)); err != nil {
				return err
			}
		}
		del, err := tx.PrepareContext(ctx, "DELETE FROM occurrence_history WHERE series_uid = ? AND original_start = ?")
		if err != nil {
			return err
		}
		defer del.Close()
		for _, k := range remove {
			if _, err := del.ExecContext(ctx, k.UID, k.OriginalStart); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: save history (%d upserts, %d removals): %w", len(upsert), len(remove), err)
	}
	return nil
}

// LoadHistoryEntries returns the stored history entries of keys (those
// stored; unknown keys are skipped).
func (s *Store) LoadHistoryEntries(ctx context.Context, keys []calendar.Key) ([]calendar.Seen, error) {
	if len(keys) == 0 {
		return nil, nil
	}
	stmt, err := s.db.PrepareContext(ctx, "SELECT json FROM occurrence_history WHERE series_uid = ? AND original_start = ?")
	if err != nil {
		return nil, fmt.Errorf("store: load history entries: %w", err)
	}
	defer stmt.Close()
	out := make([]calendar.Seen, 0, len(keys))
	for _, k := range keys {
		var js string
		err := stmt.QueryRowContext(ctx, k.UID, k.OriginalStart).Scan(&js)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("store: load history entry %s@%d: %w", k.UID, k.OriginalStart, err)
		}
		var seen calendar.Seen
		if err := json.Unmarshal([]byte(js), &seen); err != nil {
			return nil, fmt.Errorf("store: history entry %s@%d: %w", k.UID, k.OriginalStart, err)
		}
		out = append(out, seen)
	}
	return out, nil
}
