package config

import (
	"errors"
	"fmt"
	"net/mail"
	"net/url"
	"os"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// Digest configures the weekly digest email (`digest:`).
type Digest struct {
	// Enabled makes the daemon send the digest on schedule. Default false;
	// `cadence digest --preview` works either way.
	Enabled bool
	// Weekday and Time (since midnight) of the weekly send, in Timezone.
	// Default Monday 08:00 in the top-level timezone.
	Weekday  time.Weekday
	Time     time.Duration
	Timezone *time.Location
	// Recipients are the managers who get the digest; empty means every
	// manager of the directory. OptOut removes people either way. Lower-
	// case emails (aliases allowed; resolved against the directory).
	Recipients []string
	OptOut     []string
	// BaseURL is the address of the web page served by `cadence serve`;
	// "" leaves the link out of the digest.
	BaseURL string
	// From is the sender ("cadence <cadence@example.com>" or a bare
	// address). Required when Enabled.
	From string
	// MessageIDDomain is the right-hand side of Message-IDs. Default: the
	// domain of From.
	MessageIDDomain string
	SMTP            SMTP
	Retry           Retry
}

// SMTP is how the digest is sent.
type SMTP struct {
	Host string
	// Port defaults to 587 (starttls), 465 (implicit) or 25 (none).
	Port int
	// TLS is "starttls" (required; the default), "implicit" (TLS from the
	// first byte) or "none" (plain text, only with AllowPlaintext: for
	// tests and local relays).
	TLS            string
	AllowPlaintext bool
	// Username enables AUTH (PLAIN or LOGIN per Auth, default plain). The
	// password comes from PasswordFile (absolute after Parse) or the
	// environment variable PasswordEnv, never from the YAML.
	Username     string
	PasswordFile string
	PasswordEnv  string
	Auth         string
	// Timeout bounds connecting and each SMTP exchange. Default 30s.
	Timeout time.Duration
}

// Retry is how a failed send is retried: Attempts tries in all, waiting
// Backoff, then twice as long each time, at most MaxBackoff.
type Retry struct {
	Attempts   int
	Backoff    time.Duration
	MaxBackoff time.Duration
}

// Digest defaults.
const (
	DefaultDigestWeekday    = time.Monday
	DefaultDigestTime       = 8 * time.Hour
	DefaultSMTPTLS          = "starttls"
	DefaultSMTPAuth         = "plain"
	DefaultSMTPTimeout      = 30 * time.Second
	DefaultRetryAttempts    = 5
	DefaultRetryBackoff     = time.Minute
	DefaultRetryMaxBackoff  = 30 * time.Minute
	digestPasswordInYAMLMsg = "the SMTP password must not be in the YAML (expected password_file: a file holding it, or password_env: the name of an environment variable)"
)

var weekdays = map[string]time.Weekday{
	"monday": time.Monday, "tuesday": time.Tuesday, "wednesday": time.Wednesday, "thursday": time.Thursday,
	"friday": time.Friday, "saturday": time.Saturday, "sunday": time.Sunday,
}

func (d *decoder) digest(n *yaml.Node, path string, g *Digest) {
	d.mapping(n, path, []field{
		{"enabled", func(n *yaml.Node, p string) { d.boolean(n, p, &g.Enabled) }},
		{"weekday", func(n *yaml.Node, p string) {
			const want = "a weekday such as monday"
			var s string
			d.str(n, p, want, &s)
			if s == "" {
				return
			}
			wd, ok := weekdays[strings.ToLower(s)]
			if !ok {
				names := make([]string, 0, 7)
				for k := range weekdays {
					names = append(names, k)
				}
				msg := fmt.Sprintf("%q is not a weekday (expected %s)", s, want)
				if sg := suggest(strings.ToLower(s), names); sg != "" {
					msg = fmt.Sprintf("%q is not a weekday (did you mean %q?)", s, sg)
				}
				d.errorf(d.line(p), p, "%s", msg)
				return
			}
			g.Weekday = wd
		}},
		{"time", func(n *yaml.Node, p string) {
			const want = `a time of day such as "08:00"`
			var s string
			d.str(n, p, want, &s)
			if s == "" {
				return
			}
			t, err := time.Parse("15:04", s)
			if err != nil {
				d.errorf(d.line(p), p, "%q is not a time of day (expected %s, 24-hour HH:MM)", s, want)
				return
			}
			g.Time = time.Duration(t.Hour())*time.Hour + time.Duration(t.Minute())*time.Minute
		}},
		{"timezone", func(n *yaml.Node, p string) { d.zone(n, p, &g.Timezone) }},
		{"recipients", func(n *yaml.Node, p string) {
			d.strings(n, p, "a list of manager emails (empty: every manager)", "an email", &g.Recipients)
		}},
		{"opt_out", func(n *yaml.Node, p string) {
			d.strings(n, p, "a list of emails", "an email", &g.OptOut)
		}},
		{"base_url", func(n *yaml.Node, p string) { d.str(n, p, "an http(s) URL", &g.BaseURL) }},
		{"from", func(n *yaml.Node, p string) { d.str(n, p, "a sender such as cadence@example.com", &g.From) }},
		{"message_id_domain", func(n *yaml.Node, p string) { d.str(n, p, "a domain such as cadence.example.com", &g.MessageIDDomain) }},
		{"smtp", func(n *yaml.Node, p string) {
			s := &g.SMTP
			d.mapping(n, p, []field{
				{"host", func(n *yaml.Node, p string) { d.str(n, p, "a host name such as smtp.example.com", &s.Host) }},
				{"port", func(n *yaml.Node, p string) {
					var v int64
					d.integer(n, p, "a port number such as 587", &v)
					s.Port = clampInt(v)
				}},
				{"tls", func(n *yaml.Node, p string) { d.str(n, p, "starttls, implicit or none", &s.TLS) }},
				{"allow_plaintext", func(n *yaml.Node, p string) { d.boolean(n, p, &s.AllowPlaintext) }},
				{"username", func(n *yaml.Node, p string) { d.str(n, p, "a user name", &s.Username) }},
				{"password_file", func(n *yaml.Node, p string) { d.str(n, p, "a file path", &s.PasswordFile) }},
				{"password_env", func(n *yaml.Node, p string) {
					d.str(n, p, "the name of an environment variable such as CADENCE_SMTP_PASSWORD", &s.PasswordEnv)
				}},
				{"password", func(n *yaml.Node, p string) {
					// Known so that the error is not "unknown key"; the
					// value is never read or repeated.
					d.errorf(deref(n).Line, p, "%s", digestPasswordInYAMLMsg)
				}},
				{"auth", func(n *yaml.Node, p string) { d.str(n, p, "plain or login", &s.Auth) }},
				{"timeout", func(n *yaml.Node, p string) { d.duration(n, p, "a duration such as 30s", &s.Timeout) }},
			})
		}},
		{"retry", func(n *yaml.Node, p string) {
			r := &g.Retry
			d.mapping(n, p, []field{
				{"attempts", func(n *yaml.Node, p string) {
					var v int64
					d.integer(n, p, "an integer >= 1", &v)
					r.Attempts = clampInt(v)
				}},
				{"backoff", func(n *yaml.Node, p string) { d.duration(n, p, "a duration such as 1m", &r.Backoff) }},
				{"max_backoff", func(n *yaml.Node, p string) { d.duration(n, p, "a duration such as 30m", &r.MaxBackoff) }},
			})
		}},
	})
}

// setDigestDefaults fills in the digest keys the file leaves out.
func setDigestDefaults(c *Config) {
	has := func(path string) bool { _, ok := c.lines[path]; return ok }
	g := &c.Digest
	if !has("digest.weekday") {
		g.Weekday = DefaultDigestWeekday
	}
	if !has("digest.time") {
		g.Time = DefaultDigestTime
	}
	if !has("digest.timezone") {
		g.Timezone = c.Timezone
	}
	if g.Recipients == nil {
		g.Recipients = []string{}
	}
	if g.OptOut == nil {
		g.OptOut = []string{}
	}
	if !has("digest.smtp.tls") {
		g.SMTP.TLS = DefaultSMTPTLS
	}
	if !has("digest.smtp.port") {
		switch g.SMTP.TLS {
		case "implicit":
			g.SMTP.Port = 465
		case "none":
			g.SMTP.Port = 25
		default:
			g.SMTP.Port = 587
		}
	}
	if !has("digest.smtp.auth") {
		g.SMTP.Auth = DefaultSMTPAuth
	}
	if !has("digest.smtp.timeout") {
		g.SMTP.Timeout = DefaultSMTPTimeout
	}
	if !has("digest.retry.attempts") {
		g.Retry.Attempts = DefaultRetryAttempts
	}
	if !has("digest.retry.backoff") {
		g.Retry.Backoff = DefaultRetryBackoff
	}
	if !has("digest.retry.max_backoff") {
		g.Retry.MaxBackoff = DefaultRetryMaxBackoff
	}
	if !has("digest.message_id_domain") {
		if a, err := mail.ParseAddress(g.From); err == nil {
			g.MessageIDDomain = strings.ToLower(a.Address[strings.LastIndexByte(a.Address, '@')+1:])
		}
	}
}

// validateDigest checks the digest section. Formats are checked whether or
// not the digest is enabled; what sending needs (from, smtp.host, a
// password source for username) only when it is.
func validateDigest(d *decoder, c *Config) {
	g := &c.Digest
	has := func(p string) bool { _, ok := d.lines[p]; return ok }
	at := func(p, format string, args ...any) {
		if !d.bad[p] {
			d.errorf(d.line(p), p, format, args...)
		}
	}
	for _, list := range []struct {
		key    string
		emails []string
	}{{"digest.recipients", g.Recipients}, {"digest.opt_out", g.OptOut}} {
		for i, e := range list.emails {
			if !isEmail(normEmail(e)) {
				at(fmt.Sprintf("%s[%d]", list.key, i), "%q is not an email address (expected a bare address such as ana@example.com)", e)
			}
		}
	}
	if g.BaseURL != "" {
		if msg := checkURL(g.BaseURL); msg != "" {
			at("digest.base_url", "%q is not an http(s) URL (expected the web page's address, such as https://cadence.example.com/)", g.BaseURL)
		} else if u, _ := url.Parse(g.BaseURL); u.RawQuery != "" || u.Fragment != "" {
			at("digest.base_url", "has a query or fragment (expected the page's address such as https://cadence.example.com/)")
		}
	}
	if g.From != "" {
		if a, err := mail.ParseAddress(g.From); err != nil || strings.ContainsAny(g.From, "\r\n") {
			at("digest.from", "%q is not a sender address (expected cadence@example.com or \"cadence <cadence@example.com>\")", g.From)
		} else if !strings.Contains(a.Address, "@") {
			at("digest.from", "%q has no domain (expected cadence@example.com)", g.From)
		}
	} else if g.Enabled {
		at("digest.from", "missing (expected the sender address, such as cadence@example.com; needed when digest.enabled is true)")
	}
	if g.MessageIDDomain != "" && (strings.ContainsAny(g.MessageIDDomain, " \t\r\n<>@") || !strings.Contains(g.MessageIDDomain, ".")) {
		at("digest.message_id_domain", "%q is not a domain (expected e.g. cadence.example.com)", g.MessageIDDomain)
	}
	s := &g.SMTP
	if s.Host == "" && g.Enabled && !d.bad["digest.smtp.host"] {
		at("digest.smtp.host", "missing (expected the SMTP server, such as smtp.example.com; needed when digest.enabled is true)")
	}
	if s.Port < 1 || s.Port > 65535 {
		at("digest.smtp.port", "%d is not a port (expected 1-65535, such as 587)", s.Port)
	}
	switch s.TLS {
	case "starttls", "implicit":
		if s.AllowPlaintext {
			at("digest.smtp.allow_plaintext", "set, but smtp.tls is %q (allow_plaintext is only for tls: none)", s.TLS)
		}
	case "none":
		if !s.AllowPlaintext {
			at("digest.smtp.tls", "none sends the digest and the password in plain text (expected starttls or implicit; for a test server or a local relay also set allow_plaintext: true)")
		}
	default:
		msg := fmt.Sprintf("%q is not a TLS mode (expected starttls, implicit or none)", s.TLS)
		if sg := suggest(s.TLS, []string{"starttls", "implicit", "none"}); sg != "" {
			msg = fmt.Sprintf("%q is not a TLS mode (did you mean %q? expected starttls, implicit or none)", s.TLS, sg)
		}
		at("digest.smtp.tls", "%s", msg)
	}
	switch s.Auth {
	case "plain", "login":
	default:
		at("digest.smtp.auth", "%q is not an AUTH mechanism (expected plain or login)", s.Auth)
	}
	if s.PasswordFile != "" && s.PasswordEnv != "" {
		at("digest.smtp.password_env", "both password_file (line %d) and password_env are set (expected one)", d.line("digest.smtp.password_file"))
	}
	if s.Username == "" && (s.PasswordFile != "" || s.PasswordEnv != "") {
		at("digest.smtp.username", "missing, but a password source is set (expected the SMTP user name)")
	}
	if s.Username != "" && s.PasswordFile == "" && s.PasswordEnv == "" && g.Enabled && !has("digest.smtp.password") {
		at("digest.smtp.username", "set, but no password source (expected password_file or password_env beside it)")
	}
	if s.Timeout <= 0 {
		at("digest.smtp.timeout", "%s is not positive (expected a duration > 0 such as 30s)", fmtDuration(s.Timeout))
	}
	r := &g.Retry
	if r.Attempts < 1 {
		at("digest.retry.attempts", "%d is less than 1 (expected the number of tries, such as 5)", r.Attempts)
	}
	if r.Backoff <= 0 {
		at("digest.retry.backoff", "%s is not positive (expected a duration > 0 such as 1m)", fmtDuration(r.Backoff))
	}
	if r.MaxBackoff < r.Backoff && r.Backoff > 0 {
		at("digest.retry.max_backoff", "%s is shorter than backoff %s (expected at least that)", fmtDuration(r.MaxBackoff), fmtDuration(r.Backoff))
	}
}

// normalizeDigest lower-cases the recipient emails and makes the password
// file absolute (against dir, the config file's directory).
func normalizeDigest(c *Config, abs func(string) string) {
	for i, e := range c.Digest.Recipients {
		c.Digest.Recipients[i] = normEmail(e)
	}
	for i, e := range c.Digest.OptOut {
		c.Digest.OptOut[i] = normEmail(e)
	}
	c.Digest.SMTP.PasswordFile = abs(c.Digest.SMTP.PasswordFile)
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
