package calendar

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"
)

// ExpandOptions tunes Expand.
type ExpandOptions struct {
	// Zone, when set, anchors all-day occurrences: their dates are floating
	// and are read as local midnights in Zone (the owner's zone). Nil keeps
	// each event's own zone.
	Zone *time.Location
	// Limits bound the occurrences of one series and of the call (one
	// calendar's feed); zero fields take their defaults.
	Limits Limits
	// Evaluation, when set, is the budget shared by every calendar of an
	// evaluation; the call draws what it yields from it.
	Evaluation *EvaluationBudget
	// Exceeded, when set, receives each limit the call exceeded, once per
	// limit, with the series UIDs (Event.SeriesUID) it dropped. When nil
	// the errors are returned among the warnings.
	Exceeded func(err *BudgetError, series []string)
}

// EvaluationBudget is what the expansions of one evaluation may yield
// together (Limit, the configured evaluation_occurrences); Left goes down
// as calendars are expanded.
type EvaluationBudget struct {
	Limit, Left int
}

type seriesKey struct{ source, owner, uid string }

type ridKey struct {
	series seriesKey
	rid    int64
}

// Expand expands masters, merges overrides (highest SEQUENCE wins, orphan
// overrides kept), applies EXDATE as cancelled occurrences, marks
// cancellations (status / title prefix), and returns occurrences whose
// time range intersects w, sorted by Start then UID. Warnings name the
// event UID.
//
// Occurrences of one event share its Attendees slice: treat it as
// read-only.
//
// Events are grouped per (Source, Owner, UID), so events of several feeds
// may be expanded together. Among copies of the same master, or of the
// same override (UID + RECURRENCE-ID), the highest SEQUENCE wins and the
// later copy wins a tie.
func Expand(events []Event, w Window, opts ExpandOptions) (occs []Occurrence, warnings []string) {
	return ExpandAppend(nil, events, w, opts)
}

// ExpandAppend is Expand appending to dst (only the appended occurrences
// are sorted). A caller that consumes each calendar's occurrences at once
// (a Deduper) can pass the same buffer, emptied, for every calendar
// instead of growing a new slice each time.
func ExpandAppend(dst []Occurrence, events []Event, w Window, opts ExpandOptions) (occs []Occurrence, warnings []string) {
	occs = dst
	lim := opts.Limits.WithDefaults()
	b := budgetState{lim: lim, eval: opts.Evaluation, base: len(dst)}
	masters := make(map[seriesKey]int)
	overrides := make(map[ridKey]int)
	var order []seriesKey // masters in first-seen order
	var ovOrder []ridKey
	for i := range events {
		e := &events[i]
		sk := seriesKey{e.Source, e.Owner, e.UID}
		if !e.RecurrenceID.IsZero() {
			k := ridKey{sk, e.RecurrenceID.Unix()}
			if j, ok := overrides[k]; !ok {
				overrides[k] = i
				ovOrder = append(ovOrder, k)
			} else if e.Sequence >= events[j].Sequence {
				overrides[k] = i
			}
			continue
		}
		if j, ok := masters[sk]; !ok {
			masters[sk] = i
			order = append(order, sk)
		} else if e.Sequence >= events[j].Sequence {
			masters[sk] = i
		}
	}
	bySeries := make(map[seriesKey][]*Event)
	for _, k := range ovOrder {
		e := &events[overrides[k]]
		if _, ok := masters[k.series]; ok {
			bySeries[k.series] = append(bySeries[k.series], e)
			continue
		}
		// Orphan override: a single occurrence of a series we do not have.
		o := occurrenceOf(e, e.RecurrenceID, e.Start, e.End)
		o.Override = true
		o.Recurring = true
		setCancel(&o, e, nil)
		before := len(occs)
		occs = appendInWindow(occs, o, w, opts)
		occs = b.fits(occs, before, e)
	}
	for _, sk := range order {
		m := &events[masters[sk]]
		var ws []string
		before := len(occs)
		// A series generates little more than the call can still keep:
		// once the feed's budget is spent, each further series costs a
		// few instances, not its whole expansion. (Instances are counted
		// over the expansion range, a little wider than the window: the
		// slack keeps a series that fits exactly; fits decides.)
		limit, over := lim.SeriesOccurrences, limitSeries
		room := b.room(before)
		if room == 0 || (b.spent && m.Recurrence != nil && (len(m.Recurrence.RRules) > 0 || len(m.Recurrence.RDates) > 0)) {
			// Spent: the series is not even expanded. (After one series
			// did not fit, a few occurrences may be left: single events
			// still use them, further series are not tried.)
			b.drop(b.roomLimit(before), m)
			continue
		}
		if room+room/8+16 < limit {
			limit, over = room+room/8+16, b.roomLimit(before)
		}
		var tooMany bool
		occs, ws, tooMany = expandMaster(occs, m, bySeries[sk], w, opts, limit)
		for _, s := range ws {
			warnings = append(warnings, warning(fmt.Sprintf("calendar: %s: UID %s: %s", m.Source, Clip(m.UID, maxUIDInWarning), s)))
		}
		if tooMany {
			occs = occs[:before]
			b.drop(over, m)
			continue
		}
		occs = b.fits(occs, before, m)
	}
	if b.eval != nil {
		b.eval.Left -= len(occs) - len(dst)
	}
	for _, d := range b.drops {
		if d == nil {
			continue
		}
		err := d.err()
		if opts.Exceeded != nil {
			opts.Exceeded(err, d.series)
		} else {
			warnings = append(warnings, err.Error())
		}
	}
	sortOccurrences(occs[len(dst):], func(a, b *Occurrence) int {
		if c := a.Start.Compare(b.Start); c != 0 {
			return c
		}
		if c := strings.Compare(a.UID, b.UID); c != 0 {
			return c
		}
		if c := a.OriginalStart.Compare(b.OriginalStart); c != 0 {
			return c
		}
		if c := strings.Compare(a.Source, b.Source); c != 0 {
			return c
		}
		return strings.Compare(a.Owner, b.Owner)
	})
	return occs, warnings
}

