// Package e2e holds end-to-end tests of the deployment files against the
// real things: `cadence serve` runs in-process (fake clock, ICS bodies the
// test controls), Debian's `prometheus` scrapes it with the shipped rules
// (deploy/prometheus) and sends alerts to Debian's `prometheus-alertmanager`,
// which delivers them to a webhook receiver of the test; the Grafana
// dashboard's queries (deploy/grafana) run against that Prometheus.
//
// The tests are skipped, saying so, when the binaries are not installed
// (`apt-get install prometheus prometheus-alertmanager`); CI installs them
// and sets CADENCE_E2E_REQUIRED=1, which turns the skip into a failure.
//
// There is no non-test code here.
package e2e
