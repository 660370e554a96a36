package cli

import (
	"context"
	"errors"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/common/promslog"
	"github.com/prometheus/common/version"

	"github.com/cadence-dev/cadence/cmd/cadence/internal/app"
)

func runServe(ctx context.Context, args []string, env Env) error {
	fs := newFlagSet("serve", "cadence serve --config.file FILE [--web.listen-address ADDRESS]... [--web.config.file FILE] [--log.level LEVEL] [--log.format FORMAT]",
		"Run the daemon: keep every source in sync, re-evaluate as time passes, and serve /metrics,\n/api/v1/report, /-/healthy, /-/ready and the org-health page. SIGHUP reloads the\nconfiguration; SIGINT or SIGTERM drains.", env)
	cfgPath := fs.configFile("configuration `FILE` (required)")
	var listen listFlag
	fs.Var(&listen, "web.listen-address", "`ADDRESS` to serve on, host:port; repeatable (default: serve.listen_address of the configuration, :9816)")
	fs.alias("listen", "web.listen-address")
	webConfig := fs.String("web.config.file", "", "exporter-toolkit web configuration `FILE` enabling TLS or basic auth (default: serve.web_config_file)")
	lvl := promslog.NewLevel()
	_ = lvl.Set("info")
	fs.Var(lvl, "log.level", "only log messages with this `LEVEL` or above: "+strings.Join(promslog.LevelFlagOptions, ", "))
	logFormat := promslog.NewFormat()
	_ = logFormat.Set("logfmt")
	fs.Var(logFormat, "log.format", "`FORMAT` of log messages: "+strings.Join(promslog.FormatFlagOptions, ", "))
	if err := fs.parse(args); err != nil {
		return err
	}
	if *cfgPath == "" {
		return &UsageError{Msg: "--config.file FILE is required"}
	}
	// promslog, as Prometheus and the exporters log: logfmt or JSON on
	// stderr, level=info in lower case (its go-kit style: ts, caller,
	// level, msg).
	logger := promslog.New(&promslog.Config{Level: lvl, Format: logFormat, Style: promslog.GoKitStyle, Writer: env.Stderr})
	logger.Info("starting cadence", "version", version.Info())
	logger.Info("build context", "build_context", version.BuildContext())
	reg := prometheus.NewRegistry()
	app.RegisterProcessMetrics(reg)
	a, err := app.New(app.Options{ConfigPath: *cfgPath, Logger: logger, Registry: reg, ListenAddresses: listen, WebConfigFile: *webConfig})
	if err != nil {
		var ce *app.ConfigError
		if errors.As(err, &ce) {
			return &ConfigError{Err: ce.Err}
		}
		return err // a runtime failure (exit 1): the state file, the network
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

// listFlag is a repeatable string flag (--web.listen-address).
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }

func (l *listFlag) Set(s string) error {
	*l = append(*l, s)
	return nil
}
