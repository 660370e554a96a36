package calendar

import (
	"context"
	"slices"
	"strings"
	"sync"
	"time"
)

// A Source reads a set of calendars: ICS feeds (package calendar/icsfeed),
// Google Calendar (package calendar/google), and any later kind. The
// engine (internal/engine) never asks which kind it holds: it lists a
// source's calendars, restores their last good data from the source's own
// state, and syncs them, one result per calendar. Implementations keep
// their own state (validators, sync tokens, delta links) and their own
// rate limits and retries; one failing calendar never stops the others.
type Source interface {
	// Kind names the kind of source in logs and errors ("ics", "google").
	Kind() string
	// Calendars lists the calendars to read for the organisation.
	// Calendar names are unique across every source of a configuration.
	Calendars(org Org) []Calendar
	// Restore returns a calendar's last good data from the source's
	// state without any request (what a restarted daemon serves until the
	// first sync): nil data when nothing usable is stored.
	Restore(ctx context.Context, cal Calendar) (*Restored, error)
	// Sync reads every calendar of cals once and calls done with each
	// result as it finishes (concurrently, from several goroutines). It
	// returns when every calendar has a result or ctx ends.
	Sync(ctx context.Context, cals []Calendar, done func(SyncResult))
}

// Org is what a source knows of the organisation: the people whose
// calendars it may read, and how an address maps to its person.
type Org interface {
	// Emails lists every person's primary email, sorted.
	Emails() []string
	// Resolve maps an email or alias to the person's primary email.
	Resolve(email string) (string, bool)
}

// Calendar is one calendar a source reads.
type Calendar struct {
	// Name identifies the calendar in statuses, logs and metrics; unique
	// across sources.
	Name string
	// Owner is the owner's primary email ("" = nobody of the directory).
	Owner string
	// Zone anchors floating times and all-day dates (nil = the source's or
	// calendar's own).
	Zone *time.Location
	// ID is the source's own identity of the calendar (a feed's path or
	// URL, a Google calendar id). Two Calendars are the same calendar, and
	// stored state is reused, only while Name, Owner, Zone and ID agree.
	ID string
}

// Same reports whether c and d are the same calendar definition.
func (c Calendar) Same(d Calendar) bool {
	return c.Name == d.Name && c.Owner == d.Owner && c.ID == d.ID && zoneName(c.Zone) == zoneName(d.Zone)
}

func zoneName(z *time.Location) string {
	if z == nil {
		return ""
	}
	return z.String()
}

// Restored is a calendar's last good data as its source stored it.
type Restored struct {
	Feed        *Feed
	LastSuccess time.Time
	// Quarantined, when set, is why the stored data was set aside instead
	// of restored (Feed is nil): reported, and the calendar read afresh.
	Quarantined error
}

// SyncResult is the outcome of syncing one calendar.
type SyncResult struct {
	Calendar Calendar
	// Feed is the calendar's data after a successful sync; nil on error
	// and may be nil when Unchanged (the caller keeps what it had).
	Feed *Feed
	// Unchanged reports a successful sync that found nothing new (an HTTP
	// 304, an incremental sync without changes).
	Unchanged bool
	// Err is the failure; Reason classifies it for metrics ("fetch",
	// "timeout", "http_status", "too_large", "parse", "store", "google").
	Err    error
	Reason string
	// StateErr is a failure to save the source's state after a good read:
	// the data is used, the error is counted (reason "store") and logged.
	StateErr error
	// Duration is how long the sync took (wall time, for metrics).
	Duration time.Duration
}

// Each calls f for every item of items (calendars, indices), at most
// limit at once (at least one), and returns when every call returned;
// once ctx ends no more calls start. Sources use it to sync, the engine to
// restore.
func Each[T any](ctx context.Context, items []T, limit int, f func(T)) {
	sem := make(chan struct{}, max(limit, 1))
	var wg sync.WaitGroup
	defer wg.Wait()
	for _, it := range items {
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
			return
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			f(it)
		}()
	}
}

// EachIndex is Each over 0..n-1.
func EachIndex(ctx context.Context, n, limit int, f func(int)) {
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	Each(ctx, idx, limit, f)
}

// Calendars lists the calendars of a source that reads one calendar per
// id (a Google calendar id, a Microsoft mailbox): ids lower-cased, sorted
// and unique, each named prefix+id and owned by the person the directory
// resolves it to (the id itself otherwise).
func Calendars(ids []string, org Org, prefix string, zone *time.Location) []Calendar {
	norm := make([]string, 0, len(ids))
	for _, id := range ids {
		if id = strings.ToLower(strings.TrimSpace(id)); id != "" {
			norm = append(norm, id)
		}
	}
	slices.Sort(norm)
	norm = slices.Compact(norm)
	out := make([]Calendar, 0, len(norm))
	for _, id := range norm {
		owner := id
		if p, ok := org.Resolve(id); ok {
			owner = p
		}
		out = append(out, Calendar{Name: prefix + id, Owner: owner, Zone: zone, ID: id})
	}
	return out
}

// Locks are mutexes by key (one sync of a calendar at a time).
type Locks struct {
	mu sync.Mutex
	m  map[string]*sync.Mutex
}

// Lock locks key's mutex and returns its unlock.
func (l *Locks) Lock(key string) (unlock func()) {
	l.mu.Lock()
	if l.m == nil {
		l.m = map[string]*sync.Mutex{}
	}
	m, ok := l.m[key]
	if !ok {
		m = &sync.Mutex{}
		l.m[key] = m
	}
	l.mu.Unlock()
	m.Lock()
	return m.Unlock
}
