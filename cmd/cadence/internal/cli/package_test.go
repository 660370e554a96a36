package cli

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestPackagedConfig: the configuration the .deb/.rpm packages and the
// image install as /etc/cadence/cadence.yml (deploy/package/config.sh, from
// config.example.yaml) passes check-config with the example organisation
// where the packages put it (/usr/share/cadence/examples, here the
// repository's examples/) and keeps its state in /var/lib/cadence. CI
// checks the installed package itself (.ci/release).
func TestPackagedConfig(t *testing.T) {
	if _, err := exec.LookPath("sh"); err != nil {
		t.Skip("no sh")
	}
	root, _ := filepath.Abs("../../../..")
	dir := t.TempDir()
	out := filepath.Join(dir, "cadence.yml")
	cmd := exec.Command("sh", filepath.Join(root, "deploy/package/config.sh"), out)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("config.sh: %v\n%s", err, b)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	packaged := string(b)
	if strings.Contains(packaged, "\nevaluate_at:") {
		t.Error("the packaged configuration pins evaluate_at: an installed daemon must evaluate now")
	}
	for _, want := range []string{"\n  csv: /usr/share/cadence/examples/org/people.csv\n", "\n  state_path: /var/lib/cadence/cadence.db\n"} {
		if !strings.Contains(packaged, want) {
			t.Errorf("packaged configuration lacks %q", strings.TrimSpace(want))
		}
	}
	local := strings.ReplaceAll(packaged, "/usr/share/cadence/examples/", filepath.Join(root, "examples")+"/")
	local = strings.ReplaceAll(local, "/var/lib/cadence/", dir+"/")
	if err := os.WriteFile(out, []byte(local), 0o644); err != nil {
		t.Fatal(err)
	}
	stdout, stderr, err := run(t, "check-config", "--config.file", out)
	if err != nil {
		t.Fatalf("check-config of the packaged configuration: %v\n%s", err, stderr)
	}
	if !strings.Contains(stdout, "OK (28 people, 28 ICS sources") {
		t.Errorf("check-config: %q", stdout)
	}
}
