package e2e_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.yaml.in/yaml/v3"

	"github.com/cadence-dev/cadence/calendar"
	"github.com/cadence-dev/cadence/cmd/cadence/internal/app"
)

// The harness: binaries, ports, the three servers, polling.

const (
	repoRoot    = "../../../.."
	rulesPath   = repoRoot + "/deploy/prometheus/rules.yml"
	alertsPath  = repoRoot + "/deploy/prometheus/alerts.yml"
	requiredEnv = "CADENCE_E2E_REQUIRED"
	// pollEvery is the only wait of the tests: every condition is polled
	// at this pace until its deadline.
	pollEvery = 100 * time.Millisecond
	// startupTimeout bounds a server's start (guards, not sleeps).
	startupTimeout = 30 * time.Second
)

// binary finds the first of names on PATH, or skips the test (fails it
// when CADENCE_E2E_REQUIRED is set, as in CI).
func binary(t *testing.T, pkg string, names ...string) string {
	t.Helper()
	for _, n := range names {
		if p, err := exec.LookPath(n); err == nil {
			return p
		}
	}
	msg := fmt.Sprintf("%s not on PATH: this end-to-end test needs Debian's %s package (apt-get install -y prometheus prometheus-alertmanager; .ci/run installs both)",
		strings.Join(names, " or "), pkg)
	if os.Getenv(requiredEnv) != "" {
		t.Fatalf("%s, and %s is set", msg, requiredEnv)
	}
	t.Skip(msg)
	return ""
}

// freeAddr returns a loopback address with a port that was free a moment
// ago (the servers started on it are told the address in their config).
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// waitFor polls cond until it holds or d passes; cond's text says what it
// saw last, for the failure message.
func waitFor(t *testing.T, d time.Duration, what string, cond func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(d)
	for {
		ok, last := cond()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %v; last seen: %s", what, d, last)
		}
		time.Sleep(pollEvery)
	}
}

// syncBuffer collects a process's output.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) tail(n int) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := s.b.String()
	if len(out) > n {
		out = "..." + out[len(out)-n:]
	}
	return out
}

// process runs a server binary until the test ends; its output is shown
// when the test fails.
type process struct {
	name   string
	cmd    *exec.Cmd
	out    *syncBuffer
	exited chan struct{}
}

func startProcess(t *testing.T, name, bin string, args ...string) *process {
	t.Helper()
	p := &process{name: name, cmd: exec.Command(bin, args...), out: &syncBuffer{}, exited: make(chan struct{})}
	p.cmd.Stdout, p.cmd.Stderr = p.out, p.out
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("starting %s (%s): %v", name, bin, err)
	}
	go func() { _ = p.cmd.Wait(); close(p.exited) }()
	t.Cleanup(func() {
		_ = p.cmd.Process.Signal(os.Interrupt)
		select {
		case <-p.exited:
		case <-time.After(10 * time.Second):
			_ = p.cmd.Process.Kill()
			<-p.exited
		}
		if t.Failed() {
			t.Logf("%s output:\n%s", name, p.out.tail(6000))
		}
	})
	return p
}

// waitReady polls base+"/-/ready" (Prometheus and Alertmanager both have it).
func (p *process) waitReady(t *testing.T, base string) {
	t.Helper()
	waitFor(t, startupTimeout, p.name+" ready at "+base, func() (bool, string) {
		select {
		case <-p.exited:
			t.Fatalf("%s exited: %v\n%s", p.name, p.cmd.ProcessState, p.out.tail(6000))
		default:
		}
		resp, err := http.Get(base + "/-/ready")
		if err != nil {
			return false, err.Error()
		}
		resp.Body.Close()
		return resp.StatusCode == 200, resp.Status
	})
}

