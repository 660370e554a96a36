package cli

import (
	"bytes"
	"net/mail"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestDigestPreview(t *testing.T) {
	out := t.TempDir()
	stdout, stderr, err := run(t, "digest", "--config", exampleConfig, "--preview", "--recipient", "ANA@example.com", "--out", out, "--at", "2026-11-23T09:00:00Z")
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	if !strings.Contains(stdout, "2026-W48-ana@example.com.{html,txt,eml}  1:1 digest: 5 of 27 pairs need attention — week 48") {
		t.Errorf("stdout:\n%s", stdout)
	}
	base := filepath.Join(out, "2026-W48-ana@example.com")
	html, err := os.ReadFile(base + ".html")
	if err != nil || !bytes.Contains(html, []byte("Managers reporting to you")) {
		t.Fatalf("html: %v", err)
	}
	text, err := os.ReadFile(base + ".txt")
	if err != nil || !bytes.Contains(text, []byte("Strip legend: H held")) {
		t.Fatalf("text: %v\n%s", err, text)
	}
	eml, err := os.ReadFile(base + ".eml")
	if err != nil {
		t.Fatal(err)
	}
	msg, err := mail.ReadMessage(bytes.NewReader(eml))
	if err != nil || !strings.HasPrefix(msg.Header.Get("Content-Type"), "multipart/alternative") || msg.Header.Get("To") != `"Ana Alvarez" <ana@example.com>` {
		t.Errorf("eml: %v %v", err, msg.Header)
	}
	entries, _ := os.ReadDir(out)
	if len(entries) != 3 {
		t.Errorf("%d files, want 3", len(entries))
	}
}

func TestDigestCommandLine(t *testing.T) {
	for _, args := range [][]string{
		{"digest", "--config", exampleConfig},
		{"digest", "--config", exampleConfig, "--preview", "--send-now"},
		{"digest", "--config", exampleConfig, "--send-now", "--at", "2026-11-23"},
	} {
		if _, _, err := run(t, args...); ExitCode(err) != ExitUsage {
			t.Errorf("%v: %v (exit %d), want a usage error", args, err, ExitCode(err))
		}
	}
	// The example does not configure SMTP: sending is a config error.
	_, _, err := run(t, "digest", "--config", exampleConfig, "--send-now")
	if ExitCode(err) != ExitConfig || !strings.Contains(err.Error(), "digest.smtp.host") {
		t.Errorf("send-now without smtp: %v", err)
	}
	_, _, err = run(t, "digest", "--config", exampleConfig, "--preview", "--recipient", "nobody@example.com", "--out", t.TempDir())
	if err == nil || !strings.Contains(err.Error(), "nobody@example.com is not in the directory") {
		t.Errorf("unknown recipient: %v", err)
	}
}
