// Package microsoft reads Microsoft 365 (Exchange Online) calendars and
// the Entra ID directory through Microsoft Graph v1.0, as cadence sources.
//
// A Syncer keeps each mailbox's calendar up to date with Graph's delta
// query on a calendar view: GET /users/{id}/calendarView/delta over a
// window (startDateTime, endDateTime), pages followed by @odata.nextLink
// (Prefer: odata.maxpagesize) to an @odata.deltaLink, which the next
// cycle calls to get only what changed (one request for an unchanged
// mailbox). An expired delta state (410 Gone, syncStateNotFound,
// resyncRequired) re-syncs the mailbox in full, and so does a window that
// no longer reaches far enough ahead. Times are asked in UTC (Prefer:
// outlook.timezone="UTC").
//
// A calendar view returns instances, never series masters, and a
// cancelled occurrence is not returned at all. So for every series
// touched by a round the Syncer reads its master once (GET
// /users/{id}/events/{seriesMasterId}) and the converter turns the
// master's patternedRecurrence into an RRULE: the occurrences the
// pattern generates inside the window but the mailbox no longer has are
// cancelled (EXDATE), moved ones are overrides at their original start.
// Occurrences take the master's iCalUId, so copies in several mailboxes
// are one meeting.
//
// Requests are rate limited per mailbox (a request rate and at most four
// in flight, Outlook's limits), retried on 429, 500, 502, 503 and 504 and
// on transport errors with truncated exponential backoff and full jitter,
// waiting at least the server's Retry-After, and each times out. The
// state lives in a StateStore, saved once per completed round: a failing
// mailbox keeps its last good data. Errors start with "microsoft: " and
// name the mailbox; no token, secret or delta link ever appears in them.
package microsoft

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/cadence-dev/cadence/calendar/internal/apimetrics"
	"github.com/cadence-dev/cadence/calendar/internal/httperr"
	"maps"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/cadence-dev/cadence/calendar"
	"github.com/cadence-dev/cadence/calendar/microsoft/graph"
)

// Defaults of Config.
const (
	DefaultEndpoint           = "https://graph.microsoft.com/v1.0"
	DefaultPageSize           = 200
	DefaultRequestsPer10Min   = 5000 // Outlook's limit: 10,000 per 10 minutes per app and mailbox
	DefaultMailboxConcurrency = 4    // Outlook's limit: 4 concurrent requests per app and mailbox
	DefaultConcurrency        = 8
	DefaultMaxAttempts        = 6
	DefaultBaseBackoff        = time.Second
	DefaultMaxBackoff         = 64 * time.Second
	DefaultMaxRetryAfter      = 5 * time.Minute
	DefaultRequestTimeout     = 60 * time.Second
	DefaultBack               = 430 * 24 * time.Hour
	DefaultMinAhead           = 105 * 24 * time.Hour
	DefaultAhead              = 135 * 24 * time.Hour
	// Margin is kept at both ends of the window: an occurrence whose
	// original start lies that close to an edge may have been moved out
	// of the view, so its absence says nothing.
	Margin = 7 * 24 * time.Hour
)

