package cadence

import (
	"math"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/cadence-dev/cadence/calendar"
)

// Evaluation rules (SPEC "Pair status at a time T" and its fine points), as
// implemented here, with now = T:
//
//   - Which pairs: every direct pair of the directory; skip and peer pairs
//     with at least one 1:1 occurrence (any outcome) starting in
//     [T-window, T+window]; pairs a rule lists in Match.Pairs; pairs with
//     occurrences at any time, and every skip pair of the directory, whose
//     first matching rule is Required. A required rule cannot enumerate all
//     peer pairs (quadratic): peers are found through occurrences or lists.
//     A pair that no rule matches is not evaluated.
//   - Outcomes: see classifier.outcome. An occurrence starting at or after T
//     that is not cancelled is scheduled (an occurrence at exactly T is
//     upcoming, not past: fine point 4).
//   - Window counts: occurrences with T-window <= start <= T by actual
//     start; scheduled ones are not counted; rescheduled counts moved
//     instances besides their outcome; too_short counts short held ones.
//   - last_held: the latest held occurrence (any age). next_scheduled: the
//     earliest scheduled occurrence (start >= T, not cancelled).
//   - consecutive_cancellations: walking back from T over occurrences with
//     start < T, cancelled and declined count, excused are skipped, held
//     stops; not limited to the window.
//   - status: never without a held occurrence in the window; else ok when
//     T - last_held <= every, due when <= every + grace, else overdue.
//   - flags: cancel_streak when the rule's MaxConsecutiveCancellations > 0
//     and the streak reaches it; no_upcoming when next_scheduled is nil;
//     too_short when more than half of the window's held are too short.
//   - Compliance: required pairs with status ok or due over required pairs;
//     direct = required direct pairs the manager leads, org = required pairs
//     (any kind) whose lead is in the manager's subtree. The ratio is
//     rounded to 6 decimals; with no required pair it is 1 (nothing is
//     missing), and Pairs = 0 says so.
//   - Occurrences given twice within a pair (same Key, e.g. the same
//     meeting from two calendars not deduplicated by calendar.Dedup) count
//     once: the organizer's own copy is preferred, else the first one given.

// pairOccs collects the 1:1 occurrences of one pair.
type pairOccs struct {
	kind         Kind
	lead, member string
	occs         []int32
	declined     [][]string // per occurrence: the pair's people who declined
}

// sorted returns the pair's entries (positions in g.occs) oldest first by
// actual start, with second copies of an occurrence (same Key) dropped:
// the organizer's own copy is kept, else the first given.
func (g *pairOccs) sorted(dir *Directory, occs []calendar.Occurrence) []int32 {
	idx := make([]int32, len(g.occs))
	for i := range idx {
		idx[i] = int32(i)
	}
	byKey := func(a, b int32) int {
		oa, ob := &occs[g.occs[a]], &occs[g.occs[b]]
		if c := oa.OriginalStart.Compare(ob.OriginalStart); c != 0 {
			return c
		}
		if c := strings.Compare(oa.SeriesUID, ob.SeriesUID); c != 0 {
			return c
		}
		return int(a - b)
	}
	slices.SortFunc(idx, byKey)
	n := 0
	for i, x := range idx {
		if n > 0 {
			prev := &occs[g.occs[idx[n-1]]]
			o := &occs[g.occs[x]]
			if o.SeriesUID == prev.SeriesUID && o.OriginalStart.Unix() == prev.OriginalStart.Unix() {
				if isOrganizerCopy(dir, o) && !isOrganizerCopy(dir, prev) {
					idx[n-1] = x
				}
				continue
			}
		}
		idx[n] = idx[i]
		n++
	}
	idx = idx[:n]
	slices.SortStableFunc(idx, func(a, b int32) int {
		oa, ob := &occs[g.occs[a]], &occs[g.occs[b]]
		if c := oa.Start.Compare(ob.Start); c != 0 {
			return c
		}
		return strings.Compare(oa.SeriesUID, ob.SeriesUID)
	})
	return idx
}

type pairEval struct {
	kind         Kind
	lead, member string
	rule         int
	po           *pairOccs
}

