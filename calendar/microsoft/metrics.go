package microsoft

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/cadence-dev/cadence/calendar/internal/apimetrics"
)

// Method labels of the request metrics (and of the fake server's counts).
const (
	MethodDelta = "calendarView.delta"
	MethodEvent = "events.get"
	MethodUsers = "users.list"
)

// newMetrics are the Microsoft source's operational metrics (apimetrics).
func newMetrics(reg prometheus.Registerer, shared *prometheus.GaugeVec) (*apimetrics.Metrics, error) {
	return apimetrics.New(apimetrics.API{Kind: "microsoft", Service: "Microsoft Graph", Methods: []string{MethodDelta, MethodEvent, MethodUsers}}, reg, shared)
}
