// Package engine is cadence's pipeline, written once for every command:
// the directory (any DirectorySource: the org chart file, the Workspace
// directory, merged), the calendar sources (any calendar.Source), the relevance filter, expansion, deduplication, the
// occurrence history with its silent deletions, and the evaluation at T
// and at T−7d ("last week"). `cadence report`, `events` and `digest` and
// the bench call Once (or Read and Calendar); `cadence serve` runs the
// long-lived loop (Start, Stop, Update). cmd/ only turns configuration
// into Options.
//
// Data flows one way: sources (package calendar and its subpackages) →
// cadence (classification and evaluation) → the caller, which presents
// the Evaluation with package report.
package engine

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cadence-dev/cadence/cadence"
	"github.com/cadence-dev/cadence/calendar"
)

// Clock is the engine's time source; tests drive a fake one.
type Clock interface {
	Now() time.Time
	// After is time.After on this clock.
	After(d time.Duration) <-chan time.Time
}

// RealClock is the wall clock.
var RealClock Clock = calendar.RealClock{}

// Defaults of the loop's Options.
const (
	DefaultSyncEvery              = 15 * time.Minute
	DefaultEvaluateEvery          = 5 * time.Minute
	DefaultFirstEvaluationTimeout = 2 * time.Minute
	// Settle is how long the loop waits after a change for more changes
	// to arrive before it evaluates (every evaluation expands every feed).
	Settle = 5 * time.Second
)

// Options configure an Engine.
type Options struct {
	// Directory lists the org chart's sources: the first is the base,
	// each later one overrides it person by person.
	Directory []DirectorySource
	// RefreshDirectory re-reads the directory every SyncEvery in the loop
	// (the Workspace directory changes; a file is re-read on Update).
	RefreshDirectory bool
	// Sources are the calendar sources; calendar names are unique across
	// them.
	Sources []calendar.Source
	// Eval are the classification and policy options.
	Eval cadence.Options
	// Budget bounds each evaluation's expansion (zero: the defaults).
	// The parse limits are the sources' own.
	Budget Budget
	// History keeps the occurrence history (nil = none: silent deletions
	// cannot be seen).
	History HistoryStore
	// ReadOnly applies the stored history without writing it: the one-shot
	// commands, which may run beside a daemon that owns the history.
	ReadOnly bool
	// NoLastWeek skips the evaluation at LastWeek(T) (a report does not
	// show the change since last week; the page and the digest do).
	NoLastWeek bool
	Logger     *slog.Logger
	Clock      Clock
	// Metrics (nil = none) are fixed for the engine's life: Update keeps
	// the ones given to New.
	Metrics *Metrics
	// Notify, when set, receives what a person running a command should
	// see on stderr: each failed source, and each warning of a source.
	Notify func(source, msg string)

	// The loop's pacing (zero = the defaults above).
	SyncEvery, EvaluateEvery, FirstEvaluationTimeout time.Duration
	// EvaluateAt, when not zero, is the instant the loop evaluates at
	// instead of the clock's now (a recorded organisation: the example
	// org at its recording date). Syncing still follows the clock.
	EvaluateAt time.Time
	// OnEvaluation receives every evaluation of the loop (the daemon swaps
	// it in), after Latest returns it.
	OnEvaluation func(*Evaluation)
	// PastEvaluations, when set, names instants before a loop
	// evaluation's to evaluate too, on the same occurrences, once
	// OnEvaluation has it (the daemon reconstructs the weeks of its
	// compliance trend that it did not record). OnPastEvaluation receives
	// each, without per-pair occurrence lists.
	PastEvaluations  func(at time.Time) []time.Time
	OnPastEvaluation func(*cadence.Snapshot)
}

// Evaluation is one evaluation and what it was made from.
type Evaluation struct {
	At        time.Time
	Directory *cadence.Directory
	Snapshot  *cadence.Snapshot
	// LastWeek is the evaluation at LastWeek(At) of the same occurrences,
	// for "change since last week": only its statuses and tallies are
	// kept (no per-pair occurrence lists). Nil with Options.NoLastWeek.
	LastWeek *cadence.Snapshot
	// Occurrences counts the evaluated occurrences.
	Occurrences int
}

