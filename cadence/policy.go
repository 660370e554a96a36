package cadence

import (
	"time"
)

const day = 24 * time.Hour

// DefaultRules returns the SPEC's default policy: new-hire, direct, skip,
// peer, each with max_consecutive_cancellations 3.
func DefaultRules() []Rule {
	return []Rule{
		{Name: "new-hire", Match: Match{Kinds: []Kind{KindDirect}, TenureUnder: 90 * day},
			Every: 7 * day, Grace: 2 * day, MinDuration: 20 * time.Minute, Required: true, MaxConsecutiveCancellations: 3},
		{Name: "direct", Match: Match{Kinds: []Kind{KindDirect}},
			Every: 14 * day, Grace: 3 * day, MinDuration: 20 * time.Minute, Required: true, MaxConsecutiveCancellations: 3},
		{Name: "skip", Match: Match{Kinds: []Kind{KindSkip}},
			Every: 30 * day, Grace: 7 * day, MinDuration: 15 * time.Minute, Required: false, MaxConsecutiveCancellations: 3},
		{Name: "peer", Match: Match{Kinds: []Kind{KindPeer}},
			Every: 30 * day, Grace: 7 * day, MinDuration: 15 * time.Minute, Required: false, MaxConsecutiveCancellations: 3},
	}
}

// DefaultWindow is the SPEC's look-back window (90 days); DefaultMaxDuration
// the longest 1:1 (120 minutes, inclusive); DefaultSkipLevels the skip depth.
const (
	DefaultWindow      = 90 * day
	DefaultMaxDuration = 120 * time.Minute
	DefaultSkipLevels  = 2
)

// pairRef is an unordered pair key: the two primaries in sorted order.
type pairRef [2]string

func newPairRef(a, b string) pairRef {
	if b < a {
		a, b = b, a
	}
	return pairRef{a, b}
}

// policy matches pairs against the ordered rules for one evaluation.
type policy struct {
	dir   *Directory
	rules []Rule
	now   time.Time
	pairs []map[pairRef]bool // per rule: resolved explicit pairs (nil = any)
}

func newPolicy(dir *Directory, rules []Rule, now time.Time) *policy {
	p := &policy{dir: dir, rules: rules, now: now, pairs: make([]map[pairRef]bool, len(rules))}
	for i, r := range rules {
		if len(r.Match.Pairs) == 0 {
			continue
		}
		m := map[pairRef]bool{}
		for _, pr := range r.Match.Pairs {
			a, okA := dir.Resolve(pr[0])
			b, okB := dir.Resolve(pr[1])
			if okA && okB && a != b {
				m[newPairRef(a, b)] = true
			}
		}
		p.pairs[i] = m
	}
	return p
}

// match returns the index of the first rule that fits the pair, or -1.
// Conditions of a rule are all required:
//   - Kinds: the pair's kind is listed (empty = any);
//   - TenureUnder: the member's tenure (the report for direct and skip pairs,
//     the alphabetically second person for peers), from team_start when set
//     else hire_date, at 00:00 UTC, is strictly less than TenureUnder; a
//     person without dates never matches;
//   - ReportsOver: the lead has more than N direct reports;
//   - Pairs: the pair is listed, in either order, after alias resolution.
func (p *policy) match(kind Kind, lead, member string) int {
	for i := range p.rules {
		m := &p.rules[i].Match
		if len(m.Kinds) > 0 && !hasKind(m.Kinds, kind) {
			continue
		}
		if m.TenureUnder > 0 {
			who, ok := p.dir.byEmail[member]
			if !ok {
				continue
			}
			start := tenureStart(who)
			if start.IsZero() || p.now.Sub(start) >= m.TenureUnder {
				continue
			}
		}
		if m.ReportsOver > 0 && p.dir.reportCount(lead) <= m.ReportsOver {
			continue
		}
		if p.pairs[i] != nil && !p.pairs[i][newPairRef(lead, member)] {
			continue
		}
		return i
	}
	return -1
}

func hasKind(ks []Kind, k Kind) bool {
	for _, x := range ks {
		if x == k {
			return true
		}
	}
	return false
}
