package microsoft

import (
	"context"
	"sync"
	"time"
)

// Clock is the source of time for rate limiting, backoff, the sync
// window and the timestamps in results. Sleep waits d or until ctx ends
// (then it returns ctx.Err()). Tests inject a fake that advances without
// sleeping.
type Clock interface {
	Now() time.Time
	Sleep(ctx context.Context, d time.Duration) error
}

// RealClock is the wall clock.
type RealClock struct{}

// Now returns time.Now().
func (RealClock) Now() time.Time { return time.Now() }

// Sleep waits d or until ctx ends.
func (RealClock) Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// bucket is a token bucket on an injected clock: rate tokens per second,
// up to burst. A caller takes a token even when none is left and waits
// until it would have been refilled, so concurrent callers queue fairly.
type bucket struct {
	mu     sync.Mutex
	rate   float64
	burst  float64
	tokens float64
	last   time.Time
}

func newBucket(per10m int, now time.Time) *bucket {
	burst := max(1, per10m/60)
	return &bucket{rate: float64(per10m) / 600, burst: float64(burst), tokens: float64(burst), last: now}
}

// reserve takes one token and returns how long to wait before using it.
func (b *bucket) reserve(now time.Time) time.Duration {
	b.mu.Lock()
	defer b.mu.Unlock()
	if now.After(b.last) {
		b.tokens += now.Sub(b.last).Seconds() * b.rate
		if b.tokens > b.burst {
			b.tokens = b.burst
		}
		b.last = now
	}
	b.tokens--
	if b.tokens >= 0 {
		return 0
	}
	return time.Duration(-b.tokens / b.rate * float64(time.Second))
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
	rate  *bucket
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
			m.rate = newBucket(l.per10m, now)
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
		if d := m.rate.reserve(clk.Now()); d > 0 {
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
