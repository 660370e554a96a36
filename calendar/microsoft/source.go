package microsoft

import (
	"context"
	"time"

	"github.com/cadence-dev/cadence/calendar"
)

// Source is Microsoft 365 as a calendar.Source: every person's mailbox
// (or a fixed list), synced by a Syncer.
type Source struct {
	Syncer *Syncer
	// List, when not empty, is the mailboxes to sync instead of every
	// person's: user principal names, SMTP addresses or object ids. An
	// entry that is a person's email or alias belongs to that person;
	// others belong to nobody of the directory.
	List []string
	// Zone anchors all-day dates (nil = UTC; the engine anchors them in
	// the owner's zone).
	Zone *time.Location
}

// NamePrefix starts the name of every mailbox's calendar ("microsoft:" +
// id), so names never collide with other sources.
const NamePrefix = "microsoft:"

// Kind is "microsoft".
func (s *Source) Kind() string { return "microsoft" }

// Calendars lists the mailboxes to sync, sorted by id.
func (s *Source) Calendars(org calendar.Org) []calendar.Calendar {
	ids := s.List
	if len(ids) == 0 {
		ids = org.Emails()
	}
	return calendar.Calendars(ids, org, NamePrefix, s.Zone)
}

func mailbox(c calendar.Calendar) Mailbox {
	return Mailbox{ID: c.ID, Name: c.Name, Owner: c.Owner, Zone: c.Zone}
}

// Restore converts the stored state of cal, without any request.
func (s *Source) Restore(ctx context.Context, cal calendar.Calendar) (*calendar.Restored, error) {
	f, updated, err := s.Syncer.Events(ctx, mailbox(cal))
	if err != nil {
		return nil, err
	}
	if f == nil {
		return nil, nil
	}
	return &calendar.Restored{Feed: f, LastSuccess: updated}, nil
}

// Sync syncs every calendar of cals, at most the Syncer's Concurrency at
// once, reporting each as it finishes. A failed mailbox reports Err (the
// engine keeps its last good data).
func (s *Source) Sync(ctx context.Context, cals []calendar.Calendar, done func(calendar.SyncResult)) {
	calendar.Each(ctx, cals, s.Syncer.Concurrency(), func(cal calendar.Calendar) {
		res := s.Syncer.Sync(ctx, mailbox(cal))
		if ctx.Err() != nil {
			return
		}
		out := calendar.SyncResult{Calendar: cal, Duration: res.Duration}
		if res.Err != nil {
			out.Err, out.Reason = res.Err, "microsoft"
		} else {
			out.Feed, out.Unchanged = res.Feed, !res.Full && res.Changes == 0
		}
		done(out)
	})
}

var _ calendar.Source = (*Source)(nil)
