package app_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cadence-dev/cadence/cmd/cadence/internal/app"
)

// TestPagePrivacy: with metrics.identity hash, whoever can scrape /metrics
// gets no names or emails from the same listener: the page, the managers'
// pages and /api/v1/report are off there, unless serve.page gives them a
// listener of their own (or enables them explicitly).
func TestPagePrivacy(t *testing.T) {
	salt := filepath.Join(t.TempDir(), "salt")
	if err := os.WriteFile(salt, []byte("pepper\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	hash := "metrics:\n  identity: hash\n  hash_salt_file: " + salt + "\n"
	named := []string{"/", "/manager/ana@example.com", "/api/v1/report"}

	// Hashed metrics, page off.
	a := startWith(t, oneFeedConfig(t, hash), app.Options{})
	base := "http://" + a.Addr()
	for _, p := range named {
		code, body := get(t, base+p)
		if code != 404 || strings.Contains(string(body), "example.com") || !strings.Contains(string(body), "serve.page") {
			t.Errorf("hashed, page off: GET %s: %d %q", p, code, body)
		}
	}
	if code, body := get(t, base+"/metrics"); code != 200 || strings.Contains(string(body), "@example.com") || !strings.Contains(string(body), "cadence_pair_status") {
		t.Errorf("hashed /metrics: %d, emails in it or no pair series", code)
	}
	if a.PageAddr() != "" {
		t.Errorf("a page listener without serve.page.listen_address: %s", a.PageAddr())
	}

	// Hashed metrics, the page on a listener of its own.
	b := startWith(t, oneFeedConfig(t, hash+"serve:\n  page:\n    listen_address: \"127.0.0.1:1\"\n"), app.Options{PageListenAddress: "127.0.0.1:0"})
	for _, p := range named {
		if code, body := get(t, "http://"+b.Addr()+p); code != 404 || strings.Contains(string(body), "example.com") {
			t.Errorf("beside /metrics: GET %s: %d %q", p, code, body)
		}
	}
	page := "http://" + b.PageAddr()
	if code, body := get(t, page+"/manager/ana@example.com"); code != 200 || !strings.Contains(string(body), "Ana Alvarez") || strings.Contains(string(body), `href="/metrics"`) {
		t.Errorf("page listener: %d, without Ana or linking /metrics", code)
	}
	if code, body := get(t, page+"/api/v1/report"); code != 200 || !strings.Contains(string(body), "ana@example.com") {
		t.Errorf("page listener /api/v1/report: %d", code)
	}
	for _, p := range []string{"/metrics", "/-/reload"} {
		if code, _ := get(t, page+p); code != 404 && code != 405 {
			t.Errorf("page listener serves %s: %d", p, code)
		}
	}
	if code, _ := get(t, page+"/healthz"); code != 200 {
		t.Errorf("page listener /healthz: %d", code)
	}

	// Hashed metrics, the page explicitly enabled beside them.
	c := startWith(t, oneFeedConfig(t, hash+"serve:\n  page:\n    enabled: true\n"), app.Options{})
	if code, body := get(t, "http://"+c.Addr()+"/"); code != 200 || !strings.Contains(string(body), "Ana Alvarez") {
		t.Errorf("explicitly enabled: %d", code)
	}
}
