package digest

import (
	"context"
	"errors"
	"fmt"
	gax "github.com/googleapis/gax-go/v2"
	"log/slog"
	"sort"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/cadence-dev/cadence/cadence"
	"github.com/cadence-dev/cadence/cmd/cadence/internal/config"
	"github.com/cadence-dev/cadence/internal/engine"
	"github.com/cadence-dev/cadence/internal/store"
	"github.com/cadence-dev/cadence/report"
)

// Clock is the time source: the engine's, shared by the daemon.
type Clock = engine.Clock

// Store is the send log (*store.Store satisfies it).
type Store interface {
	DigestAttempt(ctx context.Context, week, recipient, messageID string, at time.Time) (*store.DigestRecord, error)
	DigestDone(ctx context.Context, week, recipient, errText string, at time.Time) error
	// DigestOptOuts lists who unsubscribed with the one-click link.
	DigestOptOuts(ctx context.Context) ([]string, error)
}

var _ Store = (*store.Store)(nil)

// Options configure New.
type Options struct {
	Config *config.Config
	// Store is the send log. Required for Run and SendNow.
	Store Store
	// Snapshot returns the current evaluation (nil before the first one).
	Snapshot func() *cadence.Snapshot
	// Previous returns the evaluation a week before cur, for "change since
	// last week": the engine's evaluation at T-7d on the same occurrences
	// (engine.Evaluation.LastWeek; the daemon and the CLI pass it). Nil:
	// the digest shows no changes.
	Previous func(cur *cadence.Snapshot) *cadence.Snapshot
	Clock    Clock
	Logger   *slog.Logger
	// Registerer receives the digest metrics; nil registers nowhere.
	Registerer prometheus.Registerer
	// Sender delivers messages. Required for Run and SendNow (see
	// NewSMTPSender).
	Sender Sender
	// Sleep waits between send attempts; default waits on Clock.After.
	Sleep func(ctx context.Context, d time.Duration) error
	// UnsubscribeKey signs each recipient's one-click opt-out link under
	// digest.base_url (the state's secret); nil: List-Unsubscribe has the
	// mailto only.
	UnsubscribeKey []byte
	// GoogleZones returns each Google calendar's zone (calendar id → IANA
	// name; the state's), for the times of each recipient's digest; nil:
	// none (ICS feeds' configured zones, then digest.timezone).
	GoogleZones func() map[string]string
}

// Service schedules and sends the digest.
type Service struct {
	opts Options
	cfg  *config.Config
	log  *slog.Logger
	m    metrics
	// compose is ComposeFor (tests make it fail for one recipient).
	compose func(cfg *config.Config, cur, prev *cadence.Snapshot, week, recipient string, now time.Time, per Personal) (*Rendered, error)
}

type metrics struct {
	sent, failed prometheus.Counter
	lastSuccess  prometheus.Gauge
}

// New checks the options and registers the metrics
// cadence_digest_sent_total, cadence_digest_failed_total and
// cadence_digest_last_success_timestamp_seconds.
func New(opts Options) (*Service, error) {
	if opts.Config == nil {
		return nil, errors.New("digest: no configuration")
	}
	if opts.Snapshot == nil {
		return nil, errors.New("digest: no snapshot source")
	}
	if opts.Clock == nil {
		opts.Clock = engine.RealClock
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	s := &Service{opts: opts, cfg: opts.Config, log: opts.Logger, compose: ComposeFor}
	if s.opts.Sleep == nil {
		s.opts.Sleep = func(ctx context.Context, d time.Duration) error {
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-s.opts.Clock.After(d):
				return nil
			}
		}
	}
	s.m = metrics{
		sent: prometheus.NewCounter(prometheus.CounterOpts{Name: "cadence_digest_sent_total",
			Help: "Digest emails accepted by the SMTP server."}),
		failed: prometheus.NewCounter(prometheus.CounterOpts{Name: "cadence_digest_failed_total",
			Help: "Digest emails given up after every retry failed."}),
		lastSuccess: prometheus.NewGauge(prometheus.GaugeOpts{Name: "cadence_digest_last_success_timestamp_seconds",
			Help: "When a digest email was last accepted by the SMTP server (Unix seconds); 0 before the first."}),
	}
	if opts.Registerer != nil {
		for _, c := range []prometheus.Collector{s.m.sent, s.m.failed, s.m.lastSuccess} {
			if err := opts.Registerer.Register(c); err != nil {
				return nil, fmt.Errorf("digest: register metrics: %w", err)
			}
		}
	}
	return s, nil
}

// SendTime is the scheduled send instant of the ISO week holding t:
// the configured weekday and time in the configured zone.
func SendTime(cfg *config.Config, t time.Time) time.Time {
	loc := zone(cfg)
	ws := report.WeekStart(t, loc)
	off := (int(cfg.Digest.Weekday) + 6) % 7 // days after Monday
	h, m := int(cfg.Digest.Time/time.Hour), int(cfg.Digest.Time%time.Hour/time.Minute)
	y, mo, d := ws.Date()
	return time.Date(y, mo, d+off, h, m, 0, 0, loc)
}

