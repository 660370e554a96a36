package app

import (
	"context"
	"errors"
	"math/rand/v2"
	"net"
	"runtime/debug"
	"sort"
	"sync"
	"time"

	"github.com/cadence-dev/cadence/cadence"
	"github.com/cadence-dev/cadence/calendar"
	"github.com/cadence-dev/cadence/cmd/cadence/internal/config"
	"github.com/cadence-dev/cadence/cmd/cadence/internal/sources"
	"github.com/cadence-dev/cadence/cmd/cadence/internal/store"
)

// feedState is what the daemon holds for one ICS source: its last good
// events (kept while the source fails), validators and health.
type feedState struct {
	src calendar.ICSSource

	mu          sync.Mutex
	events      []calendar.Event
	validators  calendar.Validators
	haveData    bool
	ok          bool
	attempted   bool
	lastSuccess time.Time
	lastError   string
	warnings    int
}

func loadFeedState(ctx context.Context, st Store, src calendar.ICSSource) (*feedState, error) {
	fs := &feedState{src: src}
	rec, err := st.LoadFeed(ctx, src.Name)
	if err != nil {
		return nil, err
	}
	if rec != nil && rec.Source == sourceID(src) {
		feed, err := sources.ParseICS(src, rec.Body)
		if err != nil {
			// Stored by an older version that parsed it differently: refetch.
			return fs, nil
		}
		fs.events = feed.Events
		fs.validators = rec.Validators
		fs.lastSuccess = rec.LastSuccess
		fs.haveData = true
	}
	return fs, nil
}

// sourceID identifies a source's definition: stored state is reused only
// while the source still points at the same feed and owner.
func sourceID(s calendar.ICSSource) string {
	zone := ""
	if s.Zone != nil {
		zone = s.Zone.String()
	}
	return s.Owner + "|" + s.Path + "|" + s.URL + "|" + zone
}

func (a *App) startSources(cfg *config.Config) {
	ctx, cancel := context.WithCancel(a.loopCtx)
	a.srcStop = cancel
	_, dir := a.config()
	a.feedsMu.Lock()
	defer a.feedsMu.Unlock()
	for _, s := range sources.ICSSources(cfg, dir) {
		fs := a.feeds[s.Name]
		a.srcWG.Add(1)
		go func() {
			defer a.srcWG.Done()
			a.sourceLoop(ctx, fs, cfg.Serve.SyncEvery)
		}()
	}
	if g := a.google; g != nil {
		a.ensureGoogleFeedsLocked(g.Calendars(dir))
		a.srcWG.Add(1)
		go func() {
			defer a.srcWG.Done()
			a.googleLoop(ctx, g, cfg.Serve.SyncEvery)
		}()
	}
}

func (a *App) stopSources() {
	if a.srcStop != nil {
		a.srcStop()
		a.srcWG.Wait()
	}
}

// jitter spreads syncs over ±10% of the interval so feeds on one server are
// not all fetched at the same instant.
func jitter(d time.Duration) time.Duration {
	if d <= 0 {
		return d
	}
	span := d / 5
	if span <= 0 {
		return d
	}
	return d - span/2 + time.Duration(rand.Int64N(int64(span)))
}

func (a *App) sourceLoop(ctx context.Context, fs *feedState, every time.Duration) {
	for {
		a.syncSource(ctx, fs)
		select {
		case <-ctx.Done():
			return
		case <-a.clock.After(jitter(every)):
		}
	}
}

// maxConcurrentSyncs bounds how many ICS feeds are fetched and parsed at
// once: every source loop starts together, and 10,000 parses in flight
// would hold every feed's bytes and events in memory at the same time.
const maxConcurrentSyncs = 8

