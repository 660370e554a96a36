package config

import (
	"errors"
	"fmt"
	"os"
	"regexp"
	"strings"
	"time"
)

// Microsoft configures Microsoft 365 (Exchange Online calendars through
// Microsoft Graph, and optionally the Entra ID directory) as a source. It
// is off unless the microsoft: section is present.
type Microsoft struct {
	Enabled bool
	// Tenant is the directory (tenant) id or a verified domain; it names
	// the token endpoint.
	Tenant string `yaml:"tenant" hint:"a tenant id or domain such as contoso.onmicrosoft.com"`
	// ClientID is the app registration's application (client) id.
	ClientID string `yaml:"client_id" hint:"the application (client) id"`
	// The credential, one of: a client secret read from a file or an
	// environment variable, or a certificate (PEM) with its private key
	// (in CertificateKeyFile, or in the same file). Never in the YAML.
	ClientSecretFile   string   `yaml:"client_secret_file" hint:"a file path"`
	ClientSecretEnv    string   `yaml:"client_secret_env" hint:"the name of an environment variable such as CADENCE_MICROSOFT_CLIENT_SECRET"`
	_                  struct{} `yaml:"client_secret" reject:"the client secret must not be in the YAML (expected client_secret_file: a file holding it, or client_secret_env: the name of an environment variable)"`
	CertificateFile    string   `yaml:"certificate_file" hint:"a PEM file path"`
	CertificateKeyFile string   `yaml:"certificate_key_file" hint:"a PEM file path"`
	// Endpoint is the Graph base URL with its version ("" =
	// https://graph.microsoft.com/v1.0); TokenURL the token endpoint (""
	// = https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token).
	// Point both at the fake server (fakegraph) to try cadence without a
	// tenant.
	Endpoint string `yaml:"endpoint" hint:"a URL such as https://graph.microsoft.com/v1.0"`
	TokenURL string `yaml:"token_url" hint:"a URL"`
	// Mailboxes: "directory" (every person's mailbox, default) or "list"
	// for the explicit list in MailboxList (user principal names,
	// addresses or object ids), written as a list in the same key.
	Mailboxes   string   `yaml:"mailboxes" hint:"directory or a list of mailboxes"`
	MailboxList []string `yaml:"mailboxes" hint:"directory or a list of mailboxes|a user principal name such as ana@example.com" nonempty:"the list is empty (expected at least one mailbox, or directory)"`
	// Timezone anchors all-day dates; nil = the top-level timezone.
	Timezone *time.Location `yaml:"timezone"`

	PageSize         int           `yaml:"page_size" hint:"an integer" check:"1..1000 %v is out of range (expected 1..1000)"`
	Concurrency      int           `yaml:"concurrency" hint:"an integer" check:"1.. %v is less than 1"`
	RequestsPer10Min int           `yaml:"requests_per_10m" hint:"an integer" check:"1..10000 %v is out of range (expected 1..10000: Outlook allows 10,000 requests per 10 minutes per mailbox)"`
	MaxAttempts      int           `yaml:"max_attempts" hint:"an integer" check:"1.. %v is less than 1 (expected the number of tries of one request)"`
	RequestTimeout   time.Duration `yaml:"request_timeout" hint:"a duration such as 30s" check:"1.. %v is not positive (expected a duration > 0)"`

	Directory MicrosoftDirectory `yaml:"directory"`
}

// MicrosoftDirectory reads the org chart from Entra ID (GET /users with
// the manager). directory.csv / directory.yaml, when also set, override
// it person by person (hire dates, team starts). The section enables it.
type MicrosoftDirectory struct {
	Enabled bool `yaml:"enabled"`
	// TeamStartAttribute names the user property holding the team start
	// date (onPremisesExtensionAttributes.extensionAttributeN or
	// extension_<appId>_<name>); "" = none.
	TeamStartAttribute string `yaml:"team_start_attribute" hint:"a user property such as onPremisesExtensionAttributes.extensionAttribute1"`
	// CreationAsHireDate uses the account's creation date when
	// employeeHireDate is empty.
	CreationAsHireDate bool `yaml:"creation_as_hire_date"`
}

