package app

import (
	"context"
	"net/http"

	"github.com/cadence-dev/cadence/cmd/cadence/internal/digest"
	"github.com/cadence-dev/cadence/report"
)

// startDigest registers the digest metrics and, when digest.enabled, runs
// the weekly sender until ctx ends. Call once, from Start.
func (a *App) startDigest(ctx context.Context) error {
	cfg := a.config()
	opts := digest.Options{Config: cfg, Store: a.store, Snapshot: a.Snapshot, Previous: a.Previous, Clock: a.clock,
		Logger: a.log.With("component", "digest"), Registerer: a.reg}
	if cfg.Digest.Enabled {
		pw, err := cfg.Digest.SMTP.Password(nil)
		if err != nil {
			return err
		}
		opts.Sender = digest.NewSMTPSender(cfg.Digest.SMTP, pw, nil)
	}
	svc, err := digest.New(opts)
	if err != nil {
		return err
	}
	if cfg.Digest.Enabled {
		a.wg.Add(1)
		go func() { defer a.wg.Done(); _ = svc.Run(ctx) }()
	}
	return nil
}

// pageHandler is the org-health page for GET / and GET /manager/{email}.
func (a *App) pageHandler() http.Handler {
	cfg := a.config()
	return report.NewPageHandler(a.Snapshot, report.PageOptions{
		View:     report.ViewOptions{Location: cfg.Digest.Timezone},
		Previous: a.Previous,
		Links: []report.PageLink{{Name: "metrics", Href: "/metrics"}, {Name: "report (JSON)", Href: "/api/v1/report"},
			{Name: "ready", Href: "/-/ready"}},
	})
}
