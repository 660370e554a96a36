package calendar

import (
	"fmt"
	"strings"
	"time"
)

// dtKind says how an RFC 5545 date or date-time value was written.
type dtKind int

const (
	kindDate     dtKind = iota // 20240101
	kindFloating               // 20240101T090000
	kindUTC                    // 20240101T090000Z
)

// dtValue is a parsed DATE or DATE-TIME value, not yet placed in a zone.
type dtValue struct {
	kind                 dtKind
	year, month, day     int
	hour, minute, second int
}

// parseDTValue parses "YYYYMMDD", "YYYYMMDDTHHMMSS" or "YYYYMMDDTHHMMSSZ".
// It is lenient: lower-case 't'/'z', a DATE with a stray 'Z'
// ("20131210Z", Google birthdays), surrounding spaces, and a DATE-TIME
// when VALUE=DATE was given (the time is dropped).
func parseDTValue(s string, dateParam bool) (dtValue, error) {
	s = strings.TrimSpace(s)
	var v dtValue
	if len(s) < 8 || !digits(s[:8]) {
		return v, fmt.Errorf("invalid date %q (want YYYYMMDD or YYYYMMDDTHHMMSS[Z])", s)
	}
	v.year = atoi(s[0:4])
	v.month = atoi(s[4:6])
	v.day = atoi(s[6:8])
	if v.year < 1 || v.month < 1 || v.month > 12 || v.day < 1 || v.day > 31 {
		return v, fmt.Errorf("invalid date %q (year, month or day out of range)", s)
	}
	rest := s[8:]
	if rest == "" || rest == "Z" || rest == "z" {
		v.kind = kindDate
		return v, nil
	}
	if len(rest) < 7 || (rest[0] != 'T' && rest[0] != 't') || !digits(rest[1:7]) {
		return v, fmt.Errorf("invalid date-time %q (want YYYYMMDDTHHMMSS[Z])", s)
	}
	v.hour = atoi(rest[1:3])
	v.minute = atoi(rest[3:5])
	v.second = atoi(rest[5:7])
	if v.hour > 24 || v.minute > 59 || v.second > 60 {
		return v, fmt.Errorf("invalid date-time %q (time out of range)", s)
	}
	if v.second == 60 {
		v.second = 59
	}
	switch rest[7:] {
	case "":
		v.kind = kindFloating
	case "Z", "z":
		v.kind = kindUTC
	default:
		return v, fmt.Errorf("invalid date-time %q (unexpected %q after the time)", s, rest[7:])
	}
	if dateParam {
		v.kind = kindDate
		v.hour, v.minute, v.second = 0, 0, 0
	}
	return v, nil
}

// in places the value: DATE and floating values in loc, UTC values in UTC.
func (v dtValue) in(loc *time.Location) time.Time {
	if v.kind == kindUTC {
		return time.Date(v.year, time.Month(v.month), v.day, v.hour, v.minute, v.second, 0, time.UTC)
	}
	return wallTime(v.year, time.Month(v.month), v.day, v.hour, v.minute, v.second, loc)
}

// wallTime is time.Date for a local wall time, except that a time shown
// twice at a fall-back transition is its first occurrence, the earlier
// instant (RFC 5545 §3.3.5). time.Date may return either: east of UTC it
// returns the later one.
func wallTime(y int, mo time.Month, d, h, mi, s int, loc *time.Location) time.Time {
	return firstOccurrence(time.Date(y, mo, d, h, mi, s, 0, loc))
}

// firstOccurrence returns the earliest instant that shows t's wall clock
// in t's location: t itself, or, when t lies just after a fall-back
// transition, the same wall time before it.
func firstOccurrence(t time.Time) time.Time {
	start, _ := t.ZoneBounds()
	if start.IsZero() || t.Sub(start) >= 26*time.Hour {
		return t // no transition, or too far back to be repeated
	}
	_, off := t.Zone()
	_, prev := start.Add(-time.Second).Zone()
	if prev <= off {
		return t // spring-forward (or no change): nothing repeated
	}
	e := t.Add(-time.Duration(prev-off) * time.Second)
	if _, eo := e.Zone(); !e.Before(start) || eo != prev {
		return t
	}
	return e
}

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func atoi(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		n = n*10 + int(s[i]-'0')
	}
	return n
}

// icsDuration is an RFC 5545 DURATION split into calendar days (which keep
// wall-clock time across DST) and an exact remainder.
type icsDuration struct {
	days  int
	exact time.Duration
}

func (d icsDuration) addTo(t time.Time) time.Time {
	if d.days != 0 {
		t = firstOccurrence(t.AddDate(0, 0, d.days))
	}
	return t.Add(d.exact)
}

// parseDuration parses [+-]P[nW][nD][T[nH][nM][nS]].
func parseDuration(s string) (icsDuration, error) {
	s = strings.TrimSpace(s)
	orig := s
	var d icsDuration
	neg := false
	if s != "" && (s[0] == '+' || s[0] == '-') {
		neg = s[0] == '-'
		s = s[1:]
	}
	if s == "" || (s[0] != 'P' && s[0] != 'p') {
		return d, fmt.Errorf("invalid duration %q (want e.g. PT1H30M or P1D)", orig)
	}
	s = s[1:]
	inTime := false
	seen := false
	for s != "" {
		if s[0] == 'T' || s[0] == 't' {
			inTime = true
			s = s[1:]
			continue
		}
		i := 0
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		if i == 0 || i == len(s) || i > 9 {
			return d, fmt.Errorf("invalid duration %q (want e.g. PT1H30M or P1D)", orig)
		}
		n := atoi(s[:i])
		unit := s[i] | 0x20 // lower case
		s = s[i+1:]
		seen = true
		switch {
		case unit == 'w' && !inTime:
			d.days += 7 * n
		case unit == 'd' && !inTime:
			d.days += n
		case unit == 'h' && inTime:
			d.exact += time.Duration(n) * time.Hour
		case unit == 'm' && inTime:
			d.exact += time.Duration(n) * time.Minute
		case unit == 's' && inTime:
			d.exact += time.Duration(n) * time.Second
		default:
			return d, fmt.Errorf("invalid duration %q (unexpected unit %q)", orig, unit)
		}
	}
	if !seen {
		return d, fmt.Errorf("invalid duration %q (no value)", orig)
	}
	if neg {
		d.days, d.exact = -d.days, -d.exact
	}
	return d, nil
}

// unescapeText decodes an RFC 5545 TEXT value: \\ \; \, \n \N. Unlike
// go-ical's Text it does not cut the value at an (escaped or bare) comma.
func unescapeText(s string) string {
	if strings.IndexByte(s, '\\') < 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' || i+1 >= len(s) {
			b.WriteByte(c)
			continue
		}
		i++
		switch s[i] {
		case 'n', 'N':
			b.WriteByte('\n')
		default: // \\ \; \, and lenient for anything else
			b.WriteByte(s[i])
		}
	}
	return b.String()
}

// normalizeEmail lower-cases an address and strips a "mailto:" prefix.
func normalizeEmail(s string) string {
	s = strings.TrimSpace(s)
	if len(s) >= 7 && strings.EqualFold(s[:7], "mailto:") {
		s = strings.TrimSpace(s[7:])
	}
	return strings.ToLower(s)
}