// shippedRules returns deploy/prometheus/rules.yml and alerts.yml rewritten
// for a test that must finish in seconds: every group evaluates every
// second, and every alert's `for` becomes forOf(alert, its for). The
// promtool unit tests (deploy/prometheus/tests) test the real durations;
// this copy only changes the timing, never an expression, label or
// annotation.
func shippedRules(t *testing.T, forOf func(alert, orig string) string) (rules, alerts []byte) {
	t.Helper()
	rewrite := func(path string) []byte {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		var doc map[string]any
		if err := yaml.Unmarshal(data, &doc); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		groups, _ := doc["groups"].([]any)
		if len(groups) == 0 {
			t.Fatalf("%s: no groups", path)
		}
		for _, g := range groups {
			group := g.(map[string]any)
			group["interval"] = "1s"
			for _, r := range group["rules"].([]any) {
				rule := r.(map[string]any)
				if name, ok := rule["alert"].(string); ok {
					orig, _ := rule["for"].(string)
					rule["for"] = forOf(name, orig)
				}
			}
		}
		out, err := yaml.Marshal(doc)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	return rewrite(rulesPath), rewrite(alertsPath)
}

// promServer is a running Prometheus.
type promServer struct {
	base string
	proc *process
}

// startPrometheus starts Debian's prometheus on a free loopback port with
// a temporary TSDB: it scrapes target (job "cadence") every second,
// evaluates rules (written next to its config), and sends alerts to
// alertmanager when not empty.
func startPrometheus(t *testing.T, target, alertmanager string, rules, alerts []byte) *promServer {
	t.Helper()
	bin := binary(t, "prometheus", "prometheus")
	dir := t.TempDir()
	for name, data := range map[string][]byte{"rules.yml": rules, "alerts.yml": alerts} {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cfg := fmt.Sprintf(`global:
  scrape_interval: 1s
  scrape_timeout: 1s
  evaluation_interval: 1s
rule_files: [rules.yml, alerts.yml]
scrape_configs:
  - job_name: cadence
    static_configs:
      - targets: [%q]
`, target)
	if alertmanager != "" {
		cfg += fmt.Sprintf(`alerting:
  alertmanagers:
    - static_configs:
        - targets: [%q]
`, alertmanager)
	}
	cfgPath := filepath.Join(dir, "prometheus.yml")
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	addr := freeAddr(t)
	p := startProcess(t, "prometheus", bin,
		"--config.file="+cfgPath,
		"--storage.tsdb.path="+filepath.Join(dir, "data"),
		"--web.listen-address="+addr,
		"--log.level=warn",
	)
	s := &promServer{base: "http://" + addr, proc: p}
	p.waitReady(t, s.base)
	return s
}

// sample is one element of an instant vector.
type sample struct {
	Metric map[string]string `json:"metric"`
	Value  [2]any            `json:"value"` // [unix seconds, "value"]
}

func (s sample) value() string { v, _ := s.Value[1].(string); return v }

func (s sample) float() float64 {
	f, err := strconv.ParseFloat(s.value(), 64)
	if err != nil {
		return 0
	}
	return f
}

// apiGet calls the Prometheus HTTP API and decodes data.
func (p *promServer) apiGet(path string, params url.Values, data any) error {
	resp, err := http.Get(p.base + path + "?" + params.Encode())
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	var env struct {
		Status string          `json:"status"`
		Error  string          `json:"error"`
		Data   json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(body, &env); err != nil {
		return fmt.Errorf("%s: %s: %w", path, body, err)
	}
	if env.Status != "success" {
		return fmt.Errorf("%s %s: %s", path, params.Encode(), env.Error)
	}
	return json.Unmarshal(env.Data, data)
}

// query runs an instant query now.
func (p *promServer) query(expr string) ([]sample, error) {
	var data struct {
		ResultType string          `json:"resultType"`
		Result     json.RawMessage `json:"result"`
	}
	if err := p.apiGet("/api/v1/query", url.Values{"query": {expr}}, &data); err != nil {
		return nil, err
	}
	switch data.ResultType {
	case "vector":
		var out []sample
		return out, json.Unmarshal(data.Result, &out)
	case "scalar":
		var v [2]any
		if err := json.Unmarshal(data.Result, &v); err != nil {
			return nil, err
		}
		return []sample{{Metric: map[string]string{}, Value: v}}, nil
	}
	return nil, fmt.Errorf("query %s: result type %s", expr, data.ResultType)
}

// mustQuery is query that fails the test on an error.
func (p *promServer) mustQuery(t *testing.T, expr string) []sample {
	t.Helper()
	out, err := p.query(expr)
	if err != nil {
		t.Fatalf("query %s: %v", expr, err)
	}
	return out
}

// waitValue waits until expr gives exactly one sample of value want.
func (p *promServer) waitValue(t *testing.T, d time.Duration, expr string, want float64) {
	t.Helper()
	waitFor(t, d, fmt.Sprintf("Prometheus: %s == %v", expr, want), func() (bool, string) {
		out, err := p.query(expr)
		if err != nil {
			return false, err.Error()
		}
		return len(out) == 1 && out[0].float() == want, fmt.Sprint(out)
	})
}

// ruleEvaluatedAfter reports whether the rule named name was evaluated
// after t0 (the rules API's lastEvaluation).
func (p *promServer) ruleEvaluatedAfter(name string, t0 time.Time) (bool, string) {
	var data struct {
		Groups []struct {
			Rules []struct {
				Name           string    `json:"name"`
				LastEvaluation time.Time `json:"lastEvaluation"`
				Health         string    `json:"health"`
				LastError      string    `json:"lastError"`
			} `json:"rules"`
		} `json:"groups"`
	}
	if err := p.apiGet("/api/v1/rules", url.Values{}, &data); err != nil {
		return false, err.Error()
	}
	for _, g := range data.Groups {
		for _, r := range g.Rules {
			if r.Name == name {
				return r.LastEvaluation.After(t0), fmt.Sprintf("last evaluation %v, health %s %s", r.LastEvaluation, r.Health, r.LastError)
			}
		}
	}
	return false, "no rule " + name
}

// promAlert is an alert as Prometheus's /api/v1/alerts lists it.
type promAlert struct {
	Labels      map[string]string `json:"labels"`
	Annotations map[string]string `json:"annotations"`
	State       string            `json:"state"`
	Value       string            `json:"value"`
}

func (p *promServer) alerts() ([]promAlert, error) {
	var data struct {
		Alerts []promAlert `json:"alerts"`
	}
	return data.Alerts, p.apiGet("/api/v1/alerts", url.Values{}, &data)
}

// startAlertmanager starts Debian's alertmanager on a free loopback port,
// clustering off, routing every alert on its own (group_by: ['...']) to
// the webhook at once (1s group wait and interval), resolutions included.
func startAlertmanager(t *testing.T, webhook string) string {
	t.Helper()
	bin := binary(t, "prometheus-alertmanager", "alertmanager", "prometheus-alertmanager")
	dir := t.TempDir()
	cfg := fmt.Sprintf(`route:
  receiver: test
  group_by: ['...']
  group_wait: 1s
  group_interval: 1s
  repeat_interval: 1h
receivers:
  - name: test
    webhook_configs:
      - url: %q
        send_resolved: true
`, webhook)
	cfgPath := filepath.Join(dir, "alertmanager.yml")
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	addr := freeAddr(t)
	p := startProcess(t, "alertmanager", bin,
		"--config.file="+cfgPath,
		"--storage.path="+filepath.Join(dir, "data"),
		"--web.listen-address="+addr,
		"--cluster.listen-address=", // no gossip port
		"--log.level=warn",
	)
	p.waitReady(t, "http://"+addr)
	return addr
}

// notified is one alert of one webhook notification.
type notified struct {
	Status      string            `json:"status"` // firing or resolved
	Labels      map[string]string `json:"labels"`
	Annotations map[string]string `json:"annotations"`
}

// webhook is the receiver Alertmanager notifies.
type webhook struct {
	srv *httptest.Server
	mu  sync.Mutex
	got []notified
}

func newWebhook(t *testing.T) *webhook {
	t.Helper()
	w := &webhook{}
	w.srv = httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		var msg struct {
			Version string     `json:"version"`
			Alerts  []notified `json:"alerts"`
		}
		if err := json.NewDecoder(r.Body).Decode(&msg); err != nil {
			http.Error(rw, err.Error(), 400)
			return
		}
		w.mu.Lock()
		w.got = append(w.got, msg.Alerts...)
		w.mu.Unlock()
	}))
	t.Cleanup(w.srv.Close)
	return w
}