// Week is the ISO week ("2026-W48") of t in the digest's zone.
func Week(cfg *config.Config, t time.Time) string { return report.ISOWeek(t, zone(cfg)) }

func zone(cfg *config.Config) *time.Location {
	if cfg.Digest.Timezone != nil {
		return cfg.Digest.Timezone
	}
	if cfg.Timezone != nil {
		return cfg.Timezone
	}
	return time.UTC
}

// Recipients are the configured recipients (or every manager), resolved
// to primary emails, minus opt-outs, sorted. Recipients not in the
// directory are returned in unknown.
func Recipients(cfg *config.Config, s *cadence.Snapshot) (list, unknown []string) {
	if s == nil || s.Directory == nil {
		return nil, nil
	}
	dir := s.Directory
	out := map[string]bool{}
	if len(cfg.Digest.Recipients) == 0 {
		for _, m := range dir.Managers() {
			out[m] = true
		}
	}
	for _, r := range cfg.Digest.Recipients {
		if p, ok := dir.Resolve(r); ok {
			out[p] = true
		} else {
			unknown = append(unknown, r)
		}
	}
	for _, o := range cfg.Digest.OptOut {
		if p, ok := dir.Resolve(o); ok {
			delete(out, p)
		}
	}
	for r := range out {
		list = append(list, r)
	}
	sort.Strings(list)
	return list, unknown
}

func (s *Service) previous(cur *cadence.Snapshot) *cadence.Snapshot {
	if s.opts.Previous != nil {
		return s.opts.Previous(cur)
	}
	return nil
}

// Preview renders the digest of every recipient (or only of recipient,
// any person of the directory, when not "") for the week of the
// snapshot's time, without sending or logging anything. A recipient whose
// digest cannot be built is left out with an error naming them; the
// others are returned with the joined errors.
func (s *Service) Preview(recipient string) ([]*Rendered, error) {
	cur := s.opts.Snapshot()
	if cur == nil {
		return nil, errors.New("digest: no evaluation yet")
	}
	list, err := s.recipients(cur, recipient)
	if err != nil {
		return nil, err
	}
	prev := s.previous(cur)
	week := Week(s.cfg, cur.AsOf)
	per := s.personal(cur)
	var out []*Rendered
	var errs []error
	for _, r := range list {
		d, err := s.compose(s.cfg, cur, prev, week, r, cur.AsOf, per(r))
		if err != nil {
			errs = append(errs, err)
			continue
		}
		out = append(out, d)
	}
	return out, errors.Join(errs...)
}

func (s *Service) recipients(cur *cadence.Snapshot, only string) ([]string, error) {
	if only != "" {
		p, ok := cur.Directory.Resolve(only)
		if !ok {
			return nil, fmt.Errorf("digest: recipient %s is not in the directory", only)
		}
		return []string{p}, nil
	}
	list, unknown := Recipients(s.cfg, cur)
	for _, u := range unknown {
		s.log.Warn("digest recipient not in the directory; skipped", "recipient", u)
	}
	if s.opts.Store == nil {
		return list, nil
	}
	// Who unsubscribed with the one-click link.
	out, err := s.opts.Store.DigestOptOuts(context.Background())
	if err != nil {
		return nil, fmt.Errorf("digest: %w", err)
	}
	gone := map[string]bool{}
	for _, o := range out {
		if p, ok := cur.Directory.Resolve(o); ok {
			gone[p] = true
		}
	}
	kept := list[:0]
	for _, r := range list {
		if !gone[r] {
			kept = append(kept, r)
		}
	}
	return kept, nil
}

// personal is each recipient's zone and opt-out link, for one run.
func (s *Service) personal(cur *cadence.Snapshot) func(recipient string) Personal {
	var google map[string]string
	if s.opts.GoogleZones != nil {
		google = s.opts.GoogleZones()
	}
	zone := RecipientZones(s.cfg, cur.Directory, google)
	return func(r string) Personal {
		return Personal{Zone: zone(r), UnsubscribeURL: UnsubscribeURL(s.cfg.Digest.BaseURL, s.opts.UnsubscribeKey, r)}
	}
}

// Result sums up one run over a week's recipients.
type Result struct {
	Week                string
	Sent, Skipped, Fail []string // Skipped: already sent this week
}

// SendNow sends this week's digest (the week of the clock's now) to every
// recipient, or only to recipient, now, whatever the schedule and
// digest.enabled say. Recipients already sent this week are skipped: the
// send log keeps it to one digest per (week, recipient).
func (s *Service) SendNow(ctx context.Context, recipient string) (Result, error) {
	now := s.opts.Clock.Now()
	return s.sendWeek(ctx, Week(s.cfg, now), recipient)
}

