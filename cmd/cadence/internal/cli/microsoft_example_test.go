package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	goldenpkg "github.com/cadence-dev/cadence/internal/golden"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/cadence-dev/cadence/calendar/microsoft/fakegraph"
	"github.com/cadence-dev/cadence/examples/orgsim"
)

// TestExampleOrgGraphMatchesICS evaluates the example organisation twice
// at the golden instant: from its ICS feeds (config.example.yaml) and from
// its Microsoft Graph form (every mailbox on Exchange Online, the org
// chart from Entra ID, served by fakegraph from the generated
// examples/microsoft/dataset.json, with examples/microsoft/config.yaml,
// the README's "try it without a tenant"), with the same classification
// and policies. The JSON reports are equal but for the sources (ICS feeds
// there, mailboxes here; the broken feed is a mailbox the app may not
// read).
func TestExampleOrgGraphMatchesICS(t *testing.T) {
	const at = "2026-11-23T09:00:00Z"
	icsOut, stderr, err := run(t, "report", "--config", "../../../../config.example.yaml", "--at", at, "--format", "json")
	if err != nil {
		t.Fatalf("ICS report: %v\n%s", err, stderr)
	}

	// The committed dataset is what the generator writes.
	var buf bytes.Buffer
	if err := orgsim.Example().WriteMicrosoftDataset(&buf); err != nil {
		t.Fatal(err)
	}
	committed, err := os.ReadFile("../../../../examples/microsoft/dataset.json")
	if err != nil || !bytes.Equal(committed, buf.Bytes()) {
		t.Errorf("examples/microsoft/dataset.json differs from orgsim.Example().WriteMicrosoftDataset (go generate ./examples/orgsim): %v", err)
	}
	fake := fakegraph.New()
	if err := fake.LoadDataset(bytes.NewReader(buf.Bytes()), "dataset.json"); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(fake)
	defer srv.Close()

	// The walkthrough's configuration, pointed at this server.
	raw, err := os.ReadFile("../../../../examples/microsoft/config.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	doc["microsoft"].(map[string]any)["endpoint"] = fakegraph.Endpoint(srv.URL)
	doc["serve"].(map[string]any)["state_path"] = filepath.Join(dir, "state.db")
	out, err := yaml.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(dir, "cadence.yaml")
	if err := os.WriteFile(cfg, out, 0o644); err != nil {
		t.Fatal(err)
	}
	if out, stderr, err := run(t, "check-config", "--config", cfg); err != nil || !strings.Contains(out, "org chart from the Entra ID directory") {
		t.Errorf("check-config: %q, %v\n%s", out, err, stderr)
	}
	graphOut, stderr, err := run(t, "report", "--config", cfg, "--at", at, "--format", "json")
	if err != nil {
		t.Fatalf("Graph report: %v\n%s", err, stderr)
	}
	strip := func(s string) (string, []any) {
		var m map[string]any
		if err := json.Unmarshal([]byte(s), &m); err != nil {
			t.Fatal(err)
		}
		srcs, _ := m["sources"].([]any)
		delete(m, "sources")
		b, _ := json.MarshalIndent(m, "", " ")
		return string(b), srcs
	}
	icsDoc, icsSrc := strip(icsOut)
	graphDoc, graphSrc := strip(graphOut)
	if icsDoc != graphDoc {
		t.Errorf("the reports differ:\n%s", goldenpkg.FirstDiff(icsDoc, graphDoc))
	}
	failed := func(srcs []any) (n int) {
		for _, s := range srcs {
			if ok, _ := s.(map[string]any)["ok"].(bool); !ok {
				n++
			}
		}
		return n
	}
	if len(graphSrc) != len(icsSrc) || failed(graphSrc) != 1 || failed(icsSrc) != 1 {
		t.Errorf("sources: ICS %d (%d failed), Graph %d (%d failed); want 28 each, one failed", len(icsSrc), failed(icsSrc), len(graphSrc), failed(graphSrc))
	}
	if testing.Verbose() {
		fmt.Fprintln(os.Stderr, stderr)
	}
}
