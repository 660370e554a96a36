package digest

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"net/mail"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/cadence-dev/cadence/cadence"
	"github.com/cadence-dev/cadence/cmd/cadence/internal/config"
	"github.com/cadence-dev/cadence/report"
)

// awkwardNames are directory names that are no attack but need RFC 5322
// quoting in an address header: quotes and angle brackets, a trailing
// backslash, text that looks like an RFC 2047 encoded word, and non-ASCII
// with specials.
var awkwardNames = map[string]string{
	"ana@example.com": `Ana "The Boss" <x>`,
	"bob@example.com": `Bob\`,
	"cy@example.com":  `=?utf-8?q?x?=`,
	"zoe@example.com": `Zoë "Z" <z@evil.example>, (x)`,
	"dan@example.com": "Dan O'Neil",
}

// awkwardSnapshot is an org whose managers carry awkwardNames, each with
// one report, evaluated with no meetings.
func awkwardSnapshot(t *testing.T) *cadence.Snapshot {
	t.Helper()
	hire := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	people := []cadence.Person{{Email: "ana@example.com", Name: awkwardNames["ana@example.com"], HireDate: hire}}
	for _, m := range []string{"bob@example.com", "cy@example.com", "zoe@example.com", "dan@example.com"} {
		people = append(people, cadence.Person{Email: m, Name: awkwardNames[m], Manager: "ana@example.com", HireDate: hire})
	}
	for i, m := range []string{"bob@example.com", "cy@example.com", "zoe@example.com", "dan@example.com"} {
		people = append(people, cadence.Person{Email: string(rune('p'+i)) + "@example.com", Name: "Report", Manager: m, HireDate: hire})
	}
	dir, err := cadence.NewDirectory(people)
	if err != nil {
		t.Fatal(err)
	}
	opts := cadence.Options{Rules: cadence.DefaultRules(), Window: 90 * 24 * time.Hour, MaxDuration: 2 * time.Hour, SkipLevels: 2}
	return cadence.Evaluate(dir, nil, opts, pinned, nil)
}

// checkTo checks that the message's To header is exactly one address,
// email with the display name name.
func checkTo(t *testing.T, raw []byte, email, name string) {
	t.Helper()
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("%s: %v", email, err)
	}
	to, err := msg.Header.AddressList("To")
	if err != nil || len(to) != 1 {
		t.Fatalf("%s: To %q: %v %v", email, msg.Header.Get("To"), to, err)
	}
	if to[0].Address != email || to[0].Name != name {
		t.Errorf("To %q reads as %q <%s>, want %q <%s>", msg.Header.Get("To"), to[0].Name, to[0].Address, name, email)
	}
}

// TestAwkwardDisplayNames: names that need quoting are quoted (RFC 5322)
// or encoded (RFC 2047), read back as written, and preview and send work
// for every manager.
func TestAwkwardDisplayNames(t *testing.T) {
	base, _, _ := example(t)
	snap := awkwardSnapshot(t)
	s, err := New(Options{Config: base, Snapshot: func() *cadence.Snapshot { return snap }})
	if err != nil {
		t.Fatal(err)
	}
	list, err := s.Preview("")
	if err != nil {
		t.Fatalf("preview: %v", err)
	}
	var got []string
	for _, d := range list {
		got = append(got, d.Recipient)
		eml, err := d.EML()
		if err != nil {
			t.Fatal(err)
		}
		checkTo(t, eml, d.Recipient, awkwardNames[d.Recipient])
	}
	if want := []string{"ana@example.com", "bob@example.com", "cy@example.com", "dan@example.com", "zoe@example.com"}; !slices.Equal(got, want) {
		t.Fatalf("previewed %v, want %v", got, want)
	}

	// The same over SMTP.
	srv := startSMTP(t, false)
	cfg := smtpConfig(t, base, srv, "starttls", "plain", "")
	cfg.Digest.Recipients = nil
	st := openStore(t, filepath.Join(t.TempDir(), "state.db"))
	defer st.Close()
	ss := newService(t, cfg, snap, st, newFakeClock(pinned), &tls.Config{RootCAs: srv.roots}, nil, nil, nil)
	res, err := ss.SendNow(context.Background(), "")
	if err != nil || len(res.Sent) != 5 {
		t.Fatalf("send: %+v, %v", res, err)
	}
	for _, m := range srv.messages() {
		checkTo(t, m.Data, m.To[0], awkwardNames[m.To[0]])
	}
}

// TestOneBadRecipientDoesNotStopTheOthers: a digest that cannot be built
// for one recipient is an error naming that recipient; the others are
// previewed and sent.
func TestOneBadRecipientDoesNotStopTheOthers(t *testing.T) {
	base, _, _ := example(t)
	snap := awkwardSnapshot(t)
	failFor := func(s *Service) {
		s.compose = func(cfg *config.Config, cur, prev *cadence.Snapshot, week, recipient string, now time.Time, per Personal) (*Rendered, error) {
			if recipient == "bob@example.com" {
				return nil, errors.New("digest: recipient bob@example.com: broken")
			}
			return ComposeFor(cfg, cur, prev, week, recipient, now, per)
		}
	}
	s, err := New(Options{Config: base, Snapshot: func() *cadence.Snapshot { return snap }})
	if err != nil {
		t.Fatal(err)
	}
	failFor(s)
	list, err := s.Preview("")
	if err == nil || !strings.Contains(err.Error(), "bob@example.com") {
		t.Errorf("preview error %v, want one naming bob@example.com", err)
	}
	var got []string
	for _, d := range list {
		got = append(got, d.Recipient)
	}
	if want := []string{"ana@example.com", "cy@example.com", "dan@example.com", "zoe@example.com"}; !slices.Equal(got, want) {
		t.Errorf("previewed %v, want %v", got, want)
	}

	srv := startSMTP(t, false)
	cfg := smtpConfig(t, base, srv, "starttls", "plain", "")
	cfg.Digest.Recipients = nil
	st := openStore(t, filepath.Join(t.TempDir(), "state.db"))
	defer st.Close()
	ss := newService(t, cfg, snap, st, newFakeClock(pinned), &tls.Config{RootCAs: srv.roots}, nil, nil, nil)
	failFor(ss)
	res, err := ss.SendNow(context.Background(), "")
	if err == nil || !slices.Equal(res.Fail, []string{"bob@example.com"}) || len(res.Sent) != 4 || len(srv.messages()) != 4 {
		t.Errorf("send: %+v, %v, %d received", res, err, len(srv.messages()))
	}
}

// TestLongNameInDigest: a 200,000-character manager name is cut in the To
// header (80 runes) and in the HTML and text parts (report.MaxDisplayRunes),
// never inside a rune.
func TestLongNameInDigest(t *testing.T) {
	base, _, _ := example(t)
	huge := strings.Repeat("é", 200_000)
	hire := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	dir, err := cadence.NewDirectory([]cadence.Person{
		{Email: "ana@example.com", Name: huge, HireDate: hire},
		{Email: "bo@example.com", Name: huge, Manager: "ana@example.com", HireDate: hire},
	})
	if err != nil {
		t.Fatal(err)
	}
	opts := cadence.Options{Rules: cadence.DefaultRules(), Window: 90 * 24 * time.Hour, MaxDuration: 2 * time.Hour, SkipLevels: 2}
	snap := cadence.Evaluate(dir, nil, opts, pinned, nil)
	d, err := Compose(base, snap, nil, "2026-W48", "ana@example.com", pinned)
	if err != nil {
		t.Fatal(err)
	}
	eml, err := d.EML()
	if err != nil {
		t.Fatal(err)
	}
	msg, text, html := parts(t, eml)
	to, err := msg.Header.AddressList("To")
	if err != nil || len(to) != 1 || to[0].Name != strings.Repeat("é", 77)+"..." {
		t.Errorf("To %v (%v), want the name cut to 80 runes", to, err)
	}
	for part, s := range map[string]string{"text": text, "html": html, "eml": string(eml)} {
		if strings.Contains(s, strings.Repeat("é", report.MaxDisplayRunes+1)) || !utf8.ValidString(s) {
			t.Errorf("%s part: the name is not cut rune-safe to %d runes (%d bytes)", part, report.MaxDisplayRunes, len(s))
		}
	}
	if len(eml) > 200_000 {
		t.Errorf("message of %d bytes", len(eml))
	}
}
