// Package config reads cadence's YAML configuration, strictly: every
// problem of a file (unknown or misspelt key, wrong type, bad value,
// impossible setting) is reported at once, one per line, with its line and
// key path:
//
//	config: cadence.yaml:12: unknown key "polcies" at top level (did you mean "policies"?)
//	config: cadence.yaml:20: policies[1].grace: -1d is negative (expected a duration >= 0 such as 3d)
//
// Each key is one field of the structs below (in the order messages list
// keys). Its tag names it (yaml), says what its value looks like (hint; one
// per level of a list, "|"-separated) and checks the value alone: check (a
// range, then the message), oneof (the words, then the message), nonempty
// and reject (the message). Parse decodes the file onto DefaultConfig,
// derives the defaults that depend on other keys, validates the keys
// against each other then runs the tags' checks, and resolves relative
// paths. config.example.yaml documents every key.
package config

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	// Zones must load on machines without a zoneinfo database.
	_ "time/tzdata"

	"github.com/cadence-dev/cadence/cadence"
	"github.com/cadence-dev/cadence/calendar"
)

// Config is a parsed, defaulted and validated configuration: file paths
// absolute, emails lower-case.
type Config struct {
	Timezone       *time.Location `yaml:"timezone"` // of floating times and all-day events, for sources that set none
	Directory      Directory      `yaml:"directory"`
	Sources        Sources        `yaml:"sources"`
	Classification Classification `yaml:"classification"`
	Window         time.Duration  `yaml:"window" hint:"a duration such as 90d" check:"1.. %v is not positive (expected a duration > 0 such as 90d)"` // look-back, for counts and status
	EvaluateAt     time.Time      `yaml:"evaluate_at" hint:"an RFC 3339 time such as 2026-11-23T09:00:00Z"`                                          // instead of the current time, when not zero (a recorded org)
	Google         Google         `yaml:"google"`
	Microsoft      Microsoft      `yaml:"microsoft"`
	Serve          Serve          `yaml:"serve"`
	Digest         Digest         `yaml:"digest"`
	Metrics        Metrics        `yaml:"metrics"`
	Policies       []cadence.Rule `yaml:"policies" hint:"a list of rules" nonempty:"no rules (expected at least one rule; remove the key to use the default rules)"`
	File           string         // as given to Load or Parse

	lines map[string]int // the key path of every key present ("policies[1].every") -> the line of its value
}

// Directory names the org chart file: exactly one of CSV or YAML is set.
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
	Timeout       time.Duration `yaml:"timeout" hint:"a duration such as 30s" check:"1.. %v is not positive (expected a duration > 0 such as 30s)"` // whole request, per feed
	MaxBytes      int64         `yaml:"max_bytes" hint:"a number of bytes such as 20971520" check:"1.. %v is not positive (expected a number of bytes > 0 such as 20971520)"`
	RedirectHosts []string      `yaml:"redirect_hosts" hint:"a list of host names|a host name such as calendar.example.com"` // besides the feed's own; "*.example.com" for every subdomain
}

// ICS is one ICS feed: exactly one of Path or URL is set.
type ICS struct {
	Name  string         `yaml:"name" hint:"a name such as ana"`
	Owner string         `yaml:"owner" hint:"an email"`
	Path  string         `yaml:"path" hint:"a file path"`
	URL   string         `yaml:"url" hint:"an http(s) URL"`
	Zone  *time.Location `yaml:"timezone"` // default Config.Timezone
	Line  int            // of the source in the config file
}

// Classification drives what counts as a 1:1 (SPEC).
type Classification struct {
	IgnoredAttendees []string      `yaml:"ignored_attendees" hint:"a list of email globs|an email glob such as *@otter.ai"`
	OOOTitles        []string      `yaml:"out_of_office_titles" hint:"a list of title patterns|a title pattern such as \"OOO *\""`
	TitleHints       []string      `yaml:"title_hints" hint:"a list of title patterns|a title pattern such as \"{a} / {b}\""`
	MaxDuration      time.Duration `yaml:"max_duration" hint:"a duration such as 120m" check:"1.. %v is not positive (expected a duration > 0 such as 120m)"` // inclusive
	SkipLevels       int           `yaml:"skip_levels" hint:"an integer >= 2" check:"2.. %v is less than 2 (expected 2 for the manager's manager, or more)"`  // 3+: also deeper levels
}

