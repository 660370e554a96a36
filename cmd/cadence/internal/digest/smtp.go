package digest

import (
	"context"
	"crypto/tls"
	"fmt"

	"github.com/wneessen/go-mail"

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
		return fmt.Errorf("digest: send via %s: %w", s, err)
	}
	return nil
}