// Evaluate classifies occs against dir and opts and computes every pair's
// status at now, and the managers' compliance. The snapshot shares no
// memory with its inputs except the (read-only) Directory.
func Evaluate(dir *Directory, occs []calendar.Occurrence, opts Options, now time.Time, sources []SourceStatus) *Snapshot {
	c := newClassifier(dir, opts, occs)
	pol := newPolicy(dir, opts.Rules, now)

	groups := map[pairRef]*pairOccs{}
	for i := range occs {
		o := &occs[i]
		cl := c.classify(o, false)
		if !cl.oneOnOne {
			continue
		}
		var g *pairOccs
		if cl.ent != nil {
			g = cl.ent.group // the pair of this attendee list, found before
		}
		if g == nil {
			ref := newPairRef(cl.lead, cl.member)
			g = groups[ref]
			if g == nil {
				g = &pairOccs{kind: cl.kind, lead: cl.lead, member: cl.member}
				groups[ref] = g
			}
			if cl.ent != nil {
				cl.ent.group = g
			}
		}
		g.occs = append(g.occs, int32(i))
		g.declined = append(g.declined, cl.part.declined)
	}
	evals := map[pairRef]*pairEval{}
	consider := func(kind Kind, lead, member string, force bool) {
		ref := newPairRef(lead, member)
		if _, done := evals[ref]; done {
			return
		}
		r := pol.match(kind, lead, member)
		if r < 0 {
			return
		}
		if !force && !opts.Rules[r].Required {
			return
		}
		evals[ref] = &pairEval{kind: kind, lead: lead, member: member, rule: r, po: groups[ref]}
	}
	// Every direct pair.
	for _, p := range dir.people {
		if p.Manager != "" {
			consider(KindDirect, p.Manager, p.Email, true)
		}
	}
	// Pairs with occurrences.
	from, to := now.Add(-opts.Window), now.Add(opts.Window)
	for _, g := range groups {
		inWindow := false
		for _, oi := range g.occs {
			s := occs[oi].Start
			if !s.Before(from) && !s.After(to) {
				inWindow = true
				break
			}
		}
		consider(g.kind, g.lead, g.member, inWindow)
	}
	// Pairs listed by rules.
	for _, r := range opts.Rules {
		for _, pr := range r.Match.Pairs {
			a, okA := dir.Resolve(pr[0])
			b, okB := dir.Resolve(pr[1])
			if !okA || !okB || a == b {
				continue
			}
			k, l, m := relation(dir, opts.SkipLevels, a, b)
			consider(k, l, m, true)
		}
	}
	// Skip pairs a required rule may cover.
	if opts.SkipLevels >= 2 && requiresKind(opts.Rules, KindSkip) {
		for _, p := range dir.people {
			m := dir.manager(p.Email)
			for depth := 2; depth <= opts.SkipLevels && m != ""; depth++ {
				m = dir.manager(m)
				if m == "" {
					break
				}
				consider(KindSkip, m, p.Email, false)
			}
		}
	}

	snap := &Snapshot{AsOf: now, Directory: dir, Pairs: make([]Pair, 0, len(evals))}
	for _, e := range evals {
		snap.Pairs = append(snap.Pairs, evalPair(c, occs, e, &opts.Rules[e.rule], opts.Window, now))
	}
	sort.Slice(snap.Pairs, func(i, j int) bool { return pairLess(&snap.Pairs[i], &snap.Pairs[j]) })
	snap.Managers = managers(dir, snap.Pairs)
	snap.Sources = make([]SourceStatus, 0, len(sources))
	for _, s := range sources {
		if s.LastSuccess != nil {
			t := *s.LastSuccess
			s.LastSuccess = &t
		}
		snap.Sources = append(snap.Sources, s)
	}
	return snap
}

func requiresKind(rules []Rule, k Kind) bool {
	for _, r := range rules {
		if r.Required && (len(r.Match.Kinds) == 0 || hasKind(r.Match.Kinds, k)) {
			return true
		}
	}
	return false
}

func isOrganizerCopy(dir *Directory, o *calendar.Occurrence) bool {
	org, ok := dir.Resolve(o.Organizer)
	if !ok {
		return false
	}
	own, ok := dir.Resolve(o.Owner)
	return ok && own == org
}

var kindOrder = map[Kind]int{KindDirect: 0, KindSkip: 1, KindPeer: 2}

func pairLess(a, b *Pair) bool {
	if a.Kind != b.Kind {
		return kindOrder[a.Kind] < kindOrder[b.Kind]
	}
	if a.Lead != b.Lead {
		return a.Lead < b.Lead
	}
	return a.Member < b.Member
}

