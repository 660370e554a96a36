package config

import (
	"errors"
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

var units = map[string]time.Duration{"ns": 1, "us": time.Microsecond, "µs": time.Microsecond, "μs": time.Microsecond,
	"ms": time.Millisecond, "s": time.Second, "m": time.Minute, "h": time.Hour, "d": 24 * time.Hour, "w": 7 * 24 * time.Hour}

// parseDuration returns a reason without the "config: " prefix so the
// decoder can put it into a positioned problem.
func parseDuration(s string) (time.Duration, error) {
	if s == "" {
		return 0, errors.New("empty")
	}
	neg := s[0] == '-'
	if neg || s[0] == '+' {
		s = s[1:]
	}
	switch {
	case strings.ContainsAny(s, " \t"):
		return 0, errors.New("has a space")
	case s == "0":
		return 0, nil
	case s == "":
		return 0, errors.New("no number")
	}
	var exact int64   // nanoseconds, when every number is whole
	var total float64 // nanoseconds; exact enough and overflow-checked below
	fraction, outOfRange := false, errors.New("out of range")
	for s != "" {
		i := strings.IndexFunc(s, func(r rune) bool { return r != '.' && (r < '0' || r > '9') })
		if i < 0 {
			i = len(s)
		}
		num := s[:i]
		if num == "" || num == "." || strings.Count(num, ".") > 1 {
			return 0, fmt.Errorf("expected a number at %q", s)
		}
		j := strings.IndexAny(s[i:], ".0123456789")
		if j < 0 {
			j = len(s) - i
		}
		unit, u := s[i:i+j], int64(units[s[i:i+j]])
		s = s[i+j:]
		f, ferr := strconv.ParseFloat(num, 64)
		n, nerr := strconv.ParseInt(num, 10, 64)
		whole := !strings.Contains(num, ".")
		switch {
		case unit == "":
			return 0, fmt.Errorf("missing unit after %s, one of ns us ms s m h d w", num)
		case u == 0:
			return 0, fmt.Errorf("unknown unit %q, not one of ns us ms s m h d w", unit)
		case whole && (nerr != nil || n > math.MaxInt64/u || exact > math.MaxInt64-n*u):
			return 0, outOfRange
		case ferr != nil:
			return 0, fmt.Errorf("expected a number at %q", num)
		case whole:
			exact += n * u
		default:
			fraction = true
		}
		total += f * float64(u)
	}
	d := time.Duration(exact)
	if total >= math.MaxInt64 {
		return 0, outOfRange
	} else if fraction {
		d = time.Duration(math.Round(total))
	}
	if neg {
		d = -d
	}
	return d, nil
}

// fmtDuration prints d the way the configuration writes it: whole days as
// "7d", otherwise Go syntax.
func fmtDuration(d time.Duration) string {
	if d != 0 && d%(24*time.Hour) == 0 {
		return fmt.Sprintf("%dd", d/(24*time.Hour))
	}
	s := d.String()
	for _, zero := range []string{"m0s", "h0m"} {
		if strings.HasSuffix(s, zero) {
			s = s[:len(s)-2]
		}
	}
	return s
}
