package config

import (
	"errors"
	"fmt"
	"net/mail"
	"net/url"
	"os"
	"strings"
	"time"
)

// Digest configures the weekly digest email (`digest:`).
type Digest struct {
	// Enabled makes the daemon send the digest on schedule;
	// `cadence digest --preview` works either way.
	Enabled bool `yaml:"enabled"`
	// Weekday and Time (since midnight) of the weekly send, in Timezone
	// (default: the top-level timezone).
	Weekday  time.Weekday   `yaml:"weekday" hint:"a weekday such as monday"`
	Time     time.Duration  `yaml:"time" as:"timeofday" hint:"a time of day such as \"08:00\""`
	Timezone *time.Location `yaml:"timezone"`
	// Recipients are the managers who get the digest; empty means every
	// manager of the directory. OptOut removes people either way. Lower-
	// case emails (aliases allowed; resolved against the directory).
	Recipients []string `yaml:"recipients" hint:"a list of manager emails (empty: every manager)|an email"`
	OptOut     []string `yaml:"opt_out" hint:"a list of emails|an email"`
	// BaseURL is the address of the web page served by `cadence serve`;
	// "" leaves the link out of the digest.
	BaseURL string `yaml:"base_url" hint:"an http(s) URL"`
	// From is the sender ("cadence <cadence@example.com>" or a bare
	// address). Required when Enabled.
	From string `yaml:"from" hint:"a sender such as cadence@example.com"`
	// MessageIDDomain is the right-hand side of Message-IDs. Default: the
	// domain of From.
	MessageIDDomain string `yaml:"message_id_domain" hint:"a domain such as cadence.example.com"`
	SMTP            SMTP   `yaml:"smtp"`
	Retry           Retry  `yaml:"retry"`
}

// SMTP is how the digest is sent.
type SMTP struct {
	Host string `yaml:"host" hint:"a host name such as smtp.example.com"`
	// Port defaults to 587 (starttls), 465 (implicit) or 25 (none).
	Port int `yaml:"port" hint:"a port number such as 587" check:"1..65535 %v is not a port (expected 1-65535, such as 587)"`
	// TLS is "starttls" (required; the default), "implicit" (TLS from the
	// first byte) or "none" (plain text, only with AllowPlaintext: for
	// tests and local relays).
	TLS            string `yaml:"tls" hint:"starttls, implicit or none" oneof:"starttls implicit none|%q is not a TLS mode"`
	AllowPlaintext bool   `yaml:"allow_plaintext"`
	// Username enables AUTH (PLAIN or LOGIN per Auth). The password comes
	// from PasswordFile (absolute after Parse) or the environment variable
	// PasswordEnv, never from the YAML.
	Username     string   `yaml:"username" hint:"a user name"`
	PasswordFile string   `yaml:"password_file" hint:"a file path"`
	PasswordEnv  string   `yaml:"password_env" hint:"the name of an environment variable such as CADENCE_SMTP_PASSWORD"`
	_            struct{} `yaml:"password" reject:"the SMTP password must not be in the YAML (expected password_file: a file holding it, or password_env: the name of an environment variable)"`
	Auth         string   `yaml:"auth" hint:"plain or login" oneof:"plain login|%q is not an AUTH mechanism"`
	// Timeout bounds connecting and each SMTP exchange.
	Timeout time.Duration `yaml:"timeout" hint:"a duration such as 30s" check:"1.. %v is not positive (expected a duration > 0 such as 30s)"`
}

// Retry is how a failed send is retried: Attempts tries in all, waiting
// Backoff, then twice as long each time, at most MaxBackoff.
type Retry struct {
	Attempts   int           `yaml:"attempts" hint:"an integer >= 1" check:"1.. %v is less than 1 (expected the number of tries, such as 5)"`
	Backoff    time.Duration `yaml:"backoff" hint:"a duration such as 1m" check:"1.. %v is not positive (expected a duration > 0 such as 1m)"`
	MaxBackoff time.Duration `yaml:"max_backoff" hint:"a duration such as 30m"`
}

