package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestHelperServe is not a test: TestKill9KeepsState runs the test binary
// with CADENCE_HELPER_SERVE set to start `cadence serve` in a child process.
func TestHelperServe(t *testing.T) {
	cfg := os.Getenv("CADENCE_HELPER_SERVE")
	if cfg == "" {
		t.Skip("helper process for TestKill9KeepsState")
	}
	err := Run(context.Background(), []string{"serve", "--config", cfg, "--listen", "127.0.0.1:0"}, os.Stdout, os.Stderr)
	fmt.Fprintln(os.Stderr, "serve returned:", err)
	os.Exit(ExitCode(err))
}

var addrRE = regexp.MustCompile(`msg="cadence serving" addr=(\S+)`)

const readyLog = `msg="ready: first evaluation done"`

func startChild(t *testing.T, cfg string) (*exec.Cmd, string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperServe$")
	cmd.Env = append(os.Environ(), "CADENCE_HELPER_SERVE="+cfg)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		addr := ""
		for sc.Scan() {
			if m := addrRE.FindStringSubmatch(sc.Text()); m != nil {
				addr = m[1]
			}
			if strings.Contains(sc.Text(), readyLog) {
				found <- addr
			}
		}
		io.Copy(io.Discard, stderr)
	}()
	select {
	case addr := <-found:
		return cmd, addr
	case <-time.After(60 * time.Second): // guard against a hung child, not a sleep
		cmd.Process.Kill()
		t.Fatal("child never became ready")
	}
	return nil, ""
}

func heldByPair(t *testing.T, addr string) map[string]int {
	t.Helper()
	resp, err := http.Get("http://" + addr + "/api/v1/report")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var doc struct {
		Pairs []struct {
			Lead, Member string
			Window       struct{ Held int }
		}
	}
	if err := json.NewDecoder(resp.Body).Decode(&doc); err != nil {
		t.Fatal(err)
	}
	m := map[string]int{}
	for _, p := range doc.Pairs {
		m[p.Lead+"/"+p.Member] = p.Window.Held
	}
	return m
}

// TestKill9KeepsState kills `cadence serve` with SIGKILL after its first
// evaluation, deletes every feed file, and starts it again: the committed
// state (each feed's last good data and the occurrence history) must give
// the same held 1:1s.
func TestKill9KeepsState(t *testing.T) {
	if testing.Short() {
		t.Skip("starts child processes")
	}
	dir := t.TempDir()
	feeds := filepath.Join(dir, "feeds")
	if err := os.CopyFS(feeds, os.DirFS("../../../../examples/org/feeds")); err != nil {
		t.Fatal(err)
	}
	example, err := os.ReadFile(exampleConfig)
	if err != nil {
		t.Fatal(err)
	}
	root, _ := filepath.Abs("../../../..")
	cfg := strings.ReplaceAll(string(example), "path: examples/org/feeds/", "path: "+feeds+"/")
	cfg = strings.ReplaceAll(cfg, "csv: examples/", "csv: "+root+"/examples/")
	cfg = strings.Replace(cfg, "state_path: cadence.db", "state_path: "+filepath.Join(dir, "state.db"), 1)
	cfgPath := filepath.Join(dir, "cadence.yaml")
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}

	child, addr := startChild(t, cfgPath)
	before := heldByPair(t, addr)
	if err := child.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	child.Wait()

	if err := os.RemoveAll(feeds); err != nil {
		t.Fatal(err)
	}
	child, addr = startChild(t, cfgPath)
	defer func() { child.Process.Kill(); child.Wait() }()
	after := heldByPair(t, addr)
	total := 0
	for k, n := range before {
		total += n
		if after[k] != n {
			t.Errorf("%s: %d held 1:1s before kill -9, %d after restart with every feed gone", k, n, after[k])
		}
	}
	if total == 0 {
		t.Fatal("no held 1:1s at all: the test proves nothing")
	}
}