// Engine reads sources and evaluates. Create it with New; use Once (or
// Read, then Evaluate or Calendar) for one evaluation, Start/Stop for the
// daemon's loop.
type Engine struct {
	log   *slog.Logger
	clock Clock
	m     *Metrics

	mu  sync.RWMutex
	o   Options
	dir *cadence.Directory

	feedsMu sync.Mutex
	feeds   map[string]*feedState // by calendar name

	histMu  sync.Mutex
	history *historyState // loaded by Load when Options.History is set

	// budgetMu guards exceeded: the last budget message of each calendar
	// (counted in the metrics once, when it first appears).
	budgetMu sync.Mutex
	exceeded map[string]string

	latest   atomic.Pointer[Evaluation]
	lastOccs atomic.Int64 // occurrences of the last expansion (sizes the next)
	changed  chan struct{}

	// the loop
	runCtx  context.Context
	stop    context.CancelFunc
	wg      sync.WaitGroup
	srcStop context.CancelFunc
	srcWG   sync.WaitGroup
}

// feedState is what the engine holds for one calendar: its last good data
// (kept while the calendar fails) and health.
type feedState struct {
	src int // index in Options.Sources
	cal calendar.Calendar

	mu          sync.Mutex
	restored    bool // Restore was tried
	feed        *calendar.Feed
	ok          bool
	attempted   bool
	lastSuccess time.Time
	lastError   string
	quarantined string // why the stored data was set aside, until good data replaces it
}

// New returns an engine; nothing is read until Load, Once or Start.
func New(o Options) *Engine {
	o = withDefaults(o)
	return &Engine{o: o, log: o.Logger, clock: o.Clock, m: o.Metrics,
		feeds: map[string]*feedState{}, changed: make(chan struct{}, 1)}
}

func withDefaults(o Options) Options {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Clock == nil {
		o.Clock = RealClock
	}
	if o.SyncEvery <= 0 {
		o.SyncEvery = DefaultSyncEvery
	}
	if o.EvaluateEvery <= 0 {
		o.EvaluateEvery = DefaultEvaluateEvery
	}
	if o.FirstEvaluationTimeout <= 0 {
		o.FirstEvaluationTimeout = DefaultFirstEvaluationTimeout
	}
	return o
}

func (e *Engine) state() (Options, *cadence.Directory) {
	e.mu.RLock()
	defer e.mu.RUnlock()
	return e.o, e.dir
}

// Directory is the current directory (nil before Load).
func (e *Engine) Directory() *cadence.Directory {
	_, dir := e.state()
	return dir
}

// Latest is the loop's latest evaluation (nil before the first).
func (e *Engine) Latest() *Evaluation { return e.latest.Load() }

// Load reads the directory and the stored history's index, and lists
// every source's calendars. A directory problem is a *DirectoryError.
func (e *Engine) Load(ctx context.Context) error {
	if err := e.LoadDirectory(ctx); err != nil {
		return err
	}
	return e.LoadHistory(ctx)
}

// LoadDirectory is Load without the history: the org chart and the
// calendars to read. A daemon loads the history after its port is open
// (LoadHistory): a large history must not keep it from answering
// liveness probes.
func (e *Engine) LoadDirectory(ctx context.Context) error {
	o, _ := e.state()
	dir, err := loadDirectory(ctx, o.Directory)
	if err != nil {
		return err
	}
	e.mu.Lock()
	e.dir = dir
	e.mu.Unlock()
	e.reconcile(o, dir)
	return nil
}

// LoadHistory reads the stored occurrence history's index (Options.History;
// nothing without one).
func (e *Engine) LoadHistory(ctx context.Context) error {
	o, _ := e.state()
	if o.History == nil {
		return nil
	}
	h, err := loadHistory(ctx, o.History)
	if err != nil {
		return fmt.Errorf("state: %w", err)
	}
	e.histMu.Lock()
	e.history = h
	e.histMu.Unlock()
	e.lastOccs.Store(int64(len(h.saved))) // about the next evaluation's size
	return nil
}

