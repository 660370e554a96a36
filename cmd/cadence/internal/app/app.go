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
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/exporter-toolkit/web"
	"golang.org/x/net/netutil"

	"github.com/cadence-dev/cadence/cadence"
	"github.com/cadence-dev/cadence/calendar/icsfeed"
	"github.com/cadence-dev/cadence/cmd/cadence/internal/config"
	"github.com/cadence-dev/cadence/cmd/cadence/internal/setup"
	"github.com/cadence-dev/cadence/internal/engine"
	"github.com/cadence-dev/cadence/internal/store"
	"github.com/cadence-dev/cadence/report"
)

// Clock is the daemon's time source (the engine's). Tests drive a fake one.
type Clock = engine.Clock

// RealClock is the wall clock.
var RealClock = engine.RealClock

// Options configure New.
type Options struct {
	ConfigPath string
	Logger     *slog.Logger
	// Registry receives the daemon's own metrics; /metrics serves them
	// with the snapshot's (report.SnapshotGatherer).
	Registry *prometheus.Registry
	Clock    Clock
	// Store overrides the state store named by the config (tests).
	Store *store.Store
	// ListenAddresses override serve.listen_address
	// (--web.listen-address, repeatable; tests use "127.0.0.1:0").
	ListenAddresses []string
	// WebConfigFile overrides serve.web_config_file (--web.config.file).
	WebConfigFile string
	// PageListenAddress overrides serve.page.listen_address when that is
	// set (tests use "127.0.0.1:0").
	PageListenAddress string
	// Fetch overrides how ICS sources are fetched (tests).
	Fetch icsfeed.FetchFunc
	// ServerLimits overrides the serve.*_timeout and serve.max_connections
	// settings (tests use tiny timeouts).
	ServerLimits *ServerLimits
}

// ServerLimits bound the HTTP server's connections so that idle,
// never-reading or slow clients are disconnected and cannot exhaust it.
type ServerLimits struct {
	ReadHeaderTimeout time.Duration
	ReadTimeout       time.Duration
	WriteTimeout      time.Duration
	IdleTimeout       time.Duration
	MaxConnections    int
}

// App is the daemon: the engine's loop behind an HTTP server.
type App struct {
	opts   Options
	log    *slog.Logger
	reg    *prometheus.Registry
	domain *report.SnapshotGatherer
	clock  Clock
	store  *store.Store
	ownsDB bool
	m      *selfMetrics
	em     *engine.Metrics
	eng    *engine.Engine
	trend  *trend
	// unsubKey signs the digest's one-click opt-out links (the state's
	// secret).
	unsubKey []byte

	cfgMu sync.RWMutex
	cfg   *config.Config
	built *setup.Built

	snap      atomic.Pointer[cadence.Snapshot]
	input     atomic.Pointer[evalInput]
	evaluated chan struct{} // closed after the first evaluation
	readyOnce sync.Once

	reloadMu sync.Mutex // one reload at a time

	lns      []net.Listener
	srvs     []*http.Server // one per listener
	pageLn   net.Listener   // serve.page.listen_address; nil when none
	pageSrv  *http.Server
	cancel   context.CancelFunc
	wg       sync.WaitGroup
	serveErr chan error
}

// ConfigError is an error of New that the configuration (or a file it
// names) is to blame for; any other is a runtime failure (the state file,
// the network).
type ConfigError struct{ Err error }

