package app_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/cadence-dev/cadence/cmd/cadence/internal/app"
	"github.com/cadence-dev/cadence/internal/store"
)

// guard bounds every wait on the network so that a regression fails the
// test instead of hanging it; a passing test never waits this long.
const guard = 10 * time.Second

// oneFeedConfig writes a configuration with the example org and one local
// feed (fast to load and reload), plus extra YAML appended.
func oneFeedConfig(t *testing.T, extra string) string {
	t.Helper()
	dir := t.TempDir()
	root, _ := filepath.Abs("../../../..")
	cfg := fmt.Sprintf("directory:\n  csv: %s\nsources:\n  ics:\n    - name: ana\n      owner: ana@example.com\n      path: %s\n",
		filepath.Join(root, "examples/org/people.csv"), filepath.Join(root, "examples/org/feeds/ana.ics"))
	path := filepath.Join(dir, "cadence.yaml")
	if err := os.WriteFile(path, []byte(cfg+extra), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// startWith starts the daemon on cfgPath with opts (the store, registry,
// clock and, unless given, the address are filled in) and stops it when the test ends.
func startWith(t *testing.T, cfgPath string, opts app.Options) *app.App {
	t.Helper()
	st, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "state.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	opts.ConfigPath, opts.Store = cfgPath, st
	if opts.ListenAddresses == nil {
		opts.ListenAddresses = []string{"127.0.0.1:0"}
	}
	opts.Registry = prometheus.NewRegistry()
	opts.Clock = &fakeClock{now: pinned}
	a, err := app.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), guard)
		defer cancel()
		_ = a.Stop(ctx)
	})
	select {
	case <-a.Evaluated():
	case <-time.After(60 * time.Second): // a guard, not a sleep
		t.Fatal("no evaluation within 60s")
	}
	return a
}

func dial(t *testing.T, addr string) net.Conn {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, guard)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// closedByServer reads from c until the server closes it. It fails the test
// when the guard expires first: the server kept the connection open.
func closedByServer(t *testing.T, c net.Conn) {
	t.Helper()
	if err := c.SetReadDeadline(time.Now().Add(guard)); err != nil {
		t.Fatal(err)
	}
	_, err := io.Copy(io.Discard, c)
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		t.Fatalf("the server kept the connection open for %v", guard)
	}
	// nil (EOF) or a reset: the server hung up.
}

// TestServerDisconnectsSlowClients: a client that connects and sends
// nothing, one that sends half its headers (slowloris), and a keep-alive
// connection left idle after a request are all disconnected after the
// (here tiny) timeouts.
func TestServerDisconnectsSlowClients(t *testing.T) {
	limits := &app.ServerLimits{
		ReadHeaderTimeout: 50 * time.Millisecond, ReadTimeout: 100 * time.Millisecond,
		WriteTimeout: guard, IdleTimeout: 50 * time.Millisecond, MaxConnections: 8,
	}
	a := startWith(t, oneFeedConfig(t, ""), app.Options{ServerLimits: limits})

	t.Run("sends nothing", func(t *testing.T) {
		closedByServer(t, dial(t, a.Addr()))
	})
	t.Run("half the headers", func(t *testing.T) {
		c := dial(t, a.Addr())
		if _, err := io.WriteString(c, "GET /-/healthy HTTP/1.1\r\nHost: cadence\r\n"); err != nil {
			t.Fatal(err)
		}
		closedByServer(t, c)
	})
	t.Run("idle keep-alive", func(t *testing.T) {
		c := dial(t, a.Addr())
		if _, err := io.WriteString(c, "GET /-/healthy HTTP/1.1\r\nHost: cadence\r\n\r\n"); err != nil {
			t.Fatal(err)
		}
		if err := c.SetReadDeadline(time.Now().Add(guard)); err != nil {
			t.Fatal(err)
		}
		br := bufio.NewReader(c)
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || resp.Close {
			t.Fatalf("GET /-/healthy: %d, close %v (want 200 on a kept-alive connection)", resp.StatusCode, resp.Close)
		}
		closedByServer(t, &bufConn{Conn: c, r: br})
	})
}

