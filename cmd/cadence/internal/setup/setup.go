// Package setup turns a configuration into the engine's options: the
// directory sources (the org chart file, the Workspace or Entra ID
// directory, merged), the calendar sources (ICS feeds, Google Calendar,
// Microsoft 365) and the evaluation
// options. It is the only place in cmd/ that knows which sources exist;
// the engine never asks. Errors are the sources' own (credentials are
// never part of them).
package setup

import (
	"context"
	"fmt"
	"net/http"
	"reflect"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/cadence-dev/cadence/cadence"
	"github.com/cadence-dev/cadence/calendar"
	"github.com/cadence-dev/cadence/calendar/google"
	"github.com/cadence-dev/cadence/calendar/icsfeed"
	"github.com/cadence-dev/cadence/calendar/microsoft"
	"github.com/cadence-dev/cadence/cmd/cadence/internal/config"
	"github.com/cadence-dev/cadence/internal/engine"
	"github.com/cadence-dev/cadence/internal/store"
)

// Deps are what the caller injects.
type Deps struct {
	// Store is the state (nil = none: no history, no stored feeds; Google
	// and Microsoft then cannot sync).
	Store *store.Store
	// ReadOnly: the one-shot commands apply the stored history and feed
	// data without writing them (Google's and Microsoft's sync state is
	// still written: they cannot sync otherwise).
	ReadOnly bool
	Clock    engine.Clock
	Metrics  *engine.Metrics
	// Registerer receives the Google source's metrics (nil = none).
	Registerer prometheus.Registerer
	// GoogleClock paces the Google and Microsoft syncers' rate limits and
	// backoff (nil = Clock). A one-shot command's clock is fixed at --at:
	// it passes the wall clock here. (The Microsoft sync window is placed
	// on Clock, the evaluation's.)
	GoogleClock google.Clock
	// Fetch replaces how ICS feeds are fetched (tests).
	Fetch icsfeed.FetchFunc
}

// Built is what Options made, for reuse on reload.
type Built struct {
	ICS    *icsfeed.Source
	Google *google.Syncer // nil without a google: section
	// Microsoft is nil without a microsoft: section; microsoftCfg is the
	// section it was built from (kept on reload while it is unchanged).
	Microsoft    *microsoft.Syncer
	microsoftCfg config.Microsoft
}

