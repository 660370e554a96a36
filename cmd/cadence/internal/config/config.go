// Package config reads cadence's YAML configuration.
//
// Parsing is strict: an unknown or misspelt key, a value of the wrong type, a
// bad duration or an impossible setting is an error naming the file, the line
// and the key path, and every problem of a file is reported at once, one per
// line:
//
//	config: cadence.yaml:12: unknown key "polcies" at top level (did you mean "policies"?)
//	config: cadence.yaml:20: policies[1].grace: must not be negative, got -1d (expected a duration >= 0)
//
// The stages are separate: decode (YAML node tree to Config, recording the
// line of every key present), setDefaults (the only place defaults are
// filled in), validate (the only place values are checked), then relative
// paths are resolved against the config file's directory. Check goes further
// for `cadence check-config`: it reads the directory file too.
//
// config.example.yaml at the repository root documents every key.
package config

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	// Zones must load on machines without a zoneinfo database.
	_ "time/tzdata"

	"github.com/cadence-dev/cadence/cadence"
	"github.com/cadence-dev/cadence/calendar"
)

// Config is a parsed, defaulted and validated configuration.
//
// Later sections (google:, serve:, digest:) will be added as fields here and
// as entries of the top-level schema in decode.go.
type Config struct {
	// Timezone is used for floating times and all-day events of sources
	// that set none. Default UTC.
	Timezone       *time.Location
	Directory      Directory
	Sources        Sources
	Classification Classification
	// Window is the look-back window for counts and status. Default 90d.
	Window time.Duration
	// Policies are the ordered rules; cadence.DefaultRules() when the
	// policies key is absent.
	Policies []cadence.Rule
	// Google configures Google Calendar as a source (off when absent).
	Google Google
	// Microsoft configures Microsoft 365 through Microsoft Graph as a
	// source (off when absent).
	Microsoft Microsoft
	// Serve configures the daemon (`cadence serve`).
	Serve Serve
	// Metrics configures the Prometheus series built from the snapshot.
	Metrics Metrics
	// Digest configures the weekly digest email (digest.go).
	Digest Digest
	// EvaluateAt, when not zero, is the instant every evaluation is made
	// at instead of the current time (a recorded organisation such as the
	// example org, which would otherwise fade as the calendar moves on).
	// --at overrides it; it cannot be set with digest.enabled.
	EvaluateAt time.Time
	// File is the configuration file name as given to Load or Parse.
	File string

	// lines maps the key path of every key present in the file
	// ("policies[1].every") to the line of its value.
	lines map[string]int
}

// Directory names the org chart file: exactly one of CSV or YAML is set, as
// an absolute path (resolved against the config file's directory).
type Directory struct {
	CSV  string
	YAML string
}

// Sources are the calendar sources.
type Sources struct {
	HTTP   HTTP
	Limits Limits
	ICS    []ICS
}

// Limits bound the work one calendar may cost (every kind of source);
// defaults from calendar.Limits and the engine.
type Limits struct {
	SeriesOccurrences     int64
	FeedOccurrences       int64
	EvaluationOccurrences int64
	ZoneTransitions       int64
	ParseTime             time.Duration
}

// HTTP configures how URL feeds are fetched.
type HTTP struct {
	Timeout  time.Duration // whole request, per feed; default 30s
	MaxBytes int64         // a larger feed is an error; default 20 MiB
	// RedirectHosts are the hosts a feed may be redirected to besides its
	// own: host names, "*.example.com" for every subdomain. Default none.
	RedirectHosts []string
}

// ICS is one ICS feed: exactly one of Path (absolute) or URL is set.
type ICS struct {
	Name  string
	Owner string         // lower-case email of the calendar's owner
	Path  string         // absolute path of a local file
	URL   string         // http(s) URL
	Zone  *time.Location // floating times and all-day dates; default Config.Timezone
	Line  int            // line of the source in the config file
}

// Serve configures the daemon.
type Serve struct {
	ListenAddress string // default ":9816"
	// WebConfigFile is an exporter-toolkit web configuration (TLS, basic
	// auth); "" serves plain HTTP. Absolute after Parse.
	WebConfigFile string
	// StatePath is the SQLite state file (sync state, feed data, occurrence
	// history). Default "cadence.db" beside the config file.
	StatePath string
	// SyncEvery is how often each source is read (±10% jitter). Default 15m.
	SyncEvery time.Duration
	// EvaluateEvery bounds the time between evaluations when nothing
	// changes (statuses change as time passes). Default 5m.
	EvaluateEvery time.Duration
	// FirstEvaluationTimeout bounds how long the first evaluation waits for
	// every source to be read once. Default 2m.
	FirstEvaluationTimeout time.Duration
	// ShutdownTimeout bounds the graceful drain. Default 30s.
	ShutdownTimeout time.Duration
	// ReadHeaderTimeout bounds reading a request's headers; ReadTimeout
	// the whole request; WriteTimeout the response (/metrics, the page);
	// IdleTimeout how long a keep-alive connection may wait for its next
	// request. Defaults 10s, 60s, 60s, 2m. Read at start.
	ReadHeaderTimeout time.Duration
	ReadTimeout       time.Duration
	WriteTimeout      time.Duration
	IdleTimeout       time.Duration
	// MaxConnections bounds the simultaneous HTTP connections; more wait
	// to be accepted. Default 512. Read at start.
	MaxConnections int
	// EnableReload serves POST and PUT /-/reload (to same-origin and
	// non-browser requests only); false answers 403 and leaves SIGHUP, as
	// Prometheus's --web.enable-lifecycle. Default false.
	EnableReload bool
	// Page is where the org-health page and /api/v1/report are served.
	Page Page
}

