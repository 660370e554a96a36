package report

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/cadence-dev/cadence/cadence"
)

// ViewOptions shape the per-manager view shared by the digest email and the
// web page.
type ViewOptions struct {
	// Location is the zone of the dates shown and of the strip's weeks.
	// Default UTC.
	Location *time.Location
	// BaseURL is the web page's address ("https://cadence.example.com/");
	// "" leaves the link out.
	BaseURL string
	// NewHireTenure: a report whose tenure (team start, else hire date) is
	// shorter is a new hire who needs a weekly 1:1. Default 90 days.
	NewHireTenure time.Duration
	// WorstPairs bounds the list of pairs needing attention the digest
	// shows (the page shows them all). Default 10.
	WorstPairs int
}

func (o ViewOptions) withDefaults() ViewOptions {
	if o.Location == nil {
		o.Location = time.UTC
	}
	if o.NewHireTenure <= 0 {
		o.NewHireTenure = 90 * 24 * time.Hour
	}
	if o.WorstPairs <= 0 {
		o.WorstPairs = 10
	}
	return o
}

// PersonRef is a person as a view shows them.
type PersonRef struct {
	Email string
	Name  string // from the directory; may be empty
}

// Display is the name, or the email when the directory has none, with
// control characters, ANSI escapes, bidi overrides and invalid UTF-8 shown
// as visible escapes (CleanText), cut to MaxDisplayRunes runes. It is still
// untrusted text: html/template escapes its markup.
func (p PersonRef) Display() string {
	if p.Name != "" {
		return displayText(p.Name)
	}
	return displayText(p.Email)
}

// PairRow is one pair as the views show it.
type PairRow struct {
	Kind          cadence.Kind
	Lead, Member  PersonRef
	Required      bool
	Status        cadence.Status
	Flags         []string
	LastHeld      *time.Time
	NextScheduled *time.Time
	Streak        int // consecutive cancellations
	MaxStreak     int // the rule's threshold
	Strip         []StripCell
	// Attention: a required pair that is overdue or never held, or whose
	// cancellation streak reached the rule's threshold.
	Attention bool
	NewHire   bool
	// ID is the anchor of a direct pair's row on its manager's page
	// ("pair-bo@example.com"); Link points there (the lead's page with
	// that anchor), "" without a base URL.
	ID, Link string
}

// PairID is the anchor of member's row on their manager's page.
func PairID(member string) string { return "pair-" + member }

// HasFlag reports whether the pair carries flag.
func (r PairRow) HasFlag(flag string) bool { return slices.Contains(r.Flags, flag) }

// TeamRow is a sub-manager's compliance in a manager-of-managers view.
type TeamRow struct {
	Manager PersonRef
	Direct  cadence.Tally
	Org     cadence.Tally
	PrevOrg *cadence.Tally // a week earlier; nil when unknown
}

// Coverage is a share of people met.
type Coverage struct {
	Met, Total int
}

// ManagerView is what one manager sees, in the digest and on the page.
type ManagerView struct {
	Manager  PersonRef
	AsOf     time.Time
	Location *time.Location
	Week     string // ISO week of AsOf in Location, "2026-W48"
	URL      string // the manager's page; "" without a base URL
	BaseURL  string // the web page's base address; "" when none
	OnPage   bool   // rendered on the web page (no "open on the web" link)
	// UnsubscribeURL is the recipient's one-click opt-out link (the
	// digest's footer); "" for none.
	UnsubscribeURL string

	Direct, Org         cadence.Tally
	PrevDirect, PrevOrg *cadence.Tally

	// Pairs are the manager's direct pairs, worst first.
	Pairs []PairRow
	// NewHires are direct reports in their first NewHireTenure without a
	// 1:1 held in the last 7 days.
	NewHires []PairRow
	// NoUpcoming are direct pairs with nothing scheduled.
	NoUpcoming []PairRow

	// ManagerOfManagers: some direct report has reports. The fields below
	// are filled only then.
	ManagerOfManagers bool
	SubManagers       []TeamRow
	// AttentionPairs are every required pair of the manager's org (their
	// own included) that needs attention, worst first.
	AttentionPairs []PairRow
	// WorstPairs are the first AttentionPairs (ViewOptions.WorstPairs):
	// the digest's list; the page shows AttentionPairs whole.
	WorstPairs       []PairRow
	SkipCoverage     Coverage
	PrevSkipCoverage *Coverage

	// Trend is the manager's weekly compliance, oldest first (the page
	// fills it from the state; nil in the digest).
	Trend []TrendPoint

	// Attention counts the required pairs of the manager's org (their own
	// and everyone's below) that need attention, out of AttentionOf.
	Attention, AttentionOf int
	PrevAttention          *int
}

