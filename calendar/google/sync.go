// Package google reads Google Calendar calendars as cadence sources.
//
// A Syncer keeps each calendar's event set up to date with Google's
// incremental sync: events.list with singleEvents=false and
// showDeleted=true, pages followed to nextSyncToken, later cycles sending
// the stored sync token, and a full re-sync after 410 Gone. The event set
// and token live in a StateStore, saved once per completed cycle. The set
// is converted into calendar.Events (masters with their recurrence,
// exceptions as overrides); expansion is package calendar's.
//
// Requests go through the real google.golang.org/api client, so the
// endpoint can point at Google or at the fake in package fakegoogle. The
// Syncer rate-limits (per quota user and per project), retries rate limits
// and server errors with truncated exponential backoff and full jitter,
// bounds concurrency and times out each request. Errors start with
// "google: " and name the calendar; no token or key ever appears in them.
package google

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/cadence-dev/cadence/calendar/internal/apimetrics"
	"github.com/cadence-dev/cadence/calendar/internal/httperr"
	gax "github.com/googleapis/gax-go/v2"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	calendarv3 "google.golang.org/api/calendar/v3"
	"google.golang.org/api/googleapi"
	"google.golang.org/api/option"

	"github.com/cadence-dev/cadence/calendar"
)

// Defaults of Config.
const (
	DefaultPageSize         = 2500
	DefaultPerUserPerMin    = 300  // Google's quota: 600/min per user
	DefaultPerProjectPerMin = 5000 // Google's quota: 10,000/min per project
	DefaultMaxAttempts      = 6
	DefaultBaseBackoff      = time.Second
	DefaultMaxBackoff       = 64 * time.Second
	DefaultConcurrency      = 4
	DefaultRequestTimeout   = 60 * time.Second
)

// Config tunes a Syncer. Zero values take the defaults above.
type Config struct {
	// Endpoint is the Calendar API base URL ("" = Google's). For the fake
	// server: fakegoogle.CalendarEndpoint(url).
	Endpoint string
	// PageSize is maxResults of events.list (1..2500).
	PageSize int
	// PerUserPerMinute and PerProjectPerMinute are the client-side rate
	// limits; a negative value disables that limit.
	PerUserPerMinute    int
	PerProjectPerMinute int
	// MaxAttempts is the number of tries of one request (1 = no retry).
	MaxAttempts int
	// BaseBackoff and MaxBackoff bound the exponential backoff; each wait is
	// drawn uniformly from [0, min(MaxBackoff, BaseBackoff*2^n)) (full
	// jitter), and at least the server's Retry-After when it sends one.
	BaseBackoff, MaxBackoff time.Duration
	// Concurrency is how many calendars SyncAll syncs at once.
	Concurrency int
	// RequestTimeout bounds each HTTP request.
	RequestTimeout time.Duration
	// Clock paces rate limiting and backoff (nil = RealClock).
	Clock Clock
	// Registerer receives the operational metrics (nil = not registered).
	Registerer prometheus.Registerer
	// SyncDuration, when set, is the cadence_source_sync_duration_seconds
	// gauge (label "source") the caller already registered; the
	// daemon shares it between all its sources.
	SyncDuration *prometheus.GaugeVec
	// HTTPClient returns the authorized client for a calendar (a
	// service-account client impersonating the calendar's owner, or one
	// user's OAuth client). Nil uses Calendar.Client, then an
	// unauthenticated http.Client (only useful with the fake server).
	HTTPClient func(ctx context.Context, cal Calendar) (*http.Client, error)
}

// Calendar is one calendar to sync.
type Calendar struct {
	// ID is the Google calendar id (a person's primary calendar: their
	// email).
	ID string
	// Name is the source name (Event.Source; "" = ID); Owner the owner's
	// email (Event.Owner; "" = ID).
	Name, Owner string
	// Zone anchors all-day dates and times without a zone (nil = the
	// calendar's own zone as Google reports it, else UTC).
	Zone *time.Location
	// QuotaUser is sent as quotaUser and keys the per-user rate limit
	// ("" = Owner, else ID).
	QuotaUser string
	// Client, when set, is the authorized HTTP client for this calendar.
	Client *http.Client
}

func (c Calendar) quotaUser() string {
	switch {
	case c.QuotaUser != "":
		return c.QuotaUser
	case c.Owner != "":
		return c.Owner
	}
	return c.ID
}