func occurrenceOf(e *Event, orig, start, end time.Time) Occurrence {
	return Occurrence{
		UID:           e.UID,
		SeriesUID:     e.SeriesUID,
		OriginalStart: orig,
		Start:         start,
		End:           end,
		AllDay:        e.AllDay,
		Status:        e.Status,
		Title:         e.Title,
		Organizer:     e.Organizer,
		Attendees:     e.Attendees,
		Sequence:      e.Sequence,
		OutOfOffice:   e.OutOfOffice,
		Transparent:   e.Transparent,
		Source:        e.Source,
		Owner:         e.Owner,
	}
}

// setCancel marks o cancelled when its master (if any) or its own event is
// cancelled by STATUS, or when its title carries Outlook's prefix.
func setCancel(o *Occurrence, e, master *Event) {
	switch {
	case master != nil && master.Status == StatusCancelled:
		o.Status, o.CancelReason = StatusCancelled, CancelStatus
	case e.Status == StatusCancelled:
		o.Status, o.CancelReason = StatusCancelled, CancelStatus
	case e.TitleCancelled:
		o.Status, o.CancelReason = StatusCancelled, CancelTitlePrefix
	}
}

func appendInWindow(occs []Occurrence, o Occurrence, w Window, opts ExpandOptions) []Occurrence {
	if o.AllDay && opts.Zone != nil {
		o.Start = anchorDate(o.Start, opts.Zone)
		o.End = anchorDate(o.End, opts.Zone)
		o.OriginalStart = anchorDate(o.OriginalStart, opts.Zone)
	}
	if !overlaps(o.Start, o.End, w) {
		return occs
	}
	return append(occs, o)
}

func anchorDate(t time.Time, loc *time.Location) time.Time {
	if t.Location() == loc {
		return t
	}
	y, m, d := t.Date()
	return wallTime(y, m, d, 0, 0, 0, loc)
}

// overlaps reports whether [start, end) intersects w; a zero-length
// occurrence intersects when its start lies in w.
func overlaps(start, end time.Time, w Window) bool {
	if !start.Before(w.To) {
		return false
	}
	if end.After(start) {
		return end.After(w.From)
	}
	return !start.Before(w.From)
}

type dateKey struct {
	y int
	m time.Month
	d int
}

func dateOf(t time.Time) dateKey {
	y, m, d := t.Date()
	return dateKey{y, m, d}
}

func isMidnight(t time.Time) bool {
	h, m, s := t.Clock()
	return h == 0 && m == 0 && s == 0
}