// Subject is the digest's subject line, with the headline figure. It holds
// no calendar- or directory-derived text.
func (v *ManagerView) Subject() string {
	week := strings.TrimLeft(v.Week[strings.Index(v.Week, "W")+1:], "0")
	if v.AttentionOf == 0 {
		return fmt.Sprintf("1:1 digest: no required 1:1s to track — week %s", week)
	}
	if v.Attention == 0 {
		return fmt.Sprintf("1:1 digest: all %d pairs on track — week %s", v.AttentionOf, week)
	}
	if v.Attention == 1 {
		return fmt.Sprintf("1:1 digest: 1 of %d pairs needs attention — week %s", v.AttentionOf, week)
	}
	return fmt.Sprintf("1:1 digest: %d of %d pairs need attention — week %s", v.Attention, v.AttentionOf, week)
}

// BuildManagerView builds the view of manager (primary email or alias) from
// cur, with prev (the evaluation a week earlier; may be nil) for the
// changes since last week.
func BuildManagerView(cur, prev *cadence.Snapshot, manager string, opts ViewOptions) (*ManagerView, error) {
	if cur == nil || cur.Directory == nil {
		return nil, fmt.Errorf("report: no evaluation with a directory to build the view of %s", manager)
	}
	opts = opts.withDefaults()
	dir := cur.Directory
	me, ok := dir.Resolve(manager)
	if !ok {
		return nil, fmt.Errorf("report: %s is not in the directory", manager)
	}
	v := &ManagerView{
		Manager:  ref(dir, me),
		AsOf:     cur.AsOf,
		Location: opts.Location,
		Week:     ISOWeek(cur.AsOf, opts.Location),
		URL:      ManagerURL(opts.BaseURL, me),
		BaseURL:  opts.BaseURL,
	}
	if t := managerTally(cur, me); t != nil {
		v.Direct, v.Org = t.Direct, t.Org
	}
	if t := managerTally(prev, me); t != nil {
		d, o := t.Direct, t.Org
		v.PrevDirect, v.PrevOrg = &d, &o
	}

	subtree := map[string]bool{}
	for _, e := range dir.Subtree(me) {
		subtree[e] = true
	}
	var worst []cadence.Pair
	for i := range cur.Pairs {
		p := &cur.Pairs[i]
		if p.Kind == cadence.KindDirect && p.Lead == me {
			row := pairRow(dir, p, cur.AsOf, opts)
			row.ID = PairID(p.Member)
			v.Pairs = append(v.Pairs, row)
			if row.NewHire {
				v.NewHires = append(v.NewHires, row)
			}
			if row.HasFlag(cadence.FlagNoUpcoming) {
				v.NoUpcoming = append(v.NoUpcoming, row)
			}
		}
		if p.Required && subtree[p.Lead] {
			v.AttentionOf++
			if needsAttention(p) {
				v.Attention++
				worst = append(worst, *p)
			}
		}
	}
	sortRows(v.Pairs)
	sortRows(v.NewHires)
	sortRows(v.NoUpcoming)
	if prev != nil {
		n := 0
		for i := range prev.Pairs {
			p := &prev.Pairs[i]
			if p.Required && subtree[p.Lead] && needsAttention(p) {
				n++
			}
		}
		v.PrevAttention = &n
	}

	for _, r := range dir.Reports(me) {
		if len(dir.Reports(r)) == 0 {
			continue
		}
		v.ManagerOfManagers = true
		tr := TeamRow{Manager: ref(dir, r)}
		if t := managerTally(cur, r); t != nil {
			tr.Direct, tr.Org = t.Direct, t.Org
		}
		if t := managerTally(prev, r); t != nil {
			o := t.Org
			tr.PrevOrg = &o
		}
		v.SubManagers = append(v.SubManagers, tr)
	}
	if v.ManagerOfManagers {
		v.AttentionPairs = attentionRows(dir, worst, cur.AsOf, opts)
		v.WorstPairs = v.AttentionPairs[:min(len(v.AttentionPairs), opts.WorstPairs)]
		v.SkipCoverage = skipCoverage(cur, me)
		if prev != nil {
			c := skipCoverage(prev, me)
			v.PrevSkipCoverage = &c
		}
	}
	return v, nil
}

// needsAttention: required, and overdue, never held, or a cancellation
// streak at the rule's threshold.
func needsAttention(p *cadence.Pair) bool {
	if !p.Required {
		return false
	}
	return p.Status == cadence.StatusOverdue || p.Status == cadence.StatusNever ||
		slices.Contains(p.Flags, cadence.FlagCancelStreak)
}

