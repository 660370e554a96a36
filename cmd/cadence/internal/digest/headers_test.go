package digest

import (
	"bytes"
	"context"
	"crypto/tls"
	"fmt"
	"mime"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/cadence-dev/cadence/cadence"
	"github.com/cadence-dev/cadence/cmd/cadence/internal/config"
)

// rawHeader returns the header section of a raw message, unfolded lines
// kept as they are.
func rawHeader(raw []byte) string {
	h, _, _ := bytes.Cut(raw, []byte("\r\n\r\n"))
	return string(h)
}

// headerField returns the raw (folded) value of field in the header.
func headerField(header, field string) (string, bool) {
	lines := strings.Split(header, "\r\n")
	for i, l := range lines {
		if !strings.HasPrefix(strings.ToLower(l), strings.ToLower(field)+":") {
			continue
		}
		v := l[len(field)+1:]
		for j := i + 1; j < len(lines) && (strings.HasPrefix(lines[j], " ") || strings.HasPrefix(lines[j], "\t")); j++ {
			v += "\r\n" + lines[j]
		}
		return v, true
	}
	return "", false
}

// TestRawDigestHeaders sends every manager of the example org their
// digest through the go-smtp server and reads each raw message: the
// Subject starts on its own line (no fold right after "Subject:") and
// decodes to the subject exactly; List-Unsubscribe has the mailto and the
// recipient's signed one-click link, with List-Unsubscribe-Post; times
// are in each recipient's zone; no header line is longer than 78.
func TestRawDigestHeaders(t *testing.T) {
	base, cur, prev := example(t)
	srv := startSMTP(t, false)
	pwFile := filepath.Join(t.TempDir(), "pw")
	if err := os.WriteFile(pwFile, []byte(srv.pass), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := withDigest(t, base, fmt.Sprintf(`
digest:
  enabled: true
  timezone: UTC
  base_url: https://cadence.example.com/
  from: "cadence <cadence@example.com>"
  smtp: {host: 127.0.0.1, port: %d, tls: starttls, username: %s, password_file: %s}
`, srv.port(t), srv.user, pwFile))
	st := openStore(t, filepath.Join(t.TempDir(), "state.db"))
	defer st.Close()
	key, err := st.Secret(context.Background(), "digest_unsubscribe")
	if err != nil {
		t.Fatal(err)
	}
	newSvc := func(c *config.Config) *Service {
		pw, _ := c.Digest.SMTP.Password(nil)
		s, err := New(Options{Config: c, Store: st, Snapshot: func() *cadence.Snapshot { return cur },
			Previous: func(*cadence.Snapshot) *cadence.Snapshot { return prev }, Clock: newFakeClock(pinned),
			Sender: NewSMTPSender(c.Digest.SMTP, pw, &tls.Config{RootCAs: srv.roots}), UnsubscribeKey: key})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	res, err := newSvc(cfg).SendNow(context.Background(), "")
	if err != nil || len(res.Sent) != 10 {
		t.Fatalf("sent %v, %v", res.Sent, err)
	}
	zones := map[string]string{"ana@example.com": "CET", "gus@example.com": "EST", "ivan@example.com": "EST", "chen@example.com": "PST",
		"dev@example.com": "IST", "hana@example.com": "PST", "eva@example.com": "CET", "jo@example.com": "IST"}
	startsOnLine := regexp.MustCompile(`(?m)^Subject: \S`)
	for _, m := range srv.messages() {
		to := m.To[0]
		head := rawHeader(m.Data)
		if !startsOnLine.MatchString(head) {
			v, _ := headerField(head, "Subject")
			t.Errorf("%s: Subject folded at its start: %q", to, v)
		}
		for _, l := range strings.Split(head, "\r\n") {
			// 78 (RFC 5322's SHOULD) except for one unbreakable link.
			if len(l) > 998 || len(l) > 78 && !strings.HasPrefix(l, " <https://") {
				t.Errorf("%s: header line of %d characters: %q", to, len(l), l)
			}
		}
		msg, text, html := parts(t, m.Data)
		subj, err := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
		want := previewSubject(t, cfg, cur, prev, to)
		if err != nil || subj != want {
			t.Errorf("%s: subject decodes to %q (%v), want %q", to, subj, err, want)
		}
		lu := msg.Header.Get("List-Unsubscribe")
		links := regexp.MustCompile(`<([^>]*)>`).FindAllStringSubmatch(lu, -1)
		if len(links) != 2 || links[0][1] != "mailto:cadence@example.com?subject=unsubscribe" {
			t.Fatalf("%s: List-Unsubscribe %q", to, lu)
		}
		u, err := url.Parse(links[1][1])
		if err != nil || u.Scheme != "https" || u.Host != "cadence.example.com" || u.Path != "/digest/unsubscribe" ||
			u.Query().Get("r") != to || !ValidUnsubscribe(key, to, u.Query().Get("t")) {
			t.Errorf("%s: one-click link %q", to, links[1][1])
		}
		if ValidUnsubscribe(key, "someone@example.com", u.Query().Get("t")) {
			t.Errorf("%s: the token is good for someone else too", to)
		}
		if got := msg.Header.Get("List-Unsubscribe-Post"); got != "List-Unsubscribe=One-Click" {
			t.Errorf("%s: List-Unsubscribe-Post %q", to, got)
		}
		if !strings.Contains(text, "Unsubscribe: "+links[1][1]) || !strings.Contains(html, "Unsubscribe</a>") {
			t.Errorf("%s: no unsubscribe link in the body", to)
		}
		if z := zones[to]; z != "" && !strings.Contains(strings.SplitN(text, "\n", 2)[0], " "+z) {
			t.Errorf("%s: times not in %s:\n%.120s", to, z, text)
		}
	}

	// Gus unsubscribed with the link: the next week skips him. Without
	// base_url, List-Unsubscribe is the mailto alone.
	if err := st.DigestOptOut(context.Background(), "gus@example.com", pinned); err != nil {
		t.Fatal(err)
	}
	noBase := *cfg
	noBase.Digest.BaseURL = ""
	s := newSvc(&noBase)
	s.opts.Clock = newFakeClock(pinned.AddDate(0, 0, 7))
	res, err = s.SendNow(context.Background(), "")
	if err != nil || len(res.Sent) != 9 || strings.Contains(strings.Join(res.Sent, " "), "gus@") {
		t.Fatalf("after gus's opt-out: sent %v, %v", res.Sent, err)
	}
	last := srv.messages()[len(srv.messages())-1]
	msg, _, _ := parts(t, last.Data)
	if lu := msg.Header.Get("List-Unsubscribe"); lu != "<mailto:cadence@example.com?subject=unsubscribe>" || msg.Header.Get("List-Unsubscribe-Post") != "" {
		t.Errorf("without base_url: List-Unsubscribe %q, -Post %q", lu, msg.Header.Get("List-Unsubscribe-Post"))
	}
}

func previewSubject(t *testing.T, cfg *config.Config, cur, prev *cadence.Snapshot, who string) string {
	t.Helper()
	d, err := Compose(cfg, cur, prev, Week(cfg, cur.AsOf), who, cur.AsOf)
	if err != nil {
		t.Fatal(err)
	}
	return d.Subject
}

// TestHeaderValueFolding: long and non-ASCII subjects are encoded word by
// word, folded between words only, and decode to what they were.
func TestHeaderValueFolding(t *testing.T) {
	for _, s := range []string{
		"1:1 digest: 5 of 27 pairs need attention — week 48",
		"1:1 digest: no required 1:1s to track — week 1",
		strings.Repeat("Müller Yılmaz — ", 12) + "end",
		strings.Repeat("x", 120),
		"déjà vu — encore",
		"=?UTF-8?q?not_an_encoded_word?= plain",
	} {
		v := headerValue("Subject", s)
		line := "Subject: " + v
		if strings.HasPrefix(v, "\r\n") || strings.HasPrefix(v, " ") {
			t.Errorf("%q folds at its start: %q", s, v)
		}
		for _, l := range strings.Split(line, "\r\n") {
			if len(l) > 78 && !strings.Contains(l, strings.Repeat("x", 100)) {
				t.Errorf("%q: line of %d: %q", s, len(l), l)
			}
		}
		unfolded := strings.ReplaceAll(v, "\r\n", "")
		got, err := new(mime.WordDecoder).DecodeHeader(unfolded)
		if err != nil || got != s {
			t.Errorf("%q decodes to %q (%v)", s, got, err)
		}
	}
}

// TestRecipientZones: a recipient's zone is their ICS feed's configured
// timezone, else their Google calendar's (aliases resolved), else none.
func TestRecipientZones(t *testing.T) {
	_, cur, _ := example(t)
	cfg, err := config.Parse([]byte(`directory: {csv: examples/org/people.csv}
timezone: Europe/Berlin
sources:
  ics:
    - {name: gus, owner: gus@example.com, path: examples/org/feeds/gus.ics, timezone: America/New_York}
    - {name: ana, owner: ana@example.com, path: examples/org/feeds/ana.ics}
`), filepath.Join(filepath.Dir(exampleConfig), "zones.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	zone := RecipientZones(cfg, cur.Directory, map[string]string{"omar.haddad@example.com": "Asia/Tokyo", "gus@example.com": "Europe/Paris", "bo@example.com": "Not/AZone"})
	name := func(l *time.Location) string {
		if l == nil {
			return ""
		}
		return l.String()
	}
	for who, want := range map[string]string{
		"gus@example.com":  "America/New_York", // the feed's, over Google's
		"omar@example.com": "Asia/Tokyo",       // Google calendar under an alias
		"ana@example.com":  "",                 // feed without a timezone of its own
		"bo@example.com":   "",                 // unknown zone name
		"zoe@example.com":  "",
	} {
		if got := name(zone(who)); got != want {
			t.Errorf("%s: zone %q, want %q", who, got, want)
		}
	}
}