// expandMaster appends the occurrences of master m and its overrides;
// tooMany reports that the series has more than maxInstances instances
// in the expansion range (what it appended is then to be discarded).
func expandMaster(occs []Occurrence, m *Event, ovs []*Event, w Window, opts ExpandOptions, maxInstances int) (_ []Occurrence, _ []string, tooMany bool) {
	dur := m.End.Sub(m.Start)
	rs := m.Recurrence
	recurring := rs != nil && (len(rs.RRules) > 0 || len(rs.RDates) > 0)
	if !recurring && len(ovs) == 0 {
		o := occurrenceOf(m, m.Start, m.Start, m.End)
		setCancel(&o, m, nil)
		return appendInWindow(occs, o, w, opts), nil, false
	}
	if rs == nil {
		rs = &RecurrenceSet{}
	}

	// Index the overrides: by instant, and by local date where a DATE
	// RECURRENCE-ID (or an all-day master) makes dates the identity.
	var byInstant map[int64]*Event
	var matchInstant map[*Event]bool
	var matchDate map[*Event]time.Time
	var replaced map[int64]bool
	var orig map[*Event]time.Time
	if len(ovs) > 0 {
		byInstant = make(map[int64]*Event, len(ovs))
		matchInstant = make(map[*Event]bool, len(ovs))
		matchDate = make(map[*Event]time.Time)
		replaced = make(map[int64]bool, len(ovs))
		orig = make(map[*Event]time.Time, len(ovs))
	}
	var byDate map[dateKey]*Event
	var taf []*Event // THISANDFUTURE overrides, sorted by recurrence id
	var ridLo, ridHi time.Time
	maxShift := time.Duration(0)
	maxDur := dur
	// An occurrence carries the series' highest SEQUENCE: the version of
	// the series this copy reflects (what Dedup compares).
	seriesSeq := m.Sequence
	for _, o := range ovs {
		if o.Sequence > seriesSeq {
			seriesSeq = o.Sequence
		}
	}
	emit := func(o Occurrence) {
		o.Sequence = seriesSeq
		occs = appendInWindow(occs, o, w, opts)
	}
	for _, o := range ovs {
		byInstant[o.RecurrenceID.Unix()] = o
		if m.AllDay || isMidnight(o.RecurrenceID) {
			if byDate == nil {
				byDate = make(map[dateKey]*Event)
			}
			byDate[dateOf(o.RecurrenceID)] = o
		}
		if ridLo.IsZero() || o.RecurrenceID.Before(ridLo) {
			ridLo = o.RecurrenceID
		}
		if o.RecurrenceID.After(ridHi) {
			ridHi = o.RecurrenceID
		}
		if o.ThisAndFuture {
			taf = append(taf, o)
			shift := o.Start.Sub(o.RecurrenceID)
			if shift < 0 {
				shift = -shift
			}
			if shift > maxShift {
				maxShift = shift
			}
			if d := o.End.Sub(o.Start); d > maxDur {
				maxDur = d
			}
		}
	}
	sort.SliceStable(taf, func(i, j int) bool { return taf[i].RecurrenceID.Before(taf[j].RecurrenceID) })
	for i, e := range rs.RDateEnds {
		if !e.IsZero() && i < len(rs.RDates) {
			if d := e.Sub(rs.RDates[i]); d > maxDur {
				maxDur = d
			}
		}
	}
	// Dates can shift by a day when all-day dates are re-anchored in
	// another zone.
	lo := w.From.Add(-maxDur - maxShift - 48*time.Hour)
	hi := w.To.Add(maxShift + 48*time.Hour)

	// Generate instances in the window and those an override refers to,
	// and match overrides to instances: by instant first, else by date.
	record := func(t time.Time) {
		if o, ok := byInstant[t.Unix()]; ok {
			matchInstant[o] = true
		}
		if byDate != nil {
			if o, ok := byDate[dateOf(t)]; ok {
				if _, done := matchDate[o]; !done {
					matchDate[o] = t
				}
			}
		}
	}
	var keep func(time.Time) bool
	if len(ovs) > 0 {
		keep = func(t time.Time) bool { record(t); return false }
	}
	if !recurring {
		// A single event with overrides of its only instance.
		rs = &RecurrenceSet{RDates: []time.Time{m.Start}}
	}
	insts, warns, tooMany := seriesInstances(m.Start, rs, lo, hi, ridLo, ridHi, keep, maxInstances)
	if tooMany {
		return occs, warns, true
	}
	if len(ovs) > 0 {
		for _, in := range insts {
			record(in.start)
		}
		for _, o := range ovs {
			if matchInstant[o] {
				orig[o] = o.RecurrenceID
			} else if t, ok := matchDate[o]; ok {
				orig[o] = t
			} else {
				continue
			}
			replaced[orig[o].Unix()] = true
		}
	}

	var exInstant map[int64]bool
	if len(rs.ExDates) > 0 {
		exInstant = make(map[int64]bool, len(rs.ExDates))
		for _, t := range rs.ExDates {
			exInstant[t.Unix()] = true
		}
	}
	var exDate map[dateKey]bool
	if len(rs.ExDateDates) > 0 {
		exDate = make(map[dateKey]bool, len(rs.ExDateDates))
		for _, d := range rs.ExDateDates {
			exDate[dateKey{d.Year, d.Month, d.Day}] = true
		}
	}
	// RFC 5545 §3.8.5.1: the set is RRULE, RDATE and DTSTART together;
	// EXDATE then removes instants from all of them, RDATEs included.
	excluded := func(in instance) bool {
		if exInstant[in.start.Unix()] {
			return true
		}
		return exDate != nil && exDate[dateOf(in.start)]
	}

	for _, in := range insts {
		if replaced[in.start.Unix()] {
			continue // an override supplies this instance (below)
		}
		end := in.start.Add(dur)
		if !in.end.IsZero() {
			end = in.end
		}
		if excluded(in) {
			o := occurrenceOf(m, in.start, in.start, end)
			o.Recurring = true
			o.Status, o.CancelReason = StatusCancelled, CancelExdate
			emit(o)
			continue
		}
		src := m
		start := in.start
		if t := lastTAF(taf, in.start); t != nil && (t.Sequence >= m.Sequence || hasOrig(orig, t)) {
			src = t
			start = in.start.Add(t.Start.Sub(t.RecurrenceID))
			end = start.Add(t.End.Sub(t.Start))
		}
		o := occurrenceOf(src, in.start, start, end)
		o.Recurring = recurring
		o.Override = src != m
		setCancel(&o, src, m)
		emit(o)
	}

	// Overrides.
	for _, ov := range ovs {
		orig, member := orig[ov]
		if !member {
			orig = ov.RecurrenceID
			if ov.Sequence < m.Sequence {
				// An old override of an instance the current master no
				// longer has (e.g. the series was cut short).
				continue
			}
		}
		in := instance{start: orig}
		if excluded(in) && m.Sequence > ov.Sequence {
			o := occurrenceOf(m, orig, orig, orig.Add(dur))
			o.Recurring = true
			o.Status, o.CancelReason = StatusCancelled, CancelExdate
			emit(o)
			continue
		}
		o := occurrenceOf(ov, orig, ov.Start, ov.End)
		o.Recurring = true
		o.Override = true
		setCancel(&o, ov, m)
		emit(o)
	}
	return occs, warns, false
}

