package app

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cadence-dev/cadence/cadence"
	"github.com/cadence-dev/cadence/internal/engine"
	"github.com/cadence-dev/cadence/internal/store"
	"github.com/cadence-dev/cadence/report"
)

// trendKeepWeeks is how long weekly compliance rows are kept (two years;
// the page draws the last report.StripWeeks).
const trendKeepWeeks = 104

// trend keeps each manager's weekly compliance for the page's 12-week
// trend: the first evaluation of an ISO week writes every manager's row
// (never changed afterwards; it survives restarts in the state), and the
// weeks of the strip's span that have no row at all (before the daemon
// ran, or while it was down) are reconstructed from the same occurrences
// once, after that evaluation has been swapped in.
type trend struct {
	store *store.Store
	log   *slog.Logger
	loc   func() *time.Location

	mu   sync.Mutex // the evaluation loop's; guards week and have
	week string     // the week of the last evaluation
	have map[string]bool

	points atomic.Pointer[map[string][]report.TrendPoint] // by manager, oldest first
}

func newTrend(st *store.Store, log *slog.Logger, loc func() *time.Location) *trend {
	t := &trend{store: st, log: log, loc: loc, have: map[string]bool{}}
	empty := map[string][]report.TrendPoint{}
	t.points.Store(&empty)
	return t
}

// Points returns the stored weeks of manager (the page's Trend).
func (t *trend) Points(manager string) []report.TrendPoint {
	return (*t.points.Load())[manager]
}

// evaluated records the week of ev (once per week and manager).
func (t *trend) evaluated(ev *engine.Evaluation) {
	t.mu.Lock()
	defer t.mu.Unlock()
	ctx := context.Background()
	loc := t.loc()
	week := report.ISOWeek(ev.At, loc)
	if week == t.week {
		return
	}
	weeks := report.TrendWeeks(ev.At, loc)
	if _, err := t.store.RecordComplianceWeeks(ctx, rows(ev.Snapshot, loc, false)); err != nil {
		t.log.Error("recording the week's compliance", "week", week, "err", err)
		return // tried again at the next evaluation
	}
	if err := t.store.PruneComplianceWeeks(ctx, report.ISOWeek(ev.At.AddDate(0, 0, -7*trendKeepWeeks), loc)); err != nil {
		t.log.Warn("pruning old compliance weeks", "err", err)
	}
	stored, err := t.store.ComplianceWeeks(ctx, weeks[0], weeks[len(weeks)-1])
	if err != nil {
		t.log.Error("reading the compliance trend", "err", err)
		return
	}
	t.week = week
	t.have = map[string]bool{}
	pts := map[string][]report.TrendPoint{}
	for _, r := range stored {
		t.have[r.Week] = true
		pts[r.Manager] = append(pts[r.Manager], point(r))
	}
	t.points.Store(&pts)
}

// past names the instants of the trend's weeks without any stored row:
// at - 1 week, at - 2 weeks, ...
func (t *trend) past(at time.Time) []time.Time {
	t.mu.Lock()
	defer t.mu.Unlock()
	loc := t.loc()
	if report.ISOWeek(at, loc) != t.week {
		return nil // the week could not be recorded
	}
	var out []time.Time
	for k := 1; k < report.StripWeeks; k++ {
		x := at.AddDate(0, 0, -7*k)
		if !t.have[report.ISOWeek(x, loc)] {
			out = append(out, x)
		}
	}
	return out
}

// reconstructed stores a week evaluated afterwards.
func (t *trend) reconstructed(s *cadence.Snapshot) {
	t.mu.Lock()
	defer t.mu.Unlock()
	loc := t.loc()
	week := report.ISOWeek(s.AsOf, loc)
	if t.have[week] {
		return
	}
	rs := rows(s, loc, true)
	if _, err := t.store.RecordComplianceWeeks(context.Background(), rs); err != nil {
		t.log.Error("recording a reconstructed week's compliance", "week", week, "err", err)
		return
	}
	t.have[week] = true
	old := *t.points.Load()
	pts := make(map[string][]report.TrendPoint, len(old))
	for m, p := range old {
		pts[m] = p
	}
	for _, r := range rs {
		p := append([]report.TrendPoint(nil), pts[r.Manager]...)
		pts[r.Manager] = append(p, point(r))
	}
	t.points.Store(&pts)
	t.log.Debug("reconstructed a week of the compliance trend", "week", week, "managers", len(rs))
}

func rows(s *cadence.Snapshot, loc *time.Location, reconstructed bool) []store.ComplianceWeek {
	week := report.ISOWeek(s.AsOf, loc)
	out := make([]store.ComplianceWeek, 0, len(s.Managers))
	for _, m := range s.Managers {
		out = append(out, store.ComplianceWeek{Manager: m.Manager, Week: week,
			DirectPairs: m.Direct.Pairs, DirectCompliant: m.Direct.Compliant,
			OrgPairs: m.Org.Pairs, OrgCompliant: m.Org.Compliant,
			Reconstructed: reconstructed, RecordedAt: s.AsOf})
	}
	return out
}

func point(r store.ComplianceWeek) report.TrendPoint {
	return report.TrendPoint{Week: r.Week, Reconstructed: r.Reconstructed,
		Direct: tally(r.DirectPairs, r.DirectCompliant), Org: tally(r.OrgPairs, r.OrgCompliant)}
}

func tally(pairs, compliant int) cadence.Tally {
	t := cadence.Tally{Pairs: pairs, Compliant: compliant}
	if pairs > 0 {
		t.Ratio = float64(compliant) / float64(pairs)
	}
	return t
}
