package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/cadence-dev/cadence/cadence"
	"github.com/cadence-dev/cadence/cmd/cadence/internal/digest"
	"github.com/cadence-dev/cadence/internal/store"
)

// runDigest is `cadence digest`: --preview writes each recipient's digest
// (.html, .txt, .eml) to --out without sending; --send-now sends this
// week's digest now through the configured SMTP server, recorded in the
// state store's send log (one digest per week and recipient).
func runDigest(ctx context.Context, args []string, env Env) error {
	fs := newFlagSet("digest", "cadence digest --config.file FILE (--preview [--out DIR] [--at TIME] | --send-now) [--recipient EMAIL]",
		"Render the weekly digest (.html, .txt, .eml per manager) without sending (--preview),\nor send this week's digest now (--send-now; recorded in the send log).", env)
	cfgPath := fs.configFile("configuration `FILE` (required)")
	preview := fs.Bool("preview", false, "write the digest as .html, .txt and .eml files without sending")
	sendNow := fs.Bool("send-now", false, "send this week's digest now (recipients already sent this week are skipped)")
	recipient := fs.String("recipient", "", "only this `EMAIL` (preview: any person of the directory)")
	out := fs.String("out", ".", "preview output `DIR`")
	at := fs.String("at", "", "preview: evaluate at this `TIME` (RFC 3339 or YYYY-MM-DD; default now)")
	resubscribe := fs.String("resubscribe", "", "undo the one-click unsubscribe of `EMAIL` (kept in the state)")
	if err := fs.parse(args); err != nil {
		return err
	}
	if *resubscribe != "" {
		if *preview || *sendNow {
			return &UsageError{Msg: "digest: --resubscribe goes alone"}
		}
		return runResubscribe(ctx, *cfgPath, *resubscribe, env)
	}
	if *preview == *sendNow {
		return &UsageError{Msg: "digest: give exactly one of --preview, --send-now or --resubscribe"}
	}
	if *sendNow && *at != "" {
		return &UsageError{Msg: "digest: --at is for --preview only (--send-now sends the current week)"}
	}
	cfg, now, err := configAt(*cfgPath, *at, env)
	if err != nil {
		return err
	}
	ev, err := evaluate(ctx, cfg, now, env.Stderr, true)
	if err != nil {
		return err
	}
	cur, prev := ev.Snapshot, ev.LastWeek
	opts := digest.Options{
		Config:   cfg,
		Snapshot: func() *cadence.Snapshot { return cur },
		Previous: func(*cadence.Snapshot) *cadence.Snapshot { return prev },
		Clock:    fixedClock{now},
	}
	if *sendNow {
		if cfg.Digest.SMTP.Host == "" || cfg.Digest.From == "" {
			return &ConfigError{Err: fmt.Errorf("config: %s: digest.smtp.host and digest.from must be set to send (see config.example.yaml)", cfg.File)}
		}
		if !cfg.EvaluateAt.IsZero() {
			return &ConfigError{Err: fmt.Errorf("config: %s:%d: evaluate_at is set: --send-now sends the current week's digest and evaluates now (remove evaluate_at, or use --preview)", cfg.File, cfg.Line("evaluate_at"))}
		}
	}
	// The state (the daemon's) holds the key of the opt-out links, who
	// opted out, and the Google calendars' zones: a preview shows what
	// would be sent when there is one.
	var st *store.Store
	if _, serr := os.Stat(cfg.Serve.StatePath); *sendNow || serr == nil {
		if st, err = openStore(ctx, cfg.Serve.StatePath, env.Stderr); err != nil {
			return err
		}
		defer st.Close()
		if opts.UnsubscribeKey, err = st.Secret(ctx, "digest_unsubscribe"); err != nil {
			return err
		}
		opts.Store = st
		opts.GoogleZones = func() map[string]string {
			z, err := st.GoogleCalendarZones(ctx)
			if err != nil {
				fmt.Fprintf(env.Stderr, "cadence: digest: %v\n", err)
			}
			return z
		}
	}

	if *preview {
		svc, err := digest.New(opts)
		if err != nil {
			return err
		}
		// A recipient whose digest cannot be built is an error (exit 1)
		// after the others are written.
		list, previewErr := svc.Preview(*recipient)
		if len(list) == 0 && previewErr != nil {
			return previewErr
		}
		if err := os.MkdirAll(*out, 0o755); err != nil {
			return fmt.Errorf("digest: --out %s: %w", *out, err)
		}
		errs := []error{previewErr}
		for _, d := range list {
			eml, err := d.EML()
			if err != nil {
				errs = append(errs, err)
				continue
			}
			base := filepath.Join(*out, d.Week+"-"+fileSafe(d.Recipient))
			for ext, data := range map[string][]byte{".html": d.HTML, ".txt": d.Text, ".eml": eml} {
				if err := os.WriteFile(base+ext, data, 0o644); err != nil {
					return fmt.Errorf("digest: %w", err)
				}
			}
			fmt.Fprintf(env.Stdout, "%s.{html,txt,eml}  %s\n", base, d.Subject)
		}
		if len(list) == 0 && previewErr == nil {
			fmt.Fprintln(env.Stderr, "cadence: digest: no recipients (digest.recipients, digest.opt_out and the directory's managers)")
		}
		return errors.Join(errs...)
	}

	pw, err := cfg.Digest.SMTP.Password(nil)
	if err != nil {
		return &ConfigError{Err: err}
	}
	opts.Sender = digest.NewSMTPSender(cfg.Digest.SMTP, pw, nil)
	opts.Clock = realClockCLI{now: env.Now}
	svc, err := digest.New(opts)
	if err != nil {
		return err
	}
	res, err := svc.SendNow(ctx, *recipient)
	fmt.Fprintf(env.Stdout, "digest %s: %d sent, %d already sent this week, %d failed\n", res.Week, len(res.Sent), len(res.Skipped), len(res.Fail))
	for _, r := range res.Fail {
		fmt.Fprintf(env.Stdout, "  failed: %s\n", r)
	}
	return err
}

// runResubscribe removes a one-click opt-out from the state.
func runResubscribe(ctx context.Context, cfgPath, who string, env Env) error {
	cfg, err := loadConfig(cfgPath)
	if err != nil {
		return err
	}
	st, err := openStore(ctx, cfg.Serve.StatePath, env.Stderr)
	if err != nil {
		return err
	}
	defer st.Close()
	ok, err := st.DigestResubscribe(ctx, who)
	if err != nil {
		return err
	}
	if !ok {
		fmt.Fprintf(env.Stdout, "%s had not unsubscribed with the digest's link (digest.opt_out in the configuration is separate)\n", who)
		return nil
	}
	fmt.Fprintf(env.Stdout, "%s gets the digest again\n", who)
	return nil
}

// fileSafe keeps letters, digits, '@', '.', '_' and '-' of an email.
func fileSafe(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '@', r == '.', r == '_', r == '-':
			return r
		}
		return '_'
	}, s)
}

// fixedClock is the preview's clock: the evaluation time.
type fixedClock struct{ t time.Time }

func (c fixedClock) Now() time.Time                         { return c.t }
func (c fixedClock) After(d time.Duration) <-chan time.Time { return time.After(d) }

// realClockCLI is Env.Now with real waits (send-now backoff).
type realClockCLI struct{ now func() time.Time }

func (c realClockCLI) Now() time.Time                         { return c.now() }
func (c realClockCLI) After(d time.Duration) <-chan time.Time { return time.After(d) }
