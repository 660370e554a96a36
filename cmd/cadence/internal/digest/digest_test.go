package digest

import (
	"bytes"
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/mail"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/cadence-dev/cadence/cadence"
	"github.com/cadence-dev/cadence/cmd/cadence/internal/config"
	"github.com/cadence-dev/cadence/internal/store"
	"github.com/cadence-dev/cadence/report"
)

// The example org's root (a manager of managers) and a first-line manager.
const (
	rootManager  = "ana@example.com"
	firstLineMgr = "eva@example.com"
)

func TestExampleGoldens(t *testing.T) {
	base, cur, prev := example(t)
	cfg := withDigest(t, base, `
digest:
  timezone: Europe/Berlin
  base_url: https://cadence.example.com/
  from: "cadence <cadence@example.com>"
`)
	// Each recipient's times in their own zone (their feed's timezone:
	// gus and ivan are in New York), with their opt-out link.
	zone := RecipientZones(cfg, cur.Directory, nil)
	key := []byte("a fixed key for the goldens only")
	for _, who := range []string{rootManager, firstLineMgr, "gus@example.com", "ivan@example.com"} {
		d, err := ComposeFor(cfg, cur, prev, Week(cfg, cur.AsOf), who, cur.AsOf, Personal{Zone: zone(who), UnsubscribeURL: UnsubscribeURL(cfg.Digest.BaseURL, key, who)})
		if err != nil {
			t.Fatal(err)
		}
		name := strings.TrimSuffix(who, "@example.com")
		golden(t, name+".html", d.HTML)
		golden(t, name+".txt", d.Text)
		golden(t, name+".subject", []byte(d.Subject+"\n"))
	}
}

// TestExampleViews checks the facts behind the goldens, so that a golden
// accepted by mistake cannot hide a wrong figure.
func TestExampleViews(t *testing.T) {
	_, cur, prev := example(t)
	v, err := report.BuildManagerView(cur, prev, rootManager, report.ViewOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !v.ManagerOfManagers || len(v.SubManagers) == 0 {
		t.Fatalf("%s should be a manager of managers: %+v", rootManager, v.SubManagers)
	}
	var org *cadence.Manager
	for i := range cur.Managers {
		if cur.Managers[i].Manager == rootManager {
			org = &cur.Managers[i]
		}
	}
	if v.AttentionOf != org.Org.Pairs {
		t.Errorf("attention out of %d, want the org's %d required pairs", v.AttentionOf, org.Org.Pairs)
	}
	if v.Attention == 0 || v.Attention > v.AttentionOf {
		t.Errorf("attention %d of %d: the example org has broken rhythms", v.Attention, v.AttentionOf)
	}
	if v.PrevAttention == nil || v.PrevOrg == nil || v.PrevSkipCoverage == nil {
		t.Error("changes since last week missing")
	}
	if v.Week != "2026-W48" || !strings.HasSuffix(v.Subject(), "— week 48") {
		t.Errorf("week %s, subject %q", v.Week, v.Subject())
	}
	// Skip-level coverage by hand.
	total := 0
	for _, r := range cur.Directory.Reports(rootManager) {
		total += len(cur.Directory.Reports(r))
	}
	if v.SkipCoverage.Total != total || v.SkipCoverage.Met > total {
		t.Errorf("skip coverage %+v, want total %d", v.SkipCoverage, total)
	}
	// Every direct pair of the manager is listed, each with a 12-week strip
	// whose held weeks are backed by held occurrences.
	for _, row := range v.Pairs {
		if len(row.Strip) != report.StripWeeks {
			t.Fatalf("strip of %s has %d weeks", row.Member.Email, len(row.Strip))
		}
		if row.Strip[len(row.Strip)-1].Week != "2026-W48" || row.Strip[0].Week != "2026-W37" {
			t.Errorf("strip weeks %s..%s", row.Strip[0].Week, row.Strip[11].Week)
		}
	}
	if len(v.Pairs) != len(cur.Directory.Reports(rootManager)) {
		t.Errorf("%d direct pairs shown, %d reports", len(v.Pairs), len(cur.Directory.Reports(rootManager)))
	}
}

// parts parses a received message: headers and its text and HTML parts.
func parts(t *testing.T, raw []byte) (*mail.Message, string, string) {
	t.Helper()
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("parse message: %v\n%s", err, raw)
	}
	mt, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/alternative" {
		t.Fatalf("Content-Type %q (%v), want multipart/alternative", msg.Header.Get("Content-Type"), err)
	}
	mr := multipart.NewReader(msg.Body, params["boundary"])
	var text, html string
	var order []string
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(p) // multipart decodes quoted-printable
		if err != nil {
			t.Fatal(err)
		}
		ct, _, _ := mime.ParseMediaType(p.Header.Get("Content-Type"))
		order = append(order, ct)
		switch ct {
		case "text/plain":
			text = string(b)
		case "text/html":
			html = string(b)
		}
	}
	if !slices.Equal(order, []string{"text/plain", "text/html"}) {
		t.Fatalf("parts %v, want text/plain then text/html", order)
	}
	return msg, text, html
}

