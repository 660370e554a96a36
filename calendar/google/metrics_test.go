package google_test

import (
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/cadence-dev/cadence/calendar/google"
)

// counterValue returns the value of the counter series with exactly labels.
func counterValue(t *testing.T, reg *prometheus.Registry, name string, labels map[string]string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
	metric:
		for _, m := range mf.GetMetric() {
			if len(m.GetLabel()) != len(labels) {
				continue
			}
			for _, lp := range m.GetLabel() {
				if labels[lp.GetName()] != lp.GetValue() {
					continue metric
				}
			}
			return m.GetCounter().GetValue()
		}
	}
	return 0
}

// TestMetricsAtZeroFromStart: the retry and request counters of every
// method exist at 0 before any request, so rate() sees the first retry and
// the dashboard's Google panel is never empty.
func TestMetricsAtZeroFromStart(t *testing.T) {
	e := newEnv(t, google.Config{})
	mfs, err := e.reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	have := map[string]bool{}
	for _, mf := range mfs {
		for _, m := range mf.GetMetric() {
			key := mf.GetName()
			for _, lp := range m.GetLabel() {
				key += " " + lp.GetName() + "=" + lp.GetValue()
			}
			if m.GetCounter().GetValue() != 0 {
				t.Errorf("%s = %v before any request, want 0", key, m.GetCounter().GetValue())
			}
			have[key] = true
		}
	}
	for _, method := range google.Methods {
		for _, key := range []string{
			"cadence_google_retries_total method=" + method,
			"cadence_google_requests_total code=200 method=" + method,
		} {
			if !have[key] {
				t.Errorf("%s not exported before the first request", key)
			}
		}
	}
}