// find returns the notified alerts with status and labels including want.
func (w *webhook) find(status string, want map[string]string) []notified {
	w.mu.Lock()
	defer w.mu.Unlock()
	var out []notified
next:
	for _, n := range w.got {
		if n.Status != status {
			continue
		}
		for k, v := range want {
			if n.Labels[k] != v {
				continue next
			}
		}
		out = append(out, n)
	}
	return out
}

func (w *webhook) summary() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	var parts []string
	for _, n := range w.got {
		parts = append(parts, n.Status+" "+n.Labels["alertname"]+fmt.Sprint(n.Labels))
	}
	return fmt.Sprintf("%d notified: %s", len(w.got), strings.Join(parts, "; "))
}

// waitNotified waits until the webhook got an alert with status and
// labels including want, and returns it.
func (w *webhook) waitNotified(t *testing.T, d time.Duration, status string, want map[string]string) notified {
	t.Helper()
	waitFor(t, d, fmt.Sprintf("webhook: %s %v", status, want), func() (bool, string) {
		return len(w.find(status, want)) > 0, w.summary()
	})
	return w.find(status, want)[0]
}

// fakeClock is the daemon's clock: Now stays where the test puts it;
// waits under a minute (retry backoff, the evaluation's settle time) end at
// once, the loop's intervals (sync, evaluate: minutes) only when the test
// calls fire.
type fakeClock struct {
	mu     sync.Mutex
	now    time.Time
	timers []chan time.Time
}

