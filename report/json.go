package report

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/cadence-dev/cadence/cadence"
)

// Report is the SPEC's JSON report (`cadence report --format json`,
// `GET /api/v1/report`). WriteJSON writes it; ReadJSON reads it back.
//
// Field notes where SPEC is silent:
//   - times are RFC 3339 in UTC (sub-second digits only when non-zero);
//   - last_held, next_scheduled and last_success are null when absent;
//   - flags is always an array, sorted ([] when none);
//   - a source's error is null when ok is true, the error text otherwise;
//   - a source's warning (beyond SPEC) is present only when the source
//     works but cannot show everything, e.g. a feed without any attendee;
//   - ratios are rounded to 6 decimals;
//   - pairs are ordered by kind (direct, skip, peer), lead, member; managers
//     by email; sources in the order of the snapshot (the config's order).
type Report struct {
	AsOf     time.Time `json:"as_of"`
	Pairs    []Pair    `json:"pairs"`
	Managers []Manager `json:"managers"`
	Sources  []Source  `json:"sources"`
}

// Pair is one evaluated pair of the JSON report.
type Pair struct {
	Kind                     string     `json:"kind"`
	Lead                     string     `json:"lead"`
	Member                   string     `json:"member"`
	Rule                     string     `json:"rule"`
	Required                 bool       `json:"required"`
	Status                   string     `json:"status"`
	Flags                    []string   `json:"flags"`
	LastHeld                 *time.Time `json:"last_held"`
	NextScheduled            *time.Time `json:"next_scheduled"`
	ConsecutiveCancellations int        `json:"consecutive_cancellations"`
	Window                   Window     `json:"window"`
}

// Window holds the counts of the look-back window.
type Window struct {
	Held        int `json:"held"`
	Cancelled   int `json:"cancelled"`
	Declined    int `json:"declined"`
	Excused     int `json:"excused"`
	Rescheduled int `json:"rescheduled"`
	TooShort    int `json:"too_short"`
}

// Manager is the compliance of one manager.
type Manager struct {
	Manager string `json:"manager"`
	Direct  Tally  `json:"direct"`
	Org     Tally  `json:"org"`
}

// Tally is one compliance figure.
type Tally struct {
	Pairs     int     `json:"pairs"`
	Compliant int     `json:"compliant"`
	Ratio     float64 `json:"ratio"`
}

// Source is the health of one calendar source.
type Source struct {
	Name        string     `json:"name"`
	OK          bool       `json:"ok"`
	LastSuccess *time.Time `json:"last_success"`
	Error       *string    `json:"error"`
	Warning     string     `json:"warning,omitempty"`
}

// kindRank orders kinds as SPEC lists them.
func kindRank(k cadence.Kind) int {
	switch k {
	case cadence.KindDirect:
		return 0
	case cadence.KindSkip:
		return 1
	case cadence.KindPeer:
		return 2
	}
	return 3
}

// sortedPairs returns the snapshot's pairs ordered by kind, lead, member
// (a copy; the snapshot is not modified).
func sortedPairs(ps []cadence.Pair) []cadence.Pair {
	out := slices.Clone(ps)
	slices.SortStableFunc(out, func(a, b cadence.Pair) int {
		if c := kindRank(a.Kind) - kindRank(b.Kind); c != 0 {
			return c
		}
		if c := strings.Compare(string(a.Kind), string(b.Kind)); c != 0 {
			return c
		}
		if c := strings.Compare(a.Lead, b.Lead); c != 0 {
			return c
		}
		return strings.Compare(a.Member, b.Member)
	})
	return out
}

func round6(x float64) float64 {
	return math.Round(x*1e6) / 1e6
}

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

func convTally(manager, scope string, t cadence.Tally) (Tally, error) {
	if math.IsNaN(t.Ratio) || math.IsInf(t.Ratio, 0) {
		return Tally{}, fmt.Errorf("report: manager %q: %s ratio is %v, want a finite number", manager, scope, t.Ratio)
	}
	return Tally{Pairs: t.Pairs, Compliant: t.Compliant, Ratio: round6(t.Ratio)}, nil
}

// FromSnapshot converts a snapshot into the JSON report's shape.
func FromSnapshot(s *cadence.Snapshot) (*Report, error) {
	if s == nil {
		return nil, errors.New("report: nil snapshot")
	}
	r := &Report{
		AsOf:     s.AsOf.UTC(),
		Pairs:    make([]Pair, 0, len(s.Pairs)),
		Managers: make([]Manager, 0, len(s.Managers)),
		Sources:  make([]Source, 0, len(s.Sources)),
	}
	for _, p := range sortedPairs(s.Pairs) {
		flags := make([]string, len(p.Flags))
		copy(flags, p.Flags)
		slices.Sort(flags)
		r.Pairs = append(r.Pairs, Pair{
			Kind:                     string(p.Kind),
			Lead:                     p.Lead,
			Member:                   p.Member,
			Rule:                     p.Rule,
			Required:                 p.Required,
			Status:                   string(p.Status),
			Flags:                    flags,
			LastHeld:                 utcPtr(p.LastHeld),
			NextScheduled:            utcPtr(p.NextScheduled),
			ConsecutiveCancellations: p.ConsecutiveCancellations,
			Window: Window{
				Held:        p.Window.Held,
				Cancelled:   p.Window.Cancelled,
				Declined:    p.Window.Declined,
				Excused:     p.Window.Excused,
				Rescheduled: p.Window.Rescheduled,
				TooShort:    p.Window.TooShort,
			},
		})
	}
	managers := slices.Clone(s.Managers)
	slices.SortStableFunc(managers, func(a, b cadence.Manager) int { return strings.Compare(a.Manager, b.Manager) })
	for _, m := range managers {
		d, err := convTally(m.Manager, "direct", m.Direct)
		if err != nil {
			return nil, err
		}
		o, err := convTally(m.Manager, "org", m.Org)
		if err != nil {
			return nil, err
		}
		r.Managers = append(r.Managers, Manager{Manager: m.Manager, Direct: d, Org: o})
	}
	for _, src := range s.Sources {
		out := Source{Name: src.Name, OK: src.OK, LastSuccess: utcPtr(src.LastSuccess), Warning: src.Warning}
		if !src.OK {
			e := src.Error
			out.Error = &e
		}
		r.Sources = append(r.Sources, out)
	}
	return r, nil
}

// WriteJSON writes the SPEC's JSON report of s: pretty-printed with a
// two-space indent and a trailing newline. Nothing is written when the
// snapshot cannot be converted.
func WriteJSON(w io.Writer, s *cadence.Snapshot) error {
	r, err := FromSnapshot(s)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	if err := enc.Encode(r); err != nil {
		return fmt.Errorf("report: encoding JSON report: %w", err)
	}
	if _, err := w.Write(buf.Bytes()); err != nil {
		return fmt.Errorf("report: writing JSON report: %w", err)
	}
	return nil
}

// ReadJSON decodes a JSON report written by WriteJSON. It is strict: an
// unknown field, a value of the wrong type or trailing data is an error
// naming the offset or field.
func ReadJSON(r io.Reader) (*Report, error) {
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	var rep Report
	if err := dec.Decode(&rep); err != nil {
		return nil, fmt.Errorf("report: reading JSON report: %w", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("report: reading JSON report: trailing data at offset %d", dec.InputOffset())
	}
	return &rep, nil
}