func evalPair(c *classifier, occs []calendar.Occurrence, e *pairEval, rule *Rule, window time.Duration, now time.Time) Pair {
	p := Pair{
		Kind: e.kind, Lead: e.lead, Member: e.member,
		Rule: rule.Name, Required: rule.Required,
		Interval: rule.Every, Grace: rule.Grace, MaxConsecutive: rule.MaxConsecutiveCancellations,
		Flags: []string{},
	}
	if e.po != nil {
		idx := e.po.sorted(c.dir, occs)
		p.Occurrences = make([]PairOccurrence, len(idx))
		from := now.Add(-window)
		var lastHeld time.Time
		for n, i := range idx {
			o := &occs[e.po.occs[i]]
			out, reason, short := c.outcome(o, e.lead, e.member, e.po.declined[i], rule.MinDuration, now)
			moved := o.Moved()
			if moved {
				reason += "; moved from " + o.OriginalStart.UTC().Format(time.RFC3339)
			}
			p.Occurrences[n] = PairOccurrence{
				Key: o.Key(), Start: o.Start, OriginalStart: o.OriginalStart, End: o.End,
				Outcome: out, Rescheduled: moved, TooShort: short, Reason: reason, Source: o.Source,
			}
			inWindow := !o.Start.Before(from) && !o.Start.After(now)
			if inWindow && out != OutcomeScheduled {
				switch out {
				case OutcomeHeld:
					p.Window.Held++
				case OutcomeCancelled:
					p.Window.Cancelled++
				case OutcomeDeclined:
					p.Window.Declined++
				case OutcomeExcused:
					p.Window.Excused++
				}
				if moved {
					p.Window.Rescheduled++
				}
				if short {
					p.Window.TooShort++
				}
			}
			switch out {
			case OutcomeHeld:
				lastHeld = o.Start // sorted by start: the last one wins
			case OutcomeScheduled:
				if p.NextScheduled == nil {
					t := o.Start
					p.NextScheduled = &t
				}
			}
		}
		if !lastHeld.IsZero() {
			p.LastHeld = &lastHeld
		}
		for n := len(p.Occurrences) - 1; n >= 0; n-- {
			po := &p.Occurrences[n]
			if !po.Start.Before(now) {
				continue
			}
			if po.Outcome == OutcomeHeld {
				break
			}
			if po.Outcome == OutcomeCancelled || po.Outcome == OutcomeDeclined {
				p.ConsecutiveCancellations++
			}
		}
	}
	switch {
	case p.Window.Held == 0:
		p.Status = StatusNever
	case now.Sub(*p.LastHeld) <= rule.Every:
		p.Status = StatusOK
	case now.Sub(*p.LastHeld) <= rule.Every+rule.Grace:
		p.Status = StatusDue
	default:
		p.Status = StatusOverdue
	}
	if rule.MaxConsecutiveCancellations > 0 && p.ConsecutiveCancellations >= rule.MaxConsecutiveCancellations {
		p.Flags = append(p.Flags, FlagCancelStreak)
	}
	if p.NextScheduled == nil {
		p.Flags = append(p.Flags, FlagNoUpcoming)
	}
	if p.Window.TooShort*2 > p.Window.Held {
		p.Flags = append(p.Flags, FlagTooShort)
	}
	sort.Strings(p.Flags)
	return p
}

// managers computes the compliance of every person with reports.
func managers(dir *Directory, pairs []Pair) []Manager {
	idx := make(map[string]int, len(dir.managers))
	out := make([]Manager, len(dir.managers))
	for i, m := range dir.managers {
		idx[m] = i
		out[i] = Manager{Manager: m, PairCounts: map[PairCountKey]int{}}
	}
	for i := range pairs {
		p := &pairs[i]
		ok := p.Status == StatusOK || p.Status == StatusDue
		if p.Kind == KindDirect {
			if mi, isMgr := idx[p.Lead]; isMgr {
				m := &out[mi]
				m.PairCounts[PairCountKey{"direct", p.Kind, p.Status}]++
				if p.Required {
					m.Direct.Pairs++
					if ok {
						m.Direct.Compliant++
					}
				}
			}
		}
		for x := p.Lead; x != ""; x = dir.manager(x) {
			mi, isMgr := idx[x]
			if !isMgr {
				continue
			}
			m := &out[mi]
			m.PairCounts[PairCountKey{"org", p.Kind, p.Status}]++
			if p.Required {
				m.Org.Pairs++
				if ok {
					m.Org.Compliant++
				}
			}
		}
	}
	for i := range out {
		out[i].Direct.Ratio = ratio(out[i].Direct)
		out[i].Org.Ratio = ratio(out[i].Org)
	}
	return out
}

func ratio(t Tally) float64 {
	if t.Pairs == 0 {
		return 1
	}
	return math.Round(float64(t.Compliant)/float64(t.Pairs)*1e6) / 1e6
}

// Explain says, for each occurrence (the result is parallel to occs), how
// Evaluate reads it: participants, exclusions, whether it is a 1:1 and why
// not, its kind, pair and rule, and what decided its outcome at now. Unlike
// Evaluate it does not merge duplicate copies: each copy is explained.
func Explain(dir *Directory, occs []calendar.Occurrence, opts Options, now time.Time) []Explanation {
	c := newClassifier(dir, opts, occs)
	pol := newPolicy(dir, opts.Rules, now)
	out := make([]Explanation, len(occs))
	for i := range occs {
		o := &occs[i]
		cl := c.classify(o, true)
		ex := Explanation{
			Participants: append(append([]string{}, cl.part.people...), cl.part.external...),
			Excluded:     cl.part.excluded,
			OneOnOne:     cl.oneOnOne,
			NotOneOnOne:  cl.why,
			TitleHint:    cl.hint,
		}
		sort.Strings(ex.Participants)
		if cl.oneOnOne {
			ex.Kind, ex.Lead, ex.Member = cl.kind, cl.lead, cl.member
			minDur := time.Duration(0)
			if r := pol.match(cl.kind, cl.lead, cl.member); r >= 0 {
				ex.Rule = opts.Rules[r].Name
				minDur = opts.Rules[r].MinDuration
			}
			ex.Outcome, ex.Reason, ex.TooShort = c.outcome(o, cl.lead, cl.member, cl.part.declined, minDur, now)
			ex.Rescheduled = o.Moved()
			if ex.Rescheduled {
				ex.Reason += "; moved from " + o.OriginalStart.UTC().Format(time.RFC3339)
			}
			if ex.Rule == "" {
				ex.Reason += "; no policy rule matches this pair, so it is not evaluated"
			}
		}
		out[i] = ex
	}
	return out
}
