package config

import (
	"cmp"
	"net/mail"
	"os"
	"reflect"
	"strings"
	"time"

	"github.com/cadence-dev/cadence/cadence"
	"github.com/cadence-dev/cadence/calendar"
	"github.com/cadence-dev/cadence/internal/engine"
)

// DefaultConfig returns the value of every key left out of a configuration
// file: Parse decodes the file onto it, clears the google: and microsoft:
// sections unless present, and derives the defaults that depend on others.
func DefaultConfig() Config {
	requests := Requests{MaxAttempts: 6, Concurrency: 8, RequestTimeout: 30 * time.Second}
	return Config{
		Timezone: time.UTC,
		Sources: Sources{
			HTTP: HTTP{Timeout: 30 * time.Second, MaxBytes: 20 << 20, RedirectHosts: []string{}},
			Limits: Limits{SeriesOccurrences: calendar.DefaultSeriesOccurrences, FeedOccurrences: calendar.DefaultFeedOccurrences,
				EvaluationOccurrences: engine.DefaultEvaluationOccurrences, ZoneTransitions: calendar.DefaultZoneTransitions, ParseTime: calendar.DefaultParseTime},
			ICS: []ICS{},
		},
		// The SPEC's values live in the domain.
		Classification: Classification{IgnoredAttendees: []string{}, OOOTitles: DefaultOOOTitles(), TitleHints: []string{},
			MaxDuration: cadence.DefaultMaxDuration, SkipLevels: cadence.DefaultSkipLevels},
		Window:   cadence.DefaultWindow,
		Policies: cadence.DefaultRules(),
		// Half of Google's and Outlook's quotas.
		Google: Google{Calendars: "directory", PageSize: 2500, PerUserPerMinute: 300, PerProjectPerMinute: 5000, Requests: requests},
		Microsoft: Microsoft{Mailboxes: "directory", PageSize: 200, RequestsPer10Min: 5000, Requests: requests,
			Directory: MicrosoftDirectory{Enabled: true}},
		Serve: Serve{ListenAddress: ":9816", StatePath: "cadence.db", SyncEvery: 15 * time.Minute, EvaluateEvery: 5 * time.Minute,
			FirstEvaluationTimeout: 2 * time.Minute, ShutdownTimeout: 30 * time.Second, ReadHeaderTimeout: 10 * time.Second,
			ReadTimeout: 60 * time.Second, WriteTimeout: 60 * time.Second, IdleTimeout: 2 * time.Minute, MaxConnections: 512},
		Metrics: Metrics{PerPair: true, Identity: "email"},
		Digest: Digest{Weekday: time.Monday, Time: 8 * time.Hour, Recipients: []string{}, OptOut: []string{},
			SMTP:  SMTP{TLS: "starttls", Auth: "plain", Timeout: 30 * time.Second},
			Retry: Retry{Attempts: 5, Backoff: time.Minute, MaxBackoff: 30 * time.Minute}},
	}
}

// DefaultOOOTitles returns the default out-of-office title patterns.
func DefaultOOOTitles() []string {
	return []string{"Out of office", "OOO", "OOO *", "Vacation", "Vacation *", "Holiday", "PTO", "Sick", "Sick leave", "Parental leave"}
}

// elemDefaults are the values list elements start from (in a rule, grace,
// min_duration and tenure_under default to 0).
var elemDefaults = map[reflect.Type]any{
	reflect.TypeFor[cadence.Rule](): cadence.Rule{MaxConsecutiveCancellations: 3},
}

// rule and match give the keys of cadence.Rule and cadence.Match (tagsOf):
// the conversions below do not compile if their fields ever differ.
type rule struct {
	Name                        string        `yaml:"name" hint:"a rule name such as direct"`
	Match                       cadence.Match `yaml:"match"`
	Every                       time.Duration `yaml:"every" hint:"a duration such as 14d" check:"1.. %v is not positive (expected a duration > 0 such as 14d)"`
	Grace                       time.Duration `yaml:"grace" hint:"a duration such as 3d" check:"0.. %v is negative (expected a duration >= 0 such as 3d)"`
	MinDuration                 time.Duration `yaml:"min_duration" hint:"a duration such as 20m" check:"0.. %v is negative (expected a duration >= 0 such as 20m)"`
	Required                    bool          `yaml:"required"`
	MaxConsecutiveCancellations int           `yaml:"max_consecutive_cancellations" hint:"an integer >= 0" check:"0.. %v is negative (expected an integer >= 0)"`
}

