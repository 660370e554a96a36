package calendar

import (
	"errors"
	"fmt"
	"time"
)

// Limits bound the work one feed may cost, so that a feed owner (or anyone
// who can send an invitation into a calendar) cannot make cadence spend
// minutes or gigabytes on it. The defaults are far above what a real
// calendar of a 20,000-person organisation needs and far below what a
// hostile one asks for. A zero field takes its default.
type Limits struct {
	// SeriesOccurrences: instances one recurring series may have in the
	// expansion window. A series with more is dropped (a 1:1 more frequent
	// than several a day for a year and a half is not a 1:1).
	SeriesOccurrences int
	// FeedOccurrences: occurrences one calendar may yield in the window.
	// Series that would exceed it are dropped; the rest still count.
	FeedOccurrences int
	// ZoneTransitions: transitions one feed's VTIMEZONE definitions may
	// generate (every zone built from rules, together).
	ZoneTransitions int
	// ParseTime: time one feed's parse may take.
	ParseTime time.Duration
}

// Defaults of Limits (documented in config.example.yaml).
const (
	DefaultSeriesOccurrences = 10_000
	DefaultFeedOccurrences   = 100_000
	DefaultZoneTransitions   = 50_000
	DefaultParseTime         = 10 * time.Second
)

// WithDefaults returns l with every zero field set to its default.
func (l Limits) WithDefaults() Limits {
	if l.SeriesOccurrences <= 0 {
		l.SeriesOccurrences = DefaultSeriesOccurrences
	}
	if l.FeedOccurrences <= 0 {
		l.FeedOccurrences = DefaultFeedOccurrences
	}
	if l.ZoneTransitions <= 0 {
		l.ZoneTransitions = DefaultZoneTransitions
	}
	if l.ParseTime <= 0 {
		l.ParseTime = DefaultParseTime
	}
	return l
}

// ErrBudget is wrapped by every BudgetError: errors.Is(err, ErrBudget)
// tells a feed that asked for too much work from one that is broken.
var ErrBudget = errors.New("budget exceeded")

// BudgetError is a limit a feed exceeded: which feed, which event (UID,
// when one is to blame), which limit and its value, and what was dropped.
type BudgetError struct {
	Feed    string
	UID     string // "" when no single event is to blame
	Limit   string // the config key: series_occurrences, feed_occurrences, …
	Value   string // the limit's value, as configured
	Dropped string // what was left out ("series dropped", "feed not read")
}

func (e *BudgetError) Error() string {
	where := "feed " + e.Feed
	if e.UID != "" {
		where += ": UID " + e.UID
	}
	return fmt.Sprintf("calendar: %s: %s limit of %s exceeded; %s", where, e.Limit, e.Value, e.Dropped)
}

func (e *BudgetError) Unwrap() error { return ErrBudget }

// The limits an expansion enforces, by config key.
const (
	limitSeries     = iota // series_occurrences
	limitFeed              // feed_occurrences
	limitEvaluation        // evaluation_occurrences
)

var limitNames = [...]string{"series_occurrences", "feed_occurrences", "evaluation_occurrences"}

// budgetState tracks one ExpandAppend call against its limits.
type budgetState struct {
	lim   Limits
	eval  *EvaluationBudget
	base  int // len(dst): occurrences before the call
	drops [3]*drop
	spent bool // a series was dropped for the call's or the evaluation's limit
}

type drop struct {
	limit  int
	value  int
	first  *Event
	series []string
}

func (d *drop) err() *BudgetError {
	what := "series dropped"
	if n := len(d.series); n > 1 {
		what = fmt.Sprintf("%d series dropped (the first named)", n)
	}
	return &BudgetError{Feed: d.first.Source, UID: d.first.UID, Limit: limitNames[d.limit], Value: fmt.Sprint(d.value), Dropped: what}
}

func (b *budgetState) drop(limit int, e *Event) {
	if limit != limitSeries {
		b.spent = true
	}
	d := b.drops[limit]
	if d == nil {
		value := b.lim.SeriesOccurrences
		switch limit {
		case limitFeed:
			value = b.lim.FeedOccurrences
		case limitEvaluation:
			value = b.eval.Limit
		}
		d = &drop{limit: limit, value: value, first: e}
		b.drops[limit] = d
	}
	d.series = append(d.series, e.SeriesUID)
}

// fits keeps what e appended to occs since before when the call and the
// evaluation can afford it, and drops it (reporting the limit) otherwise.
func (b *budgetState) fits(occs []Occurrence, before int, e *Event) []Occurrence {
	n := len(occs) - b.base
	switch {
	case n > b.lim.FeedOccurrences:
		b.drop(limitFeed, e)
	case b.eval != nil && n > b.eval.Left:
		b.drop(limitEvaluation, e)
	default:
		return occs
	}
	return occs[:before]
}

// room is how many more occurrences the call may keep with len(occs) ==
// at; roomLimit is the limit that bounds it.
func (b *budgetState) room(at int) int {
	r := b.lim.FeedOccurrences - (at - b.base)
	if b.eval != nil && b.eval.Left-(at-b.base) < r {
		r = b.eval.Left - (at - b.base)
	}
	return max(r, 0)
}

func (b *budgetState) roomLimit(at int) int {
	if b.eval != nil && b.eval.Left < b.lim.FeedOccurrences {
		return limitEvaluation
	}
	return limitFeed
}