type bufConn struct {
	net.Conn
	r *bufio.Reader
}

func (b *bufConn) Read(p []byte) (int, error) { return b.r.Read(p) }

// TestServerLimitsConnections: beyond serve.max_connections a connection
// waits to be served until another one closes.
func TestServerLimitsConnections(t *testing.T) {
	limits := &app.ServerLimits{
		ReadHeaderTimeout: guard, ReadTimeout: guard, WriteTimeout: guard, IdleTimeout: guard, MaxConnections: 1,
	}
	a := startWith(t, oneFeedConfig(t, ""), app.Options{ServerLimits: limits})

	hog := dial(t, a.Addr()) // holds the only slot, sending nothing
	c := dial(t, a.Addr())
	if _, err := io.WriteString(c, "GET /-/healthy HTTP/1.1\r\nHost: cadence\r\nConnection: close\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	// Not served while the hog holds the slot (a short wait proves it).
	if err := c.SetReadDeadline(time.Now().Add(200 * time.Millisecond)); err != nil {
		t.Fatal(err)
	}
	var ne net.Error
	if n, err := c.Read(make([]byte, 1)); n > 0 || !errors.As(err, &ne) || !ne.Timeout() {
		t.Fatalf("second connection served beyond max_connections 1 (read %d, %v)", n, err)
	}
	hog.Close()
	if err := c.SetReadDeadline(time.Now().Add(guard)); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatalf("queued connection not served once the slot freed: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("GET /-/healthy: %d", resp.StatusCode)
	}
}

// TestReloadRefusesCrossSite: /-/reload takes only POST and PUT, refuses
// what a browser sends cross-site (Sec-Fetch-Site other than same-origin or
// none, an Origin of another host, the content types of a form, which need
// no CORS preflight), and answers 403 unless serve.enable_reload.
func TestReloadRefusesCrossSite(t *testing.T) {
	cfgPath := oneFeedConfig(t, "serve:\n  enable_reload: true\n")
	a := startWith(t, cfgPath, app.Options{})
	base := "http://" + a.Addr()
	// Every reload that runs now fails (500, "reload failed"): a refused
	// request is told apart from one that reached the reload.
	if err := os.WriteFile(cfgPath, []byte("polcies: []\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	const reloaded = http.StatusInternalServerError
	tests := []struct {
		name, method string
		header       map[string]string
		body         string
		want         int
	}{
		{"GET", "GET", nil, "", http.StatusMethodNotAllowed},
		{"POST from curl", "POST", nil, "", reloaded},
		{"PUT", "PUT", nil, "", reloaded},
		{"same-origin fetch", "POST", map[string]string{"Sec-Fetch-Site": "same-origin", "Origin": base}, "", reloaded},
		{"typed in by the user", "POST", map[string]string{"Sec-Fetch-Site": "none"}, "", reloaded},
		{"JSON body (preflighted)", "POST", map[string]string{"Content-Type": "application/json"}, "{}", reloaded},
		{"cross-site", "POST", map[string]string{"Sec-Fetch-Site": "cross-site"}, "", http.StatusForbidden},
		{"same-site", "POST", map[string]string{"Sec-Fetch-Site": "same-site"}, "", http.StatusForbidden},
		{"other origin", "POST", map[string]string{"Origin": "http://evil.example"}, "", http.StatusForbidden},
		{"null origin", "POST", map[string]string{"Origin": "null"}, "", http.StatusForbidden},
		{"cross-site form", "POST", map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": "http://evil.example", "Content-Type": "application/x-www-form-urlencoded"}, "a=b", http.StatusForbidden},
		{"urlencoded form", "POST", map[string]string{"Content-Type": "application/x-www-form-urlencoded"}, "a=b", http.StatusUnsupportedMediaType},
		{"multipart form", "POST", map[string]string{"Content-Type": "multipart/form-data; boundary=x"}, "--x--\r\n", http.StatusUnsupportedMediaType},
		{"text/plain form", "PUT", map[string]string{"Content-Type": "Text/Plain; charset=UTF-8"}, "a=b", http.StatusUnsupportedMediaType},
		{"bad content type", "POST", map[string]string{"Content-Type": "text/plain;;"}, "a", http.StatusUnsupportedMediaType},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, body := do(t, tt.method, base+"/-/reload", tt.header, tt.body)
			if code != tt.want {
				t.Errorf("%s /-/reload: %d %q, want %d", tt.method, code, body, tt.want)
			}
		})
	}

	t.Run("disabled", func(t *testing.T) {
		a := startWith(t, oneFeedConfig(t, ""), app.Options{})
		code, body := do(t, "POST", "http://"+a.Addr()+"/-/reload", nil, "")
		if code != http.StatusForbidden || !strings.Contains(body, "serve.enable_reload") {
			t.Errorf("POST /-/reload with serve.enable_reload off: %d %q, want 403 naming the key", code, body)
		}
	})
}

func do(t *testing.T, method, url string, header map[string]string, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}

// TestExporterFlags: --web.listen-address is repeatable (every address
// serves) and --web.config.file (Options.WebConfigFile) overrides
// serve.web_config_file: here a basic-auth web config protects every path.
func TestExporterFlags(t *testing.T) {
	webConfig := filepath.Join(t.TempDir(), "web.yml")
	// bcrypt (cost 4) of "scrape-secret".
	const users = "basic_auth_users:\n  prometheus: $2a$04$PqjISfaRyXqWplfFtAaTzOW0zyes3eRvxLC72fOxLUxIOxCtThV/q\n"
	if err := os.WriteFile(webConfig, []byte(users), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg := oneFeedConfig(t, "serve:\n  web_config_file: /nonexistent/web.yml\n")
	a := startWith(t, cfg, app.Options{ListenAddresses: []string{"127.0.0.1:0", "127.0.0.1:0"}, WebConfigFile: webConfig})
	if got := a.Addrs(); len(got) != 2 || got[0] == got[1] {
		t.Fatalf("Addrs() = %v, want two addresses", got)
	}
	for _, addr := range a.Addrs() {
		for _, path := range []string{"/-/healthy", "/-/ready", "/healthz", "/readyz", "/metrics"} {
			req, _ := http.NewRequest("GET", "http://"+addr+path, nil)
			for _, tc := range []struct {
				user, pass string
				want       int
			}{{"", "", 401}, {"prometheus", "wrong", 401}, {"prometheus", "scrape-secret", 200}} {
				if tc.user != "" {
					req.SetBasicAuth(tc.user, tc.pass)
				}
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
				if resp.StatusCode != tc.want {
					t.Errorf("GET %s%s as %q: %d, want %d", addr, path, tc.user, resp.StatusCode, tc.want)
				}
			}
		}
	}
}

// TestHealthyAndReadyBodies: /-/healthy and /-/ready answer GET and HEAD
// with plain text, like Prometheus's.
func TestHealthyAndReadyBodies(t *testing.T) {
	a := startWith(t, oneFeedConfig(t, ""), app.Options{})
	base := "http://" + a.Addr()
	for path, want := range map[string]string{"/-/healthy": "cadence is healthy.\n", "/-/ready": "cadence is ready.\n"} {
		resp, err := http.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || string(b) != want || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain") {
			t.Errorf("GET %s: %d %q %s", path, resp.StatusCode, b, resp.Header.Get("Content-Type"))
		}
		resp, err = http.Head(base + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Errorf("HEAD %s: %d", path, resp.StatusCode)
		}
		resp, err = http.Post(base+path, "", nil)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusMethodNotAllowed {
			t.Errorf("POST %s: %d, want 405", path, resp.StatusCode)
		}
	}
}
