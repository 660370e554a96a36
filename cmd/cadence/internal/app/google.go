package app

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/cadence-dev/cadence/calendar"
	"github.com/cadence-dev/cadence/calendar/google"
	"github.com/cadence-dev/cadence/cmd/cadence/internal/config"
	"github.com/cadence-dev/cadence/cmd/cadence/internal/sources"
)

// googleClock adapts the app's clock for the Google syncer's rate limiter
// and backoff.
type googleClock struct{ c Clock }

func (g googleClock) Now() time.Time { return g.c.Now() }
func (g googleClock) Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	select {
	case <-g.c.After(d):
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

const googlePrefix = "google:"

// newGoogle builds the Google source of cfg (nil when not configured) on
// the app's state store.
func (a *App) newGoogle(ctx context.Context, cfg *config.Config) (*sources.Google, error) {
	if !cfg.Google.Enabled {
		return nil, nil
	}
	st, ok := a.store.(google.StateStore)
	if !ok {
		return nil, fmt.Errorf("state: the store cannot hold Google sync state")
	}
	return sources.NewGoogle(ctx, cfg, st, sources.GoogleOptions{
		Registerer: a.googleReg, SyncDuration: a.m.sourceDuration, Clock: googleClock{a.clock},
	})
}

// googleLoop syncs every Google calendar each serve.sync_every (with
// jitter); one failing calendar keeps its last good events.
func (a *App) googleLoop(ctx context.Context, g *sources.Google, every time.Duration) {
	for {
		_, dir := a.config()
		if a.cfgGoogleDirectory() {
			if d, err := sources.LoadDirectory(ctx, a.currentConfig(), g); err != nil {
				if ctx.Err() != nil {
					return
				}
				a.log.Warn("google directory refresh failed; keeping the previous directory", "err", err)
			} else {
				a.cfgMu.Lock()
				a.dir, dir = d, d
				a.cfgMu.Unlock()
			}
		}
		cals := g.Calendars(dir)
		a.ensureGoogleFeeds(cals)
		for _, res := range g.Syncer().SyncAll(ctx, cals) {
			if ctx.Err() != nil {
				return
			}
			a.applyGoogle(res)
		}
		a.signalChange()
		select {
		case <-ctx.Done():
			return
		case <-a.clock.After(jitter(every)):
		}
	}
}

func (a *App) cfgGoogleDirectory() bool {
	cfg, _ := a.config()
	return cfg.Google.Directory.Enabled
}

func (a *App) currentConfig() *config.Config {
	cfg, _ := a.config()
	return cfg
}

// ensureGoogleFeeds creates a feed state per calendar (not yet attempted),
// so the first evaluation waits for them, and drops calendars no longer
// synced.
func (a *App) ensureGoogleFeeds(cals []google.Calendar) {
	a.feedsMu.Lock()
	defer a.feedsMu.Unlock()
	a.ensureGoogleFeedsLocked(cals)
}

// ensureGoogleFeedsLocked is ensureGoogleFeeds with feedsMu held.
func (a *App) ensureGoogleFeedsLocked(cals []google.Calendar) {
	want := map[string]bool{}
	for _, c := range cals {
		want[c.Name] = true
		if _, ok := a.feeds[c.Name]; !ok {
			a.feeds[c.Name] = &feedState{src: calendar.ICSSource{Name: c.Name, Owner: c.Owner, Zone: c.Zone}}
		}
	}
	for name := range a.feeds {
		if strings.HasPrefix(name, googlePrefix) && !want[name] {
			delete(a.feeds, name)
		}
	}
}

func (a *App) applyGoogle(res google.Result) {
	a.feedsMu.Lock()
	fs := a.feeds[res.Calendar.Name]
	a.feedsMu.Unlock()
	if fs == nil {
		return
	}
	fs.mu.Lock()
	defer fs.mu.Unlock()
	fs.attempted = true
	if res.Feed != nil {
		fs.events, fs.haveData = res.Feed.Events, true
	}
	if !res.LastSuccess.IsZero() {
		fs.lastSuccess = res.LastSuccess
	}
	if res.Err != nil {
		fs.ok, fs.lastError = false, res.Err.Error()
		a.m.sourceError(res.Calendar.Name, "google")
		a.log.Warn("google calendar sync failed; keeping its last good data", "source", res.Calendar.Name, "err", res.Err)
		return
	}
	fs.ok, fs.lastError = true, ""
}
