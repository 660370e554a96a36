package digest

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	goldenpkg "github.com/cadence-dev/cadence/internal/golden"
	"io"
	"math/big"
	"net"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
	gomail "github.com/wneessen/go-mail"

	"github.com/cadence-dev/cadence/cadence"
	"github.com/cadence-dev/cadence/calendar"
	"github.com/cadence-dev/cadence/cmd/cadence/internal/config"
	"github.com/cadence-dev/cadence/report"
)

const exampleConfig = "../../../../config.example.yaml"

// goldenDir holds the digest goldens of the example org.
const goldenDir = "../../../../report/testdata/digest"

var pinned = time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)

// evaluate reads every feed of cfg and evaluates the org at at, as
// `cadence report --at` does.
func evaluate(t testing.TB, cfg *config.Config, at time.Time) (*cadence.Snapshot, []calendar.Occurrence, *cadence.Directory) {
	t.Helper()
	dir, err := cfg.LoadDirectory()
	if err != nil {
		t.Fatal(err)
	}
	back := 4 * cfg.Window
	if back < 400*24*time.Hour {
		back = 400 * 24 * time.Hour
	}
	w := calendar.Window{From: at.Add(-back), To: at.Add(cfg.Window + 24*time.Hour)}
	var all []calendar.Occurrence
	var sts []cadence.SourceStatus
	for _, src := range cfg.ICSSources() {
		st := cadence.SourceStatus{Name: src.Name}
		res, err := calendar.Fetch(context.Background(), src, calendar.FetchOptions{})
		var feed *calendar.Feed
		if err == nil {
			feed, err = calendar.ParseICS(bytes.NewReader(res.Data), calendar.ParseOptions{Name: src.Name, Owner: src.Owner, Zone: src.Zone})
		}
		if err != nil {
			st.Error = err.Error()
			sts = append(sts, st)
			continue
		}
		st.OK = true
		ls := at
		st.LastSuccess = &ls
		sts = append(sts, st)
		occs, _ := calendar.Expand(feed.Events, w, calendar.ExpandOptions{Zone: src.Zone})
		all = append(all, occs...)
	}
	occs := calendar.Dedup(all)
	return cadence.Evaluate(dir, occs, cfg.Options(), at, sts), occs, dir
}

var (
	exampleOnce sync.Once
	exampleCfg  *config.Config
	exampleCur  *cadence.Snapshot
	examplePrev *cadence.Snapshot
)

// example is the example org evaluated at pinned and a week earlier.
func example(t testing.TB) (*config.Config, *cadence.Snapshot, *cadence.Snapshot) {
	t.Helper()
	exampleOnce.Do(func() {
		cfg, err := config.Load(exampleConfig)
		if err != nil {
			t.Fatal(err)
		}
		cur, occs, dir := evaluate(t, cfg, pinned)
		exampleCfg, exampleCur = cfg, cur
		examplePrev = cadence.Evaluate(dir, occs, cfg.Options(), pinned.Add(-7*24*time.Hour), cur.Sources)
	})
	if exampleCur == nil {
		t.Fatal("example org evaluation failed earlier")
	}
	return exampleCfg, exampleCur, examplePrev
}

// exampleTrend is what the daemon stores for the example org: the week of
// pinned recorded live, the 11 before reconstructed at its first start
// (the example org evaluated a week, two weeks, ... earlier).
func exampleTrend(t testing.TB, loc *time.Location) func(string) []report.TrendPoint {
	t.Helper()
	cfg, cur, _ := example(t)
	_, occs, dir := evaluate(t, cfg, pinned)
	by := map[string][]report.TrendPoint{}
	for k := report.StripWeeks - 1; k >= 0; k-- {
		s := cur
		if k > 0 {
			s = cadence.Evaluate(dir, occs, cfg.Options(), pinned.AddDate(0, 0, -7*k), cur.Sources)
		}
		for m, p := range report.WeekPoints(s, loc, k > 0) {
			by[m] = append(by[m], p)
		}
	}
	return func(m string) []report.TrendPoint { return by[m] }
}

