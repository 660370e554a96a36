package cadence

import (
	"strings"
	"testing"
	"time"

	"github.com/cadence-dev/cadence/calendar"
)

// T is the evaluation time of most tests: Wednesday 2026-04-01 12:00 UTC.
var T = time.Date(2026, 4, 1, 12, 0, 0, 0, time.UTC)

func testOpts() Options {
	return Options{
		Rules:            DefaultRules(),
		Window:           DefaultWindow,
		MaxDuration:      DefaultMaxDuration,
		SkipLevels:       DefaultSkipLevels,
		IgnoredAttendees: []string{"*@otter.ai"},
		OOOPatterns:      []string{"Out of office", "OOO *", "Vacation"},
		TitleHints:       []string{"{a} / {b}", "{a} <> {b}", "1:1 with {b}", "1:1"},
	}
}

// mk builds a confirmed occurrence in org's calendar. Attendees are written
// "email", "email:declined", "email:accepted" or "email:room".
func mk(uid string, start time.Time, d time.Duration, org string, atts ...string) calendar.Occurrence {
	o := calendar.Occurrence{
		UID: uid, SeriesUID: uid, Start: start, OriginalStart: start, End: start.Add(d),
		Status: calendar.StatusConfirmed, Organizer: org, Source: "feed-" + strings.SplitN(org, "@", 2)[0], Owner: org,
	}
	for _, a := range atts {
		email, mod, _ := strings.Cut(a, ":")
		at := calendar.Attendee{Email: email}
		switch mod {
		case "declined":
			at.Response = calendar.ResponseDeclined
		case "accepted":
			at.Response = calendar.ResponseAccepted
		case "room":
			at.Resource = true
		case "":
		default:
			panic("bad attendee modifier " + mod)
		}
		o.Attendees = append(o.Attendees, at)
	}
	return o
}

func with(o calendar.Occurrence, f func(*calendar.Occurrence)) calendar.Occurrence {
	f(&o)
	return o
}

func cancel(o calendar.Occurrence, r calendar.CancelReason) calendar.Occurrence {
	o.Status = calendar.StatusCancelled
	o.CancelReason = r
	return o
}

// ooo builds an out-of-office event in owner's calendar.
func ooo(owner string, start, end time.Time, allDay bool) calendar.Occurrence {
	return calendar.Occurrence{UID: "ooo-" + owner + start.String(), SeriesUID: "ooo-" + owner + start.String(),
		Start: start, OriginalStart: start, End: end, AllDay: allDay, Status: calendar.StatusConfirmed,
		Title: "Vacation", Owner: owner, Organizer: owner, Source: "feed"}
}

func findPair(t *testing.T, s *Snapshot, lead, member string) *Pair {
	t.Helper()
	for i := range s.Pairs {
		if s.Pairs[i].Lead == lead && s.Pairs[i].Member == member {
			return &s.Pairs[i]
		}
	}
	t.Fatalf("pair %s/%s not evaluated", lead, member)
	return nil
}

func hasPair(s *Snapshot, lead, member string) bool {
	for i := range s.Pairs {
		if s.Pairs[i].Lead == lead && s.Pairs[i].Member == member {
			return true
		}
	}
	return false
}

const (
	ceo = "ceo@example.com"
	vp  = "vp@example.com"
	m1  = "m1@example.com"
	m2  = "m2@example.com"
	e1  = "e1@example.com"
	e2  = "e2@example.com"
	e3  = "e3@example.com"
	cto = "cto@example.com"
)
