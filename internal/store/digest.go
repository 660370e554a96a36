package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// States of a digest_log row.
const (
	DigestPending = "pending" // an attempt started (and may have crashed)
	DigestSent    = "sent"    // the SMTP server accepted the message
	DigestFailed  = "failed"  // every attempt failed; LastError says why
)

// DigestRecord is one row of the digest send log: one digest per (ISO
// week, recipient).
type DigestRecord struct {
	Week      string // "2026-W48"
	Recipient string
	MessageID string
	State     string
	Attempts  int
	LastError string
	UpdatedAt time.Time
}

// maxDigestError bounds the stored error text.
const maxDigestError = 1000

// DigestRecord returns the log row of (week, recipient), or (nil, nil).
func (s *Store) DigestRecord(ctx context.Context, week, recipient string) (*DigestRecord, error) {
	rec, err := scanDigest(s.db.QueryRowContext(ctx, `SELECT iso_week, recipient, message_id, state, attempts, last_error, updated_at
		FROM digest_log WHERE iso_week = ? AND recipient = ?`, week, recipient))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("store: digest log %s %s: %w", week, recipient, err)
	}
	return rec, nil
}

type rowScanner interface{ Scan(dest ...any) error }

func scanDigest(r rowScanner) (*DigestRecord, error) {
	var rec DigestRecord
	var updated string
	if err := r.Scan(&rec.Week, &rec.Recipient, &rec.MessageID, &rec.State, &rec.Attempts, &rec.LastError, &updated); err != nil {
		return nil, err
	}
	t, err := time.Parse(time.RFC3339Nano, updated)
	if err != nil {
		return nil, fmt.Errorf("bad updated_at %q: %w", updated, err)
	}
	rec.UpdatedAt = t
	return &rec, nil
}

// DigestAttempt records, before a send attempt, that (week, recipient) is
// being sent with messageID: the row becomes pending with one more
// attempt. When the row is already sent it is returned unchanged and
// nothing is written: the caller must not send again. Committed before it
// returns.
func (s *Store) DigestAttempt(ctx context.Context, week, recipient, messageID string, at time.Time) (*DigestRecord, error) {
	var out *DigestRecord
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		rec, err := scanDigest(tx.QueryRowContext(ctx, `SELECT iso_week, recipient, message_id, state, attempts, last_error, updated_at
			FROM digest_log WHERE iso_week = ? AND recipient = ?`, week, recipient))
		switch {
		case errors.Is(err, sql.ErrNoRows):
			rec = &DigestRecord{Week: week, Recipient: recipient}
		case err != nil:
			return err
		case rec.State == DigestSent:
			out = rec
			return nil
		}
		rec.MessageID, rec.State, rec.UpdatedAt = messageID, DigestPending, at.UTC()
		rec.Attempts++
		_, err = tx.ExecContext(ctx, `INSERT INTO digest_log(iso_week, recipient, message_id, state, attempts, last_error, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT(iso_week, recipient) DO UPDATE SET message_id = excluded.message_id, state = excluded.state,
			attempts = excluded.attempts, updated_at = excluded.updated_at`,
			week, recipient, messageID, DigestPending, rec.Attempts, rec.LastError, rec.UpdatedAt.Format(time.RFC3339Nano))
		out = rec
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("store: digest attempt %s %s: %w", week, recipient, err)
	}
	return out, nil
}

// DigestDone records the outcome of the last attempt: sent (errText
// empty) or failed with errText (a failed row is tried again by the next
// run of the same week).
func (s *Store) DigestDone(ctx context.Context, week, recipient string, errText string, at time.Time) error {
	state := DigestSent
	if errText != "" {
		state = DigestFailed
		if len(errText) > maxDigestError {
			errText = errText[:maxDigestError]
		}
	}
	res, err := s.db.ExecContext(ctx, `UPDATE digest_log SET state = ?, last_error = ?, updated_at = ? WHERE iso_week = ? AND recipient = ?`,
		state, errText, at.UTC().Format(time.RFC3339Nano), week, recipient)
	if err == nil {
		var n int64
		if n, err = res.RowsAffected(); err == nil && n != 1 {
			err = errors.New("no attempt was recorded")
		}
	}
	if err != nil {
		return fmt.Errorf("store: digest %s %s: record %s: %w", week, recipient, state, err)
	}
	return nil
}

// DigestLog returns the rows of week ("" for every week), by week and
// recipient.
func (s *Store) DigestLog(ctx context.Context, week string) ([]DigestRecord, error) {
	q := `SELECT iso_week, recipient, message_id, state, attempts, last_error, updated_at FROM digest_log`
	var args []any
	if week != "" {
		q += ` WHERE iso_week = ?`
		args = append(args, week)
	}
	rows, err := s.db.QueryContext(ctx, q+` ORDER BY iso_week, recipient`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: digest log: %w", err)
	}
	defer rows.Close()
	var out []DigestRecord
	for rows.Next() {
		rec, err := scanDigest(rows)
		if err != nil {
			return nil, fmt.Errorf("store: digest log: %w", err)
		}
		out = append(out, *rec)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: digest log: %w", err)
	}
	return out, nil
}