// withDigest returns a copy of cfg with a digest section parsed from yaml
// (under a top-level "digest:" key) on top of the same directory.
func withDigest(t testing.TB, base *config.Config, digestYAML string) *config.Config {
	t.Helper()
	c, err := config.Parse([]byte("directory: {csv: examples/org/people.csv}\n"+digestYAML), filepath.Join(filepath.Dir(exampleConfig), "digest-test.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	out := *base
	out.Digest = c.Digest
	return &out
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	goldenAt(t, filepath.Join(goldenDir, name), got)
}

// goldenAt compares got with the file at path, or rewrites it with -update.
func goldenAt(t *testing.T, path string, got []byte) {
	t.Helper()
	goldenpkg.Check(t, path, got)
}

// ---- fake clock ----

type waiter struct {
	d  time.Duration
	ch chan time.Time
}

// fakeClock hands every After to the test through waits, so the test knows
// when the code under test is blocked and for how long it asked to wait.
type fakeClock struct {
	mu    sync.Mutex
	now   time.Time
	waits chan waiter
}

func newFakeClock(now time.Time) *fakeClock {
	return &fakeClock{now: now, waits: make(chan waiter, 16)}
}

func (c *fakeClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *fakeClock) set(t time.Time) {
	c.mu.Lock()
	c.now = t
	c.mu.Unlock()
}
func (c *fakeClock) After(d time.Duration) <-chan time.Time {
	ch := make(chan time.Time, 1)
	c.waits <- waiter{d, ch}
	return ch
}

// next waits for the code under test to block on the clock.
func (c *fakeClock) next(t *testing.T) waiter {
	t.Helper()
	select {
	case w := <-c.waits:
		return w
	case <-time.After(30 * time.Second): // a guard against a hung test, not a sleep
		t.Fatal("the code under test never waited on the clock")
	}
	return waiter{}
}

// ---- in-process SMTP server ----

type received struct {
	From string
	To   []string
	Data []byte
	TLS  bool
	User string
}

type smtpServer struct {
	t          *testing.T
	user, pass string
	mu         sync.Mutex
	msgs       []received
	failData   int // fail this many DATA commands with 451
	mechs      []string
	requireTLS bool
	addr       string
	roots      *x509.CertPool
	// Servers that echo what they were sent in their replies:
	authReply func(user, pass string) string // the text of a failed AUTH's 535
	loginEcho bool                           // AUTH LOGIN: a third challenge repeating the password
	dataReply string                         // the text of the DATA failures (failData)
}

type smtpSession struct {
	srv  *smtpServer
	conn *smtp.Conn
	user string
	cur  received
}

func (s *smtpSession) AuthMechanisms() []string { return s.srv.mechs }

func (s *smtpSession) Auth(mech string) (sasl.Server, error) {
	check := func(user, pass string) error {
		if s.srv.authReply != nil {
			return &smtp.SMTPError{Code: 535, EnhancedCode: smtp.EnhancedCode{5, 7, 8}, Message: s.srv.authReply(user, pass)}
		}
		if user != s.srv.user || pass != s.srv.pass {
			return errors.New("invalid credentials")
		}
		s.user = user
		return nil
	}
	switch mech {
	case sasl.Plain:
		return sasl.NewPlainServer(func(_, user, pass string) error { return check(user, pass) }), nil
	case sasl.Login:
		return &loginServer{check: check, echo: s.srv.loginEcho}, nil
	}
	return nil, smtp.ErrAuthUnknownMechanism
}

func (s *smtpSession) Mail(from string, _ *smtp.MailOptions) error {
	if s.user == "" {
		return smtp.ErrAuthRequired
	}
	_, tlsOn := s.conn.TLSConnectionState()
	if s.srv.requireTLS && !tlsOn {
		return &smtp.SMTPError{Code: 530, Message: "must issue STARTTLS first"}
	}
	s.cur = received{From: from, TLS: tlsOn, User: s.user}
	return nil
}

func (s *smtpSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.cur.To = append(s.cur.To, to)
	return nil
}

func (s *smtpSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.srv.mu.Lock()
	defer s.srv.mu.Unlock()
	if s.srv.failData > 0 {
		s.srv.failData--
		msg := "try again later"
		if s.srv.dataReply != "" {
			msg = s.srv.dataReply
		}
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: msg}
	}
	s.cur.Data = b
	s.srv.msgs = append(s.srv.msgs, s.cur)
	return nil
}

func (s *smtpSession) Reset()        { s.cur = received{} }
func (s *smtpSession) Logout() error { return nil }

// loginServer is the server side of AUTH LOGIN (go-sasl has only the
// client side).
type loginServer struct {
	step       int
	user       string
	check      func(user, pass string) error
	authorized bool
	echo       bool // answer the password with a challenge repeating it
}

func (l *loginServer) Next(resp []byte) ([]byte, bool, error) {
	switch l.step {
	case 0:
		l.step++
		if len(resp) > 0 { // initial response carries the user name
			l.user = string(resp)
			l.step++
			return []byte("Password:"), false, nil
		}
		return []byte("Username:"), false, nil
	case 1:
		l.user = string(resp)
		l.step++
		return []byte("Password:"), false, nil
	case 2:
		l.step++
		if l.echo {
			return []byte("you said " + string(resp) + "?"), false, nil
		}
		return nil, true, l.check(l.user, string(resp))
	}
	return nil, false, errors.New("unexpected LOGIN step")
}

// selfSigned makes a certificate for 127.0.0.1 and localhost.
func selfSigned(t testing.TB) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "cadence test SMTP"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
		IPAddresses:  []net.IP{net.ParseIP("127.0.0.1")},
		DNSNames:     []string{"localhost"},
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, pool
}

