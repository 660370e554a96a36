package store

import (
	"context"
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestOpenUnusableStateFile: a state file cadence cannot use is a
// *StateError naming the path and what is wrong, not SQLite's bare message.
func TestOpenUnusableStateFile(t *testing.T) {
	type tc struct {
		name  string
		setup func(t *testing.T, dir string) string // returns the state path
		want  string                                // after "state file PATH "
		root  bool                                  // meaningful as root too
	}
	tests := []tc{
		{"random bytes", func(t *testing.T, dir string) string {
			p := filepath.Join(dir, "state.db")
			b := make([]byte, 8192)
			r := rand.New(rand.NewPCG(1, 2))
			for i := range b {
				b[i] = byte(r.Uint32())
			}
			write(t, p, b, 0o644)
			return p
		}, "is not a cadence state database (file is not a database)", true},
		{"text file", func(t *testing.T, dir string) string {
			p := filepath.Join(dir, "state.db")
			write(t, p, []byte(strings.Repeat("timezone: UTC\n", 200)), 0o644)
			return p
		}, "is not a cadence state database (file is not a database)", true},
		{"a directory", func(t *testing.T, dir string) string {
			return dir
		}, "is a directory (expected a file path such as cadence.db)", true},
		{"missing directory", func(t *testing.T, dir string) string {
			return filepath.Join(dir, "nope", "state.db")
		}, "cannot be created: directory " + "DIR/nope does not exist", true},
		{"read-only file", func(t *testing.T, dir string) string {
			p := filepath.Join(dir, "state.db")
			s := open(t, p)
			s.Close()
			for _, f := range []string{p, p + "-wal", p + "-shm"} {
				if err := os.Chmod(f, 0o444); err != nil && !errors.Is(err, os.ErrNotExist) {
					t.Fatal(err)
				}
			}
			return p
		}, "is not writable", false},
		{"read-only directory, no file", func(t *testing.T, dir string) string {
			ro := filepath.Join(dir, "ro")
			if err := os.Mkdir(ro, 0o555); err != nil {
				t.Fatal(err)
			}
			return filepath.Join(ro, "state.db")
		}, "cannot be created: directory DIR/ro is not writable", false},
		{"read-only directory", func(t *testing.T, dir string) string {
			ro := filepath.Join(dir, "ro")
			if err := os.Mkdir(ro, 0o755); err != nil {
				t.Fatal(err)
			}
			p := filepath.Join(ro, "state.db")
			s := open(t, p)
			s.Close()
			if err := os.Chmod(ro, 0o555); err != nil {
				t.Fatal(err)
			}
			return p
		}, "is not writable: its directory DIR/ro is not (SQLite creates state.db-wal and state.db-shm beside it)", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !tt.root && os.Geteuid() == 0 {
				t.Skip("root writes whatever the permissions say")
			}
			dir := t.TempDir()
			t.Cleanup(func() {
				_ = filepath.Walk(dir, func(p string, _ os.FileInfo, _ error) error { return os.Chmod(p, 0o755) })
			})
			path := tt.setup(t, dir)
			s, err := Open(context.Background(), path)
			if err == nil {
				// A write-protected file opens read only.
				err = s.CheckWritable(context.Background())
				s.Close()
			}
			if err == nil {
				t.Fatal("Open and CheckWritable succeeded")
			}
			t.Log(err)
			var se *StateError
			if !errors.As(err, &se) || se.Path != path {
				t.Fatalf("error %q (%T), want a *StateError for %s", err, err, path)
			}
			want := "state file " + path + " " + strings.ReplaceAll(tt.want, "DIR", dir)
			if !strings.HasPrefix(err.Error(), want) {
				t.Errorf("error\n got: %s\nwant: %s...", err, want)
			}
		})
	}
}

func write(t *testing.T, p string, b []byte, mode os.FileMode) {
	t.Helper()
	if err := os.WriteFile(p, b, mode); err != nil {
		t.Fatal(err)
	}
}
