// Package config reads cadence's YAML configuration.
//
// Parsing is strict: an unknown or misspelt key, a value of the wrong type, a
// bad duration or an impossible setting is an error naming the file, the line
// and the key path, and every problem of a file is reported at once, one per
// line:
//
//	config: cadence.yaml:12: unknown key "polcies" at top level (did you mean "policies"?)
//	config: cadence.yaml:20: policies[1].grace: -1d is negative (expected a duration >= 0 such as 3d)
//
// Each key is written once, as a field of the structs below: its tag names
// the key (yaml), what its value should look like (hint, one per level of a
// list, "|"-separated), and the checks of its value alone (check: a range
// and the message when outside it; oneof: the allowed words; nonempty: the
// message for an empty list). The stages are separate: decode (decode.go:
// the YAML node tree onto DefaultConfig, recording the line of every key
// present), derive (defaults.go: defaults that depend on other keys),
// validate (validate.go: checks across keys, then the tags' checks), then
// relative paths are resolved against the config file's directory. Check
// goes further for `cadence check-config`: it reads the directory file too.
//
// config.example.yaml at the repository root documents every key.
package config

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"time"

	// Zones must load on machines without a zoneinfo database.
	_ "time/tzdata"

	"github.com/cadence-dev/cadence/cadence"
	"github.com/cadence-dev/cadence/calendar"
)

// Config is a parsed, defaulted and validated configuration. The order of
// the fields is the order keys are listed in messages.
type Config struct {
	// Timezone is used for floating times and all-day events of sources
	// that set none.
	Timezone       *time.Location `yaml:"timezone"`
	Directory      Directory      `yaml:"directory"`
	Sources        Sources        `yaml:"sources"`
	Classification Classification `yaml:"classification"`
	// Window is the look-back window for counts and status.
	Window time.Duration `yaml:"window" hint:"a duration such as 90d" check:"1.. %v is not positive (expected a duration > 0 such as 90d)"`
	// EvaluateAt, when not zero, is the instant every evaluation is made
	// at instead of the current time (a recorded organisation such as the
	// example org, which would otherwise fade as the calendar moves on).
	// --at overrides it; it cannot be set with digest.enabled.
	EvaluateAt time.Time `yaml:"evaluate_at" hint:"an RFC 3339 time such as 2026-11-23T09:00:00Z"`
	// Google and Microsoft configure Google Calendar and Microsoft 365 as
	// sources (off when absent).
	Google    Google    `yaml:"google"`
	Microsoft Microsoft `yaml:"microsoft"`
	// Serve configures the daemon (`cadence serve`).
	Serve Serve `yaml:"serve"`
	// Digest configures the weekly digest email.
	Digest Digest `yaml:"digest"`
	// Metrics configures the Prometheus series built from the snapshot.
	Metrics Metrics `yaml:"metrics"`
	// Policies are the ordered rules; cadence.DefaultRules() when the
	// policies key is absent.
	Policies []cadence.Rule `yaml:"policies" hint:"a list of rules" nonempty:"no rules (expected at least one rule; remove the key to use the default rules)"`
	// File is the configuration file name as given to Load or Parse.
	File string

	// lines maps the key path of every key present in the file
	// ("policies[1].every") to the line of its value.
	lines map[string]int
}

// Directory names the org chart file: exactly one of CSV or YAML is set, as
// an absolute path (resolved against the config file's directory).
type Directory struct {
	CSV  string `yaml:"csv" hint:"a file path"`
	YAML string `yaml:"yaml" hint:"a file path"`
}

// Sources are the calendar sources.
type Sources struct {
	HTTP   HTTP   `yaml:"http"`
	Limits Limits `yaml:"limits"`
	ICS    []ICS  `yaml:"ics" hint:"a list of feeds|a feed with name, owner, and path or url"`
}

// Limits bound the work one calendar may cost (every kind of source).
type Limits struct {
	SeriesOccurrences     int64         `yaml:"series_occurrences" hint:"a count such as 10000" check:"1..2147483647 %v is out of range (expected a count from 1 to 2147483647 such as 10000)"`
	FeedOccurrences       int64         `yaml:"feed_occurrences" hint:"a count such as 100000" check:"1..2147483647 %v is out of range (expected a count from 1 to 2147483647 such as 100000)"`
	EvaluationOccurrences int64         `yaml:"evaluation_occurrences" hint:"a count such as 5000000" check:"1..2147483647 %v is out of range (expected a count from 1 to 2147483647 such as 5000000)"`
	ZoneTransitions       int64         `yaml:"zone_transitions" hint:"a count such as 50000" check:"1..2147483647 %v is out of range (expected a count from 1 to 2147483647 such as 50000)"`
	ParseTime             time.Duration `yaml:"parse_time" hint:"a duration such as 10s" check:"1.. %v is not positive (expected a duration > 0 such as 10s)"`
}

