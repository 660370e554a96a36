// Package apimetrics are the operational metrics of a source that calls
// an HTTP API (Google Calendar, Microsoft Graph): requests and retries by
// method, and the duration of each calendar's last sync. The daemon owns
// cadence_source_last_success_timestamp_seconds.
package apimetrics

import (
	"fmt"

	"github.com/prometheus/client_golang/prometheus"
)

// Metrics of one source kind.
type Metrics struct {
	Requests *prometheus.CounterVec // method, code
	Retries  *prometheus.CounterVec // method
	Duration *prometheus.GaugeVec   // source
}

// API names the source kind: its metric prefix (cadence_<Kind>_…), the
// service in the help texts, the methods it calls and its error prefix.
type API struct {
	Kind    string // "google": cadence_google_requests_total
	Service string // "Google APIs"
	Methods []string
}

// New builds the metrics of api and registers them on reg (nil: not
// registered). shared, when set, is the cadence_source_sync_duration_seconds
// the daemon already registered and shares between all its sources.
// Every method's retries and successes are exported at 0 from the start,
// so that a panel or a rate() sees the first retry and is never empty.
func New(api API, reg prometheus.Registerer, shared *prometheus.GaugeVec) (*Metrics, error) {
	m := &Metrics{
		Requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "cadence_" + api.Kind + "_requests_total",
			Help: "Requests sent to " + api.Service + ", by method and HTTP status code (\"error\" when no response arrived).",
		}, []string{"method", "code"}),
		Retries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "cadence_" + api.Kind + "_retries_total",
			Help: "Requests to " + api.Service + " retried after throttling, a 5xx or a transport error, by method.",
		}, []string{"method"}),
		Duration: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "cadence_source_sync_duration_seconds",
			Help: "Duration of the last sync of a calendar source, by source name.",
		}, []string{"source"}),
	}
	for _, method := range api.Methods {
		m.Retries.WithLabelValues(method)
		m.Requests.WithLabelValues(method, "200")
	}
	cs := []prometheus.Collector{m.Requests, m.Retries, m.Duration}
	if shared != nil {
		m.Duration = shared
		cs = cs[:2]
	}
	if reg != nil {
		for _, c := range cs {
			if err := reg.Register(c); err != nil {
				return nil, fmt.Errorf("%s: register metrics: %w", api.Kind, err)
			}
		}
	}
	return m, nil
}
