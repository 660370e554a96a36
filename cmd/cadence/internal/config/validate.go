package config

import (
	"fmt"
	"net"
	"net/mail"
	"net/url"
	"path"
	"regexp"
	"strings"
	"time"

	"github.com/cadence-dev/cadence/cadence"
)

var (
	sourceName = regexp.MustCompile(`^[a-zA-Z0-9._-]+$`)
	// redirectHost is a host name, an IPv4 address, or "*." and a name.
	redirectHost = regexp.MustCompile(`^(\*\.)?[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?(\.[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?)*\.?$`)
)

// validate checks a decoded, defaulted configuration across keys, then
// adds the problems of the tags' checks on single values, and records each
// problem with the line of the key it concerns (or of the closest enclosing
// key when the key is absent). A key with a problem already (a bad value)
// gets no second one.
func validate(d *decoder, c *Config) {
	if d.bad["top level"] || d.aborted {
		return // not a mapping, or an alias bomb: nothing else to say
	}
	switch {
	case c.Directory.CSV == "" && c.Directory.YAML == "":
		if !d.bad["directory.csv"] && !d.bad["directory.yaml"] && !c.Google.Directory.Enabled && !c.Microsoft.Directory.Enabled {
			d.at("directory", "missing (expected exactly one of directory.csv or directory.yaml: the org chart file)")
		}
	case c.Directory.CSV != "" && c.Directory.YAML != "":
		d.at("directory.yaml", "both csv (line %d) and yaml are set (expected exactly one of directory.csv or directory.yaml)", d.line("directory.csv"))
	}
	validateGoogle(d, &c.Google)
	validateMicrosoft(d, c)
	if !c.EvaluateAt.IsZero() && c.Digest.Enabled {
		d.at("evaluate_at", "set, but digest.enabled is true (a daemon that sends the weekly digest evaluates at the current time; evaluate_at is for recorded calendars such as the example org)")
	}
	if _, _, err := net.SplitHostPort(c.Serve.ListenAddress); err != nil {
		d.at("serve.listen_address", "%q is not host:port (expected e.g. :9816 or 127.0.0.1:9816)", c.Serve.ListenAddress)
	}
	if pa := c.Serve.Page.ListenAddress; pa != "" {
		if _, _, err := net.SplitHostPort(pa); err != nil {
			d.at("serve.page.listen_address", "%q is not host:port (expected e.g. 127.0.0.1:9817)", pa)
		} else if pa == c.Serve.ListenAddress {
			d.at("serve.page.listen_address", "%q is serve.listen_address (expected another address, or none to serve the page beside /metrics)", pa)
		}
	}
	if d.has("serve.page.web_config_file") && c.Serve.Page.ListenAddress == "" {
		d.at("serve.page.web_config_file", "set, but serve.page.listen_address is not (the page beside /metrics uses serve.web_config_file)")
	}
	switch m := c.Metrics; {
	case m.Identity == "hash" && m.HashSaltFile == "":
		d.at("metrics.identity", "hash needs metrics.hash_salt_file (a file holding the salt; never put the salt in the YAML)")
	case (m.Identity == "email" || m.Identity == "id") && m.HashSaltFile != "":
		d.at("metrics.hash_salt_file", "set, but metrics.identity is %q (the salt is used only with identity: hash)", m.Identity)
	}
	validateDigest(d, &c.Digest)
	for i, h := range c.Sources.HTTP.RedirectHosts {
		if !redirectHost.MatchString(h) {
			d.at(index("sources.http.redirect_hosts", i), "%s is not a host name (expected a name such as calendar.example.com or *.example.com: no scheme, port or path)", quote(h))
		}
	}
	validateSources(d, c.Sources.ICS)
	cl := c.Classification
	for i, g := range cl.IgnoredAttendees {
		if _, err := path.Match(strings.ToLower(g), ""); err != nil {
			d.at(index("classification.ignored_attendees", i), "bad glob %q: %v (expected path.Match syntax such as *@otter.ai)", g, err)
		}
	}
	for i, t := range cl.OOOTitles {
		if _, err := path.Match(strings.ToLower(t), ""); err != nil && strings.ContainsAny(t, "*?[") {
			d.at(index("classification.out_of_office_titles", i), "bad glob %q: %v (expected a title or a glob such as \"OOO *\")", t, err)
		}
	}
	for i, h := range cl.TitleHints {
		if msg := checkHint(h); msg != "" {
			d.at(index("classification.title_hints", i), "%s", msg)
		}
	}
	names := map[string]int{}
	for i, r := range c.Policies {
		if p := index("policies", i); d.has(p) && !d.bad[p] { // not a default rule, and a mapping
			validateRule(d, c, r, p, names)
		}
	}
	for _, p := range d.later {
		d.add(p)
	}
}

