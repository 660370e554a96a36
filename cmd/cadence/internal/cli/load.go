package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/cadence-dev/cadence/calendar/google"
	"github.com/cadence-dev/cadence/cmd/cadence/internal/config"
	"github.com/cadence-dev/cadence/cmd/cadence/internal/setup"
	"github.com/cadence-dev/cadence/internal/engine"
	"github.com/cadence-dev/cadence/internal/store"
)

func loadConfig(path string) (*config.Config, error) {
	if path == "" {
		return nil, &UsageError{Msg: "--config.file FILE is required"}
	}
	cfg, err := config.Load(path)
	if err != nil {
		return nil, &ConfigError{Err: err}
	}
	return cfg, nil
}

// configAt loads the configuration and reads --at (default: the
// configuration's evaluate_at, else now).
func configAt(cfgPath, at string, env Env) (*config.Config, time.Time, error) {
	cfg, err := loadConfig(cfgPath)
	if err != nil {
		return nil, time.Time{}, err
	}
	now := env.Now()
	switch {
	case at != "":
		if now, err = parseTime("at", at, cfg.Timezone); err != nil {
			return nil, time.Time{}, err
		}
	case !cfg.EvaluateAt.IsZero():
		now = cfg.EvaluateAt
		fmt.Fprintf(env.Stderr, "cadence: note: evaluating at %s, the configuration's evaluate_at (%s:%d), not now; --at overrides it\n",
			now.Format(time.RFC3339), cfg.File, cfg.Line("evaluate_at"))
	}
	return cfg, now, nil
}

// oneShot is the engine of a one-shot command (report, events, digest)
// at now. The state at serve.state_path, when there is one (always with
// Google, whose sync needs it), supplies the occurrence history and the
// feeds' stored data, read only: the daemon owns them. Each failed
// source and each warning is printed on stderr. Call close when done.
func oneShot(ctx context.Context, cfg *config.Config, now time.Time, stderr io.Writer, lastWeek bool) (eng *engine.Engine, closeFn func(), err error) {
	var st *store.Store
	closeFn = func() {}
	if _, serr := os.Stat(cfg.Serve.StatePath); cfg.Google.Enabled || cfg.Microsoft.Enabled || serr == nil {
		if st, err = openStore(ctx, cfg.Serve.StatePath, stderr); err != nil {
			return nil, nil, err
		}
		closeFn = func() { st.Close() }
	}
	deps := setup.Deps{Store: st, ReadOnly: true, Clock: fixedClock{now}, GoogleClock: google.RealClock{}}
	opts, _, err := setup.Options(ctx, cfg, deps, nil, false)
	if err != nil {
		closeFn()
		return nil, nil, err
	}
	var mu sync.Mutex // sources report concurrently; stderr may be any writer
	opts.Notify = func(source, msg string) {
		mu.Lock()
		defer mu.Unlock()
		fmt.Fprintf(stderr, "cadence: source %s: %s\n", source, msg)
	}
	opts.NoLastWeek = !lastWeek
	return engine.New(opts), closeFn, nil
}

// openStore opens the state store and says on stderr what Open changed
// (a state file readable by others, made private).
func openStore(ctx context.Context, path string, stderr io.Writer) (*store.Store, error) {
	st, err := store.Open(ctx, path)
	if err != nil {
		return nil, err
	}
	for _, n := range st.Notes() {
		fmt.Fprintf(stderr, "cadence: warning: %s\n", n)
	}
	return st, nil
}

// engineErr maps a directory problem to an invalid configuration (exit 3).
func engineErr(err error) error {
	var de *engine.DirectoryError
	if errors.As(err, &de) {
		return &ConfigError{Err: de.Err}
	}
	return err
}

// evaluate reads every source and evaluates every pair at now (report) and,
// with lastWeek, a week before (digest).
func evaluate(ctx context.Context, cfg *config.Config, now time.Time, stderr io.Writer, lastWeek bool) (*engine.Evaluation, error) {
	eng, closeFn, err := oneShot(ctx, cfg, now, stderr, lastWeek)
	if err != nil {
		return nil, err
	}
	defer closeFn()
	ev, err := eng.Once(ctx, now)
	if err != nil {
		return nil, engineErr(err)
	}
	return ev, nil
}