func (e *ConfigError) Error() string { return e.Err.Error() }
func (e *ConfigError) Unwrap() error { return e.Err }

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
		serveErr:  make(chan error, 1),
	}
	cfg, err := config.Load(opts.ConfigPath)
	if err != nil {
		return nil, &ConfigError{err}
	}
	a.store = opts.Store
	if a.store == nil {
		st, err := store.Open(context.Background(), cfg.Serve.StatePath)
		if err != nil {
			return nil, err
		}
		// SQLite opens a write-protected file read only: fail now, not
		// at the first evaluation's write.
		if err := st.CheckWritable(context.Background()); err != nil {
			st.Close()
			return nil, err
		}
		a.store, a.ownsDB = st, true
	}
	for _, n := range a.store.Notes() {
		a.log.Warn(n)
	}
	if a.unsubKey, err = a.store.Secret(context.Background(), unsubscribeSecret); err != nil {
		if a.ownsDB {
			a.store.Close()
		}
		return nil, err
	}
	a.m = newSelfMetrics(a.reg)
	a.em = engine.NewMetrics(a.reg)
	a.trend = newTrend(a.store, a.log.With("component", "trend"), func() *time.Location { return pageZone(a.config()) })
	eopts, built, err := a.engineOptions(cfg, nil, a.reg, false)
	if err != nil {
		return nil, &ConfigError{err} // the files the configuration names
	}
	a.eng = engine.New(eopts)
	// The history is loaded by Start once the port is open.
	if err := a.eng.LoadDirectory(context.Background()); err != nil {
		var de *engine.DirectoryError
		if errors.As(err, &de) {
			return nil, &ConfigError{err}
		}
		return nil, err
	}
	a.keepFeeds(cfg)
	a.cfg, a.built = cfg, built
	a.m.configReload(true, a.clock.Now())
	metricsOpts, err := metricsOptions(cfg)
	if err != nil {
		return nil, &ConfigError{err}
	}
	// The snapshot's metrics are gathered once per evaluation, beside the
	// registry of the daemon's own (which refuses their names).
	a.domain = report.NewSnapshotGatherer(a.Snapshot, metricsOpts)
	a.reg.MustRegister(report.DescribeOnly(a.domain))
	return a, nil
}

// engineOptions wires cfg into the engine's options; prev (the running
// configuration's sources) is reused where it can be.
func (a *App) engineOptions(cfg *config.Config, prev *setup.Built, reg prometheus.Registerer, googleChanged bool) (engine.Options, *setup.Built, error) {
	o, built, err := setup.Options(context.Background(), cfg, setup.Deps{
		Store: a.store, Clock: a.clock, Metrics: a.em, Registerer: reg, Fetch: a.opts.Fetch,
	}, prev, googleChanged)
	if err != nil {
		return o, nil, err
	}
	o.Logger = a.log
	o.OnEvaluation = a.evaluatedNow
	o.PastEvaluations = a.trend.past
	o.OnPastEvaluation = a.trend.reconstructed
	return o, built, nil
}

