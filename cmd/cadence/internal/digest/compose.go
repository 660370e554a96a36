// Package digest sends cadence's weekly 1:1 digest: one email per (ISO
// week, recipient), on a weekly schedule driven by an injected clock, with
// a send log in the state store so that a crash or restart neither skips
// nor repeats a week. The views themselves are report.BuildManagerView,
// report.RenderDigestHTML and report.RenderDigestText.
//
// Errors start with "digest: ".
package digest

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	netmail "net/mail"
	"net/url"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/wneessen/go-mail"

	"github.com/cadence-dev/cadence/cadence"
	"github.com/cadence-dev/cadence/calendar"
	"github.com/cadence-dev/cadence/cmd/cadence/internal/config"
	"github.com/cadence-dev/cadence/report"
)

// Rendered is one recipient's digest of one week.
type Rendered struct {
	Week      string // "2026-W48"
	Recipient string // primary email
	MessageID string // without angle brackets
	Subject   string
	HTML      []byte
	Text      []byte
	View      *report.ManagerView
	Msg       *mail.Msg
}

// EML is the whole message as it is sent (RFC 5322, multipart/alternative).
func (r *Rendered) EML() ([]byte, error) {
	var buf bytes.Buffer
	if _, err := r.Msg.WriteTo(&buf); err != nil {
		return nil, fmt.Errorf("digest: %s %s: write message: %w", r.Week, r.Recipient, err)
	}
	return buf.Bytes(), nil
}

// MessageID is the stable Message-ID of (week, recipient): the same on
// every attempt and after a restart, so that a message sent twice (a crash
// between the server's acceptance and the log's update) is recognisably
// the same message.
func MessageID(week, recipient, domain string) string {
	h := sha256.Sum256([]byte(week + "\x00" + strings.ToLower(recipient)))
	if domain == "" {
		domain = "cadence.invalid"
	}
	return fmt.Sprintf("digest-%s-%s@%s", week, hex.EncodeToString(h[:8]), domain)
}

// maxDisplayName bounds the display name of the To header, in runes.
const maxDisplayName = 80

// displayName makes a directory name safe and short for an address
// header: control characters (CR and LF included) and bidi controls are
// dropped, a longer name is cut to maxDisplayName runes ("..." marking the
// cut); net/mail quotes or encodes what remains.
func displayName(s string) string {
	var b strings.Builder
	n := 0
	for _, r := range s {
		if n > maxDisplayName {
			break // enough to know it is cut
		}
		if unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r) || r == '\u2028' || r == '\u2029' || r == '\ufeff' || r == unicode.ReplacementChar {
			continue
		}
		b.WriteRune(r)
		n++
	}
	out := strings.TrimSpace(b.String())
	if r := []rune(out); len(r) > maxDisplayName {
		out = strings.TrimSpace(string(r[:maxDisplayName-3])) + "..."
	}
	return out
}

// recipientAddress is the To address: email checked as an RFC 5322
// addr-spec, name as the display name.
func recipientAddress(name, email string) (*netmail.Address, error) {
	a, err := netmail.ParseAddress("<" + email + ">")
	if err != nil || a.Address != email {
		return nil, fmt.Errorf("digest: recipient %q: not a usable email address", email)
	}
	a.Name = name
	return a, nil
}

// Personal is what one recipient's digest has of its own beyond the view.
type Personal struct {
	// Zone shows the dates and times in the recipient's zone (their
	// calendar's: RecipientZones); nil uses digest.timezone.
	Zone *time.Location
	// UnsubscribeURL is the recipient's one-click opt-out link
	// (UnsubscribeURL); "" leaves only the mailto in List-Unsubscribe.
	UnsubscribeURL string
}

// Compose renders the digest of recipient for week from cur (and prev, the
// evaluation a week earlier, for the changes; may be nil) and builds the
// message. now is the Date header.
func Compose(cfg *config.Config, cur, prev *cadence.Snapshot, week, recipient string, now time.Time) (*Rendered, error) {
	return ComposeFor(cfg, cur, prev, week, recipient, now, Personal{})
}

