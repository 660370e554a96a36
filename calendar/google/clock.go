package google

import (
	"context"
	"sync"
	"time"
)

// Clock is the source of time for rate limiting, backoff and the
// timestamps in results. Sleep waits d or until ctx ends (then it returns
// ctx.Err()). Tests inject a fake that advances without sleeping.
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
// up to burst. Like rate.Limiter's Reserve, a caller takes a token even
// when none is left and waits until it would have been refilled, so
// concurrent callers queue fairly.
type bucket struct {
	mu     sync.Mutex
	rate   float64 // tokens per second
	burst  float64
	tokens float64
	last   time.Time
}

func newBucket(perMinute int, burst int, now time.Time) *bucket {
	if burst < 1 {
		burst = 1
	}
	return &bucket{rate: float64(perMinute) / 60, burst: float64(burst), tokens: float64(burst), last: now}
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

// limiter holds the per-project bucket and one bucket per quota user.
type limiter struct {
	mu         sync.Mutex
	perUser    int
	perProject int
	project    *bucket
	users      map[string]*bucket
}

func newLimiter(perUser, perProject int, now time.Time) *limiter {
	l := &limiter{perUser: perUser, perProject: perProject, users: map[string]*bucket{}}
	if perProject > 0 {
		l.project = newBucket(perProject, max(1, perProject/60), now)
	}
	return l
}

// wait blocks (through the clock) until a request for user may be sent.
func (l *limiter) wait(ctx context.Context, clk Clock, user string) error {
	now := clk.Now()
	var d time.Duration
	if l.perUser > 0 {
		l.mu.Lock()
		b, ok := l.users[user]
		if !ok {
			b = newBucket(l.perUser, max(1, l.perUser/60), now)
			l.users[user] = b
		}
		l.mu.Unlock()
		d = b.reserve(now)
	}
	if l.project != nil {
		d = max(d, l.project.reserve(now))
	}
	if d > 0 {
		return clk.Sleep(ctx, d)
	}
	return ctx.Err()
}
