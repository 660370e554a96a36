package cli

import (
	"context"
	"fmt"
	"io"
	"sort"
	"sync"
	"time"

	"github.com/cadence-dev/cadence/cadence"
	"github.com/cadence-dev/cadence/calendar"
	"github.com/cadence-dev/cadence/cmd/cadence/internal/config"
	"github.com/cadence-dev/cadence/cmd/cadence/internal/sources"
	"github.com/cadence-dev/cadence/cmd/cadence/internal/store"
)

// maxParallelFeeds bounds concurrent feed reads in one-shot commands.
const maxParallelFeeds = 8

func loadConfig(path string) (*config.Config, error) {
	if path == "" {
		return nil, &UsageError{Msg: "--config FILE is required"}
	}
	cfg, err := config.Load(path)
	if err != nil {
		return nil, &ConfigError{Err: err}
	}
	return cfg, nil
}

// loadDirectory reads the org chart named by the config.
func loadDirectory(cfg *config.Config) (*cadence.Directory, error) {
	dir, err := cfg.LoadDirectory()
	if err != nil {
		return nil, &ConfigError{Err: err}
	}
	return dir, nil
}

// world is what a one-shot command reads: the directory and every source.
type world struct {
	dir     *cadence.Directory
	results []feedResult
}

// gather loads the directory and reads every source (ICS feeds and, when
// configured, Google calendars, synced incrementally through the state
// file at serve.state_path).
func gather(ctx context.Context, cfg *config.Config, now time.Time, stderr io.Writer) (*world, error) {
	var g *sources.Google
	if cfg.Google.Enabled {
		st, err := store.Open(ctx, cfg.Serve.StatePath)
		if err != nil {
			return nil, err
		}
		defer st.Close()
		if g, err = sources.NewGoogle(ctx, cfg, st, sources.GoogleOptions{}); err != nil {
			return nil, err
		}
		dir, err := sources.LoadDirectory(ctx, cfg, g)
		if err != nil {
			return nil, &ConfigError{Err: err}
		}
		w := &world{dir: dir, results: readFeeds(ctx, cfg, dir, now, stderr)}
		for _, res := range g.Syncer().SyncAll(ctx, g.Calendars(dir)) {
			fr := feedResult{src: calendar.ICSSource{Name: res.Calendar.Name, Owner: res.Calendar.Owner, Zone: res.Calendar.Zone}, feed: res.Feed}
			fr.status = cadence.SourceStatus{Name: res.Calendar.Name, OK: res.Err == nil}
			if res.Err != nil {
				fr.status.Error = res.Err.Error()
				fmt.Fprintf(stderr, "cadence: source %s: %s\n", res.Calendar.Name, res.Err)
			} else {
				t := now
				fr.status.LastSuccess = &t
			}
			w.results = append(w.results, fr)
		}
		return w, nil
	}
	dir, err := loadDirectory(cfg)
	if err != nil {
		return nil, err
	}
	return &world{dir: dir, results: readFeeds(ctx, cfg, dir, now, stderr)}, nil
}

// feedResult is one source read in a one-shot command.
type feedResult struct {
	src    calendar.ICSSource
	feed   *calendar.Feed
	status cadence.SourceStatus
}

// readFeeds reads and parses every ICS source concurrently. A broken source
// is reported in its status and on stderr; the others still count.
func readFeeds(ctx context.Context, cfg *config.Config, dir *cadence.Directory, now time.Time, stderr io.Writer) []feedResult {
	srcs := sources.ICSSources(cfg, dir)
	results := make([]feedResult, len(srcs))
	sem := make(chan struct{}, maxParallelFeeds)
	var wg sync.WaitGroup
	for i, src := range srcs {
		results[i].src = src
		wg.Add(1)
		go func(r *feedResult) {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			r.feed, r.status = readFeed(ctx, cfg, r.src, now)
		}(&results[i])
	}
	wg.Wait()
	for _, r := range results {
		if !r.status.OK {
			fmt.Fprintf(stderr, "cadence: source %s: %s\n", r.src.Name, r.status.Error)
			continue
		}
		for _, w := range r.feed.Warnings {
			fmt.Fprintf(stderr, "cadence: source %s: warning: %s\n", r.src.Name, w)
		}
	}
	return results
}

func readFeed(ctx context.Context, cfg *config.Config, src calendar.ICSSource, now time.Time) (*calendar.Feed, cadence.SourceStatus) {
	st := cadence.SourceStatus{Name: src.Name}
	res, err := sources.FetchICS(ctx, cfg, src, nil, nil)
	if err != nil {
		st.Error = err.Error()
		return nil, st
	}
	feed, err := sources.ParseICS(src, res.Data)
	if err != nil {
		st.Error = err.Error()
		return nil, st
	}
	st.OK = true
	t := now
	st.LastSuccess = &t
	return feed, st
}

// occurrences expands every good feed over w and merges copies of the same
// meeting seen in several calendars. With rel, only the series that can
// matter to an evaluation are expanded.
func occurrences(results []feedResult, rel *cadence.Relevance, w calendar.Window, stderr io.Writer) []calendar.Occurrence {
	var events [][]calendar.Event
	var zones []*time.Location
	var names []string
	for _, r := range results {
		if r.feed == nil {
			continue
		}
		events = append(events, r.feed.Events)
		zones = append(zones, r.src.Zone)
		names = append(names, r.src.Name)
	}
	occs, _ := sources.Occurrences(rel, events, zones, w, func(i int, msg string) {
		fmt.Fprintf(stderr, "cadence: source %s: warning: %s\n", names[i], msg)
	}, 0)
	return occs
}

func statuses(results []feedResult) []cadence.SourceStatus {
	out := make([]cadence.SourceStatus, 0, len(results))
	for _, r := range results {
		out = append(out, r.status)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// configAt loads the configuration and reads --at (default: now).
func configAt(cfgPath, at string, env Env) (*config.Config, time.Time, error) {
	cfg, err := loadConfig(cfgPath)
	if err != nil {
		return nil, time.Time{}, err
	}
	now := env.Now()
	if at != "" {
		if now, err = parseTime("at", at, cfg.Timezone); err != nil {
			return nil, time.Time{}, err
		}
	}
	return cfg, now, nil
}

// evaluation is one one-shot evaluation and what it was made from.
type evaluation struct {
	dir      *cadence.Directory
	occs     []calendar.Occurrence
	statuses []cadence.SourceStatus
	snap     *cadence.Snapshot
}

// evaluate reads every source and evaluates every pair at now (report,
// digest).
func evaluate(ctx context.Context, cfg *config.Config, now time.Time, stderr io.Writer) (*evaluation, error) {
	w, err := gather(ctx, cfg, now, stderr)
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	ev := &evaluation{dir: w.dir, statuses: statuses(w.results)}
	opts := cfg.Options()
	ev.occs = occurrences(w.results, cadence.NewRelevance(ev.dir, opts), sources.ExpansionWindow(now, cfg.Window), stderr)
	ev.snap = cadence.Evaluate(ev.dir, ev.occs, opts, now, ev.statuses)
	return ev, nil
}
