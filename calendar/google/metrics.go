package google

import (
	"fmt"

	"github.com/prometheus/client_golang/prometheus"
)

// metrics are the operational metrics of the Google source. The daemon
// owns cadence_source_last_success_timestamp_seconds (it gets LastSuccess
// in each Result).
type metrics struct {
	requests *prometheus.CounterVec
	retries  *prometheus.CounterVec
	duration *prometheus.GaugeVec
}

func newMetrics(reg prometheus.Registerer, shared *prometheus.GaugeVec) (*metrics, error) {
	m := &metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "cadence_google_requests_total",
			Help: "Requests sent to Google APIs, by method and HTTP status code (\"error\" when no response arrived).",
		}, []string{"method", "code"}),
		retries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "cadence_google_retries_total",
			Help: "Requests to Google APIs retried after a rate limit, 5xx or transport error, by method.",
		}, []string{"method"}),
		duration: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "cadence_source_sync_duration_seconds",
			Help: "Duration of the last sync of a calendar source, by source name.",
		}, []string{"source"}),
	}
	cs := []prometheus.Collector{m.requests, m.retries, m.duration}
	if shared != nil {
		// The daemon shares one cadence_source_sync_duration_seconds
		// between ICS and Google sources; it registers it itself.
		m.duration = shared
		cs = cs[:2]
	}
	if reg != nil {
		for _, c := range cs {
			if err := reg.Register(c); err != nil {
				return nil, fmt.Errorf("google: register metrics: %w", err)
			}
		}
	}
	return m, nil
}
