// Package app is the cadence daemon (`cadence serve`), shaped like
// Alertmanager's: New, Start, Stop and Addr, with the logger, the Prometheus
// registry, the clock and the state store injected so end-to-end tests run
// in-process on a :0 port.
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/exporter-toolkit/web"

	"github.com/cadence-dev/cadence/cadence"
	"github.com/cadence-dev/cadence/calendar"
	"github.com/cadence-dev/cadence/cmd/cadence/internal/config"
	"github.com/cadence-dev/cadence/cmd/cadence/internal/sources"
	"github.com/cadence-dev/cadence/report"
)

// Clock is the daemon's time source. Tests drive a fake one.
type Clock interface {
	Now() time.Time
	// After is time.After on this clock.
	After(d time.Duration) <-chan time.Time
}

type realClock struct{}

func (realClock) Now() time.Time                         { return time.Now() }
func (realClock) After(d time.Duration) <-chan time.Time { return time.After(d) }

// RealClock is the wall clock.
var RealClock Clock = realClock{}

// Options configure New.
type Options struct {
	ConfigPath string
	Logger     *slog.Logger
	// Registry receives the daemon's own metrics; /metrics serves them
	// with the snapshot's (report.SnapshotGatherer).
	Registry *prometheus.Registry
	Clock    Clock
	// Store overrides the state store named by the config (tests).
	Store Store
	// ListenAddress overrides serve.listen_address (tests use
	// "127.0.0.1:0").
	ListenAddress string
	// Fetch overrides how ICS sources are fetched (tests).
	Fetch func(ctx context.Context, src calendar.ICSSource, opts calendar.FetchOptions) (*calendar.FetchResult, error)
}

// App is the daemon.
type App struct {
	opts   Options
	log    *slog.Logger
	reg    *prometheus.Registry
	domain *report.SnapshotGatherer
	clock  Clock
	store  Store
	ownsDB bool
	m      *selfMetrics
	fetch  func(ctx context.Context, src calendar.ICSSource, opts calendar.FetchOptions) (*calendar.FetchResult, error)

	cfgMu sync.RWMutex
	cfg   *config.Config
	dir   *cadence.Directory

	snap      atomic.Pointer[cadence.Snapshot]
	input     atomic.Pointer[evalInput]
	lastOccs  atomic.Int64  // occurrences of the last evaluation (sizes the next)
	evaluated chan struct{} // closed after the first evaluation

	feedsMu sync.Mutex
	feeds   map[string]*feedState // by source name

	history *historyState

	changed  chan struct{} // a source changed: evaluate soon
	syncSem  chan struct{} // bounds concurrent ICS syncs
	reloadMu sync.Mutex    // one reload at a time

	google    *sources.Google
	googleReg prometheus.Registerer

	ln       net.Listener
	srv      *http.Server
	cancel   context.CancelFunc
	loopCtx  context.Context
	wg       sync.WaitGroup
	srcWG    sync.WaitGroup
	srcStop  context.CancelFunc
	serveErr chan error
}

// New loads the configuration and the directory, opens the state store and
// registers the metrics. Nothing runs until Start.
func New(opts Options) (*App, error) {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Registry == nil {
		opts.Registry = prometheus.NewRegistry()
	}
	if opts.Clock == nil {
		opts.Clock = RealClock
	}
	a := &App{
		opts:      opts,
		log:       opts.Logger,
		reg:       opts.Registry,
		clock:     opts.Clock,
		evaluated: make(chan struct{}),
		feeds:     make(map[string]*feedState),
		changed:   make(chan struct{}, 1),
		syncSem:   make(chan struct{}, maxConcurrentSyncs),
		fetch:     opts.Fetch,
		serveErr:  make(chan error, 1),
	}
	if a.fetch == nil {
		a.fetch = calendar.Fetch
	}
	cfg, err := config.Load(opts.ConfigPath)
	if err != nil {
		return nil, err
	}
	a.store = opts.Store
	if a.store == nil {
		st, err := OpenStore(cfg.Serve.StatePath)
		if err != nil {
			return nil, err
		}
		a.store, a.ownsDB = st, true
	}
	a.m = newSelfMetrics(a.reg)
	a.googleReg = a.reg
	if a.google, err = a.newGoogle(context.Background(), cfg); err != nil {
		return nil, err
	}
	dir, err := sources.LoadDirectory(context.Background(), cfg, a.google)
	if err != nil {
		return nil, err
	}
	a.cfg, a.dir = cfg, dir
	a.m.configReload(true, a.clock.Now())
	metricsOpts, err := metricsOptions(cfg)
	if err != nil {
		return nil, err
	}
	// The snapshot's metrics are gathered once per evaluation, beside the
	// registry of the daemon's own (which refuses their names).
	a.domain = report.NewSnapshotGatherer(a.Snapshot, metricsOpts)
	a.reg.MustRegister(report.DescribeOnly(a.domain))
	a.history, err = loadHistory(context.Background(), a.store)
	if err != nil {
		return nil, fmt.Errorf("state: %w", err)
	}
	a.lastOccs.Store(int64(len(a.history.saved))) // about the next evaluation's size
	for _, s := range sources.ICSSources(cfg, dir) {
		fs, err := loadFeedState(context.Background(), a.store, s)
		if err != nil {
			return nil, fmt.Errorf("state: source %s: %w", s.Name, err)
		}
		a.feeds[s.Name] = fs
	}
	return a, nil
}

// Snapshot returns the current evaluation, or nil before the first one.
func (a *App) Snapshot() *cadence.Snapshot { return a.snap.Load() }

// Evaluated is closed once the first evaluation exists (/readyz is ready).
func (a *App) Evaluated() <-chan struct{} { return a.evaluated }

