package report

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/cadence-dev/cadence/cadence"
)

// Identity modes of MetricsOptions.Identity.
const (
	IdentityEmail = "email"
	IdentityID    = "id"
	IdentityHash  = "hash"
)

// MetricsOptions shape the exported series.
type MetricsOptions struct {
	// PerPair exports the cadence_pair_* series (one set per pair). Off,
	// only manager, source and snapshot series remain (cardinality).
	PerPair bool
	// Identity is how people appear in the lead, member and manager labels:
	// "email" (also when empty), "id" (the directory's Person.ID, falling
	// back to the email when the person has none or is not in the
	// directory), or "hash" (the first 16 hex digits of
	// sha256(Salt + email)).
	Identity string
	// Salt prefixes the email before hashing in "hash" mode. Keep it secret
	// and stable: changing it renames every series.
	Salt string
}

// Validate reports an Identity value that is not one of the modes.
func (o MetricsOptions) Validate() error {
	switch o.Identity {
	case "", IdentityEmail, IdentityID, IdentityHash:
		return nil
	}
	return fmt.Errorf("report: metrics identity %q: want %q, %q or %q", o.Identity, IdentityEmail, IdentityID, IdentityHash)
}

var (
	pairLabels = []string{"kind", "lead", "member"}

	descLastHeld = prometheus.NewDesc("cadence_pair_last_held_timestamp_seconds",
		"Start of the pair's latest held 1:1 at or before the evaluation time (Unix seconds); absent when never held.",
		pairLabels, nil)
	descNextScheduled = prometheus.NewDesc("cadence_pair_next_scheduled_timestamp_seconds",
		"Start of the pair's next scheduled, not cancelled 1:1 (Unix seconds); absent when none is scheduled.",
		pairLabels, nil)
	descInterval = prometheus.NewDesc("cadence_pair_interval_seconds",
		"Expected interval between the pair's 1:1s, from the policy rule that applies.",
		pairLabels, nil)
	descStreak = prometheus.NewDesc("cadence_pair_consecutive_cancellations",
		"Most recent past occurrences of the pair's 1:1 that were cancelled or declined in a row (excused ones skipped).",
		pairLabels, nil)
	descOccurrences = prometheus.NewDesc("cadence_pair_occurrences",
		"Occurrences of the pair's 1:1 in the look-back window by outcome (too_short and rescheduled overlap the others).",
		append(pairLabels[:3:3], "outcome"), nil)
	descStatus = prometheus.NewDesc("cadence_pair_status",
		"Status of the pair: 1 for the current status, 0 for the others.",
		append(pairLabels[:3:3], "status"), nil)
	descFlag = prometheus.NewDesc("cadence_pair_flag",
		"Flags beside the pair's status: 1 when the flag is set, 0 when not (cancel_streak, no_upcoming, too_short).",
		append(pairLabels[:3:3], "flag"), nil)
	descGrace = prometheus.NewDesc("cadence_pair_grace_seconds",
		"Slack after the interval before the pair is overdue, from the policy rule that applies.",
		pairLabels, nil)
	descMaxStreak = prometheus.NewDesc("cadence_pair_max_consecutive_cancellations",
		"Alert threshold of consecutive cancellations from the policy rule that applies.",
		pairLabels, nil)
	descRequired = prometheus.NewDesc("cadence_pair_required",
		"1 when the pair's 1:1 counts toward compliance, 0 when only informative.",
		pairLabels, nil)
	descInfo = prometheus.NewDesc("cadence_pair_info",
		"Always 1; rule names the policy rule that applies to the pair, chain the lead's management chain from the top of the org down to the lead (\"/a/b/lead/\"), for alert routing.",
		append(pairLabels[:3:3], "rule", "chain"), nil)

	descRatio = prometheus.NewDesc("cadence_manager_compliance_ratio",
		"Share of required pairs that are ok or due: scope=direct over the manager's own reports, scope=org over every pair led in their subtree.",
		[]string{"manager", "scope"}, nil)
	descManagerPairs = prometheus.NewDesc("cadence_manager_pairs",
		"Pairs counted for the manager by scope, kind and status.",
		[]string{"manager", "scope", "kind", "status"}, nil)
	descManagerInfo = prometheus.NewDesc("cadence_manager_info",
		"Always 1; parent is the manager's own manager (empty at the top), so dashboards can walk the org chart; name is the manager's display name (empty with metrics.identity hash).",
		[]string{"manager", "parent", "name"}, nil)
	descLeadAncestor = prometheus.NewDesc("cadence_lead_ancestor_info",
		"Always 1: lead (a lead label of the pair series, or a manager) is in the subtree of ancestor, that is ancestor is lead itself or a manager above them. Select the pairs under a manager with: and on (job, instance, lead) cadence_lead_ancestor_info{ancestor=\"...\"}.",
		[]string{"lead", "ancestor"}, nil)
	descSourceLast = prometheus.NewDesc("cadence_source_last_success_timestamp_seconds",
		"Last time the calendar source was read successfully (Unix seconds); absent when never.",
		[]string{"source"}, nil)
	descSourceUp = prometheus.NewDesc("cadence_source_up",
		"1 when the calendar source's latest read succeeded, 0 when it failed.",
		[]string{"source"}, nil)
	descSourceNoAttendees = prometheus.NewDesc("cadence_source_without_attendees",
		"1 when the calendar source has events but no ATTENDEE or ORGANIZER on any of them (it cannot show 1:1s), else 0.",
		[]string{"source"}, nil)
	descAsOf = prometheus.NewDesc("cadence_snapshot_timestamp_seconds",
		"Evaluation time (as_of) of the snapshot the other cadence series describe (Unix seconds).",
		nil, nil)

	allDescs = []*prometheus.Desc{
		descLastHeld, descNextScheduled, descInterval, descStreak, descOccurrences,
		descStatus, descFlag, descGrace, descMaxStreak, descRequired, descInfo,
		descRatio, descManagerPairs, descManagerInfo, descLeadAncestor, descSourceLast, descSourceUp, descSourceNoAttendees, descAsOf,
	}

	allStatuses = []cadence.Status{cadence.StatusOK, cadence.StatusDue, cadence.StatusOverdue, cadence.StatusNever}
	knownFlags  = []string{cadence.FlagCancelStreak, cadence.FlagNoUpcoming, cadence.FlagTooShort}
)

