package config

import (
	"errors"
	"fmt"
	"os"
	"regexp"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// Microsoft configures Microsoft 365 (Exchange Online calendars through
// Microsoft Graph, and optionally the Entra ID directory) as a source. It
// is off unless the microsoft: section is present.
type Microsoft struct {
	Enabled bool
	// Tenant is the directory (tenant) id or a verified domain; it names
	// the token endpoint.
	Tenant string
	// ClientID is the app registration's application (client) id.
	ClientID string
	// The credential, one of: a client secret read from a file or an
	// environment variable, or a certificate (PEM) with its private key
	// (in CertificateKeyFile, or in the same file). Never in the YAML.
	ClientSecretFile   string
	ClientSecretEnv    string
	CertificateFile    string
	CertificateKeyFile string
	// Endpoint is the Graph base URL with its version ("" =
	// https://graph.microsoft.com/v1.0); TokenURL the token endpoint (""
	// = https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token).
	// Point both at the fake server (fakegraph) to try cadence without a
	// tenant.
	Endpoint string
	TokenURL string
	// Mailboxes: "directory" (every person's mailbox, default) or an
	// explicit list in MailboxList (user principal names, addresses or
	// object ids).
	Mailboxes   string
	MailboxList []string
	// Timezone anchors all-day dates; nil = the top-level timezone.
	Timezone *time.Location

	PageSize         int
	Concurrency      int
	RequestsPer10Min int
	MaxAttempts      int
	RequestTimeout   time.Duration

	Directory MicrosoftDirectory
}

// MicrosoftDirectory reads the org chart from Entra ID (GET /users with
// the manager). directory.csv / directory.yaml, when also set, override
// it person by person (hire dates, team starts).
type MicrosoftDirectory struct {
	Enabled bool
	// TeamStartAttribute names the user property holding the team start
	// date (onPremisesExtensionAttributes.extensionAttributeN or
	// extension_<appId>_<name>); "" = none.
	TeamStartAttribute string
	// CreationAsHireDate uses the account's creation date when
	// employeeHireDate is empty.
	CreationAsHireDate bool
}

const msSecretInYAMLMsg = "the client secret must not be in the YAML (expected client_secret_file: a file holding it, or client_secret_env: the name of an environment variable)"

func (d *decoder) microsoft(n *yaml.Node, path string, m *Microsoft) {
	m.Enabled = true
	num := func(out *int) func(n *yaml.Node, p string) {
		return func(n *yaml.Node, p string) {
			var v int64
			d.integer(n, p, "an integer", &v)
			*out = clampInt(v)
		}
	}
	d.mapping(n, path, []field{
		{"tenant", func(n *yaml.Node, p string) {
			d.str(n, p, "a tenant id or domain such as contoso.onmicrosoft.com", &m.Tenant)
		}},
		{"client_id", func(n *yaml.Node, p string) { d.str(n, p, "the application (client) id", &m.ClientID) }},
		{"client_secret_file", func(n *yaml.Node, p string) { d.str(n, p, "a file path", &m.ClientSecretFile) }},
		{"client_secret_env", func(n *yaml.Node, p string) {
			d.str(n, p, "the name of an environment variable such as CADENCE_MICROSOFT_CLIENT_SECRET", &m.ClientSecretEnv)
		}},
		{"client_secret", func(n *yaml.Node, p string) {
			// Known so that the error is not "unknown key"; the value is
			// never read or repeated.
			d.errorf(deref(n).Line, p, "%s", msSecretInYAMLMsg)
		}},
		{"certificate_file", func(n *yaml.Node, p string) { d.str(n, p, "a PEM file path", &m.CertificateFile) }},
		{"certificate_key_file", func(n *yaml.Node, p string) { d.str(n, p, "a PEM file path", &m.CertificateKeyFile) }},
		{"endpoint", func(n *yaml.Node, p string) {
			d.str(n, p, "a URL such as https://graph.microsoft.com/v1.0", &m.Endpoint)
		}},
		{"token_url", func(n *yaml.Node, p string) { d.str(n, p, "a URL", &m.TokenURL) }},
		{"mailboxes", func(n *yaml.Node, p string) {
			if deref(n).Kind == yaml.SequenceNode {
				m.Mailboxes = "list"
				d.strings(n, p, "directory or a list of mailboxes", "a user principal name such as ana@example.com", &m.MailboxList)
				return
			}
			d.str(n, p, "directory or a list of mailboxes", &m.Mailboxes)
		}},
		{"timezone", func(n *yaml.Node, p string) { d.zone(n, p, &m.Timezone) }},
		{"page_size", num(&m.PageSize)},
		{"concurrency", num(&m.Concurrency)},
		{"requests_per_10m", num(&m.RequestsPer10Min)},
		{"max_attempts", num(&m.MaxAttempts)},
		{"request_timeout", func(n *yaml.Node, p string) { d.duration(n, p, "a duration such as 30s", &m.RequestTimeout) }},
		{"directory", func(n *yaml.Node, p string) {
			m.Directory.Enabled = true
			d.mapping(n, p, []field{
				{"enabled", func(n *yaml.Node, p string) { d.boolean(n, p, &m.Directory.Enabled) }},
				{"team_start_attribute", func(n *yaml.Node, p string) {
					d.str(n, p, "a user property such as onPremisesExtensionAttributes.extensionAttribute1", &m.Directory.TeamStartAttribute)
				}},
				{"creation_as_hire_date", func(n *yaml.Node, p string) { d.boolean(n, p, &m.Directory.CreationAsHireDate) }},
			})
		}},
	})
}

// setMicrosoftDefaults fills the microsoft: section (called from
// setDefaults).
func setMicrosoftDefaults(c *Config, has func(string) bool) {
	m := &c.Microsoft
	if !m.Enabled {
		return
	}
	if !has("microsoft.mailboxes") {
		m.Mailboxes = "directory"
	}
	if !has("microsoft.page_size") {
		m.PageSize = 200
	}
	if !has("microsoft.concurrency") {
		m.Concurrency = 8
	}
	if !has("microsoft.requests_per_10m") {
		m.RequestsPer10Min = 5000 // half of Outlook's 10,000 per 10 minutes per mailbox
	}
	if !has("microsoft.max_attempts") {
		m.MaxAttempts = 6
	}
	if !has("microsoft.request_timeout") {
		m.RequestTimeout = 30 * time.Second
	}
}

var (
	teamStartAttr = regexp.MustCompile(`^(onPremisesExtensionAttributes\.extensionAttribute([1-9]|1[0-5])|extension_[0-9a-fA-F]{32}_[A-Za-z0-9_]+|employeeOrgData\.[A-Za-z]+|[A-Za-z][A-Za-z0-9_]*)$`)
	envName       = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
)

// validateMicrosoft checks the microsoft: section (called from validate).
func validateMicrosoft(d *decoder, c *Config, at func(p, format string, args ...any)) {
	m := &c.Microsoft
	if !m.Enabled {
		return
	}
	for _, k := range []struct{ key, v string }{{"microsoft.endpoint", m.Endpoint}, {"microsoft.token_url", m.TokenURL}} {
		if k.v != "" {
			if msg := checkURL(k.v); msg != "" {
				at(k.key, "%s", msg)
			}
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
		at("microsoft.client_secret_file", "more than one credential is set (expected one of client_secret_file, client_secret_env or certificate_file)")
	case creds == 0 && m.Endpoint == "" && !d.bad["microsoft.client_secret"]:
		at("microsoft", "no credentials (expected client_secret_file, client_secret_env or certificate_file for the app registration; only an endpoint such as the fake server works without them)")
	}
	if m.ClientSecretEnv != "" && !envName.MatchString(m.ClientSecretEnv) {
		at("microsoft.client_secret_env", "%q is not an environment variable name (expected the name, such as CADENCE_MICROSOFT_CLIENT_SECRET, not the secret)", truncateValue(m.ClientSecretEnv))
	}
	if m.CertificateKeyFile != "" && m.CertificateFile == "" {
		at("microsoft.certificate_key_file", "set without certificate_file (expected the certificate beside its private key)")
	}
	if creds > 0 {
		if m.ClientID == "" {
			at("microsoft.client_id", "missing (expected the app registration's application (client) id)")
		}
		if m.Tenant == "" && m.TokenURL == "" {
			at("microsoft.tenant", "missing (expected the directory (tenant) id or a verified domain such as contoso.onmicrosoft.com)")
		}
	}
	switch m.Mailboxes {
	case "directory", "list":
	default:
		if !d.bad["microsoft.mailboxes"] {
			at("microsoft.mailboxes", "%q is not directory or a list (expected directory, or a list of mailboxes)", m.Mailboxes)
		}
	}
	if m.Mailboxes == "list" && len(m.MailboxList) == 0 {
		at("microsoft.mailboxes", "the list is empty (expected at least one mailbox, or directory)")
	}
	if m.PageSize < 1 || m.PageSize > 1000 {
		at("microsoft.page_size", "%d is out of range (expected 1..1000)", m.PageSize)
	}
	if m.Concurrency < 1 {
		at("microsoft.concurrency", "%d is less than 1", m.Concurrency)
	}
	if m.RequestsPer10Min < 1 || m.RequestsPer10Min > 10000 {
		at("microsoft.requests_per_10m", "%d is out of range (expected 1..10000: Outlook allows 10,000 requests per 10 minutes per mailbox)", m.RequestsPer10Min)
	}
	if m.MaxAttempts < 1 {
		at("microsoft.max_attempts", "%d is less than 1 (expected the number of tries of one request)", m.MaxAttempts)
	}
	if m.RequestTimeout <= 0 && !d.bad["microsoft.request_timeout"] {
		at("microsoft.request_timeout", "%s is not positive (expected a duration > 0)", fmtDuration(m.RequestTimeout))
	}
	if a := m.Directory.TeamStartAttribute; a != "" && !teamStartAttr.MatchString(a) {
		at("microsoft.directory.team_start_attribute", "%q is not a user property (expected onPremisesExtensionAttributes.extensionAttribute1..15 or a directory extension such as extension_<appId>_teamStart)", truncateValue(a))
	}
	if m.Directory.Enabled && c.Google.Directory.Enabled {
		at("microsoft.directory", "google.directory is enabled too (expected one directory source; directory.csv can override either)")
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

// MicrosoftSourceName is the source name of a mailbox.
func MicrosoftSourceName(mailbox string) string { return "microsoft:" + strings.ToLower(mailbox) }