// Google configures Google Calendar (and optionally the Workspace
// directory) as a source, when the google: section is present.
type Google struct {
	Enabled  bool
	Endpoint string `yaml:"endpoint" hint:"a URL such as http://127.0.0.1:8090"` // "": Google's
	// A service account's key, or one user's OAuth client and token (`cadence
	// auth google`); the environment variables Env* set them when unset.
	ServiceAccountKeyFile string `yaml:"service_account_key_file" hint:"a file path"`
	OAuthClientFile       string `yaml:"oauth_client_file" hint:"a file path"`
	TokenFile             string `yaml:"token_file" hint:"a file path"`
	// Calendars is "directory" (every person's) or "list": CalendarList.
	Calendars           string         `yaml:"calendars" hint:"directory or a list of calendar ids"`
	CalendarList        []string       `yaml:"calendars" hint:"directory or a list of calendar ids|a calendar id such as ana@example.com" nonempty:"the list is empty (expected at least one calendar id, or directory)"`
	Timezone            *time.Location `yaml:"timezone"` // of all-day dates; nil = each calendar's own
	PageSize            int            `yaml:"page_size" hint:"an integer" check:"1..2500 %v is out of range (expected 1..2500)"`
	PerUserPerMinute    int            `yaml:"per_user_per_minute" hint:"an integer" check:"..600 %v is above Google's quota of 600 requests/min per user"`
	PerProjectPerMinute int            `yaml:"per_project_per_minute" hint:"an integer" check:"..10000 %v is above Google's quota of 10,000 requests/min per project"`
	Requests
	Directory GoogleDirectory `yaml:"directory"`
}

// GoogleDirectory reads the org chart from the Workspace Directory API
// when its section is present (directory.csv or .yaml override it).
type GoogleDirectory struct {
	Enabled            bool
	AdminSubject       string `yaml:"admin_subject" hint:"an administrator's email"` // whom the service account acts as
	Customer           string `yaml:"customer" hint:"a customer id such as my_customer"`
	Domain             string `yaml:"domain" hint:"a domain such as example.com"`
	CreationAsHireDate bool   `yaml:"creation_as_hire_date"`
}

// Requests bound how a calendar API (google:, microsoft:) is called.
type Requests struct {
	MaxAttempts    int           `yaml:"max_attempts" hint:"an integer" check:"1.. %v is less than 1 (expected the number of tries of one request)"`
	Concurrency    int           `yaml:"concurrency" hint:"an integer" check:"1.. %v is less than 1"`
	RequestTimeout time.Duration `yaml:"request_timeout" hint:"a duration such as 30s" check:"1.. %v is not positive (expected a duration > 0)"`
}

// Environment variables that supply Google's credential paths.
const (
	EnvGoogleKeyFile    = "CADENCE_GOOGLE_SERVICE_ACCOUNT_KEY_FILE"
	EnvGoogleClientFile = "CADENCE_GOOGLE_OAUTH_CLIENT_FILE"
	EnvGoogleTokenFile  = "CADENCE_GOOGLE_TOKEN_FILE"
)

