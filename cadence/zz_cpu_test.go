package cadence

import (
	"syscall"
	"testing"
	"time"
)

func cpuNow() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func TestZZCPU(t *testing.T) {
	for _, n := range []int{1000, 10000} {
		dir, occs := genOrg(t, n)
		opts := testOpts()
		Evaluate(dir, occs, opts, T, nil)
		const runs = 5
		c0, w0 := cpuNow(), time.Now()
		var pairs int
		for i := 0; i < runs; i++ {
			pairs = len(Evaluate(dir, occs, opts, T, nil).Pairs)
		}
		cpu := (cpuNow() - c0) / runs
		t.Logf("n=%d occs=%d pairs=%d cpu/op=%v wall/op=%v", n, len(occs), pairs, cpu, time.Since(w0)/runs)
	}
}
