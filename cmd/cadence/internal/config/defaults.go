package config

import (
	"fmt"
	"time"

	"github.com/cadence-dev/cadence/cadence"
	"github.com/cadence-dev/cadence/calendar"
	"github.com/cadence-dev/cadence/internal/engine"
)

// Defaults of keys left out of the configuration file.
const (
	DefaultHTTPTimeout                 = 30 * time.Second
	DefaultMaxBytes                    = 20 << 20                   // 20 MiB
	DefaultMaxDuration                 = cadence.DefaultMaxDuration // the SPEC's values live in the domain
	DefaultSkipLevels                  = cadence.DefaultSkipLevels
	DefaultWindow                      = cadence.DefaultWindow
	DefaultMaxConsecutiveCancellations = 3
	DefaultListenAddress               = ":9816"
	DefaultStatePath                   = "cadence.db"
	DefaultSyncEvery                   = 15 * time.Minute
	DefaultEvaluateEvery               = 5 * time.Minute
	DefaultFirstEvaluationTimeout      = 2 * time.Minute
	DefaultShutdownTimeout             = 30 * time.Second
	DefaultReadHeaderTimeout           = 10 * time.Second
	DefaultReadTimeout                 = 60 * time.Second
	DefaultWriteTimeout                = 60 * time.Second
	DefaultIdleTimeout                 = 2 * time.Minute
	DefaultMaxConnections              = 512
	DefaultIdentity                    = "email"
)

// DefaultOOOTitles returns the default out-of-office title patterns.
func DefaultOOOTitles() []string {
	return []string{"Out of office", "OOO", "OOO *", "Vacation", "Vacation *", "Holiday", "PTO", "Sick", "Sick leave", "Parental leave"}
}

// setDefaults fills in every key the file leaves out. It is the only place
// defaults are applied; a key present in the file (even with a bad value,
// already reported) is left alone.
func setDefaults(c *Config) {
	has := func(path string) bool { _, ok := c.lines[path]; return ok }
	if !has("timezone") {
		c.Timezone = time.UTC
	}
	if !has("sources.http.timeout") {
		c.Sources.HTTP.Timeout = DefaultHTTPTimeout
	}
	if !has("sources.http.max_bytes") {
		c.Sources.HTTP.MaxBytes = DefaultMaxBytes
	}
	l := &c.Sources.Limits
	if !has("sources.limits.series_occurrences") {
		l.SeriesOccurrences = calendar.DefaultSeriesOccurrences
	}
	if !has("sources.limits.feed_occurrences") {
		l.FeedOccurrences = calendar.DefaultFeedOccurrences
	}
	if !has("sources.limits.evaluation_occurrences") {
		l.EvaluationOccurrences = engine.DefaultEvaluationOccurrences
	}
	if !has("sources.limits.zone_transitions") {
		l.ZoneTransitions = calendar.DefaultZoneTransitions
	}
	if !has("sources.limits.parse_time") {
		l.ParseTime = calendar.DefaultParseTime
	}
	if c.Sources.HTTP.RedirectHosts == nil {
		c.Sources.HTTP.RedirectHosts = []string{}
	}
	for i := range c.Sources.ICS {
		if !has(fmt.Sprintf("sources.ics[%d].timezone", i)) {
			c.Sources.ICS[i].Zone = c.Timezone
		}
	}
	if c.Sources.ICS == nil {
		c.Sources.ICS = []ICS{}
	}
	cl := &c.Classification
	if !has("classification.ignored_attendees") {
		cl.IgnoredAttendees = []string{}
	}
	if !has("classification.out_of_office_titles") {
		cl.OOOTitles = DefaultOOOTitles()
	}
	if !has("classification.title_hints") {
		cl.TitleHints = []string{}
	}
	if !has("classification.max_duration") {
		cl.MaxDuration = DefaultMaxDuration
	}
	if !has("classification.skip_levels") {
		cl.SkipLevels = DefaultSkipLevels
	}
	if !has("window") {
		c.Window = DefaultWindow
	}
	setGoogleDefaults(c, has)
	setMicrosoftDefaults(c, has)
	sv := &c.Serve
	if !has("serve.listen_address") {
		sv.ListenAddress = DefaultListenAddress
	}
	if !has("serve.state_path") {
		sv.StatePath = DefaultStatePath
	}
	if !has("serve.sync_every") {
		sv.SyncEvery = DefaultSyncEvery
	}
	if !has("serve.evaluate_every") {
		sv.EvaluateEvery = DefaultEvaluateEvery
	}
	if !has("serve.first_evaluation_timeout") {
		sv.FirstEvaluationTimeout = DefaultFirstEvaluationTimeout
	}
	if !has("serve.shutdown_timeout") {
		sv.ShutdownTimeout = DefaultShutdownTimeout
	}
	if !has("serve.read_header_timeout") {
		sv.ReadHeaderTimeout = DefaultReadHeaderTimeout
	}
	if !has("serve.read_timeout") {
		sv.ReadTimeout = DefaultReadTimeout
	}
	if !has("serve.write_timeout") {
		sv.WriteTimeout = DefaultWriteTimeout
	}
	if !has("serve.idle_timeout") {
		sv.IdleTimeout = DefaultIdleTimeout
	}
	if !has("serve.max_connections") {
		sv.MaxConnections = DefaultMaxConnections
	}
	if !has("metrics.per_pair") {
		c.Metrics.PerPair = true
	}
	if !has("metrics.identity") {
		c.Metrics.Identity = DefaultIdentity
	}
	if !has("serve.page.enabled") {
		c.Serve.Page.Enabled = c.Metrics.Identity == "email" || c.Serve.Page.ListenAddress != ""
	}
	if !has("serve.page.web_config_file") {
		c.Serve.Page.WebConfigFile = c.Serve.WebConfigFile
	}
	setDigestDefaults(c)
	if !has("policies") {
		c.Policies = cadence.DefaultRules()
	}
	for i := range c.Policies {
		// Within a rule written in the file, grace, min_duration and
		// tenure_under default to 0, required to false.
		p := fmt.Sprintf("policies[%d]", i)
		if has(p) && !has(p+".max_consecutive_cancellations") {
			c.Policies[i].MaxConsecutiveCancellations = DefaultMaxConsecutiveCancellations
		}
	}
}