// reconcile makes the feed states those of o's sources for dir: a
// calendar whose definition is unchanged keeps its state (data, health),
// others start anew, and calendars no longer listed are dropped.
func (e *Engine) reconcile(o Options, dir *cadence.Directory) {
	e.feedsMu.Lock()
	defer e.feedsMu.Unlock()
	keep := map[string]*feedState{}
	for i, src := range o.Sources {
		for _, cal := range src.Calendars(org{dir}) {
			if _, dup := keep[cal.Name]; dup {
				e.log.Warn("two calendars share a name; the second is ignored", "source", cal.Name, "kind", src.Kind())
				continue
			}
			if fs, ok := e.feeds[cal.Name]; ok && fs.cal.Same(cal) {
				fs.src = i
				keep[cal.Name] = fs
				continue
			}
			keep[cal.Name] = &feedState{src: i, cal: cal}
		}
	}
	e.feeds = keep
	e.m.forget(func(name string) bool { _, ok := keep[name]; return ok })
}

// ensure adds the calendars of source i that are new (a person joined the
// directory) and drops those of source i no longer listed.
func (e *Engine) ensure(i int, cals []calendar.Calendar) {
	e.feedsMu.Lock()
	defer e.feedsMu.Unlock()
	want := map[string]bool{}
	for _, cal := range cals {
		want[cal.Name] = true
		if fs, ok := e.feeds[cal.Name]; !ok || !fs.cal.Same(cal) {
			e.feeds[cal.Name] = &feedState{src: i, cal: cal}
		}
	}
	for name, fs := range e.feeds {
		if fs.src == i && !want[name] {
			delete(e.feeds, name)
		}
	}
	e.m.forget(func(name string) bool { _, ok := e.feeds[name]; return ok })
}

// feedsOf returns the feed states of source i (all when i < 0), sorted by
// calendar name: the same order in every command, so deduplication and
// output are repeatable.
func (e *Engine) feedsOf(i int) []*feedState {
	e.feedsMu.Lock()
	out := make([]*feedState, 0, len(e.feeds))
	for _, fs := range e.feeds {
		if i < 0 || fs.src == i {
			out = append(out, fs)
		}
	}
	e.feedsMu.Unlock()
	sort.Slice(out, func(a, b int) bool { return out[a].cal.Name < out[b].cal.Name })
	return out
}

// restoreParallel is how many stored calendars are restored (parsed) at
// once.
const restoreParallel = 4

// restore reads the stored data of every feed of source i not yet
// restored. A failure is logged; the calendar is then read afresh.
func (e *Engine) restore(ctx context.Context, o Options, i int) {
	src := o.Sources[i]
	todo := map[string]*feedState{}
	var cals []calendar.Calendar
	for _, fs := range e.feedsOf(i) {
		fs.mu.Lock()
		if !fs.restored {
			fs.restored = true
			todo[fs.cal.Name] = fs
			cals = append(cals, fs.cal)
		}
		fs.mu.Unlock()
	}
	calendar.Each(ctx, cals, restoreParallel, func(cal calendar.Calendar) {
		r, err := src.Restore(ctx, cal)
		if err != nil {
			e.log.Error("restoring stored calendar data", "source", cal.Name, "err", err)
		}
		fs := todo[cal.Name]
		if r != nil && r.Quarantined != nil {
			e.log.Error("stored calendar data set aside; reading the calendar afresh", "source", cal.Name, "err", r.Quarantined)
			e.m.sourceError(cal.Name, "quarantined")
			if o.Notify != nil {
				o.Notify(cal.Name, r.Quarantined.Error())
			}
			fs.mu.Lock()
			fs.quarantined = r.Quarantined.Error()
			fs.mu.Unlock()
		}
		if r == nil || r.Feed == nil {
			return
		}
		fs.mu.Lock()
		if fs.feed == nil {
			fs.feed, fs.lastSuccess = r.Feed, r.LastSuccess
		}
		fs.mu.Unlock()
	})
}