func (s *Service) sendWeek(ctx context.Context, week, only string) (Result, error) {
	res := Result{Week: week}
	if s.opts.Store == nil || s.opts.Sender == nil {
		return res, errors.New("digest: sending needs a store and a sender")
	}
	cur := s.opts.Snapshot()
	if cur == nil {
		return res, errors.New("digest: no evaluation yet")
	}
	list, err := s.recipients(cur, only)
	if err != nil {
		return res, err
	}
	prev := s.previous(cur)
	per := s.personal(cur)
	var errs []error
	for _, r := range list {
		if err := ctx.Err(); err != nil {
			return res, err
		}
		d, err := s.compose(s.cfg, cur, prev, week, r, s.opts.Clock.Now(), per(r))
		if err != nil {
			errs = append(errs, err)
			res.Fail = append(res.Fail, r)
			continue
		}
		sent, skipped, err := s.deliver(ctx, d)
		switch {
		case skipped:
			res.Skipped = append(res.Skipped, r)
		case sent:
			res.Sent = append(res.Sent, r)
		default:
			res.Fail = append(res.Fail, r)
			errs = append(errs, err)
		}
	}
	return res, errors.Join(errs...)
}

// deliver sends d with retries, logging each attempt in the store before
// it is made. skipped: the log says it was already sent.
func (s *Service) deliver(ctx context.Context, d *Rendered) (sent, skipped bool, err error) {
	retry := s.cfg.Digest.Retry
	attempts := max(retry.Attempts, 1)
	bo := gax.Backoff{Initial: retry.Backoff, Max: retry.MaxBackoff, Multiplier: 2}
	for i := 1; ; i++ {
		rec, err := s.opts.Store.DigestAttempt(ctx, d.Week, d.Recipient, d.MessageID, s.opts.Clock.Now())
		if err != nil {
			return false, false, fmt.Errorf("digest: %s %s: %w", d.Week, d.Recipient, err)
		}
		if rec.State == store.DigestSent {
			return false, true, nil
		}
		sendErr := s.opts.Sender.Send(ctx, d.Msg)
		if sendErr == nil {
			if err := s.opts.Store.DigestDone(ctx, d.Week, d.Recipient, "", s.opts.Clock.Now()); err != nil {
				// Sent, but not recorded: a restart may send it again
				// (same Message-ID).
				s.log.Error("digest sent but the send log could not be updated", "week", d.Week, "recipient", d.Recipient, "err", err)
			}
			s.m.sent.Inc()
			s.m.lastSuccess.Set(float64(s.opts.Clock.Now().UnixNano()) / 1e9)
			s.log.Info("digest sent", "week", d.Week, "recipient", d.Recipient, "message_id", d.MessageID, "attempt", rec.Attempts)
			return true, false, nil
		}
		s.log.Warn("digest send failed", "week", d.Week, "recipient", d.Recipient, "attempt", i, "of", attempts, "err", sendErr)
		if i >= attempts || ctx.Err() != nil {
			if err := s.opts.Store.DigestDone(context.WithoutCancel(ctx), d.Week, d.Recipient, sendErr.Error(), s.opts.Clock.Now()); err != nil {
				s.log.Error("digest send log", "week", d.Week, "recipient", d.Recipient, "err", err)
			}
			s.m.failed.Inc()
			return false, false, fmt.Errorf("digest: %s to %s: gave up after %d attempts: %w", d.Week, d.Recipient, i, sendErr)
		}
		if err := s.opts.Sleep(ctx, bo.Pause()); err != nil {
			_ = s.opts.Store.DigestDone(context.WithoutCancel(ctx), d.Week, d.Recipient, sendErr.Error(), s.opts.Clock.Now())
			return false, false, fmt.Errorf("digest: %s to %s: %w (last error: %v)", d.Week, d.Recipient, err, sendErr)
		}
	}
}

// snapshotWait is how often Run looks again for a first evaluation.
const snapshotWait = time.Minute

// Run sends the digest weekly until ctx ends. At start, and after each
// wake-up, it sends the current week's digest when the week's send time
// has passed (recipients already logged as sent are skipped): a restart
// after the send time catches up, and older weeks are never sent. When
// some recipients failed, it tries them again after retry.max_backoff,
// within the same week only.
func (s *Service) Run(ctx context.Context) error {
	if s.opts.Store == nil || s.opts.Sender == nil {
		return errors.New("digest: Run needs a store and a sender")
	}
	for {
		now := s.opts.Clock.Now()
		slot := SendTime(s.cfg, now)
		var wait time.Duration
		if now.Before(slot) {
			wait = slot.Sub(now)
		} else {
			week := Week(s.cfg, now)
			res, err := s.sendWeek(ctx, week, "")
			next := SendTime(s.cfg, slot.AddDate(0, 0, 7)) // next week's slot
			wait = next.Sub(s.opts.Clock.Now())
			switch {
			case ctx.Err() != nil:
				return nil
			case err != nil && s.opts.Snapshot() == nil:
				wait = min(wait, snapshotWait)
			case err != nil:
				s.log.Error("digest run incomplete", "week", week, "sent", len(res.Sent), "failed", len(res.Fail), "err", err)
				wait = min(wait, max(s.cfg.Digest.Retry.MaxBackoff, time.Minute))
			default:
				s.log.Info("digest run done", "week", week, "sent", len(res.Sent), "already_sent", len(res.Skipped))
			}
		}
		if wait < time.Second {
			wait = time.Second
		}
		select {
		case <-ctx.Done():
			return nil
		case <-s.opts.Clock.After(wait):
		}
	}
}