type match struct {
	Kinds       []cadence.Kind `yaml:"kind" hint:"a list of kinds such as [direct, skip]|a kind: direct, skip or peer" oneof:"direct skip peer|unknown kind %q" nonempty:"empty list (expected some of direct, skip, peer; remove the key to match every kind)"`
	TenureUnder time.Duration  `yaml:"tenure_under" hint:"a duration such as 90d" check:"0.. %v is negative (expected a duration >= 0 such as 90d)"`
	ReportsOver int            `yaml:"reports_over" hint:"an integer >= 0" check:"0.. %v is negative (expected an integer >= 0)"`
	Pairs       [][2]string    `yaml:"pairs" hint:"a list of pairs such as [[ana@example.com, bo@example.com]]|a pair of emails such as [ana@example.com, bo@example.com]|an email" nonempty:"empty list (expected pairs such as [[ana@example.com, bo@example.com]]; remove the key to match every pair)"`
}

var (
	_, _   = cadence.Rule(rule{}), cadence.Match(match{})
	tagsOf = map[reflect.Type]reflect.Type{
		reflect.TypeFor[cadence.Rule](): reflect.TypeFor[rule](), reflect.TypeFor[cadence.Match](): reflect.TypeFor[match](),
	}
)

// derive fills in the defaults that depend on other keys, and switches the
// google: and microsoft: sections on when present.
func (c *Config) derive() {
	for i, s := range c.Sources.ICS {
		c.Sources.ICS[i].Line, c.Sources.ICS[i].Zone = c.lines[index("sources.ics", i)], cmp.Or(s.Zone, c.Timezone)
	}
	if !c.Has("serve.page.enabled") {
		c.Serve.Page.Enabled = c.Metrics.Identity == "email" || c.Serve.Page.ListenAddress != ""
	}
	c.Serve.Page.WebConfigFile = cmp.Or(c.Serve.Page.WebConfigFile, c.Serve.WebConfigFile)
	g := &c.Digest
	g.Timezone = cmp.Or(g.Timezone, c.Timezone)
	if !c.Has("digest.smtp.port") {
		g.SMTP.Port = cmp.Or(map[string]int{"implicit": 465, "none": 25}[g.SMTP.TLS], 587)
	}
	if a, err := mail.ParseAddress(g.From); err == nil && !c.Has("digest.message_id_domain") {
		g.MessageIDDomain = strings.ToLower(a.Address[strings.LastIndexByte(a.Address, '@')+1:])
	}
	gg, m := &c.Google, &c.Microsoft
	if gg.Enabled = c.Has("google"); !gg.Enabled {
		*gg = Google{}
	} else {
		gg.ServiceAccountKeyFile = cmp.Or(gg.ServiceAccountKeyFile, os.Getenv(EnvGoogleKeyFile))
		gg.OAuthClientFile = cmp.Or(gg.OAuthClientFile, os.Getenv(EnvGoogleClientFile))
		gg.TokenFile = cmp.Or(gg.TokenFile, os.Getenv(EnvGoogleTokenFile))
	}
	gg.Directory.Enabled = c.Has("google.directory")
	if m.Enabled = c.Has("microsoft"); !m.Enabled {
		*m = Microsoft{}
	}
	m.Directory.Enabled = m.Directory.Enabled && c.Has("microsoft.directory")
	// calendars: and mailboxes: written as lists.
	if gg.CalendarList != nil {
		gg.Calendars = "list"
	}
	if m.MailboxList != nil {
		m.Mailboxes = "list"
	}
}