// ComposeFor is Compose with the recipient's own zone and opt-out link.
func ComposeFor(cfg *config.Config, cur, prev *cadence.Snapshot, week, recipient string, now time.Time, per Personal) (*Rendered, error) {
	loc := per.Zone
	if loc == nil {
		loc = cfg.Digest.Timezone
	}
	v, err := report.BuildManagerView(cur, prev, recipient, report.ViewOptions{
		Location: loc,
		BaseURL:  cfg.Digest.BaseURL,
	})
	if err != nil {
		return nil, fmt.Errorf("digest: %w", err)
	}
	v.Week = week
	v.UnsubscribeURL = per.UnsubscribeURL
	html, err := report.RenderDigestHTML(v)
	if err != nil {
		return nil, fmt.Errorf("digest: %w", err)
	}
	r := &Rendered{
		Week: week, Recipient: v.Manager.Email,
		MessageID: MessageID(week, v.Manager.Email, cfg.Digest.MessageIDDomain),
		Subject:   v.Subject(),
		HTML:      html, Text: report.RenderDigestText(v), View: v,
	}
	m := mail.NewMsg(mail.WithCharset(mail.CharsetUTF8))
	from := cfg.Digest.From
	if from == "" {
		from = "cadence@" + strings.TrimPrefix(cfg.Digest.MessageIDDomain, "@")
		if cfg.Digest.MessageIDDomain == "" {
			from = "cadence@cadence.invalid"
		}
	}
	if err := m.From(from); err != nil {
		return nil, fmt.Errorf("digest: config %s: digest.from %q: %w", cfg.File, from, err)
	}
	// The address as a struct, not text go-mail parses back: net/mail
	// quotes the name (RFC 5322) or encodes it (RFC 2047) as it needs,
	// whatever quotes, brackets or backslashes it holds.
	to, err := recipientAddress(displayName(v.Manager.Name), v.Manager.Email)
	if err != nil {
		return nil, err
	}
	m.ToMailAddress(to)
	// Written by cadence, not go-mail: go-mail's encoder makes the whole
	// subject one encoded word too long for the first line, and folds
	// right after "Subject:" (a decoder then reads a leading space).
	m.SetGenHeaderPreformatted(mail.HeaderSubject, headerValue("Subject", r.Subject))
	unsub := []string{"<" + mailtoUnsubscribe(from) + ">"}
	if per.UnsubscribeURL != "" {
		unsub = append(unsub, "<"+per.UnsubscribeURL+">")
		// RFC 8058: a POST of this body to the https link unsubscribes.
		m.SetGenHeaderPreformatted("List-Unsubscribe-Post", "List-Unsubscribe=One-Click")
	}
	m.SetGenHeaderPreformatted("List-Unsubscribe", foldList("List-Unsubscribe", unsub))
	m.SetMessageIDWithValue(r.MessageID)
	m.SetDateWithValue(now)
	m.SetGenHeader(mail.HeaderXAutoResponseSuppress, "All")
	m.SetGenHeader("Auto-Submitted", "auto-generated")
	m.SetBodyString(mail.TypeTextPlain, string(r.Text))
	m.AddAlternativeString(mail.TypeTextHTML, string(r.HTML))
	r.Msg = m
	return r, nil
}

// maxHeaderLine is where header values are folded (RFC 5322's 78
// characters, minus room).
const maxHeaderLine = 76

// headerValue is s as the value of header name: words of printable
// ASCII as they are, each run of other words as one RFC 2047 encoded
// word (so the spaces inside the run survive decoding), folded between
// words and never before the first, so a decoder reads back s exactly.
// Control characters become spaces.
func headerValue(name, s string) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
	var tokens []string
	var run []string
	flush := func() {
		if len(run) > 0 {
			tokens = append(tokens, splitEncoded(strings.Join(run, " "))...)
			run = nil
		}
	}
	for _, w := range strings.Split(s, " ") {
		if plainWord(w) {
			flush()
			tokens = append(tokens, w)
			continue
		}
		run = append(run, w)
	}
	flush()
	return fold(len(name)+2, tokens, " ")
}

// plainWord: printable ASCII that does not look like an encoded word.
func plainWord(w string) bool {
	if strings.Contains(w, "=?") {
		return false
	}
	for i := 0; i < len(w); i++ {
		if w[i] < 0x21 || w[i] > 0x7e {
			return false
		}
	}
	return true
}

// maxEncodedWord bounds an encoded word so that one fits the first line
// after "Subject: " (RFC 2047 allows 75).
const maxEncodedWord = 64