// syncSource reads one feed once. A failure keeps the last good events.
func (a *App) syncSource(ctx context.Context, fs *feedState) {
	select {
	case a.syncSem <- struct{}{}:
	case <-ctx.Done():
		return
	}
	defer func() { <-a.syncSem }()
	cfg, _ := a.config()
	start := time.Now() // duration measurement only, never logic
	src := fs.src
	fs.mu.Lock()
	var prev *calendar.Validators
	if fs.haveData && (fs.validators.ETag != "" || fs.validators.LastModified != "") {
		v := fs.validators
		prev = &v
	}
	fs.mu.Unlock()
	res, err := sources.FetchICS(ctx, cfg, src, prev, a.fetch)
	if ctx.Err() != nil {
		return
	}
	var feed *calendar.Feed
	reason := ""
	if err != nil {
		reason = fetchReason(err)
	} else if !res.NotModified {
		feed, err = sources.ParseICS(src, res.Data)
		if err != nil {
			reason = "parse"
		}
	}
	now := a.clock.Now()
	a.m.sourceSync(src.Name, time.Since(start))
	if err != nil {
		fs.mu.Lock()
		fs.ok, fs.attempted, fs.lastError = false, true, err.Error()
		fs.mu.Unlock()
		a.m.sourceError(src.Name, reason)
		a.log.Warn("source sync failed; keeping its last good data", "source", src.Name, "err", err)
		a.signalChange()
		return
	}
	if res.NotModified {
		fs.mu.Lock()
		recovered := !fs.ok || !fs.attempted
		fs.ok, fs.attempted, fs.lastError, fs.lastSuccess = true, true, "", now
		fs.mu.Unlock()
		a.m.sourceSuccess(src.Name, now)
		if recovered {
			a.signalChange() // health changed; the events did not
		}
		return
	}
	rec := &store.FeedRecord{Source: sourceID(src), Validators: res.Validators, Body: res.Data, LastSuccess: now}
	if err := a.store.SaveFeed(ctx, src.Name, rec); err != nil {
		// Without the store the data would be lost on restart: count it as
		// a failure, keep serving from memory.
		a.m.sourceError(src.Name, "store")
		a.log.Error("saving source state", "source", src.Name, "err", err)
	}
	fs.mu.Lock()
	fs.events, fs.validators, fs.haveData = feed.Events, res.Validators, true
	fs.ok, fs.attempted, fs.lastError, fs.lastSuccess = true, true, "", now
	fs.warnings = len(feed.Warnings)
	fs.mu.Unlock()
	for _, w := range feed.Warnings {
		a.log.Debug("source warning", "source", src.Name, "warning", w)
	}
	a.m.sourceSuccess(src.Name, now)
	a.signalChange()
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

// allAttempted reports whether every source has been tried once.
func (a *App) allAttempted() bool {
	a.feedsMu.Lock()
	defer a.feedsMu.Unlock()
	for _, fs := range a.feeds {
		fs.mu.Lock()
		done := fs.attempted
		fs.mu.Unlock()
		if !done {
			return false
		}
	}
	return true
}

func (a *App) evaluateLoop(ctx context.Context) {
	cfg, _ := a.config()
	// The first evaluation waits until every source was tried once (a
	// failing one then serves its stored data), bounded so one hanging feed
	// cannot keep the daemon unready.
	firstDeadline := a.clock.After(cfg.Serve.FirstEvaluationTimeout)
	for !a.allAttempted() {
		select {
		case <-ctx.Done():
			return
		case <-a.changed:
		case <-firstDeadline:
			a.log.Warn("first evaluation without every source", "timeout", cfg.Serve.FirstEvaluationTimeout)
			goto first
		}
	}
first:
	// Changes signalled before now are part of this evaluation.
	select {
	case <-a.changed:
	default:
	}
	a.evaluate(ctx)
	for {
		cfg, _ := a.config()
		select {
		case <-ctx.Done():
			return
		case <-a.changed:
			// Let a burst of syncs settle (they are spread by jitter, and
			// every evaluation expands every feed) before evaluating.
			select {
			case <-ctx.Done():
				return
			case <-a.clock.After(evaluateSettle):
			}
			select {
			case <-a.changed:
			default:
			}
		case <-a.clock.After(cfg.Serve.EvaluateEvery):
		}
		a.evaluate(ctx)
	}
}

// evaluateSettle is how long the evaluation waits after a change for more
// changes to arrive.
const evaluateSettle = 5 * time.Second

// evaluate builds a new snapshot from every source's last good data and the
// stored history, and swaps it in atomically.
func (a *App) evaluate(ctx context.Context) {
	start := time.Now() // duration measurement only
	cfg, dir := a.config()
	now := a.clock.Now()
	w := sources.ExpansionWindow(now, cfg.Window)
	opts := cfg.Options()
	var statuses []cadence.SourceStatus
	a.feedsMu.Lock()
	feeds := make([]*feedState, 0, len(a.feeds))
	for _, fs := range a.feeds {
		feeds = append(feeds, fs)
	}
	a.feedsMu.Unlock()
	events := make([][]calendar.Event, len(feeds))
	for i, fs := range feeds {
		fs.mu.Lock()
		st := cadence.SourceStatus{Name: fs.src.Name, OK: fs.ok, Error: fs.lastError}
		events[i] = fs.events
		if !fs.lastSuccess.IsZero() {
			t := fs.lastSuccess
			st.LastSuccess = &t
		}
		if !fs.attempted && fs.haveData {
			st.Error = "not read yet since start; serving stored data"
		}
		fs.mu.Unlock()
		statuses = append(statuses, st)
	}
	sort.Slice(statuses, func(i, j int) bool { return statuses[i].Name < statuses[j].Name })
	all, filtered := sources.Occurrences(cadence.NewRelevance(dir, opts), events, feedZones(feeds), w, nil, int(a.lastOccs.Load())*11/10)
	a.lastOccs.Store(int64(len(all)))
	occs, err := a.history.merge(ctx, a.store, all, w, now, w.From, filtered)
	all = nil
	if err != nil {
		a.log.Error("saving occurrence history", "err", err)
		a.m.evaluationFailed()
	}
	snap := cadence.Evaluate(dir, occs, opts, now, statuses)
	// "Last week" for the page and the digest: evaluated now, exactly, so
	// the occurrences need not stay in memory until someone asks.
	prev := cadence.Evaluate(dir, occs, opts, now.Add(-7*24*time.Hour), statuses)
	// Of last week only the statuses and tallies are read (report's
	// BuildManagerView); its per-pair occurrence lists would double the
	// memory the daemon holds between evaluations.
	for i := range prev.Pairs {
		prev.Pairs[i].Occurrences = nil
	}
	a.input.Store(&evalInput{snap: snap, prev: prev})
	a.snap.Store(snap)
	// Gathered now, off the scrape path: every scrape until the next
	// evaluation serves these families.
	if _, err := a.domain.Gather(); err != nil {
		a.log.Error("gathering the snapshot's metrics", "err", err)
	}
	a.m.evaluated(time.Since(start), now)
	select {
	case <-a.evaluated:
	default:
		close(a.evaluated)
		a.log.Info("ready: first evaluation done", "pairs", len(snap.Pairs))
	}
	a.log.Debug("evaluated", "pairs", len(snap.Pairs), "occurrences", len(occs), "took", time.Since(start))
	// An evaluation's occurrences are garbage now; until the next one the
	// daemon holds only events, history fingerprints and snapshots. Hand
	// the memory back at once rather than keeping the evaluation's peak
	// resident for an hour (one collection per evaluation).
	occs = nil
	debug.FreeOSMemory()
}

func feedZones(feeds []*feedState) []*time.Location {
	z := make([]*time.Location, len(feeds))
	for i, fs := range feeds {
		z[i] = fs.src.Zone
	}
	return z
}

// evalInput pairs a snapshot with the evaluation a week before it (same
// occurrences, T-7d), for "change since last week".
type evalInput struct {
	snap, prev *cadence.Snapshot
}

// Previous returns the evaluation a week before cur; nil when cur is not
// the latest evaluation.
func (a *App) Previous(cur *cadence.Snapshot) *cadence.Snapshot {
	in := a.input.Load()
	if in == nil || in.snap != cur {
		return nil
	}
	return in.prev
}
