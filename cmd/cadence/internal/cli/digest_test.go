package cli

import (
	"bytes"
	"context"
	"net/mail"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cadence-dev/cadence/cmd/cadence/internal/digest"
	"github.com/cadence-dev/cadence/internal/store"
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

// TestDigestPreviewWithState: with the daemon's state, the preview has
// each recipient's signed one-click link and leaves out who unsubscribed
// with it; --resubscribe takes them back.
func TestDigestPreviewWithState(t *testing.T) {
	example, err := os.ReadFile(exampleConfig)
	if err != nil {
		t.Fatal(err)
	}
	root, _ := filepath.Abs("../../../..")
	dir := t.TempDir()
	cfg := strings.ReplaceAll(string(example), " examples/", " "+root+"/examples/")
	cfg = strings.Replace(cfg, "  state_path: cadence.db", "  state_path: "+filepath.Join(dir, "state.db"), 1)
	cfg = strings.Replace(cfg, "  # base_url: https://cadence.example.com/", "  base_url: https://cadence.example.com/", 1)
	cfgPath := filepath.Join(dir, "cadence.yaml")
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(context.Background(), filepath.Join(dir, "state.db"))
	if err != nil {
		t.Fatal(err)
	}
	if err := st.DigestOptOut(context.Background(), "gus@example.com", pinned); err != nil {
		t.Fatal(err)
	}
	key, _ := st.Secret(context.Background(), "digest_unsubscribe")
	st.Close()
	out := t.TempDir()
	stdout, stderr, err := run(t, "digest", "--config", cfgPath, "--preview", "--out", out)
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	if strings.Contains(stdout, "gus@example.com") || !strings.Contains(stdout, "ana@example.com") {
		t.Errorf("preview after gus's opt-out:\n%s", stdout)
	}
	eml, err := os.ReadFile(filepath.Join(out, "2026-W48-ana@example.com.eml"))
	if err != nil {
		t.Fatal(err)
	}
	msg, err := mail.ReadMessage(bytes.NewReader(eml))
	if err != nil {
		t.Fatal(err)
	}
	want := "<mailto:cadence@cadence.invalid?subject=unsubscribe>, <" + digest.UnsubscribeURL("https://cadence.example.com/", key, "ana@example.com") + ">"
	if got := msg.Header.Get("List-Unsubscribe"); got != want {
		t.Errorf("List-Unsubscribe %q\nwant %q", got, want)
	}
	stdout, _, err = run(t, "digest", "--config", cfgPath, "--resubscribe", "Gus@example.com")
	if err != nil || !strings.Contains(stdout, "gets the digest again") {
		t.Errorf("resubscribe: %v %q", err, stdout)
	}
	stdout, _, _ = run(t, "digest", "--config", cfgPath, "--preview", "--out", t.TempDir())
	if !strings.Contains(stdout, "gus@example.com") {
		t.Errorf("gus still left out after --resubscribe:\n%s", stdout)
	}
}