// Microsoft configures Microsoft 365 calendars (through Microsoft Graph) as
// a source, when the microsoft: section is present.
type Microsoft struct {
	Enabled  bool
	Tenant   string `yaml:"tenant" hint:"a tenant id or domain such as contoso.onmicrosoft.com"`
	ClientID string `yaml:"client_id" hint:"the application (client) id"` // of the app registration
	// One credential: a client secret's file or variable, or a certificate.
	ClientSecretFile   string   `yaml:"client_secret_file" hint:"a file path"`
	ClientSecretEnv    string   `yaml:"client_secret_env" hint:"the name of an environment variable such as CADENCE_MICROSOFT_CLIENT_SECRET"`
	_                  struct{} `yaml:"client_secret" reject:"the client secret must not be in the YAML (expected client_secret_file: a file holding it, or client_secret_env: the name of an environment variable)"`
	CertificateFile    string   `yaml:"certificate_file" hint:"a PEM file path"`
	CertificateKeyFile string   `yaml:"certificate_key_file" hint:"a PEM file path"`
	Endpoint           string   `yaml:"endpoint" hint:"a URL such as https://graph.microsoft.com/v1.0"` // "": Microsoft's
	TokenURL           string   `yaml:"token_url" hint:"a URL"`                                         // "": Microsoft's, for Tenant
	// Mailboxes is "directory" (every person's) or "list": MailboxList.
	Mailboxes        string         `yaml:"mailboxes" hint:"directory or a list of mailboxes"`
	MailboxList      []string       `yaml:"mailboxes" hint:"directory or a list of mailboxes|a user principal name such as ana@example.com" nonempty:"the list is empty (expected at least one mailbox, or directory)"`
	Timezone         *time.Location `yaml:"timezone"` // of all-day dates; nil = the top-level timezone
	PageSize         int            `yaml:"page_size" hint:"an integer" check:"1..1000 %v is out of range (expected 1..1000)"`
	RequestsPer10Min int            `yaml:"requests_per_10m" hint:"an integer" check:"1..10000 %v is out of range (expected 1..10000: Outlook allows 10,000 requests per 10 minutes per mailbox)"`
	Requests
	Directory MicrosoftDirectory `yaml:"directory"`
}

// MicrosoftDirectory reads the org chart from Entra ID when its section is
// present and not disabled (directory.csv or .yaml override it).
type MicrosoftDirectory struct {
	Enabled            bool   `yaml:"enabled"`
	TeamStartAttribute string `yaml:"team_start_attribute" hint:"a user property such as onPremisesExtensionAttributes.extensionAttribute1"`
	CreationAsHireDate bool   `yaml:"creation_as_hire_date"` // when employeeHireDate is empty
}

// Serve configures the daemon (`cadence serve`). The HTTP timeouts and
// MaxConnections are read at start.
type Serve struct {
	ListenAddress          string        `yaml:"listen_address" hint:"a host:port such as :9816"`
	WebConfigFile          string        `yaml:"web_config_file" hint:"a file path"`                                                                   // exporter-toolkit (TLS, basic auth)
	StatePath              string        `yaml:"state_path" hint:"a file path"`                                                                        // the SQLite state
	SyncEvery              time.Duration `yaml:"sync_every" hint:"a duration such as 15m" check:"1.. %v is not positive (expected a duration > 0)"`    // per source, ±10% jitter
	EvaluateEvery          time.Duration `yaml:"evaluate_every" hint:"a duration such as 5m" check:"1.. %v is not positive (expected a duration > 0)"` // when nothing changes
	FirstEvaluationTimeout time.Duration `yaml:"first_evaluation_timeout" hint:"a duration such as 2m" check:"1.. %v is not positive (expected a duration > 0)"`
	ShutdownTimeout        time.Duration `yaml:"shutdown_timeout" hint:"a duration such as 30s" check:"1.. %v is not positive (expected a duration > 0)"`
	ReadHeaderTimeout      time.Duration `yaml:"read_header_timeout" hint:"a duration such as 10s" check:"1.. %v is not positive (expected a duration > 0)"`
	ReadTimeout            time.Duration `yaml:"read_timeout" hint:"a duration such as 60s" check:"1.. %v is not positive (expected a duration > 0)"`
	WriteTimeout           time.Duration `yaml:"write_timeout" hint:"a duration such as 60s" check:"1.. %v is not positive (expected a duration > 0)"`
	IdleTimeout            time.Duration `yaml:"idle_timeout" hint:"a duration such as 2m" check:"1.. %v is not positive (expected a duration > 0)"` // of keep-alive connections
	MaxConnections         int           `yaml:"max_connections" hint:"an integer >= 1 such as 512" check:"1.. %v is not positive (expected an integer >= 1 such as 512)"`
	EnableReload           bool          `yaml:"enable_reload"` // POST and PUT /-/reload; false answers 403 (SIGHUP works)
	Page                   Page          `yaml:"page"`
}

