package config

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// wantDigestDefaults is the digest section of a configuration without one
// (zone: the top-level timezone).
func wantDigestDefaults(zone *time.Location) Digest {
	return Digest{
		Weekday: time.Monday, Time: 8 * time.Hour, Timezone: zone,
		Recipients: []string{}, OptOut: []string{},
		SMTP:  SMTP{Port: 587, TLS: "starttls", Auth: "plain", Timeout: 30 * time.Second},
		Retry: Retry{Attempts: 5, Backoff: time.Minute, MaxBackoff: 30 * time.Minute},
	}
}

func TestDigestDefaults(t *testing.T) {
	cfg, err := Parse([]byte("timezone: Europe/Berlin\ndirectory: {csv: org/people.csv}\n"), "/etc/cadence/cadence.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if want := wantDigestDefaults(cfg.Timezone); !reflect.DeepEqual(cfg.Digest, want) {
		t.Errorf("digest defaults\n got: %+v\nwant: %+v", cfg.Digest, want)
	}
}

func TestDigestSection(t *testing.T) {
	cfg, err := Parse([]byte(`
timezone: UTC
directory: {csv: org/people.csv}
digest:
  enabled: true
  weekday: Friday
  time: "16:30"
  timezone: America/New_York
  recipients: [Ana@Example.com, mailto:bo@example.com]
  opt_out: [CEO@example.com]
  base_url: https://cadence.example.com/
  from: "cadence <cadence@Example.COM>"
  smtp:
    host: smtp.example.com
    tls: implicit
    username: cadence
    password_file: secrets/smtp
    auth: login
    timeout: 10s
  retry: {attempts: 3, backoff: 30s, max_backoff: 5m}
`), "/etc/cadence/cadence.yaml")
	if err != nil {
		t.Fatal(err)
	}
	g := cfg.Digest
	ny, _ := time.LoadLocation("America/New_York")
	want := Digest{
		Enabled: true, Weekday: time.Friday, Time: 16*time.Hour + 30*time.Minute, Timezone: ny,
		Recipients: []string{"ana@example.com", "bo@example.com"}, OptOut: []string{"ceo@example.com"},
		BaseURL: "https://cadence.example.com/", From: "cadence <cadence@Example.COM>", MessageIDDomain: "example.com",
		SMTP: SMTP{Host: "smtp.example.com", Port: 465, TLS: "implicit", Username: "cadence",
			PasswordFile: "/etc/cadence/secrets/smtp", Auth: "login", Timeout: 10 * time.Second},
		Retry: Retry{Attempts: 3, Backoff: 30 * time.Second, MaxBackoff: 5 * time.Minute},
	}
	if !reflect.DeepEqual(g, want) {
		t.Errorf("digest\n got: %+v\nwant: %+v", g, want)
	}
	// Plain text only with the explicit opt-in.
	if _, err := Parse([]byte("directory: {csv: o.csv}\ndigest: {smtp: {tls: none, allow_plaintext: true}}\n"), "c.yaml"); err != nil {
		t.Errorf("tls none with allow_plaintext: %v", err)
	}
	if c, err := Parse([]byte("directory: {csv: o.csv}\ndigest: {smtp: {tls: none, allow_plaintext: true}}\n"), "c.yaml"); err == nil && c.Digest.SMTP.Port != 25 {
		t.Errorf("tls none port %d", c.Digest.SMTP.Port)
	}
}

func TestDigestPassword(t *testing.T) {
	const secret = "correct horse battery staple"
	dir := t.TempDir()
	file := filepath.Join(dir, "pw")
	if err := os.WriteFile(file, []byte(secret+"\r\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"SMTP_PW": secret}
	getenv := func(k string) string { return env[k] }
	for _, tc := range []struct {
		name string
		s    SMTP
		want string
		err  string
	}{
		{"no auth", SMTP{}, "", ""},
		{"file", SMTP{Username: "u", PasswordFile: file}, secret, ""},
		{"env", SMTP{Username: "u", PasswordEnv: "SMTP_PW"}, secret, ""},
		{"missing file", SMTP{Username: "u", PasswordFile: filepath.Join(dir, "nope")}, "", "digest.smtp.password_file"},
		{"unset env", SMTP{Username: "u", PasswordEnv: "OTHER"}, "", "environment variable OTHER is empty or not set"},
		{"no source", SMTP{Username: "u"}, "", "neither password_file nor password_env"},
	} {
		got, err := tc.s.Password(getenv)
		if got != tc.want || (err == nil) != (tc.err == "") || (err != nil && !strings.Contains(err.Error(), tc.err)) {
			t.Errorf("%s: %q, %v (want %q, error with %q)", tc.name, got, err, tc.want, tc.err)
		}
		if err != nil && strings.Contains(err.Error(), secret) {
			t.Errorf("%s: the error shows the password", tc.name)
		}
	}
	empty := filepath.Join(dir, "empty")
	if err := os.WriteFile(empty, []byte("\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := (SMTP{Username: "u", PasswordFile: empty}).Password(getenv); err == nil || !strings.Contains(err.Error(), "is empty") {
		t.Errorf("empty file: %v", err)
	}
}

// TestDigestExampleDocumentsDefaults: config.example.yaml's digest section
// shows the defaults, and sending is off so it needs no password.
func TestDigestExampleDocumentsDefaults(t *testing.T) {
	cfg, err := Load("../../../../config.example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := cfg.lines["digest.smtp.tls"]; !ok {
		t.Fatal("config.example.yaml has no digest.smtp.tls key")
	}
	if want := wantDigestDefaults(cfg.Timezone); !reflect.DeepEqual(cfg.Digest, want) {
		t.Errorf("example digest section differs from the defaults\n got: %+v\nwant: %+v", cfg.Digest, want)
	}
}
