package bench

import (
	"context"
	"fmt"
	"net/http/httptest"
	"time"

	calendarv3 "google.golang.org/api/calendar/v3"

	"github.com/cadence-dev/cadence/calendar/google"
	"github.com/cadence-dev/cadence/calendar/google/fakegoogle"
)

// GoogleResult counts events.list requests per sync cycle of every
// person's calendar against the fake Google server.
type GoogleResult struct {
	Calendars int
	// Full is the first cycle (full syncs); Unchanged a cycle when nothing
	// changed; Changed a cycle after ChangedCalendars calendars got one new
	// event each.
	FullRequests, UnchangedRequests, ChangedRequests int
	ChangedCalendars, ChangedItems                   int
	FullTime, UnchangedTime, ChangedTime             time.Duration
}

// GoogleCycles loads the org's Google dataset into a fake server and runs
// three sync cycles over every calendar: full, unchanged, and with frac of
// the calendars changed.
func GoogleCycles(o *Org, frac float64) (*GoogleResult, error) {
	fake := fakegoogle.New()
	ds := o.Sim.GoogleDataset()
	for id, c := range ds.Calendars {
		fake.AddCalendar(id, c.TimeZone)
		fake.LoadEvents(id, c.Events)
	}
	srv := httptest.NewServer(fake)
	defer srv.Close()
	syncer, err := google.New(google.Config{Endpoint: fakegoogle.CalendarEndpoint(srv.URL), PerUserPerMinute: -1, PerProjectPerMinute: -1}, google.NewMemoryStore())
	if err != nil {
		return nil, err
	}
	var cals []google.Calendar
	for _, p := range o.Sim.People {
		cals = append(cals, google.Calendar{ID: p.Email, Name: p.Feed, Owner: p.Email, Zone: p.Zone})
	}
	res := &GoogleResult{Calendars: len(cals)}
	cycle := func() (int, int, time.Duration, error) {
		fake.ResetCounts()
		start := time.Now()
		changes := 0
		for _, r := range syncer.SyncAll(context.Background(), cals) {
			if r.Err != nil {
				return 0, 0, 0, fmt.Errorf("bench: google sync %s: %w", r.Calendar.ID, r.Err)
			}
			changes += r.Changes
		}
		return fake.TotalRequests(fakegoogle.MethodEventsList), changes, time.Since(start), nil
	}
	if res.FullRequests, _, res.FullTime, err = cycle(); err != nil {
		return nil, err
	}
	if res.UnchangedRequests, _, res.UnchangedTime, err = cycle(); err != nil {
		return nil, err
	}
	step := int(1 / frac)
	if step < 1 {
		step = 1
	}
	for i := 0; i < len(cals); i += step {
		p := o.Sim.People[i]
		at := o.Now.Add(48 * time.Hour).In(p.Zone)
		fake.PutEvent(p.Email, &calendarv3.Event{
			Id: fmt.Sprintf("benchchange%05d", i), Summary: "Ad-hoc sync", Status: "confirmed",
			Start:     &calendarv3.EventDateTime{DateTime: at.Format(time.RFC3339), TimeZone: p.Zone.String()},
			End:       &calendarv3.EventDateTime{DateTime: at.Add(30 * time.Minute).Format(time.RFC3339), TimeZone: p.Zone.String()},
			Organizer: &calendarv3.EventOrganizer{Email: p.Email, Self: true},
		})
		res.ChangedCalendars++
	}
	if res.ChangedRequests, res.ChangedItems, res.ChangedTime, err = cycle(); err != nil {
		return nil, err
	}
	return res, nil
}
