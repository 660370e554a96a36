package store

import (
	"context"
	"path/filepath"
	"testing"
	"time"
)

// TestComplianceWeeksOncePerWeekAcrossReopen: a week's row is written once
// and never changed; rows survive a restart; old weeks are pruned.
func TestComplianceWeeksOncePerWeekAcrossReopen(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "state.db")
	st, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	rows := []ComplianceWeek{
		{Manager: "ana@example.com", Week: "2026-W47", DirectPairs: 4, DirectCompliant: 4, OrgPairs: 27, OrgCompliant: 21, Reconstructed: true, RecordedAt: at},
		{Manager: "ana@example.com", Week: "2026-W48", DirectPairs: 4, DirectCompliant: 4, OrgPairs: 27, OrgCompliant: 22, RecordedAt: at},
		{Manager: "bo@example.com", Week: "2026-W48", DirectPairs: 2, DirectCompliant: 2, OrgPairs: 10, OrgCompliant: 8, RecordedAt: at},
		{Manager: "ana@example.com", Week: "2025-W48", DirectPairs: 1, RecordedAt: at},
	}
	if n, err := st.RecordComplianceWeeks(ctx, rows); err != nil || n != 4 {
		t.Fatalf("first write: %d, %v", n, err)
	}
	// A later evaluation of the same week changes nothing.
	again := rows[1]
	again.OrgCompliant, again.RecordedAt = 10, at.Add(time.Hour)
	if n, err := st.RecordComplianceWeeks(ctx, []ComplianceWeek{again}); err != nil || n != 0 {
		t.Fatalf("second write of the week: %d, %v", n, err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	if st, err = Open(ctx, path); err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.PruneComplianceWeeks(ctx, "2026-W01"); err != nil {
		t.Fatal(err)
	}
	got, err := st.ComplianceWeeks(ctx, "2026-W37", "2026-W48")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 || got[0].Week != "2026-W47" || !got[0].Reconstructed || got[1].OrgCompliant != 22 || got[1].Reconstructed ||
		!got[1].RecordedAt.Equal(at) || got[2].Manager != "bo@example.com" {
		t.Errorf("after reopen: %+v", got)
	}
	if old, _ := st.ComplianceWeeks(ctx, "2025-W01", "2025-W52"); len(old) != 0 {
		t.Errorf("pruned week still there: %+v", old)
	}
}