// Page configures the org-health page, the JSON report and the digest's
// unsubscribe link: they name people, so they are served beside /metrics
// only when metrics name people too, by default. Read at start.
type Page struct {
	Enabled       bool   `yaml:"enabled"`
	ListenAddress string `yaml:"listen_address" hint:"a host:port such as 127.0.0.1:9817"` // a listener of their own
	WebConfigFile string `yaml:"web_config_file" hint:"a file path"`                       // default serve.web_config_file
}

// Metrics configures the domain series. Identity is how people appear in
// labels: email, directory id, or salted hash (SHA-256).
type Metrics struct {
	PerPair      bool   `yaml:"per_pair"` // the cadence_pair_* series
	Identity     string `yaml:"identity" hint:"email, id or hash" oneof:"email id hash|%q is not an identity mode"`
	HashSaltFile string `yaml:"hash_salt_file" hint:"a file path"`
}

// Digest configures the weekly digest email, sent by the daemon when
// Enabled on Weekday at Time (since midnight) to Recipients (empty: every
// manager) but OptOut.
type Digest struct {
	Enabled         bool           `yaml:"enabled"`
	Weekday         time.Weekday   `yaml:"weekday" hint:"a weekday such as monday"`
	Time            time.Duration  `yaml:"time" as:"timeofday" hint:"a time of day such as \"08:00\""`
	Timezone        *time.Location `yaml:"timezone"`
	Recipients      []string       `yaml:"recipients" hint:"a list of manager emails (empty: every manager)|an email"`
	OptOut          []string       `yaml:"opt_out" hint:"a list of emails|an email"`
	BaseURL         string         `yaml:"base_url" hint:"an http(s) URL"`                   // of the page; "": no link
	From            string         `yaml:"from" hint:"a sender such as cadence@example.com"` // "cadence <cadence@example.com>" or a bare address
	MessageIDDomain string         `yaml:"message_id_domain" hint:"a domain such as cadence.example.com"`
	SMTP            SMTP           `yaml:"smtp"`
	Retry           Retry          `yaml:"retry"`
}

// SMTP is how the digest is sent. Username enables AUTH, with the password
// of PasswordFile or PasswordEnv (see Password).
type SMTP struct {
	Host           string        `yaml:"host" hint:"a host name such as smtp.example.com"`
	Port           int           `yaml:"port" hint:"a port number such as 587" check:"1..65535 %v is not a port (expected 1-65535, such as 587)"` // default per TLS: 587, 465 or 25
	TLS            string        `yaml:"tls" hint:"starttls, implicit or none" oneof:"starttls implicit none|%q is not a TLS mode"`
	AllowPlaintext bool          `yaml:"allow_plaintext"`
	Username       string        `yaml:"username" hint:"a user name"`
	PasswordFile   string        `yaml:"password_file" hint:"a file path"`
	PasswordEnv    string        `yaml:"password_env" hint:"the name of an environment variable such as CADENCE_SMTP_PASSWORD"`
	_              struct{}      `yaml:"password" reject:"the SMTP password must not be in the YAML (expected password_file: a file holding it, or password_env: the name of an environment variable)"`
	Auth           string        `yaml:"auth" hint:"plain or login" oneof:"plain login|%q is not an AUTH mechanism"`
	Timeout        time.Duration `yaml:"timeout" hint:"a duration such as 30s" check:"1.. %v is not positive (expected a duration > 0 such as 30s)"` // connecting and each exchange
}