func validateSources(d *decoder, ics []ICS) {
	names := map[string]int{}
	for i, s := range ics {
		p := index("sources.ics", i)
		if d.bad[p] {
			continue // not a mapping
		}
		switch {
		case s.Name == "":
			d.at(p+".name", "missing (expected a unique name of letters, digits, '.', '_' or '-')")
		case !sourceName.MatchString(s.Name):
			d.at(p+".name", "%s has characters other than letters, digits, '.', '_' and '-'", quote(s.Name))
		case names[s.Name] > 0:
			d.at(p+".name", "duplicate source name %q (first at line %d)", s.Name, names[s.Name])
		default:
			names[s.Name] = d.line(p + ".name")
		}
		switch {
		case s.Owner == "":
			d.at(p+".owner", "missing (expected the email of the calendar's owner)")
		case !isEmail(normEmail(s.Owner)):
			d.at(p+".owner", "%s is not an email address (expected the email of the calendar's owner)", quote(s.Owner))
		}
		switch {
		case s.Path != "" && s.URL != "":
			d.at(p+".url", "both path (line %d) and url are set (expected exactly one)", d.line(p+".path"))
		case s.Path == "" && s.URL == "":
			if !d.bad[p+".path"] && !d.bad[p+".url"] {
				d.at(p, "neither path nor url is set (expected exactly one)")
			}
		case s.URL != "":
			if msg := checkURL(s.URL); msg != "" {
				d.at(p+".url", "%s", msg)
			}
		}
	}
}

func validateRule(d *decoder, c *Config, r cadence.Rule, p string, names map[string]int) {
	switch {
	case r.Name == "" && !d.has(p+".name"):
		d.at(p+".name", "missing (expected a unique rule name such as direct)")
	case r.Name == "":
	case names[r.Name] > 0:
		d.at(p+".name", "duplicate rule name %q (first at line %d)", r.Name, names[r.Name])
	default:
		names[r.Name] = d.line(p + ".name")
	}
	if !d.has(p + ".every") {
		d.at(p+".every", "missing (expected the interval between 1:1s, a duration such as 14d)")
	}
	if max := c.Classification.MaxDuration; max > 0 && r.MinDuration > max {
		d.at(p+".min_duration", "%s is longer than classification.max_duration %s (expected at most that: no 1:1 could last long enough)",
			fmtDuration(r.MinDuration), fmtDuration(max))
	}
	for i, pair := range r.Match.Pairs {
		pp := index(p+".match.pairs", i)
		for j, e := range pair {
			if !isEmail(normEmail(e)) {
				d.at(index(pp, j), "%q is not an email address (expected a pair of emails)", e)
			}
		}
		if normEmail(pair[0]) == normEmail(pair[1]) {
			d.at(pp, "%q twice (expected two different people)", pair[0])
		}
	}
}

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
	if s == "" || strings.ContainsAny(s, " \t<>,;\"") {
		return false
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s {
		return false
	}
	at := strings.LastIndexByte(s, '@')
	return at > 0 && at < len(s)-1
}

// checkURL returns what is wrong with a feed URL, or "". It never repeats
// the URL: feed URLs often carry a secret token.
func checkURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "not a valid URL (expected an http or https URL)"
	}
	switch strings.ToLower(u.Scheme) {
	case "http", "https":
	case "":
		return "no scheme (expected an http or https URL)"
	case "webcal", "webcals":
		return fmt.Sprintf("scheme %q is not supported (expected http or https: write the same address with https://)", u.Scheme)
	default:
		return fmt.Sprintf("scheme %q is not supported (expected http or https; for a local file use path)", u.Scheme)
	}
	if u.Host == "" {
		return "no host (expected an http or https URL such as https://calendar.example.com/ana.ics)"
	}
	return ""
}

// checkHint accepts the placeholders {a} and {b}, each at most once.
func checkHint(h string) string {
	seen := map[string]bool{}
	for rest := h; ; {
		i := strings.IndexByte(rest, '{')
		if i < 0 {
			return ""
		}
		j := strings.IndexByte(rest[i:], '}')
		if j < 0 {
			return fmt.Sprintf("%q has an unclosed '{' (expected placeholders {a} and {b})", h)
		}
		switch ph := rest[i : i+j+1]; {
		case ph != "{a}" && ph != "{b}":
			return fmt.Sprintf("%q has unknown placeholder %s (expected {a} and {b})", h, ph)
		case seen[ph]:
			return fmt.Sprintf("%q uses %s twice (expected {a} and {b} at most once each)", h, ph)
		default:
			seen[ph] = true
		}
		rest = rest[i+j+1:]
	}
}

// fmtDuration prints d the way the configuration writes it: whole days as
// "7d", otherwise Go syntax.
func fmtDuration(d time.Duration) string {
	const day = 24 * time.Hour
	if d != 0 && d%day == 0 {
		return fmt.Sprintf("%dd", d/day)
	}
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = s[:len(s)-2]
	}
	if strings.HasSuffix(s, "h0m") {
		s = s[:len(s)-2]
	}
	return s
}