// evaluatedNow swaps in a new evaluation and gathers its metrics.
func (a *App) evaluatedNow(ev *engine.Evaluation) {
	a.input.Store(&evalInput{snap: ev.Snapshot, prev: ev.LastWeek})
	a.snap.Store(ev.Snapshot)
	// Gathered now, off the scrape path: every scrape until the next
	// evaluation serves these families.
	if _, err := a.domain.Gather(); err != nil {
		a.log.Error("gathering the snapshot's metrics", "err", err)
	}
	a.readyOnce.Do(func() {
		close(a.evaluated)
		a.log.Info("ready: first evaluation done", "pairs", len(ev.Snapshot.Pairs))
	})
	// Once per ISO week: the week's compliance, for the page's trend.
	a.trend.evaluated(ev)
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

// Snapshot returns the current evaluation, or nil before the first one.
func (a *App) Snapshot() *cadence.Snapshot { return a.snap.Load() }

// Evaluated is closed once the first evaluation exists (/-/ready is ready).
func (a *App) Evaluated() <-chan struct{} { return a.evaluated }

// Addr is the (first) address the HTTP server listens on (after Start).
func (a *App) Addr() string {
	if len(a.lns) == 0 {
		return ""
	}
	return a.lns[0].Addr().String()
}

// Addrs are the addresses the HTTP server listens on (after Start), one
// per --web.listen-address.
func (a *App) Addrs() []string {
	out := make([]string, len(a.lns))
	for i, ln := range a.lns {
		out[i] = ln.Addr().String()
	}
	return out
}

// PageAddr is the address of the page's own listener (after Start), ""
// when the page has none (serve.page.listen_address).
func (a *App) PageAddr() string {
	if a.pageLn == nil {
		return ""
	}
	return a.pageLn.Addr().String()
}

func (a *App) config() *config.Config {
	a.cfgMu.RLock()
	defer a.cfgMu.RUnlock()
	return a.cfg
}

// Start listens and starts the sync and evaluation loops.
func (a *App) Start(ctx context.Context) error {
	cfg := a.config()
	addrs := a.opts.ListenAddresses
	if len(addrs) == 0 {
		addrs = []string{cfg.Serve.ListenAddress}
	}
	webConfig := cfg.Serve.WebConfigFile
	if a.opts.WebConfigFile != "" {
		webConfig = a.opts.WebConfigFile
	}
	if webConfig != "" {
		if err := web.Validate(webConfig); err != nil {
			return fmt.Errorf("serve: web config %s: %w", webConfig, err)
		}
	}
	lim := a.serverLimits(cfg)
	var lns []net.Listener
	for _, addr := range addrs {
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			for _, l := range a.lns {
				l.Close()
			}
			a.lns = nil
			return fmt.Errorf("serve: listen on %s: %w", addr, err)
		}
		a.lns = append(a.lns, ln)
		// Connections beyond the limit (per address) wait in the kernel's
		// backlog until one closes (Prometheus's --web.max-connections);
		// the timeouts make sure idle and slow clients do close.
		lns = append(lns, netutil.LimitListener(ln, lim.MaxConnections))
	}
	if pc := cfg.Serve.Page; pc.Enabled && pc.ListenAddress != "" {
		if err := a.listenPage(pc, lim); err != nil {
			for _, l := range a.lns {
				l.Close()
			}
			a.lns = nil
			return err
		}
	}
	// One server per address: exporter-toolkit's web.Serve wraps the
	// server's handler (basic auth) and sets its TLS configuration, so
	// servers cannot be shared between listeners (web.ServeMultiple does,
	// racing on both).
	handler := a.routes()
	loopCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	a.cancel = cancel
	for _, ln := range lns {
		srv := &http.Server{
			Handler:           handler,
			ReadHeaderTimeout: lim.ReadHeaderTimeout,
			ReadTimeout:       lim.ReadTimeout,
			WriteTimeout:      lim.WriteTimeout,
			IdleTimeout:       lim.IdleTimeout,
		}
		a.srvs = append(a.srvs, srv)
		a.serve(ln, srv, webConfig, "http server")
	}
	if a.pageLn != nil {
		a.serve(netutil.LimitListener(a.pageLn, lim.MaxConnections), a.pageSrv, cfg.Serve.Page.WebConfigFile, "page http server")
	}
	// The port answers /-/healthy from here on; the stored history (large
	// in a large org, or stuffed by a hostile feed) is read now, and
	// /-/ready waits for the first evaluation.
	if err := a.eng.LoadHistory(ctx); err != nil {
		cancel()
		a.closeServers()
		return err
	}
	if err := a.startDigest(loopCtx); err != nil {
		cancel()
		a.closeServers()
		return err
	}
	a.eng.Start(loopCtx)
	for _, ln := range a.lns {
		a.log.Info("cadence serving", "addr", ln.Addr().String(), "sources", len(cfg.ICSSources()))
	}
	if a.pageLn != nil {
		a.log.Info("cadence serving the page", "addr", a.PageAddr())
	}
	if !cfg.EvaluateAt.IsZero() {
		a.log.Warn("evaluating at a fixed time, the configuration's evaluate_at, not now (a recorded organisation such as the example org; remove it for live calendars)",
			"evaluate_at", cfg.EvaluateAt.Format(time.RFC3339))
	}
	return nil
}

// listenPage opens the page's own listener (serve.page.listen_address).
func (a *App) listenPage(pc config.Page, lim ServerLimits) error {
	if pc.WebConfigFile != "" {
		if err := web.Validate(pc.WebConfigFile); err != nil {
			return fmt.Errorf("serve: page web config %s: %w", pc.WebConfigFile, err)
		}
	}
	addr := pc.ListenAddress
	if a.opts.PageListenAddress != "" {
		addr = a.opts.PageListenAddress
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("serve: page: listen on %s: %w", addr, err)
	}
	a.pageLn = ln
	a.pageSrv = &http.Server{
		Handler:           a.pageOnlyRoutes(),
		ReadHeaderTimeout: lim.ReadHeaderTimeout,
		ReadTimeout:       lim.ReadTimeout,
		WriteTimeout:      lim.WriteTimeout,
		IdleTimeout:       lim.IdleTimeout,
	}
	return nil
}

// serve runs srv on ln (TLS and basic auth from webConfig) until it is
// shut down; a failure stops the daemon (Err).
func (a *App) serve(ln net.Listener, srv *http.Server, webConfig, what string) {
	a.wg.Add(1)
	go func() {
		defer a.wg.Done()
		err := web.Serve(ln, srv, &web.FlagConfig{WebConfigFile: &webConfig}, a.log)
		if err != nil && !errors.Is(err, http.ErrServerClosed) {
			a.log.Error(what+" stopped", "err", err)
			select {
			case a.serveErr <- err:
			default:
			}
		}
	}()
}