// splitEncoded encodes s as Q-encoded words of at most maxEncodedWord
// characters, cut between runes; the spaces between them are not part of
// the decoded text.
func splitEncoded(s string) []string {
	var out []string
	for s != "" {
		n := len(s)
		for n > 0 && len(qEncode(s[:n])) > maxEncodedWord {
			n--
			for n > 0 && !utf8.RuneStart(s[n]) {
				n--
			}
		}
		if n == 0 {
			_, n = utf8.DecodeRuneInString(s)
		}
		out = append(out, qEncode(s[:n]))
		s = s[n:]
	}
	return out
}

// qEncode is s as one RFC 2047 Q-encoded word, always (mime.QEncoding
// leaves ASCII as it is, even text that looks like an encoded word).
func qEncode(s string) string {
	var b strings.Builder
	b.WriteString("=?UTF-8?q?")
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == ' ':
			b.WriteByte('_')
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', strings.IndexByte("!*+-/", c) >= 0:
			b.WriteByte(c)
		default:
			fmt.Fprintf(&b, "=%02X", c)
		}
	}
	b.WriteString("?=")
	return b.String()
}

// fold joins tokens with sep, folding (CRLF, space) before a token that
// would take a line past maxHeaderLine; used is what the line holds
// already ("Subject: ").
func fold(used int, tokens []string, sep string) string {
	var b strings.Builder
	for i, t := range tokens {
		if i > 0 {
			if used+len(sep)+len(t) > maxHeaderLine {
				b.WriteString(strings.TrimRight(sep, " "))
				b.WriteString("\r\n ")
				used = 1
			} else {
				b.WriteString(sep)
				used += len(sep)
			}
		}
		b.WriteString(t)
		used += len(t)
	}
	return b.String()
}

// foldList is a comma-separated header value (List-Unsubscribe), folded
// after commas.
func foldList(name string, items []string) string { return fold(len(name)+2, items, ", ") }

// mailtoUnsubscribe is the List-Unsubscribe mailto: the digest's sender,
// subject "unsubscribe" (RFC 2369).
func mailtoUnsubscribe(from string) string {
	addr := from
	if a, err := netmail.ParseAddress(from); err == nil {
		addr = a.Address
	}
	return "mailto:" + url.PathEscape(addr) + "?subject=unsubscribe"
}

// UnsubscribePath is where the daemon takes one-click opt-outs, under
// digest.base_url.
const UnsubscribePath = "digest/unsubscribe"

// UnsubscribeToken proves that an opt-out link was made by cadence for
// recipient: HMAC-SHA256 under key (kept in the state), 128 bits.
func UnsubscribeToken(key []byte, recipient string) string {
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte("cadence digest unsubscribe\x00" + strings.ToLower(recipient)))
	return base64.RawURLEncoding.EncodeToString(mac.Sum(nil)[:16])
}

// ValidUnsubscribe checks a link's token in constant time.
func ValidUnsubscribe(key []byte, recipient, token string) bool {
	return len(key) > 0 && hmac.Equal([]byte(UnsubscribeToken(key, recipient)), []byte(token))
}

// UnsubscribeURL is recipient's one-click opt-out link under base
// (digest.base_url); "" without a base or a key.
func UnsubscribeURL(base string, key []byte, recipient string) string {
	if base == "" || len(key) == 0 {
		return ""
	}
	q := url.Values{"r": {recipient}, "t": {UnsubscribeToken(key, recipient)}}
	return strings.TrimRight(base, "/") + "/" + UnsubscribePath + "?" + q.Encode()
}

// RecipientZones returns each recipient's zone, for the times of their
// digest: the timezone of their ICS feed in the configuration
// (sources.ics[].timezone, written there), else the zone of their Google
// calendar (googleZones: calendar id → IANA name, from the state), else
// nil (digest.timezone). dir maps aliases to primary emails.
func RecipientZones(cfg *config.Config, dir *cadence.Directory, googleZones map[string]string) func(recipient string) *time.Location {
	zones := map[string]*time.Location{}
	for id, name := range googleZones {
		loc, err := calendar.LoadLocation(name)
		if err != nil {
			continue
		}
		if dir != nil {
			if p, ok := dir.Resolve(id); ok {
				id = p
			}
		}
		zones[strings.ToLower(id)] = loc
	}
	for i, s := range cfg.Sources.ICS {
		if s.Zone == nil || !cfg.Has(fmt.Sprintf("sources.ics[%d].timezone", i)) {
			continue
		}
		owner := s.Owner
		if dir != nil {
			if p, ok := dir.Resolve(owner); ok {
				owner = p
			}
		}
		zones[owner] = s.Zone
	}
	return func(recipient string) *time.Location { return zones[strings.ToLower(recipient)] }
}
