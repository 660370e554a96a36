package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cadence-dev/cadence/calendar/google/fakegoogle"
)

func TestRunWritesOrgAndConfig(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "org")
	cfg := filepath.Join(dir, "cadence.yaml")
	var stdout, stderr bytes.Buffer
	err := run([]string{"--people", "12", "--months", "2", "--seed", "3", "--start", "2026-05-04", "--broken", "1",
		"--out", out, "--config-out", cfg, "--google-out", filepath.Join(dir, "google.json")}, &stdout, &stderr)
	if err != nil {
		t.Fatalf("run: %v (stderr %s)", err, stderr.String())
	}
	feeds, _ := filepath.Glob(filepath.Join(out, "feeds", "*.ics"))
	if len(feeds) != 12 {
		t.Errorf("%d feeds, want 12", len(feeds))
	}
	data, err := os.ReadFile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(data), "    - name: "); n != 12 {
		t.Errorf("config lists %d sources, want 12:\n%s", n, data)
	}
	if !strings.Contains(string(data), "csv: org/people.csv") || !strings.Contains(string(data), "path: org/feeds/") {
		t.Errorf("config paths are not relative to the config file:\n%s", data)
	}
	gj, err := os.ReadFile(filepath.Join(dir, "google.json"))
	if err != nil {
		t.Fatal(err)
	}
	fake := fakegoogle.New()
	if err := fake.LoadDataset(bytes.NewReader(gj), "google.json"); err != nil {
		t.Errorf("--google-out: %v", err)
	}
	if !strings.Contains(stdout.String(), "wrote 12 people") {
		t.Errorf("stdout %q", stdout.String())
	}
}

func TestRunUpdateConfig(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "config.yaml")
	orig := "timezone: UTC\nsources:\n  # feeds\n  ics:\n    - name: old\n      path: old.ics\n\npolicies: []\n"
	if err := os.WriteFile(cfg, []byte(orig), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := run([]string{"--scenario", "example", "--out", filepath.Join(dir, "ex"), "--update-config", cfg}, &bytes.Buffer{}, &bytes.Buffer{}); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(cfg)
	s := string(data)
	if strings.Contains(s, "name: old") || !strings.Contains(s, "path: ex/feeds/ana.ics") || !strings.HasSuffix(s, "\npolicies: []\n") || !strings.HasPrefix(s, "timezone: UTC\nsources:\n  # feeds\n  ics:\n") {
		t.Errorf("updated config:\n%s", s)
	}
}

func TestRunErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--people", "5"}, "--out is required"},
		{[]string{"--out", "x", "--start", "May"}, `--start "May"`},
		{[]string{"--out", "x", "--scenario", "huge"}, `--scenario "huge"`},
		{[]string{"--out", "x", "--people", "1"}, "at least 2"},
		{[]string{"--out", "x", "extra"}, `unexpected argument "extra"`},
	} {
		err := run(tc.args, &bytes.Buffer{}, &bytes.Buffer{})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("run(%q) = %v, want an error containing %q", tc.args, err, tc.want)
		}
	}
}