// Options builds the engine's options for cfg. prev, when not nil, is the
// running configuration's Built: its Google syncer is kept when the
// google: section did not change (its metrics are registered once), and
// the new ICS source inherits its feeds' validators. prev is never changed:
// a reload that fails after Options leaves the running sources as they
// were.
func Options(ctx context.Context, cfg *config.Config, d Deps, prev *Built, googleChanged bool) (engine.Options, *Built, error) {
	o := engine.Options{
		Eval:                   cfg.Options(),
		Budget:                 engine.Budget{Limits: Limits(cfg), Evaluation: int(cfg.Sources.Limits.EvaluationOccurrences)},
		Clock:                  d.Clock,
		Metrics:                d.Metrics,
		ReadOnly:               d.ReadOnly,
		SyncEvery:              cfg.Serve.SyncEvery,
		EvaluateEvery:          cfg.Serve.EvaluateEvery,
		FirstEvaluationTimeout: cfg.Serve.FirstEvaluationTimeout,
		EvaluateAt:             cfg.EvaluateAt,
	}
	if d.Clock == nil {
		d.Clock = engine.RealClock
		o.Clock = d.Clock
	}
	if d.Store != nil {
		o.History = d.Store
	}
	b := &Built{}
	icsOpts := icsfeed.Options{
		Feeds:         icsFeeds(cfg),
		Timeout:       cfg.Sources.HTTP.Timeout,
		MaxBytes:      cfg.Sources.HTTP.MaxBytes,
		RedirectHosts: cfg.Sources.HTTP.RedirectHosts,
		Limits:        Limits(cfg),
		ReadOnly:      d.ReadOnly,
		Fetch:         d.Fetch,
		Now:           d.Clock.Now,
	}
	if d.Store != nil {
		icsOpts.Store = d.Store
	}
	b.ICS = icsfeed.New(icsOpts)
	if prev != nil && prev.ICS != nil {
		b.ICS.Inherit(prev.ICS)
	}
	o.Sources = append(o.Sources, b.ICS)

	fileDir := engine.DirectoryFunc(func(ctx context.Context) ([]cadence.Person, error) {
		if cfg.Google.Directory.Enabled || cfg.Microsoft.Directory.Enabled {
			// Overrides of the Workspace or Entra ID directory: they need
			// not form a directory on their own.
			return cfg.LoadPeople()
		}
		dir, err := cfg.LoadDirectory() // errors name the config key and line
		if err != nil {
			return nil, err
		}
		return engine.DirectoryOf(dir).People(ctx)
	})

	o.Directory = []engine.DirectorySource{fileDir}
	if err := addMicrosoft(ctx, cfg, d, prev, b, &o, fileDir); err != nil {
		return o, nil, err
	}
	if !cfg.Google.Enabled {
		return o, b, nil
	}
	if prev != nil && prev.Google != nil && !googleChanged {
		b.Google = prev.Google
	} else {
		if d.Store == nil {
			return o, nil, fmt.Errorf("google: no state store (serve.state_path)")
		}
		var err error
		if b.Google, err = newGoogle(ctx, cfg, d); err != nil {
			return o, nil, err
		}
	}
	g := cfg.Google
	src := &google.Source{Syncer: b.Google, Zone: g.Timezone}
	if g.Calendars == "list" {
		src.List = g.CalendarList
	}
	o.Sources = append(o.Sources, src)
	if !g.Directory.Enabled {
		return o, b, nil
	}
	_, dirEndpoint := google.Endpoints(g.Endpoint)
	dirClient, err := directoryClient(ctx, cfg)
	if err != nil {
		return o, nil, err
	}
	o.Directory = []engine.DirectorySource{workspace(b.Google, google.DirectoryConfig{
		Endpoint: dirEndpoint, Customer: g.Directory.Customer, Domain: g.Directory.Domain,
		Client: dirClient, CreationAsHireDate: g.Directory.CreationAsHireDate,
	})}
	if cfg.Directory.CSV != "" || cfg.Directory.YAML != "" {
		o.Directory = append(o.Directory, fileDir)
	}
	o.RefreshDirectory = true
	return o, b, nil
}

// workspace is the Google Workspace directory as a directory source: the
// source returns its own users (package calendar knows nothing of
// cadence's people), mapped here.
func workspace(s *google.Syncer, dc google.DirectoryConfig) engine.DirectorySource {
	return engine.DirectoryFunc(func(ctx context.Context) ([]cadence.Person, error) {
		users, err := s.Directory(ctx, dc)
		if err != nil {
			return nil, fmt.Errorf("google directory: %w", err)
		}
		out := make([]cadence.Person, 0, len(users))
		for _, u := range users {
			out = append(out, cadence.Person{
				Email: u.Email, Name: u.Name, Manager: u.Manager, HireDate: u.HireDate,
				Aliases: u.Aliases, ID: u.ID, Title: u.Title, Department: u.Department, Pos: u.Pos,
			})
		}
		return out, nil
	})
}

func icsFeeds(cfg *config.Config) []icsfeed.Feed {
	out := make([]icsfeed.Feed, 0, len(cfg.Sources.ICS))
	for _, s := range cfg.Sources.ICS {
		out = append(out, icsfeed.Feed{Name: s.Name, Owner: s.Owner, Path: s.Path, URL: s.URL, Zone: s.Zone})
	}
	return out
}

// googleClock adapts the engine's clock for the Google syncer's rate
// limiter and backoff.
type googleClock struct{ c engine.Clock }

