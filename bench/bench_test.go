package bench

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"reflect"
	"strconv"
	"sync"
	"testing"

	"github.com/cadence-dev/cadence/cadence"
	"github.com/cadence-dev/cadence/calendar"
	"github.com/cadence-dev/cadence/internal/engine"
)

// benchSizes are the org sizes of the benchmarks; CADENCE_BENCH_SIZES
// ("1000,10000") overrides them.
func benchSizes() []int {
	s := os.Getenv("CADENCE_BENCH_SIZES")
	if s == "" {
		return []int{1000, 10000}
	}
	var out []int
	for _, f := range splitComma(s) {
		n, err := strconv.Atoi(f)
		if err == nil && n >= 2 {
			out = append(out, n)
		}
	}
	return out
}

func splitComma(s string) []string {
	var out []string
	start := 0
	for i := 0; i <= len(s); i++ {
		if i == len(s) || s[i] == ',' {
			if i > start {
				out = append(out, s[start:i])
			}
			start = i + 1
		}
	}
	return out
}

var (
	orgsMu sync.Mutex
	orgs   = map[int]*Org{}
)

// org generates (once per test binary) an org of n people in a temp dir.
func org(tb testing.TB, n int) *Org {
	orgsMu.Lock()
	defer orgsMu.Unlock()
	if o := orgs[n]; o != nil {
		return o
	}
	dir, err := os.MkdirTemp("", fmt.Sprintf("cadence-bench-%d-", n))
	if err != nil {
		tb.Fatal(err)
	}
	o, err := Generate(dir, n, 6, 1)
	if err != nil {
		tb.Fatal(err)
	}
	orgs[n] = o
	return o
}

func TestMain(m *testing.M) {
	code := m.Run()
	for _, o := range orgs {
		os.RemoveAll(o.Dir)
	}
	os.Exit(code)
}