// Config tunes a Syncer. Zero values take the defaults above.
type Config struct {
	// Endpoint is the Graph base URL with its version ("" =
	// https://graph.microsoft.com/v1.0). For the fake server:
	// fakegraph.Endpoint(url).
	Endpoint string
	// PageSize is sent as Prefer: odata.maxpagesize (1..1000).
	PageSize int
	// RequestsPer10Min is the client-side rate limit per mailbox; a
	// negative value disables it.
	RequestsPer10Min int
	// MailboxConcurrency bounds the requests in flight per mailbox (1..4).
	MailboxConcurrency int
	// Concurrency is how many mailboxes sync at once.
	Concurrency int
	// MaxAttempts is the number of tries of one request (1 = no retry).
	MaxAttempts int
	// BaseBackoff and MaxBackoff bound the exponential backoff; each wait
	// is drawn uniformly from [0, min(MaxBackoff, BaseBackoff*2^n)) (full
	// jitter), and is at least the server's Retry-After.
	BaseBackoff, MaxBackoff time.Duration
	// MaxRetryAfter is the longest Retry-After honoured; a longer one
	// fails the request (the mailbox keeps its data until the next cycle).
	MaxRetryAfter time.Duration
	// RequestTimeout bounds each HTTP request.
	RequestTimeout time.Duration
	// The window of a delta round: from Back before now to Ahead after
	// it, fixed when the round starts (a delta link keeps its window). A
	// round whose window ends less than MinAhead after now, or starts
	// later than Back before now, is replaced by a full sync.
	Back, Ahead, MinAhead time.Duration
	// Clock paces rate limiting and backoff (nil = RealClock).
	Clock Clock
	// WindowNow places the window (nil = Clock.Now): the instant the
	// evaluation is for, which a one-shot command may fix (--at) while
	// its requests still wait on the wall clock.
	WindowNow func() time.Time
	// Registerer receives the operational metrics (nil = not registered).
	Registerer prometheus.Registerer
	// SyncDuration, when set, is the cadence_source_sync_duration_seconds
	// gauge (label "source") the caller registered; the daemon shares it
	// between its sources.
	SyncDuration *prometheus.GaugeVec
	// Client is the authorized HTTP client (ClientCredentials); nil = an
	// unauthenticated client (only useful with the fake server).
	Client *http.Client
}

// Mailbox is one mailbox's default calendar to sync.
type Mailbox struct {
	// ID identifies the mailbox: its primary SMTP address or user
	// principal name, or its Entra object id. It keys the stored state.
	ID string
	// Name is the source name (Event.Source; "" = "microsoft:"+ID); Owner
	// the owner's email (Event.Owner; "" = ID).
	Name, Owner string
	// Zone anchors all-day dates (nil = UTC; the engine re-anchors them
	// in the owner's zone).
	Zone *time.Location
}

func (m Mailbox) normalized() Mailbox {
	m.ID = strings.TrimSpace(m.ID)
	if m.Owner == "" {
		m.Owner = m.ID
	}
	m.Owner = strings.ToLower(m.Owner)
	if m.Name == "" {
		m.Name = NamePrefix + strings.ToLower(m.ID)
	}
	return m
}

// Result is the outcome of syncing one mailbox.
type Result struct {
	Mailbox Mailbox
	// Feed holds the mailbox's events: fresh after a successful sync;
	// after a failed one, the last saved state (stale, or nil when none).
	Feed *calendar.Feed
	Err  error
	// Full is true when this cycle was a full sync (first run, a new
	// window, or an expired delta state: Resynced is then true too).
	Full, Resynced bool
	// Requests is the number of HTTP requests sent (retries included);
	// Changes the number of delta items received; Masters the number of
	// series masters read.
	Requests, Changes, Masters int
	// LastSuccess is the end of this sync when it succeeded, else the
	// time the stored state was last saved (zero when never).
	LastSuccess time.Time
	Duration    time.Duration
}

// Syncer syncs mailboxes into a StateStore.
type Syncer struct {
	cfg      Config
	endpoint *url.URL
	client   *http.Client
	store    StateStore
	clock    Clock
	limiter  *limiter
	metrics  *apimetrics.Metrics

	mu    sync.Mutex
	locks calendar.Locks // one sync of a calendar at a time
	// ids maps a lower-cased address (mail, UPN, proxy address) to the
	// Entra object id the directory reported, used in request paths.
	ids map[string]string
	// feeds caches each mailbox's converted feed for the state it was
	// built from.
	feeds map[string]cachedFeed
}

type cachedFeed struct {
	name, owner, zone string
	link              string
	updated           time.Time
	feed              *calendar.Feed
}

