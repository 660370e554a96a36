// Package bench measures cadence at scale on organisations made by
// examples/orgsim: ingest+expand throughput against a read+line-split
// floor, evaluation, a full /metrics scrape and Google requests per sync
// cycle. The testing.B benchmarks in this package and the table printed by
// bench/cmd/cadence-bench (bench/run.sh) share these functions.
package bench

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/emersion/go-ical"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/cadence-dev/cadence/cadence"
	"github.com/cadence-dev/cadence/calendar"
	"github.com/cadence-dev/cadence/calendar/icsfeed"
	"github.com/cadence-dev/cadence/examples/orgsim"
	"github.com/cadence-dev/cadence/internal/engine"
	"github.com/cadence-dev/cadence/report"
)

// Start is the first day of every benchmark org's data.
var Start = time.Date(2026, 5, 4, 0, 0, 0, 0, time.UTC)

// Feed is one person's ICS feed on disk.
type Feed struct {
	Name, Owner string
	Zone        *time.Location
	Path        string
}

// Org is a generated organisation written to Dir.
type Org struct {
	Dir       string
	Sim       *orgsim.Org
	Directory *cadence.Directory
	Feeds     []Feed
	Now       time.Time       // evaluation time: the org's "as of"
	Window    calendar.Window // expansion window, as cadence serve uses it
	Bytes     int64           // total feed bytes
}

// Generate makes an org of people over months (seed 1 unless told) and
// writes it to dir (people.csv, feeds/, cadence.yaml).
func Generate(dir string, people, months int, seed uint64) (*Org, error) {
	cfg := orgsim.Config{People: people, Months: months, Seed: seed, Start: Start}
	sim, err := orgsim.Generate(cfg)
	if err != nil {
		return nil, err
	}
	if err := sim.WriteDir(dir); err != nil {
		return nil, err
	}
	f, err := os.Create(filepath.Join(dir, "cadence.yaml"))
	if err != nil {
		return nil, err
	}
	if err := sim.WriteConfig(f, "."); err != nil {
		f.Close()
		return nil, err
	}
	if err := f.Close(); err != nil {
		return nil, err
	}
	o := &Org{Dir: dir, Sim: sim, Now: cfg.End()}
	// The engine's window for an evaluation at Now with the default look-back.
	o.Window = engine.ExpansionWindow(o.Now, cadence.DefaultWindow)
	csv, err := os.Open(filepath.Join(dir, "people.csv"))
	if err != nil {
		return nil, err
	}
	defer csv.Close()
	ppl, err := cadence.ParseDirectoryCSV(csv, "people.csv")
	if err != nil {
		return nil, err
	}
	if o.Directory, err = cadence.NewDirectory(ppl); err != nil {
		return nil, err
	}
	for _, p := range sim.People {
		path := filepath.Join(dir, "feeds", p.Feed+".ics")
		st, err := os.Stat(path)
		if err != nil {
			return nil, err
		}
		o.Bytes += st.Size()
		o.Feeds = append(o.Feeds, Feed{Name: p.Feed, Owner: p.Email, Zone: p.Zone, Path: path})
	}
	return o, nil
}

// Options are the classification settings of config.example.yaml.
func Options() cadence.Options {
	return cadence.Options{
		Rules:            cadence.DefaultRules(),
		Window:           cadence.DefaultWindow,
		MaxDuration:      cadence.DefaultMaxDuration,
		SkipLevels:       cadence.DefaultSkipLevels,
		IgnoredAttendees: []string{"*@otter.ai", "*@fireflies.ai", "*@read.ai"},
		OOOPatterns:      []string{"Out of office", "OOO", "OOO *", "Vacation", "Vacation *", "Holiday", "PTO", "Sick", "Sick leave", "Parental leave"},
		TitleHints:       []string{"{a} / {b}", "{a} <> {b}", "1:1 {a} / {b}", "{a} 1:1 {b}"},
	}
}

// Floor reads every feed and splits it into lines: the least any reader of
// the same bytes must do. It returns bytes and lines.
func Floor(feeds []Feed) (n, lines int64, err error) {
	for _, f := range feeds {
		data, err := os.ReadFile(f.Path)
		if err != nil {
			return 0, 0, err
		}
		n += int64(len(data))
		for len(data) > 0 {
			i := bytes.IndexByte(data, '\n')
			if i < 0 {
				lines++
				break
			}
			line := data[:i]
			if len(line) > 0 && line[len(line)-1] == '\r' {
				line = line[:len(line)-1]
			}
			_ = line
			lines++
			data = data[i+1:]
		}
	}
	return n, lines, nil
}

