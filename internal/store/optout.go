package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"fmt"
	"strings"
	"time"
)

// DigestOptOut records that recipient unsubscribed from the digest (kept
// until DigestResubscribe). Committed before it returns.
func (s *Store) DigestOptOut(ctx context.Context, recipient string, at time.Time) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO digest_optout (recipient, at) VALUES (?, ?) ON CONFLICT (recipient) DO NOTHING`,
		strings.ToLower(recipient), at.UTC().Format(time.RFC3339Nano))
	if err != nil {
		return fmt.Errorf("store: digest opt-out %s: %w", recipient, err)
	}
	return nil
}

// DigestResubscribe removes recipient's opt-out; it reports whether there
// was one.
func (s *Store) DigestResubscribe(ctx context.Context, recipient string) (bool, error) {
	res, err := s.db.ExecContext(ctx, `DELETE FROM digest_optout WHERE recipient = ?`, strings.ToLower(recipient))
	if err != nil {
		return false, fmt.Errorf("store: digest resubscribe %s: %w", recipient, err)
	}
	n, _ := res.RowsAffected()
	return n > 0, nil
}

// DigestOptOuts lists the recipients who unsubscribed, sorted.
func (s *Store) DigestOptOuts(ctx context.Context) ([]string, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT recipient FROM digest_optout ORDER BY recipient`)
	if err != nil {
		return nil, fmt.Errorf("store: digest opt-outs: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var r string
		if err := rows.Scan(&r); err != nil {
			return nil, fmt.Errorf("store: digest opt-outs: %w", err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: digest opt-outs: %w", err)
	}
	return out, nil
}

// Secret returns the key called name, making a random one of 32 bytes the
// first time (committed before it returns, so every process sharing the
// state uses the same).
func (s *Store) Secret(ctx context.Context, name string) ([]byte, error) {
	var key []byte
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `SELECT value FROM secrets WHERE name = ?`, name).Scan(&key)
		if err == nil {
			return nil
		}
		if err != sql.ErrNoRows {
			return err
		}
		key = make([]byte, 32)
		if _, err := rand.Read(key); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO secrets (name, value) VALUES (?, ?)`, name, key)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("store: secret %s: %w", name, err)
	}
	return key, nil
}

// GoogleCalendarZones returns each synced Google calendar's own zone (an
// IANA name; calendar id → zone), as events.list reported it.
func (s *Store) GoogleCalendarZones(ctx context.Context) (map[string]string, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT calendar_id, time_zone FROM google_calendars WHERE time_zone != ''`)
	if err != nil {
		return nil, fmt.Errorf("store: google calendar zones: %w", err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var id, tz string
		if err := rows.Scan(&id, &tz); err != nil {
			return nil, fmt.Errorf("store: google calendar zones: %w", err)
		}
		out[strings.ToLower(id)] = tz
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: google calendar zones: %w", err)
	}
	return out, nil
}
