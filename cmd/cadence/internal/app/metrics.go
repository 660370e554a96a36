package app

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	versioncollector "github.com/prometheus/client_golang/prometheus/collectors/version"
)

// selfMetrics are the daemon's own metrics beside the engine's (sources,
// evaluations; engine.Metrics) and the domain metrics that
// report.SnapshotGatherer builds from the snapshot: configuration reloads
// and build information.
type selfMetrics struct {
	reloadOK   prometheus.Gauge
	reloadTime prometheus.Gauge
}

func newSelfMetrics(reg prometheus.Registerer) *selfMetrics {
	m := &selfMetrics{
		reloadOK: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "cadence_config_last_reload_successful", Help: "1 if the last configuration (re)load succeeded.",
		}),
		reloadTime: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "cadence_config_last_reload_success_timestamp_seconds", Help: "Unix time of the last successful configuration (re)load.",
		}),
	}
	// cadence_build_info{version, revision, branch, goversion, goos,
	// goarch, tags}: the same github.com/prometheus/common/version
	// variables `cadence version` prints.
	reg.MustRegister(m.reloadOK, m.reloadTime, versioncollector.NewCollector("cadence"))
	return m
}

// RegisterProcessMetrics adds the Go runtime and process collectors (main
// does; tests with golden files do not).
func RegisterProcessMetrics(reg prometheus.Registerer) {
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
}

func (m *selfMetrics) configReload(ok bool, now time.Time) {
	if ok {
		m.reloadOK.Set(1)
		m.reloadTime.Set(float64(now.Unix()))
		return
	}
	m.reloadOK.Set(0)
}