// serverLimits are the HTTP server's timeouts and connection limit: the
// configuration's, or Options.ServerLimits.
func (a *App) serverLimits(cfg *config.Config) ServerLimits {
	if a.opts.ServerLimits != nil {
		return *a.opts.ServerLimits
	}
	sv := cfg.Serve
	return ServerLimits{
		ReadHeaderTimeout: sv.ReadHeaderTimeout, ReadTimeout: sv.ReadTimeout,
		WriteTimeout: sv.WriteTimeout, IdleTimeout: sv.IdleTimeout, MaxConnections: sv.MaxConnections,
	}
}

// closeServers closes every HTTP server at once (a failed Start).
func (a *App) closeServers() {
	for _, srv := range a.srvs {
		_ = srv.Close()
	}
	if a.pageSrv != nil {
		_ = a.pageSrv.Close()
	}
}

// Err reports a fatal HTTP server error after Start.
func (a *App) Err() <-chan error { return a.serveErr }

// Stop drains: the HTTP server finishes in-flight requests, the loops stop,
// and the store is closed. It returns when done or when ctx ends (a second
// signal in main cancels ctx to abort a slow drain).
func (a *App) Stop(ctx context.Context) error {
	// Every server drains at once (in-flight requests finish).
	shutdown := make([]error, len(a.srvs))
	var swg sync.WaitGroup
	for i, srv := range a.srvs {
		swg.Go(func() { shutdown[i] = srv.Shutdown(ctx) })
	}
	swg.Wait()
	var errs []error
	for _, err := range shutdown {
		if err != nil {
			errs = append(errs, fmt.Errorf("serve: shutdown: %w", err))
			break
		}
	}
	if a.pageSrv != nil {
		if err := a.pageSrv.Shutdown(ctx); err != nil {
			errs = append(errs, fmt.Errorf("serve: page listener shutdown: %w", err))
		}
	}
	if a.cancel != nil {
		a.cancel()
	}
	done := make(chan struct{})
	go func() { a.eng.Stop(); a.wg.Wait(); close(done) }()
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
	old := a.config()
	if old.Serve.StatePath != cfg.Serve.StatePath && a.opts.Store == nil {
		return fail(fmt.Errorf("config: %s: serve.state_path cannot change on reload (restart cadence)", cfg.File))
	}
	// A new Google syncer would register its metrics again: the running
	// one is kept unless the google section changed, and a replacement's
	// metrics go to a private registry (a restart exports them again).
	googleChanged := !reflect.DeepEqual(cfg.Google, old.Google)
	eopts, built, err := a.engineOptions(cfg, a.built, prometheus.NewRegistry(), googleChanged)
	if err != nil {
		return fail(err)
	}
	if err := a.eng.Update(context.Background(), eopts); err != nil {
		return fail(err)
	}
	a.cfgMu.Lock()
	a.cfg, a.built = cfg, built
	a.cfgMu.Unlock()
	a.keepFeeds(cfg)
	a.m.configReload(true, a.clock.Now())
	a.log.Info("configuration reloaded", "sources", len(cfg.ICSSources()))
	return nil
}

// keepFeeds deletes the stored data (validators, last good body) of the
// ICS feeds cfg no longer lists: a feed's data is kept only while the feed
// is configured.
func (a *App) keepFeeds(cfg *config.Config) {
	names := make([]string, 0, len(cfg.Sources.ICS))
	for _, s := range cfg.Sources.ICS {
		names = append(names, s.Name)
	}
	gone, err := a.store.KeepFeeds(context.Background(), names)
	if err != nil {
		a.log.Error("deleting the stored data of feeds no longer configured", "err", err)
		return
	}
	if len(gone) > 0 {
		a.log.Info("deleted the stored data of feeds no longer configured", "sources", gone)
	}
}

// pageZone is the zone of the page's dates and ISO weeks (the digest's).
func pageZone(cfg *config.Config) *time.Location {
	if cfg == nil || cfg.Digest.Timezone == nil {
		return time.UTC
	}
	return cfg.Digest.Timezone
}

// ShutdownTimeout is serve.shutdown_timeout of the running configuration.
func (a *App) ShutdownTimeout() time.Duration {
	cfg := a.config()
	return cfg.Serve.ShutdownTimeout
}