// normalized fills defaults: Owner = ID (a primary calendar's id is its
// owner's email), lower-cased; Name = ID.
func (c Calendar) normalized() Calendar {
	if c.Owner == "" {
		c.Owner = c.ID
	}
	c.Owner = strings.ToLower(c.Owner)
	if c.Name == "" {
		c.Name = c.ID
	}
	return c
}

// Endpoints maps one base URL (config google.endpoint, e.g. the fake
// server's http://127.0.0.1:8090) to the Calendar and Directory client
// endpoints; an empty base keeps Google's own ("", "").
func Endpoints(base string) (calendarEndpoint, directoryEndpoint string) {
	if base == "" {
		return "", ""
	}
	base = strings.TrimRight(base, "/")
	return base + "/calendar/v3/", base + "/"
}

// PrimaryCalendars lists the primary calendars of people (their emails,
// lower-cased): ID and Owner are the email, Name is namePrefix+email.
func PrimaryCalendars(emails []string, namePrefix string, zone *time.Location) []Calendar {
	out := make([]Calendar, 0, len(emails))
	for _, e := range emails {
		e = strings.ToLower(strings.TrimSpace(e))
		if e == "" {
			continue
		}
		out = append(out, Calendar{ID: e, Name: namePrefix + e, Owner: e, Zone: zone})
	}
	return out
}

// Result is the outcome of syncing one calendar.
type Result struct {
	Calendar Calendar
	// Feed holds the calendar's events: fresh after a successful sync; after
	// a failed one, the last saved state (stale, or nil when none).
	Feed *calendar.Feed
	Err  error
	// Full is true when this cycle was a full sync (first run, or after
	// 410 Gone: Resynced is then true too).
	Full, Resynced bool
	// Requests is the number of HTTP requests sent (retries included);
	// Changes the number of items received.
	Requests, Changes int
	// LastSuccess is the end of this sync when it succeeded, else the time
	// the stored state was last saved (zero when never).
	LastSuccess time.Time
	Duration    time.Duration
}

// Syncer syncs calendars into a StateStore.
type Syncer struct {
	cfg     Config
	store   StateStore
	clock   Clock
	limiter *limiter
	metrics *apimetrics.Metrics
	// locks serializes syncs of the same calendar.
	mu    sync.Mutex
	locks calendar.Locks // one sync of a calendar at a time
	// feeds caches each calendar's converted feed for the state it was
	// built from, so an unchanged calendar is not converted again.
	feeds map[string]cachedFeed
}

type cachedFeed struct {
	name, owner string
	zone        string // name of the effective zone
	token       string
	updated     time.Time
	feed        *calendar.Feed
	events      map[string]*convEntry
}

// New returns a Syncer storing state in store.
func New(cfg Config, store StateStore) (*Syncer, error) {
	if store == nil {
		return nil, errors.New("google: no state store")
	}
	if cfg.PageSize == 0 {
		cfg.PageSize = DefaultPageSize
	}
	if cfg.PageSize < 1 || cfg.PageSize > 2500 {
		return nil, fmt.Errorf("google: page size %d out of range 1..2500", cfg.PageSize)
	}
	if cfg.PerUserPerMinute == 0 {
		cfg.PerUserPerMinute = DefaultPerUserPerMin
	}
	if cfg.PerProjectPerMinute == 0 {
		cfg.PerProjectPerMinute = DefaultPerProjectPerMin
	}
	if cfg.MaxAttempts == 0 {
		cfg.MaxAttempts = DefaultMaxAttempts
	}
	if cfg.MaxAttempts < 1 {
		return nil, fmt.Errorf("google: max attempts %d: want at least 1", cfg.MaxAttempts)
	}
	if cfg.BaseBackoff == 0 {
		cfg.BaseBackoff = DefaultBaseBackoff
	}
	if cfg.MaxBackoff == 0 {
		cfg.MaxBackoff = DefaultMaxBackoff
	}
	if cfg.Concurrency == 0 {
		cfg.Concurrency = DefaultConcurrency
	}
	if cfg.Concurrency < 1 {
		return nil, fmt.Errorf("google: concurrency %d: want at least 1", cfg.Concurrency)
	}
	if cfg.RequestTimeout == 0 {
		cfg.RequestTimeout = DefaultRequestTimeout
	}
	s := &Syncer{cfg: cfg, store: store, clock: cfg.Clock, feeds: map[string]cachedFeed{}}
	if s.clock == nil {
		s.clock = RealClock{}
	}
	s.limiter = newLimiter(cfg.PerUserPerMinute, cfg.PerProjectPerMinute, s.clock.Now())
	m, err := newMetrics(cfg.Registerer, cfg.SyncDuration)
	if err != nil {
		return nil, err
	}
	s.metrics = m
	return s, nil
}

