package config

import (
	"fmt"
	"os"
	"time"

	"go.yaml.in/yaml/v3"
)

// Google configures Google Calendar (and optionally the Workspace
// directory) as a source. It is off unless the google: section is present.
type Google struct {
	Enabled bool
	// Endpoint is the API base URL; "" means Google's. Point it at the fake
	// server (calendar/google/fakegoogle) to try cadence without an account.
	Endpoint string
	// ServiceAccountKeyFile is a service-account JSON key with domain-wide
	// delegation: cadence reads each calendar as its owner. Env
	// CADENCE_GOOGLE_SERVICE_ACCOUNT_KEY_FILE sets it when the YAML does not.
	ServiceAccountKeyFile string
	// OAuthClientFile and TokenFile: one user's own calendar through an
	// installed-app OAuth login (`cadence auth google`). Env
	// CADENCE_GOOGLE_OAUTH_CLIENT_FILE and CADENCE_GOOGLE_TOKEN_FILE.
	OAuthClientFile string
	TokenFile       string
	// Calendars: "directory" (every person's primary calendar, default) or
	// an explicit list in CalendarList (calendar ids, usually emails).
	Calendars    string
	CalendarList []string
	// Timezone anchors all-day dates; nil = each calendar's own zone.
	Timezone *time.Location

	PageSize            int
	PerUserPerMinute    int
	PerProjectPerMinute int
	MaxAttempts         int
	Concurrency         int
	RequestTimeout      time.Duration

	Directory GoogleDirectory
}

// GoogleDirectory reads the org chart from the Workspace Directory API
// (users.list with the manager relation). directory.csv / directory.yaml,
// when also set, override it person by person (hire dates, team starts).
type GoogleDirectory struct {
	Enabled bool
	// AdminSubject is the administrator the service account impersonates.
	AdminSubject       string
	Customer           string
	Domain             string
	CreationAsHireDate bool
}

// Environment variables that supply credential paths.
const (
	EnvGoogleKeyFile    = "CADENCE_GOOGLE_SERVICE_ACCOUNT_KEY_FILE"
	EnvGoogleClientFile = "CADENCE_GOOGLE_OAUTH_CLIENT_FILE"
	EnvGoogleTokenFile  = "CADENCE_GOOGLE_TOKEN_FILE"
)

func (d *decoder) google(n *yaml.Node, path string, g *Google) {
	g.Enabled = true
	num := func(out *int) func(n *yaml.Node, p string) {
		return func(n *yaml.Node, p string) {
			var v int64
			d.integer(n, p, "an integer", &v)
			*out = clampInt(v)
		}
	}
	d.mapping(n, path, []field{
		{"endpoint", func(n *yaml.Node, p string) { d.str(n, p, "a URL such as http://127.0.0.1:8090", &g.Endpoint) }},
		{"service_account_key_file", func(n *yaml.Node, p string) { d.str(n, p, "a file path", &g.ServiceAccountKeyFile) }},
		{"oauth_client_file", func(n *yaml.Node, p string) { d.str(n, p, "a file path", &g.OAuthClientFile) }},
		{"token_file", func(n *yaml.Node, p string) { d.str(n, p, "a file path", &g.TokenFile) }},
		{"calendars", func(n *yaml.Node, p string) {
			if deref(n).Kind == yaml.SequenceNode {
				g.Calendars = "list"
				d.strings(n, p, "directory or a list of calendar ids", "a calendar id such as ana@example.com", &g.CalendarList)
				return
			}
			d.str(n, p, "directory or a list of calendar ids", &g.Calendars)
		}},
		{"timezone", func(n *yaml.Node, p string) { d.zone(n, p, &g.Timezone) }},
		{"page_size", num(&g.PageSize)},
		{"per_user_per_minute", num(&g.PerUserPerMinute)},
		{"per_project_per_minute", num(&g.PerProjectPerMinute)},
		{"max_attempts", num(&g.MaxAttempts)},
		{"concurrency", num(&g.Concurrency)},
		{"request_timeout", func(n *yaml.Node, p string) { d.duration(n, p, "a duration such as 30s", &g.RequestTimeout) }},
		{"directory", func(n *yaml.Node, p string) {
			g.Directory.Enabled = true
			d.mapping(n, p, []field{
				{"admin_subject", func(n *yaml.Node, p string) { d.str(n, p, "an administrator's email", &g.Directory.AdminSubject) }},
				{"customer", func(n *yaml.Node, p string) { d.str(n, p, "a customer id such as my_customer", &g.Directory.Customer) }},
				{"domain", func(n *yaml.Node, p string) { d.str(n, p, "a domain such as example.com", &g.Directory.Domain) }},
				{"creation_as_hire_date", func(n *yaml.Node, p string) { d.boolean(n, p, &g.Directory.CreationAsHireDate) }},
			})
		}},
	})
}

