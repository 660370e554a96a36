package digest

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net/textproto"
	"regexp"
	"strings"
	"unicode"

	"github.com/wneessen/go-mail"
	gosmtp "github.com/wneessen/go-mail/smtp"

	"github.com/cadence-dev/cadence/cmd/cadence/internal/config"
)

// Sender delivers one message.
type Sender interface {
	Send(ctx context.Context, m *mail.Msg) error
}

// SMTPSender sends through an SMTP server with go-mail: STARTTLS required
// (the default), implicit TLS, or plain text only when the configuration
// allows it explicitly; AUTH PLAIN or LOGIN when a username is set.
type SMTPSender struct {
	cfg      config.SMTP
	password string
	tls      *tls.Config
}

// NewSMTPSender builds a sender from the configuration. password is the
// secret read by cfg.Password (never from the YAML); tlsConfig may be nil
// (system roots, TLS 1.2 or later, server name = host).
func NewSMTPSender(cfg config.SMTP, password string, tlsConfig *tls.Config) *SMTPSender {
	if tlsConfig == nil {
		tlsConfig = &tls.Config{MinVersion: tls.VersionTLS12}
	}
	tlsConfig = tlsConfig.Clone()
	if tlsConfig.ServerName == "" {
		tlsConfig.ServerName = cfg.Host
	}
	return &SMTPSender{cfg: cfg, password: password, tls: tlsConfig}
}

// String names the server, never the password.
func (s *SMTPSender) String() string {
	return fmt.Sprintf("smtp://%s:%d (tls %s)", s.cfg.Host, s.cfg.Port, s.cfg.TLS)
}

// Send connects, authenticates, sends m and disconnects.
func (s *SMTPSender) Send(ctx context.Context, m *mail.Msg) error {
	opts := []mail.Option{
		mail.WithPort(s.cfg.Port),
		mail.WithTimeout(s.cfg.Timeout),
		mail.WithTLSConfig(s.tls),
	}
	plain := false
	switch s.cfg.TLS {
	case "starttls":
		opts = append(opts, mail.WithTLSPolicy(mail.TLSMandatory))
	case "implicit":
		opts = append(opts, mail.WithSSL())
	case "none":
		if !s.cfg.AllowPlaintext {
			return fmt.Errorf("digest: smtp.tls none needs smtp.allow_plaintext: true")
		}
		plain = true
		opts = append(opts, mail.WithTLSPolicy(mail.NoTLS))
	default:
		return fmt.Errorf("digest: smtp.tls %q: expected starttls, implicit or none", s.cfg.TLS)
	}
	if s.cfg.Username != "" {
		auth := mail.SMTPAuthPlain
		if s.cfg.Auth == "login" {
			auth = mail.SMTPAuthLogin
		}
		if plain {
			// Explicitly allowed plain text (test servers, local relays).
			auth = map[mail.SMTPAuthType]mail.SMTPAuthType{mail.SMTPAuthPlain: mail.SMTPAuthPlainNoEnc, mail.SMTPAuthLogin: mail.SMTPAuthLoginNoEnc}[auth]
		}
		opts = append(opts, mail.WithSMTPAuth(auth), mail.WithUsername(s.cfg.Username), mail.WithPassword(s.password))
	}
	c, err := mail.NewClient(s.cfg.Host, opts...)
	if err != nil {
		return fmt.Errorf("digest: smtp client for %s: %w", s, err)
	}
	if err := c.DialAndSendWithContext(ctx, m); err != nil {
		// Never the server's text: see sendFailure.
		return fmt.Errorf("digest: send via %s: %s", s, sendFailure(err))
	}
	return nil
}

// enhancedCode is an RFC 3463 enhanced status code at the start of a reply.
var enhancedCode = regexp.MustCompile(`^[245]\.[0-9]{1,3}\.[0-9]{1,3}\b`)

// maxFailureLen bounds a send failure's text.
const maxFailureLen = 300

// sendFailure describes a failed send without any text the server sent:
// an SMTP reply can repeat what the client said (AUTH data, the password)
// and ends up in the log, the send log and on the terminal. What failed,
// the reply code and the enhanced status code are kept; errors of cadence's
// own side (the network, TLS, timeouts, go-mail's checks) are kept as they
// are, bounded.
func sendFailure(err error) string {
	msg := []rune(strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, failureText(err)))
	if len(msg) > maxFailureLen {
		msg = append(msg[:maxFailureLen-3], '.', '.', '.')
	}
	return string(msg)
}

// failureText renders err's chain, replacing each error that carries
// server text by what cadence can say about it.
func failureText(err error) string {
	var se *mail.SendError
	if errors.As(err, &se) && se != nil {
		// The reason names the command; the recipients and the Message-ID
		// are cadence's.
		return prefixOf(err, se) + replyText(se.Reason.String(), se.ErrorCode(), se.EnhancedStatusCode(), se.IsTemp())
	}
	switch e := err.(type) {
	case *textproto.Error:
		code := ""
		if m := enhancedCode.FindString(e.Msg); m != "" {
			code = m
		}
		return strings.TrimPrefix(replyText("", e.Code, code, e.Code/100 == 4), ": ")
	case interface{ Unwrap() []error }:
		text := err.Error()
		for _, in := range e.Unwrap() {
			if in != nil {
				text = strings.Replace(text, in.Error(), failureText(in), 1)
			}
		}
		return text
	}
	for _, sentinel := range []error{gosmtp.ErrUnexpectedServerResponse, gosmtp.ErrUnexpectedServerChallange} {
		if errors.Is(err, sentinel) {
			// "%w: <the server's text>"
			return prefixOf(err, sentinel) + sentinel.Error() + " (its text is not shown)"
		}
	}
	if in := errors.Unwrap(err); in != nil {
		text := err.Error()
		if i := strings.Index(text, in.Error()); i >= 0 {
			return text[:i] + failureText(in) + text[i+len(in.Error()):]
		}
		// A wrapper that rewrites what it wraps: say only what it adds.
		return "SMTP failure (details withheld)"
	}
	return err.Error()
}

// prefixOf is what the wrappers around inner say before it ("dial failed:
// SMTP AUTH failed: "), or "" when they do not end with inner.
func prefixOf(err, inner error) string {
	var prefix string
	for e := err; e != nil; e = errors.Unwrap(e) {
		if e == inner {
			return prefix
		}
		in := errors.Unwrap(e)
		if in == nil {
			break
		}
		text, inText := e.Error(), in.Error()
		i := strings.Index(text, inText)
		if i < 0 {
			return ""
		}
		prefix += text[:i]
	}
	return prefix
}

// replyText is what failed and, when the server replied, the reply's codes:
// "SMTP AUTH failed: server replied 535 5.7.8".
func replyText(what string, code int, enhanced string, temporary bool) string {
	if code <= 0 && enhanced == "" {
		return what
	}
	s := what + ": server replied"
	if code > 0 {
		s += fmt.Sprintf(" %d", code)
	}
	if enhanced != "" {
		s += " " + enhanced
	}
	if temporary {
		s += " (temporary)"
	}
	return s
}