// SyncAll syncs every calendar, at most Config.Concurrency at once. One
// failing calendar never stops the others: each gets its own Result, in
// the order of cals.
func (s *Syncer) SyncAll(ctx context.Context, cals []Calendar) []Result {
	results := make([]Result, len(cals))
	calendar.EachIndex(ctx, len(cals), s.cfg.Concurrency, func(i int) { results[i] = s.Sync(ctx, cals[i]) })
	for i, r := range results {
		if r.Calendar.ID == "" { // not started: ctx ended
			results[i] = Result{Calendar: cals[i], Err: fmt.Errorf("google: calendar %s: %w", cals[i].ID, ctx.Err())}
		}
	}
	return results
}

// Sync runs one sync cycle of one calendar.
func (s *Syncer) Sync(ctx context.Context, cal Calendar) Result {
	cal = cal.normalized()
	defer s.locks.Lock(cal.ID)()
	start := s.clock.Now()
	res := Result{Calendar: cal}
	res.Err = s.sync(ctx, cal, &res)
	res.Duration = s.clock.Now().Sub(start)
	s.metrics.Duration.WithLabelValues(cal.Name).Set(res.Duration.Seconds())
	return res
}

// Events returns the calendar's events from the stored state, without
// any request (nil feed when nothing is stored).
func (s *Syncer) Events(ctx context.Context, cal Calendar) (*calendar.Feed, error) {
	cal = cal.normalized()
	st, err := s.store.LoadCalendar(ctx, cal.ID)
	if err != nil {
		return nil, fmt.Errorf("google: calendar %s: load state: %w", cal.ID, err)
	}
	if st == nil {
		return nil, nil
	}
	return s.feed(cal, st, false), nil
}

// feed converts a calendar's state, or returns the cached conversion of
// the same state (same token and save time) unless fresh says the state
// was just saved. Unchanged events reuse their previous conversion. The
// feed is shared: callers must not modify it.
func (s *Syncer) feed(cal Calendar, st *CalendarState, fresh bool) *calendar.Feed {
	zone := cal.Zone
	if zone == nil && st.TimeZone != "" {
		if loc, err := calendar.LoadLocation(st.TimeZone); err == nil {
			zone = loc
		}
	}
	if zone == nil {
		zone = time.UTC
	}
	s.mu.Lock()
	c, ok := s.feeds[cal.ID]
	s.mu.Unlock()
	ok = ok && c.name == cal.Name && c.owner == cal.Owner && c.zone == zone.String()
	if ok && !fresh && c.token == st.SyncToken && c.updated.Equal(st.UpdatedAt) {
		return c.feed
	}
	var prev map[string]*convEntry
	if ok {
		prev = c.events
	}
	conv := &converter{cal: cal, zone: zone, warned: map[string]bool{}}
	evs, events := conv.convert(st.Events, prev)
	f := &calendar.Feed{Name: cal.Name, Owner: cal.Owner, Events: evs, Warnings: conv.warnings}
	s.mu.Lock()
	s.feeds[cal.ID] = cachedFeed{name: cal.Name, owner: cal.Owner, zone: zone.String(), token: st.SyncToken, updated: st.UpdatedAt, feed: f, events: events}
	s.mu.Unlock()
	return f
}

// retag moves the cached feed built from st to the state's new token and
// save time (the event set did not change).
func (s *Syncer) retag(id string, st *CalendarState, token string, updated time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c, ok := s.feeds[id]; ok && c.token == st.SyncToken && c.updated.Equal(st.UpdatedAt) {
		c.token, c.updated = token, updated
		s.feeds[id] = c
	}
}