// New returns a Syncer storing state in store.
func New(cfg Config, store StateStore) (*Syncer, error) {
	if store == nil {
		return nil, errors.New("microsoft: no state store")
	}
	if cfg.Endpoint == "" {
		cfg.Endpoint = DefaultEndpoint
	}
	cfg.Endpoint = strings.TrimRight(cfg.Endpoint, "/")
	ep, err := url.Parse(cfg.Endpoint)
	if err != nil || (ep.Scheme != "https" && ep.Scheme != "http") || ep.Host == "" {
		return nil, fmt.Errorf("microsoft: endpoint %q: want an http(s) URL such as %s", cfg.Endpoint, DefaultEndpoint)
	}
	defaults := []struct {
		v   *int
		def int
	}{{&cfg.PageSize, DefaultPageSize}, {&cfg.RequestsPer10Min, DefaultRequestsPer10Min}, {&cfg.MailboxConcurrency, DefaultMailboxConcurrency},
		{&cfg.Concurrency, DefaultConcurrency}, {&cfg.MaxAttempts, DefaultMaxAttempts}}
	for _, d := range defaults {
		if *d.v == 0 {
			*d.v = d.def
		}
	}
	durations := []struct {
		v   *time.Duration
		def time.Duration
	}{{&cfg.BaseBackoff, DefaultBaseBackoff}, {&cfg.MaxBackoff, DefaultMaxBackoff}, {&cfg.MaxRetryAfter, DefaultMaxRetryAfter},
		{&cfg.RequestTimeout, DefaultRequestTimeout}, {&cfg.Back, DefaultBack}, {&cfg.Ahead, DefaultAhead}, {&cfg.MinAhead, DefaultMinAhead}}
	for _, d := range durations {
		if *d.v == 0 {
			*d.v = d.def
		}
	}
	switch {
	case cfg.PageSize < 1 || cfg.PageSize > 1000:
		return nil, fmt.Errorf("microsoft: page size %d out of range 1..1000", cfg.PageSize)
	case cfg.MailboxConcurrency < 1 || cfg.MailboxConcurrency > 4:
		return nil, fmt.Errorf("microsoft: mailbox concurrency %d out of range 1..4 (Outlook allows 4 concurrent requests per mailbox)", cfg.MailboxConcurrency)
	case cfg.Concurrency < 1:
		return nil, fmt.Errorf("microsoft: concurrency %d: want at least 1", cfg.Concurrency)
	case cfg.MaxAttempts < 1:
		return nil, fmt.Errorf("microsoft: max attempts %d: want at least 1", cfg.MaxAttempts)
	case cfg.Back < 2*Margin || cfg.MinAhead < 2*Margin || cfg.Ahead <= cfg.MinAhead:
		return nil, fmt.Errorf("microsoft: window back %v, ahead %v, min ahead %v: want back and min ahead at least %v and ahead beyond min ahead", cfg.Back, cfg.Ahead, cfg.MinAhead, 2*Margin)
	}
	s := &Syncer{cfg: cfg, endpoint: ep, client: cfg.Client, store: store, clock: cfg.Clock,
		ids: map[string]string{}, feeds: map[string]cachedFeed{}}
	if s.client == nil {
		s.client = &http.Client{}
	}
	if s.clock == nil {
		s.clock = RealClock{}
	}
	s.limiter = newLimiter(cfg.RequestsPer10Min, cfg.MailboxConcurrency)
	if s.metrics, err = newMetrics(cfg.Registerer, cfg.SyncDuration); err != nil {
		return nil, err
	}
	return s, nil
}

// Concurrency is how many mailboxes sync at once.
func (s *Syncer) Concurrency() int { return s.cfg.Concurrency }

// SetMailboxIDs records the Entra object id of each user's addresses
// (mail, user principal name, aliases), so requests name mailboxes by id
// (an address that is not the user principal name is not a valid path).
// Directory calls it.
func (s *Syncer) SetMailboxIDs(users []User) {
	ids := map[string]string{}
	for _, u := range users {
		if u.ID == "" {
			continue
		}
		for _, a := range append([]string{u.Email, u.UserPrincipalName}, u.Aliases...) {
			if a = strings.ToLower(strings.TrimSpace(a)); a != "" {
				ids[a] = u.ID
			}
		}
	}
	s.mu.Lock()
	s.ids = ids
	s.mu.Unlock()
}

// pathID is how a mailbox is named in request paths.
func (s *Syncer) pathID(m Mailbox) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if id, ok := s.ids[strings.ToLower(m.ID)]; ok {
		return id
	}
	return m.ID
}

