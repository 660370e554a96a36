package report

import (
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
	if got, want := StripText(cells), "C D H . . . . H . D . H"; got != want {
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