func (s *Syncer) service(ctx context.Context, cal Calendar) (*calendarv3.Service, error) {
	var hc *http.Client
	switch {
	case s.cfg.HTTPClient != nil:
		c, err := s.cfg.HTTPClient(ctx, cal)
		if err != nil {
			return nil, fmt.Errorf("google: calendar %s: credentials: %w", cal.ID, err)
		}
		hc = c
	case cal.Client != nil:
		hc = cal.Client
	default:
		hc = &http.Client{}
	}
	opts := []option.ClientOption{option.WithHTTPClient(hc)}
	if s.cfg.Endpoint != "" {
		opts = append(opts, option.WithEndpoint(s.cfg.Endpoint))
	}
	svc, err := calendarv3.NewService(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("google: calendar %s: client: %w", cal.ID, err)
	}
	return svc, nil
}

// errGone marks a 410 answer: the sync or page token is no longer valid.
var errGone = errors.New("sync token no longer valid (410 Gone)")

func (s *Syncer) sync(ctx context.Context, cal Calendar, res *Result) error {
	st, err := s.store.LoadCalendar(ctx, cal.ID)
	if err != nil {
		return fmt.Errorf("google: calendar %s: load state: %w", cal.ID, err)
	}
	if stale := st; stale != nil {
		res.LastSuccess = stale.UpdatedAt
		defer func() {
			if res.Feed == nil {
				// Failed: the last saved state, stale but not empty.
				res.Feed = s.feed(cal, stale, false)
			}
		}()
	}
	svc, err := s.service(ctx, cal)
	if err != nil {
		return err
	}
	token := ""
	if st != nil {
		token = st.SyncToken
	}
	for attempt := 0; ; attempt++ {
		next, err := s.fetch(ctx, svc, cal, st, token, res)
		if errors.Is(err, errGone) && attempt < 2 {
			// Drop the stored state and sync the calendar in full.
			if err := s.store.DeleteCalendar(ctx, cal.ID); err != nil {
				return fmt.Errorf("google: calendar %s: drop state after 410: %w", cal.ID, err)
			}
			st, token, res.Resynced = nil, "", true
			continue
		}
		if errors.Is(err, errGone) {
			return fmt.Errorf("google: calendar %s: %w, even after a full re-sync", cal.ID, err)
		}
		if err != nil {
			return err
		}
		if st != nil && res.Changes == 0 && next.TimeZone == st.TimeZone {
			// Nothing changed: keep the event rows, record the new token.
			now := s.clock.Now()
			if next.SyncToken == st.SyncToken {
				res.LastSuccess = now
				res.Feed = s.feed(cal, st, false)
				return nil
			}
			if ts, ok := s.store.(TokenSaver); ok {
				if err := ts.SaveSyncToken(ctx, cal.ID, next.SyncToken, next.TimeZone, now); err != nil {
					return fmt.Errorf("google: calendar %s: save sync token: %w", cal.ID, err)
				}
				res.Feed = s.feed(cal, st, false)
				s.retag(cal.ID, st, next.SyncToken, now)
				res.LastSuccess = now
				return nil
			}
		}
		next.UpdatedAt = s.clock.Now()
		if err := s.store.SaveCalendar(ctx, cal.ID, next); err != nil {
			return fmt.Errorf("google: calendar %s: save state: %w", cal.ID, err)
		}
		res.LastSuccess = next.UpdatedAt
		res.Feed = s.feed(cal, next, true)
		return nil
	}
}

