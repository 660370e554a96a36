// Command cadence-orgsim generates a synthetic organisation: a directory
// (DIR/people.csv) and one ICS feed per person (DIR/feeds/<person>.ics),
// written as Google Calendar and Exchange export them.
//
//	cadence-orgsim --people 2000 --months 6 --seed 1 --start 2026-05-04 --out /tmp/org --config-out /tmp/org/cadence.yaml
//	cadence-orgsim --people 10000 --out /tmp/org --google-out /tmp/org/google.json   (then: fakegoogle -data /tmp/org/google.json)
//	cadence-orgsim --people 1000 --out /tmp/org --microsoft-out /tmp/org/graph.json  (then: fakegraph -data /tmp/org/graph.json)
//	cadence-orgsim --scenario example --out examples/org --update-config config.example.yaml
//
// Output is deterministic for a seed.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/cadence-dev/cadence/examples/orgsim"
)

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "cadence-orgsim:", err)
		os.Exit(1)
	}
}

func run(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("cadence-orgsim", flag.ContinueOnError)
	fs.SetOutput(stderr)
	people := fs.Int("people", 100, "number of people")
	months := fs.Int("months", 6, "months of calendar data from --start")
	seed := fs.Uint64("seed", 1, "random seed (same seed, same bytes)")
	start := fs.String("start", "2026-05-04", "first day of data (YYYY-MM-DD)")
	broken := fs.Int("broken", 0, "number of feeds written as garbage (an HTML error page)")
	domain := fs.String("domain", "example.com", "email domain")
	out := fs.String("out", "", "output directory (required)")
	configOut := fs.String("config-out", "", "also write a cadence config listing the feeds to this file")
	updateConfig := fs.String("update-config", "", "replace the sources.ics list of this existing config file")
	googleOut := fs.String("google-out", "", "also write the org as a fake Google server dataset (Calendar v3 JSON) to this file")
	microsoftOut := fs.String("microsoft-out", "", "also write the org as a fake Microsoft Graph dataset (Graph event JSON, Entra ID users) to this file")
	scenario := fs.String("scenario", "", `"example": the hand-written example org (ignores --people, --months, --seed, --start)`)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if *out == "" {
		return errors.New("--out is required")
	}
	var org *orgsim.Org
	switch *scenario {
	case "example":
		org = orgsim.Example()
	case "":
		st, err := time.Parse("2006-01-02", *start)
		if err != nil {
			return fmt.Errorf("--start %q: want YYYY-MM-DD", *start)
		}
		org, err = orgsim.Generate(orgsim.Config{People: *people, Months: *months, Seed: *seed, Start: st, Domain: *domain, Broken: *broken})
		if err != nil {
			return err
		}
	default:
		return fmt.Errorf("--scenario %q: the only scenario is \"example\"", *scenario)
	}
	if err := org.WriteDir(*out); err != nil {
		return err
	}
	if *configOut != "" {
		rel, err := relTo(*configOut, *out)
		if err != nil {
			return err
		}
		f, err := os.Create(*configOut)
		if err != nil {
			return err
		}
		if err := org.WriteConfig(f, rel); err != nil {
			f.Close()
			return err
		}
		if err := f.Close(); err != nil {
			return err
		}
	}
	if *googleOut != "" {
		if err := writeFile(*googleOut, org.WriteGoogleDataset); err != nil {
			return err
		}
	}
	if *microsoftOut != "" {
		if err := writeFile(*microsoftOut, org.WriteMicrosoftDataset); err != nil {
			return err
		}
	}
	if *updateConfig != "" {
		rel, err := relTo(*updateConfig, *out)
		if err != nil {
			return err
		}
		data, err := os.ReadFile(*updateConfig)
		if err != nil {
			return err
		}
		block := org.ICSSourcesYAML(func(p *orgsim.Person) string { return rel + "/feeds/" + p.Feed + ".ics" })
		data, err = orgsim.ReplaceICSSources(data, block)
		if err != nil {
			return fmt.Errorf("%s: %w", *updateConfig, err)
		}
		if err := os.WriteFile(*updateConfig, data, 0o644); err != nil {
			return err
		}
	}
	fmt.Fprintf(stdout, "wrote %d people, %d meetings to %s\n", len(org.People), len(org.Meetings), *out)
	return nil
}

func writeFile(path string, write func(io.Writer) error) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := write(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// relTo returns dir relative to the directory of the config file, with
// forward slashes (config paths are resolved against the config's dir).
func relTo(configFile, dir string) (string, error) {
	base, err := filepath.Abs(filepath.Dir(configFile))
	if err != nil {
		return "", err
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	rel, err := filepath.Rel(base, abs)
	if err != nil {
		return "", err
	}
	return filepath.ToSlash(rel), nil
}
