package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// ComplianceWeek is one manager's compliance in one ISO week.
type ComplianceWeek struct {
	Manager                      string
	Week                         string // "2026-W48"
	DirectPairs, DirectCompliant int
	OrgPairs, OrgCompliant       int
	Reconstructed                bool // evaluated afterwards, not recorded live
	RecordedAt                   time.Time
}

// RecordComplianceWeeks stores rows whose (manager, week) is not stored
// yet; a stored week is never changed. It reports how many were new.
// Committed before it returns.
func (s *Store) RecordComplianceWeeks(ctx context.Context, rows []ComplianceWeek) (int, error) {
	n := 0
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		st, err := tx.PrepareContext(ctx, `INSERT INTO compliance_weekly
			(manager, iso_week, direct_pairs, direct_compliant, org_pairs, org_compliant, reconstructed, recorded_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (manager, iso_week) DO NOTHING`)
		if err != nil {
			return err
		}
		defer st.Close()
		for _, r := range rows {
			res, err := st.ExecContext(ctx, r.Manager, r.Week, r.DirectPairs, r.DirectCompliant, r.OrgPairs, r.OrgCompliant,
				r.Reconstructed, r.RecordedAt.UTC().Format(time.RFC3339Nano))
			if err != nil {
				return err
			}
			if k, _ := res.RowsAffected(); k > 0 {
				n++
			}
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("store: compliance weeks: %w", err)
	}
	return n, nil
}

// ComplianceWeeks returns every stored row of the weeks from..to
// (inclusive, "2026-W37".."2026-W48": ISO week names sort as text), by
// manager then week.
func (s *Store) ComplianceWeeks(ctx context.Context, from, to string) ([]ComplianceWeek, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT manager, iso_week, direct_pairs, direct_compliant, org_pairs, org_compliant, reconstructed, recorded_at
		FROM compliance_weekly WHERE iso_week >= ? AND iso_week <= ? ORDER BY manager, iso_week`, from, to)
	if err != nil {
		return nil, fmt.Errorf("store: compliance weeks: %w", err)
	}
	defer rows.Close()
	var out []ComplianceWeek
	for rows.Next() {
		var r ComplianceWeek
		var at string
		if err := rows.Scan(&r.Manager, &r.Week, &r.DirectPairs, &r.DirectCompliant, &r.OrgPairs, &r.OrgCompliant, &r.Reconstructed, &at); err != nil {
			return nil, fmt.Errorf("store: compliance weeks: %w", err)
		}
		if r.RecordedAt, err = time.Parse(time.RFC3339Nano, at); err != nil {
			return nil, fmt.Errorf("store: compliance weeks: bad recorded_at %q: %w", at, err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: compliance weeks: %w", err)
	}
	return out, nil
}

// PruneComplianceWeeks deletes the rows of weeks before the given one.
func (s *Store) PruneComplianceWeeks(ctx context.Context, before string) error {
	if _, err := s.db.ExecContext(ctx, `DELETE FROM compliance_weekly WHERE iso_week < ?`, before); err != nil {
		return fmt.Errorf("store: prune compliance weeks: %w", err)
	}
	return nil
}