// apply records one sync result; it reports whether the evaluation's
// input changed (data or health).
func (e *Engine) apply(res calendar.SyncResult) bool {
	e.feedsMu.Lock()
	fs := e.feeds[res.Calendar.Name]
	e.feedsMu.Unlock()
	if fs == nil {
		return false
	}
	name := res.Calendar.Name
	e.m.sourceSync(name, res.Duration)
	now := e.clock.Now()
	o, _ := e.state()
	if res.Err != nil {
		e.m.sourceError(name, res.Reason)
		e.log.Warn("source sync failed; keeping its last good data", "source", name, "err", res.Err)
		if o.Notify != nil {
			o.Notify(name, res.Err.Error())
		}
		fs.mu.Lock()
		changed := fs.ok || !fs.attempted || fs.lastError != res.Err.Error()
		fs.ok, fs.attempted, fs.lastError = false, true, res.Err.Error()
		fs.mu.Unlock()
		return changed
	}
	if res.StateErr != nil {
		// The data is good but would be lost on restart: count it.
		e.m.sourceError(name, "store")
		e.log.Error("saving source state", "source", name, "err", res.StateErr)
	}
	fs.mu.Lock()
	changed := !fs.ok || !fs.attempted
	if res.Feed != nil && res.Feed != fs.feed {
		fs.feed, changed = res.Feed, true
	}
	fs.ok, fs.attempted, fs.lastError, fs.lastSuccess = true, true, "", now
	if res.Feed != nil {
		fs.quarantined = "" // replaced by good data
	}
	feed := fs.feed
	fs.mu.Unlock()
	if changed && res.Feed != nil {
		for _, x := range feed.Exceeded {
			e.log.Warn("source over its budget; the rest of it still counts", "source", name, "err", x)
			e.m.sourceError(name, "budget")
			if o.Notify != nil {
				o.Notify(name, x.Error())
			}
		}
		for _, w := range feed.Warnings {
			e.log.Debug("source warning", "source", name, "warning", w)
			if o.Notify != nil {
				o.Notify(name, "warning: "+w)
			}
		}
		if feed.WithoutAttendees() {
			e.log.Warn(noAttendees, "source", name, "events", len(feed.Events))
			if o.Notify != nil {
				o.Notify(name, "warning: "+noAttendees)
			}
		}
	}
	return changed
}

// joinWarning appends msg to a source's warning.
func joinWarning(w, msg string) string {
	if w == "" {
		return msg
	}
	return w + "; " + msg
}

// budgetExceeded puts the limits each calendar's expansion exceeded into
// its status (in.statuses) and, when count is set, logs and counts each
// one the first time it appears (reason "budget"): an evaluation repeats
// every few minutes, a hostile series is one event.
func (e *Engine) budgetExceeded(in input, exceeded map[int][]*calendar.BudgetError, count bool, notify func(source, msg string)) {
	byName := make(map[string]int, len(in.statuses))
	for i, st := range in.statuses {
		byName[st.Name] = i
	}
	e.budgetMu.Lock()
	defer e.budgetMu.Unlock()
	if e.exceeded == nil {
		e.exceeded = map[string]string{}
	}
	now := map[string]string{}
	for i, errs := range exceeded {
		name := in.names[i]
		var msg string
		for _, err := range errs {
			err.Feed = name // the calendar's name, whatever its events say
			msg = joinWarning(msg, err.Error())
		}
		now[name] = msg
		if j, ok := byName[name]; ok {
			in.statuses[j].Warning = joinWarning(in.statuses[j].Warning, msg)
		}
		if count && e.exceeded[name] != msg {
			e.log.Warn("source over its budget; the rest of it still counts", "source", name, "err", msg)
			e.m.sourceError(name, "budget")
			if notify != nil {
				notify(name, msg)
			}
		}
	}
	if count {
		e.exceeded = now
	}
}

