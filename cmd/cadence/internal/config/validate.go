package config

import (
	"fmt"
	"math"
	"net"
	"net/mail"
	"net/url"
	"path"
	"regexp"
	"strings"
	"time"

	"github.com/cadence-dev/cadence/cadence"
)

var sourceName = regexp.MustCompile(`^[a-zA-Z0-9._-]+$`)

// redirectHost is a host name, an IPv4 address, or "*." and a name.
var redirectHost = regexp.MustCompile(`^(\*\.)?[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?(\.[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?)*\.?$`)

// validate checks every value of a decoded, defaulted configuration and
// records each problem with the line of the key it concerns (or of the
// closest enclosing key when the key is absent). It is the only place values
// are checked; the decoder checks only types and syntax.
func validate(d *decoder, c *Config) {
	if d.bad["top level"] || d.aborted {
		return // not a mapping, or an alias bomb: nothing else to say
	}
	has := func(p string) bool { _, ok := d.lines[p]; return ok }
	at := func(p, format string, args ...any) { d.errorf(d.line(p), p, format, args...) }

	// directory
	switch {
	case c.Directory.CSV == "" && c.Directory.YAML == "":
		if !d.bad["directory.csv"] && !d.bad["directory.yaml"] && !c.Google.Directory.Enabled && !c.Microsoft.Directory.Enabled {
			at("directory", "missing (expected exactly one of directory.csv or directory.yaml: the org chart file)")
		}
	case c.Directory.CSV != "" && c.Directory.YAML != "":
		at("directory.yaml", "both csv (line %d) and yaml are set (expected exactly one of directory.csv or directory.yaml)", d.line("directory.csv"))
	}

	validateGoogle(d, c, at)
	validateMicrosoft(d, c, at)

	if !c.EvaluateAt.IsZero() && c.Digest.Enabled {
		at("evaluate_at", "set, but digest.enabled is true (a daemon that sends the weekly digest evaluates at the current time; evaluate_at is for recorded calendars such as the example org)")
	}

	// serve
	if c.Serve.ListenAddress == "" {
		at("serve.listen_address", "empty (expected a host:port such as :9816)")
	} else if _, _, err := net.SplitHostPort(c.Serve.ListenAddress); err != nil {
		at("serve.listen_address", "%q is not host:port (expected e.g. :9816 or 127.0.0.1:9816)", c.Serve.ListenAddress)
	}
	if c.Serve.StatePath == "" {
		at("serve.state_path", "empty (expected the path of the state file, such as cadence.db)")
	}
	if pa := c.Serve.Page.ListenAddress; pa != "" {
		if _, _, err := net.SplitHostPort(pa); err != nil {
			at("serve.page.listen_address", "%q is not host:port (expected e.g. 127.0.0.1:9817)", pa)
		} else if pa == c.Serve.ListenAddress {
			at("serve.page.listen_address", "%q is serve.listen_address (expected another address, or none to serve the page beside /metrics)", pa)
		}
	}
	if has("serve.page.web_config_file") && c.Serve.Page.ListenAddress == "" {
		at("serve.page.web_config_file", "set, but serve.page.listen_address is not (the page beside /metrics uses serve.web_config_file)")
	}
	for _, k := range []struct {
		key string
		v   time.Duration
	}{{"serve.sync_every", c.Serve.SyncEvery}, {"serve.evaluate_every", c.Serve.EvaluateEvery}, {"serve.first_evaluation_timeout", c.Serve.FirstEvaluationTimeout}, {"serve.shutdown_timeout", c.Serve.ShutdownTimeout},
		{"serve.read_header_timeout", c.Serve.ReadHeaderTimeout}, {"serve.read_timeout", c.Serve.ReadTimeout},
		{"serve.write_timeout", c.Serve.WriteTimeout}, {"serve.idle_timeout", c.Serve.IdleTimeout}} {
		if k.v <= 0 && !d.bad[k.key] {
			at(k.key, "%s is not positive (expected a duration > 0)", fmtDuration(k.v))
		}
	}
	if c.Serve.MaxConnections < 1 && !d.bad["serve.max_connections"] {
		at("serve.max_connections", "%d is not positive (expected an integer >= 1 such as 512)", c.Serve.MaxConnections)
	}
	switch c.Metrics.Identity {
	case "email", "id":
		if c.Metrics.HashSaltFile != "" {
			at("metrics.hash_salt_file", "set, but metrics.identity is %q (the salt is used only with identity: hash)", c.Metrics.Identity)
		}
	case "hash":
		if c.Metrics.HashSaltFile == "" {
			at("metrics.identity", "hash needs metrics.hash_salt_file (a file holding the salt; never put the salt in the YAML)")
		}
	default:
		if !d.bad["metrics.identity"] {
			at("metrics.identity", "%q is not an identity mode (expected email, id or hash)", c.Metrics.Identity)
		}
	}

	validateDigest(d, c)

	// sources
	if c.Sources.HTTP.Timeout <= 0 {
		at("sources.http.timeout", "%s is not positive (expected a duration > 0 such as 30s)", fmtDuration(c.Sources.HTTP.Timeout))
	}
	if c.Sources.HTTP.MaxBytes <= 0 {
		at("sources.http.max_bytes", "%d is not positive (expected a number of bytes > 0 such as 20971520)", c.Sources.HTTP.MaxBytes)
	}
	for i, h := range c.Sources.HTTP.RedirectHosts {
		if !redirectHost.MatchString(h) {
			at(fmt.Sprintf("sources.http.redirect_hosts[%d]", i), "%s is not a host name (expected a name such as calendar.example.com or *.example.com: no scheme, port or path)", quote(h))
		}
	}
	for _, l := range []struct {
		key string
		v   int64
		eg  string
	}{
		{"series_occurrences", c.Sources.Limits.SeriesOccurrences, "10000"},
		{"feed_occurrences", c.Sources.Limits.FeedOccurrences, "100000"},
		{"evaluation_occurrences", c.Sources.Limits.EvaluationOccurrences, "5000000"},
		{"zone_transitions", c.Sources.Limits.ZoneTransitions, "50000"},
	} {
		if l.v <= 0 || l.v > math.MaxInt32 {
			at("sources.limits."+l.key, "%d is out of range (expected a count from 1 to 2147483647 such as %s)", l.v, l.eg)
		}
	}
	if c.Sources.Limits.ParseTime <= 0 {
		at("sources.limits.parse_time", "%s is not positive (expected a duration > 0 such as 10s)", fmtDuration(c.Sources.Limits.ParseTime))
	}
	names := map[string]int{}
	for i, s := range c.Sources.ICS {
		p := fmt.Sprintf("sources.ics[%d]", i)
		switch {
		case s.Name == "":
			if has(p) && !d.bad[p] {
				at(p+".name", "missing (expected a unique name of letters, digits, '.', '_' or '-')")
			}
		case !sourceName.MatchString(s.Name):
			at(p+".name", "%s has characters other than letters, digits, '.', '_' and '-'", quote(s.Name))
		default:
			if first, dup := names[s.Name]; dup {
				at(p+".name", "duplicate source name %q (first at line %d)", s.Name, first)
			} else {
				names[s.Name] = d.line(p + ".name")
			}
		}
		switch {
		case s.Owner == "":
			if has(p) && !d.bad[p] {
				at(p+".owner", "missing (expected the email of the calendar's owner)")
			}
		case !isEmail(normEmail(s.Owner)):
			at(p+".owner", "%s is not an email address (expected the email of the calendar's owner)", quote(s.Owner))
		}
		switch {
		case s.Path != "" && s.URL != "":
			at(p+".url", "both path (line %d) and url are set (expected exactly one)", d.line(p+".path"))
		case s.Path == "" && s.URL == "":
			if has(p) && !d.bad[p] && !d.bad[p+".path"] && !d.bad[p+".url"] {
				at(p, "neither path nor url is set (expected exactly one)")
			}
		case s.URL != "":
			if msg := checkURL(s.URL); msg != "" {
				at(p+".url", "%s", msg)
			}
		}
	}

	// classification
	cl := c.Classification
	for i, g := range cl.IgnoredAttendees {
		if _, err := path.Match(strings.ToLower(g), ""); err != nil {
			at(fmt.Sprintf("classification.ignored_attendees[%d]", i), "bad glob %q: %v (expected path.Match syntax such as *@otter.ai)", g, err)
		}
	}
	for i, t := range cl.OOOTitles {
		if strings.ContainsAny(t, "*?[") {
			if _, err := path.Match(strings.ToLower(t), ""); err != nil {
				at(fmt.Sprintf("classification.out_of_office_titles[%d]", i), "bad glob %q: %v (expected a title or a glob such as \"OOO *\")", t, err)
			}
		}
	}
	for i, h := range cl.TitleHints {
		if msg := checkHint(h); msg != "" {
			at(fmt.Sprintf("classification.title_hints[%d]", i), "%s", msg)
		}
	}
	if cl.MaxDuration <= 0 {
		at("classification.max_duration", "%s is not positive (expected a duration > 0 such as 120m)", fmtDuration(cl.MaxDuration))
	}
	if cl.SkipLevels < 2 {
		at("classification.skip_levels", "%d is less than 2 (expected 2 for the manager's manager, or more)", cl.SkipLevels)
	}

	if c.Window <= 0 {
		at("window", "%s is not positive (expected a duration > 0 such as 90d)", fmtDuration(c.Window))
	}

	// policies
	if has("policies") && len(c.Policies) == 0 && !d.badUnder("policies") {
		at("policies", "no rules (expected at least one rule; remove the key to use the default rules)")
	}
	rules := map[string]int{}
	for i, r := range c.Policies {
		p := fmt.Sprintf("policies[%d]", i)
		if !has(p) {
			continue // a default rule
		}
		validateRule(d, c, r, p, rules)
	}
}

