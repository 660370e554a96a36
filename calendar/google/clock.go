package google

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

// newBucket is a token bucket of perMinute tokens a minute, up to burst,
// read with explicit times (the injected clock): ReserveN(now, 1).DelayFrom(now)
// takes a token even when none is left and says how long to wait, so
// concurrent callers queue fairly.
func newBucket(perMinute int, burst int) *rate.Limiter {
	return rate.NewLimiter(rate.Limit(float64(perMinute)/60), max(1, burst))
}

// reserve takes one token of b at now and returns how long to wait.
func reserve(b *rate.Limiter, now time.Time) time.Duration {
	return b.ReserveN(now, 1).DelayFrom(now)
}

// limiter holds the per-project bucket and one bucket per quota user.
type limiter struct {
	mu         sync.Mutex
	perUser    int
	perProject int
	project    *rate.Limiter
	users      map[string]*rate.Limiter
}

func newLimiter(perUser, perProject int, now time.Time) *limiter {
	l := &limiter{perUser: perUser, perProject: perProject, users: map[string]*rate.Limiter{}}
	if perProject > 0 {
		l.project = newBucket(perProject, perProject/60)
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
			b = newBucket(l.perUser, l.perUser/60)
			l.users[user] = b
		}
		l.mu.Unlock()
		d = reserve(b, now)
	}
	if l.project != nil {
		d = max(d, reserve(l.project, now))
	}
	if d > 0 {
		return clk.Sleep(ctx, d)
	}
	return ctx.Err()
}