// startSMTP serves SMTP on 127.0.0.1:0: STARTTLS offered (implicit TLS when
// implicit), AUTH PLAIN and LOGIN required before MAIL.
func startSMTP(t *testing.T, implicit bool) *smtpServer {
	t.Helper()
	cert, pool := selfSigned(t)
	srv := &smtpServer{t: t, user: "cadence", pass: "s3cret-Pa55", mechs: []string{sasl.Plain, sasl.Login}, requireTLS: true, roots: pool}
	s := smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) {
		return &smtpSession{srv: srv, conn: c}, nil
	}))
	s.Domain = "localhost"
	s.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	s.ReadTimeout, s.WriteTimeout = 30*time.Second, 30*time.Second
	s.MaxMessageBytes = 10 << 20
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if implicit {
		ln = tls.NewListener(ln, s.TLSConfig)
	}
	srv.addr = ln.Addr().String()
	go func() { _ = s.Serve(ln) }()
	t.Cleanup(func() { s.Close() })
	return srv
}

func (s *smtpServer) messages() []received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]received(nil), s.msgs...)
}

func (s *smtpServer) port(t testing.TB) int {
	_, p, err := net.SplitHostPort(s.addr)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, c := range p {
		n = n*10 + int(c-'0')
	}
	return n
}

type mailMsg = gomail.Msg

type senderFunc func(ctx context.Context, m *mailMsg) error

func (f senderFunc) Send(ctx context.Context, m *mailMsg) error { return f(ctx, m) }

// startPlainSMTP serves the same mailbox as srv without any TLS (no
// STARTTLS offered).
func startPlainSMTP(t *testing.T, like *smtpServer) *smtpServer {
	t.Helper()
	srv := &smtpServer{t: t, user: like.user, pass: like.pass, mechs: like.mechs}
	s := smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) {
		return &smtpSession{srv: srv, conn: c}, nil
	}))
	s.Domain = "localhost"
	s.AllowInsecureAuth = true
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv.addr = ln.Addr().String()
	go func() { _ = s.Serve(ln) }()
	t.Cleanup(func() { s.Close() })
	return srv
}