// HTTP configures how URL feeds are fetched.
type HTTP struct {
	Timeout  time.Duration `yaml:"timeout" hint:"a duration such as 30s" check:"1.. %v is not positive (expected a duration > 0 such as 30s)"` // whole request, per feed
	MaxBytes int64         `yaml:"max_bytes" hint:"a number of bytes such as 20971520" check:"1.. %v is not positive (expected a number of bytes > 0 such as 20971520)"`
	// RedirectHosts are the hosts a feed may be redirected to besides its
	// own: host names, "*.example.com" for every subdomain.
	RedirectHosts []string `yaml:"redirect_hosts" hint:"a list of host names|a host name such as calendar.example.com"`
}

// ICS is one ICS feed: exactly one of Path (absolute) or URL is set.
type ICS struct {
	Name  string         `yaml:"name" hint:"a name such as ana"`
	Owner string         `yaml:"owner" hint:"an email"` // lower-case email of the calendar's owner
	Path  string         `yaml:"path" hint:"a file path"`
	URL   string         `yaml:"url" hint:"an http(s) URL"`
	Zone  *time.Location `yaml:"timezone"` // floating times and all-day dates; default Config.Timezone
	Line  int            // line of the source in the config file
}

// Serve configures the daemon.
type Serve struct {
	ListenAddress string `yaml:"listen_address" hint:"a host:port such as :9816"`
	// WebConfigFile is an exporter-toolkit web configuration (TLS, basic
	// auth); "" serves plain HTTP. Absolute after Parse.
	WebConfigFile string `yaml:"web_config_file" hint:"a file path"`
	// StatePath is the SQLite state file (sync state, feed data, occurrence
	// history), beside the config file unless absolute.
	StatePath string `yaml:"state_path" hint:"a file path"`
	// SyncEvery is how often each source is read (±10% jitter).
	SyncEvery time.Duration `yaml:"sync_every" hint:"a duration such as 15m" check:"1.. %v is not positive (expected a duration > 0)"`
	// EvaluateEvery bounds the time between evaluations when nothing
	// changes (statuses change as time passes).
	EvaluateEvery time.Duration `yaml:"evaluate_every" hint:"a duration such as 5m" check:"1.. %v is not positive (expected a duration > 0)"`
	// FirstEvaluationTimeout bounds how long the first evaluation waits for
	// every source to be read once.
	FirstEvaluationTimeout time.Duration `yaml:"first_evaluation_timeout" hint:"a duration such as 2m" check:"1.. %v is not positive (expected a duration > 0)"`
	// ShutdownTimeout bounds the graceful drain.
	ShutdownTimeout time.Duration `yaml:"shutdown_timeout" hint:"a duration such as 30s" check:"1.. %v is not positive (expected a duration > 0)"`
	// ReadHeaderTimeout bounds reading a request's headers; ReadTimeout
	// the whole request; WriteTimeout the response (/metrics, the page);
	// IdleTimeout how long a keep-alive connection may wait for its next
	// request. Read at start.
	ReadHeaderTimeout time.Duration `yaml:"read_header_timeout" hint:"a duration such as 10s" check:"1.. %v is not positive (expected a duration > 0)"`
	ReadTimeout       time.Duration `yaml:"read_timeout" hint:"a duration such as 60s" check:"1.. %v is not positive (expected a duration > 0)"`
	WriteTimeout      time.Duration `yaml:"write_timeout" hint:"a duration such as 60s" check:"1.. %v is not positive (expected a duration > 0)"`
	IdleTimeout       time.Duration `yaml:"idle_timeout" hint:"a duration such as 2m" check:"1.. %v is not positive (expected a duration > 0)"`
	// MaxConnections bounds the simultaneous HTTP connections; more wait
	// to be accepted. Read at start.
	MaxConnections int `yaml:"max_connections" hint:"an integer >= 1 such as 512" check:"1.. %v is not positive (expected an integer >= 1 such as 512)"`
	// EnableReload serves POST and PUT /-/reload (to same-origin and
	// non-browser requests only); false answers 403 and leaves SIGHUP, as
	// Prometheus's --web.enable-lifecycle.
	EnableReload bool `yaml:"enable_reload"`
	// Page is where the org-health page and /api/v1/report are served.
	Page Page `yaml:"page"`
}

