package config

import (
	"errors"
	"fmt"
	"math"
	"math/big"
	"regexp"
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

// durationToken is a number and its unit.
var durationToken = regexp.MustCompile(`^([0-9.]*)([^0-9.]*)`)

var units = map[string]int64{"ns": 1, "us": 1e3, "µs": 1e3, "μs": 1e3, "ms": 1e6, "s": 1e9, "m": 60e9, "h": 3600e9, "d": 86400e9, "w": 604800e9}

// parseDuration is ParseDuration, its errors without "config: invalid duration".
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
	total, max := new(big.Rat), new(big.Rat).SetInt64(math.MaxInt64) // in nanoseconds, exact
	for s != "" {
		m := durationToken.FindStringSubmatch(s)
		num, unit, n := m[1], m[2], new(big.Rat)
		if _, ok := n.SetString(num); !ok || strings.Count(num, ".") > 1 {
			return 0, fmt.Errorf("expected a number at %q", s)
		}
		switch s = s[len(m[0]):]; {
		case unit == "":
			return 0, fmt.Errorf("missing unit after %s, one of ns us ms s m h d w", num)
		case units[unit] == 0:
			return 0, fmt.Errorf("unknown unit %q, not one of ns us ms s m h d w", unit)
		}
		// A whole number out of range is reported at once, a fraction at the end.
		if total.Add(total, n.Mul(n, new(big.Rat).SetInt64(units[unit]))).Cmp(max) > 0 && !strings.Contains(num, ".") {
			return 0, errors.New("out of range")
		}
	}
	if total.Cmp(max) > 0 {
		return 0, errors.New("out of range")
	}
	// Round to the nearest nanosecond, halves away from zero.
	ns := new(big.Int).Add(new(big.Int).Lsh(total.Num(), 1), total.Denom())
	d := time.Duration(ns.Quo(ns, new(big.Int).Lsh(total.Denom(), 1)).Int64())
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