// NewCollector returns a collector that builds every series at scrape time
// from snap() (so a pair that leaves the snapshot leaves /metrics). A nil
// func or a nil snapshot yields no series. An invalid Identity makes every
// scrape fail with an error naming it (check MetricsOptions.Validate first).
//
// SPEC series: cadence_pair_{last_held_timestamp_seconds,
// next_scheduled_timestamp_seconds, interval_seconds,
// consecutive_cancellations, occurrences, status}, cadence_manager_
// {compliance_ratio, pairs}, cadence_source_last_success_timestamp_seconds.
// Extras: cadence_pair_{flag, grace_seconds, max_consecutive_cancellations,
// required, info}, cadence_manager_info, cadence_lead_ancestor_info (the
// subtree relation: one series per lead or manager and each of their
// ancestors, themselves included), cadence_source_up,
// cadence_source_without_attendees, cadence_snapshot_timestamp_seconds.
//
// cadence_manager_pairs has, for every (scope, kind) the snapshot counts, a
// series for each of the four statuses (0 when none). If two series would
// get the same labels (two people sharing a directory id), the first one is
// kept so the scrape never fails.
func NewCollector(snap func() *cadence.Snapshot, opts MetricsOptions) prometheus.Collector {
	return &collector{snap: snap, opts: opts, err: opts.Validate()}
}

type collector struct {
	snap func() *cadence.Snapshot
	opts MetricsOptions
	err  error
}

func (c *collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range allDescs {
		ch <- d
	}
}

// emitter sends const gauges.
type emitter struct {
	ch chan<- prometheus.Metric
}

// pairGauge is a gauge of the cadence_pair_* families. The pair series
// are most of a scrape (about 23 per pair), so they skip what
// prometheus.NewConstMetric does for each: label values are already
// valid UTF-8 (label() or hex), and the label pairs are built once per
// pair, already in the name order the registry checks, and shared by the
// pair's series. Registry.Gather still checks every metric against its
// Desc and for duplicates.
type pairGauge struct {
	desc   *prometheus.Desc
	labels []*dto.LabelPair
	value  float64
}

func (m *pairGauge) Desc() *prometheus.Desc { return m.desc }

func (m *pairGauge) Write(out *dto.Metric) error {
	v := m.value
	out.Label = m.labels
	out.Gauge = &dto.Gauge{Value: &v}
	return nil
}

func labelPair(name, value string) *dto.LabelPair {
	return &dto.LabelPair{Name: &name, Value: &value}
}

// Label pairs of the fixed extra label values, shared by every scrape.
var (
	outcomeLabels = map[string]*dto.LabelPair{}
	statusLabels  = map[cadence.Status]*dto.LabelPair{}
	flagLabels    = map[string]*dto.LabelPair{}
	outcomeNames  = []string{"held", "cancelled", "declined", "excused", "rescheduled", "too_short"}
)

func init() {
	for _, o := range outcomeNames {
		outcomeLabels[o] = labelPair("outcome", o)
	}
	for _, st := range allStatuses {
		statusLabels[st] = labelPair("status", string(st))
	}
	for _, f := range knownFlags {
		flagLabels[f] = labelPair("flag", f)
	}
}

