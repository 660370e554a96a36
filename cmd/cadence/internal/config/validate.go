package config

import (
	"cmp"
	"fmt"
	"github.com/cadence-dev/cadence/cadence"
	"net"
	"net/mail"
	"net/url"
	"regexp"
	"slices"
	"strings"
)

var (
	sourceName = regexp.MustCompile(`^[a-zA-Z0-9._-]+$`)
	// redirectHost is a host name, an IPv4 address, or "*." and a name.
	redirectHost  = regexp.MustCompile(`^(\*\.)?[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?(\.[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?)*\.?$`)
	teamStartAttr = regexp.MustCompile(`^(onPremisesExtensionAttributes\.extensionAttribute([1-9]|1[0-5])|extension_[0-9a-fA-F]{32}_[A-Za-z0-9_]+|employeeOrgData\.[A-Za-z]+|[A-Za-z][A-Za-z0-9_]*)$`)
	envName       = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
	placeholder   = regexp.MustCompile(`\{[^}]*\}?`)
)

// check records a problem at key path when bad.
func (d *decoder) check(bad bool, path, format string, args ...any) {
	if bad {
		d.at(path, format, args...)
	}
}

// validate checks the keys of a decoded configuration against each other,
// and the values that are more than a type, then runs the tags' checks. A
// key gets one problem (the first check that fails), none when its value is
// bad already.
func validate(d *decoder, c *Config) {
	if d.bad["top level"] || d.aborted {
		return // not a mapping, or an alias bomb: nothing else to say
	}
	dir, g, m := c.Directory, c.Google, c.Microsoft
	d.check(dir.CSV == "" && dir.YAML == "" && !d.bad["directory.csv"] && !d.bad["directory.yaml"] && !g.Directory.Enabled && !m.Directory.Enabled,
		"directory", "missing (expected exactly one of directory.csv or directory.yaml: the org chart file)")
	d.check(dir.CSV != "" && dir.YAML != "", "directory.yaml", "both csv (line %d) and yaml are set (expected exactly one of directory.csv or directory.yaml)", d.Line("directory.csv"))

	d.check(g.Endpoint != "" && checkURL(g.Endpoint) != "", "google.endpoint", "%s", checkURL(g.Endpoint))
	d.check(g.Enabled && g.Calendars != "directory" && g.CalendarList == nil, "google.calendars", "%q is not directory or a list (expected directory, or a list of calendar ids)", g.Calendars)
	d.check(g.ServiceAccountKeyFile != "" && g.TokenFile != "", "google.token_file", "both service_account_key_file and token_file are set (expected one: a service account for an organisation, or one user's OAuth token)")
	d.check(g.Enabled && g.Endpoint == "" && g.ServiceAccountKeyFile == "" && g.TokenFile == "", "google", "no credentials (expected service_account_key_file, or token_file from `cadence auth google`, or the environment variables %s / %s; only an endpoint such as the fake server works without them)", EnvGoogleKeyFile, EnvGoogleTokenFile)
	d.check(g.TokenFile != "" && g.OAuthClientFile == "", "google.oauth_client_file", "missing (expected the OAuth client JSON that token_file was created with)")
	d.check(g.Directory.Enabled && g.Directory.AdminSubject == "" && g.ServiceAccountKeyFile != "", "google.directory.admin_subject", "missing (expected the administrator the service account acts as for users.list)")

	d.check(m.Endpoint != "" && checkURL(m.Endpoint) != "", "microsoft.endpoint", "%s", checkURL(m.Endpoint))
	d.check(m.TokenURL != "" && checkURL(m.TokenURL) != "", "microsoft.token_url", "%s", checkURL(m.TokenURL))
	creds := len(slices.DeleteFunc([]string{m.ClientSecretFile, m.ClientSecretEnv, m.CertificateFile}, func(s string) bool { return s == "" }))
	d.check(creds > 1, "microsoft.client_secret_file", "more than one credential is set (expected one of client_secret_file, client_secret_env or certificate_file)")
	d.check(m.Enabled && creds == 0 && m.Endpoint == "" && !d.bad["microsoft.client_secret"], "microsoft", "no credentials (expected client_secret_file, client_secret_env or certificate_file for the app registration; only an endpoint such as the fake server works without them)")
	d.check(m.ClientSecretEnv != "" && !envName.MatchString(m.ClientSecretEnv), "microsoft.client_secret_env", "%.60q is not an environment variable name (expected the name, such as CADENCE_MICROSOFT_CLIENT_SECRET, not the secret)", m.ClientSecretEnv)
	d.check(m.CertificateKeyFile != "" && m.CertificateFile == "", "microsoft.certificate_key_file", "set without certificate_file (expected the certificate beside its private key)")
	d.check(creds > 0 && m.ClientID == "", "microsoft.client_id", "missing (expected the app registration's application (client) id)")
	d.check(creds > 0 && m.Tenant == "" && m.TokenURL == "", "microsoft.tenant", "missing (expected the directory (tenant) id or a verified domain such as contoso.onmicrosoft.com)")
	d.check(m.Enabled && m.Mailboxes != "directory" && m.MailboxList == nil, "microsoft.mailboxes", "%q is not directory or a list (expected directory, or a list of mailboxes)", m.Mailboxes)
	d.check(m.Directory.TeamStartAttribute != "" && !teamStartAttr.MatchString(m.Directory.TeamStartAttribute), "microsoft.directory.team_start_attribute", "%.60q is not a user property (expected onPremisesExtensionAttributes.extensionAttribute1..15 or a directory extension such as extension_<appId>_teamStart)", m.Directory.TeamStartAttribute)
	d.check(m.Directory.Enabled && g.Directory.Enabled, "microsoft.directory", "google.directory is enabled too (expected one directory source; directory.csv can override either)")

	d.check(!c.EvaluateAt.IsZero() && c.Digest.Enabled, "evaluate_at", "set, but digest.enabled is true (a daemon that sends the weekly digest evaluates at the current time; evaluate_at is for recorded calendars such as the example org)")
	sv := c.Serve
	d.check(!isHostPort(sv.ListenAddress), "serve.listen_address", "%q is not host:port (expected e.g. :9816 or 127.0.0.1:9816)", sv.ListenAddress)
	d.check(sv.Page.ListenAddress != "" && !isHostPort(sv.Page.ListenAddress), "serve.page.listen_address", "%q is not host:port (expected e.g. 127.0.0.1:9817)", sv.Page.ListenAddress)
	d.check(sv.Page.ListenAddress != "" && sv.Page.ListenAddress == sv.ListenAddress, "serve.page.listen_address", "%q is serve.listen_address (expected another address, or none to serve the page beside /metrics)", sv.ListenAddress)
	d.check(d.Has("serve.page.web_config_file") && sv.Page.ListenAddress == "", "serve.page.web_config_file", "set, but serve.page.listen_address is not (the page beside /metrics uses serve.web_config_file)")
	mt := c.Metrics
	d.check(mt.Identity == "hash" && mt.HashSaltFile == "", "metrics.identity", "hash needs metrics.hash_salt_file (a file holding the salt; never put the salt in the YAML)")
	d.check((mt.Identity == "email" || mt.Identity == "id") && mt.HashSaltFile != "", "metrics.hash_salt_file", "set, but metrics.identity is %q (the salt is used only with identity: hash)", mt.Identity)

	// The digest's formats are checked whether or not it is enabled; what
	// sending needs (from, smtp.host, a password source) when it is.
	dg, s := c.Digest, c.Digest.SMTP
	for i, e := range dg.Recipients {
		d.check(!isEmail(normEmail(e)), index("digest.recipients", i), "%q is not an email address (expected a bare address such as ana@example.com)", e)
	}
	for i, e := range dg.OptOut {
		d.check(!isEmail(normEmail(e)), index("digest.opt_out", i), "%q is not an email address (expected a bare address such as ana@example.com)", e)
	}
	u, err := url.Parse(dg.BaseURL)
	d.check(dg.BaseURL != "" && checkURL(dg.BaseURL) != "", "digest.base_url", "%q is not an http(s) URL (expected the web page's address, such as https://cadence.example.com/)", dg.BaseURL)
	d.check(err == nil && (u.RawQuery != "" || u.Fragment != ""), "digest.base_url", "has a query or fragment (expected the page's address such as https://cadence.example.com/)")
	from, err := mail.ParseAddress(dg.From)
	d.check(dg.From == "" && dg.Enabled, "digest.from", "missing (expected the sender address, such as cadence@example.com; needed when digest.enabled is true)")
	d.check(dg.From != "" && (err != nil || strings.ContainsAny(dg.From, "\r\n")), "digest.from", "%q is not a sender address (expected cadence@example.com or \"cadence <cadence@example.com>\")", dg.From)
	d.check(err == nil && !strings.Contains(from.Address, "@"), "digest.from", "%q has no domain (expected cadence@example.com)", dg.From)
	d.check(dg.MessageIDDomain != "" && (strings.ContainsAny(dg.MessageIDDomain, " \t\r\n<>@") || !strings.Contains(dg.MessageIDDomain, ".")), "digest.message_id_domain", "%q is not a domain (expected e.g. cadence.example.com)", dg.MessageIDDomain)
	d.check(s.Host == "" && dg.Enabled, "digest.smtp.host", "missing (expected the SMTP server, such as smtp.example.com; needed when digest.enabled is true)")
	d.check((s.TLS == "starttls" || s.TLS == "implicit") && s.AllowPlaintext, "digest.smtp.allow_plaintext", "set, but smtp.tls is %q (allow_plaintext is only for tls: none)", s.TLS)
	d.check(s.TLS == "none" && !s.AllowPlaintext, "digest.smtp.tls", "none sends the digest and the password in plain text (expected starttls or implicit; for a test server or a local relay also set allow_plaintext: true)")
	d.check(s.PasswordFile != "" && s.PasswordEnv != "", "digest.smtp.password_env", "both password_file (line %d) and password_env are set (expected one)", d.Line("digest.smtp.password_file"))
	d.check(s.Username == "" && (s.PasswordFile != "" || s.PasswordEnv != ""), "digest.smtp.username", "missing, but a password source is set (expected the SMTP user name)")
	d.check(s.Username != "" && s.PasswordFile == "" && s.PasswordEnv == "" && dg.Enabled && !d.Has("digest.smtp.password"), "digest.smtp.username", "set, but no password source (expected password_file or password_env beside it)")
	d.check(dg.Retry.MaxBackoff < dg.Retry.Backoff && dg.Retry.Backoff > 0, "digest.retry.max_backoff", "%s is shorter than backoff %s (expected at least that)", fmtDuration(dg.Retry.MaxBackoff), fmtDuration(dg.Retry.Backoff))

	for i, h := range c.Sources.HTTP.RedirectHosts {
		d.check(!redirectHost.MatchString(h), index("sources.http.redirect_hosts", i), "%s is not a host name (expected a name such as calendar.example.com or *.example.com: no scheme, port or path)", quote(h))
	}
	names := map[string]int{} // of sources, then of rules -> line
	for i, s := range c.Sources.ICS {
		if p := index("sources.ics", i); !d.bad[p] { // a mapping
			d.check(s.Name == "", p+".name", "missing (expected a unique name of letters, digits, '.', '_' or '-')")
			d.check(!sourceName.MatchString(s.Name), p+".name", "%s has characters other than letters, digits, '.', '_' and '-'", quote(s.Name))
			d.check(names[s.Name] > 0, p+".name", "duplicate source name %q (first at line %d)", s.Name, names[s.Name])
			names[s.Name] = cmp.Or(names[s.Name], d.Line(p+".name"))
			d.check(s.Owner == "", p+".owner", "missing (expected the email of the calendar's owner)")
			d.check(!isEmail(normEmail(s.Owner)), p+".owner", "%s is not an email address (expected the email of the calendar's owner)", quote(s.Owner))
			d.check(s.Path != "" && s.URL != "", p+".url", "both path (line %d) and url are set (expected exactly one)", d.Line(p+".path"))
			d.check(s.Path == "" && s.URL == "" && !d.bad[p+".path"] && !d.bad[p+".url"], p, "neither path nor url is set (expected exactly one)")
			d.check(s.URL != "" && checkURL(s.URL) != "", p+".url", "%s", checkURL(s.URL))
		}
	}
	cl := c.Classification
	for i, g := range cl.IgnoredAttendees {
		err := cadence.CheckGlob(g) // the syntax the matcher reads
		d.check(err != nil, index("classification.ignored_attendees", i), "bad glob %q: %v (expected a glob such as *@otter.ai: * any run, ? one character, [a-z] a class, \\ quotes)", g, err)
	}
	for i, t := range cl.OOOTitles {
		err := cadence.CheckGlob(t)
		d.check(err != nil, index("classification.out_of_office_titles", i), "bad glob %q: %v (expected a title or a glob such as \"OOO *\")", t, err)
	}
	for i, h := range cl.TitleHints {
		d.check(checkHint(h) != "", index("classification.title_hints", i), "%s", checkHint(h))
	}
	clear(names)
	for i, r := range c.Policies {
		p := index("policies", i)
		if !d.Has(p) || d.bad[p] {
			continue // a default rule, or not a mapping
		}
		d.check(!d.Has(p+".name"), p+".name", "missing (expected a unique rule name such as direct)")
		d.check(r.Name != "" && names[r.Name] > 0, p+".name", "duplicate rule name %q (first at line %d)", r.Name, names[r.Name])
		if r.Name != "" {
			names[r.Name] = cmp.Or(names[r.Name], d.Line(p+".name"))
		}
		d.check(!d.Has(p+".every"), p+".every", "missing (expected the interval between 1:1s, a duration such as 14d)")
		d.check(cl.MaxDuration > 0 && r.MinDuration > cl.MaxDuration, p+".min_duration", "%s is longer than classification.max_duration %s (expected at most that: no 1:1 could last long enough)", fmtDuration(r.MinDuration), fmtDuration(cl.MaxDuration))
		for j, pair := range r.Match.Pairs {
			pp := index(p+".match.pairs", j)
			d.check(!isEmail(normEmail(pair[0])), pp+"[0]", "%q is not an email address (expected a pair of emails)", pair[0])
			d.check(!isEmail(normEmail(pair[1])), pp+"[1]", "%q is not an email address (expected a pair of emails)", pair[1])
			d.check(normEmail(pair[0]) == normEmail(pair[1]), pp, "%q twice (expected two different people)", pair[0])
		}
	}
	for _, check := range d.later {
		check()
	}
}

