package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestMicrosoftSection(t *testing.T) {
	dir := t.TempDir()
	secret := filepath.Join(dir, "graph-secret")
	if err := os.WriteFile(secret, []byte("  the-secret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := Parse([]byte(`
directory:
  csv: people.csv
microsoft:
  tenant: contoso.onmicrosoft.com
  client_id: 11111111-2222-3333-4444-555555555555
  client_secret_file: graph-secret
  mailboxes: [Ana@Example.com, bo@example.com]
  directory:
    team_start_attribute: onPremisesExtensionAttributes.extensionAttribute3
`), filepath.Join(dir, "cadence.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	m := cfg.Microsoft
	if !m.Enabled || m.Mailboxes != "list" || len(m.MailboxList) != 2 || m.PageSize != 200 || m.Concurrency != 8 ||
		m.RequestsPer10Min != 5000 || m.MaxAttempts != 6 || m.RequestTimeout != 30*time.Second || !m.Directory.Enabled ||
		m.ClientSecretFile != secret {
		t.Errorf("microsoft = %+v", m)
	}
	if s, err := m.ClientSecret(nil); err != nil || s != "the-secret" {
		t.Errorf("secret %q, %v", s, err)
	}
	m.ClientSecretFile, m.ClientSecretEnv = "", "CADENCE_TEST_MS_SECRET"
	env := func(k string) string {
		if k == "CADENCE_TEST_MS_SECRET" {
			return "from-env"
		}
		return ""
	}
	if s, err := m.ClientSecret(env); err != nil || s != "from-env" {
		t.Errorf("secret from env %q, %v", s, err)
	}
	m.ClientSecretEnv = "CADENCE_TEST_MS_UNSET"
	if _, err := m.ClientSecret(env); err == nil || !strings.Contains(err.Error(), "CADENCE_TEST_MS_UNSET") {
		t.Errorf("unset variable: %v", err)
	}
	// Without a directory file, the Entra ID directory is the org chart.
	if _, err := Parse([]byte("microsoft:\n  endpoint: http://127.0.0.1:8091/v1.0\n  directory: {}\n"), "c.yaml"); err != nil {
		t.Errorf("fake endpoint with the Entra directory: %v", err)
	}
	// The two directories together are one too many.
	_, err = Parse([]byte("google:\n  endpoint: http://127.0.0.1:8090\n  directory: {}\nmicrosoft:\n  endpoint: http://127.0.0.1:8091/v1.0\n  directory: {}\n"), "c.yaml")
	if err == nil || !strings.Contains(err.Error(), "microsoft.directory: google.directory is enabled too") {
		t.Errorf("both directories: %v", err)
	}
}