// validateDigest checks the digest section across keys. Formats are
// checked whether or not the digest is enabled; what sending needs (from,
// smtp.host, a password source for username) only when it is.
func validateDigest(d *decoder, g *Digest) {
	for _, list := range []struct {
		key    string
		emails []string
	}{{"digest.recipients", g.Recipients}, {"digest.opt_out", g.OptOut}} {
		for i, e := range list.emails {
			if !isEmail(normEmail(e)) {
				d.at(fmt.Sprintf("%s[%d]", list.key, i), "%q is not an email address (expected a bare address such as ana@example.com)", e)
			}
		}
	}
	if g.BaseURL != "" {
		if msg := checkURL(g.BaseURL); msg != "" {
			d.at("digest.base_url", "%q is not an http(s) URL (expected the web page's address, such as https://cadence.example.com/)", g.BaseURL)
		} else if u, _ := url.Parse(g.BaseURL); u.RawQuery != "" || u.Fragment != "" {
			d.at("digest.base_url", "has a query or fragment (expected the page's address such as https://cadence.example.com/)")
		}
	}
	if g.From != "" {
		if a, err := mail.ParseAddress(g.From); err != nil || strings.ContainsAny(g.From, "\r\n") {
			d.at("digest.from", "%q is not a sender address (expected cadence@example.com or \"cadence <cadence@example.com>\")", g.From)
		} else if !strings.Contains(a.Address, "@") {
			d.at("digest.from", "%q has no domain (expected cadence@example.com)", g.From)
		}
	} else if g.Enabled {
		d.at("digest.from", "missing (expected the sender address, such as cadence@example.com; needed when digest.enabled is true)")
	}
	if g.MessageIDDomain != "" && (strings.ContainsAny(g.MessageIDDomain, " \t\r\n<>@") || !strings.Contains(g.MessageIDDomain, ".")) {
		d.at("digest.message_id_domain", "%q is not a domain (expected e.g. cadence.example.com)", g.MessageIDDomain)
	}
	s := &g.SMTP
	if s.Host == "" && g.Enabled {
		d.at("digest.smtp.host", "missing (expected the SMTP server, such as smtp.example.com; needed when digest.enabled is true)")
	}
	switch {
	case (s.TLS == "starttls" || s.TLS == "implicit") && s.AllowPlaintext:
		d.at("digest.smtp.allow_plaintext", "set, but smtp.tls is %q (allow_plaintext is only for tls: none)", s.TLS)
	case s.TLS == "none" && !s.AllowPlaintext:
		d.at("digest.smtp.tls", "none sends the digest and the password in plain text (expected starttls or implicit; for a test server or a local relay also set allow_plaintext: true)")
	}
	if s.PasswordFile != "" && s.PasswordEnv != "" {
		d.at("digest.smtp.password_env", "both password_file (line %d) and password_env are set (expected one)", d.line("digest.smtp.password_file"))
	}
	if s.Username == "" && (s.PasswordFile != "" || s.PasswordEnv != "") {
		d.at("digest.smtp.username", "missing, but a password source is set (expected the SMTP user name)")
	}
	if s.Username != "" && s.PasswordFile == "" && s.PasswordEnv == "" && g.Enabled && !d.has("digest.smtp.password") {
		d.at("digest.smtp.username", "set, but no password source (expected password_file or password_env beside it)")
	}
	if r := &g.Retry; r.MaxBackoff < r.Backoff && r.Backoff > 0 {
		d.at("digest.retry.max_backoff", "%s is shorter than backoff %s (expected at least that)", fmtDuration(r.MaxBackoff), fmtDuration(r.Backoff))
	}
}

// Password reads the SMTP password from its file (trailing newline
// trimmed) or from the environment variable (getenv, os.Getenv when nil).
// "" with a nil error when no username is set. Errors name the file or
// variable, never the value.
func (s SMTP) Password(getenv func(string) string) (string, error) {
	if getenv == nil {
		getenv = os.Getenv
	}
	switch {
	case s.Username == "":
		return "", nil
	case s.PasswordFile != "":
		b, err := os.ReadFile(s.PasswordFile)
		if err != nil {
			return "", fmt.Errorf("config: digest.smtp.password_file: %w", err)
		}
		pw := strings.TrimRight(string(b), "\r\n")
		if pw == "" {
			return "", fmt.Errorf("config: digest.smtp.password_file %s is empty", s.PasswordFile)
		}
		return pw, nil
	case s.PasswordEnv != "":
		pw := getenv(s.PasswordEnv)
		if pw == "" {
			return "", fmt.Errorf("config: digest.smtp.password_env: environment variable %s is empty or not set", s.PasswordEnv)
		}
		return pw, nil
	}
	return "", errors.New("config: digest.smtp.username is set but neither password_file nor password_env is")
}