// pair emits every cadence_pair_* series of one pair; chain is the lead's
// management chain (the chain label of cadence_pair_info). Label order
// (sorted by name): chain < flag < kind < lead < member < outcome < rule <
// status.
func (e *emitter) pair(p cadence.Pair, kind, lead, member, chain string) {
	base := []*dto.LabelPair{labelPair("kind", kind), labelPair("lead", lead), labelPair("member", member)}
	base = base[:3:3]
	g := func(d *prometheus.Desc, v float64, labels []*dto.LabelPair) {
		e.ch <- &pairGauge{desc: d, labels: labels, value: v}
	}
	after := func(extra *dto.LabelPair) []*dto.LabelPair { return append(base, extra) } // base has cap 3: a new slice
	if p.LastHeld != nil {
		g(descLastHeld, unixSeconds(*p.LastHeld), base)
	}
	if p.NextScheduled != nil {
		g(descNextScheduled, unixSeconds(*p.NextScheduled), base)
	}
	g(descInterval, p.Interval.Seconds(), base)
	g(descGrace, p.Grace.Seconds(), base)
	g(descStreak, float64(p.ConsecutiveCancellations), base)
	g(descMaxStreak, float64(p.MaxConsecutive), base)
	g(descRequired, boolValue(p.Required), base)
	g(descInfo, 1, []*dto.LabelPair{labelPair("chain", chain), base[0], base[1], base[2], labelPair("rule", label(p.Rule))})
	w := p.Window
	for i, n := range [...]int{w.Held, w.Cancelled, w.Declined, w.Excused, w.Rescheduled, w.TooShort} {
		g(descOccurrences, float64(n), after(outcomeLabels[outcomeNames[i]]))
	}
	for _, st := range allStatuses {
		g(descStatus, boolValue(p.Status == st), after(statusLabels[st]))
	}
	if !isKnownStatus(p.Status) {
		g(descStatus, 1, after(labelPair("status", label(string(p.Status)))))
	}
	flag := func(lp *dto.LabelPair, v float64) {
		g(descFlag, v, []*dto.LabelPair{lp, base[0], base[1], base[2]})
	}
	for _, f := range knownFlags {
		flag(flagLabels[f], boolValue(slices.Contains(p.Flags, f)))
	}
	for i, f := range p.Flags {
		if !slices.Contains(knownFlags, f) && !slices.Contains(p.Flags[:i], f) {
			flag(labelPair("flag", label(f)), 1)
		}
	}
}

func (e *emitter) gauge(d *prometheus.Desc, v float64, labels ...string) {
	m, err := prometheus.NewConstMetric(d, prometheus.GaugeValue, v, labels...)
	if err != nil {
		m = prometheus.NewInvalidMetric(d, fmt.Errorf("report: metric %v: %w", labels, err))
	}
	e.ch <- m
}

// seenSet.first reports whether key is seen for the first time.
type seenSet map[string]bool

func (s seenSet) first(parts ...string) bool {
	k := strings.Join(parts, "\xff")
	if s[k] {
		return false
	}
	s[k] = true
	return true
}

