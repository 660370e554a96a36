package report

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/cadence-dev/cadence/cadence"
)

// view is the layout shared by the text and markdown renderers: direct
// pairs grouped under their manager in org-chart order, then skip and peer
// pairs, then sources.
type view struct {
	asOf       time.Time
	pairs      int
	byKind     map[cadence.Kind]int
	required   int
	compliant  int
	groups     []group
	skip, peer []cadence.Pair
	other      []cadence.Pair // pairs of an unknown kind
	sources    []cadence.SourceStatus
	broken     []cadence.SourceStatus
	warned     []cadence.SourceStatus // working, with a warning
}

// group is one manager with their direct pairs, worst first.
type group struct {
	manager string
	name    string   // from the directory, may be empty
	path    []string // root ... manager (emails)
	tally   *cadence.Manager
	pairs   []cadence.Pair
}

// statusRank orders statuses worst first.
func statusRank(s cadence.Status) int {
	switch s {
	case cadence.StatusNever:
		return 0
	case cadence.StatusOverdue:
		return 1
	case cadence.StatusDue:
		return 2
	case cadence.StatusOK:
		return 3
	}
	return -1 // unknown statuses first: they deserve attention
}

// worstFirst sorts pairs by status (never, overdue, due, ok), then longer
// cancellation streak, then older last held, then lead and member.
func worstFirst(ps []cadence.Pair) {
	slices.SortStableFunc(ps, func(a, b cadence.Pair) int {
		if c := statusRank(a.Status) - statusRank(b.Status); c != 0 {
			return c
		}
		if c := b.ConsecutiveCancellations - a.ConsecutiveCancellations; c != 0 {
			return c
		}
		if c := compareLastHeld(a.LastHeld, b.LastHeld); c != 0 {
			return c
		}
		if c := strings.Compare(a.Lead, b.Lead); c != 0 {
			return c
		}
		return strings.Compare(a.Member, b.Member)
	})
}

// compareLastHeld puts never-held first, then the oldest.
func compareLastHeld(a, b *time.Time) int {
	switch {
	case a == nil && b == nil:
		return 0
	case a == nil:
		return -1
	case b == nil:
		return 1
	}
	return a.Compare(*b)
}

func buildView(s *cadence.Snapshot) *view {
	v := &view{asOf: s.AsOf.UTC(), pairs: len(s.Pairs), byKind: map[cadence.Kind]int{}, sources: s.Sources}
	direct := map[string][]cadence.Pair{} // lead -> direct pairs
	for _, p := range sortedPairs(s.Pairs) {
		v.byKind[p.Kind]++
		if p.Required {
			v.required++
			if p.Status == cadence.StatusOK || p.Status == cadence.StatusDue {
				v.compliant++
			}
		}
		switch p.Kind {
		case cadence.KindDirect:
			direct[p.Lead] = append(direct[p.Lead], p)
		case cadence.KindSkip:
			v.skip = append(v.skip, p)
		case cadence.KindPeer:
			v.peer = append(v.peer, p)
		default:
			v.other = append(v.other, p)
		}
	}
	worstFirst(v.skip)
	worstFirst(v.peer)
	worstFirst(v.other)

	tallies := map[string]*cadence.Manager{}
	for i := range s.Managers {
		tallies[s.Managers[i].Manager] = &s.Managers[i]
	}
	done := map[string]bool{}
	add := func(m string, path []string) {
		if done[m] {
			return
		}
		done[m] = true
		g := group{manager: m, path: path, tally: tallies[m], pairs: direct[m]}
		if s.Directory != nil {
			if p, ok := s.Directory.Person(m); ok {
				g.name = displayText(p.Name)
			}
		}
		worstFirst(g.pairs)
		v.groups = append(v.groups, g)
	}

	if d := s.Directory; d != nil {
		isManager := map[string]bool{}
		for _, m := range d.Managers() {
			isManager[m] = true
		}
		var walk func(email string, path []string)
		walk = func(email string, path []string) {
			if done[email] || len(path) > 1000 {
				return
			}
			path = append(slices.Clip(path), email)
			if isManager[email] || len(direct[email]) > 0 {
				add(email, path)
			}
			for _, r := range d.Reports(email) {
				walk(r, path)
			}
		}
		for _, p := range d.People() {
			if p.Manager == "" {
				walk(p.Email, nil)
			}
		}
	}
	// Managers or leads the directory walk did not reach (no directory, or
	// a snapshot that does not match it): listed after, by email, so that
	// nothing is left out.
	var rest []string
	for _, m := range s.Managers {
		if !done[m.Manager] {
			rest = append(rest, m.Manager)
		}
	}
	for lead := range direct {
		if !done[lead] {
			rest = append(rest, lead)
		}
	}
	slices.Sort(rest)
	rest = slices.Compact(rest)
	for _, m := range rest {
		add(m, []string{m})
	}

	for _, src := range s.Sources {
		if !src.OK {
			v.broken = append(v.broken, src)
		} else if src.Warning != "" {
			v.warned = append(v.warned, src)
		}
	}
	return v
}

