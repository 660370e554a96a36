package app_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/cadence-dev/cadence/cmd/cadence/internal/app"
	"github.com/cadence-dev/cadence/cmd/cadence/internal/cli"
	"github.com/cadence-dev/cadence/internal/store"
	"github.com/cadence-dev/cadence/report"
)

// lockedBuffer collects the daemon's log from several goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// feedToken is the secret of every feed URL of TestHostileFeedURLSecretsNeverShown.
const feedToken = "s3cr3t-e2e-4b7d1f"

// TestHostileFeedURLSecretsNeverShown runs the daemon on URL feeds whose URLs
// carry a secret token in the user info, the path (as Google's and
// Outlook's do) and the query, one feed for each way a fetch fails (HTTP
// 404 and 500, too large, not a calendar, a redirect to another host, a
// malformed redirect, a 304 to a first request, name resolution, a
// refused connection) and one that works. The token appears nowhere: not
// in the log (debug level), the JSON report, the page, /metrics, the
// one-shot commands' output (report as JSON, text and markdown, events,
// check-config) nor the state files. Each failure still names its feed
// and host.
func TestHostileFeedURLSecretsNeverShown(t *testing.T) {
	root, _ := filepath.Abs("../../../..")
	anaICS, err := os.ReadFile(filepath.Join(root, "examples/org/feeds/ana.ics"))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasPrefix(r.URL.Path, "/private-"+feedToken+"/") {
			http.NotFound(w, r)
			return
		}
		switch filepath.Base(r.URL.Path) {
		case "ana.ics":
			w.Header().Set("ETag", `"a1"`)
			w.Write(anaICS)
		case "bo.ics":
			http.NotFound(w, r)
		case "chen.ics":
			http.Error(w, "boom at "+r.URL.String(), http.StatusInternalServerError)
		case "dev.ics":
			w.Write(bytes.Repeat([]byte("X"), 100001))
		case "eva.ics":
			w.Write([]byte("<html>sign in to see " + r.URL.String() + "</html>"))
		case "fay.ics":
			http.Redirect(w, r, "http://elsewhere.example/private-"+feedToken+"/fay.ics?key="+feedToken, http.StatusFound)
		case "gus.ics":
			w.Header().Set("Location", "http://[::1%zz/private-"+feedToken)
			w.WriteHeader(http.StatusFound)
		case "hana.ics":
			w.WriteHeader(http.StatusNotModified)
		}
	}))
	defer srv.Close()
	host := strings.TrimPrefix(srv.URL, "http://")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	refused := ln.Addr().String()
	ln.Close()

	feedURL := func(host, name string) string {
		return fmt.Sprintf("http://user-%s:pw-%s@%s/private-%s/%s.ics?key=%s", feedToken, feedToken, host, feedToken, name, feedToken)
	}
	want := map[string]string{ // feed → what its error says (and its host)
		"bo":   "calendar: feed bo (" + host + "): HTTP status 404 Not Found",
		"chen": "calendar: feed chen (" + host + "): HTTP status 500 Internal Server Error",
		"dev":  "calendar: feed dev (" + host + "): larger than the 100000-byte limit (max_bytes)",
		"eva":  "not an iCalendar feed",
		"fay":  "calendar: feed fay (" + host + "): redirect to another host refused: " + host + " redirected to elsewhere.example",
		"gus":  "calendar: feed gus (" + host + "): GET: malformed Location header in a redirect",
		"hana": "calendar: feed hana (" + host + "): HTTP status 304 Not Modified",
		"ivan": "calendar: feed ivan (cadence-feeds.onion): GET: ",
		"jo":   "calendar: feed jo (" + refused + "): GET: ",
	}
	feeds := map[string]string{"ana": feedURL(host, "ana"), "ivan": feedURL("cadence-feeds.onion", "ivan"), "jo": feedURL(refused, "jo")}
	for name := range want {
		if feeds[name] == "" {
			feeds[name] = feedURL(host, name)
		}
	}
	dir := t.TempDir()
	statePath := filepath.Join(dir, "state.db")
	cfgText := func(names ...string) string {
		var b strings.Builder
		fmt.Fprintf(&b, "directory:\n  csv: %s\nserve:\n  state_path: %s\nsources:\n  http:\n    max_bytes: 100000\n  ics:\n",
			filepath.Join(root, "examples/org/people.csv"), statePath)
		for _, n := range names {
			fmt.Fprintf(&b, "    - name: %s\n      owner: %s@example.com\n      url: %q\n", n, n, feeds[n])
		}
		return b.String()
	}
	all := []string{"ana", "bo", "chen", "dev", "eva", "fay", "gus", "hana", "ivan", "jo"}
	cfgPath := filepath.Join(dir, "cadence.yaml")
	if err := os.WriteFile(cfgPath, []byte(cfgText(all...)), 0o600); err != nil {
		t.Fatal(err)
	}

	shown := map[string]string{} // where → what was shown
	logs := &lockedBuffer{}
	st, err := store.Open(context.Background(), statePath)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	a, err := app.New(app.Options{ConfigPath: cfgPath, Registry: prometheus.NewRegistry(), Clock: &fakeClock{now: pinned}, Store: st, ListenAddresses: []string{"127.0.0.1:0"},
		Logger: slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	select {
	case <-a.Evaluated():
	case <-time.After(60 * time.Second): // a guard, not a sleep: fails a hung test
		t.Fatal("no evaluation within 60s")
	}
	base := "http://" + a.Addr()
	for _, p := range []string{"/api/v1/report", "/", "/manager/ana@example.com", "/manager/gus@example.com", "/metrics"} {
		code, body := get(t, base+p)
		if code != 200 {
			t.Errorf("GET %s: %d", p, code)
		}
		shown["GET "+p] = string(body)
	}
	rep, err := report.ReadJSON(strings.NewReader(shown["GET /api/v1/report"]))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range rep.Sources {
		w, failing := want[s.Name]
		msg := ""
		if s.Error != nil {
			msg = *s.Error
		}
		switch {
		case s.Name == "ana" && !s.OK:
			t.Errorf("feed ana failed: %s", msg)
		case failing && (s.OK || !strings.Contains(msg, w)):
			t.Errorf("feed %s: ok %v, error %q; want an error containing %q", s.Name, s.OK, msg, w)
		}
	}
	if !strings.Contains(shown["GET /"], "feed fay ("+host+")") {
		t.Errorf("the page does not show the failing feed with its host")
	}

	// A reload without ana deletes ana's stored data.
	if rec, _ := st.LoadFeed(context.Background(), "ana"); rec == nil {
		t.Fatal("feed ana not stored")
	}
	if err := os.WriteFile(cfgPath, []byte(cfgText(all[1:]...)), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := a.Reload(); err != nil {
		t.Fatal(err)
	}
	if rec, _ := st.LoadFeed(context.Background(), "ana"); rec != nil {
		t.Error("feed ana's data kept after it left the configuration")
	}
	if err := os.WriteFile(cfgPath, []byte(cfgText(all...)), 0o600); err != nil {
		t.Fatal(err)
	}
	stop(t, a)
	shown["daemon log"] = logs.String()
	if !strings.Contains(shown["daemon log"], "deleted the stored data of feeds no longer configured") {
		t.Errorf("log does not say ana's data was deleted")
	}

	// The one-shot commands, on the same state.
	for _, args := range [][]string{
		{"report", "--format", "json"}, {"report", "--format", "text"}, {"report", "--format", "markdown"},
		{"events", "--owner", "ana@example.com"}, {"check-config"},
	} {
		var out, errb bytes.Buffer
		err := cli.RunEnv(context.Background(), append([]string{args[0], "--config", cfgPath}, args[1:]...),
			cli.Env{Stdout: &out, Stderr: &errb, Now: func() time.Time { return pinned }})
		if err != nil && args[0] != "report" {
			t.Errorf("cadence %s: %v", strings.Join(args, " "), err)
		}
		shown["cadence "+strings.Join(args, " ")] = out.String() + errb.String()
		if err != nil {
			shown["cadence "+strings.Join(args, " ")+" error"] = err.Error()
		}
	}
	if !strings.Contains(shown["cadence report --format text"], "feed bo ("+host+"): HTTP status 404") {
		t.Errorf("cadence report does not name the failing feed and its host:\n%s", shown["cadence report --format text"])
	}
	for _, p := range []string{statePath, statePath + "-wal", statePath + "-shm"} {
		b, err := os.ReadFile(p)
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		shown["state file "+filepath.Base(p)] = string(b)
	}

	for where, text := range shown {
		for _, secret := range []string{feedToken, "private-", "user-", "pw-"} {
			if i := strings.Index(text, secret); i >= 0 {
				t.Errorf("%s shows %q: ...%s...", where, secret, text[max(0, i-120):min(len(text), i+60)])
			}
		}
	}
}
