package engine

import (
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Metrics are the engine's operational metrics (the exporter's own, apart
// from the domain series report builds from each snapshot): per-source
// sync errors and durations, evaluation duration, last success and
// failures. Source health (up, last success, missing attendees) comes from
// the snapshot.
type Metrics struct {
	sourceErrors    *prometheus.CounterVec
	sourceDuration  *prometheus.GaugeVec
	evalDuration    prometheus.Histogram
	evalLastSuccess prometheus.Gauge
	evalFailures    prometheus.Counter

	mu      sync.Mutex
	sources map[string]bool // names with series, for forget
}

// NewMetrics registers the engine's metrics on reg.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		sources: make(map[string]bool),
		sourceErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "cadence_source_errors_total", Help: "Failed source syncs, and sources over a limit, by reason (fetch, timeout, http_status, too_large, parse, budget, quarantined, store, google, microsoft).",
		}, []string{"source", "reason"}),
		// A gauge per source, as node_exporter's per-collector duration:
		// a histogram per source is 14 series each (140k at 10k sources).
		sourceDuration: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "cadence_source_sync_duration_seconds", Help: "Duration of the last sync of a source (fetch and parse).",
		}, []string{"source"}),
		evalDuration: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "cadence_evaluation_duration_seconds", Help: "Duration of one evaluation (expansion, history merge, evaluation).",
			Buckets: []float64{.001, .005, .01, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}),
		evalLastSuccess: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "cadence_evaluation_last_success_timestamp_seconds", Help: "Unix time of the last evaluation.",
		}),
		evalFailures: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "cadence_evaluation_failures_total", Help: "Evaluations whose occurrence history could not be saved.",
		}),
	}
	reg.MustRegister(m.sourceErrors, m.sourceDuration, m.evalDuration, m.evalLastSuccess, m.evalFailures)
	return m
}

func (m *Metrics) sourceSync(name string, d time.Duration) {
	if m == nil {
		return
	}
	m.mu.Lock()
	m.sources[name] = true
	m.mu.Unlock()
	m.sourceDuration.WithLabelValues(name).Set(d.Seconds())
}

func (m *Metrics) sourceError(name, reason string) {
	if m == nil {
		return
	}
	m.mu.Lock()
	m.sources[name] = true
	m.mu.Unlock()
	m.sourceErrors.WithLabelValues(name, reason).Inc()
}

// forget removes the series of calendars no longer read.
func (m *Metrics) forget(keep func(name string) bool) {
	if m == nil {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	for name := range m.sources {
		if keep(name) {
			continue
		}
		m.sourceErrors.DeletePartialMatch(prometheus.Labels{"source": name})
		m.sourceDuration.DeletePartialMatch(prometheus.Labels{"source": name})
		delete(m.sources, name)
	}
}

func (m *Metrics) evaluated(d time.Duration, now time.Time) {
	if m == nil {
		return
	}
	m.evalDuration.Observe(d.Seconds())
	m.evalLastSuccess.Set(float64(now.Unix()))
}

func (m *Metrics) evaluationFailed() {
	if m == nil {
		return
	}
	m.evalFailures.Inc()
}

// SyncDuration is cadence_source_sync_duration_seconds, for sources that
// set it themselves (the Google syncer shares it).
func (m *Metrics) SyncDuration() *prometheus.GaugeVec { return m.sourceDuration }
