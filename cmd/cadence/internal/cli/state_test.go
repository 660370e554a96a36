package cli

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cadence-dev/cadence/internal/store"
)

// stateConfig writes a configuration of the example org with one local
// feed and serve.state_path set to statePath.
func stateConfig(t *testing.T, statePath string) string {
	t.Helper()
	root, _ := filepath.Abs("../../../..")
	cfg := fmt.Sprintf("directory:\n  csv: %s\nsources:\n  ics:\n    - name: ana\n      owner: ana@example.com\n      path: %s\nserve:\n  state_path: %s\n",
		filepath.Join(root, "examples/org/people.csv"), filepath.Join(root, "examples/org/feeds/ana.ics"), statePath)
	path := filepath.Join(t.TempDir(), "cadence.yaml")
	if err := os.WriteFile(path, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// runStopped runs a command; serve runs with a cancelled context, so it
// returns at once after starting (a regression does not hang the test).
func runStopped(t *testing.T, args ...string) error {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if args[0] == "serve" {
		cancel()
	}
	var out, errb strings.Builder
	return RunEnv(ctx, args, Env{Stdout: &out, Stderr: &errb, Now: func() time.Time { return pinned }})
}

// TestStateFileErrors: a corrupt or read-only state file is a runtime
// failure (exit 1), not an invalid configuration (exit 3), and the message
// names the file and what is wrong with it.
func TestStateFileErrors(t *testing.T) {
	t.Run("corrupt", func(t *testing.T) {
		statePath := filepath.Join(t.TempDir(), "state.db")
		b := make([]byte, 4096)
		r := rand.New(rand.NewPCG(7, 7))
		for i := range b {
			b[i] = byte(r.Uint32())
		}
		if err := os.WriteFile(statePath, b, 0o644); err != nil {
			t.Fatal(err)
		}
		cfg := stateConfig(t, statePath)
		want := "state file " + statePath + " is not a cadence state database (file is not a database)"
		for _, cmd := range [][]string{
			{"serve", "--config", cfg, "--listen", "127.0.0.1:0"},
			{"report", "--config", cfg},
		} {
			err := runStopped(t, cmd...)
			if code := ExitCode(err); code != ExitFailure || !strings.HasPrefix(fmt.Sprint(err), want) {
				t.Errorf("cadence %s: exit %d, %v\nwant exit %d, %s...", cmd[0], code, err, ExitFailure, want)
			}
			var se *store.StateError
			if !errors.As(err, &se) {
				t.Errorf("cadence %s: %T, want a *store.StateError", cmd[0], err)
			}
		}
	})
	t.Run("read-only directory", func(t *testing.T) {
		if os.Geteuid() == 0 {
			t.Skip("root writes whatever the permissions say")
		}
		ro := filepath.Join(t.TempDir(), "ro")
		if err := os.Mkdir(ro, 0o555); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { os.Chmod(ro, 0o755) })
		statePath := filepath.Join(ro, "state.db")
		err := runStopped(t, "serve", "--config", stateConfig(t, statePath), "--listen", "127.0.0.1:0")
		want := "state file " + statePath + " cannot be created: directory " + ro + " is not writable"
		if code := ExitCode(err); code != ExitFailure || fmt.Sprint(err) != want {
			t.Errorf("cadence serve: exit %d, %v\nwant exit %d, %s", code, err, ExitFailure, want)
		}
	})
	t.Run("read-only file", func(t *testing.T) {
		if os.Geteuid() == 0 {
			t.Skip("root writes whatever the permissions say")
		}
		statePath := filepath.Join(t.TempDir(), "state.db")
		st, err := store.Open(context.Background(), statePath)
		if err != nil {
			t.Fatal(err)
		}
		st.Close()
		if err := os.Chmod(statePath, 0o444); err != nil {
			t.Fatal(err)
		}
		err = runStopped(t, "serve", "--config", stateConfig(t, statePath), "--listen", "127.0.0.1:0")
		want := "state file " + statePath + " is not writable (permission denied)"
		if code := ExitCode(err); code != ExitFailure || fmt.Sprint(err) != want {
			t.Errorf("cadence serve: exit %d, %v\nwant exit %d, %s", code, err, ExitFailure, want)
		}
	})
}
