package microsoft

import (
	"context"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/cadence-dev/cadence/calendar"
)

// Clock is calendar.Clock: rate limiting, backoff and the timestamps in
// results run on it.
type Clock = calendar.Clock

// RealClock is the wall clock (calendar.RealClock).
type RealClock = calendar.RealClock

// newBucket is a token bucket of per10m tokens every 10 minutes, up to a
// minute's worth, read with explicit times (the injected clock):
// ReserveN(now, 1).DelayFrom(now) takes a token even when none is left
// and says how long to wait, so concurrent callers queue fairly.
func newBucket(per10m int) *rate.Limiter {
	return rate.NewLimiter(rate.Limit(float64(per10m)/600), max(1, per10m/60))
}

// limiter keeps Graph's per-mailbox limits on the client side: at most
// perMailbox requests in flight for one mailbox (Outlook allows 4), and a
// request rate per mailbox (Outlook allows 10,000 per 10 minutes).
type limiter struct {
	mu         sync.Mutex
	per10m     int // <= 0: no rate limit
	concurrent int
	mailboxes  map[string]*mailboxLimit
}

type mailboxLimit struct {
	rate  *rate.Limiter
	slots chan struct{}
}

func newLimiter(per10m, concurrent int) *limiter {
	return &limiter{per10m: per10m, concurrent: max(1, concurrent), mailboxes: map[string]*mailboxLimit{}}
}

func (l *limiter) of(mailbox string, now time.Time) *mailboxLimit {
	l.mu.Lock()
	defer l.mu.Unlock()
	m, ok := l.mailboxes[mailbox]
	if !ok {
		m = &mailboxLimit{slots: make(chan struct{}, l.concurrent)}
		if l.per10m > 0 {
			m.rate = newBucket(l.per10m)
		}
		l.mailboxes[mailbox] = m
	}
	return m
}

// acquire waits (through the clock) until a request for mailbox may be
// sent and takes one of its concurrency slots; release gives it back.
func (l *limiter) acquire(ctx context.Context, clk Clock, mailbox string) (release func(), err error) {
	m := l.of(mailbox, clk.Now())
	if m.rate != nil {
		now := clk.Now()
		if d := m.rate.ReserveN(now, 1).DelayFrom(now); d > 0 {
			if err := clk.Sleep(ctx, d); err != nil {
				return nil, err
			}
		}
	}
	select {
	case m.slots <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	return func() { <-m.slots }, nil
}
