package app

import (
	"runtime"
	"runtime/debug"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// selfMetrics are the exporter's own metrics, separate from the domain
// metrics that report.NewCollector builds from the snapshot.
type selfMetrics struct {
	sourceErrors    *prometheus.CounterVec
	sourceDuration  *prometheus.GaugeVec
	evalDuration    prometheus.Histogram
	evalLastSuccess prometheus.Gauge
	evalFailures    prometheus.Counter
	reloadOK        prometheus.Gauge
	reloadTime      prometheus.Gauge

	mu      sync.Mutex
	sources map[string]bool // names with series, for forgetSources
}

func newSelfMetrics(reg prometheus.Registerer) *selfMetrics {
	m := &selfMetrics{
		sources: make(map[string]bool),
		sourceErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "cadence_source_errors_total", Help: "Failed source syncs by reason (fetch, timeout, http_status, too_large, parse, store).",
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
		reloadOK: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "cadence_config_last_reload_successful", Help: "1 if the last configuration (re)load succeeded.",
		}),
		reloadTime: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "cadence_config_last_reload_success_timestamp_seconds", Help: "Unix time of the last successful configuration (re)load.",
		}),
	}
	version, revision := buildVersion()
	buildInfo := prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "cadence_build_info", Help: "Build information; always 1.",
		ConstLabels: prometheus.Labels{"version": version, "revision": revision, "goversion": runtime.Version()},
	})
	buildInfo.Set(1)
	reg.MustRegister(m.sourceErrors, m.sourceDuration,
		m.evalDuration, m.evalLastSuccess, m.evalFailures, m.reloadOK, m.reloadTime, buildInfo)
	return m
}

// RegisterProcessMetrics adds the Go runtime and process collectors (main
// does; tests with golden files do not).
func RegisterProcessMetrics(reg prometheus.Registerer) {
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
}

// Version is set at build time.
var Version = "dev"

func buildVersion() (string, string) {
	rev := "unknown"
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" {
				rev = s.Value
			}
		}
	}
	return Version, rev
}

func (m *selfMetrics) configReload(ok bool, now time.Time) {
	if ok {
		m.reloadOK.Set(1)
		m.reloadTime.Set(float64(now.Unix()))
		return
	}
	m.reloadOK.Set(0)
}

func (m *selfMetrics) sourceSync(name string, d time.Duration) {
	m.mu.Lock()
	m.sources[name] = true
	m.mu.Unlock()
	m.sourceDuration.WithLabelValues(name).Set(d.Seconds())
}

// sourceSuccess is a no-op for metrics: source health
// (cadence_source_up, cadence_source_last_success_timestamp_seconds) is
// exported from the snapshot, which is re-evaluated after every sync.
func (m *selfMetrics) sourceSuccess(string, time.Time) {}

func (m *selfMetrics) sourceError(name, reason string) {
	m.sourceErrors.WithLabelValues(name, reason).Inc()
}

// forgetSources removes the series of sources no longer configured.
func (m *selfMetrics) forgetSources(keep map[string]*feedState) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for name := range m.sources {
		if _, ok := keep[name]; ok {
			continue
		}
		for _, v := range []interface {
			DeletePartialMatch(prometheus.Labels) int
		}{m.sourceErrors, m.sourceDuration} {
			v.DeletePartialMatch(prometheus.Labels{"source": name})
		}
		delete(m.sources, name)
	}
}

func (m *selfMetrics) evaluated(d time.Duration, now time.Time) {
	m.evalDuration.Observe(d.Seconds())
	m.evalLastSuccess.Set(float64(now.Unix()))
}

func (m *selfMetrics) evaluationFailed() { m.evalFailures.Inc() }
