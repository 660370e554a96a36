package app

import (
	"fmt"
	"os"
	"strings"

	"github.com/cadence-dev/cadence/cmd/cadence/internal/config"
	"github.com/cadence-dev/cadence/report"
)

// metricsOptions maps the config's metrics section to the collector's
// options; the hash salt is read from its file, never from the YAML.
func metricsOptions(cfg *config.Config) (report.MetricsOptions, error) {
	o := report.MetricsOptions{PerPair: cfg.Metrics.PerPair, Identity: cfg.Metrics.Identity}
	if cfg.Metrics.Identity == "hash" {
		b, err := os.ReadFile(cfg.Metrics.HashSaltFile)
		if err != nil {
			return o, fmt.Errorf("config: metrics.hash_salt_file: %w", err)
		}
		o.Salt = strings.TrimSpace(string(b))
		if o.Salt == "" {
			return o, fmt.Errorf("config: metrics.hash_salt_file %s is empty", cfg.Metrics.HashSaltFile)
		}
	}
	return o, nil
}
