// Package icsfeed is the ICS feed source: configured feeds (local files or
// http(s) URLs), fetched with calendar.Fetch (conditional requests from the
// stored validators) and parsed with calendar.ParseICS. It implements
// calendar.Source. Each feed's validators and last good body live in a
// Store so a restart sends conditional requests and a failing feed keeps
// serving its last good data. The stored body is minimized
// (calendar.Minimize: only what evaluation reads), and the stored record
// never holds the feed's URL, only its SHA-256 (a feed URL often carries a
// secret token). Errors start with "icsfeed: " or come from package
// calendar ("calendar: feed NAME (HOST): ..."); a URL is shown as its host
// only.
package icsfeed

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/cadence-dev/cadence/calendar"
)

// Feed is one configured feed.
type Feed struct {
	Name  string
	Owner string // as configured; resolved to the primary email by Calendars
	Path  string // a local file, or
	URL   string // an http(s) URL
	Zone  *time.Location
}

// Record is the stored state of one feed.
type Record struct {
	// Source identifies the feed definition the data came from (owner,
	// path or the URL's SHA-256, zone: see SourceID); a record of another
	// definition is ignored.
	Source      string
	Validators  calendar.Validators
	Body        []byte // the feed as last fetched successfully, minimized
	LastSuccess time.Time
	// Quarantined, when set, says why Body was set aside at a restore (it
	// failed to parse or exceeded a limit): it is kept for inspection and
	// never parsed again; the next good fetch replaces it.
	Quarantined string
}

// Store keeps each feed's state. Every method commits before it returns.
type Store interface {
	LoadFeed(ctx context.Context, name string) (*Record, error) // nil, nil when none
	SaveFeed(ctx context.Context, name string, rec *Record) error
}

// FetchFunc fetches one feed: calendar.Fetch, or a test's replacement.
type FetchFunc func(ctx context.Context, src calendar.ICSSource, opts calendar.FetchOptions) (*calendar.FetchResult, error)

// DefaultConcurrency is how many feeds are fetched and parsed at once:
// thousands of parses in flight would hold every feed's bytes and events in
// memory at the same time.
const DefaultConcurrency = 8

// Options configure a Source.
type Options struct {
	Feeds    []Feed
	Timeout  time.Duration // per fetch, body included
	MaxBytes int64         // per feed body
	// RedirectHosts are the hosts a feed may be redirected to besides its
	// own (calendar.FetchOptions.RedirectHosts).
	RedirectHosts []string
	// Store holds validators and bodies (nil = none: every sync fetches
	// in full and nothing survives the process).
	Store Store
	// ReadOnly uses the stored state but never writes it (one-shot
	// commands beside a running daemon).
	ReadOnly bool
	// Limits bound each parse (zone transitions, parse time); a feed over
	// them fails with reason "budget".
	Limits      calendar.Limits
	Concurrency int       // default DefaultConcurrency
	Fetch       FetchFunc // default calendar.Fetch
	// Now is the clock of stored success times (default time.Now).
	Now func() time.Time
}

// Source is the ICS feed source.
type Source struct {
	o      Options
	byName map[string]Feed

	mu         sync.Mutex
	validators map[string]stored // by feed name: the data read last (restored or fetched)
}

// stored is what the source knows of a feed's data held by the engine.
type stored struct {
	source string // the definition it was read from
	v      calendar.Validators
	// unsaved: the last save failed, so the store lacks what the engine
	// holds; the next fetch asks for the whole feed to save it again.
	unsaved bool
}