func (s *Syncer) userURL(m Mailbox) string {
	return s.cfg.Endpoint + "/users/" + url.PathEscape(s.pathID(m))
}

// SyncAll syncs every mailbox, at most Config.Concurrency at once. One
// failing mailbox never stops the others: each gets its own Result, in
// the order of boxes.
func (s *Syncer) SyncAll(ctx context.Context, boxes []Mailbox) []Result {
	results := make([]Result, len(boxes))
	calendar.EachIndex(ctx, len(boxes), s.cfg.Concurrency, func(i int) { results[i] = s.Sync(ctx, boxes[i]) })
	for i, r := range results {
		if r.Mailbox.ID == "" { // not started: ctx ended
			results[i] = Result{Mailbox: boxes[i], Err: fmt.Errorf("microsoft: mailbox %s: %w", boxes[i].ID, ctx.Err())}
		}
	}
	return results
}

// Sync runs one sync cycle of one mailbox.
func (s *Syncer) Sync(ctx context.Context, m Mailbox) Result {
	m = m.normalized()
	defer s.locks.Lock(m.ID)()
	start := s.clock.Now()
	res := Result{Mailbox: m}
	res.Err = s.sync(ctx, m, &res)
	res.Duration = s.clock.Now().Sub(start)
	s.metrics.Duration.WithLabelValues(m.Name).Set(res.Duration.Seconds())
	return res
}

// Events returns the mailbox's events from the stored state, without any
// request (nil feed when nothing is stored).
func (s *Syncer) Events(ctx context.Context, m Mailbox) (*calendar.Feed, time.Time, error) {
	m = m.normalized()
	st, err := s.store.LoadMailbox(ctx, m.ID)
	if err != nil {
		return nil, time.Time{}, fmt.Errorf("microsoft: mailbox %s: load state: %w", m.ID, err)
	}
	if st == nil {
		return nil, time.Time{}, nil
	}
	return s.feed(m, st, false), st.UpdatedAt, nil
}

// feed converts a mailbox's state, or returns the cached conversion of
// the same state (same delta link and save time) unless fresh says the
// state was just saved. The feed is shared: callers must not modify it.
func (s *Syncer) feed(m Mailbox, st *MailboxState, fresh bool) *calendar.Feed {
	zone := m.Zone
	if zone == nil {
		zone = time.UTC
	}
	s.mu.Lock()
	c, ok := s.feeds[m.ID]
	s.mu.Unlock()
	if ok && !fresh && c.name == m.Name && c.owner == m.Owner && c.zone == zone.String() && c.link == st.DeltaLink && c.updated.Equal(st.UpdatedAt) {
		return c.feed
	}
	conv := &converter{box: m, zone: zone, known: knownRange(st)}
	evs := conv.convert(st)
	f := &calendar.Feed{Name: m.Name, Owner: m.Owner, Events: evs, Warnings: conv.warnings}
	s.mu.Lock()
	s.feeds[m.ID] = cachedFeed{name: m.Name, owner: m.Owner, zone: zone.String(), link: st.DeltaLink, updated: st.UpdatedAt, feed: f}
	s.mu.Unlock()
	return f
}

// retag moves the cached feed built from st to the state's new delta
// link and save time (the events did not change).
func (s *Syncer) retag(id string, st *MailboxState, link string, updated time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c, ok := s.feeds[id]; ok && c.link == st.DeltaLink && c.updated.Equal(st.UpdatedAt) {
		c.link, c.updated = link, updated
		s.feeds[id] = c
	}
}

func (s *Syncer) windowNow() time.Time {
	if s.cfg.WindowNow != nil {
		return s.cfg.WindowNow()
	}
	return s.clock.Now()
}

// window is the calendar view of a new delta round at now: whole UTC days.
func (s *Syncer) window(now time.Time) (from, to time.Time) {
	day := 24 * time.Hour
	from = now.Add(-s.cfg.Back).UTC().Truncate(day)
	to = now.Add(s.cfg.Ahead).UTC().Truncate(day).Add(day)
	return from, to
}

