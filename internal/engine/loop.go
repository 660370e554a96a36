package engine

import (
	"context"
	"math/rand/v2"
	"runtime/debug"
	"sync/atomic"
	"time"

	"github.com/cadence-dev/cadence/calendar"
)

// The loop of `cadence serve`: per-source syncs, directory refresh,
// evaluation after changes and as time passes.

// jitter spreads syncs over ±10% of the interval so the sources of one
// daemon, and the daemons of one org, do not all read at the same
// instant.
func jitter(d time.Duration) time.Duration {
	span := d / 5
	if span <= 0 {
		return d
	}
	return d - span/2 + time.Duration(rand.Int64N(int64(span)))
}

// Start runs the loop until Stop: every source is restored from its
// state, then synced every SyncEvery; the directory is re-read with it
// when RefreshDirectory; an evaluation follows any change (after Settle)
// and at least every EvaluateEvery, and goes to OnEvaluation. The first
// evaluation waits until every calendar was tried once, bounded by
// FirstEvaluationTimeout. Call Load first.
func (e *Engine) Start(ctx context.Context) {
	ctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	e.runCtx, e.stop = ctx, cancel
	e.startSources()
	e.wg.Add(1)
	go func() {
		defer e.wg.Done()
		e.evaluateLoop(ctx)
	}()
}

// Stop ends the loop and waits for it (a sync in flight is cancelled).
func (e *Engine) Stop() {
	if e.stop == nil {
		return
	}
	e.stop()
	e.srcWG.Wait()
	e.wg.Wait()
}

// Update replaces the options (a configuration reload): the new directory
// is read first, and on error the running configuration stays. Calendars
// whose definition did not change keep their data and health.
func (e *Engine) Update(ctx context.Context, o Options) error {
	o = withDefaults(o)
	dir, err := loadDirectory(ctx, o.Directory)
	if err != nil {
		return err
	}
	e.stopSources()
	e.mu.Lock()
	e.o, e.dir = o, dir
	e.mu.Unlock()
	e.reconcile(o, dir)
	if e.runCtx != nil && e.runCtx.Err() == nil {
		e.startSources()
	}
	e.signalChange()
	return nil
}

func (e *Engine) startSources() {
	ctx, cancel := context.WithCancel(e.runCtx)
	e.srcStop = cancel
	o, _ := e.state()
	for i, src := range o.Sources {
		e.srcWG.Add(1)
		go func() {
			defer e.srcWG.Done()
			e.sourceLoop(ctx, o, i, src)
		}()
	}
	if o.RefreshDirectory {
		e.srcWG.Add(1)
		go func() {
			defer e.srcWG.Done()
			e.directoryLoop(ctx, o)
		}()
	}
}

func (e *Engine) stopSources() {
	if e.srcStop != nil {
		e.srcStop()
		e.srcWG.Wait()
	}
}

func (e *Engine) sourceLoop(ctx context.Context, o Options, i int, src calendar.Source) {
	for first := true; ; first = false {
		if !first {
			// The directory may have changed: new people, new calendars.
			_, dir := e.state()
			e.ensure(i, src.Calendars(org{dir}))
		}
		e.restore(ctx, o, i)
		var changed atomic.Bool
		src.Sync(ctx, calsOf(e.feedsOf(i)), func(r calendar.SyncResult) {
			if e.apply(r) {
				changed.Store(true)
			}
		})
		if ctx.Err() != nil {
			return
		}
		if changed.Load() || first {
			e.signalChange()
		}
		select {
		case <-ctx.Done():
			return
		case <-e.clock.After(jitter(o.SyncEvery)):
		}
	}
}

func (e *Engine) directoryLoop(ctx context.Context, o Options) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-e.clock.After(jitter(o.SyncEvery)):
		}
		dir, err := loadDirectory(ctx, o.Directory)
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			e.log.Warn("directory refresh failed; keeping the previous directory", "err", err)
			continue
		}
		e.mu.Lock()
		e.dir = dir
		e.mu.Unlock()
		e.signalChange()
	}
}

func (e *Engine) signalChange() {
	select {
	case e.changed <- struct{}{}:
	default:
	}
}

// allAttempted reports whether every calendar has been tried once.
func (e *Engine) allAttempted() bool {
	for _, fs := range e.feedsOf(-1) {
		fs.mu.Lock()
		done := fs.attempted
		fs.mu.Unlock()
		if !done {
			return false
		}
	}
	return true
}

func (e *Engine) evaluateLoop(ctx context.Context) {
	o, _ := e.state()
	// The first evaluation waits until every calendar was tried once (a
	// failing one then serves its stored data), bounded so one hanging
	// feed cannot keep the daemon unready.
	firstDeadline := e.clock.After(o.FirstEvaluationTimeout)
wait:
	for !e.allAttempted() {
		select {
		case <-ctx.Done():
			return
		case <-e.changed:
		case <-firstDeadline:
			e.log.Warn("first evaluation without every source", "timeout", o.FirstEvaluationTimeout)
			break wait
		}
	}
	// Changes signalled before now are part of this evaluation.
	select {
	case <-e.changed:
	default:
	}
	e.evaluateNow(ctx)
	for {
		o, _ := e.state()
		select {
		case <-ctx.Done():
			return
		case <-e.changed:
			// Let a burst of syncs settle before evaluating.
			select {
			case <-ctx.Done():
				return
			case <-e.clock.After(Settle):
			}
			select {
			case <-e.changed:
			default:
			}
		case <-e.clock.After(o.EvaluateEvery):
		}
		e.evaluateNow(ctx)
	}
}

func (e *Engine) evaluateNow(ctx context.Context) {
	at := e.clock.Now()
	if o, _ := e.state(); !o.EvaluateAt.IsZero() {
		at = o.EvaluateAt
	}
	ev, past, err := e.evaluate(ctx, at)
	if err != nil {
		if ctx.Err() == nil {
			e.log.Error("evaluation failed", "err", err)
		}
		return
	}
	e.latest.Store(ev)
	o, _ := e.state()
	if o.OnEvaluation != nil {
		o.OnEvaluation(ev)
	}
	if o.PastEvaluations != nil && o.OnPastEvaluation != nil {
		for _, t := range o.PastEvaluations(ev.At) {
			if ctx.Err() != nil {
				return
			}
			o.OnPastEvaluation(past(t))
		}
	}
	e.log.Debug("evaluated", "pairs", len(ev.Snapshot.Pairs), "occurrences", ev.Occurrences)
	// An evaluation's occurrences are garbage now; until the next one the
	// daemon holds only events, history fingerprints and snapshots. Hand
	// the memory back at once rather than keeping the evaluation's peak
	// resident until the next (one collection per evaluation).
	debug.FreeOSMemory()
}
