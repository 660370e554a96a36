package microsoft

import (
	"fmt"

	"github.com/prometheus/client_golang/prometheus"
)

// Method labels of the request metrics (and of the fake server's counts).
const (
	MethodDelta = "calendarView.delta"
	MethodEvent = "events.get"
	MethodUsers = "users.list"
)

// metrics are the operational metrics of the Microsoft source. The
// daemon owns cadence_source_last_success_timestamp_seconds.
type metrics struct {
	requests *prometheus.CounterVec
	retries  *prometheus.CounterVec
	duration *prometheus.GaugeVec
}

func newMetrics(reg prometheus.Registerer, shared *prometheus.GaugeVec) (*metrics, error) {
	m := &metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "cadence_microsoft_requests_total",
			Help: "Requests sent to Microsoft Graph, by method and HTTP status code (\"error\" when no response arrived).",
		}, []string{"method", "code"}),
		retries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "cadence_microsoft_retries_total",
			Help: "Requests to Microsoft Graph retried after throttling (429), a 5xx or a transport error, by method.",
		}, []string{"method"}),
		duration: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "cadence_source_sync_duration_seconds",
			Help: "Duration of the last sync of a calendar source, by source name.",
		}, []string{"source"}),
	}
	cs := []prometheus.Collector{m.requests, m.retries, m.duration}
	if shared != nil {
		m.duration = shared
		cs = cs[:2]
	}
	if reg != nil {
		for _, c := range cs {
			if err := reg.Register(c); err != nil {
				return nil, fmt.Errorf("microsoft: register metrics: %w", err)
			}
		}
	}
	return m, nil
}