// BenchmarkFloor reads and line-splits the feeds: the floor.
func BenchmarkFloor(b *testing.B) {
	for _, n := range benchSizes() {
		b.Run(fmt.Sprintf("people=%d", n), func(b *testing.B) {
			o := org(b, n)
			b.SetBytes(o.Bytes)
			for b.Loop() {
				if _, _, err := Floor(o.Feeds); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkIngestStages splits ingest+expand into cumulative stages on
// the same feeds, to show where the time goes against the floor: read and
// line-split; go-ical's decoding alone (the decoder every stage after it
// uses); calendar.ParseICS (cleaning, decoding, events, zones,
// recurrence rules); and ParseICS plus expansion. BenchmarkIngestExpand
// adds deduplication.
func BenchmarkIngestStages(b *testing.B) {
	for _, n := range benchSizes() {
		o := org(b, n)
		stage := func(name string, f func(data []byte, feed Feed) error) {
			b.Run(fmt.Sprintf("people=%d/%s", n, name), func(b *testing.B) {
				b.SetBytes(o.Bytes)
				for b.Loop() {
					for _, feed := range o.Feeds {
						data, err := os.ReadFile(feed.Path)
						if err != nil {
							b.Fatal(err)
						}
						if err := f(data, feed); err != nil {
							b.Fatal(err)
						}
					}
				}
			})
		}
		stage("floor", func(data []byte, _ Feed) error {
			lines := 0
			for len(data) > 0 {
				i := bytes.IndexByte(data, '\n')
				if i < 0 {
					break
				}
				lines++
				data = data[i+1:]
			}
			_ = lines
			return nil
		})
		stage("go-ical-decode", func(_ []byte, f Feed) error {
			return DecodeOnly([]Feed{f}) // reads the file once more
		})
		parse := func(data []byte, f Feed) (*calendar.Feed, error) {
			return calendar.ParseICS(bytes.NewReader(data), calendar.ParseOptions{Name: f.Name, Owner: f.Owner, Zone: f.Zone})
		}
		stage("parse", func(data []byte, f Feed) error {
			_, err := parse(data, f)
			return err
		})
		stage("parse+expand", func(data []byte, f Feed) error {
			feed, err := parse(data, f)
			if err != nil {
				return err
			}
			calendar.Expand(feed.Events, o.Window, calendar.ExpandOptions{Zone: f.Zone})
			return nil
		})
	}
}

// BenchmarkIngestExpand reads, parses, expands and deduplicates every feed.
func BenchmarkIngestExpand(b *testing.B) {
	for _, n := range benchSizes() {
		b.Run(fmt.Sprintf("people=%d", n), func(b *testing.B) {
			o := org(b, n)
			b.SetBytes(o.Bytes)
			b.ReportAllocs()
			var res *Ingest
			for b.Loop() {
				var err error
				if res, err = IngestExpand(o.Feeds, o.Window); err != nil {
					b.Fatal(err)
				}
			}
			sec := b.Elapsed().Seconds() / float64(b.N)
			b.ReportMetric(float64(res.Events)/sec, "events/s")
			b.ReportMetric(float64(res.Occurrences)/sec, "occs/s")
		})
	}
}

// BenchmarkEngineOnce runs the engine's one-shot evaluation over the org
// (what `cadence report` does after loading its configuration): read and
// parse every feed, relevance filter, expand, dedup, evaluate now and a
// week before.
func BenchmarkEngineOnce(b *testing.B) {
	for _, n := range benchSizes() {
		b.Run(fmt.Sprintf("people=%d", n), func(b *testing.B) {
			o := org(b, n)
			b.SetBytes(o.Bytes)
			b.ReportAllocs()
			var ev *engine.Evaluation
			for b.Loop() {
				var err error
				if ev, err = Engine(o).Once(context.Background(), o.Now); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(len(ev.Snapshot.Pairs)), "pairs")
		})
	}
}

// BenchmarkEvaluate evaluates the ingested org.
func BenchmarkEvaluate(b *testing.B) {
	for _, n := range benchSizes() {
		b.Run(fmt.Sprintf("people=%d", n), func(b *testing.B) {
			o := org(b, n)
			res, err := IngestExpand(o.Feeds, o.Window)
			if err != nil {
				b.Fatal(err)
			}
			opts := Options()
			b.ReportAllocs()
			var snap *cadence.Snapshot
			for b.Loop() {
				snap = cadence.Evaluate(o.Directory, res.Deduped, opts, o.Now, nil)
			}
			b.ReportMetric(float64(len(snap.Pairs)), "pairs")
		})
	}
}

// BenchmarkScrape is a full /metrics scrape with per-pair series on.
func BenchmarkScrape(b *testing.B) {
	for _, n := range benchSizes() {
		b.Run(fmt.Sprintf("people=%d", n), func(b *testing.B) {
			o := org(b, n)
			res, err := IngestExpand(o.Feeds, o.Window)
			if err != nil {
				b.Fatal(err)
			}
			snap := cadence.Evaluate(o.Directory, res.Deduped, Options(), o.Now, nil)
			srv := MetricsServer(snap)
			defer srv.Close()
			client := srv.Client()
			b.ReportAllocs()
			var s *Scrape
			for b.Loop() {
				if s, err = ScrapeOnce(client, srv.URL+"/metrics"); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(s.PairSeries), "pair-series")
		})
	}
}

// TestOrgExercisesEngine checks the generated org makes the engine do the
// work the figures claim: every kind of pair, cancellations, declines,
// moves, out-of-office, and a scrape with per-pair series.
func TestOrgExercisesEngine(t *testing.T) {
	o := org(t, 300)
	res, err := IngestExpand(o.Feeds, o.Window)
	if err != nil {
		t.Fatal(err)
	}
	if res.Events < 300*5 || res.Occurrences < res.Events || len(res.Deduped) == 0 {
		t.Fatalf("ingest: %d events, %d occurrences, %d after dedup", res.Events, res.Occurrences, len(res.Deduped))
	}
	moved, cancelled := 0, 0
	for i := range res.Deduped {
		oc := &res.Deduped[i]
		if oc.Moved() {
			moved++
		}
		if oc.Status == calendar.StatusCancelled {
			cancelled++
		}
	}
	if moved == 0 || cancelled == 0 {
		t.Errorf("moved %d cancelled %d: want both", moved, cancelled)
	}
	snap := cadence.Evaluate(o.Directory, res.Deduped, Options(), o.Now, nil)
	// The engine's own run (relevance filter, sources with statuses) finds
	// the same pairs as evaluating every occurrence.
	ev, err := Engine(o).Once(context.Background(), o.Now)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(ev.Snapshot.Pairs, snap.Pairs) {
		t.Errorf("engine: %d pairs differ from the evaluation of every occurrence (%d pairs)", len(ev.Snapshot.Pairs), len(snap.Pairs))
	}
	if len(ev.Snapshot.Sources) != len(o.Feeds) {
		t.Errorf("engine: %d source statuses, want %d", len(ev.Snapshot.Sources), len(o.Feeds))
	}
	kinds := map[cadence.Kind]int{}
	var c cadence.Counts
	for _, p := range snap.Pairs {
		kinds[p.Kind]++
		c.Held += p.Window.Held
		c.Cancelled += p.Window.Cancelled
		c.Declined += p.Window.Declined
		c.Excused += p.Window.Excused
		c.Rescheduled += p.Window.Rescheduled
	}
	if kinds[cadence.KindDirect] < 250 || kinds[cadence.KindSkip] == 0 || kinds[cadence.KindPeer] == 0 {
		t.Errorf("pair kinds %v", kinds)
	}
	if c.Held == 0 || c.Cancelled == 0 || c.Declined == 0 || c.Excused == 0 || c.Rescheduled == 0 {
		t.Errorf("counts %+v: want every outcome", c)
	}
	srv := MetricsServer(snap)
	defer srv.Close()
	s, err := ScrapeOnce(srv.Client(), srv.URL+"/metrics")
	if err != nil {
		t.Fatal(err)
	}
	if s.PairSeries < len(snap.Pairs)*10 {
		t.Errorf("scrape: %d pair series for %d pairs", s.PairSeries, len(snap.Pairs))
	}
}

// TestGoogleCycles checks the request counts the table reports come from
// real syncs: a full cycle lists every calendar, an unchanged cycle sends
// one request per calendar, and changes are received.
func TestGoogleCycles(t *testing.T) {
	o := org(t, 300)
	g, err := GoogleCycles(o, 0.01)
	if err != nil {
		t.Fatal(err)
	}
	if g.FullRequests < g.Calendars || g.UnchangedRequests != g.Calendars || g.ChangedRequests != g.Calendars {
		t.Errorf("requests: full %d unchanged %d changed %d for %d calendars", g.FullRequests, g.UnchangedRequests, g.ChangedRequests, g.Calendars)
	}
	if g.ChangedCalendars != 3 || g.ChangedItems != 3 {
		t.Errorf("changed %d calendars, received %d items; want 3 and 3", g.ChangedCalendars, g.ChangedItems)
	}
}

// TestMicrosoftCycles checks the Graph request counts of the three
// cycles: a full cycle pages every mailbox's calendar view and reads each
// series master once, an unchanged cycle sends one request per mailbox,
// and a changed single event costs no master read. CADENCE_BENCH_MICROSOFT
// sets the org size (default 300) and the test then logs the figures.
func TestMicrosoftCycles(t *testing.T) {
	n := 300
	if v := os.Getenv("CADENCE_BENCH_MICROSOFT"); v != "" {
		fmt.Sscan(v, &n)
	}
	o := org(t, n)
	m, err := MicrosoftCycles(o, 0.01)
	if err != nil {
		t.Fatal(err)
	}
	if m.FullDelta < m.Mailboxes || m.FullMasters == 0 || m.UnchangedDelta != m.Mailboxes || m.UnchangedMasters != 0 ||
		m.ChangedDelta != m.Mailboxes || m.ChangedMasters != 0 {
		t.Errorf("requests: %+v", m)
	}
	if m.ChangedMailboxes != max(n/100, 1) || m.ChangedItems != m.ChangedMailboxes {
		t.Errorf("changed %d mailboxes, received %d items", m.ChangedMailboxes, m.ChangedItems)
	}
	t.Logf("%d mailboxes: full %d delta + %d master requests in %v; unchanged %d + %d in %v; 1%% changed %d + %d in %v",
		m.Mailboxes, m.FullDelta, m.FullMasters, m.FullTime, m.UnchangedDelta, m.UnchangedMasters, m.UnchangedTime,
		m.ChangedDelta, m.ChangedMasters, m.ChangedTime)
}