// noAttendees is the warning of a calendar without any attendee.
const noAttendees = "no event carries an ATTENDEE or ORGANIZER: this export cannot show 1:1s (use the Google Calendar source, or an export that keeps attendees)"

// syncAll syncs every calendar of every source once, sources in parallel.
func (e *Engine) syncAll(ctx context.Context, o Options) {
	var wg sync.WaitGroup
	for i, src := range o.Sources {
		wg.Add(1)
		go func() {
			defer wg.Done()
			e.restore(ctx, o, i)
			cals := calsOf(e.feedsOf(i))
			src.Sync(ctx, cals, func(r calendar.SyncResult) { e.apply(r) })
		}()
	}
	wg.Wait()
}

func calsOf(feeds []*feedState) []calendar.Calendar {
	out := make([]calendar.Calendar, len(feeds))
	for i, fs := range feeds {
		out[i] = fs.cal
	}
	return out
}

// Read loads the directory and the history index and syncs every source
// once (restoring stored data first, which a failing calendar keeps).
func (e *Engine) Read(ctx context.Context) error {
	if err := e.Load(ctx); err != nil {
		return err
	}
	o, _ := e.state()
	e.syncAll(ctx, o)
	return ctx.Err()
}

// Once is one evaluation at now: Read, then Evaluate.
func (e *Engine) Once(ctx context.Context, now time.Time) (*Evaluation, error) {
	if err := e.Read(ctx); err != nil {
		return nil, err
	}
	return e.Evaluate(ctx, now)
}

// input is the current data of every calendar, by name.
type input struct {
	events   [][]calendar.Event
	zones    []*time.Location
	names    []string
	statuses []cadence.SourceStatus
}

func (e *Engine) input() input {
	feeds := e.feedsOf(-1)
	in := input{events: make([][]calendar.Event, 0, len(feeds))}
	for _, fs := range feeds {
		fs.mu.Lock()
		st := cadence.SourceStatus{Name: fs.cal.Name, OK: fs.ok, Error: fs.lastError}
		if !fs.lastSuccess.IsZero() {
			t := fs.lastSuccess
			st.LastSuccess = &t
		}
		if !fs.attempted && fs.feed != nil {
			st.Error = "not read yet since start; serving stored data"
		}
		if !fs.attempted && fs.feed == nil && st.Error == "" {
			st.Error = "not read yet"
		}
		if fs.feed.WithoutAttendees() {
			st.Warning, st.NoAttendees = noAttendees, true
		}
		if fs.quarantined != "" {
			st.Warning = joinWarning(st.Warning, fs.quarantined)
		}
		if fs.feed != nil {
			for _, x := range fs.feed.Exceeded {
				st.Warning = joinWarning(st.Warning, x.Error())
			}
		}
		if fs.feed != nil {
			in.events = append(in.events, fs.feed.Events)
			in.zones = append(in.zones, fs.cal.Zone)
			in.names = append(in.names, fs.cal.Name)
		}
		fs.mu.Unlock()
		in.statuses = append(in.statuses, st)
	}
	return in
}

// expand expands the current data over w (only relevant series with
// rel) and merges the stored history. The history is written unless
// Options.ReadOnly or write is false.
func (e *Engine) expand(ctx context.Context, in input, rel *cadence.Relevance, w calendar.Window, now, keepFrom time.Time, write bool) ([]calendar.Occurrence, *historyState, error) {
	o, _ := e.state()
	warn := func(i int, msg string) {
		e.log.Debug("expansion warning", "source", in.names[i], "warning", msg)
		if o.Notify != nil {
			o.Notify(in.names[i], "warning: "+msg)
		}
	}
	x := Occurrences(rel, in.events, in.zones, w, o.Budget, warn, int(e.lastOccs.Load())*11/10)
	if rel != nil {
		e.lastOccs.Store(int64(len(x.Occurrences)))
	}
	e.budgetExceeded(in, x.Exceeded, write, o.Notify)
	e.histMu.Lock()
	h := e.history
	e.histMu.Unlock()
	if h == nil {
		return x.Occurrences, nil, nil
	}
	occs, err := h.merge(ctx, o.History, x.Occurrences, w, now, keepFrom, x.Filtered, o.ReadOnly || !write)
	return occs, h, err
}

