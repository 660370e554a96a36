package calendar

import (
	"context"
	"time"
)

// Clock is the time of the sources that pace themselves (rate limits,
// backoff, sync windows, timestamps in results): Sleep waits d or until
// ctx ends (then it returns ctx.Err()). Tests inject a fake that advances
// without sleeping. The engine's clock (internal/engine) is this one's
// Now with After for its loop; RealClock is both.
type Clock interface {
	Now() time.Time
	Sleep(ctx context.Context, d time.Duration) error
}

// RealClock is the wall clock: the one real implementation of every
// clock in cadence.
type RealClock struct{}

// Now returns time.Now().
func (RealClock) Now() time.Time { return time.Now() }

// After is time.After.
func (RealClock) After(d time.Duration) <-chan time.Time { return time.After(d) }

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
