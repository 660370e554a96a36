package calendar

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/emersion/go-ical"
	"github.com/teambition/rrule-go"
)

// recBuilder accumulates RRULE / RDATE / EXDATE properties of one master
// into a RecurrenceSet relative to its start.
type recBuilder struct {
	set    RecurrenceSet
	start  time.Time
	allDay bool
	// resolve maps a TZID to a location (nil: unknown, already reported).
	resolve   func(tzid string) (*time.Location, error)
	seenRules map[string]bool
	periods   bool
	// zoned: the start has a TZID or is UTC. floating then holds the
	// first floating value of UNTIL, RDATE and EXDATE (floatingProps),
	// read in the start's zone.
	zoned    bool
	floating [3]string
}

var floatingProps = [3]string{"UNTIL", "RDATE", "EXDATE"}

func (b *recBuilder) noteFloating(name, value string) {
	if !b.zoned {
		return
	}
	for i, p := range floatingProps {
		if p == name && b.floating[i] == "" {
			b.floating[i] = value
		}
	}
}

func newRecBuilder(start time.Time, allDay bool, resolve func(string) (*time.Location, error)) *recBuilder {
	return &recBuilder{start: start, allDay: allDay, resolve: resolve}
}

// finish returns the set, or nil when nothing was added.
func (b *recBuilder) finish() *RecurrenceSet {
	s := &b.set
	if len(s.RRules) == 0 && len(s.RDates) == 0 && len(s.ExDates) == 0 && len(s.ExDateDates) == 0 {
		return nil
	}
	if !b.periods {
		s.RDateEnds = nil
	}
	out := *s
	return &out
}

// add adds one property. Errors name the property and the offending value.
func (b *recBuilder) add(name string, params ical.Params, value string) error {
	switch name {
	case "RRULE":
		return b.addRule(value)
	case "RDATE":
		return b.addDates(name, params, value, true)
	case "EXDATE":
		return b.addDates(name, params, value, false)
	case "EXRULE":
		return fmt.Errorf("EXRULE is not supported (deprecated by RFC 5545): %q", truncate(value, 80))
	}
	return nil
}

func (b *recBuilder) addRule(value string) error {
	norm, err := normalizeRRule(value, b.start, b.allDay)
	if err != nil {
		return err
	}
	if b.zoned {
		if u := untilOf(value); u != "" {
			if v, err := parseDTValue(u, false); err == nil && v.kind == kindFloating {
				b.noteFloating("UNTIL", u)
			}
		}
	}
	if b.seenRules == nil {
		b.seenRules = make(map[string]bool)
	}
	if b.seenRules[norm] {
		return nil // a duplicated identical RRULE counts once
	}
	b.seenRules[norm] = true
	b.set.RRules = append(b.set.RRules, norm)
	return nil
}

func (b *recBuilder) location(params ical.Params) (*time.Location, error) {
	tzid := params.Get("TZID")
	if tzid == "" {
		return b.start.Location(), nil
	}
	return b.resolve(tzid)
}

