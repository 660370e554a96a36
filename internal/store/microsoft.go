package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/cadence-dev/cadence/calendar/microsoft"
)

var _ microsoft.StateStore = (*Store)(nil)
var _ microsoft.DeltaSaver = (*Store)(nil)

func parseTime(what, mailbox, v string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		return t, fmt.Errorf("store: microsoft mailbox %s: bad %s %q: %w", mailbox, what, v, err)
	}
	return t, nil
}

func formatTime(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

// LoadMailbox implements microsoft.StateStore: (nil, nil) for a mailbox
// never saved.
func (s *Store) LoadMailbox(ctx context.Context, mailbox string) (*microsoft.MailboxState, error) {
	var st microsoft.MailboxState
	var from, to, updated string
	err := s.db.QueryRowContext(ctx,
		"SELECT delta_link, window_start, window_end, updated_at FROM microsoft_mailboxes WHERE mailbox = ?", mailbox).
		Scan(&st.DeltaLink, &from, &to, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("store: load microsoft mailbox %s: %w", mailbox, err)
	}
	if st.WindowStart, err = parseTime("window_start", mailbox, from); err != nil {
		return nil, err
	}
	if st.WindowEnd, err = parseTime("window_end", mailbox, to); err != nil {
		return nil, err
	}
	if st.UpdatedAt, err = parseTime("updated_at", mailbox, updated); err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, "SELECT kind, item_id, json FROM microsoft_items WHERE mailbox = ?", mailbox)
	if err != nil {
		return nil, fmt.Errorf("store: load microsoft mailbox %s items: %w", mailbox, err)
	}
	defer rows.Close()
	st.Events, st.Masters = map[string]json.RawMessage{}, map[string]json.RawMessage{}
	for rows.Next() {
		var kind, id, js string
		if err := rows.Scan(&kind, &id, &js); err != nil {
			return nil, fmt.Errorf("store: load microsoft mailbox %s items: %w", mailbox, err)
		}
		if kind == "master" {
			st.Masters[id] = json.RawMessage(js)
		} else {
			st.Events[id] = json.RawMessage(js)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: load microsoft mailbox %s items: %w", mailbox, err)
	}
	return &st, nil
}

// SaveMailbox implements microsoft.StateStore: the delta link, the window
// and every item are replaced in one transaction (unchanged rows are not
// rewritten).
func (s *Store) SaveMailbox(ctx context.Context, mailbox string, st *microsoft.MailboxState) error {
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO microsoft_mailboxes(mailbox, delta_link, window_start, window_end, updated_at) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT(mailbox) DO UPDATE SET delta_link = excluded.delta_link, window_start = excluded.window_start,
			window_end = excluded.window_end, updated_at = excluded.updated_at`,
			mailbox, st.DeltaLink, formatTime(st.WindowStart), formatTime(st.WindowEnd), formatTime(st.UpdatedAt)); err != nil {
			return err
		}
		want := map[string]map[string]json.RawMessage{"event": st.Events, "master": st.Masters}
		rows, err := tx.QueryContext(ctx, "SELECT kind, item_id FROM microsoft_items WHERE mailbox = ?", mailbox)
		if err != nil {
			return err
		}
		type key struct{ kind, id string }
		var gone []key
		for rows.Next() {
			var k key
			if err := rows.Scan(&k.kind, &k.id); err != nil {
				rows.Close()
				return err
			}
			if _, ok := want[k.kind][k.id]; !ok {
				gone = append(gone, k)
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, k := range gone {
			if _, err := tx.ExecContext(ctx, "DELETE FROM microsoft_items WHERE mailbox = ? AND kind = ? AND item_id = ?", mailbox, k.kind, k.id); err != nil {
				return err
			}
		}
		up, err := tx.PrepareContext(ctx, `INSERT INTO microsoft_items(mailbox, kind, item_id, json) VALUES (?, ?, ?, ?)
			ON CONFLICT(mailbox, kind, item_id) DO UPDATE SET json = excluded.json WHERE json <> excluded.json`)
		if err != nil {
			return err
		}
		defer up.Close()
		for _, kind := range []string{"event", "master"} {
			for id, js := range want[kind] {
				if !json.Valid(js) {
					return fmt.Errorf("%s %s: not valid JSON", kind, id)
				}
				if _, err := up.ExecContext(ctx, mailbox, kind, id, string(js)); err != nil {
					return fmt.Errorf("%s %s: %w", kind, id, err)
				}
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: save microsoft mailbox %s: %w", mailbox, err)
	}
	return nil
}

// SaveDeltaLink implements microsoft.DeltaSaver: a new delta link for a
// mailbox whose items did not change.
func (s *Store) SaveDeltaLink(ctx context.Context, mailbox, link string, updatedAt time.Time) error {
	r, err := s.db.ExecContext(ctx, "UPDATE microsoft_mailboxes SET delta_link = ?, updated_at = ? WHERE mailbox = ?",
		link, formatTime(updatedAt), mailbox)
	if err != nil {
		return fmt.Errorf("store: save delta link of microsoft mailbox %s: %w", mailbox, err)
	}
	if n, err := r.RowsAffected(); err != nil || n != 1 {
		return fmt.Errorf("store: save delta link of microsoft mailbox %s: no saved state", mailbox)
	}
	return nil
}

// DeleteMailbox implements microsoft.StateStore.
func (s *Store) DeleteMailbox(ctx context.Context, mailbox string) error {
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, "DELETE FROM microsoft_items WHERE mailbox = ?", mailbox); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, "DELETE FROM microsoft_mailboxes WHERE mailbox = ?", mailbox)
		return err
	})
	if err != nil {
		return fmt.Errorf("store: delete microsoft mailbox %s: %w", mailbox, err)
	}
	return nil
}