// needsNewWindow reports whether st's window no longer covers what a
// round at now must: far enough ahead, and back.
func (s *Syncer) needsNewWindow(st *MailboxState, now time.Time) bool {
	return st.WindowEnd.Before(now.Add(s.cfg.MinAhead)) || st.WindowStart.After(now.Add(-s.cfg.Back))
}

// errExpired marks an expired or invalid delta state.
var errExpired = errors.New("delta state expired or invalid")

func (s *Syncer) sync(ctx context.Context, m Mailbox, res *Result) error {
	st, err := s.store.LoadMailbox(ctx, m.ID)
	if err != nil {
		return fmt.Errorf("microsoft: mailbox %s: load state: %w", m.ID, err)
	}
	if stale := st; stale != nil {
		res.LastSuccess = stale.UpdatedAt
		defer func() {
			if res.Feed == nil {
				// Failed: the last saved state, stale but not empty.
				res.Feed = s.feed(m, stale, false)
			}
		}()
	}
	full := st == nil || st.DeltaLink == "" || s.needsNewWindow(st, s.windowNow())
	for attempt := 0; ; attempt++ {
		next, err := s.round(ctx, m, st, full, res)
		if errors.Is(err, errExpired) && attempt < 2 {
			full, res.Resynced = true, true
			continue
		}
		if errors.Is(err, errExpired) {
			return fmt.Errorf("microsoft: mailbox %s: %w, even after a full re-sync", m.ID, err)
		}
		if err != nil {
			return err
		}
		now := s.clock.Now()
		if !full && res.Changes == 0 {
			// Nothing changed: keep the events, record the new link.
			if next.DeltaLink == st.DeltaLink {
				res.LastSuccess = now
				res.Feed = s.feed(m, st, false)
				return nil
			}
			if ds, ok := s.store.(DeltaSaver); ok {
				if err := ds.SaveDeltaLink(ctx, m.ID, next.DeltaLink, now); err != nil {
					return fmt.Errorf("microsoft: mailbox %s: save delta link: %w", m.ID, err)
				}
				res.Feed = s.feed(m, st, false)
				s.retag(m.ID, st, next.DeltaLink, now)
				res.LastSuccess = now
				return nil
			}
		}
		next.UpdatedAt = now
		if err := s.store.SaveMailbox(ctx, m.ID, next); err != nil {
			return fmt.Errorf("microsoft: mailbox %s: save state: %w", m.ID, err)
		}
		res.LastSuccess = now
		res.Feed = s.feed(m, next, true)
		return nil
	}
}

