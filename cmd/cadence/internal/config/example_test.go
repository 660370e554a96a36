package config_test

import (
	"fmt"

	"github.com/cadence-dev/cadence/cmd/cadence/internal/config"
)

func Example() {
	cfg, err := config.Parse([]byte(`
timezone: Europe/Berlin
directory:
  csv: org/people.csv
sources:
  ics:
    - name: ana
      owner: Ana@Example.com
      url: https://calendar.example.com/ana.ics
window: 8w
`), "/etc/cadence/cadence.yaml")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(cfg.Directory.CSV)
	for _, s := range cfg.ICSSources() {
		fmt.Println(s.Name, s.Owner, s.URL, s.Zone)
	}
	fmt.Println("window:", cfg.Window, "max duration:", cfg.Options().MaxDuration)
	for _, r := range cfg.Policies {
		fmt.Printf("rule %s every %v\n", r.Name, r.Every)
	}

	// Every problem is reported, one per line, with its line and key.
	_, err = config.Parse([]byte(`
directory: {csv: org/people.csv}
polcies:
  - name: direct
window: 90 days
`), "cadence.yaml")
	fmt.Println(err)
	// Output:
	// /etc/cadence/org/people.csv
	// ana ana@example.com https://calendar.example.com/ana.ics Europe/Berlin
	// window: 1344h0m0s max duration: 2h0m0s
	// rule new-hire every 168h0m0s
	// rule direct every 336h0m0s
	// rule skip every 720h0m0s
	// rule peer every 720h0m0s
	// config: cadence.yaml:3: unknown key "polcies" at top level (did you mean "policies"?)
	// config: cadence.yaml:5: window: invalid duration "90 days": has a space (expected a duration such as 90d)
}
