package google

import (
	"fmt"

	"github.com/prometheus/client_golang/prometheus"
)

// Methods are the Google API methods the Syncer calls: the method label
// values of cadence_google_requests_total and cadence_google_retries_total.
var Methods = []string{"events.list", "users.list"}

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
	// Exported at 0 from the start, so that a panel or a rate() sees the
	// first retry (a counter that appears at 1 has no increase) and is
	// never empty: every method the Syncer calls, and their successes.
	for _, method := range Methods {
		m.retries.WithLabelValues(method)
		m.requests.WithLabelValues(method, "200")
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