// percent formats a compliance figure: "2/3 (66.7%)", or "-" without
// required pairs.
func percent(compliant, total int) string {
	if total == 0 {
		return "no required pairs"
	}
	return fmt.Sprintf("%d/%d (%.1f%%)", compliant, total, 100*float64(compliant)/float64(total))
}

func tallyText(t *cadence.Manager, scope string) string {
	if t == nil {
		return "-"
	}
	x := t.Direct
	if scope == "org" {
		x = t.Org
	}
	return percent(x.Compliant, x.Pairs)
}

// dayCount is the number of calendar days (UTC dates) from a to b.
func dayCount(a, b time.Time) int {
	ay, am, ad := a.UTC().Date()
	by, bm, bd := b.UTC().Date()
	da := time.Date(ay, am, ad, 0, 0, 0, 0, time.UTC)
	db := time.Date(by, bm, bd, 0, 0, 0, 0, time.UTC)
	return int(db.Sub(da).Hours() / 24)
}

// lastHeldText: "2026-10-01 (51 days ago)" or "never".
func lastHeldText(t *time.Time, asOf time.Time) string {
	if t == nil {
		return "never"
	}
	d := t.UTC().Format("2006-01-02")
	n := dayCount(*t, asOf)
	switch {
	case n < 0:
		return d
	case n == 0:
		return d + " (today)"
	case n == 1:
		return d + " (1 day ago)"
	}
	return fmt.Sprintf("%s (%d days ago)", d, n)
}

// nextText: "2026-11-24 09:00 (in 3 days)" or "none".
func nextText(t *time.Time, asOf time.Time) string {
	if t == nil {
		return "none"
	}
	d := t.UTC().Format("2006-01-02 15:04")
	n := dayCount(asOf, *t)
	switch {
	case n < 0:
		return d
	case n == 0:
		return d + " (today)"
	case n == 1:
		return d + " (in 1 day)"
	}
	return fmt.Sprintf("%s (in %d days)", d, n)
}

func flagsText(flags []string) string {
	if len(flags) == 0 {
		return "-"
	}
	f := slices.Clone(flags)
	slices.Sort(f)
	return strings.Join(f, ",")
}

func personText(name, email string) string {
	if name == "" {
		return email
	}
	return name + " <" + email + ">"
}

func kindSummary(v *view) string {
	var parts []string
	for _, k := range []cadence.Kind{cadence.KindDirect, cadence.KindSkip, cadence.KindPeer} {
		if n := v.byKind[k]; n > 0 {
			parts = append(parts, fmt.Sprintf("%s %d", k, n))
		}
	}
	var others []string
	for k, n := range v.byKind {
		if kindRank(k) == 3 {
			others = append(others, fmt.Sprintf("%s %d", k, n))
		}
	}
	slices.Sort(others)
	parts = append(parts, others...)
	if len(parts) == 0 {
		return ""
	}
	return " (" + strings.Join(parts, ", ") + ")"
}

// section is one titled list of non-direct pairs.
type section struct {
	title string
	pairs []cadence.Pair
}

// sections are the skip-level and peer sections (and other kinds, if any),
// in the order both renderers show them.
func (v *view) sections() []section {
	out := []section{{"Skip-level 1:1s", v.skip}, {"Peer 1:1s", v.peer}}
	if len(v.other) > 0 {
		out = append(out, section{"Other pairs", v.other})
	}
	return out
}