func (g googleClock) Now() time.Time { return g.c.Now() }
func (g googleClock) Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	select {
	case <-g.c.After(d):
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// newGoogle builds the Google syncer of cfg on the state store. Credentials
// are read here; errors never contain their contents or paths.
func newGoogle(ctx context.Context, cfg *config.Config, d Deps) (*google.Syncer, error) {
	g := cfg.Google
	calEndpoint, _ := google.Endpoints(g.Endpoint)
	gc := google.Config{
		Endpoint:            calEndpoint,
		PageSize:            g.PageSize,
		PerUserPerMinute:    g.PerUserPerMinute,
		PerProjectPerMinute: g.PerProjectPerMinute,
		MaxAttempts:         g.MaxAttempts,
		Concurrency:         g.Concurrency,
		RequestTimeout:      g.RequestTimeout,
		Registerer:          d.Registerer,
		Clock:               d.GoogleClock,
	}
	if gc.Clock == nil {
		gc.Clock = googleClock{d.Clock}
	}
	if d.Metrics != nil {
		gc.SyncDuration = d.Metrics.SyncDuration()
	}
	switch {
	case g.ServiceAccountKeyFile != "":
		sa, err := serviceAccount(cfg, google.CalendarScope)
		if err != nil {
			return nil, err
		}
		gc.HTTPClient = sa.HTTPClient()
	case g.TokenFile != "":
		hc, err := userClient(ctx, cfg)
		if err != nil {
			return nil, err
		}
		gc.HTTPClient = func(context.Context, google.Calendar) (*http.Client, error) { return hc, nil }
	}
	return google.New(gc, d.Store)
}

// serviceAccount reads the service-account key for scope.
func serviceAccount(cfg *config.Config, scope string) (*google.ServiceAccount, error) {
	key, err := google.ReadSecretFile(cfg.Google.ServiceAccountKeyFile, "service account key")
	if err != nil {
		return nil, err
	}
	return google.NewServiceAccount(key, scope)
}

func userClient(ctx context.Context, cfg *config.Config) (*http.Client, error) {
	client, err := google.ReadSecretFile(cfg.Google.OAuthClientFile, "OAuth client")
	if err != nil {
		return nil, err
	}
	return google.UserClient(ctx, client, cfg.Google.TokenFile)
}

// directoryClient is the authorized client for users.list (nil with the
// fake server, which needs none).
func directoryClient(ctx context.Context, cfg *config.Config) (*http.Client, error) {
	g := cfg.Google
	switch {
	case g.ServiceAccountKeyFile != "":
		sa, err := serviceAccount(cfg, google.DirectoryScope)
		if err != nil {
			return nil, err
		}
		return sa.Client(ctx, g.Directory.AdminSubject), nil
	case g.TokenFile != "":
		return userClient(ctx, cfg)
	}
	return nil, nil
}

var _ calendar.Source = (*icsfeed.Source)(nil)
var _ calendar.Source = (*google.Source)(nil)
var _ calendar.Source = (*microsoft.Source)(nil)

// addMicrosoft adds the Microsoft 365 source of cfg (and the Entra ID
// directory, merged with the org chart file as overrides) to o. The
// running syncer of prev is kept while the microsoft: section is
// unchanged (its metrics are registered once).
func addMicrosoft(ctx context.Context, cfg *config.Config, d Deps, prev, b *Built, o *engine.Options, fileDir engine.DirectorySource) error {
	m := cfg.Microsoft
	if !m.Enabled {
		return nil
	}
	if prev != nil && prev.Microsoft != nil && reflect.DeepEqual(prev.microsoftCfg, m) {
		b.Microsoft = prev.Microsoft
	} else {
		if d.Store == nil {
			return fmt.Errorf("microsoft: no state store (serve.state_path)")
		}
		var err error
		if b.Microsoft, err = newMicrosoft(cfg, d); err != nil {
			return err
		}
	}
	b.microsoftCfg = m
	zone := m.Timezone
	if zone == nil {
		zone = cfg.Timezone
	}
	src := &microsoft.Source{Syncer: b.Microsoft, Zone: zone}
	if m.Mailboxes == "list" {
		src.List = m.MailboxList
	}
	o.Sources = append(o.Sources, src)
	if m.Directory.Enabled {
		o.Directory = []engine.DirectorySource{entra(b.Microsoft, microsoft.DirectoryConfig{
			TeamStartAttribute: m.Directory.TeamStartAttribute, CreationAsHireDate: m.Directory.CreationAsHireDate,
		})}
		if cfg.Directory.CSV != "" || cfg.Directory.YAML != "" {
			o.Directory = append(o.Directory, fileDir)
		}
		o.RefreshDirectory = true
	}
	return nil
}

// entra is the Entra ID directory as a directory source: the source
// returns its own users, mapped here.
func entra(s *microsoft.Syncer, dc microsoft.DirectoryConfig) engine.DirectorySource {
	return engine.DirectoryFunc(func(ctx context.Context) ([]cadence.Person, error) {
		users, err := s.Directory(ctx, dc)
		if err != nil {
			return nil, fmt.Errorf("microsoft directory: %w", err)
		}
		out := make([]cadence.Person, 0, len(users))
		for _, u := range users {
			out = append(out, cadence.Person{
				Email: u.Email, Name: u.Name, Manager: u.Manager, HireDate: u.HireDate, TeamStart: u.TeamStart,
				Aliases: u.Aliases, ID: u.ID, Title: u.Title, Department: u.Department, Pos: u.Pos,
			})
		}
		return out, nil
	})
}

// MicrosoftWindow is the sync window of the Microsoft source for an
// evaluation window: back past the engine's expansion window (and last
// week's evaluation) and ahead past next_scheduled, each with the
// source's margin and a week of slack; a new window every 30 days.
func MicrosoftWindow(window time.Duration) (back, ahead, minAhead time.Duration) {
	day := 24 * time.Hour
	ref := time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
	exp := engine.ExpansionWindow(ref, window)
	back = ref.Sub(exp.From) + 7*day + microsoft.Margin + 7*day
	minAhead = exp.To.Sub(ref) + microsoft.Margin + 7*day
	return back, minAhead + 30*day, minAhead
}

// newMicrosoft builds the Microsoft syncer of cfg on the state store.
// Credentials are read here; errors never contain their contents.
func newMicrosoft(cfg *config.Config, d Deps) (*microsoft.Syncer, error) {
	m := cfg.Microsoft
	mc := microsoft.Config{
		Endpoint:         m.Endpoint,
		PageSize:         m.PageSize,
		RequestsPer10Min: m.RequestsPer10Min,
		Concurrency:      m.Concurrency,
		MaxAttempts:      m.MaxAttempts,
		RequestTimeout:   m.RequestTimeout,
		Registerer:       d.Registerer,
		WindowNow:        d.Clock.Now,
	}
	mc.Back, mc.Ahead, mc.MinAhead = MicrosoftWindow(cfg.Window)
	if d.GoogleClock != nil {
		mc.Clock = d.GoogleClock
	} else {
		mc.Clock = googleClock{d.Clock}
	}
	if d.Metrics != nil {
		mc.SyncDuration = d.Metrics.SyncDuration()
	}
	secret, err := m.ClientSecret(nil)
	if err != nil {
		return nil, err
	}
	if secret != "" || m.CertificateFile != "" {
		creds := microsoft.Credentials{TokenURL: m.TokenURL, ClientID: m.ClientID, Scope: microsoft.Scope(m.Endpoint), ClientSecret: secret}
		if creds.TokenURL == "" {
			creds.TokenURL = microsoft.TokenURL(m.Tenant)
		}
		if m.CertificateFile != "" {
			certPEM, err := microsoft.ReadSecretFile(m.CertificateFile, "certificate_file")
			if err != nil {
				return nil, err
			}
			keyPEM := certPEM
			if m.CertificateKeyFile != "" {
				if keyPEM, err = microsoft.ReadSecretFile(m.CertificateKeyFile, "certificate_key_file"); err != nil {
					return nil, err
				}
			}
			if creds.Certificate, creds.Key, err = microsoft.ParseCertificate(certPEM, keyPEM); err != nil {
				return nil, err
			}
		}
		if mc.Client, err = creds.Client(); err != nil {
			return nil, err
		}
	}
	return microsoft.New(mc, d.Store)
}

// Limits are the configured per-calendar limits (sources.limits).
func Limits(cfg *config.Config) calendar.Limits {
	l := cfg.Sources.Limits
	return calendar.Limits{
		SeriesOccurrences: int(l.SeriesOccurrences),
		FeedOccurrences:   int(l.FeedOccurrences),
		ZoneTransitions:   int(l.ZoneTransitions),
		ParseTime:         l.ParseTime,
	}
}
