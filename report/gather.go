package report

import (
	"fmt"
	"net/http"
	"sync"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	dto "github.com/prometheus/client_model/go"

	"github.com/cadence-dev/cadence/cadence"
)

// SnapshotGatherer gathers the metrics of NewCollector once per snapshot.
// A snapshot never changes, and with per-pair series on, building and
// checking its ~23 series per pair is most of a scrape; Prometheus scrapes
// every few seconds, an evaluation happens when calendars change. The
// families come from a registry holding only the collector, so they are
// checked (names, labels, duplicates) exactly as a scrape-time collector's.
type SnapshotGatherer struct {
	snap func() *cadence.Snapshot
	opts MetricsOptions

	mu   sync.Mutex
	done bool
	last *cadence.Snapshot
	mfs  []*dto.MetricFamily
	err  error
}

// NewSnapshotGatherer returns the gatherer of snap's metrics.
func NewSnapshotGatherer(snap func() *cadence.Snapshot, opts MetricsOptions) *SnapshotGatherer {
	return &SnapshotGatherer{snap: snap, opts: opts}
}

// Gather returns the current snapshot's families. They are shared between
// calls: callers must not modify them (promhttp and prometheus.Gatherers
// do not).
func (g *SnapshotGatherer) Gather() ([]*dto.MetricFamily, error) {
	s := g.snap()
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.done && s == g.last {
		return g.mfs, g.err
	}
	// The last snapshot's families go first: on a large org they are tens
	// of MB, and held while the new ones are built they would double.
	g.mfs, g.err, g.done = nil, nil, false
	reg := prometheus.NewRegistry()
	if err := reg.Register(NewCollector(func() *cadence.Snapshot { return s }, g.opts)); err != nil {
		return nil, err
	}
	g.mfs, g.err = reg.Gather()
	g.last, g.done = s, true
	return g.mfs, g.err
}

// Describe sends the collector's descriptions, so a registry can check
// that its own metrics do not collide with the snapshot's.
func (g *SnapshotGatherer) Describe(ch chan<- *prometheus.Desc) {
	NewCollector(g.snap, g.opts).Describe(ch)
}

// MetricsHandler serves /metrics: the process's own metrics (self, a
// registry) and the snapshot's (g), as the text or OpenMetrics format the
// scraper asks for.
func MetricsHandler(self prometheus.Gatherer, g *SnapshotGatherer, errorLog promhttp.Logger) http.Handler {
	return promhttp.HandlerFor(joined{self, g}, promhttp.HandlerOpts{
		ErrorLog:          errorLog,
		EnableOpenMetrics: true,
	})
}

// joined gathers self and g side by side. Unlike prometheus.Gatherers it
// does not check every metric again: g's families were checked by their
// own registry, self's by its, and their names cannot meet (DescribeOnly
// in self); a name in both is still reported as an error.
type joined struct {
	self prometheus.Gatherer
	g    *SnapshotGatherer
}

func (j joined) Gather() ([]*dto.MetricFamily, error) {
	var errs prometheus.MultiError
	a, err := j.self.Gather()
	errs.Append(err)
	b, err := j.g.Gather()
	errs.Append(err)
	// Both are sorted by name, as a registry returns them: merge.
	out := make([]*dto.MetricFamily, 0, len(a)+len(b))
	for len(a) > 0 || len(b) > 0 {
		switch {
		case len(b) == 0 || len(a) > 0 && a[0].GetName() < b[0].GetName():
			out, a = append(out, a[0]), a[1:]
		case len(a) == 0 || b[0].GetName() < a[0].GetName():
			out, b = append(out, b[0]), b[1:]
		default:
			errs.Append(fmt.Errorf("report: metric family %s is both the process's and the snapshot's", a[0].GetName()))
			out, a, b = append(out, a[0]), a[1:], b[1:]
		}
	}
	return out, errs.MaybeUnwrap()
}

// DescribeOnly is a collector with g's descriptions and no metrics:
// registered in the registry of a process's own metrics, it makes that
// registry refuse a metric whose name the snapshot's metrics use.
func DescribeOnly(g *SnapshotGatherer) prometheus.Collector { return describeOnly{g} }

type describeOnly struct{ g *SnapshotGatherer }

func (d describeOnly) Describe(ch chan<- *prometheus.Desc) { d.g.Describe(ch) }
func (describeOnly) Collect(chan<- prometheus.Metric)      {}