func isHostPort(s string) bool { _, _, err := net.SplitHostPort(s); return err == nil }

// normEmail is how emails are compared: trimmed, lower-case, without
// "mailto:" (case-insensitive).
func normEmail(s string) string {
	s = strings.TrimSpace(s)
	if len(s) >= 7 && strings.EqualFold(s[:7], "mailto:") {
		s = s[7:]
	}
	return strings.ToLower(s)
}

// isEmail accepts a bare address (local@domain), not "Name <addr>".
func isEmail(s string) bool {
	a, err := mail.ParseAddress(s)
	at := strings.LastIndexByte(s, '@')
	return !strings.ContainsAny(s, " \t<>,;\"") && err == nil && a.Address == s && at > 0 && at < len(s)-1
}

// checkURL returns what is wrong with a feed URL, or "". It never repeats
// the URL: feed URLs often carry a secret token.
func checkURL(raw string) string {
	u, err := url.Parse(raw)
	switch {
	case err != nil:
		return "not a valid URL (expected an http or https URL)"
	case u.Scheme == "":
		return "no scheme (expected an http or https URL)"
	case strings.EqualFold(u.Scheme, "webcal") || strings.EqualFold(u.Scheme, "webcals"):
		return fmt.Sprintf("scheme %q is not supported (expected http or https: write the same address with https://)", u.Scheme)
	case !strings.EqualFold(u.Scheme, "http") && !strings.EqualFold(u.Scheme, "https"):
		return fmt.Sprintf("scheme %q is not supported (expected http or https; for a local file use path)", u.Scheme)
	case u.Host == "":
		return "no host (expected an http or https URL such as https://calendar.example.com/ana.ics)"
	}
	return ""
}

// checkHint accepts the placeholders {a} and {b}, each at most once.
func checkHint(h string) string {
	seen := map[string]bool{}
	for _, ph := range placeholder.FindAllString(h, -1) {
		switch {
		case !strings.HasSuffix(ph, "}"):
			return fmt.Sprintf("%q has an unclosed '{' (expected placeholders {a} and {b})", h)
		case ph != "{a}" && ph != "{b}":
			return fmt.Sprintf("%q has unknown placeholder %s (expected {a} and {b})", h, ph)
		case seen[ph]:
			return fmt.Sprintf("%q uses %s twice (expected {a} and {b} at most once each)", h, ph)
		}
		seen[ph] = true
	}
	return ""
}