var (
	teamStartAttr = regexp.MustCompile(`^(onPremisesExtensionAttributes\.extensionAttribute([1-9]|1[0-5])|extension_[0-9a-fA-F]{32}_[A-Za-z0-9_]+|employeeOrgData\.[A-Za-z]+|[A-Za-z][A-Za-z0-9_]*)$`)
	envName       = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
)

// validateMicrosoft checks the microsoft: section across keys.
func validateMicrosoft(d *decoder, c *Config) {
	m := &c.Microsoft
	if !m.Enabled {
		return
	}
	for _, k := range []struct{ key, v string }{{"microsoft.endpoint", m.Endpoint}, {"microsoft.token_url", m.TokenURL}} {
		if msg := checkURL(k.v); k.v != "" && msg != "" {
			d.at(k.key, "%s", msg)
		}
	}
	creds := 0
	for _, v := range []string{m.ClientSecretFile, m.ClientSecretEnv, m.CertificateFile} {
		if v != "" {
			creds++
		}
	}
	switch {
	case creds > 1:
		d.at("microsoft.client_secret_file", "more than one credential is set (expected one of client_secret_file, client_secret_env or certificate_file)")
	case creds == 0 && m.Endpoint == "" && !d.bad["microsoft.client_secret"]:
		d.at("microsoft", "no credentials (expected client_secret_file, client_secret_env or certificate_file for the app registration; only an endpoint such as the fake server works without them)")
	}
	if m.ClientSecretEnv != "" && !envName.MatchString(m.ClientSecretEnv) {
		d.at("microsoft.client_secret_env", "%q is not an environment variable name (expected the name, such as CADENCE_MICROSOFT_CLIENT_SECRET, not the secret)", truncateValue(m.ClientSecretEnv))
	}
	if m.CertificateKeyFile != "" && m.CertificateFile == "" {
		d.at("microsoft.certificate_key_file", "set without certificate_file (expected the certificate beside its private key)")
	}
	if creds > 0 && m.ClientID == "" {
		d.at("microsoft.client_id", "missing (expected the app registration's application (client) id)")
	}
	if creds > 0 && m.Tenant == "" && m.TokenURL == "" {
		d.at("microsoft.tenant", "missing (expected the directory (tenant) id or a verified domain such as contoso.onmicrosoft.com)")
	}
	if m.Mailboxes != "directory" && m.MailboxList == nil {
		d.at("microsoft.mailboxes", "%q is not directory or a list (expected directory, or a list of mailboxes)", m.Mailboxes)
	}
	if a := m.Directory.TeamStartAttribute; a != "" && !teamStartAttr.MatchString(a) {
		d.at("microsoft.directory.team_start_attribute", "%q is not a user property (expected onPremisesExtensionAttributes.extensionAttribute1..15 or a directory extension such as extension_<appId>_teamStart)", truncateValue(a))
	}
	if m.Directory.Enabled && c.Google.Directory.Enabled {
		d.at("microsoft.directory", "google.directory is enabled too (expected one directory source; directory.csv can override either)")
	}
}

func truncateValue(s string) string {
	if len(s) > 60 {
		return s[:60] + "…"
	}
	return s
}

// ClientSecret reads the client secret from its file (surrounding white
// space trimmed) or environment variable (getenv, os.Getenv when nil);
// "" with a nil error when the credential is a certificate or there is
// none. Errors name the file or variable, never the value.
func (m Microsoft) ClientSecret(getenv func(string) string) (string, error) {
	if getenv == nil {
		getenv = os.Getenv
	}
	switch {
	case m.ClientSecretFile != "":
		b, err := os.ReadFile(m.ClientSecretFile)
		if err != nil {
			var pe *os.PathError
			if errors.As(err, &pe) {
				err = pe.Err
			}
			return "", fmt.Errorf("config: microsoft.client_secret_file %s: %w", m.ClientSecretFile, err)
		}
		s := strings.TrimSpace(string(b))
		if s == "" {
			return "", fmt.Errorf("config: microsoft.client_secret_file %s is empty", m.ClientSecretFile)
		}
		return s, nil
	case m.ClientSecretEnv != "":
		s := strings.TrimSpace(getenv(m.ClientSecretEnv))
		if s == "" {
			return "", fmt.Errorf("config: microsoft.client_secret_env: environment variable %s is empty or not set", m.ClientSecretEnv)
		}
		return s, nil
	}
	return "", nil
}