// Page configures the org-health page (/, /manager/...), the JSON report
// (/api/v1/report) and the digest's unsubscribe link: they name people,
// so they are served beside /metrics only when metrics name people too.
// Read at start.
type Page struct {
	// Enabled serves them. Default true, except with metrics.identity id
	// or hash and no ListenAddress: whoever may scrape hashed metrics is
	// not shown the names behind them.
	Enabled bool
	// ListenAddress, when set, serves them on a listener of their own
	// (and not beside /metrics). Default "": on serve.listen_address.
	ListenAddress string
	// WebConfigFile is that listener's exporter-toolkit web configuration
	// (TLS, basic auth). Default serve.web_config_file. Absolute after
	// Parse.
	WebConfigFile string
}

// Metrics configures the domain series.
type Metrics struct {
	// PerPair exports the cadence_pair_* series. Default true.
	PerPair bool
	// Identity is how people appear in labels: "email" (default), "id"
	// (directory id) or "hash" (salted SHA-256).
	Identity string
	// HashSaltFile holds the salt for Identity "hash" (never the YAML).
	HashSaltFile string
}

// Classification drives what counts as a 1:1.
type Classification struct {
	// IgnoredAttendees are globs (path.Match syntax) of addresses that are
	// never participants (note-taker bots). Default empty.
	IgnoredAttendees []string
	// OOOTitles are out-of-office title patterns (whole title,
	// case-insensitive, globs allowed). Default DefaultOOOTitles().
	OOOTitles []string
	// TitleHints are title patterns ({a}, {b} name the two people) that make
	// an event with a single listed participant a 1:1. Default empty.
	TitleHints []string
	// MaxDuration is the longest a 1:1 may last (inclusive). Default 120m.
	MaxDuration time.Duration
	// SkipLevels: 2 = manager's manager only; 3+ also deeper levels.
	// Default 2.
	SkipLevels int
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
	cfg := &Config{File: file, lines: d.lines}
	d.config(root, cfg)
	setDefaults(cfg)
	validate(d, cfg)
	if err := d.err(); err != nil {
		return nil, err
	}
	normalize(cfg)
	resolvePaths(cfg, baseDir(file))
	return cfg, nil
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
		out = append(out, calendar.ICSSource{
			Name:  s.Name,
			Owner: s.Owner,
			Path:  s.Path,
			URL:   s.URL,
			Zone:  s.Zone,
		})
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

// normalize lower-cases emails (and strips "mailto:") once they are valid.
func normalize(cfg *Config) {
	for i := range cfg.Sources.ICS {
		cfg.Sources.ICS[i].Owner = normEmail(cfg.Sources.ICS[i].Owner)
	}
	for i := range cfg.Policies {
		for j, p := range cfg.Policies[i].Match.Pairs {
			cfg.Policies[i].Match.Pairs[j] = [2]string{normEmail(p[0]), normEmail(p[1])}
		}
	}
}

// resolvePaths makes the directory and ICS file paths absolute.
func resolvePaths(cfg *Config, dir string) {
	abs := func(p string) string {
		if p == "" || filepath.IsAbs(p) {
			return p
		}
		return filepath.Join(dir, p)
	}
	cfg.Directory.CSV = abs(cfg.Directory.CSV)
	cfg.Directory.YAML = abs(cfg.Directory.YAML)
	for i := range cfg.Sources.ICS {
		cfg.Sources.ICS[i].Path = abs(cfg.Sources.ICS[i].Path)
	}
	cfg.Google.ServiceAccountKeyFile = abs(cfg.Google.ServiceAccountKeyFile)
	cfg.Google.OAuthClientFile = abs(cfg.Google.OAuthClientFile)
	cfg.Google.TokenFile = abs(cfg.Google.TokenFile)
	cfg.Microsoft.ClientSecretFile = abs(cfg.Microsoft.ClientSecretFile)
	cfg.Microsoft.CertificateFile = abs(cfg.Microsoft.CertificateFile)
	cfg.Microsoft.CertificateKeyFile = abs(cfg.Microsoft.CertificateKeyFile)
	cfg.Serve.WebConfigFile = abs(cfg.Serve.WebConfigFile)
	cfg.Serve.Page.WebConfigFile = abs(cfg.Serve.Page.WebConfigFile)
	cfg.Serve.StatePath = abs(cfg.Serve.StatePath)
	cfg.Metrics.HashSaltFile = abs(cfg.Metrics.HashSaltFile)
	normalizeDigest(cfg, abs)
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
