package digest

import (
	"bytes"
	"context"
	"crypto/tls"
	"mime"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cadence-dev/cadence/cadence"
	"github.com/cadence-dev/cadence/calendar"
	"github.com/cadence-dev/cadence/report"
)

// Names and titles from anyone who can send an invitation or edit a
// directory entry.
const (
	hostileManager = "Eve\r\nBcc: attacker@evil.example\r\nX-Evil: 1 <script>alert('m')</script>\u202e\x1b[31m"
	hostileReport  = `Rex"><img src=x onerror=alert('r')> <b>bold</b>`
	hostileTitle   = "SECRET-TITLE <script>alert('t')</script>"
)

func hostileSnapshot(t *testing.T) *cadence.Snapshot {
	t.Helper()
	day := func(s string) time.Time { d, _ := time.Parse("2006-01-02", s); return d }
	dir, err := cadence.NewDirectory([]cadence.Person{
		{Email: "boss@example.com", Name: "Boss", HireDate: day("2015-01-01")},
		{Email: "eve@example.com", Name: hostileManager, Manager: "boss@example.com", HireDate: day("2018-01-01")},
		{Email: "rex@example.com", Name: hostileReport, Manager: "eve@example.com", HireDate: day("2019-01-01")},
	})
	if err != nil {
		t.Fatal(err)
	}
	ics := strings.Join([]string{
		"BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//test//EN",
		"BEGIN:VEVENT", "UID:hostile-1@example.com", "DTSTAMP:20261101T000000Z",
		"DTSTART:20260907T090000Z", "DTEND:20260907T093000Z", "RRULE:FREQ=WEEKLY;BYDAY=MO",
		`SUMMARY:` + hostileTitle + `\nBcc: x@evil.example`,
		`DESCRIPTION:<a href="http://evil.example">click</a>`,
		`ORGANIZER;CN="Eve<script>":mailto:eve@example.com`,
		`ATTENDEE;PARTSTAT=ACCEPTED;CN="Eve<script>":mailto:eve@example.com`,
		`ATTENDEE;PARTSTAT=ACCEPTED;CN="Rex><img src=x>":mailto:rex@example.com`,
		"END:VEVENT", "END:VCALENDAR", "",
	}, "\r\n")
	feed, err := calendar.ParseICS(strings.NewReader(ics), calendar.ParseOptions{Name: "eve", Owner: "eve@example.com", Zone: time.UTC})
	if err != nil {
		t.Fatal(err)
	}
	occs, _ := calendar.Expand(feed.Events, calendar.Window{From: pinned.AddDate(-1, 0, 0), To: pinned.AddDate(0, 3, 0)}, calendar.ExpandOptions{})
	opts := cadence.Options{Rules: cadence.DefaultRules(), Window: 90 * 24 * time.Hour, MaxDuration: 2 * time.Hour, SkipLevels: 2}
	snap := cadence.Evaluate(dir, occs, opts, pinned, []cadence.SourceStatus{{Name: "eve", OK: false, Error: "feed <script>alert('s')</script> broken\x1b[2J"}})
	held := 0
	for _, p := range snap.Pairs {
		if p.Lead == "eve@example.com" && p.Member == "rex@example.com" {
			held = p.Window.Held
		}
	}
	if held == 0 {
		t.Fatalf("the hostile 1:1 was not evaluated (%d pairs)", len(snap.Pairs))
	}
	return snap
}

