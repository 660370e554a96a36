package google

import (
	"context"
	"fmt"
	"time"

	"github.com/cadence-dev/cadence/calendar"
)

// Source is Google Calendar as a calendar.Source: every person's primary
// calendar (or a fixed list), synced by a Syncer.
type Source struct {
	Syncer *Syncer
	// List, when not empty, is the calendars to sync instead of every
	// person's primary calendar. An entry that is a person's email or
	// alias belongs to that person; other ids belong to nobody of the
	// directory and are synced under their own id.
	List []string
	// Zone anchors all-day dates and floating times (nil = each
	// calendar's own zone as Google reports it).
	Zone *time.Location
}

// NamePrefix starts the name of every Google calendar ("google:" + id),
// so names never collide with configured ICS feeds.
const NamePrefix = "google:"

// Kind is "google".
func (s *Source) Kind() string { return "google" }

// Calendars lists the calendars to sync, sorted by id.
func (s *Source) Calendars(org calendar.Org) []calendar.Calendar {
	ids := s.List
	if len(ids) == 0 {
		ids = org.Emails()
	}
	return calendar.Calendars(ids, org, NamePrefix, s.Zone)
}

func gcal(c calendar.Calendar) Calendar {
	return Calendar{ID: c.ID, Name: c.Name, Owner: c.Owner, Zone: c.Zone}
}

// Restore converts the stored event set of cal, without any request.
func (s *Source) Restore(ctx context.Context, cal calendar.Calendar) (*calendar.Restored, error) {
	g := gcal(cal).normalized()
	st, err := s.Syncer.store.LoadCalendar(ctx, g.ID)
	if err != nil {
		return nil, fmt.Errorf("google: calendar %s: load state: %w", g.ID, err)
	}
	if st == nil {
		return nil, nil
	}
	return &calendar.Restored{Feed: s.Syncer.feed(g, st, false), LastSuccess: st.UpdatedAt}, nil
}

// Sync syncs every calendar of cals, at most Config.Concurrency at once,
// reporting each as it finishes.
func (s *Source) Sync(ctx context.Context, cals []calendar.Calendar, done func(calendar.SyncResult)) {
	calendar.Each(ctx, cals, s.Syncer.cfg.Concurrency, func(cal calendar.Calendar) {
		res := s.Syncer.Sync(ctx, gcal(cal))
		if ctx.Err() != nil {
			return
		}
		out := calendar.SyncResult{Calendar: cal, Duration: res.Duration}
		if res.Err != nil {
			out.Err, out.Reason = res.Err, "google"
		} else {
			// The feed of an unchanged calendar is the cached one.
			out.Feed, out.Unchanged = res.Feed, !res.Full && res.Changes == 0
		}
		done(out)
	})
}