func openStore(t *testing.T, path string) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func smtpConfig(t *testing.T, base *config.Config, srv *smtpServer, tlsMode, auth string, extra string) *config.Config {
	t.Helper()
	pwFile := filepath.Join(t.TempDir(), "smtp-password")
	if err := os.WriteFile(pwFile, []byte(srv.pass+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return withDigest(t, base, fmt.Sprintf(`
digest:
  enabled: true
  weekday: monday
  time: "08:00"
  timezone: Europe/Berlin
  recipients: [%s, %s]
  base_url: https://cadence.example.com/
  from: "cadence <cadence@example.com>"
  smtp:
    host: 127.0.0.1
    port: %d
    tls: %s
    username: %s
    password_file: %s
    auth: %s
    timeout: 20s
  retry: {attempts: 4, backoff: 1m, max_backoff: 3m}
%s`, rootManager, firstLineMgr, srv.port(t), tlsMode, srv.user, pwFile, auth, extra))
}

func newService(t *testing.T, cfg *config.Config, cur *cadence.Snapshot, st Store, clock Clock, tlsRoots *tls.Config, reg prometheus.Registerer, logs io.Writer, sleeps *[]time.Duration) *Service {
	t.Helper()
	pw, err := cfg.Digest.SMTP.Password(nil)
	if err != nil {
		t.Fatal(err)
	}
	if logs == nil {
		logs = io.Discard
	}
	s, err := New(Options{
		Config: cfg, Store: st, Snapshot: func() *cadence.Snapshot { return cur },
		Clock: clock, Logger: slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Registerer: reg, Sender: NewSMTPSender(cfg.Digest.SMTP, pw, tlsRoots),
		Sleep: func(_ context.Context, d time.Duration) error {
			if sleeps != nil {
				*sleeps = append(*sleeps, d)
			}
			return nil
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestSendOverSTARTTLSWithAuth(t *testing.T) {
	base, cur, _ := example(t)
	for _, tc := range []struct{ tls, auth string }{{"starttls", "plain"}, {"starttls", "login"}, {"implicit", "plain"}} {
		t.Run(tc.tls+"-"+tc.auth, func(t *testing.T) {
			srv := startSMTP(t, tc.tls == "implicit")
			cfg := smtpConfig(t, base, srv, tc.tls, tc.auth, "")
			st := openStore(t, filepath.Join(t.TempDir(), "state.db"))
			defer st.Close()
			reg := prometheus.NewRegistry()
			var logs bytes.Buffer
			clock := newFakeClock(pinned)
			s := newService(t, cfg, cur, st, clock, &tls.Config{RootCAs: srv.roots}, reg, &logs, nil)
			res, err := s.SendNow(context.Background(), "")
			if err != nil {
				t.Fatalf("send: %v (%+v)", err, res)
			}
			if !slices.Equal(res.Sent, []string{rootManager, firstLineMgr}) {
				t.Fatalf("sent %v", res.Sent)
			}
			msgs := srv.messages()
			if len(msgs) != 2 {
				t.Fatalf("server received %d messages", len(msgs))
			}
			for _, m := range msgs {
				if !m.TLS || m.User != "cadence" || m.From != "cadence@example.com" || len(m.To) != 1 {
					t.Errorf("envelope %+v", m)
				}
			}
			msg, text, html := parts(t, msgs[0].Data)
			subj, _ := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
			if !strings.HasPrefix(subj, "1:1 digest: ") || !strings.HasSuffix(subj, "— week 48") {
				t.Errorf("subject %q", subj)
			}
			wantID := "<" + MessageID("2026-W48", msgs[0].To[0], "example.com") + ">"
			if got := msg.Header.Get("Message-Id"); got != wantID {
				t.Errorf("Message-ID %q, want %q", got, wantID)
			}
			to, err := msg.Header.AddressList("To")
			if err != nil || len(to) != 1 || to[0].Address != msgs[0].To[0] {
				t.Errorf("To %v (%v)", to, err)
			}
			if !strings.Contains(text, "Strip legend: H held") || !strings.Contains(text, "YOUR 1:1s WITH YOUR REPORTS") {
				t.Errorf("text part:\n%s", text)
			}
			if !strings.Contains(html, `max-width:600px`) || !strings.Contains(html, "https://cadence.example.com/manager/") || strings.Contains(strings.ToLower(html), "<script") || strings.Contains(html, "<img") {
				t.Errorf("html part:\n%s", html)
			}
			if got := testutil.ToFloat64(s.m.sent); got != 2 {
				t.Errorf("cadence_digest_sent_total %v", got)
			}
			if got := testutil.ToFloat64(s.m.lastSuccess); got != float64(pinned.Unix()) {
				t.Errorf("last success %v", got)
			}
			if strings.Contains(logs.String(), srv.pass) {
				t.Errorf("the password is in the logs:\n%s", logs.String())
			}
			// Sending again in the same week sends nothing.
			res, err = s.SendNow(context.Background(), "")
			if err != nil || len(res.Sent) != 0 || len(res.Skipped) != 2 || len(srv.messages()) != 2 {
				t.Errorf("second send: %+v, %v, %d received", res, err, len(srv.messages()))
			}
		})
	}
}

// TestSTARTTLSRequired: a server that does not offer STARTTLS gets
// nothing, not even the AUTH exchange.
func TestSTARTTLSRequired(t *testing.T) {
	base, cur, _ := example(t)
	srv := startSMTP(t, false)
	srv.requireTLS = false
	cfg := smtpConfig(t, base, srv, "starttls", "plain", "")
	// A second server on the same backend but without TLS.
	plain := startPlainSMTP(t, srv)
	cfg.Digest.SMTP.Port = plain.port(t)
	cfg.Digest.Retry.Attempts = 1
	st := openStore(t, filepath.Join(t.TempDir(), "state.db"))
	defer st.Close()
	s := newService(t, cfg, cur, st, newFakeClock(pinned), &tls.Config{RootCAs: srv.roots}, nil, nil, nil)
	_, err := s.SendNow(context.Background(), rootManager)
	if err == nil || !strings.Contains(strings.ToLower(err.Error()), "starttls") {
		t.Fatalf("err = %v, want a STARTTLS failure", err)
	}
	if n := len(plain.messages()); n != 0 {
		t.Fatalf("%d messages went out in plain text", n)
	}
	rec, _ := st.DigestRecord(context.Background(), "2026-W48", rootManager)
	if rec == nil || rec.State != store.DigestFailed || rec.Attempts != 1 {
		t.Errorf("log %+v", rec)
	}
}

func TestRetryWithBackoff(t *testing.T) {
	base, cur, _ := example(t)
	srv := startSMTP(t, false)
	srv.failData = 3
	cfg := smtpConfig(t, base, srv, "starttls", "plain", "")
	st := openStore(t, filepath.Join(t.TempDir(), "state.db"))
	defer st.Close()
	var sleeps []time.Duration
	reg := prometheus.NewRegistry()
	s := newService(t, cfg, cur, st, newFakeClock(pinned), &tls.Config{RootCAs: srv.roots}, reg, nil, &sleeps)
	res, err := s.SendNow(context.Background(), rootManager)
	if err != nil || len(res.Sent) != 1 {
		t.Fatalf("%+v, %v", res, err)
	}
	// Exponential backoff with full jitter (gax): each wait in (0, min(3m, 1m·2^n)].
	want := []time.Duration{time.Minute, 2 * time.Minute, 3 * time.Minute}
	if len(sleeps) != len(want) {
		t.Errorf("backoff %v, want %d waits", sleeps, len(want))
	}
	for i := range min(len(sleeps), len(want)) {
		if sleeps[i] <= 0 || sleeps[i] > want[i] {
			t.Errorf("wait %d: %v, want in (0, %v]", i, sleeps[i], want[i])
		}
	}
	rec, _ := st.DigestRecord(context.Background(), "2026-W48", rootManager)
	if rec.State != store.DigestSent || rec.Attempts != 4 {
		t.Errorf("log %+v", rec)
	}
	// Every retry failing: the row says failed, the metric counts it.
	srv.mu.Lock()
	srv.failData = 100
	srv.mu.Unlock()
	sleeps = nil
	res, err = s.SendNow(context.Background(), firstLineMgr)
	if err == nil || !strings.Contains(err.Error(), "gave up after 4 attempts") || !strings.Contains(err.Error(), "451") {
		t.Fatalf("err = %v", err)
	}
	if len(sleeps) != 3 || testutil.ToFloat64(s.m.failed) != 1 {
		t.Errorf("sleeps %v, failed %v", sleeps, testutil.ToFloat64(s.m.failed))
	}
	rec, _ = st.DigestRecord(context.Background(), "2026-W48", firstLineMgr)
	if rec.State != store.DigestFailed || rec.Attempts != 4 || !strings.Contains(rec.LastError, "451") {
		t.Errorf("log %+v", rec)
	}
	n, err := testutil.GatherAndCount(reg, "cadence_digest_sent_total", "cadence_digest_failed_total", "cadence_digest_last_success_timestamp_seconds")
	if err != nil || n != 3 {
		t.Errorf("metrics: %d series, %v", n, err)
	}
}

// TestRestartNeitherSkipsNorRepeats drives Run with a fake clock through a
// crash in the middle of week 48's run, a restart, the next week, and a
// long outage.
func TestRestartNeitherSkipsNorRepeats(t *testing.T) {
	base, cur, _ := example(t)
	srv := startSMTP(t, false)
	cfg := smtpConfig(t, base, srv, "starttls", "plain", "")
	cfg.Digest.Recipients = nil // every manager
	want, _ := Recipients(cfg, cur)
	if len(want) < 4 {
		t.Fatalf("example org has %d managers", len(want))
	}
	berlin := cfg.Digest.Timezone
	dbPath := filepath.Join(t.TempDir(), "state.db")
	roots := &tls.Config{RootCAs: srv.roots}

	// Run 1 starts Monday 07:00 Berlin (before the 08:00 slot) and crashes
	// after the 3rd message of the week.
	clock := newFakeClock(time.Date(2026, 11, 23, 7, 0, 0, 0, berlin))
	st := openStore(t, dbPath)
	s := newService(t, cfg, cur, st, clock, roots, nil, nil, nil)
	ctx, crash := context.WithCancel(context.Background())
	real := s.opts.Sender
	sent := 0
	s.opts.Sender = senderFunc(func(c context.Context, m *mailMsg) error {
		if sent == 3 {
			crash() // the process dies before the 4th message leaves
			return c.Err()
		}
		sent++
		return real.Send(c, m)
	})
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	w := clock.next(t)
	if w.d != time.Hour {
		t.Fatalf("first wait %v, want 1h until Monday 08:00", w.d)
	}
	clock.set(time.Date(2026, 11, 23, 8, 0, 0, 0, berlin))
	w.ch <- clock.Now()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	st.Close()
	if n := len(srv.messages()); n != 3 {
		t.Fatalf("before the crash %d messages, want 3", n)
	}

	// Run 2: restart at 09:30 the same Monday. It catches up the rest of
	// week 48 at once, then waits for week 49's slot.
	clock.set(time.Date(2026, 11, 23, 9, 30, 0, 0, berlin))
	st = openStore(t, dbPath)
	s = newService(t, cfg, cur, st, clock, roots, nil, nil, nil)
	ctx, stop := context.WithCancel(context.Background())
	go func() { done <- s.Run(ctx) }()
	w = clock.next(t)
	if want := time.Date(2026, 11, 30, 8, 0, 0, 0, berlin).Sub(clock.Now()); w.d != want {
		t.Errorf("after catching up, wait %v, want %v (next Monday 08:00)", w.d, want)
	}
	byWeek := countByWeek(t, srv.messages())
	if got := byWeek["2026-W48"]; !slices.Equal(got, want) {
		t.Fatalf("week 48 recipients %v, want each manager once %v", got, want)
	}
	// Week 49 arrives while running.
	clock.set(time.Date(2026, 11, 30, 8, 0, 0, 0, berlin))
	w.ch <- clock.Now()
	w = clock.next(t)
	if !slices.Equal(countByWeek(t, srv.messages())["2026-W49"], want) {
		t.Fatalf("week 49: %v", countByWeek(t, srv.messages())["2026-W49"])
	}
	stop()
	w.ch <- clock.Now()
	<-done
	st.Close()

	// Run 3: restart later the same week 49: nothing is sent again.
	clock.set(time.Date(2026, 12, 2, 15, 0, 0, 0, berlin))
	st = openStore(t, dbPath)
	s = newService(t, cfg, cur, st, clock, roots, nil, nil, nil)
	ctx, stop = context.WithCancel(context.Background())
	go func() { done <- s.Run(ctx) }()
	w = clock.next(t)
	before := len(srv.messages())
	stop()
	w.ch <- clock.Now()
	<-done
	st.Close()
	if before != 2*len(want) {
		t.Fatalf("after a restart in week 49: %d messages, want %d", before, 2*len(want))
	}

	// Run 4: down through week 50, back on Wednesday of week 51: week 51 is
	// sent (its slot passed), week 50 is not (older weeks never are).
	clock.set(time.Date(2026, 12, 16, 10, 0, 0, 0, berlin))
	st = openStore(t, dbPath)
	defer st.Close()
	s = newService(t, cfg, cur, st, clock, roots, nil, nil, nil)
	ctx, stop = context.WithCancel(context.Background())
	go func() { done <- s.Run(ctx) }()
	w = clock.next(t)
	stop()
	w.ch <- clock.Now()
	<-done
	byWeek = countByWeek(t, srv.messages())
	if len(byWeek["2026-W50"]) != 0 || !slices.Equal(byWeek["2026-W51"], want) {
		t.Fatalf("weeks after the outage: %v", byWeek)
	}
	log, err := st.DigestLog(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range log {
		if r.State != store.DigestSent {
			t.Errorf("log row %+v not sent", r)
		}
	}
	if len(log) != 3*len(want) {
		t.Errorf("%d log rows, want %d", len(log), 3*len(want))
	}
}

// countByWeek maps each week (from the Message-ID) to its recipients,
// sorted, failing on a repeated (week, recipient).
func countByWeek(t *testing.T, msgs []received) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	seen := map[string]bool{}
	for _, m := range msgs {
		msg, err := mail.ReadMessage(bytes.NewReader(m.Data))
		if err != nil {
			t.Fatal(err)
		}
		id := msg.Header.Get("Message-Id")
		week := strings.SplitN(strings.TrimPrefix(id, "<digest-"), "-", 3)
		wk := week[0] + "-" + week[1]
		if wantID := "<" + MessageID(wk, m.To[0], "example.com") + ">"; id != wantID {
			t.Errorf("Message-ID %s, want %s", id, wantID)
		}
		key := wk + " " + m.To[0]
		if seen[key] {
			t.Errorf("sent twice: %s", key)
		}
		seen[key] = true
		out[wk] = append(out[wk], m.To[0])
	}
	for k := range out {
		slices.Sort(out[k])
	}
	return out
}

// TestExamplePageGoldens renders the web page of the example org (what
// report/testdata/page/screenshot.sh shows in Chromium).
func TestExamplePageGoldens(t *testing.T) {
	_, cur, prev := example(t)
	berlin, _ := time.LoadLocation("Europe/Berlin")
	h := report.NewPageHandler(func() *cadence.Snapshot { return cur }, report.PageOptions{
		View:     report.ViewOptions{Location: berlin},
		Previous: func(*cadence.Snapshot) *cadence.Snapshot { return prev },
		Trend:    exampleTrend(t, berlin),
		Links: []report.PageLink{{Name: "metrics", Href: "/metrics"}, {Name: "report (JSON)", Href: "/api/v1/report"},
			{Name: "readyz", Href: "/readyz"}},
	})
	for path, file := range map[string]string{"/": "index.html", "/manager/ana@example.com": "manager-ana.html", "/manager/gus@example.com": "manager-gus.html"} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		if rec.Code != http.StatusOK {
			t.Fatalf("%s: %d", path, rec.Code)
		}
		goldenAt(t, filepath.Join("../../../../report/testdata/page", file), rec.Body.Bytes())
	}
}