// DecodeOnly reads every feed and decodes it with go-ical alone (no
// cleaning, no events, no expansion): the least any stage of cadence's
// ingest can cost, as every feed goes through that decoder.
func DecodeOnly(feeds []Feed) error {
	for _, f := range feeds {
		data, err := os.ReadFile(f.Path)
		if err != nil {
			return err
		}
		dec := ical.NewDecoder(bytes.NewReader(data))
		for {
			if _, err := dec.Decode(); err == io.EOF {
				break
			} else if err != nil {
				return fmt.Errorf("bench: %s: %w", f.Path, err)
			}
		}
	}
	return nil
}

// Ingest is the result of IngestExpand.
type Ingest struct {
	Events      int // VEVENTs read
	Occurrences int // expanded occurrences, before Dedup (what the peer counts)
	Warnings    int
	Deduped     []calendar.Occurrence
}

// IngestExpand reads and parses every feed with the engine's ICS source
// (calendar/icsfeed, one feed at a time) and expands and deduplicates them
// over w with the engine's expansion (engine.Occurrences), without the
// relevance filter: every series, as the peer expands them.
func IngestExpand(feeds []Feed, w calendar.Window) (*Ingest, error) {
	res := &Ingest{}
	src := icsfeed.New(icsfeed.Options{Feeds: icsFeeds(feeds), Concurrency: 1, MaxBytes: 1 << 30})
	cals := src.Calendars(noOrg{})
	var events [][]calendar.Event
	var zones []*time.Location
	var failed error
	src.Sync(context.Background(), cals, func(r calendar.SyncResult) {
		if r.Err != nil {
			failed = fmt.Errorf("bench: %w", r.Err)
			return
		}
		res.Events += len(r.Feed.Events)
		res.Warnings += len(r.Feed.Warnings)
		events = append(events, r.Feed.Events)
		zones = append(zones, r.Calendar.Zone)
	})
	if failed != nil {
		return nil, failed
	}
	x := engine.Occurrences(nil, events, zones, w, engine.Budget{}, func(int, string) { res.Warnings++ }, 0)
	res.Occurrences, res.Deduped = x.Expanded, x.Occurrences
	return res, nil
}

func icsFeeds(feeds []Feed) []icsfeed.Feed {
	out := make([]icsfeed.Feed, len(feeds))
	for i, f := range feeds {
		out[i] = icsfeed.Feed{Name: f.Name, Owner: f.Owner, Path: f.Path, Zone: f.Zone}
	}
	return out
}

// noOrg resolves nothing: feed owners stay as configured.
type noOrg struct{}

func (noOrg) Emails() []string              { return nil }
func (noOrg) Resolve(string) (string, bool) { return "", false }

// Engine is cadence's engine over the org's feeds, as `cadence report`
// runs it (directory, ICS source, relevance, expansion, dedup,
// evaluation now and a week before), without a state store.
func Engine(o *Org) *engine.Engine {
	return engine.New(engine.Options{
		Directory: []engine.DirectorySource{engine.DirectoryOf(o.Directory)},
		Sources:   []calendar.Source{icsfeed.New(icsfeed.Options{Feeds: icsFeeds(o.Feeds), MaxBytes: 1 << 30})},
		Eval:      Options(),
		Clock:     fixedClock{o.Now},
	})
}

type fixedClock struct{ t time.Time }

func (c fixedClock) Now() time.Time                         { return c.t }
func (c fixedClock) After(d time.Duration) <-chan time.Time { return time.After(d) }

// Scrape is one full /metrics scrape.
type Scrape struct {
	Duration   time.Duration
	Bytes      int
	Series     int // sample lines
	PairSeries int // cadence_pair_* sample lines
}

// MetricsServer serves /metrics for snap with per-pair series on, with
// cadence serve's handler: the first scrape gathers the snapshot's
// families (the daemon does that right after an evaluation), later ones
// serve them. Close it when done.
func MetricsServer(snap *cadence.Snapshot) *httptest.Server {
	g := report.NewSnapshotGatherer(func() *cadence.Snapshot { return snap }, report.MetricsOptions{PerPair: true})
	self := prometheus.NewRegistry()
	self.MustRegister(report.DescribeOnly(g))
	mux := http.NewServeMux()
	mux.Handle("/metrics", report.MetricsHandler(self, g, nil))
	return httptest.NewServer(mux)
}

// ScrapeOnce GETs url (a /metrics endpoint) and counts its series.
func ScrapeOnce(client *http.Client, url string) (*Scrape, error) {
	start := time.Now()
	resp, err := client.Get(url)
	if err != nil {
		return nil, err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	d := time.Since(start)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("bench: GET %s: %s", url, resp.Status)
	}
	s := &Scrape{Duration: d, Bytes: len(body)}
	for _, l := range strings.Split(string(body), "\n") {
		if l == "" || l[0] == '#' {
			continue
		}
		s.Series++
		if strings.HasPrefix(l, "cadence_pair_") {
			s.PairSeries++
		}
	}
	return s, nil
}