// New returns the source of o.Feeds.
func New(o Options) *Source {
	if o.Concurrency <= 0 {
		o.Concurrency = DefaultConcurrency
	}
	if o.Fetch == nil {
		o.Fetch = calendar.Fetch
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	s := &Source{o: o, validators: map[string]stored{}, byName: make(map[string]Feed, len(o.Feeds))}
	for _, f := range o.Feeds {
		s.byName[f.Name] = f
	}
	return s
}

// Kind is "ics".
func (s *Source) Kind() string { return "ics" }

// Calendars lists the configured feeds, each owner resolved to the
// directory's primary email (an alias in the config still names one
// person; the organizer-copy preference in calendar.Dedup compares them).
func (s *Source) Calendars(org calendar.Org) []calendar.Calendar {
	out := make([]calendar.Calendar, 0, len(s.o.Feeds))
	for _, f := range s.o.Feeds {
		owner := f.Owner
		if p, ok := org.Resolve(owner); ok {
			owner = p
		}
		id := f.Path
		if f.URL != "" {
			id = urlID(f.URL)
		}
		out = append(out, calendar.Calendar{Name: f.Name, Owner: owner, Zone: f.Zone, ID: id})
	}
	return out
}

// sourceID identifies a feed definition: stored state is reused only while
// the feed still points at the same file or URL, owner and zone.
func (s *Source) sourceID(c calendar.Calendar) string {
	src := s.feed(c)
	zone := ""
	if c.Zone != nil {
		zone = c.Zone.String()
	}
	return SourceID(c.Owner, src.Path, src.URL, zone)
}

// SourceID is the stored identity of a feed definition:
// "owner|path|sha256:HEX|zone", the URL (often holding a secret token)
// only as its SHA-256.
func SourceID(owner, path, url, zone string) string {
	return owner + "|" + path + "|" + urlID(url) + "|" + zone
}

// urlID is the identity of a feed URL: its SHA-256 ("" for none).
func urlID(url string) string {
	if url == "" {
		return ""
	}
	h := sha256.Sum256([]byte(url))
	return "sha256:" + hex.EncodeToString(h[:])
}

// UpgradeSourceID rewrites a Source stored before cadence hashed URLs
// ("owner|path|url|zone", the URL in clear) as SourceID does; a current
// one is returned unchanged. The state store's migration calls it.
func UpgradeSourceID(old string) string {
	first, last := strings.IndexByte(old, '|'), strings.LastIndexByte(old, '|')
	if first < 0 || last <= first {
		return old
	}
	owner, mid, zone := old[:first], old[first+1:last], old[last+1:]
	// mid is "path|url": exactly one of them is set.
	var path, url string
	switch {
	case strings.HasPrefix(mid, "|"):
		url = mid[1:]
	case strings.HasSuffix(mid, "|"):
		path = mid[:len(mid)-1]
	default:
		return old
	}
	if strings.HasPrefix(url, "sha256:") {
		return old
	}
	return SourceID(owner, path, url, zone)
}

func (s *Source) feed(cal calendar.Calendar) calendar.ICSSource {
	f := s.byName[cal.Name]
	return calendar.ICSSource{Name: cal.Name, Owner: cal.Owner, Zone: cal.Zone, Path: f.Path, URL: f.URL}
}

// Restore parses the stored body of cal, if any was stored for the same
// definition. A body that fails to parse or exceeds a limit is
// quarantined (Restored.Quarantined): marked in the store, kept, never
// parsed again, and the feed is fetched afresh.
func (s *Source) Restore(ctx context.Context, cal calendar.Calendar) (*calendar.Restored, error) {
	if s.o.Store == nil {
		return nil, nil
	}
	rec, err := s.o.Store.LoadFeed(ctx, cal.Name)
	if err != nil {
		return nil, fmt.Errorf("icsfeed: feed %s: %w", cal.Name, err)
	}
	if rec == nil || rec.Source != s.sourceID(cal) {
		return nil, nil
	}
	if rec.Quarantined != "" {
		return &calendar.Restored{Quarantined: fmt.Errorf("icsfeed: feed %s: stored data quarantined (not parsed again): %s", cal.Name, rec.Quarantined)}, nil
	}
	feed, err := s.parse(cal, rec.Body)
	if err != nil {
		// A body that fails (or asks for too much) would do so at every
		// start: set it aside, keep it for inspection, and fetch afresh.
		q := &calendar.Restored{Quarantined: fmt.Errorf("icsfeed: feed %s: stored data quarantined: %w", cal.Name, err)}
		if !s.o.ReadOnly {
			rec.Quarantined = err.Error()
			if serr := s.o.Store.SaveFeed(ctx, cal.Name, rec); serr != nil {
				return q, fmt.Errorf("icsfeed: feed %s: quarantining stored data: %w", cal.Name, serr)
			}
		}
		return q, nil
	}
	s.mu.Lock()
	s.validators[cal.Name] = stored{source: rec.Source, v: rec.Validators}
	s.mu.Unlock()
	return &calendar.Restored{Feed: feed, LastSuccess: rec.LastSuccess}, nil
}

func (s *Source) parse(cal calendar.Calendar, data []byte) (*calendar.Feed, error) {
	return calendar.ParseICS(bytes.NewReader(data), calendar.ParseOptions{Name: cal.Name, Owner: cal.Owner, Zone: cal.Zone, Limits: s.o.Limits})
}

// Sync fetches and parses every feed of cals, at most Concurrency at
// once, conditionally when the feed's data was restored or read before.
func (s *Source) Sync(ctx context.Context, cals []calendar.Calendar, done func(calendar.SyncResult)) {
	// Sorted by name so runs are repeatable.
	cals = append([]calendar.Calendar(nil), cals...)
	sort.Slice(cals, func(i, j int) bool { return cals[i].Name < cals[j].Name })
	calendar.Each(ctx, cals, s.o.Concurrency, func(cal calendar.Calendar) {
		res := s.sync(ctx, cal)
		if ctx.Err() == nil {
			done(res)
		}
	})
}

func (s *Source) sync(ctx context.Context, cal calendar.Calendar) calendar.SyncResult {
	o := s.o
	start := time.Now() // duration measurement only, never logic
	res := calendar.SyncResult{Calendar: cal}
	id := s.sourceID(cal)
	var prev *calendar.Validators
	s.mu.Lock()
	if st, ok := s.validators[cal.Name]; ok && st.source == id {
		// There is data to reuse: a 304 means it is current. After a
		// failed save the whole feed is asked for, to be saved again.
		v := st.v
		if st.unsaved {
			v = calendar.Validators{}
		}
		prev = &v
	}
	s.mu.Unlock()
	fr, err := o.Fetch(ctx, s.feed(cal), calendar.FetchOptions{Timeout: o.Timeout, MaxBytes: o.MaxBytes, Previous: prev, RedirectHosts: o.RedirectHosts})
	defer func() { res.Duration = time.Since(start) }()
	if err != nil {
		res.Err, res.Reason = err, fetchReason(err)
		return res
	}
	if fr.NotModified {
		if prev == nil {
			// Fetch reports this as an error; a replacement might not.
			res.Err, res.Reason = fmt.Errorf("icsfeed: %s: not modified, but there is no earlier copy to reuse: %w", s.feed(cal).Label(), calendar.ErrHTTPStatus), "http_status"
			return res
		}
		res.Unchanged = true
		return res
	}
	feed, err := s.parse(cal, fr.Data)
	if err != nil {
		res.Err, res.Reason = err, "parse"
		if errors.Is(err, calendar.ErrBudget) {
			res.Reason = "budget"
		}
		return res
	}
	res.Feed = feed
	st := stored{source: id, v: fr.Validators}
	if o.Store != nil && !o.ReadOnly {
		rec := &Record{Source: id, Validators: fr.Validators, Body: calendar.Minimize(fr.Data), LastSuccess: o.Now()}
		if err := o.Store.SaveFeed(ctx, cal.Name, rec); err != nil {
			res.StateErr = fmt.Errorf("icsfeed: feed %s: %w", cal.Name, err)
			st.unsaved = true
		}
	}
	s.mu.Lock()
	s.validators[cal.Name] = st
	s.mu.Unlock()
	return res
}

// fetchReason classifies a fetch error for cadence_source_errors_total.
func fetchReason(err error) string {
	var ne net.Error
	switch {
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		return "timeout"
	case errors.Is(err, calendar.ErrTooLarge):
		return "too_large"
	case errors.Is(err, calendar.ErrHTTPStatus):
		return "http_status"
	default:
		return "fetch"
	}
}

// Inherit takes over prev's validators (a configuration reload builds a
// new Source; prev keeps running until the engine switches): a feed whose
// definition did not change is still fetched conditionally. prev is not
// changed, so a reload that fails later leaves the running source intact.
func (s *Source) Inherit(prev *Source) {
	prev.mu.Lock()
	v := make(map[string]stored, len(prev.validators))
	for k, x := range prev.validators {
		v[k] = x
	}
	prev.mu.Unlock()
	s.mu.Lock()
	for k, x := range v {
		if _, ok := s.validators[k]; !ok {
			s.validators[k] = x
		}
	}
	s.mu.Unlock()
}