// skipCoverage: the reports of the manager's reports, and how many of them
// had a skip-level 1:1 with the manager held in the look-back window.
func skipCoverage(s *cadence.Snapshot, me string) Coverage {
	var c Coverage
	if s == nil || s.Directory == nil {
		return c
	}
	met := map[string]bool{}
	for i := range s.Pairs {
		p := &s.Pairs[i]
		if p.Kind == cadence.KindSkip && p.Lead == me && p.Window.Held > 0 {
			met[p.Member] = true
		}
	}
	for _, r := range s.Directory.Reports(me) {
		for _, rr := range s.Directory.Reports(r) {
			c.Total++
			if met[rr] {
				c.Met++
			}
		}
	}
	return c
}

func managerTally(s *cadence.Snapshot, email string) *cadence.Manager {
	if s == nil {
		return nil
	}
	for i := range s.Managers {
		if s.Managers[i].Manager == email {
			return &s.Managers[i]
		}
	}
	return nil
}

func ref(dir *cadence.Directory, email string) PersonRef {
	r := PersonRef{Email: email}
	if p, ok := dir.Person(email); ok {
		r.Name = p.Name
	}
	return r
}

// attentionRows are the rows of pairs, worst first, each linked to its
// row on the lead's page.
func attentionRows(dir *cadence.Directory, pairs []cadence.Pair, asOf time.Time, opts ViewOptions) []PairRow {
	worstFirst(pairs)
	rows := make([]PairRow, 0, len(pairs))
	for i := range pairs {
		row := pairRow(dir, &pairs[i], asOf, opts)
		if u := ManagerURL(opts.BaseURL, pairs[i].Lead); u != "" && pairs[i].Kind == cadence.KindDirect {
			row.Link = u + "#" + PairID(pairs[i].Member)
		}
		rows = append(rows, row)
	}
	return rows
}

// AttentionRows are the required pairs of s that need attention, worst
// first, linked to their rows under base (the whole org's list of the
// page).
func AttentionRows(s *cadence.Snapshot, opts ViewOptions) []PairRow {
	if s == nil || s.Directory == nil {
		return nil
	}
	opts = opts.withDefaults()
	var ps []cadence.Pair
	for i := range s.Pairs {
		if needsAttention(&s.Pairs[i]) {
			ps = append(ps, s.Pairs[i])
		}
	}
	return attentionRows(s.Directory, ps, s.AsOf, opts)
}

// pairSince is when a direct pair started, for its strip: the report's
// team start, else the later of the two hire dates; zero (the first
// occurrence) for skip-level and peer pairs.
func pairSince(dir *cadence.Directory, p *cadence.Pair) time.Time {
	if p.Kind != cadence.KindDirect {
		return time.Time{}
	}
	m, ok := dir.Person(p.Member)
	if !ok {
		return time.Time{}
	}
	if !m.TeamStart.IsZero() {
		return m.TeamStart
	}
	since := m.HireDate
	if l, ok := dir.Person(p.Lead); ok && l.HireDate.After(since) {
		since = l.HireDate
	}
	return since
}

func pairRow(dir *cadence.Directory, p *cadence.Pair, asOf time.Time, opts ViewOptions) PairRow {
	row := PairRow{
		Kind: p.Kind, Lead: ref(dir, p.Lead), Member: ref(dir, p.Member),
		Required: p.Required, Status: p.Status, Flags: slices.Clone(p.Flags),
		LastHeld: p.LastHeld, NextScheduled: p.NextScheduled,
		Streak: p.ConsecutiveCancellations, MaxStreak: p.MaxConsecutive,
		Strip:     StripSince(p, asOf, opts.Location, pairSince(dir, p)),
		Attention: needsAttention(p),
	}
	if p.Kind == cadence.KindDirect {
		if m, ok := dir.Person(p.Member); ok {
			start := m.TeamStart
			if start.IsZero() {
				start = m.HireDate
			}
			if !start.IsZero() && asOf.Sub(start) < opts.NewHireTenure {
				weekly := p.LastHeld != nil && asOf.Sub(*p.LastHeld) <= 7*24*time.Hour
				row.NewHire = !weekly
			}
		}
	}
	return row
}

// sortRows orders rows worst first, like the text report.
func sortRows(rows []PairRow) {
	slices.SortStableFunc(rows, func(a, b PairRow) int {
		if a.Attention != b.Attention {
			if a.Attention {
				return -1
			}
			return 1
		}
		if c := statusRank(a.Status) - statusRank(b.Status); c != 0 {
			return c
		}
		if c := b.Streak - a.Streak; c != 0 {
			return c
		}
		if c := compareLastHeld(a.LastHeld, b.LastHeld); c != 0 {
			return c
		}
		if c := strings.Compare(a.Lead.Email, b.Lead.Email); c != 0 {
			return c
		}
		return strings.Compare(a.Member.Email, b.Member.Email)
	})
}

// ManagerURL is the page of one manager under base ("" when base is "").
func ManagerURL(base, email string) string {
	if base == "" {
		return ""
	}
	return strings.TrimRight(base, "/") + "/manager/" + url.PathEscape(email)
}
