package microsoft_test

import (
	"testing"
	"time"

	"github.com/cadence-dev/cadence/calendar"
	"github.com/cadence-dev/cadence/calendar/microsoft"
	"github.com/cadence-dev/cadence/calendar/microsoft/graph"
)

func TestRRule(t *testing.T) {
	start := time.Date(2026, 1, 5, 10, 0, 0, 0, berlin)
	for _, c := range []struct {
		p    graph.RecurrencePattern
		r    graph.RecurrenceRange
		want string
	}{
		{graph.RecurrencePattern{Type: "daily", Interval: 2}, graph.RecurrenceRange{Type: "noEnd"}, "FREQ=DAILY;INTERVAL=2"},
		{graph.RecurrencePattern{Type: "weekly", Interval: 1, DaysOfWeek: []string{"Monday", "thursday"}, FirstDayOfWeek: "monday"}, graph.RecurrenceRange{Type: "numbered", NumberOfOccurrences: 10}, "FREQ=WEEKLY;INTERVAL=1;BYDAY=MO,TH;WKST=MO;COUNT=10"},
		{graph.RecurrencePattern{Type: "absoluteMonthly", Interval: 1, DayOfMonth: 15}, graph.RecurrenceRange{Type: "endDate", EndDate: "2026-06-30"}, "FREQ=MONTHLY;INTERVAL=1;BYMONTHDAY=15;UNTIL=20260630T215959Z"},
		{graph.RecurrencePattern{Type: "relativeMonthly", Interval: 1, DaysOfWeek: []string{"friday"}, Index: "last"}, graph.RecurrenceRange{Type: "noEnd"}, "FREQ=MONTHLY;INTERVAL=1;BYDAY=FR;BYSETPOS=-1"},
		{graph.RecurrencePattern{Type: "absoluteYearly", Interval: 1, Month: 3, DayOfMonth: 1}, graph.RecurrenceRange{Type: "noEnd"}, "FREQ=YEARLY;INTERVAL=1;BYMONTH=3;BYMONTHDAY=1"},
		{graph.RecurrencePattern{Type: "relativeYearly", Interval: 1, Month: 11, DaysOfWeek: []string{"thursday"}, Index: "fourth"}, graph.RecurrenceRange{Type: "noEnd"}, "FREQ=YEARLY;INTERVAL=1;BYMONTH=11;BYDAY=TH;BYSETPOS=4"},
	} {
		got, err := microsoft.RRule(&graph.PatternedRecurrence{Pattern: &c.p, Range: &c.r}, start)
		if err != nil || got != c.want {
			t.Errorf("%+v: got %q, %v; want %q", c.p, got, err, c.want)
		}
	}
	for _, bad := range []graph.RecurrencePattern{{Type: "hourly"}, {Type: "weekly"}, {Type: "weekly", DaysOfWeek: []string{"someday"}}, {Type: "absoluteYearly", Month: 13, DayOfMonth: 1}} {
		if _, err := microsoft.RRule(&graph.PatternedRecurrence{Pattern: &bad}, start); err == nil {
			t.Errorf("%+v: no error", bad)
		}
	}
}