func (c *fakeClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }

func (c *fakeClock) After(d time.Duration) <-chan time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	ch := make(chan time.Time, 1)
	if d < time.Minute {
		ch <- c.now
		return ch
	}
	c.timers = append(c.timers, ch)
	return ch
}

// fire ends every pending wait: each source syncs again and the daemon
// evaluates, as when serve.sync_every and serve.evaluate_every pass.
func (c *fakeClock) fire() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, ch := range c.timers {
		ch <- c.now
	}
	c.timers = nil
}

// feeds serves ICS bodies by source name, as the test sets them.
type feeds struct {
	mu     sync.Mutex
	bodies map[string]string
}

func (f *feeds) set(name, body string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.bodies == nil {
		f.bodies = map[string]string{}
	}
	f.bodies[name] = body
}

func (f *feeds) fetch(_ context.Context, src calendar.ICSSource, _ calendar.FetchOptions) (*calendar.FetchResult, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	body, ok := f.bodies[src.Name]
	if !ok {
		return nil, fmt.Errorf("test feed %s: no body set", src.Name)
	}
	return &calendar.FetchResult{Data: []byte(body)}, nil
}

// daemon is `cadence serve` running in-process.
type daemon struct {
	app  *app.App
	once sync.Once
}

// startCadence runs `cadence serve` in-process on addr until stop or the
// end of the test, and waits for its first evaluation.
func startCadence(t *testing.T, cfgPath, addr string, clock app.Clock, fetch func(context.Context, calendar.ICSSource, calendar.FetchOptions) (*calendar.FetchResult, error)) *daemon {
	t.Helper()
	a, err := app.New(app.Options{ConfigPath: cfgPath, Registry: prometheus.NewRegistry(), Clock: clock, ListenAddresses: []string{addr}, Fetch: fetch})
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	d := &daemon{app: a}
	t.Cleanup(func() { d.stop(t) })
	select {
	case <-a.Evaluated():
	case <-time.After(startupTimeout): // a guard, not a sleep
		t.Fatal("cadence: no evaluation within 30s")
	}
	return d
}

// stop drains the daemon (once): its port closes, the state is closed.
func (d *daemon) stop(t *testing.T) {
	t.Helper()
	d.once.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := d.app.Stop(ctx); err != nil {
			t.Errorf("stopping cadence: %v", err)
		}
	})
}
