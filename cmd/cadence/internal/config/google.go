package config

import "time"

// Google configures Google Calendar (and optionally the Workspace
// directory) as a source. It is off unless the google: section is present.
type Google struct {
	Enabled bool
	// Endpoint is the API base URL; "" means Google's. Point it at the fake
	// server (calendar/google/fakegoogle) to try cadence without an account.
	Endpoint string `yaml:"endpoint" hint:"a URL such as http://127.0.0.1:8090"`
	// ServiceAccountKeyFile is a service-account JSON key with domain-wide
	// delegation: cadence reads each calendar as its owner. Env
	// CADENCE_GOOGLE_SERVICE_ACCOUNT_KEY_FILE sets it when the YAML does not.
	ServiceAccountKeyFile string `yaml:"service_account_key_file" hint:"a file path"`
	// OAuthClientFile and TokenFile: one user's own calendar through an
	// installed-app OAuth login (`cadence auth google`). Env
	// CADENCE_GOOGLE_OAUTH_CLIENT_FILE and CADENCE_GOOGLE_TOKEN_FILE.
	OAuthClientFile string `yaml:"oauth_client_file" hint:"a file path"`
	TokenFile       string `yaml:"token_file" hint:"a file path"`
	// Calendars: "directory" (every person's primary calendar, default) or
	// "list" for the explicit list in CalendarList (calendar ids, usually
	// emails), written as a list in the same key.
	Calendars    string   `yaml:"calendars" hint:"directory or a list of calendar ids"`
	CalendarList []string `yaml:"calendars" hint:"directory or a list of calendar ids|a calendar id such as ana@example.com" nonempty:"the list is empty (expected at least one calendar id, or directory)"`
	// Timezone anchors all-day dates; nil = each calendar's own zone.
	Timezone *time.Location `yaml:"timezone"`

	PageSize            int           `yaml:"page_size" hint:"an integer" check:"1..2500 %v is out of range (expected 1..2500)"`
	PerUserPerMinute    int           `yaml:"per_user_per_minute" hint:"an integer" check:"..600 %v is above Google's quota of 600 requests/min per user"`
	PerProjectPerMinute int           `yaml:"per_project_per_minute" hint:"an integer" check:"..10000 %v is above Google's quota of 10,000 requests/min per project"`
	MaxAttempts         int           `yaml:"max_attempts" hint:"an integer" check:"1.. %v is less than 1 (expected the number of tries of one request)"`
	Concurrency         int           `yaml:"concurrency" hint:"an integer" check:"1.. %v is less than 1"`
	RequestTimeout      time.Duration `yaml:"request_timeout" hint:"a duration such as 30s" check:"1.. %v is not positive (expected a duration > 0)"`

	Directory GoogleDirectory `yaml:"directory"`
}

// GoogleDirectory reads the org chart from the Workspace Directory API
// (users.list with the manager relation). directory.csv / directory.yaml,
// when also set, override it person by person (hire dates, team starts).
type GoogleDirectory struct {
	Enabled bool
	// AdminSubject is the administrator the service account impersonates.
	AdminSubject       string `yaml:"admin_subject" hint:"an administrator's email"`
	Customer           string `yaml:"customer" hint:"a customer id such as my_customer"`
	Domain             string `yaml:"domain" hint:"a domain such as example.com"`
	CreationAsHireDate bool   `yaml:"creation_as_hire_date"`
}

// Environment variables that supply credential paths.
const (
	EnvGoogleKeyFile    = "CADENCE_GOOGLE_SERVICE_ACCOUNT_KEY_FILE"
	EnvGoogleClientFile = "CADENCE_GOOGLE_OAUTH_CLIENT_FILE"
	EnvGoogleTokenFile  = "CADENCE_GOOGLE_TOKEN_FILE"
)

// validateGoogle checks the google: section across keys.
func validateGoogle(d *decoder, g *Google) {
	if !g.Enabled {
		return
	}
	if msg := checkURL(g.Endpoint); g.Endpoint != "" && msg != "" {
		d.at("google.endpoint", "%s", msg)
	}
	if g.Calendars != "directory" && g.CalendarList == nil {
		d.at("google.calendars", "%q is not directory or a list (expected directory, or a list of calendar ids)", g.Calendars)
	}
	if g.ServiceAccountKeyFile != "" && g.TokenFile != "" {
		d.at("google.token_file", "both service_account_key_file and token_file are set (expected one: a service account for an organisation, or one user's OAuth token)")
	}
	if g.Endpoint == "" && g.ServiceAccountKeyFile == "" && g.TokenFile == "" {
		d.at("google", "no credentials (expected service_account_key_file, or token_file from `cadence auth google`, or the environment variables %s / %s; only an endpoint such as the fake server works without them)", EnvGoogleKeyFile, EnvGoogleTokenFile)
	}
	if g.TokenFile != "" && g.OAuthClientFile == "" {
		d.at("google.oauth_client_file", "missing (expected the OAuth client JSON that token_file was created with)")
	}
	if g.Directory.Enabled && g.Directory.AdminSubject == "" && g.ServiceAccountKeyFile != "" {
		d.at("google.directory.admin_subject", "missing (expected the administrator the service account acts as for users.list)")
	}
}