// Addr is the address the HTTP server listens on (after Start).
func (a *App) Addr() string {
	if a.ln == nil {
		return ""
	}
	return a.ln.Addr().String()
}

func (a *App) config() (*config.Config, *cadence.Directory) {
	a.cfgMu.RLock()
	defer a.cfgMu.RUnlock()
	return a.cfg, a.dir
}

// Start listens and starts the sync and evaluation loops.
func (a *App) Start(ctx context.Context) error {
	cfg, _ := a.config()
	addr := cfg.Serve.ListenAddress
	if a.opts.ListenAddress != "" {
		addr = a.opts.ListenAddress
	}
	webConfig := cfg.Serve.WebConfigFile
	if webConfig != "" {
		if err := web.Validate(webConfig); err != nil {
			return fmt.Errorf("serve: web config %s: %w", webConfig, err)
		}
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("serve: listen on %s: %w", addr, err)
	}
	a.ln = ln
	a.srv = &http.Server{Handler: a.routes(), ReadHeaderTimeout: 10 * time.Second}
	loopCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	a.loopCtx, a.cancel = loopCtx, cancel
	a.wg.Add(1)
	go func() {
		defer a.wg.Done()
		err := web.Serve(ln, a.srv, &web.FlagConfig{WebConfigFile: &webConfig}, a.log)
		if err != nil && !errors.Is(err, http.ErrServerClosed) {
			a.log.Error("http server stopped", "err", err)
			a.serveErr <- err
		}
	}()
	a.startSources(cfg)
	if err := a.startDigest(loopCtx); err != nil {
		cancel()
		_ = a.srv.Close()
		return err
	}
	a.wg.Add(1)
	go func() {
		defer a.wg.Done()
		a.evaluateLoop(loopCtx)
	}()
	a.log.Info("cadence serving", "addr", a.Addr(), "sources", len(cfg.ICSSources()))
	return nil
}

// Err reports a fatal HTTP server error after Start.
func (a *App) Err() <-chan error { return a.serveErr }

// Stop drains: the HTTP server finishes in-flight requests, the loops stop,
// and the store is closed. It returns when done or when ctx ends (a second
// signal in main cancels ctx to abort a slow drain).
func (a *App) Stop(ctx context.Context) error {
	var errs []error
	if a.srv != nil {
		if err := a.srv.Shutdown(ctx); err != nil {
			errs = append(errs, fmt.Errorf("serve: shutdown: %w", err))
		}
	}
	if a.cancel != nil {
		a.cancel()
	}
	done := make(chan struct{})
	go func() { a.srcWG.Wait(); a.wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-ctx.Done():
		errs = append(errs, fmt.Errorf("serve: drain aborted: %w", ctx.Err()))
	}
	if a.ownsDB {
		if err := a.store.Close(); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// Reload re-reads the configuration and the directory. A bad new
// configuration keeps the old one running; the outcome is visible in
// cadence_config_last_reload_successful.
func (a *App) Reload() error {
	a.reloadMu.Lock()
	defer a.reloadMu.Unlock()
	fail := func(err error) error {
		a.m.configReload(false, a.clock.Now())
		a.log.Error("config reload failed; keeping the running configuration", "err", err)
		return err
	}
	cfg, err := config.Load(a.opts.ConfigPath)
	if err != nil {
		return fail(err)
	}
	if a.cfg.Serve.StatePath != cfg.Serve.StatePath && a.opts.Store == nil {
		return fail(fmt.Errorf("config: %s: serve.state_path cannot change on reload (restart cadence)", cfg.File))
	}
	// A new Google syncer would register its metrics again: keep the
	// running one unless the google section changed.
	g := a.google
	if !reflect.DeepEqual(cfg.Google, a.cfg.Google) {
		// The running syncer's metrics stay registered; a replacement's
		// would collide, so they go to a private registry (a restart
		// exports them again).
		a.googleReg = prometheus.NewRegistry()
		if g, err = a.newGoogle(context.Background(), cfg); err != nil {
			return fail(err)
		}
	}
	dir, err := sources.LoadDirectory(context.Background(), cfg, g)
	if err != nil {
		return fail(err)
	}
	a.stopSources()
	a.cfgMu.Lock()
	a.cfg, a.dir, a.google = cfg, dir, g
	a.cfgMu.Unlock()
	a.feedsMu.Lock()
	keep := make(map[string]*feedState)
	for _, s := range sources.ICSSources(cfg, dir) {
		if fs, ok := a.feeds[s.Name]; ok && fs.src == s {
			keep[s.Name] = fs
			continue
		}
		fs, lerr := loadFeedState(context.Background(), a.store, s)
		if lerr != nil {
			a.log.Error("loading source state", "source", s.Name, "err", lerr)
			fs = &feedState{src: s}
		}
		keep[s.Name] = fs
	}
	if g != nil {
		for name, fs := range a.feeds {
			if strings.HasPrefix(name, googlePrefix) {
				keep[name] = fs
			}
		}
	}
	a.feeds = keep
	a.feedsMu.Unlock()
	a.m.forgetSources(keep)
	a.m.configReload(true, a.clock.Now())
	if a.loopCtx != nil {
		a.startSources(cfg)
	}
	a.signalChange()
	a.log.Info("configuration reloaded", "sources", len(keep))
	return nil
}

func (a *App) signalChange() {
	select {
	case a.changed <- struct{}{}:
	default:
	}
}

// ShutdownTimeout is serve.shutdown_timeout of the running configuration.
func (a *App) ShutdownTimeout() time.Duration {
	cfg, _ := a.config()
	return cfg.Serve.ShutdownTimeout
}
