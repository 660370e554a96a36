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
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	netmail "net/mail"
	"strings"
	"time"
	"unicode"

	"github.com/wneessen/go-mail"

	"github.com/cadence-dev/cadence/cadence"
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

// Compose renders the digest of recipient for week from cur (and prev, the
// evaluation a week earlier, for the changes; may be nil) and builds the
// message. now is the Date header.
func Compose(cfg *config.Config, cur, prev *cadence.Snapshot, week, recipient string, now time.Time) (*Rendered, error) {
	v, err := report.BuildManagerView(cur, prev, recipient, report.ViewOptions{
		Location: cfg.Digest.Timezone,
		BaseURL:  cfg.Digest.BaseURL,
	})
	if err != nil {
		return nil, fmt.Errorf("digest: %w", err)
	}
	v.Week = week
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
	m.Subject(r.Subject)
	m.SetMessageIDWithValue(r.MessageID)
	m.SetDateWithValue(now)
	m.SetGenHeader(mail.HeaderXAutoResponseSuppress, "All")
	m.SetGenHeader("Auto-Submitted", "auto-generated")
	m.SetBodyString(mail.TypeTextPlain, string(r.Text))
	m.AddAlternativeString(mail.TypeTextHTML, string(r.HTML))
	r.Msg = m
	return r, nil
}
