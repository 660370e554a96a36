package engine

import (
	"time"

	"github.com/cadence-dev/cadence/calendar"
)

// ExpansionWindow is the span expanded for an evaluation at now: far
// enough back for last_held and cancellation streaks beyond the look-back
// window (SPEC fine point 5) — four windows, at least 400 days — and one
// window plus a day ahead for next_scheduled. It is the only place that
// knows the span; the history forgets what ended before its start.
func ExpansionWindow(now time.Time, window time.Duration) calendar.Window {
	back := 4 * window
	if back < 400*24*time.Hour {
		back = 400 * 24 * time.Hour
	}
	return calendar.Window{From: now.Add(-back), To: now.Add(window + 24*time.Hour)}
}

// LastWeek is the instant "last week" is evaluated at for the page's and
// the digest's change since last week: exactly seven days before now.
func LastWeek(now time.Time) time.Time { return now.Add(-7 * 24 * time.Hour) }
