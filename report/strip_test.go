package report

import (
	"strings"
	"testing"
	"time"

	"github.com/cadence-dev/cadence/cadence"
)

func TestStripWeeksAndPrecedence(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	asOf := utc("2026-11-18T12:00:00Z") // Wednesday of 2026-W47
	occ := func(start string, o cadence.Outcome) cadence.PairOccurrence {
		return cadence.PairOccurrence{Start: utc(start), Outcome: o}
	}
	p := &cadence.Pair{Occurrences: []cadence.PairOccurrence{
		occ("2026-08-24T09:00:00Z", cadence.OutcomeHeld),      // W35: before the strip
		occ("2026-08-31T09:00:00Z", cadence.OutcomeCancelled), // W36: first cell
		occ("2026-09-07T09:00:00Z", cadence.OutcomeExcused),   // W37
		occ("2026-09-08T09:00:00Z", cadence.OutcomeDeclined),  // W37: declined beats excused
		occ("2026-09-14T09:00:00Z", cadence.OutcomeCancelled), // W38
		occ("2026-09-15T09:00:00Z", cadence.OutcomeHeld),      // W38: held beats cancelled
		// Sunday 23:30 Berlin is still W43 there (Sunday 22:30 UTC).
		occ("2026-10-25T22:30:00Z", cadence.OutcomeHeld),
		// Monday 00:30 Berlin (Sunday 23:30 UTC) is W45 in Berlin.
		occ("2026-11-01T23:30:00Z", cadence.OutcomeDeclined),
		occ("2026-11-18T11:00:00Z", cadence.OutcomeHeld),      // W47, before asOf
		occ("2026-11-18T13:00:00Z", cadence.OutcomeScheduled), // future: not shown
	}}
	cells := Strip(p, asOf, berlin)
	if len(cells) != StripWeeks {
		t.Fatalf("%d cells", len(cells))
	}
	if cells[0].Week != "2026-W36" || cells[11].Week != "2026-W47" {
		t.Fatalf("weeks %s..%s", cells[0].Week, cells[11].Week)
	}
	// No interval (no rule): an empty week is neither missed nor not due.
	if got, want := StripText(cells), "C D H - - - - H - D - H"; got != want {
		t.Errorf("strip %q, want %q", got, want)
	}
	if !cells[0].Start.Equal(time.Date(2026, 8, 31, 0, 0, 0, 0, berlin)) {
		t.Errorf("first week starts %v", cells[0].Start)
	}
	if cells[2].Title() != "2026-W38: held" || cells[1].Background() == cells[0].Background() {
		t.Errorf("cell words/colours: %q %q %q", cells[2].Title(), cells[0].Background(), cells[1].Background())
	}
	// The week holding asOf is the last one even at Monday 00:00.
	mon := time.Date(2026, 11, 23, 0, 0, 0, 0, berlin)
	if c := Strip(&cadence.Pair{}, mon, berlin); c[11].Week != "2026-W48" || StripText(c) != ". . . . . . . . . . . ." {
		t.Errorf("Monday strip: %s %q", c[11].Week, StripText(c))
	}
}

// TestStripMissedOrNotDue: a week without an occurrence is missed only
// when the pair's interval had run out by its end; the off-weeks of a
// biweekly rhythm and the weeks before the pair started are not due.
func TestStripMissedOrNotDue(t *testing.T) {
	asOf := utc("2026-11-23T09:00:00Z") // Monday of 2026-W48
	occ := func(start string, o cadence.Outcome) cadence.PairOccurrence {
		return cadence.PairOccurrence{Start: utc(start), Outcome: o}
	}
	biweekly := &cadence.Pair{Interval: d14, Grace: 3 * 24 * time.Hour, Occurrences: []cadence.PairOccurrence{
		occ("2026-08-25T10:00:00Z", cadence.OutcomeHeld),      // W35: before the strip
		occ("2026-09-08T10:00:00Z", cadence.OutcomeHeld),      // W37 (first cell)
		occ("2026-09-22T10:00:00Z", cadence.OutcomeHeld),      // W39
		occ("2026-10-06T10:00:00Z", cadence.OutcomeExcused),   // W41: excused keeps the rhythm
		occ("2026-10-20T10:00:00Z", cadence.OutcomeCancelled), // W43
		// W44: 28 days since the last held/excused: missed
		occ("2026-11-03T10:00:00Z", cadence.OutcomeCancelled), // W45
		// W46, W47: missed; W48 (to Monday 09:00): missed
		occ("2026-11-24T10:00:00Z", cadence.OutcomeScheduled),
	}}
	cells := Strip(biweekly, asOf, time.UTC)
	if got, want := StripText(cells), "H . H . E . C x C x x x"; got != want {
		t.Errorf("biweekly strip %q, want %q", got, want)
	}
	if got := cells[1].Title(); got != "2026-W38: not due (due every 14 days)" {
		t.Errorf("off-week title %q", got)
	}
	if got := cells[7].Title(); got != "2026-W44: missed: a 1:1 was due, none held (due every 14 days)" {
		t.Errorf("missed title %q", got)
	}
	if cells[7].Letter() == cells[1].Letter() || cells[7].Background() == cells[1].Background() {
		t.Error("missed and not due look alike")
	}

	// A report who joined on 2026-10-12 (team start), weekly, never met:
	// not due before and in its first week (grace), missed after.
	never := &cadence.Pair{Interval: d7, Grace: 2 * 24 * time.Hour}
	cells = StripSince(never, asOf, time.UTC, day("2026-10-12"))
	if got, want := StripText(cells), ". . . . . . x x x x x x"; got != want {
		t.Errorf("new report strip %q, want %q", got, want)
	}
	if got := cells[0].Title(); got != "2026-W37: not due (before the pair started)" {
		t.Errorf("before-start title %q", got)
	}
	if label := StripLabel(cells); !strings.HasPrefix(label, "last 12 weeks, oldest first: 2026-W37 not due; ") || !strings.Contains(label, "2026-W48 missed") {
		t.Errorf("label %q", label)
	}
}
