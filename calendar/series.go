package calendar

import (
	"fmt"
	"sort"
	"time"

	"github.com/teambition/rrule-go"
)

// maxRuleSteps bounds the instances one RRULE may yield while reaching the
// window, so a hostile rule (FREQ=HOURLY with COUNT=10000000) cannot hang
// ingestion.
const maxRuleSteps = 50000

type instance struct {
	start time.Time
	end   time.Time // zero: start + the master's duration (set by an RDATE PERIOD)
}

// seriesInstances returns the instances of a recurrence set whose start
// lies in [lo, hi] or for which keep returns true (used to answer "is this
// RECURRENCE-ID an instance?" for ids in [nearLo, nearHi]); generation
// covers the union of both ranges and nothing beyond.
// Instances are sorted and unique by instant. When every RRULE ends
// before DTSTART the rules contribute nothing, not even DTSTART (an empty
// series: Confluence's way of deleting one).
//
// More than maxInstances instances in [lo, hi] stop the generation and
// set tooMany (0: no limit).
func seriesInstances(start time.Time, rs *RecurrenceSet, lo, hi, nearLo, nearHi time.Time, keep func(time.Time) bool, maxInstances int) (out []instance, warns []string, tooMany bool) {
	genLo, genHi := lo, hi
	if keep != nil {
		if nearLo.Before(genLo) {
			genLo = nearLo
		}
		if nearHi.After(genHi) {
			genHi = nearHi
		}
	}
	want := func(t time.Time) bool {
		if !t.Before(lo) && !t.After(hi) {
			return true
		}
		return keep != nil && keep(t)
	}
	anyRule := false
	for _, rule := range rs.RRules {
		opt, err := rrule.StrToROptionInLocation(rule, start.Location())
		if err != nil {
			warns = append(warns, fmt.Sprintf("RRULE %q: %v", rule, err))
			continue
		}
		opt.Dtstart = start
		if !opt.Until.IsZero() && opt.Until.Before(start) {
			continue // empty series
		}
		anyRule = true
		skipAhead(opt, genLo)
		until := opt.Until
		if !until.IsZero() {
			// rrule-go may place a wall time repeated at a fall-back
			// transition at its later instant, past an UNTIL equal to
			// the earlier one: it checks a later UNTIL, this code the real one.
			opt.Until = until.Add(3 * time.Hour)
		}
		if err := iterateRule(*opt, genHi, func(t time.Time) bool {
			t = firstOccurrence(t) // RFC 5545 §3.3.5
			if !until.IsZero() && t.After(until) {
				return true
			}
			if want(t) {
				out = append(out, instance{start: t})
				if maxInstances > 0 && len(out) > maxInstances {
					tooMany = true
					return false
				}
			}
			return true
		}); err != nil {
			warns = append(warns, fmt.Sprintf("RRULE %q: %v", rule, err))
		}
		if tooMany {
			return nil, warns, true
		}
	}
	if len(rs.RRules) == 0 || anyRule {
		// DTSTART is always the first instance of a non-empty set.
		if want(start) {
			out = append(out, instance{start: start})
		}
	}
	for i, t := range rs.RDates {
		if maxInstances > 0 && len(out) > maxInstances {
			return nil, warns, true
		}
		if want(t) {
			in := instance{start: t}
			if rs.RDateEnds != nil && i < len(rs.RDateEnds) {
				in.end = rs.RDateEnds[i]
			}
			out = append(out, in)
		}
	}
	if len(out) > 1 {
		sort.SliceStable(out, func(i, j int) bool { return out[i].start.Before(out[j].start) })
		u := out[:1]
		for _, in := range out[1:] {
			last := &u[len(u)-1]
			if in.start.Equal(last.start) {
				if !in.end.IsZero() {
					last.end = in.end // an RDATE PERIOD on an RRULE instance
				}
				continue
			}
			u = append(u, in)
		}
		out = u
	}
	return out, warns, false
}

// iterateRule calls fn for each instance of the rule up to hi. rrule-go
// panics on some inputs (e.g. year 0); that is reported as an error, and
// so is a rule that yields more than maxRuleSteps instances.
// fn returning false stops the iteration.
func iterateRule(opt rrule.ROption, hi time.Time, fn func(time.Time) bool) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("rrule-go panicked: %v", r)
		}
	}()
	r, err := rrule.NewRRule(opt)
	if err != nil {
		return err
	}
	next := r.Iterator()
	for steps := 0; ; steps++ {
		if steps >= maxRuleSteps {
			return fmt.Errorf("expansion stopped after %d instances", maxRuleSteps)
		}
		t, ok := next()
		if !ok || t.After(hi) || !fn(t) {
			return nil
		}
	}
}

// skipAhead moves DTSTART of an endless (COUNT-less) fixed-period rule
// forward by whole periods so that iteration starts shortly before lo.
// Instances at and after the new DTSTART's period are unchanged: every
// rule part is calendar-based and the period grid keeps its phase. The
// first period after the shift may lose instances that precede DTSTART in
// it, so the new DTSTART stays at least two periods before lo.
func skipAhead(opt *rrule.ROption, lo time.Time) {
	if opt.Count != 0 || len(opt.Bysetpos) != 0 {
		return
	}
	interval := opt.Interval
	if interval <= 0 {
		interval = 1
	}
	start := opt.Dtstart
	var days int
	var secs int64
	switch opt.Freq {
	case rrule.WEEKLY:
		days = 7 * interval
	case rrule.DAILY:
		days = interval
	case rrule.HOURLY:
		secs = 3600 * int64(interval)
	case rrule.MINUTELY:
		secs = 60 * int64(interval)
	case rrule.SECONDLY:
		secs = int64(interval)
	default:
		return // MONTHLY/YEARLY: at most 12 steps a year
	}
	gap := lo.Sub(start)
	if gap <= 0 {
		return
	}
	var periodSecs int64
	if days > 0 {
		periodSecs = int64(days) * 86400
	} else {
		periodSecs = secs
	}
	// Leave a margin of 3 periods plus 2 days for DST and zone offsets.
	k := (int64(gap/time.Second) - 2*86400) / periodSecs
	k -= 3
	if k <= 0 {
		return
	}
	y, mo, d := start.Date()
	h, mi, s := start.Clock()
	loc := start.Location()
	for try := int64(0); try < 4 && k-try > 0; try++ {
		n := k - try
		var t time.Time
		if days > 0 {
			t = time.Date(y, mo, d+int(n)*days, h, mi, s, start.Nanosecond(), loc)
			if th, tm, ts := t.Clock(); th != h || tm != mi || ts != s {
				continue // landed in a DST gap: the wall time would change
			}
		} else {
			t = time.Date(y, mo, d, h, mi, s+int(n*secs), start.Nanosecond(), loc)
		}
		opt.Dtstart = t
		return
	}
}