func boolValue(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

func (c *collector) Collect(ch chan<- prometheus.Metric) {
	if c.err != nil {
		ch <- prometheus.NewInvalidMetric(descAsOf, c.err)
		return
	}
	if c.snap == nil {
		return
	}
	s := c.snap()
	if s == nil {
		return
	}
	e := &emitter{ch: ch}
	seen := seenSet{}
	ident := c.identity(s)

	e.gauge(descAsOf, unixSeconds(s.AsOf))
	org := newOrgChart(s.Directory, ident)
	if c.opts.PerPair {
		for _, p := range sortedPairs(s.Pairs) {
			kind, lead, member := label(string(p.Kind)), ident(p.Lead), ident(p.Member)
			if !seen.first("pair", kind, lead, member) {
				continue
			}
			e.pair(p, kind, lead, member, org.chainLabel(p.Lead))
			org.lead(p.Lead)
		}
	}
	for _, m := range s.Managers {
		who := ident(m.Manager)
		if !seen.first("manager", who) {
			continue
		}
		org.lead(m.Manager)
		parent, name := "", ""
		if s.Directory != nil {
			if p, ok := s.Directory.Person(m.Manager); ok {
				if p.Manager != "" {
					parent = ident(p.Manager)
				}
				if c.opts.Identity != IdentityHash {
					name = displayText(p.Name) // anyone who edits the directory chooses it: cleaned, bounded
				}
			}
		}
		e.gauge(descManagerInfo, 1, who, parent, name)
		e.gauge(descRatio, round6(m.Direct.Ratio), who, "direct")
		e.gauge(descRatio, round6(m.Org.Ratio), who, "org")
		type sk struct {
			scope string
			kind  cadence.Kind
		}
		var combos []sk
		have := map[sk]bool{}
		for k := range m.PairCounts {
			c := sk{k.Scope, k.Kind}
			if !have[c] {
				have[c] = true
				combos = append(combos, c)
			}
		}
		slices.SortFunc(combos, func(a, b sk) int {
			if a.scope != b.scope {
				return strings.Compare(a.scope, b.scope)
			}
			return strings.Compare(string(a.kind), string(b.kind))
		})
		for _, cb := range combos {
			for _, st := range allStatuses {
				n := m.PairCounts[cadence.PairCountKey{Scope: cb.scope, Kind: cb.kind, Status: st}]
				e.gauge(descManagerPairs, float64(n), who, label(cb.scope), label(string(cb.kind)), string(st))
			}
		}
		for k, n := range m.PairCounts {
			if !isKnownStatus(k.Status) {
				e.gauge(descManagerPairs, float64(n), who, label(k.Scope), label(string(k.Kind)), label(string(k.Status)))
			}
		}
	}
	// The subtree relation, for every lead of an exported pair and every
	// manager: (lead, each ancestor from lead itself up to the top).
	for _, email := range org.leads {
		who := ident(email)
		if !seen.first("lead", who) {
			continue
		}
		for _, a := range org.chain(email) {
			if seen.first("ancestor", who, a) {
				e.gauge(descLeadAncestor, 1, who, a)
			}
		}
	}
	for _, src := range s.Sources {
		name := label(src.Name)
		if !seen.first("source", name) {
			continue
		}
		if src.LastSuccess != nil {
			e.gauge(descSourceLast, unixSeconds(*src.LastSuccess), name)
		}
		e.gauge(descSourceUp, boolValue(src.OK), name)
		e.gauge(descSourceNoAttendees, boolValue(src.NoAttendees), name)
	}
}

// orgChart gives each person's management chain as label values, and
// collects the people the subtree relation is exported for.
type orgChart struct {
	dir    *cadence.Directory
	ident  func(string) string
	chains map[string][]string // email -> idents from the top down to the person
	labels map[string]string   // email -> chain label
	leads  []string            // emails, in the order first seen
	isLead map[string]bool
}

func newOrgChart(dir *cadence.Directory, ident func(string) string) *orgChart {
	return &orgChart{dir: dir, ident: ident, chains: map[string][]string{}, labels: map[string]string{}, isLead: map[string]bool{}}
}

// chain returns the label values of email's chain: the top of the org
// first, email itself last. A person outside the directory is their own
// chain.
func (o *orgChart) chain(email string) []string {
	if c, ok := o.chains[email]; ok {
		return c
	}
	var above []string
	if o.dir != nil {
		above = o.dir.Chain(email) // manager first, top last
	}
	c := make([]string, 0, len(above)+1)
	for i := len(above) - 1; i >= 0; i-- {
		c = append(c, o.ident(above[i]))
	}
	c = append(c, o.ident(email))
	o.chains[email] = c
	return c
}

// chainLabel is the chain label value: "/top/.../email/", so that a route
// can match a whole subtree with chain=~".*/manager/.*".
func (o *orgChart) chainLabel(email string) string {
	if l, ok := o.labels[email]; ok {
		return l
	}
	l := "/" + strings.Join(o.chain(email), "/") + "/"
	o.labels[email] = l
	return l
}

// lead records email as a person the subtree relation is exported for.
func (o *orgChart) lead(email string) {
	if !o.isLead[email] {
		o.isLead[email] = true
		o.leads = append(o.leads, email)
	}
}

func isKnownStatus(s cadence.Status) bool {
	for _, st := range allStatuses {
		if s == st {
			return true
		}
	}
	return false
}

// label makes a label value valid UTF-8 (the exposition format escapes
// the rest).
func label(s string) string {
	return strings.ToValidUTF8(s, "\uFFFD")
}

// identity returns the label value function of the configured mode.
func (c *collector) identity(s *cadence.Snapshot) func(string) string {
	switch c.opts.Identity {
	case IdentityID:
		return func(email string) string {
			if s.Directory != nil {
				if p, ok := s.Directory.Person(email); ok && p.ID != "" {
					return label(p.ID)
				}
			}
			return label(email)
		}
	case IdentityHash:
		salt := c.opts.Salt
		return func(email string) string { return HashIdentity(salt, email) }
	}
	return label
}

// HashIdentity is the "hash" identity of an email: the first 16 hex digits
// of sha256(salt + email). Exported so dashboards and tools can compute the
// label of a known person.
func HashIdentity(salt, email string) string {
	sum := sha256.Sum256([]byte(salt + email))
	return hex.EncodeToString(sum[:])[:16]
}

// unixSeconds is t as Unix seconds, exact for whole seconds.
func unixSeconds(t time.Time) float64 {
	return float64(t.Unix()) + float64(t.Nanosecond())/1e9
}