// Retry is how a failed send is retried: Attempts tries in all, waiting
// Backoff, then twice as long each time, at most MaxBackoff.
type Retry struct {
	Attempts   int           `yaml:"attempts" hint:"an integer >= 1" check:"1.. %v is less than 1 (expected the number of tries, such as 5)"`
	Backoff    time.Duration `yaml:"backoff" hint:"a duration such as 1m" check:"1.. %v is not positive (expected a duration > 0 such as 1m)"`
	MaxBackoff time.Duration `yaml:"max_backoff" hint:"a duration such as 30m"`
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

// Parse parses configuration data read from file (named in errors; relative
// paths resolve against its directory). Problems(err) lists the problems.
func Parse(data []byte, file string) (*Config, error) {
	root, err := parseYAML(data, file)
	if err != nil {
		return nil, err
	}
	cfg := DefaultConfig()
	cfg.File, cfg.lines = file, map[string]int{}
	d := &decoder{Config: &cfg, bad: map[string]bool{}}
	if root != nil {
		d.lines[""], d.limit = root.Line, 4*size(root)+1000
		d.value(root, reflect.ValueOf(&cfg).Elem(), "", "", nil)
	}
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
	rules := slices.Clone(c.Policies)
	for i, r := range rules {
		rules[i].Match.Kinds, rules[i].Match.Pairs = append([]cadence.Kind(nil), r.Match.Kinds...), append([][2]string(nil), r.Match.Pairs...)
	}
	return cadence.Options{
		Rules:            rules,
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
	out := make([]calendar.ICSSource, len(c.Sources.ICS))
	for i, s := range c.Sources.ICS {
		out[i] = calendar.ICSSource{Name: s.Name, Owner: s.Owner, Path: s.Path, URL: s.URL, Zone: s.Zone}
	}
	return out
}

// Has reports whether the key at path ("sources.ics[2].timezone") is
// written in the configuration file (not defaulted).
func (c *Config) Has(path string) bool { _, ok := c.lines[path]; return ok }

// Line returns the line of the key at path ("sources.ics[0]") in the file,
// or of its closest enclosing key present; 0 when none is.
func (c *Config) Line(path string) int {
	for ; path != ""; path = path[:max(strings.LastIndexAny(path, ".["), 0)] {
		if l, ok := c.lines[path]; ok {
			return l
		}
	}
	return c.lines[""]
}

// normalize lower-cases emails (and strips "mailto:") once they are valid,
// and makes file paths absolute against the config file's directory.
func (c *Config) normalize() {
	for _, list := range [][]string{c.Digest.Recipients, c.Digest.OptOut} {
		for i, e := range list {
			list[i] = normEmail(e)
		}
	}
	for i := range c.Policies {
		for j, p := range c.Policies[i].Match.Pairs {
			c.Policies[i].Match.Pairs[j] = [2]string{normEmail(p[0]), normEmail(p[1])}
		}
	}
	paths := []*string{&c.Directory.CSV, &c.Directory.YAML, &c.Google.ServiceAccountKeyFile, &c.Google.OAuthClientFile,
		&c.Google.TokenFile, &c.Microsoft.ClientSecretFile, &c.Microsoft.CertificateFile, &c.Microsoft.CertificateKeyFile,
		&c.Serve.WebConfigFile, &c.Serve.Page.WebConfigFile, &c.Serve.StatePath, &c.Metrics.HashSaltFile, &c.Digest.SMTP.PasswordFile}
	for i := range c.Sources.ICS {
		c.Sources.ICS[i].Owner = normEmail(c.Sources.ICS[i].Owner)
		paths = append(paths, &c.Sources.ICS[i].Path)
	}
	for _, p := range paths {
		if *p != "" && !filepath.IsAbs(*p) {
			*p = filepath.Join(baseDir(c.File), *p)
		}
	}
}

// baseDir is the absolute directory of file, against which relative paths
// resolve.
func baseDir(file string) string {
	if abs, err := filepath.Abs(filepath.Dir(file)); err == nil {
		return abs
	}
	return filepath.Dir(file)
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
		s += ":" + strconv.Itoa(p.Line)
	}
	if p.Path != "" {
		s += ": " + p.Path
	}
	return s + ": " + p.Msg
}

// problems is the error of Parse and Check: its problems, one per line.
type problems []*Problem

func (ps problems) Error() string {
	lines := make([]string, len(ps))
	for i, p := range ps {
		lines[i] = p.Error()
	}
	return strings.Join(lines, "\n")
}

// Problems returns the problems an error from Parse, Load or Check lists, in
// file order.
func Problems(err error) []*Problem {
	if ps := problems(nil); errors.As(err, &ps) {
		return ps
	} else if p := (*Problem)(nil); errors.As(err, &p) {
		return []*Problem{p}
	}
	return nil
}

// LoadDirectory reads the org chart file and builds the directory. Errors
// name the config key and line, and wrap the directory's own.
func (c *Config) LoadDirectory() (*cadence.Directory, error) {
	people, err := c.LoadPeople()
	if err != nil {
		return nil, err
	}
	dir, err := cadence.NewDirectory(people)
	return dir, c.directoryProblem(err)
}

// directoryProblem is err as a problem of the directory key; nil for nil.
func (c *Config) directoryProblem(err error) error {
	key := "directory.csv"
	if c.Directory.CSV == "" {
		key = "directory.yaml"
	}
	if err == nil {
		return nil
	}
	return &Problem{File: c.File, Line: c.Line(key), Path: key, Msg: err.Error(), Err: err}
}

// LoadPeople reads the people of the org chart file without building the
// directory (the Google directory merges them as overrides).
func (c *Config) LoadPeople() ([]cadence.Person, error) {
	file := cmp.Or(c.Directory.CSV, c.Directory.YAML)
	data, err := os.ReadFile(file)
	switch {
	case file == "":
		return nil, c.directoryProblem(errors.New("no org chart file is set"))
	case err != nil:
		return nil, c.directoryProblem(fmt.Errorf("cannot read the org chart: %w", err))
	case file == c.Directory.YAML:
		people, err := cadence.ParseDirectoryYAML(data, file)
		return people, c.directoryProblem(err)
	}
	people, err := cadence.ParseDirectoryCSV(bytes.NewReader(data), file)
	return people, c.directoryProblem(err)
}

// Check does what Parse cannot do from the file alone, for `cadence
// check-config`: it reads the org chart, and checks that every ICS owner
// and email of a policy's pairs is a person of it (or an alias). Feeds are
// not read: a missing or broken feed is a per-source error at run time.
func Check(c *Config) error {
	if (c.Google.Directory.Enabled || c.Microsoft.Directory.Enabled) && c.Directory.CSV == "" && c.Directory.YAML == "" {
		// The org chart comes from a directory API: check-config uses no network.
		return nil
	}
	dir, err := c.LoadDirectory()
	if err != nil {
		return err
	}
	d := &decoder{Config: c, bad: map[string]bool{}}
	notIn := func(path, email string) {
		_, ok := dir.Resolve(email)
		d.check(!ok, path, "%q is not in the directory (expected the email of a person of the org chart)", email)
	}
	for i, s := range c.Sources.ICS {
		notIn(index("sources.ics", i)+".owner", s.Owner)
	}
	for i, r := range c.Policies {
		for j, pair := range r.Match.Pairs {
			for k, e := range pair {
				notIn(fmt.Sprintf("policies[%d].match.pairs[%d][%d]", i, j, k), e)
			}
		}
	}
	return d.err()
}

// Password reads the SMTP password from its file (trailing newline
// trimmed) or environment variable (getenv, os.Getenv when nil); "" when no
// username is set. Errors name the file or variable, never the value.
func (s SMTP) Password(getenv func(string) string) (string, error) {
	if s.Username == "" {
		return "", nil
	} else if s.PasswordFile == "" && s.PasswordEnv == "" {
		return "", errors.New("config: digest.smtp.username is set but neither password_file nor password_env is")
	}
	return secret("digest.smtp.password", s.PasswordFile, s.PasswordEnv, getenv, func(s string) string { return strings.TrimRight(s, "\r\n") })
}

// ClientSecret reads the client secret as Password does (white space
// trimmed); "" when the credential is a certificate or there is none.
func (m Microsoft) ClientSecret(getenv func(string) string) (string, error) {
	return secret("microsoft.client_secret", m.ClientSecretFile, m.ClientSecretEnv, getenv, strings.TrimSpace)
}

// secret reads the secret of key (key_file, key_env) from file or env.
func secret(key, file, env string, getenv, trim func(string) string) (string, error) {
	switch {
	case file != "":
		b, err := os.ReadFile(file)
		if err != nil {
			return "", fmt.Errorf("config: %s_file: %w", key, err)
		} else if s := trim(string(b)); s != "" {
			return s, nil
		}
		return "", fmt.Errorf("config: %s_file %s is empty", key, file)
	case env != "":
		if getenv == nil {
			getenv = os.Getenv
		}
		if s := trim(getenv(env)); s != "" {
			return s, nil
		}
		return "", fmt.Errorf("config: %s_env: environment variable %s is empty or not set", key, env)
	}
	return "", nil
}