// round runs one delta round: incremental from st's delta link unless
// full, then reads the masters of the series it touched. It returns the
// new state without saving it.
func (s *Syncer) round(ctx context.Context, m Mailbox, st *MailboxState, full bool, res *Result) (*MailboxState, error) {
	next := &MailboxState{Events: map[string]json.RawMessage{}, Masters: map[string]json.RawMessage{}}
	var link string
	if full {
		res.Full = true
		next.WindowStart, next.WindowEnd = s.window(s.windowNow())
		q := url.Values{}
		q.Set("startDateTime", next.WindowStart.Format("2006-01-02T15:04:05Z"))
		q.Set("endDateTime", next.WindowEnd.Format("2006-01-02T15:04:05Z"))
		link = s.userURL(m) + "/calendarView/delta?" + q.Encode()
	} else {
		next.WindowStart, next.WindowEnd = st.WindowStart, st.WindowEnd
		next.Events, next.Masters = maps.Clone(st.Events), maps.Clone(st.Masters)
		link = st.DeltaLink
	}
	res.Changes = 0
	touched := map[string]bool{}
	for page := 1; ; page++ {
		var p graph.Page[json.RawMessage]
		err := s.get(ctx, request{mailbox: m.ID, method: MethodDelta, url: link, pageSize: s.cfg.PageSize}, &res.Requests, &p)
		if expired(err) {
			return nil, errExpired
		}
		if err != nil {
			return nil, fmt.Errorf("microsoft: mailbox %s: calendarView delta page %d: %w", m.ID, page, err)
		}
		for _, raw := range p.Value {
			var ev graph.Event
			if err := json.Unmarshal(raw, &ev); err != nil {
				return nil, fmt.Errorf("microsoft: mailbox %s: calendarView delta page %d: item: %w", m.ID, page, err)
			}
			if ev.ID == "" {
				continue
			}
			res.Changes++
			if err := apply(next, &ev, raw, touched); err != nil {
				return nil, fmt.Errorf("microsoft: mailbox %s: event %s: %w", m.ID, ev.ID, err)
			}
		}
		switch {
		case p.NextLink != "":
			if !s.sameOrigin(p.NextLink) {
				return nil, fmt.Errorf("microsoft: mailbox %s: calendarView delta page %d: @odata.nextLink points at another host (%s): refused", m.ID, page, httperr.Redact(p.NextLink))
			}
			if p.NextLink == link {
				return nil, fmt.Errorf("microsoft: mailbox %s: calendarView delta page %d repeats its link", m.ID, page)
			}
			link = p.NextLink
			continue
		case p.DeltaLink == "":
			return nil, fmt.Errorf("microsoft: mailbox %s: calendarView delta page %d has neither @odata.nextLink nor @odata.deltaLink", m.ID, page)
		case !s.sameOrigin(p.DeltaLink):
			return nil, fmt.Errorf("microsoft: mailbox %s: @odata.deltaLink points at another host (%s): refused", m.ID, httperr.Redact(p.DeltaLink))
		}
		next.DeltaLink = p.DeltaLink
		break
	}
	if full && st != nil {
		carryOver(next, st, touched)
	}
	if err := s.masters(ctx, m, next, touched, full, res); err != nil {
		return nil, err
	}
	return next, nil
}

// apply records one delta item in the state. A removed occurrence or
// exception leaves (its absence is its cancellation, against the
// series' pattern); a removed single meeting stays, cancelled, since a
// meeting its organizer cancelled or deleted is a cancelled meeting.
func apply(st *MailboxState, ev *graph.Event, raw json.RawMessage, touched map[string]bool) error {
	if ev.Removed != nil {
		raw, ok := st.Events[ev.ID]
		if !ok {
			if _, ok := st.Masters[ev.ID]; ok {
				touched[ev.ID] = true
			}
			return nil
		}
		var old storedEvent
		if err := json.Unmarshal(raw, &old); err != nil {
			delete(st.Events, ev.ID)
			return nil
		}
		if old.SeriesMasterID != "" {
			delete(st.Events, ev.ID)
			touched[old.SeriesMasterID] = true
			return nil
		}
		if old.Start == nil {
			delete(st.Events, ev.ID)
			return nil
		}
		old.IsCancelled, old.CadenceRemoved = true, true
		b, err := json.Marshal(old)
		if err != nil {
			return err
		}
		st.Events[ev.ID] = b
		return nil
	}
	if ev.Type == graph.SeriesMaster {
		// Not listed by a calendar view; should one come, it is a master.
		touched[ev.ID] = true
		return nil
	}
	if old, ok := st.Events[ev.ID]; ok && raw != nil && !has(old, "cadenceRemoved") {
		// Graph's delta contract: an updated item carries at least the
		// properties that changed. Overlay them on what is stored.
		merged, err := overlay(old, raw)
		if err != nil {
			return err
		}
		var m graph.Event
		if err := json.Unmarshal(merged, &m); err != nil {
			return err
		}
		ev = &m
	}
	b, err := json.Marshal(storedEvent{Event: trim(ev)})
	if err != nil {
		return err
	}
	st.Events[ev.ID] = b
	if ev.SeriesMasterID != "" {
		touched[ev.SeriesMasterID] = true
	}
	return nil
}

// overlay returns the JSON object old with the top-level properties of
// upd written over it.
func overlay(old, upd json.RawMessage) (json.RawMessage, error) {
	var o, u map[string]json.RawMessage
	if err := json.Unmarshal(old, &o); err != nil {
		return upd, nil
	}
	if err := json.Unmarshal(upd, &u); err != nil {
		return nil, err
	}
	for k, v := range u {
		o[k] = v
	}
	return json.Marshal(o)
}

