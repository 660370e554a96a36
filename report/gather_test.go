package report

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/cadence-dev/cadence/cadence"
)

// The snapshot's families are gathered once per snapshot, and served with
// the process's own metrics exactly as one registry holding both would.
func TestSnapshotGathererAndHandler(t *testing.T) {
	s1 := testSnapshot(t)
	s2 := testSnapshot(t)
	var cur atomic.Pointer[cadence.Snapshot]
	cur.Store(s1)
	opts := MetricsOptions{PerPair: true}
	g := NewSnapshotGatherer(cur.Load, opts)

	a, err := g.Gather()
	if err != nil || len(a) == 0 {
		t.Fatalf("Gather: %d families, %v", len(a), err)
	}
	if b, _ := g.Gather(); &b[0] != &a[0] {
		t.Error("the same snapshot was gathered twice")
	}
	cur.Store(s2)
	if c, _ := g.Gather(); &c[0] == &a[0] {
		t.Error("a new snapshot was not gathered")
	}

	self := prometheus.NewRegistry()
	self.MustRegister(DescribeOnly(g))
	up := prometheus.NewGauge(prometheus.GaugeOpts{Name: "cadence_build_info", Help: "b"})
	zz := prometheus.NewGauge(prometheus.GaugeOpts{Name: "zz_last", Help: "z"})
	self.MustRegister(up, zz)
	// A process metric may not take a snapshot metric's name.
	clash := prometheus.NewGauge(prometheus.GaugeOpts{Name: "cadence_pair_status", Help: "x"})
	if err := self.Register(clash); err == nil {
		t.Error("the process's registry accepted cadence_pair_status")
	}

	// What one registry holding everything serves.
	one := prometheus.NewRegistry()
	one.MustRegister(NewCollector(cur.Load, opts), up, zz)
	fetch := func(h http.Handler) []byte {
		srv := httptest.NewServer(h)
		defer srv.Close()
		resp, err := srv.Client().Get(srv.URL)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return b
	}
	want := fetch(promhttp.HandlerFor(one, promhttp.HandlerOpts{}))
	got := fetch(MetricsHandler(self, g, nil))
	if !strings.Contains(string(got), "cadence_pair_status{") || !strings.Contains(string(got), "zz_last 0") {
		t.Fatalf("served metrics lack the snapshot's or the process's:\n%s", head(got))
	}
	if !bytes.Equal(got, want) {
		t.Errorf("served metrics differ from one registry's:\n%s\n---\n%s", head(got), head(want))
	}

	// A name in both is an error, not a broken exposition.
	bad := prometheus.NewRegistry()
	bad.MustRegister(prometheus.NewGauge(prometheus.GaugeOpts{Name: "cadence_pair_status", Help: "x"}))
	if _, err := (joined{bad, g}).Gather(); err == nil || !strings.Contains(err.Error(), "cadence_pair_status") {
		t.Errorf("duplicate family: %v", err)
	}
}

func head(b []byte) string {
	if len(b) > 400 {
		return string(b[:400]) + "..."
	}
	return string(b)
}