// fetch runs one page sequence: incremental from token when set, else
// full. It returns the new state without saving it.
func (s *Syncer) fetch(ctx context.Context, svc *calendarv3.Service, cal Calendar, st *CalendarState, token string, res *Result) (*CalendarState, error) {
	next := &CalendarState{Events: map[string]json.RawMessage{}}
	if token != "" && st != nil {
		for k, v := range st.Events {
			next.Events[k] = v
		}
		next.TimeZone = st.TimeZone
	} else {
		token = ""
		res.Full = true
	}
	res.Changes = 0
	cancelled := false // any cancellation received (then prune)
	// Series deleted as a whole in this page sequence: their exceptions
	// may still be listed after the master (a full sync lists them with
	// their data), and must go too.
	ended := map[string]bool{}
	pageToken := ""
	for page := 1; ; page++ {
		call := svc.Events.List(cal.ID).SingleEvents(false).ShowDeleted(true).MaxResults(int64(s.cfg.PageSize))
		if token != "" {
			call = call.SyncToken(token)
		}
		if pageToken != "" {
			call = call.PageToken(pageToken)
		}
		evs, err := s.do(ctx, cal, "events.list", res, func(ctx context.Context) (*calendarv3.Events, error) {
			return call.Context(ctx).Do(googleapi.QuotaUser(cal.quotaUser()))
		})
		if err != nil {
			var gerr *googleapi.Error
			if errors.As(err, &gerr) && gerr.Code == http.StatusGone {
				return nil, errGone
			}
			return nil, fmt.Errorf("google: calendar %s: events.list page %d: %w", cal.ID, page, err)
		}
		if evs.TimeZone != "" {
			next.TimeZone = evs.TimeZone
		}
		for _, ev := range evs.Items {
			if ev == nil || ev.Id == "" {
				continue
			}
			res.Changes++
			cancelled = cancelled || ev.Status == "cancelled"
			if err := apply(next.Events, ev, ended); err != nil {
				return nil, fmt.Errorf("google: calendar %s: event %s: %w", cal.ID, ev.Id, err)
			}
		}
		if evs.NextPageToken != "" {
			if evs.NextPageToken == pageToken {
				return nil, fmt.Errorf("google: calendar %s: events.list page %d repeats its page token", cal.ID, page)
			}
			pageToken = evs.NextPageToken
			continue
		}
		if evs.NextSyncToken == "" {
			return nil, fmt.Errorf("google: calendar %s: events.list: last page has no nextSyncToken", cal.ID)
		}
		next.SyncToken = evs.NextSyncToken
		if cancelled {
			pruneOrphanCancellations(next.Events, ended)
		}
		return next, nil
	}
}

// apply records one changed item in the event set. A cancelled recurring
// master ends its series (master and exceptions leave the set, and its id
// is added to ended); a cancelled single event stays in the set, cancelled,
// since a meeting its organizer cancelled or deleted is a cancelled
// meeting, not one that never was.
func apply(events map[string]json.RawMessage, ev *calendarv3.Event, ended map[string]bool) error {
	if ev.Status == "cancelled" && ev.RecurringEventId == "" {
		var old *calendarv3.Event
		if raw, ok := events[ev.Id]; ok {
			var o calendarv3.Event
			if json.Unmarshal(raw, &o) == nil {
				old = &o
			}
		}
		switch {
		case ev.Start != nil && len(ev.Recurrence) == 0:
			// A single event with its data (a full sync with showDeleted
			// lists deleted events so): the data is Google's latest,
			// trust it over what we hold.
		case ev.Start != nil:
			// A recurring master with its data: the series has ended.
			endSeries(events, ev.Id, ended)
			return nil
		case old == nil:
			// A bare id we do not hold: nothing to keep. Should it be a
			// series of which we hold instances only, those go too.
			endSeries(events, ev.Id, ended)
			return nil
		case old.RecurringEventId != "":
			// A bare id of a known exception (a moved instance since
			// deleted): handled below as a cancelled exception.
			ev = &calendarv3.Event{Id: ev.Id, Status: "cancelled", RecurringEventId: old.RecurringEventId, OriginalStartTime: old.OriginalStartTime}
		case len(old.Recurrence) > 0:
			// A bare id of a known recurring master: the series has ended.
			endSeries(events, ev.Id, ended)
			return nil
		default:
			// A bare id of a single event we hold in full: keep its data,
			// now cancelled.
			old.Status = "cancelled"
			ev = old
		}
	}
	if ev.Status == "cancelled" && ev.RecurringEventId != "" && ev.Start == nil {
		// A bare cancellation of an instance we hold in full (a moved
		// instance, or the one instance of a series we were invited to):
		// keep its data, now cancelled.
		if raw, ok := events[ev.Id]; ok {
			var old calendarv3.Event
			if json.Unmarshal(raw, &old) == nil && old.Start != nil {
				old.Status = "cancelled"
				ev = &old
			}
		}
	}
	b, err := json.Marshal(trimEvent(ev))
	if err != nil {
		return err
	}
	events[ev.Id] = b
	return nil
}

// endSeries removes a recurring series deleted as a whole: its master and
// the exceptions held so far. Exceptions listed later in the same page
// sequence are dropped by pruneOrphanCancellations, which reads ended.
func endSeries(events map[string]json.RawMessage, id string, ended map[string]bool) {
	delete(events, id)
	ended[id] = true
	for xid, raw := range events {
		var x struct {
			RecurringEventID string `json:"recurringEventId"`
		}
		if json.Unmarshal(raw, &x) == nil && x.RecurringEventID == id {
			delete(events, xid)
		}
	}
}

