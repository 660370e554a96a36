package config

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// ParseDuration parses a duration in Go syntax (300ms, 90m, 2h30m) extended
// with days ("d", 24h) and weeks ("w", 7d): "7d", "2w", "1d12h", "1.5d".
// Days and weeks are fixed lengths of 24 and 168 hours. A sign is allowed
// (Go syntax); callers decide whether negative values are acceptable.
func ParseDuration(s string) (time.Duration, error) {
	d, err := parseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("config: invalid duration %q: %s", s, err)
	}
	return d, nil
}

// unitLen maps a unit to its length; longest units first where a prefix
// could be ambiguous ("ms" before "m").
var units = []struct {
	name string
	d    time.Duration
}{
	{"ns", time.Nanosecond},
	{"us", time.Microsecond},
	{"µs", time.Microsecond}, // U+00B5
	{"μs", time.Microsecond}, // U+03BC
	{"ms", time.Millisecond},
	{"s", time.Second},
	{"m", time.Minute},
	{"h", time.Hour},
	{"d", 24 * time.Hour},
	{"w", 7 * 24 * time.Hour},
}

// parseDuration returns a reason without the "config: " prefix so the
// decoder can put it into a positioned problem.
func parseDuration(s string) (time.Duration, error) {
	if s == "" {
		return 0, fmt.Errorf("empty")
	}
	neg := false
	if s[0] == '-' || s[0] == '+' {
		neg = s[0] == '-'
		s = s[1:]
	}
	if strings.ContainsAny(s, " \t") {
		return 0, fmt.Errorf("has a space")
	}
	if s == "0" {
		return 0, nil
	}
	if s == "" {
		return 0, fmt.Errorf("no number")
	}
	var total float64 // nanoseconds; exact enough and overflow-checked below
	var exact int64
	exactOK := true
	for s != "" {
		// number: digits with an optional fraction
		i := 0
		for i < len(s) && (s[i] >= '0' && s[i] <= '9' || s[i] == '.') {
			i++
		}
		num := s[:i]
		if num == "" || num == "." || strings.Count(num, ".") > 1 {
			return 0, fmt.Errorf("expected a number at %q", s)
		}
		s = s[i:]
		j := 0
		for j < len(s) && !(s[j] >= '0' && s[j] <= '9' || s[j] == '.') {
			j++
		}
		unit := s[:j]
		s = s[j:]
		if unit == "" {
			return 0, fmt.Errorf("missing unit after %s, one of ns us ms s m h d w", num)
		}
		var u time.Duration
		for _, c := range units {
			if c.name == unit {
				u = c.d
				break
			}
		}
		if u == 0 {
			return 0, fmt.Errorf("unknown unit %q, not one of ns us ms s m h d w", unit)
		}
		if !strings.Contains(num, ".") {
			n, err := strconv.ParseInt(num, 10, 64)
			if err != nil || n > math.MaxInt64/int64(u) || exact > math.MaxInt64-n*int64(u) {
				return 0, fmt.Errorf("out of range")
			}
			exact += n * int64(u)
		} else {
			exactOK = false
		}
		f, err := strconv.ParseFloat(num, 64)
		if err != nil {
			return 0, fmt.Errorf("expected a number at %q", num)
		}
		total += f * float64(u)
	}
	if total >= math.MaxInt64 {
		return 0, fmt.Errorf("out of range")
	}
	d := time.Duration(exact)
	if !exactOK {
		d = time.Duration(math.Round(total))
	}
	if neg {
		d = -d
	}
	return d, nil
}