// TestPatternsMatchExchangeExpansion syncs series of every pattern type,
// in zones across DST changes, from the fake server (which expands
// patterns day by day, independently of the RRULE conversion) and checks
// that the converted series has exactly the server's instances, none
// cancelled, no warning; then that one occurrence taken away is the only
// cancelled one.
func TestPatternsMatchExchangeExpansion(t *testing.T) {
	pats := []struct {
		name string
		p    graph.RecurrencePattern
		r    graph.RecurrenceRange
		zone string
	}{
		{"daily/2", graph.RecurrencePattern{Type: "daily", Interval: 2}, graph.RecurrenceRange{Type: "noEnd"}, "Pacific Standard Time"},
		{"weekly/2 mon+thu wkst mon", graph.RecurrencePattern{Type: "weekly", Interval: 2, DaysOfWeek: []string{"monday", "thursday"}, FirstDayOfWeek: "monday"}, graph.RecurrenceRange{Type: "noEnd"}, "W. Europe Standard Time"},
		{"weekly/3 sun wkst sun", graph.RecurrencePattern{Type: "weekly", Interval: 3, DaysOfWeek: []string{"sunday", "wednesday"}, FirstDayOfWeek: "sunday"}, graph.RecurrenceRange{Type: "numbered", NumberOfOccurrences: 15}, "Eastern Standard Time"},
		{"absoluteMonthly 15", graph.RecurrencePattern{Type: "absoluteMonthly", Interval: 1, DayOfMonth: 15}, graph.RecurrenceRange{Type: "endDate", EndDate: "2026-06-15"}, "India Standard Time"},
		{"relativeMonthly first monday", graph.RecurrencePattern{Type: "relativeMonthly", Interval: 1, DaysOfWeek: []string{"monday"}, Index: "first"}, graph.RecurrenceRange{Type: "noEnd"}, "Europe/Berlin"},
		{"relativeMonthly last friday /2", graph.RecurrencePattern{Type: "relativeMonthly", Interval: 2, DaysOfWeek: []string{"friday"}, Index: "last"}, graph.RecurrenceRange{Type: "noEnd"}, "America/New_York"},
		{"relativeMonthly second weekday", graph.RecurrencePattern{Type: "relativeMonthly", Interval: 1, DaysOfWeek: []string{"monday", "tuesday", "wednesday", "thursday", "friday"}, Index: "second"}, graph.RecurrenceRange{Type: "noEnd"}, "GMT Standard Time"},
		{"absoluteYearly", graph.RecurrencePattern{Type: "absoluteYearly", Interval: 1, Month: 4, DayOfMonth: 2}, graph.RecurrenceRange{Type: "noEnd"}, "UTC"},
		{"relativeYearly", graph.RecurrencePattern{Type: "relativeYearly", Interval: 1, Month: 3, DaysOfWeek: []string{"tuesday"}, Index: "third"}, graph.RecurrenceRange{Type: "noEnd"}, "Tokyo Standard Time"},
	}
	for _, c := range pats {
		t.Run(c.name, func(t *testing.T) {
			e := newEnv(t, microsoft.Config{})
			loc, err := (*calendar.ZoneSet)(nil).Resolve(c.zone)
			if err != nil {
				t.Fatal(err)
			}
			// The first instance: the first day from 2025-03-01 the server
			// lists; use the pattern's own start date and let the server
			// say which days match.
			first := time.Date(2025, 3, 3, 9, 30, 0, 0, loc)
			ev := graph.Event{ID: "m", Subject: "Series", IsOrganizer: true,
				Start:     &graph.DateTimeTimeZone{DateTime: first.Format(graph.DateTimeLayout), TimeZone: c.zone},
				End:       &graph.DateTimeTimeZone{DateTime: first.Add(time.Hour).Format(graph.DateTimeLayout), TimeZone: c.zone},
				Organizer: &graph.Recipient{EmailAddress: graph.EmailAddress{Address: ana}},
				Attendees: []graph.Attendee{person(bo, "Bo", "accepted")},
			}
			p, r := c.p, c.r
			r.StartDate = "2025-03-03"
			r.RecurrenceTimeZone = c.zone
			ev.Recurrence = &graph.PatternedRecurrence{Pattern: &p, Range: &r}
			must(t, e.fake.PutEvent(ana, ev))
			res := e.syncOK(ana)
			all := calendar.Window{From: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)}
			occs, warns := calendar.Expand(res.Feed.Events, all, calendar.ExpandOptions{})
			if len(warns) > 0 {
				t.Errorf("warnings: %v", warns)
			}
			if len(occs) != res.Changes || len(occs) == 0 {
				t.Fatalf("%d occurrences, the server listed %d instances", len(occs), res.Changes)
			}
			t.Logf("%d occurrences %v .. %v", len(occs), occs[0].Start, occs[len(occs)-1].Start)
			var mid calendar.Occurrence
			for i, o := range occs {
				if o.Cancelled() || o.Moved() {
					t.Errorf("occurrence %v: cancelled=%v moved=%v", o.OriginalStart, o.Cancelled(), o.Moved())
				}
				if i == len(occs)/2 {
					mid = o
				}
			}
			must(t, e.fake.CancelOccurrence(ana, "m", mid.OriginalStart))
			res = e.syncOK(ana)
			occs, _ = calendar.Expand(res.Feed.Events, all, calendar.ExpandOptions{})
			n := 0
			for _, o := range occs {
				if o.Cancelled() {
					n++
					if !o.OriginalStart.Equal(mid.OriginalStart) {
						t.Errorf("cancelled %v, want %v", o.OriginalStart, mid.OriginalStart)
					}
				}
			}
			if n != 1 {
				t.Errorf("%d cancelled occurrences after cancelling one", n)
			}
		})
	}
}

// TestUnexplainedInstancesAreNotCancellations: when the pattern as
// cadence reads it does not produce an instance the mailbox has (here the
// master's zone is unknown and DST shifts it), nothing is taken for
// cancelled, and a warning says so.
func TestUnexplainedInstancesAreNotCancellations(t *testing.T) {
	e := newEnv(t, microsoft.Config{})
	ev := weekly("ana-weekly", true)
	must(t, e.fake.PutEvent(ana, ev))
	must(t, e.fake.UpdateEvent(ana, "ana-weekly", func(ev *graph.Event) {
		ev.OriginalStartTimeZone = "Mars Standard Time"
		ev.Recurrence.Range.RecurrenceTimeZone = ""
	}))
	// The fake resolves the unknown zone as UTC, so its instances are at
	// 09:00 UTC; make the server's instances Berlin-local instead by
	// keeping them as they were: cancel none, and check only that a
	// mismatch, if any, is a warning and not a cancellation.
	r := e.sync(ana)
	if r.Err != nil {
		t.Fatal(r.Err)
	}
	occs, _ := calendar.Expand(r.Feed.Events, window, calendar.ExpandOptions{})
	for _, o := range occs {
		if o.Cancelled() {
			t.Errorf("occurrence %v taken for cancelled", o.OriginalStart)
		}
	}
	if len(r.Feed.Warnings) == 0 {
		t.Errorf("no warning about the unknown zone")
	}
}
