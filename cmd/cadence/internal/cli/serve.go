package cli

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/cadence-dev/cadence/cmd/cadence/internal/app"
	"github.com/cadence-dev/cadence/internal/store"
)

func runServe(ctx context.Context, args []string, env Env) error {
	fs := newFlagSet("serve", env)
	cfgPath := fs.String("config", "", "configuration `FILE` (required)")
	listen := fs.String("listen", "", "listen `ADDRESS` (overrides serve.listen_address)")
	level := fs.String("log.level", "info", "log level: debug, info, warn, error")
	format := fs.String("log.format", "logfmt", "log format: logfmt or json")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *cfgPath == "" {
		return &UsageError{Msg: "--config FILE is required"}
	}
	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(*level)); err != nil {
		return &UsageError{Msg: fmt.Sprintf("--log.level %q: expected debug, info, warn or error", *level)}
	}
	hopts := &slog.HandlerOptions{Level: lvl}
	var logger *slog.Logger
	switch *format {
	case "logfmt":
		logger = slog.New(slog.NewTextHandler(env.Stderr, hopts))
	case "json":
		logger = slog.New(slog.NewJSONHandler(env.Stderr, hopts))
	default:
		return &UsageError{Msg: fmt.Sprintf("--log.format %q: expected logfmt or json", *format)}
	}
	reg := prometheus.NewRegistry()
	app.RegisterProcessMetrics(reg)
	a, err := app.New(app.Options{ConfigPath: *cfgPath, Logger: logger, Registry: reg, ListenAddress: *listen})
	if err != nil {
		var se *store.StateError
		if errors.As(err, &se) {
			return err // a runtime failure (exit 1), not the configuration
		}
		return &ConfigError{Err: err}
	}
	// Signals: SIGHUP reloads; the first SIGINT/SIGTERM (ctx) starts a
	// graceful drain bounded by serve.shutdown_timeout; a second one aborts it.
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	if err := a.Start(ctx); err != nil {
		_ = a.Stop(context.Background())
		return err
	}
	var runErr error
loop:
	for {
		select {
		case <-hup:
			_ = a.Reload() // logged and exported by the app
		case err := <-a.Err():
			runErr = err
			break loop
		case <-ctx.Done():
			break loop
		}
	}
	logger.Info("shutting down")
	timeout := a.ShutdownTimeout()
	stopCtx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	again := make(chan os.Signal, 1)
	signal.Notify(again, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(again)
	go func() {
		select {
		case <-again:
			logger.Warn("second signal: aborting the drain")
			cancel()
		case <-stopCtx.Done():
		}
	}()
	if err := a.Stop(stopCtx); err != nil {
		return err
	}
	return runErr
}