func TestHostileTextInDigest(t *testing.T) {
	base, _, _ := example(t)
	snap := hostileSnapshot(t)
	srv := startSMTP(t, false)
	cfg := smtpConfig(t, base, srv, "starttls", "plain", "")
	cfg.Digest.Recipients = []string{"eve@example.com"}
	st := openStore(t, filepath.Join(t.TempDir(), "state.db"))
	defer st.Close()
	s := newService(t, cfg, snap, st, newFakeClock(pinned), &tls.Config{RootCAs: srv.roots}, nil, nil, nil)
	if _, err := s.SendNow(context.Background(), ""); err != nil {
		t.Fatal(err)
	}
	msgs := srv.messages()
	if len(msgs) != 1 || len(msgs[0].To) != 1 || msgs[0].To[0] != "eve@example.com" {
		t.Fatalf("envelope: %+v", msgs)
	}
	raw := msgs[0].Data
	msg, text, html := parts(t, raw)
	// No header injection: exactly one To, no Bcc or X-Evil header.
	if msg.Header.Get("Bcc") != "" || msg.Header.Get("X-Evil") != "" {
		t.Errorf("injected header:\n%s", raw)
	}
	to, err := msg.Header.AddressList("To")
	if err != nil || len(to) != 1 || to[0].Address != "eve@example.com" {
		t.Fatalf("To: %v (%v)", to, err)
	}
	if strings.ContainsAny(to[0].Name, "\r\n\x1b\u202e") || !strings.HasPrefix(to[0].Name, "EveBcc: attacker@evil.example") {
		t.Errorf("display name %q", to[0].Name)
	}
	subj, _ := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	if strings.Contains(subj, "Eve") || strings.Contains(subj, "SECRET") {
		t.Errorf("subject carries calendar text: %q", subj)
	}
	// No event title or description anywhere.
	for name, part := range map[string]string{"eml": string(raw), "text": text, "html": html} {
		for _, s := range []string{"SECRET-TITLE", "evil.example\">click", "alert('t')"} {
			if strings.Contains(part, s) {
				t.Errorf("%s part shows event text %q", name, s)
			}
		}
	}
	// HTML: names escaped, no markup of theirs.
	low := strings.ToLower(html)
	if strings.Contains(low, "<script") || strings.Contains(low, "<img") || strings.Contains(low, "<b>bold") || strings.Contains(html, "\u202e") {
		t.Errorf("html carries hostile markup:\n%s", html)
	}
	if !strings.Contains(html, "&lt;script&gt;alert(&#39;m&#39;)&lt;/script&gt;") || !strings.Contains(html, "Rex&#34;&gt;&lt;img src=x onerror=alert(&#39;r&#39;)&gt;") {
		t.Errorf("names not shown escaped:\n%s", html)
	}
	// Text: control characters shown as escapes, not acted on.
	if strings.Contains(text, "\x1b") || strings.Contains(text, "\u202e") || strings.Contains(text, "\r\nBcc") {
		t.Errorf("text part carries control characters:\n%q", text)
	}
	if !strings.Contains(text, `Eve\r\nBcc: attacker@evil.example\r\nX-Evil`) {
		t.Errorf("text part does not show the escaped name:\n%s", text)
	}
}

func TestHostileTextOnPage(t *testing.T) {
	snap := hostileSnapshot(t)
	h := report.NewPageHandler(func() *cadence.Snapshot { return snap }, report.PageOptions{})
	for _, path := range []string{"/", "/manager/eve@example.com", "/manager/boss@example.com"} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		if rec.Code != http.StatusOK {
			t.Fatalf("%s: %d", path, rec.Code)
		}
		body := rec.Body.String()
		low := strings.ToLower(body)
		if strings.Contains(low, "<script") || strings.Contains(low, "<img") || strings.Contains(body, "SECRET-TITLE") || strings.Contains(body, "\x1b") || strings.Contains(body, "\u202e") {
			t.Errorf("%s carries hostile text:\n%s", path, body)
		}
		if csp := rec.Header().Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") {
			t.Errorf("%s: CSP %q", path, csp)
		}
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
	if !bytes.Contains(rec.Body.Bytes(), []byte(`feed &lt;script&gt;alert(&#39;s&#39;)&lt;/script&gt; broken\x1b[2J`)) {
		t.Errorf("the source error is not shown escaped:\n%s", rec.Body.String())
	}
}