func has(raw json.RawMessage, key string) bool {
	var m map[string]json.RawMessage
	if json.Unmarshal(raw, &m) != nil {
		return false
	}
	_, ok := m[key]
	return ok
}

// carryOver keeps, after a full sync, what the previous state knew that
// a full listing cannot say: single meetings that left the mailbox (kept
// cancelled, as apply keeps them; one that vanished between the rounds is
// one too), and masters whose occurrences are all gone from the window
// (read again below to see whether the series still exists).
func carryOver(next, prev *MailboxState, touched map[string]bool) {
	for id, raw := range prev.Events {
		if _, ok := next.Events[id]; ok {
			continue
		}
		var old storedEvent
		if json.Unmarshal(raw, &old) != nil || old.SeriesMasterID != "" || old.Start == nil {
			continue
		}
		start, err := old.Start.Parse(time.UTC)
		if err != nil || start.Before(next.WindowStart) || !start.Before(next.WindowEnd) {
			continue
		}
		if !old.CadenceRemoved {
			old.IsCancelled, old.CadenceRemoved = true, true
			b, err := json.Marshal(old)
			if err != nil {
				continue
			}
			raw = b
		}
		next.Events[id] = raw
	}
	for id, raw := range prev.Masters {
		var old storedEvent
		if json.Unmarshal(raw, &old) == nil && !old.CadenceGone {
			touched[id] = true
		}
	}
}

// masters reads the master of every series touched by the round (its
// pattern may have changed), of every series the state lacks the master
// of, and drops masters no longer needed: a master stays while the state
// has instances of its series, or while it exists (all its occurrences in
// the window were then cancelled).
func (s *Syncer) masters(ctx context.Context, m Mailbox, st *MailboxState, touched map[string]bool, full bool, res *Result) error {
	used := map[string]bool{}
	for _, raw := range st.Events {
		var x struct {
			SeriesMasterID string `json:"seriesMasterId"`
		}
		if json.Unmarshal(raw, &x) == nil && x.SeriesMasterID != "" {
			used[x.SeriesMasterID] = true
		}
	}
	want := map[string]bool{}
	for id := range touched {
		want[id] = true
	}
	for id := range used {
		if _, ok := st.Masters[id]; !ok || full {
			want[id] = true
		}
	}
	ids := make([]string, 0, len(want))
	for id := range want {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		var ev graph.Event
		u := s.userURL(m) + "/events/" + url.PathEscape(id) + "?" + url.Values{"$select": {graph.EventSelect}}.Encode()
		err := s.get(ctx, request{mailbox: m.ID, method: MethodEvent, url: u}, &res.Requests, &ev)
		res.Masters++
		var stored storedEvent
		switch {
		case notFound(err):
			stored = storedEvent{Event: graph.Event{ID: id, Type: graph.SeriesMaster}, CadenceGone: true}
		case err != nil:
			return fmt.Errorf("microsoft: mailbox %s: series master %s: %w", m.ID, id, err)
		default:
			if ev.ID == "" {
				ev.ID = id
			}
			stored = storedEvent{Event: trim(&ev)}
		}
		b, err := json.Marshal(stored)
		if err != nil {
			return fmt.Errorf("microsoft: mailbox %s: series master %s: %w", m.ID, id, err)
		}
		st.Masters[id] = b
	}
	for id, raw := range st.Masters {
		if used[id] {
			continue
		}
		var x storedEvent
		if json.Unmarshal(raw, &x) != nil || x.CadenceGone {
			delete(st.Masters, id)
		}
	}
	return nil
}

// storedEvent is a trimmed Graph event plus cadence's own marks.
type storedEvent struct {
	graph.Event
	CadenceRemoved bool `json:"cadenceRemoved,omitempty"`
	CadenceGone    bool `json:"cadenceGone,omitempty"`
}

// trim keeps what cadence uses of an event (package graph declares
// nothing else: no body, location or attachments) and drops the delta
// annotation.
func trim(ev *graph.Event) graph.Event {
	out := *ev
	out.Removed = nil
	out.LastModifiedDateTime = ""
	return out
}
