package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestPageDefaults: the page and the JSON report are served beside
// /metrics only when the metrics name people too.
func TestPageDefaults(t *testing.T) {
	dir := t.TempDir()
	salt := filepath.Join(dir, "salt")
	if err := os.WriteFile(salt, []byte("s"), 0o600); err != nil {
		t.Fatal(err)
	}
	base := "directory: {csv: people.csv}\n"
	hash := "metrics: {identity: hash, hash_salt_file: " + salt + "}\n"
	for _, c := range []struct {
		yaml    string
		enabled bool
		listen  string
	}{
		{base, true, ""},
		{base + hash, false, ""},
		{base + "metrics: {identity: id}\n", false, ""},
		{base + hash + "serve: {page: {enabled: true}}\n", true, ""},
		{base + hash + "serve: {page: {listen_address: \"127.0.0.1:9817\"}}\n", true, "127.0.0.1:9817"},
		{base + "serve: {page: {enabled: false}}\n", false, ""},
	} {
		cfg, err := Parse([]byte(c.yaml), filepath.Join(dir, "c.yaml"))
		if err != nil {
			t.Fatalf("%s: %v", c.yaml, err)
		}
		if cfg.Serve.Page.Enabled != c.enabled || cfg.Serve.Page.ListenAddress != c.listen {
			t.Errorf("%s: page %+v, want enabled %v on %q", c.yaml, cfg.Serve.Page, c.enabled, c.listen)
		}
	}
	cfg, err := Parse([]byte(base+"serve: {web_config_file: web.yml, page: {listen_address: \":9817\"}}\n"), filepath.Join(dir, "c.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(dir, "web.yml"); cfg.Serve.Page.WebConfigFile != want {
		t.Errorf("page web config %q, want serve.web_config_file %q", cfg.Serve.Page.WebConfigFile, want)
	}
	for yaml, want := range map[string]string{
		base + "serve: {page: {listen_address: \":9816\"}}\n": `serve.page.listen_address: ":9816" is serve.listen_address`,
		base + "serve: {page: {listen_address: \"nope\"}}\n":  `serve.page.listen_address: "nope" is not host:port`,
		base + "serve: {page: {web_config_file: w.yml}}\n":    "serve.page.web_config_file: set, but serve.page.listen_address is not",
		base + "serve: {page: {enabled: yes-please}}\n":       "serve.page.enabled",
		base + "serve: {page: {listen: \"127.0.0.1:1\"}}\n":   `unknown key "listen"`,
	} {
		if _, err := Parse([]byte(yaml), filepath.Join(dir, "c.yaml")); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want %q", yaml, err, want)
		}
	}
}