func (b *recBuilder) addDates(name string, params ical.Params, value string, rdate bool) error {
	value = strings.TrimSpace(value)
	if value == "" {
		return nil // an empty EXDATE;VALUE=DATE: (Google) means nothing
	}
	loc, err := b.location(params)
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	vtype := strings.ToUpper(params.Get("VALUE"))
	var errs []error
	for _, part := range strings.Split(value, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		if rdate && (vtype == "PERIOD" || strings.Contains(part, "/")) {
			if err := b.addPeriod(part, loc); err != nil {
				errs = append(errs, fmt.Errorf("%s %q: %w", name, part, err))
			} else if params.Get("TZID") == "" && !strings.ContainsAny(part, "Zz") {
				b.noteFloating(name, part)
			}
			continue
		}
		v, err := parseDTValue(part, vtype == "DATE")
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", name, err))
			continue
		}
		if v.kind == kindDate {
			// Dates are read in the event's own zone.
			t := v.in(b.start.Location())
			if rdate {
				if !b.allDay {
					// An RDATE date against timed instances: keep the
					// series' time of day on that date.
					h, m, s := b.start.Clock()
					t = wallTime(v.year, time.Month(v.month), v.day, h, m, s, b.start.Location())
				}
				b.set.RDates = append(b.set.RDates, t)
				b.set.RDateEnds = append(b.set.RDateEnds, time.Time{})
			} else if b.allDay {
				b.set.ExDates = append(b.set.ExDates, t)
			} else {
				b.set.ExDateDates = append(b.set.ExDateDates, Date{v.year, time.Month(v.month), v.day})
			}
			continue
		}
		if v.kind == kindFloating && params.Get("TZID") == "" {
			b.noteFloating(name, part)
		}
		t := v.in(loc)
		if b.allDay {
			// A date-time against an all-day series: its local date.
			y, m, d := t.Date()
			t = wallTime(y, m, d, 0, 0, 0, b.start.Location())
		}
		if rdate {
			b.set.RDates = append(b.set.RDates, t)
			b.set.RDateEnds = append(b.set.RDateEnds, time.Time{})
		} else {
			b.set.ExDates = append(b.set.ExDates, t)
		}
	}
	return errors.Join(errs...)
}

func (b *recBuilder) addPeriod(part string, loc *time.Location) error {
	i := strings.IndexByte(part, '/')
	if i < 0 {
		return errors.New("PERIOD value without '/' (want start/end or start/duration)")
	}
	sv, err := parseDTValue(part[:i], false)
	if err != nil {
		return err
	}
	start := sv.in(loc)
	endText := strings.TrimSpace(part[i+1:])
	var end time.Time
	if endText != "" && (endText[0] == 'P' || endText[0] == 'p' || endText[0] == '+' || endText[0] == '-') {
		d, err := parseDuration(endText)
		if err != nil {
			return err
		}
		end = d.addTo(start)
	} else {
		ev, err := parseDTValue(endText, false)
		if err != nil {
			return err
		}
		end = ev.in(loc)
	}
	if end.Before(start) {
		return fmt.Errorf("PERIOD ends before it starts")
	}
	b.set.RDates = append(b.set.RDates, start)
	b.set.RDateEnds = append(b.set.RDateEnds, end)
	b.periods = true
	return nil
}

// untilOf returns the UNTIL value of an RRULE as written ("" if none).
func untilOf(rule string) string {
	for _, part := range strings.Split(rule, ";") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if ok && strings.EqualFold(strings.TrimSpace(k), "UNTIL") {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// normalizeRRule canonicalises an RRULE value: upper case, no spaces, no
// empty parts (trailing ';'), UNTIL rewritten in UTC ("Z" form; a floating
// or DATE UNTIL is read in the start's zone, a DATE UNTIL against a timed
// series covers that whole day). It rejects what rrule-go cannot expand
// (RSCALE/SKIP of RFC 7529, unknown parts, bad values).
func normalizeRRule(value string, start time.Time, allDay bool) (string, error) {
	raw := value
	value = strings.ToUpper(strings.Map(func(r rune) rune {
		if r == ' ' || r == '\t' || r == '\r' || r == '\n' {
			return -1
		}
		return r
	}, value))
	value = strings.TrimPrefix(value, "RRULE:")
	parts := strings.Split(value, ";")
	out := parts[:0]
	for _, p := range parts {
		if p == "" {
			continue
		}
		k, v, ok := strings.Cut(p, "=")
		if !ok || k == "" || v == "" {
			return "", fmt.Errorf("RRULE %q: part %q is not KEY=VALUE", truncate(raw, 120), p)
		}
		switch k {
		case "RSCALE", "SKIP":
			return "", fmt.Errorf("RRULE %q: %s (RFC 7529) is not supported", truncate(raw, 120), k)
		case "FREQ":
			if v == "SECONDLY" || v == "MINUTELY" {
				// No meeting repeats by the second or minute; such rules
				// only serve to make expansion explode.
				return "", fmt.Errorf("RRULE %q: FREQ=%s is not supported for meetings", truncate(raw, 120), v)
			}
		case "UNTIL":
			dv, err := parseDTValue(v, false)
			if err != nil {
				return "", fmt.Errorf("RRULE %q: UNTIL: %w", truncate(raw, 120), err)
			}
			var u time.Time
			switch {
			case dv.kind == kindDate && !allDay:
				u = wallTime(dv.year, time.Month(dv.month), dv.day, 23, 59, 59, start.Location())
			default:
				u = dv.in(start.Location())
			}
			p = "UNTIL=" + u.UTC().Format("20060102T150405Z")
		case "BYDAY":
			v = strings.Trim(v, ",")
			p = k + "=" + v
		}
		out = append(out, p)
	}
	norm := strings.Join(out, ";")
	opt, err := rrule.StrToROptionInLocation(norm, start.Location())
	if err != nil {
		return "", fmt.Errorf("RRULE %q: %w", truncate(raw, 120), err)
	}
	opt.Dtstart = start
	if err := checkRule(*opt); err != nil {
		return "", fmt.Errorf("RRULE %q: %w", truncate(raw, 120), err)
	}
	if opt.Count < 0 || opt.Interval < 0 {
		return "", fmt.Errorf("RRULE %q: negative COUNT or INTERVAL", truncate(raw, 120))
	}
	return norm, nil
}

// checkRule builds the rule with rrule-go (which panics on some inputs).
func checkRule(opt rrule.ROption) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("rrule-go panicked: %v", r)
		}
	}()
	_, err = rrule.NewRRule(opt)
	return err
}