// sortOccurrences sorts stably by cmp, moving each (large) Occurrence
// once instead of at every swap.
func sortOccurrences(occs []Occurrence, cmp func(a, b *Occurrence) int) {
	if len(occs) < 2 {
		return
	}
	idx := make([]int32, len(occs))
	sorted := true
	for i := range idx {
		idx[i] = int32(i)
		if i > 0 && sorted && cmp(&occs[i-1], &occs[i]) > 0 {
			sorted = false
		}
	}
	if sorted {
		return
	}
	slices.SortStableFunc(idx, func(i, j int32) int { return cmp(&occs[i], &occs[j]) })
	// Apply the permutation in place, cycle by cycle: occs[i] = old
	// occs[idx[i]]. Each value moves once, through one temporary.
	for i := range idx {
		if idx[i] < 0 || int(idx[i]) == i {
			continue
		}
		tmp := occs[i]
		j := i
		for {
			k := int(idx[j])
			idx[j] = -1
			if k == i {
				occs[j] = tmp
				break
			}
			occs[j] = occs[k]
			j = k
		}
	}
}

func hasOrig(orig map[*Event]time.Time, e *Event) bool {
	_, ok := orig[e]
	return ok
}

// lastTAF returns the THISANDFUTURE override in force at t: the last one
// whose recurrence id is at or before t.
func lastTAF(taf []*Event, t time.Time) *Event {
	if len(taf) == 0 {
		return nil
	}
	i := sort.Search(len(taf), func(i int) bool { return taf[i].RecurrenceID.After(t) })
	if i == 0 {
		return nil
	}
	return taf[i-1]
}
