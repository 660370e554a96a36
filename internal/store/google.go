package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/cadence-dev/cadence/calendar/google"
)

var _ google.StateStore = (*Store)(nil)

// LoadCalendar implements google.StateStore: (nil, nil) for a calendar
// never saved.
func (s *Store) LoadCalendar(ctx context.Context, calendarID string) (*google.CalendarState, error) {
	var st google.CalendarState
	var updated string
	err := s.db.QueryRowContext(ctx,
		"SELECT sync_token, time_zone, updated_at FROM google_calendars WHERE calendar_id = ?", calendarID).
		Scan(&st.SyncToken, &st.TimeZone, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("store: load google calendar %s: %w", calendarID, err)
	}
	if st.UpdatedAt, err = time.Parse(time.RFC3339Nano, updated); err != nil {
		return nil, fmt.Errorf("store: google calendar %s: bad updated_at %q: %w", calendarID, updated, err)
	}
	rows, err := s.db.QueryContext(ctx, "SELECT event_id, json FROM google_events WHERE calendar_id = ?", calendarID)
	if err != nil {
		return nil, fmt.Errorf("store: load google calendar %s events: %w", calendarID, err)
	}
	defer rows.Close()
	st.Events = map[string]json.RawMessage{}
	for rows.Next() {
		var id, js string
		if err := rows.Scan(&id, &js); err != nil {
			return nil, fmt.Errorf("store: load google calendar %s events: %w", calendarID, err)
		}
		st.Events[id] = json.RawMessage(js)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: load google calendar %s events: %w", calendarID, err)
	}
	return &st, nil
}

// SaveCalendar implements google.StateStore: the token and the whole event
// set are replaced in one transaction (unchanged rows are not rewritten).
func (s *Store) SaveCalendar(ctx context.Context, calendarID string, st *google.CalendarState) error {
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO google_calendars(calendar_id, sync_token, time_zone, updated_at) VALUES (?, ?, ?, ?)
			ON CONFLICT(calendar_id) DO UPDATE SET sync_token = excluded.sync_token, time_zone = excluded.time_zone, updated_at = excluded.updated_at`,
			calendarID, st.SyncToken, st.TimeZone, st.UpdatedAt.UTC().Format(time.RFC3339Nano)); err != nil {
			return err
		}
		// Remove events no longer in the set.
		rows, err := tx.QueryContext(ctx, "SELECT event_id FROM google_events WHERE calendar_id = ?", calendarID)
		if err != nil {
			return err
		}
		var gone []string
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return err
			}
			if _, ok := st.Events[id]; !ok {
				gone = append(gone, id)
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, id := range gone {
			if _, err := tx.ExecContext(ctx, "DELETE FROM google_events WHERE calendar_id = ? AND event_id = ?", calendarID, id); err != nil {
				return err
			}
		}
		up, err := tx.PrepareContext(ctx, `INSERT INTO google_events(calendar_id, event_id, json) VALUES (?, ?, ?)
			ON CONFLICT(calendar_id, event_id) DO UPDATE SET json = excluded.json WHERE json <> excluded.json`)
		if err != nil {
			return err
		}
		defer up.Close()
		for id, js := range st.Events {
			if !json.Valid(js) {
				return fmt.Errorf("event %s: not valid JSON", id)
			}
			if _, err := up.ExecContext(ctx, calendarID, id, string(js)); err != nil {
				return fmt.Errorf("event %s: %w", id, err)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: save google calendar %s: %w", calendarID, err)
	}
	return nil
}

var _ google.TokenSaver = (*Store)(nil)

// SaveSyncToken implements google.TokenSaver: a new token for a calendar
// whose events did not change.
func (s *Store) SaveSyncToken(ctx context.Context, calendarID, token, timeZone string, updatedAt time.Time) error {
	r, err := s.db.ExecContext(ctx, "UPDATE google_calendars SET sync_token = ?, time_zone = ?, updated_at = ? WHERE calendar_id = ?",
		token, timeZone, updatedAt.UTC().Format(time.RFC3339Nano), calendarID)
	if err != nil {
		return fmt.Errorf("store: save sync token of google calendar %s: %w", calendarID, err)
	}
	if n, err := r.RowsAffected(); err != nil || n != 1 {
		return fmt.Errorf("store: save sync token of google calendar %s: no saved state", calendarID)
	}
	return nil
}

// DeleteCalendar implements google.StateStore.
func (s *Store) DeleteCalendar(ctx context.Context, calendarID string) error {
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, "DELETE FROM google_events WHERE calendar_id = ?", calendarID); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, "DELETE FROM google_calendars WHERE calendar_id = ?", calendarID)
		return err
	})
	if err != nil {
		return fmt.Errorf("store: delete google calendar %s: %w", calendarID, err)
	}
	return nil
}
