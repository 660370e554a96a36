package bench

import (
	"context"
	"fmt"
	"net/http/httptest"
	"time"

	"github.com/cadence-dev/cadence/calendar/microsoft"
	"github.com/cadence-dev/cadence/calendar/microsoft/fakegraph"
	"github.com/cadence-dev/cadence/calendar/microsoft/graph"
)

// MicrosoftResult counts Graph requests per sync cycle of every person's
// mailbox against the fake Graph server.
type MicrosoftResult struct {
	Mailboxes int
	// Full is the first cycle (full syncs: calendarView delta pages and one
	// series master read per series); Unchanged a cycle when nothing
	// changed; Changed a cycle after ChangedMailboxes mailboxes got one new
	// event and one cancelled occurrence each.
	FullDelta, FullMasters           int
	UnchangedDelta, UnchangedMasters int
	ChangedDelta, ChangedMasters     int
	ChangedMailboxes, ChangedItems   int
	FullTime, UnchangedTime          time.Duration
	ChangedTime                      time.Duration
}

type benchClock struct{}

func (benchClock) Now() time.Time { return time.Now() }
func (benchClock) Sleep(ctx context.Context, d time.Duration) error {
	return microsoft.RealClock{}.Sleep(ctx, d)
}

// MicrosoftCycles loads the org's Graph dataset into a fake server and
// runs three sync cycles over every mailbox: full, unchanged, and with
// frac of the mailboxes changed.
func MicrosoftCycles(o *Org, frac float64) (*MicrosoftResult, error) {
	fake := fakegraph.New()
	if err := fake.Load(o.Sim.MicrosoftDataset(), "bench"); err != nil {
		return nil, err
	}
	srv := httptest.NewServer(fake)
	defer srv.Close()
	syncer, err := microsoft.New(microsoft.Config{Endpoint: fakegraph.Endpoint(srv.URL), RequestsPer10Min: -1, Clock: benchClock{},
		WindowNow: func() time.Time { return o.Now }}, microsoft.NewMemoryStore())
	if err != nil {
		return nil, err
	}
	var boxes []microsoft.Mailbox
	for _, p := range o.Sim.People {
		boxes = append(boxes, microsoft.Mailbox{ID: p.Email, Name: p.Feed, Owner: p.Email, Zone: p.Zone})
	}
	res := &MicrosoftResult{Mailboxes: len(boxes)}
	cycle := func() (delta, masters, changes int, d time.Duration, err error) {
		fake.ResetCounts()
		start := time.Now()
		for _, r := range syncer.SyncAll(context.Background(), boxes) {
			if r.Err != nil {
				return 0, 0, 0, 0, fmt.Errorf("bench: microsoft sync %s: %w", r.Mailbox.ID, r.Err)
			}
			changes += r.Changes
		}
		return fake.TotalRequests(fakegraph.MethodDelta), fake.TotalRequests(fakegraph.MethodEvent), changes, time.Since(start), nil
	}
	if res.FullDelta, res.FullMasters, _, res.FullTime, err = cycle(); err != nil {
		return nil, err
	}
	if res.UnchangedDelta, res.UnchangedMasters, _, res.UnchangedTime, err = cycle(); err != nil {
		return nil, err
	}
	step := max(int(1/frac), 1)
	for i := 0; i < len(boxes); i += step {
		p := o.Sim.People[i]
		at := o.Now.Add(48 * time.Hour)
		if err := fake.PutEvent(p.Email, graph.Event{ID: fmt.Sprintf("benchchange%05d", i), Subject: "Ad-hoc sync", IsOrganizer: true,
			Start: graph.UTC(at), End: graph.UTC(at.Add(30 * time.Minute)),
			Organizer: &graph.Recipient{EmailAddress: graph.EmailAddress{Address: p.Email}}}); err != nil {
			return nil, err
		}
		res.ChangedMailboxes++
	}
	if res.ChangedDelta, res.ChangedMasters, res.ChangedItems, res.ChangedTime, err = cycle(); err != nil {
		return nil, err
	}
	return res, nil
}
