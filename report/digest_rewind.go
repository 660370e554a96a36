package report

import (
	"math"
	"slices"
	"time"

	"github.com/cadence-dev/cadence/cadence"
)

// Rewind estimates, from cur alone, the evaluation at an earlier time at:
// each pair's status, last held, held count and cancellation streak are
// recomputed from its classified occurrences that started before at, with
// the pair's current rule (interval, grace, threshold) and the look-back
// window, and the managers' compliance is tallied again. Use it for
// "change since last week" when the occurrences themselves are not at hand
// (cadence.Evaluate at that time is exact; this differs only when a pair's
// rule changed in between, e.g. a new hire's tenure passing 90 days).
// Pairs keep their Occurrences slice (shared, read-only).
func Rewind(cur *cadence.Snapshot, at time.Time, window time.Duration) *cadence.Snapshot {
	if cur == nil {
		return nil
	}
	out := &cadence.Snapshot{AsOf: at, Directory: cur.Directory, Sources: cur.Sources, Pairs: make([]cadence.Pair, len(cur.Pairs))}
	from := at.Add(-window)
	for i, p := range cur.Pairs {
		q := p
		q.LastHeld, q.NextScheduled = nil, nil
		q.Window = cadence.Counts{}
		q.ConsecutiveCancellations = 0
		for _, o := range p.Occurrences {
			if !o.Start.Before(at) {
				if q.NextScheduled == nil && o.Outcome != cadence.OutcomeCancelled {
					t := o.Start
					q.NextScheduled = &t
				}
				continue
			}
			if o.Outcome == cadence.OutcomeHeld {
				t := o.Start
				q.LastHeld = &t
				if !o.Start.Before(from) {
					q.Window.Held++
				}
			}
		}
		for n := len(p.Occurrences) - 1; n >= 0; n-- {
			o := p.Occurrences[n]
			if !o.Start.Before(at) {
				continue
			}
			if o.Outcome == cadence.OutcomeHeld {
				break
			}
			if o.Outcome == cadence.OutcomeCancelled || o.Outcome == cadence.OutcomeDeclined {
				q.ConsecutiveCancellations++
			}
		}
		switch {
		case q.Window.Held == 0:
			q.Status = cadence.StatusNever
		case at.Sub(*q.LastHeld) <= p.Interval:
			q.Status = cadence.StatusOK
		case at.Sub(*q.LastHeld) <= p.Interval+p.Grace:
			q.Status = cadence.StatusDue
		default:
			q.Status = cadence.StatusOverdue
		}
		q.Flags = []string{}
		if p.MaxConsecutive > 0 && q.ConsecutiveCancellations >= p.MaxConsecutive {
			q.Flags = append(q.Flags, cadence.FlagCancelStreak)
		}
		if q.NextScheduled == nil {
			q.Flags = append(q.Flags, cadence.FlagNoUpcoming)
		}
		// too_short needs the held occurrences' lengths in the window.
		short := 0
		for _, o := range p.Occurrences {
			if o.Outcome == cadence.OutcomeHeld && o.TooShort && o.Start.Before(at) && !o.Start.Before(from) {
				short++
			}
		}
		if short*2 > q.Window.Held {
			q.Flags = append(q.Flags, cadence.FlagTooShort)
		}
		slices.Sort(q.Flags)
		out.Pairs[i] = q
	}
	out.Managers = tallyManagers(cur.Directory, out.Pairs)
	return out
}

// tallyManagers is cadence's compliance roll-up (direct and org) over pairs.
func tallyManagers(dir *cadence.Directory, pairs []cadence.Pair) []cadence.Manager {
	if dir == nil {
		return nil
	}
	mgrs := dir.Managers()
	idx := make(map[string]int, len(mgrs))
	out := make([]cadence.Manager, len(mgrs))
	for i, m := range mgrs {
		idx[m] = i
		out[i] = cadence.Manager{Manager: m, PairCounts: map[cadence.PairCountKey]int{}}
	}
	for i := range pairs {
		p := &pairs[i]
		ok := p.Status == cadence.StatusOK || p.Status == cadence.StatusDue
		if p.Kind == cadence.KindDirect {
			if mi, isMgr := idx[p.Lead]; isMgr {
				m := &out[mi]
				m.PairCounts[cadence.PairCountKey{Scope: "direct", Kind: p.Kind, Status: p.Status}]++
				if p.Required {
					m.Direct.Pairs++
					if ok {
						m.Direct.Compliant++
					}
				}
			}
		}
		chain := append([]string{p.Lead}, dir.Chain(p.Lead)...)
		for _, x := range chain {
			mi, isMgr := idx[x]
			if !isMgr {
				continue
			}
			m := &out[mi]
			m.PairCounts[cadence.PairCountKey{Scope: "org", Kind: p.Kind, Status: p.Status}]++
			if p.Required {
				m.Org.Pairs++
				if ok {
					m.Org.Compliant++
				}
			}
		}
	}
	for i := range out {
		out[i].Direct.Ratio = tallyRatio(out[i].Direct)
		out[i].Org.Ratio = tallyRatio(out[i].Org)
	}
	return out
}

func tallyRatio(t cadence.Tally) float64 {
	if t.Pairs == 0 {
		return 1
	}
	return math.Round(float64(t.Compliant)/float64(t.Pairs)*1e6) / 1e6
}