// Page configures the org-health page (/, /manager/...), the JSON report
// (/api/v1/report) and the digest's unsubscribe link: they name people,
// so they are served beside /metrics only when metrics name people too.
// Read at start.
type Page struct {
	// Enabled serves them. Default true, except with metrics.identity id
	// or hash and no ListenAddress: whoever may scrape hashed metrics is
	// not shown the names behind them.
	Enabled bool `yaml:"enabled"`
	// ListenAddress, when set, serves them on a listener of their own
	// (and not beside /metrics); "" serves them on serve.listen_address.
	ListenAddress string `yaml:"listen_address" hint:"a host:port such as 127.0.0.1:9817"`
	// WebConfigFile is that listener's exporter-toolkit web configuration
	// (TLS, basic auth). Default serve.web_config_file. Absolute after
	// Parse.
	WebConfigFile string `yaml:"web_config_file" hint:"a file path"`
}

// Metrics configures the domain series.
type Metrics struct {
	// PerPair exports the cadence_pair_* series.
	PerPair bool `yaml:"per_pair"`
	// Identity is how people appear in labels: "email", "id" (directory
	// id) or "hash" (salted SHA-256).
	Identity string `yaml:"identity" hint:"email, id or hash" oneof:"email id hash|%q is not an identity mode"`
	// HashSaltFile holds the salt for Identity "hash" (never the YAML).
	HashSaltFile string `yaml:"hash_salt_file" hint:"a file path"`
}

// Classification drives what counts as a 1:1.
type Classification struct {
	// IgnoredAttendees are globs (path.Match syntax) of addresses that are
	// never participants (note-taker bots).
	IgnoredAttendees []string `yaml:"ignored_attendees" hint:"a list of email globs|an email glob such as *@otter.ai"`
	// OOOTitles are out-of-office title patterns (whole title,
	// case-insensitive, globs allowed).
	OOOTitles []string `yaml:"out_of_office_titles" hint:"a list of title patterns|a title pattern such as \"OOO *\""`
	// TitleHints are title patterns ({a}, {b} name the two people) that make
	// an event with a single listed participant a 1:1.
	TitleHints []string `yaml:"title_hints" hint:"a list of title patterns|a title pattern such as \"{a} / {b}\""`
	// MaxDuration is the longest a 1:1 may last (inclusive).
	MaxDuration time.Duration `yaml:"max_duration" hint:"a duration such as 120m" check:"1.. %v is not positive (expected a duration > 0 such as 120m)"`
	// SkipLevels: 2 = manager's manager only; 3+ also deeper levels.
	SkipLevels int `yaml:"skip_levels" hint:"an integer >= 2" check:"2.. %v is less than 2 (expected 2 for the manager's manager, or more)"`
}

// Load reads and parses the configuration file at path. Relative paths in it
// resolve against the file's directory.
func Load(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	return Parse(data, path)
}

// Parse parses configuration data read from file (the name is used in error
// messages and to resolve relative paths). The error, when not nil, lists
// every problem found, one per line, each a *Problem.
func Parse(data []byte, file string) (*Config, error) {
	root, err := parseYAML(data, file)
	if err != nil {
		return nil, err
	}
	d := &decoder{file: file, lines: map[string]int{}, bad: map[string]bool{}}
	cfg := DefaultConfig()
	cfg.File, cfg.lines = file, d.lines
	if root != nil {
		d.lines[""] = root.Line
	}
	d.limit = 4*d.size(root) + 1000
	d.value(root, reflect.ValueOf(&cfg).Elem(), "", "", nil)
	cfg.derive()
	validate(d, &cfg)
	if err := d.err(); err != nil {
		return nil, err
	}
	cfg.normalize()
	return &cfg, nil
}

// Options returns the evaluation options the configuration describes.
func (c *Config) Options() cadence.Options {
	return cadence.Options{
		Rules:            cloneRules(c.Policies),
		Window:           c.Window,
		MaxDuration:      c.Classification.MaxDuration,
		SkipLevels:       c.Classification.SkipLevels,
		IgnoredAttendees: append([]string(nil), c.Classification.IgnoredAttendees...),
		OOOPatterns:      append([]string(nil), c.Classification.OOOTitles...),
		TitleHints:       append([]string(nil), c.Classification.TitleHints...),
	}
}

