// Package sources builds the calendar sources a configuration names (the
// Google Calendar syncer, the Workspace directory merged with the CSV
// override) for both the one-shot commands and the daemon.
package sources

import (
	"context"
	"fmt"
	"net/http"
	"sort"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/cadence-dev/cadence/cadence"
	"github.com/cadence-dev/cadence/calendar/google"
	"github.com/cadence-dev/cadence/cmd/cadence/internal/config"
)

// Google is the configured Google source: a syncer with its credentials.
type Google struct {
	cfg    *config.Config
	syncer *google.Syncer
	// dirClient is the client for users.list (nil with the fake server).
	dirClient *http.Client
}

// GoogleOptions are the daemon's injections; zero values suit one-shot
// commands.
type GoogleOptions struct {
	Registerer   prometheus.Registerer
	SyncDuration *prometheus.GaugeVec
	Clock        google.Clock
}

// NewGoogle builds the Google source of cfg, or returns nil when the
// configuration has no google: section. Credentials are read here; errors
// never contain their contents or paths.
func NewGoogle(ctx context.Context, cfg *config.Config, st google.StateStore, o GoogleOptions) (*Google, error) {
	g := cfg.Google
	if !g.Enabled {
		return nil, nil
	}
	calEndpoint, _ := google.Endpoints(g.Endpoint)
	gc := google.Config{
		Endpoint:            calEndpoint,
		PageSize:            g.PageSize,
		PerUserPerMinute:    g.PerUserPerMinute,
		PerProjectPerMinute: g.PerProjectPerMinute,
		MaxAttempts:         g.MaxAttempts,
		Concurrency:         g.Concurrency,
		RequestTimeout:      g.RequestTimeout,
		Registerer:          o.Registerer,
		SyncDuration:        o.SyncDuration,
		Clock:               o.Clock,
	}
	out := &Google{cfg: cfg}
	switch {
	case g.ServiceAccountKeyFile != "":
		key, err := google.ReadSecretFile(g.ServiceAccountKeyFile, "service account key")
		if err != nil {
			return nil, err
		}
		sa, err := google.NewServiceAccount(key, google.CalendarScope)
		if err != nil {
			return nil, err
		}
		gc.HTTPClient = sa.HTTPClient()
		if g.Directory.Enabled {
			dsa, err := google.NewServiceAccount(key, google.DirectoryScope)
			if err != nil {
				return nil, err
			}
			out.dirClient = dsa.Client(ctx, g.Directory.AdminSubject)
		}
	case g.TokenFile != "":
		client, err := google.ReadSecretFile(g.OAuthClientFile, "OAuth client")
		if err != nil {
			return nil, err
		}
		hc, err := google.UserClient(ctx, client, g.TokenFile)
		if err != nil {
			return nil, err
		}
		gc.HTTPClient = func(context.Context, google.Calendar) (*http.Client, error) { return hc, nil }
		out.dirClient = hc
	}
	s, err := google.New(gc, st)
	if err != nil {
		return nil, err
	}
	out.syncer = s
	return out, nil
}

// Syncer is the underlying syncer.
func (g *Google) Syncer() *google.Syncer { return g.syncer }

// Calendars lists the calendars to sync: every person's primary calendar,
// or the configured list. A list entry that is a person's email (or alias)
// belongs to that person; other ids belong to nobody of the directory and
// are synced under their own id.
func (g *Google) Calendars(dir *cadence.Directory) []google.Calendar {
	var ids []string
	if g.cfg.Google.Calendars == "list" {
		ids = append(ids, g.cfg.Google.CalendarList...)
	} else {
		for _, p := range dir.People() {
			ids = append(ids, p.Email)
		}
	}
	sort.Strings(ids)
	cals := google.PrimaryCalendars(ids, "google:", g.cfg.Google.Timezone)
	for i := range cals {
		if p, ok := dir.Resolve(cals[i].ID); ok {
			cals[i].Owner = p
		}
	}
	return cals
}

// Directory reads the Workspace directory (when google.directory is on).
func (g *Google) Directory(ctx context.Context) ([]cadence.Person, error) {
	_, dirEndpoint := google.Endpoints(g.cfg.Google.Endpoint)
	d := g.cfg.Google.Directory
	return g.syncer.Directory(ctx, google.DirectoryConfig{
		Endpoint: dirEndpoint, Customer: d.Customer, Domain: d.Domain,
		Client: g.dirClient, CreationAsHireDate: d.CreationAsHireDate,
	})
}

// LoadDirectory builds the org chart: the CSV/YAML file, the Workspace
// directory, or the Workspace directory with the file overriding it person
// by person (cadence.MergePeople).
func LoadDirectory(ctx context.Context, cfg *config.Config, g *Google) (*cadence.Directory, error) {
	if !cfg.Google.Directory.Enabled || g == nil {
		return cfg.LoadDirectory()
	}
	people, err := g.Directory(ctx)
	if err != nil {
		return nil, fmt.Errorf("google directory: %w", err)
	}
	if cfg.Directory.CSV != "" || cfg.Directory.YAML != "" {
		override, err := cfg.LoadPeople()
		if err != nil {
			return nil, err
		}
		people = cadence.MergePeople(people, override)
	}
	return cadence.NewDirectory(people)
}