// Evaluate evaluates the data read so far at now and at LastWeek(now).
// With a history it is merged (and, unless ReadOnly, written) first; a
// failed write is logged and counted, and the evaluation still returned.
func (e *Engine) Evaluate(ctx context.Context, now time.Time) (*Evaluation, error) {
	ev, _, err := e.evaluate(ctx, now)
	return ev, err
}

// pastFunc evaluates the same occurrences at another instant.
type pastFunc func(at time.Time) *cadence.Snapshot

// evaluate is Evaluate, and a function that evaluates its occurrences at
// other instants (valid until the caller drops it).
func (e *Engine) evaluate(ctx context.Context, now time.Time) (*Evaluation, pastFunc, error) {
	start := time.Now() // duration measurement only, never logic
	o, dir := e.state()
	if dir == nil {
		return nil, nil, errors.New("engine: Evaluate before Load")
	}
	in := e.input()
	w := ExpansionWindow(now, o.Eval.Window)
	occs, _, err := e.expand(ctx, in, cadence.NewRelevance(dir, o.Eval), w, now, w.From, true)
	if err != nil {
		if ctx.Err() != nil {
			return nil, nil, ctx.Err()
		}
		e.log.Error("saving occurrence history", "err", err)
		e.m.evaluationFailed()
	}
	ev := &Evaluation{At: now, Directory: dir, Occurrences: len(occs)}
	ev.Snapshot = cadence.Evaluate(dir, occs, o.Eval, now, in.statuses)
	if !o.NoLastWeek {
		// "Last week" for the page and the digest: evaluated now, exactly,
		// so the occurrences need not stay in memory until someone asks.
		prev := cadence.Evaluate(dir, occs, o.Eval, LastWeek(now), in.statuses)
		// Of last week only the statuses and tallies are read (report's
		// BuildManagerView); its per-pair occurrence lists would double
		// the memory held between evaluations.
		for i := range prev.Pairs {
			prev.Pairs[i].Occurrences = nil
		}
		ev.LastWeek = prev
	}
	e.m.evaluated(time.Since(start), now)
	past := func(at time.Time) *cadence.Snapshot {
		s := cadence.Evaluate(dir, occs, o.Eval, at, in.statuses)
		for i := range s.Pairs {
			s.Pairs[i].Occurrences = nil
		}
		return s
	}
	return ev, past, nil
}

// Calendar returns every occurrence of the data read so far over w, of
// every series (no relevance filter: `cadence events` lists everything),
// deduplicated, with the stored history applied but never written.
// Gone holds the history entries of the occurrences that vanished from
// their calendar (CancelReason vanished), by key, to explain them.
func (e *Engine) Calendar(ctx context.Context, w calendar.Window, now time.Time) (occs []calendar.Occurrence, gone map[calendar.Key]calendar.Seen, err error) {
	if e.Directory() == nil {
		return nil, nil, errors.New("engine: Calendar before Load")
	}
	occs, h, err := e.expand(ctx, e.input(), nil, w, now, w.From, false)
	if err != nil {
		return nil, nil, err
	}
	gone = map[calendar.Key]calendar.Seen{}
	if h != nil {
		h.mu.Lock()
		for _, s := range h.entries {
			if !s.GoneSince.IsZero() {
				gone[s.Occ.Key()] = s
			}
		}
		h.mu.Unlock()
	}
	// The history keeps what lies outside w; show only w.
	in := occs[:0]
	for _, o := range occs {
		if !o.Start.Before(w.From) && o.Start.Before(w.To) {
			in = append(in, o)
		}
	}
	return in, gone, nil
}

// HasCalendarOf reports whether a calendar of the person (primary email)
// is read.
func (e *Engine) HasCalendarOf(email string) bool {
	for _, fs := range e.feedsOf(-1) {
		if fs.cal.Owner == email {
			return true
		}
	}
	return false
}