// ICSSources returns the ICS feeds to fetch, in configuration order.
func (c *Config) ICSSources() []calendar.ICSSource {
	out := make([]calendar.ICSSource, 0, len(c.Sources.ICS))
	for _, s := range c.Sources.ICS {
		out = append(out, calendar.ICSSource{Name: s.Name, Owner: s.Owner, Path: s.Path, URL: s.URL, Zone: s.Zone})
	}
	return out
}

// Has reports whether the key at path ("sources.ics[2].timezone") is
// written in the configuration file (not defaulted).
func (c *Config) Has(path string) bool {
	_, ok := c.lines[path]
	return ok
}

// Line returns the line of the value of the key at path ("policies[1].every",
// "sources.ics[0]") in the configuration file, or of its closest enclosing
// key present in the file; 0 when none is. Commands use it to point at the
// configuration when a value fails later (a feed that cannot be read).
func (c *Config) Line(path string) int {
	return lineOf(c.lines, path)
}

func cloneRules(rules []cadence.Rule) []cadence.Rule {
	out := make([]cadence.Rule, len(rules))
	for i, r := range rules {
		r.Match.Kinds = append([]cadence.Kind(nil), r.Match.Kinds...)
		r.Match.Pairs = append([][2]string(nil), r.Match.Pairs...)
		out[i] = r
	}
	return out
}

// baseDir is the absolute directory of file, against which relative paths
// resolve.
func baseDir(file string) string {
	dir := filepath.Dir(file)
	if abs, err := filepath.Abs(dir); err == nil {
		return abs
	}
	return dir
}

// normalize lower-cases emails (and strips "mailto:") once they are valid,
// and makes file paths absolute against the config file's directory.
func (c *Config) normalize() {
	for _, list := range [][]string{c.Digest.Recipients, c.Digest.OptOut} {
		for i, e := range list {
			list[i] = normEmail(e)
		}
	}
	for i := range c.Sources.ICS {
		c.Sources.ICS[i].Owner = normEmail(c.Sources.ICS[i].Owner)
	}
	for i := range c.Policies {
		for j, p := range c.Policies[i].Match.Pairs {
			c.Policies[i].Match.Pairs[j] = [2]string{normEmail(p[0]), normEmail(p[1])}
		}
	}
	dir := baseDir(c.File)
	for _, p := range []*string{&c.Directory.CSV, &c.Directory.YAML, &c.Google.ServiceAccountKeyFile, &c.Google.OAuthClientFile,
		&c.Google.TokenFile, &c.Microsoft.ClientSecretFile, &c.Microsoft.CertificateFile, &c.Microsoft.CertificateKeyFile,
		&c.Serve.WebConfigFile, &c.Serve.Page.WebConfigFile, &c.Serve.StatePath, &c.Metrics.HashSaltFile, &c.Digest.SMTP.PasswordFile} {
		if *p != "" && !filepath.IsAbs(*p) {
			*p = filepath.Join(dir, *p)
		}
	}
	for i, s := range c.Sources.ICS {
		if s.Path != "" && !filepath.IsAbs(s.Path) {
			c.Sources.ICS[i].Path = filepath.Join(dir, s.Path)
		}
	}
}

// Problem is one thing wrong in a configuration file.
type Problem struct {
	File string
	Line int    // 0 when unknown
	Path string // key path ("sources.ics[2].url"); "" for the file as a whole
	Msg  string
	Err  error // the underlying error, when there is one (Check)
}

// Unwrap returns the underlying error, if any.
func (p *Problem) Unwrap() error { return p.Err }

func (p *Problem) Error() string {
	s := "config: " + p.File
	if p.Line > 0 {
		s += fmt.Sprintf(":%d", p.Line)
	}
	s += ": "
	if p.Path != "" {
		s += p.Path + ": "
	}
	return s + p.Msg
}

// Problems returns the problems an error from Parse, Load or Check lists, in
// file order.
func Problems(err error) []*Problem {
	var out []*Problem
	var walk func(error)
	walk = func(e error) {
		if p, ok := e.(*Problem); ok {
			out = append(out, p)
			return
		}
		if j, ok := e.(interface{ Unwrap() []error }); ok {
			for _, e := range j.Unwrap() {
				walk(e)
			}
			return
		}
		if u := errors.Unwrap(e); u != nil {
			walk(u)
		}
	}
	if err != nil {
		walk(err)
	}
	return out
}
