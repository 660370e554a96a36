package sources

import (
	"bytes"
	"context"

	"github.com/cadence-dev/cadence/cadence"
	"github.com/cadence-dev/cadence/calendar"
	"github.com/cadence-dev/cadence/cmd/cadence/internal/config"
)

// ICSSources are the configured ICS feeds with each owner resolved to the
// directory's primary email (an alias in the config still names one
// person; the organizer-copy preference in calendar.Dedup compares them).
func ICSSources(cfg *config.Config, dir *cadence.Directory) []calendar.ICSSource {
	srcs := cfg.ICSSources()
	for i := range srcs {
		if p, ok := dir.Resolve(srcs[i].Owner); ok {
			srcs[i].Owner = p
		}
	}
	return srcs
}

// FetchICS fetches one feed with the configured HTTP limits, conditionally
// when prev is set. fetch is calendar.Fetch, or a test's replacement.
func FetchICS(ctx context.Context, cfg *config.Config, src calendar.ICSSource, prev *calendar.Validators,
	fetch func(context.Context, calendar.ICSSource, calendar.FetchOptions) (*calendar.FetchResult, error)) (*calendar.FetchResult, error) {
	if fetch == nil {
		fetch = calendar.Fetch
	}
	return fetch(ctx, src, calendar.FetchOptions{Timeout: cfg.Sources.HTTP.Timeout, MaxBytes: cfg.Sources.HTTP.MaxBytes, Previous: prev})
}

// ParseICS parses a feed's bytes as the source's own (name, owner, zone).
func ParseICS(src calendar.ICSSource, data []byte) (*calendar.Feed, error) {
	return calendar.ParseICS(bytes.NewReader(data), calendar.ParseOptions{Name: src.Name, Owner: src.Owner, Zone: src.Zone})
}
