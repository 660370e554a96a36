package microsoft

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/teambition/rrule-go"

	"github.com/cadence-dev/cadence/calendar"
	"github.com/cadence-dev/cadence/calendar/microsoft/graph"
)

var byDay = map[string]string{
	"sunday": "SU", "monday": "MO", "tuesday": "TU", "wednesday": "WE",
	"thursday": "TH", "friday": "FR", "saturday": "SA",
}

var setPos = map[string]string{"first": "1", "second": "2", "third": "3", "fourth": "4", "last": "-1"}

// RRule converts a Graph patternedRecurrence into an RFC 5545 RRULE value
// for a series whose first instance starts at start (in the series' own
// zone: UNTIL is the end of the range's endDate there).
//
//	daily            FREQ=DAILY;INTERVAL=n
//	weekly           FREQ=WEEKLY;INTERVAL=n;BYDAY=MO,TH;WKST=SU
//	absoluteMonthly  FREQ=MONTHLY;INTERVAL=n;BYMONTHDAY=d
//	relativeMonthly  FREQ=MONTHLY;INTERVAL=n;BYDAY=MO,TU;BYSETPOS=k (first..fourth = 1..4, last = -1)
//	absoluteYearly   FREQ=YEARLY;INTERVAL=n;BYMONTH=m;BYMONTHDAY=d
//	relativeYearly   FREQ=YEARLY;INTERVAL=n;BYMONTH=m;BYDAY=...;BYSETPOS=k
//
// range numbered adds COUNT, endDate UNTIL, noEnd nothing.
func RRule(r *graph.PatternedRecurrence, start time.Time) (string, error) {
	if r == nil || r.Pattern == nil {
		return "", fmt.Errorf("recurrence without a pattern")
	}
	p := r.Pattern
	interval := p.Interval
	if interval < 1 {
		interval = 1
	}
	parts := []string{}
	days := func() (string, error) {
		if len(p.DaysOfWeek) == 0 {
			return "", fmt.Errorf("%s pattern without daysOfWeek", p.Type)
		}
		var ds []string
		for _, d := range p.DaysOfWeek {
			v, ok := byDay[strings.ToLower(d)]
			if !ok {
				return "", fmt.Errorf("%s pattern: unknown day of week %q", p.Type, d)
			}
			ds = append(ds, v)
		}
		return "BYDAY=" + strings.Join(ds, ","), nil
	}
	index := func() (string, error) {
		if p.Index == "" {
			return "BYSETPOS=1", nil
		}
		v, ok := setPos[strings.ToLower(p.Index)]
		if !ok {
			return "", fmt.Errorf("%s pattern: unknown index %q", p.Type, p.Index)
		}
		return "BYSETPOS=" + v, nil
	}
	month := func() (string, error) {
		if p.Month < 1 || p.Month > 12 {
			return "", fmt.Errorf("%s pattern: month %d out of range 1..12", p.Type, p.Month)
		}
		return "BYMONTH=" + strconv.Itoa(p.Month), nil
	}
	monthDay := func() (string, error) {
		if p.DayOfMonth < 1 || p.DayOfMonth > 31 {
			return "", fmt.Errorf("%s pattern: dayOfMonth %d out of range 1..31", p.Type, p.DayOfMonth)
		}
		return "BYMONTHDAY=" + strconv.Itoa(p.DayOfMonth), nil
	}
	var steps []func() (string, error)
	switch strings.ToLower(p.Type) {
	case "daily":
		parts = append(parts, "FREQ=DAILY")
	case "weekly":
		parts = append(parts, "FREQ=WEEKLY")
		steps = append(steps, days, func() (string, error) {
			if p.FirstDayOfWeek == "" {
				return "WKST=SU", nil
			}
			v, ok := byDay[strings.ToLower(p.FirstDayOfWeek)]
			if !ok {
				return "", fmt.Errorf("weekly pattern: unknown firstDayOfWeek %q", p.FirstDayOfWeek)
			}
			return "WKST=" + v, nil
		})
	case "absolutemonthly":
		parts = append(parts, "FREQ=MONTHLY")
		steps = append(steps, monthDay)
	case "relativemonthly":
		parts = append(parts, "FREQ=MONTHLY")
		steps = append(steps, days, index)
	case "absoluteyearly":
		parts = append(parts, "FREQ=YEARLY")
		steps = append(steps, month, monthDay)
	case "relativeyearly":
		parts = append(parts, "FREQ=YEARLY")
		steps = append(steps, month, days, index)
	default:
		return "", fmt.Errorf("unknown recurrence pattern type %q", p.Type)
	}
	parts = append(parts, "INTERVAL="+strconv.Itoa(interval))
	for _, f := range steps {
		s, err := f()
		if err != nil {
			return "", err
		}
		parts = append(parts, s)
	}
	if rg := r.Range; rg != nil {
		switch strings.ToLower(rg.Type) {
		case "", "noend":
		case "numbered":
			if rg.NumberOfOccurrences < 1 {
				return "", fmt.Errorf("numbered range with numberOfOccurrences %d", rg.NumberOfOccurrences)
			}
			parts = append(parts, "COUNT="+strconv.Itoa(rg.NumberOfOccurrences))
		case "enddate":
			d, err := time.Parse("2006-01-02", rg.EndDate)
			if err != nil {
				return "", fmt.Errorf("endDate range: endDate %q: want yyyy-mm-dd", rg.EndDate)
			}
			until := time.Date(d.Year(), d.Month(), d.Day(), 23, 59, 59, 0, start.Location())
			parts = append(parts, "UNTIL="+until.UTC().Format("20060102T150405Z"))
		default:
			return "", fmt.Errorf("unknown recurrence range type %q", rg.Type)
		}
	}
	return strings.Join(parts, ";"), nil
}

// patternStarts lists the starts the rule generates from start (an
// instance only where the pattern matches: unlike RFC 5545, a series
// start off the pattern is not an instance, as in Exchange) within
// [w.From, w.To), sorted.
func patternStarts(rule string, start time.Time, w calendar.Window) ([]time.Time, error) {
	opt, err := rrule.StrToROptionInLocation(rule, start.Location())
	if err != nil {
		return nil, err
	}
	opt.Dtstart = start
	r, err := newRule(*opt)
	if err != nil {
		return nil, err
	}
	var out []time.Time
	next := r.Iterator()
	for n := 0; ; n++ {
		t, ok := next()
		if !ok || !t.Before(w.To) {
			break
		}
		if n > 100000 {
			return nil, fmt.Errorf("more than 100,000 instances before the window ends")
		}
		if !t.Before(w.From) {
			out = append(out, t)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Before(out[j]) })
	return out, nil
}

// newRule builds the rule with rrule-go, which panics on some inputs.
func newRule(opt rrule.ROption) (r *rrule.RRule, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("rrule-go panicked: %v", p)
		}
	}()
	return rrule.NewRRule(opt)
}

// clip rewrites a rule to end at last (its UNTIL; any COUNT dropped): the
// series is then given from its first instance in the window, and a COUNT
// would count from there.
func clip(rule string, last time.Time) string {
	var out []string
	for _, p := range strings.Split(rule, ";") {
		if strings.HasPrefix(p, "COUNT=") || strings.HasPrefix(p, "UNTIL=") {
			continue
		}
		out = append(out, p)
	}
	return strings.Join(append(out, "UNTIL="+last.UTC().Format("20060102T150405Z")), ";")
}