// setGoogleDefaults fills the google: section (called from setDefaults).
func setGoogleDefaults(c *Config, has func(string) bool) {
	g := &c.Google
	if !g.Enabled {
		return
	}
	env := func(out *string, key, name string) {
		if !has(key) {
			*out = os.Getenv(name)
		}
	}
	env(&g.ServiceAccountKeyFile, "google.service_account_key_file", EnvGoogleKeyFile)
	env(&g.OAuthClientFile, "google.oauth_client_file", EnvGoogleClientFile)
	env(&g.TokenFile, "google.token_file", EnvGoogleTokenFile)
	if !has("google.calendars") {
		g.Calendars = "directory"
	}
	if !has("google.page_size") {
		g.PageSize = 2500
	}
	if !has("google.per_user_per_minute") {
		g.PerUserPerMinute = 300 // half of Google's 600/min per user
	}
	if !has("google.per_project_per_minute") {
		g.PerProjectPerMinute = 5000 // half of 10,000/min per project
	}
	if !has("google.max_attempts") {
		g.MaxAttempts = 6
	}
	if !has("google.concurrency") {
		g.Concurrency = 8
	}
	if !has("google.request_timeout") {
		g.RequestTimeout = 30 * time.Second
	}
}

// validateGoogle checks the google: section (called from validate).
func validateGoogle(d *decoder, c *Config, at func(p, format string, args ...any)) {
	g := &c.Google
	if !g.Enabled {
		return
	}
	if g.Endpoint != "" {
		if msg := checkURL(g.Endpoint); msg != "" {
			at("google.endpoint", "%s", msg)
		}
	}
	switch g.Calendars {
	case "directory", "list":
	default:
		if !d.bad["google.calendars"] {
			at("google.calendars", "%q is not directory or a list (expected directory, or a list of calendar ids)", g.Calendars)
		}
	}
	if g.Calendars == "list" && len(g.CalendarList) == 0 {
		at("google.calendars", "the list is empty (expected at least one calendar id, or directory)")
	}
	if g.PageSize < 1 || g.PageSize > 2500 {
		at("google.page_size", "%d is out of range (expected 1..2500)", g.PageSize)
	}
	if g.PerUserPerMinute > 600 {
		at("google.per_user_per_minute", "%d is above Google's quota of 600 requests/min per user", g.PerUserPerMinute)
	}
	if g.PerProjectPerMinute > 10000 {
		at("google.per_project_per_minute", "%d is above Google's quota of 10,000 requests/min per project", g.PerProjectPerMinute)
	}
	if g.MaxAttempts < 1 {
		at("google.max_attempts", "%d is less than 1 (expected the number of tries of one request)", g.MaxAttempts)
	}
	if g.Concurrency < 1 {
		at("google.concurrency", "%d is less than 1", g.Concurrency)
	}
	if g.RequestTimeout <= 0 && !d.bad["google.request_timeout"] {
		at("google.request_timeout", "%s is not positive (expected a duration > 0)", fmtDuration(g.RequestTimeout))
	}
	if g.ServiceAccountKeyFile != "" && g.TokenFile != "" {
		at("google.token_file", "both service_account_key_file and token_file are set (expected one: a service account for an organisation, or one user's OAuth token)")
	}
	if g.Endpoint == "" && g.ServiceAccountKeyFile == "" && g.TokenFile == "" {
		at("google", "no credentials (expected service_account_key_file, or token_file from `cadence auth google`, or the environment variables %s / %s; only an endpoint such as the fake server works without them)", EnvGoogleKeyFile, EnvGoogleTokenFile)
	}
	if g.TokenFile != "" && g.OAuthClientFile == "" {
		at("google.oauth_client_file", "missing (expected the OAuth client JSON that token_file was created with)")
	}
	if g.Directory.Enabled && g.Directory.AdminSubject == "" && g.ServiceAccountKeyFile != "" {
		at("google.directory.admin_subject", "missing (expected the administrator the service account acts as for users.list)")
	}
}

// GoogleSourceName is the source name of a Google calendar.
func GoogleSourceName(calendarID string) string { return "google:" + calendarID }

var _ = fmt.Sprintf
