package engine

import (
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/cadence-dev/cadence/cadence"
	"github.com/cadence-dev/cadence/calendar"
)

const people = `email,name,manager_email,hire_date
lead@example.com,Lee Ader,,2020-01-01
ann@example.com,Ann Ash,lead@example.com,2020-01-01
bo@example.com,Bo Birch,lead@example.com,2020-01-01
`

func TestOccurrences(t *testing.T) {
	ppl, err := cadence.ParseDirectoryCSV(strings.NewReader(people), "people.csv")
	if err != nil {
		t.Fatal(err)
	}
	dir, err := cadence.NewDirectory(ppl)
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)
	ev := func(uid, source, owner string, atts ...string) calendar.Event {
		e := calendar.Event{UID: uid, SeriesUID: uid, Start: at, End: at.Add(30 * time.Minute), Status: calendar.StatusConfirmed,
			Organizer: "lead@example.com", Source: source, Owner: owner}
		for _, a := range atts {
			e.Attendees = append(e.Attendees, calendar.Attendee{Email: a})
		}
		return e
	}
	// The 1:1 lead/ann and the team meeting are in both calendars.
	events := [][]calendar.Event{
		{ev("one", "lead", "lead@example.com", "ann@example.com"), ev("team", "lead", "lead@example.com", "ann@example.com", "bo@example.com")},
		{ev("one", "ann", "ann@example.com", "ann@example.com"), ev("team", "ann", "ann@example.com", "ann@example.com", "bo@example.com")},
	}
	zones := []*time.Location{time.UTC, time.UTC}
	w := calendar.Window{From: at.AddDate(0, -1, 0), To: at.AddDate(0, 1, 0)}
	uids := func(occs []calendar.Occurrence) []string {
		var out []string
		for _, o := range occs {
			out = append(out, o.UID+":"+strings.Join(o.SeenIn, "+"))
		}
		sort.Strings(out)
		return out
	}

	x := Occurrences(nil, events, zones, w, Budget{}, nil, 0)
	all, filtered := x.Occurrences, x.Filtered
	if want := []string{"one:ann+lead", "team:ann+lead"}; !reflect.DeepEqual(uids(all), want) || filtered != nil {
		t.Errorf("without a filter: %v (filtered %v), want %v", uids(all), filtered, want)
	}
	opts := cadence.Options{Rules: cadence.DefaultRules(), Window: cadence.DefaultWindow, MaxDuration: cadence.DefaultMaxDuration, SkipLevels: cadence.DefaultSkipLevels}
	x = Occurrences(cadence.NewRelevance(dir, opts), events, zones, w, Budget{}, nil, 1)
	some, filtered := x.Occurrences, x.Filtered
	if want := []string{"one:ann+lead"}; !reflect.DeepEqual(uids(some), want) {
		t.Errorf("with the filter: %v, want %v", uids(some), want)
	}
	if !reflect.DeepEqual(filtered, map[string]bool{"team": true}) {
		t.Errorf("filtered %v, want the team meeting", filtered)
	}
}