func validateRule(d *decoder, c *Config, r cadence.Rule, p string, names map[string]int) {
	has := func(p string) bool { _, ok := d.lines[p]; return ok }
	at := func(p, format string, args ...any) { d.errorf(d.line(p), p, format, args...) }
	if d.bad[p] {
		return // not a mapping
	}
	switch {
	case r.Name == "":
		if !has(p + ".name") {
			at(p+".name", "missing (expected a unique rule name such as direct)")
		}
	default:
		if first, dup := names[r.Name]; dup {
			at(p+".name", "duplicate rule name %q (first at line %d)", r.Name, first)
		} else {
			names[r.Name] = d.line(p + ".name")
		}
	}
	switch {
	case !has(p + ".every"):
		at(p+".every", "missing (expected the interval between 1:1s, a duration such as 14d)")
	case r.Every <= 0:
		at(p+".every", "%s is not positive (expected a duration > 0 such as 14d)", fmtDuration(r.Every))
	}
	if r.Grace < 0 {
		at(p+".grace", "%s is negative (expected a duration >= 0 such as 3d)", fmtDuration(r.Grace))
	}
	switch {
	case r.MinDuration < 0:
		at(p+".min_duration", "%s is negative (expected a duration >= 0 such as 20m)", fmtDuration(r.MinDuration))
	case c.Classification.MaxDuration > 0 && r.MinDuration > c.Classification.MaxDuration:
		at(p+".min_duration", "%s is longer than classification.max_duration %s (expected at most that: no 1:1 could last long enough)",
			fmtDuration(r.MinDuration), fmtDuration(c.Classification.MaxDuration))
	}
	if r.MaxConsecutiveCancellations < 0 {
		at(p+".max_consecutive_cancellations", "%d is negative (expected an integer >= 0)", r.MaxConsecutiveCancellations)
	}
	m := r.Match
	mp := p + ".match"
	if m.Kinds != nil && len(m.Kinds) == 0 && has(mp+".kind") && !d.badUnder(mp+".kind") {
		at(mp+".kind", "empty list (expected some of direct, skip, peer; remove the key to match every kind)")
	}
	for i, k := range m.Kinds {
		switch k {
		case cadence.KindDirect, cadence.KindSkip, cadence.KindPeer:
		default:
			msg := fmt.Sprintf("unknown kind %q (expected direct, skip or peer)", string(k))
			if s := suggest(string(k), []string{"direct", "skip", "peer"}); s != "" {
				msg = fmt.Sprintf("unknown kind %q (did you mean %q? expected direct, skip or peer)", string(k), s)
			}
			at(fmt.Sprintf("%s.kind[%d]", mp, i), "%s", msg)
		}
	}
	if m.TenureUnder < 0 {
		at(mp+".tenure_under", "%s is negative (expected a duration >= 0 such as 90d)", fmtDuration(m.TenureUnder))
	}
	if m.ReportsOver < 0 {
		at(mp+".reports_over", "%d is negative (expected an integer >= 0)", m.ReportsOver)
	}
	if m.Pairs != nil && len(m.Pairs) == 0 && has(mp+".pairs") && !d.badUnder(mp+".pairs") {
		at(mp+".pairs", "empty list (expected pairs such as [[ana@example.com, bo@example.com]]; remove the key to match every pair)")
	}
	for i, pair := range m.Pairs {
		pp := fmt.Sprintf("%s.pairs[%d]", mp, i)
		for j, e := range pair {
			if !isEmail(normEmail(e)) {
				at(fmt.Sprintf("%s[%d]", pp, j), "%q is not an email address (expected a pair of emails)", e)
			}
		}
		if normEmail(pair[0]) == normEmail(pair[1]) {
			at(pp, "%q twice (expected two different people)", pair[0])
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
			break
		}
		j := strings.IndexByte(rest[i:], '}')
		if j < 0 {
			return fmt.Sprintf("%q has an unclosed '{' (expected placeholders {a} and {b})", h)
		}
		ph := rest[i : i+j+1]
		switch ph {
		case "{a}", "{b}":
			if seen[ph] {
				return fmt.Sprintf("%q uses %s twice (expected {a} and {b} at most once each)", h, ph)
			}
			seen[ph] = true
		default:
			return fmt.Sprintf("%q has unknown placeholder %s (expected {a} and {b})", h, ph)
		}
		rest = rest[i+j+1:]
	}
	return ""
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
