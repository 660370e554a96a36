package google

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/cadence-dev/cadence/calendar/internal/apimetrics"
)

// Methods are the Google API methods the Syncer calls: the method label
// values of cadence_google_requests_total and cadence_google_retries_total.
var Methods = []string{"events.list", "users.list"}

// newMetrics are the Google source's operational metrics (apimetrics).
func newMetrics(reg prometheus.Registerer, shared *prometheus.GaugeVec) (*apimetrics.Metrics, error) {
	return apimetrics.New(apimetrics.API{Kind: "google", Service: "Google APIs", Methods: Methods}, reg, shared)
}