// pruneOrphanCancellations drops exceptions whose series is not in the set
// (any more): bare cancelled exceptions (ids only), which a deleted
// series' exceptions arrive as and which would otherwise stay forever, and
// any exception of a series that ended in this page sequence (a full sync
// lists a deleted series' exceptions with their data). An exception with
// its data of a series we never held (the one instance we were invited
// to) stays, cancelled or not. Done after the whole page sequence, since a
// full sync may list an exception before its master.
func pruneOrphanCancellations(events map[string]json.RawMessage, ended map[string]bool) {
	for id, raw := range events {
		var x struct {
			Status           string          `json:"status"`
			RecurringEventID string          `json:"recurringEventId"`
			Start            json.RawMessage `json:"start"`
		}
		if json.Unmarshal(raw, &x) != nil || x.RecurringEventID == "" {
			continue
		}
		if _, ok := events[x.RecurringEventID]; ok {
			continue
		}
		if ended[x.RecurringEventID] || (x.Status == "cancelled" && x.Start == nil) {
			delete(events, id)
		}
	}
}

// retryable reports whether err is worth another attempt, and the
// server's Retry-After when it sent one.
func retryable(err error) (bool, time.Duration) {
	var gerr *googleapi.Error
	if errors.As(err, &gerr) {
		var after time.Duration
		if gerr.Header != nil {
			if n, err := strconv.Atoi(gerr.Header.Get("Retry-After")); err == nil && n > 0 {
				after = time.Duration(n) * time.Second
			}
		}
		switch {
		case gerr.Code == http.StatusTooManyRequests, gerr.Code >= 500:
			return true, after
		case gerr.Code == http.StatusForbidden:
			for _, e := range gerr.Errors {
				if e.Reason == "rateLimitExceeded" || e.Reason == "userRateLimitExceeded" {
					return true, after
				}
			}
		}
		return false, 0
	}
	// No HTTP answer: a transport error or the per-request timeout.
	return true, 0
}

func code(err error) string {
	if err == nil {
		return "200"
	}
	var gerr *googleapi.Error
	if errors.As(err, &gerr) {
		return strconv.Itoa(gerr.Code)
	}
	return "error"
}

// do sends one request with rate limiting, a per-request timeout and
// retries (truncated exponential backoff with full jitter).
func (s *Syncer) do(ctx context.Context, cal Calendar, method string, res *Result, f func(context.Context) (*calendarv3.Events, error)) (*calendarv3.Events, error) {
	return call(ctx, s, cal.quotaUser(), method, &res.Requests, f)
}

// call is do for any API call; requests counts the HTTP requests sent.
func call[T any](ctx context.Context, s *Syncer, quotaUser, method string, requests *int, f func(context.Context) (T, error)) (T, error) {
	var zero T
	var last error
	var retryAfter time.Duration
	bo := s.newBackoff()
	for attempt := 0; attempt < s.cfg.MaxAttempts; attempt++ {
		if attempt > 0 {
			s.metrics.Retries.WithLabelValues(method).Inc()
			if err := s.clock.Sleep(ctx, max(bo.Pause(), min(retryAfter, s.cfg.MaxBackoff))); err != nil {
				return zero, fmt.Errorf("%w (after %d attempts; last error: %v)", err, attempt, last)
			}
		}
		if err := s.limiter.wait(ctx, s.clock, quotaUser); err != nil {
			return zero, err
		}
		rctx, cancel := context.WithTimeout(ctx, s.cfg.RequestTimeout)
		out, err := f(rctx)
		cancel()
		*requests++
		s.metrics.Requests.WithLabelValues(method, code(err)).Inc()
		if err == nil {
			return out, nil
		}
		if ctx.Err() != nil {
			return zero, ctx.Err()
		}
		err = httperr.Transport(err, s.cfg.RequestTimeout)
		last = err
		ok, after := retryable(err)
		if !ok {
			return zero, err
		}
		retryAfter = after
	}
	return zero, fmt.Errorf("gave up after %d attempts: %w", s.cfg.MaxAttempts, last)
}

// newBackoff is one request's retry pacing: truncated exponential
// backoff with full jitter, from BaseBackoff up to MaxBackoff.
func (s *Syncer) newBackoff() gax.Backoff {
	return gax.Backoff{Initial: s.cfg.BaseBackoff, Max: s.cfg.MaxBackoff, Multiplier: 2}
}