// ParseRecurrenceLines parses RFC 5545 recurrence lines as Google's API
// returns them in Event.recurrence ("RRULE:...", "EXDATE;TZID=X:...",
// "RDATE;VALUE=DATE:..."), relative to the series start. start carries the
// series' zone; allDay says the series is made of dates. On any bad line it
// returns nil and an error naming every bad line (1-based) and what was
// wrong; callers may then keep the event as a single occurrence.
func ParseRecurrenceLines(lines []string, start time.Time, allDay bool) (*RecurrenceSet, error) {
	zs := NewZoneSet(nil)
	b := newRecBuilder(start, allDay, func(tzid string) (*time.Location, error) {
		return zs.Resolve(tzid)
	})
	var errs []error
	for i, line := range lines {
		name, params, value, err := splitRecurrenceLine(line)
		if err == nil {
			switch name {
			case "RRULE", "RDATE", "EXDATE", "EXRULE":
				err = b.add(name, params, value)
			default:
				err = fmt.Errorf("unknown recurrence property %q (want RRULE, RDATE or EXDATE)", name)
			}
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("calendar: recurrence line %d %q: %w", i+1, truncate(line, 120), err))
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	set := b.finish()
	if set == nil {
		set = &RecurrenceSet{}
	}
	return set, nil
}

// splitRecurrenceLine splits "NAME;P=V;Q=\"W\":value".
func splitRecurrenceLine(line string) (string, ical.Params, string, error) {
	line = strings.TrimSpace(line)
	name, rest, ok := splitName([]byte(line))
	if !ok {
		return "", nil, "", errors.New("not NAME[;PARAM=VALUE]:VALUE")
	}
	var scratch []byte
	fixed, bad := cleanParams(rest, &scratch, false)
	if bad != "" || fixed == nil {
		return "", nil, "", fmt.Errorf("malformed parameters %q", bad)
	}
	params := ical.Params{}
	s := string(fixed)
	for len(s) > 0 && s[0] == ';' {
		s = s[1:]
		eq := strings.IndexByte(s, '=')
		pname := strings.ToUpper(s[:eq])
		s = s[eq+1:]
		for {
			var v string
			if s[0] == '"' {
				end := strings.IndexByte(s[1:], '"')
				v = s[1 : end+1]
				s = s[end+2:]
			} else {
				end := strings.IndexAny(s, ";,:")
				v = s[:end]
				s = s[end:]
			}
			params[pname] = append(params[pname], v)
			if s[0] == ',' {
				s = s[1:]
				continue
			}
			break
		}
	}
	return strings.ToUpper(string(name)), params, s[1:], nil
}
