// Command cadence-bench prints cadence's scale table: for each org size it
// generates an org (examples/orgsim), measures the read+line-split floor,
// ingest+expand, evaluation and a full /metrics scrape in-process, runs the
// peer (bench/peer.py, python3-recurring-ical-events) over the same feeds,
// runs `cadence serve` on the org for its peak memory and CPU per sync
// cycle, and counts Google requests per cycle against the fake server.
//
//	go run ./bench/cmd/cadence-bench --sizes 1000,5000,10000,20000 --work /tmp/cadence-bench --cadence /tmp/cadence-bench/cadence
//
// bench/run.sh builds the binary, installs the peer and runs this.
package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/cadence-dev/cadence/bench"
	"github.com/cadence-dev/cadence/cadence"
)

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "cadence-bench:", err)
		os.Exit(1)
	}
}

type row struct {
	people          int
	events          int
	occs            int
	mb              float64
	floor           time.Duration
	ingest          time.Duration
	eval            time.Duration
	pairs           int
	scrape          *bench.Scrape
	peer            *peerResult
	daemon          *daemonResult
	google          *bench.GoogleResult
	scrape40k       *bench.Scrape // a snapshot cut to about 40k pair series
	scrape40kFirst  *bench.Scrape // its first scrape, which gathers the snapshot
	decode          time.Duration // go-ical's decoding alone
	restart         *daemonResult // cadence serve started again on the state of the first run
	restartErr      error
	pairs40k        int
	googleErr       error
	daemonErr       error
	peerErr         error
	goOccsPerSecond float64
}

type peerResult struct {
	Files                int     `json:"files"`
	Bytes                int64   `json:"bytes"`
	Events               int     `json:"events"`
	Occurrences          int     `json:"occurrences"`
	Seconds              float64 `json:"seconds"`
	OccurrencesPerSecond float64 `json:"occurrences_per_second"`
}

func run(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("cadence-bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	sizes := fs.String("sizes", "1000,5000,10000,20000", "org sizes (people), comma-separated")
	peerSizes := fs.String("peer-sizes", "1000", "sizes also expanded by the Python peer (it is slow)")
	months := fs.Int("months", 6, "months of calendar data")
	seed := fs.Uint64("seed", 1, "generator seed")
	work := fs.String("work", filepath.Join(os.TempDir(), "cadence-bench"), "working directory (orgs are written here)")
	cadenceBin := fs.String("cadence", "", "cadence binary for the daemon rows (empty: skip them)")
	python := fs.String("python", "/usr/bin/python3", "python with recurring_ical_events (empty: skip the peer)")
	peerScript := fs.String("peer", "bench/peer.py", "the peer script")
	repeat := fs.Int("repeat", 3, "in-process measurements are the best of this many runs")
	googleOn := fs.Bool("google", true, "count Google requests per cycle against the fake server")
	target40kFlag := true
	target40k := &target40kFlag // measured once, on the first org with enough pairs
	if err := fs.Parse(args); err != nil {
		return err
	}
	ns, err := ints(*sizes)
	if err != nil {
		return fmt.Errorf("--sizes: %w", err)
	}
	peerNs, err := ints(*peerSizes)
	if err != nil {
		return fmt.Errorf("--peer-sizes: %w", err)
	}
	if *repeat < 1 {
		return errors.New("--repeat must be at least 1")
	}
	load0 := loadavg()
	var rows []*row
	for _, n := range ns {
		dir := filepath.Join(*work, fmt.Sprintf("org-%d", n))
		if err := os.RemoveAll(dir); err != nil {
			return err
		}
		fmt.Fprintf(stderr, "people=%d: generating %s\n", n, dir)
		org, err := bench.Generate(dir, n, *months, *seed)
		if err != nil {
			return err
		}
		r := &row{people: n, mb: float64(org.Bytes) / 1e6}
		rows = append(rows, r)
		if _, _, err := bench.Floor(org.Feeds); err != nil { // warm the page cache
			return err
		}
		r.floor = best(*repeat, func() error { _, _, err := bench.Floor(org.Feeds); return err }, &err)
		if err != nil {
			return err
		}
		r.decode = best(*repeat, func() error { return bench.DecodeOnly(org.Feeds) }, &err)
		if err != nil {
			return err
		}
		fmt.Fprintf(stderr, "people=%d: ingest+expand\n", n)
		var ing *bench.Ingest
		r.ingest = best(*repeat, func() error {
			var e error
			ing, e = bench.IngestExpand(org.Feeds, org.Window)
			return e
		}, &err)
		if err != nil {
			return err
		}
		r.events, r.occs = ing.Events, ing.Occurrences
		r.goOccsPerSecond = float64(ing.Occurrences) / r.ingest.Seconds()
		fmt.Fprintf(stderr, "people=%d: evaluate\n", n)
		opts := bench.Options()
		var snap *cadence.Snapshot
		r.eval = best(*repeat, func() error {
			snap = cadence.Evaluate(org.Directory, ing.Deduped, opts, org.Now, nil)
			return nil
		}, &err)
		r.pairs = len(snap.Pairs)
		ing = nil
		srv := bench.MetricsServer(snap)
		client := &http.Client{}
		for i := 0; i < *repeat+1; i++ { // the first scrape warms the connection
			s, err := bench.ScrapeOnce(client, srv.URL+"/metrics")
			if err != nil {
				srv.Close()
				return err
			}
			if i > 0 && (r.scrape == nil || s.Duration < r.scrape.Duration) {
				r.scrape = s
			}
		}
		srv.Close()
		if r.scrape.PairSeries >= 40000 && *target40k {
			// The /metrics target is stated for ~40k pair series: serve
			// the first pairs of this org's snapshot that make about that many.
			cut := *snap
			cut.Pairs = snap.Pairs[:len(snap.Pairs)*40000/r.scrape.PairSeries]
			r.pairs40k = len(cut.Pairs)
			srv := bench.MetricsServer(&cut)
			for i := 0; i < *repeat+1; i++ {
				s, err := bench.ScrapeOnce(client, srv.URL+"/metrics")
				if err != nil {
					srv.Close()
					return err
				}
				if i == 0 {
					r.scrape40kFirst = s // gathers the snapshot: cadence serve does it at evaluation
				}
				if i > 0 && (r.scrape40k == nil || s.Duration < r.scrape40k.Duration) {
					r.scrape40k = s
				}
			}
			srv.Close()
			*target40k = false
		}
		snap = nil
		if *python != "" && contains(peerNs, n) {
			fmt.Fprintf(stderr, "people=%d: peer (python3-recurring-ical-events)\n", n)
			r.peer, r.peerErr = runPeer(*python, *peerScript, filepath.Join(dir, "feeds"), org)
		}
		if *cadenceBin != "" {
			fmt.Fprintf(stderr, "people=%d: cadence serve\n", n)
			r.daemon, r.daemonErr = runDaemon(*cadenceBin, org, true)
			if r.daemonErr == nil {
				fmt.Fprintf(stderr, "people=%d: cadence serve, restarted on its state\n", n)
				r.restart, r.restartErr = runDaemon(*cadenceBin, org, false)
			}
		}
		if *googleOn {
			fmt.Fprintf(stderr, "people=%d: google requests per cycle\n", n)
			r.google, r.googleErr = bench.GoogleCycles(org, 0.01)
		}
		runtime.GC()
	}
	print(stdout, rows, load0, loadavg())
	return nil
}

// best runs f n times, each after a collection (outside the timing) so no
// run pays for the previous one's garbage, and returns the fastest.
func best(n int, f func() error, errp *error) time.Duration {
	var b time.Duration
	for i := 0; i < n; i++ {
		runtime.GC()
		start := time.Now()
		if err := f(); err != nil {
			*errp = err
			return 0
		}
		if d := time.Since(start); i == 0 || d < b {
			b = d
		}
	}
	return b
}

func ints(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		n, err := strconv.Atoi(f)
		if err != nil || n < 2 {
			return nil, fmt.Errorf("%q is not a size (an integer >= 2)", f)
		}
		out = append(out, n)
	}
	return out, nil
}

func contains(xs []int, x int) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

func loadavg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}

func runPeer(python, script, feeds string, org *bench.Org) (*peerResult, error) {
	cmd := exec.Command(python, script, feeds, org.Window.From.UTC().Format(time.RFC3339), org.Window.To.UTC().Format(time.RFC3339))
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", python, script, err)
	}
	var p peerResult
	if err := json.Unmarshal(out, &p); err != nil {
		return nil, fmt.Errorf("%s: output %q: %w", script, out, err)
	}
	return &p, nil
}

type daemonResult struct {
	Ready   time.Duration // start to /-/ready 200: one full sync cycle and evaluation
	CPU     time.Duration // user+system CPU of the process by then
	PeakRSS int64         // VmHWM after the cycle and a /metrics scrape, bytes
	Scrape  *bench.Scrape // /metrics served by the daemon
	// A second cycle (fresh runs only): 1% of the feeds changed, then a
	// reload re-syncs every source and the daemon evaluates again.
	Cycle2     time.Duration // reload to the new evaluation
	Cycle2CPU  time.Duration
	Cycle2Peak int64 // VmHWM after it (the peak of the whole run)
}

// evaluations reads cadence_evaluation_duration_seconds_count from /metrics.
func evaluations(client *http.Client, base string) (int, error) {
	resp, err := client.Get(base + "/metrics")
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "cadence_evaluation_duration_seconds_count "); ok {
			n, err := strconv.ParseFloat(v, 64)
			return int(n), err
		}
	}
	if err := sc.Err(); err != nil {
		return 0, err
	}
	return 0, errors.New("no cadence_evaluation_duration_seconds_count in /metrics")
}

// secondCycle changes 1% of the org's feeds (their modification time: the
// daemon reads and parses them again), reloads, and waits for the next
// evaluation.
func secondCycle(client *http.Client, base string, pid int, org *bench.Org, res *daemonResult) error {
	n0, err := evaluations(client, base)
	if err != nil {
		return err
	}
	cpu0, _, err := procStat(pid)
	if err != nil {
		return err
	}
	later := time.Now().Add(time.Minute)
	for i := 0; i < max(1, len(org.Feeds)/100); i++ {
		if err := os.Chtimes(org.Feeds[i].Path, later, later); err != nil {
			return err
		}
	}
	start := time.Now()
	resp, err := client.Post(base+"/-/reload", "text/plain", nil)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("reload: %s", resp.Status)
	}
	for deadline := time.Now().Add(10 * time.Minute); ; {
		if time.Now().After(deadline) {
			return errors.New("no evaluation within 10 minutes of the reload")
		}
		time.Sleep(500 * time.Millisecond)
		n, err := evaluations(client, base)
		if err != nil {
			return err
		}
		if n > n0 {
			break
		}
	}
	res.Cycle2 = time.Since(start)
	cpu1, peak, err := procStat(pid)
	res.Cycle2CPU, res.Cycle2Peak = cpu1-cpu0, peak
	return err
}

func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	addr := l.Addr().String()
	return addr, l.Close()
}

// procStat returns the CPU time (user+system) and peak RSS of pid.
func procStat(pid int) (time.Duration, int64, error) {
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, 0, err
	}
	s := string(stat)
	i := strings.LastIndexByte(s, ')')
	f := strings.Fields(s[i+2:])
	if len(f) < 13 {
		return 0, 0, fmt.Errorf("/proc/%d/stat: %q", pid, s)
	}
	ut, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	cpu := time.Duration(ut+st) * time.Second / 100 // USER_HZ is 100 on Linux
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0, err
	}
	var hwm int64
	for _, l := range strings.Split(string(status), "\n") {
		if rest, ok := strings.CutPrefix(l, "VmHWM:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			hwm = kb * 1024
		}
	}
	return cpu, hwm, nil
}

// runDaemon runs `cadence serve` on the org until its first evaluation, and
// measures it from /proc: on a fresh state file, or on the one the last
// run left (a restart).
func runDaemon(bin string, org *bench.Org, fresh bool) (*daemonResult, error) {
	base, err := os.ReadFile(filepath.Join(org.Dir, "cadence.yaml"))
	if err != nil {
		return nil, err
	}
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	state := filepath.Join(org.Dir, "state.db")
	if fresh {
		for _, suffix := range []string{"", "-wal", "-shm"} {
			os.Remove(state + suffix)
		}
	}
	cfg := string(base) + fmt.Sprintf(`
classification:
  ignored_attendees: ["*@otter.ai", "*@fireflies.ai", "*@read.ai"]
  out_of_office_titles: ["Out of office", "OOO", "OOO *", "Vacation", "Vacation *", "Holiday", "PTO", "Sick", "Sick leave", "Parental leave"]
  title_hints: ["{a} / {b}", "{a} <> {b}", "1:1 {a} / {b}", "{a} 1:1 {b}"]

serve:
  listen_address: %q
  state_path: %q
  sync_every: 1h
  evaluate_every: 1h
  first_evaluation_timeout: 10m

metrics:
  per_pair: true
`, addr, state)
	cfgPath := filepath.Join(org.Dir, "serve.yaml")
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o644); err != nil {
		return nil, err
	}
	logName := "serve.log"
	if !fresh {
		logName = "serve-restart.log"
	}
	logf, err := os.Create(filepath.Join(org.Dir, logName))
	if err != nil {
		return nil, err
	}
	defer logf.Close()
	cmd := exec.Command(bin, "serve", "--config.file", cfgPath, "--log.level", "warn")
	cmd.Stdout, cmd.Stderr = logf, logf
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	stop := func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-done:
		case <-time.After(60 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
	}
	client := &http.Client{Timeout: 30 * time.Second}
	base0 := "http://" + addr
	res := &daemonResult{}
	deadline := time.Now().Add(10 * time.Minute)
	for {
		select {
		case err := <-done:
			return nil, fmt.Errorf("cadence serve exited: %v (log: %s)", err, filepath.Join(org.Dir, "serve.log"))
		default:
		}
		if time.Now().After(deadline) {
			stop()
			return nil, errors.New("cadence serve: not ready after 10 minutes")
		}
		resp, err := client.Get(base0 + "/-/ready")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	res.Ready = time.Since(start)
	if res.CPU, _, err = procStat(cmd.Process.Pid); err != nil {
		stop()
		return nil, err
	}
	for i := 0; i < 2; i++ {
		s, err := bench.ScrapeOnce(client, base0+"/metrics")
		if err != nil {
			stop()
			return nil, err
		}
		if res.Scrape == nil || s.Duration < res.Scrape.Duration {
			res.Scrape = s
		}
	}
	if _, res.PeakRSS, err = procStat(cmd.Process.Pid); err != nil {
		stop()
		return nil, err
	}
	if fresh {
		if err := secondCycle(client, base0, cmd.Process.Pid, org, res); err != nil {
			stop()
			return nil, fmt.Errorf("second cycle: %w", err)
		}
	}
	stop()
	return res, nil
}

func print(w io.Writer, rows []*row, load0, load1 string) {
	fmt.Fprintf(w, "cadence scale benchmark: %s, %d CPUs, GOMAXPROCS %d; load average %s at start, %s at end\n",
		runtime.Version(), runtime.NumCPU(), runtime.GOMAXPROCS(0), load0, load1)
	fmt.Fprintf(w, "In-process figures are the best of several runs on one goroutine; daemon figures are one `cadence serve` run.\n\n")
	fmt.Fprintln(w, "| people | feeds MB | events | occurrences | floor read+split | ingest+expand | events/s | MB/s | x floor | evaluate | eval/ingest | pairs | /metrics (pair series) | daemon ready | daemon CPU/cycle | daemon peak RSS | daemon /metrics | 2nd cycle, 1% changed: time / CPU / peak RSS so far | restart: ready / peak RSS | Google req/cycle full / unchanged / 1% changed |")
	fmt.Fprintln(w, "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
	for _, r := range rows {
		d := "-"
		dcpu, drss, dscrape, d2 := "-", "-", "-", "-"
		if r.daemon != nil {
			d2 = fmt.Sprintf("%s / %s / %.0f MB", ms(r.daemon.Cycle2), ms(r.daemon.Cycle2CPU), float64(r.daemon.Cycle2Peak)/1e6)
			d = ms(r.daemon.Ready)
			dcpu = ms(r.daemon.CPU)
			drss = fmt.Sprintf("%.0f MB", float64(r.daemon.PeakRSS)/1e6)
			dscrape = fmt.Sprintf("%s (%d)", ms(r.daemon.Scrape.Duration), r.daemon.Scrape.PairSeries)
		} else if r.daemonErr != nil {
			d = "error"
		}
		rs := "-"
		if r.restart != nil {
			rs = fmt.Sprintf("%s / %.0f MB", ms(r.restart.Ready), float64(r.restart.PeakRSS)/1e6)
		} else if r.restartErr != nil {
			rs = "error"
		}
		g := "-"
		if r.google != nil {
			g = fmt.Sprintf("%d / %d / %d", r.google.FullRequests, r.google.UnchangedRequests, r.google.ChangedRequests)
		} else if r.googleErr != nil {
			g = "error"
		}
		fmt.Fprintf(w, "| %d | %.1f | %d | %d | %s | %s | %.0f | %.1f | %.1f | %s | %.3f | %d | %s (%d) | %s | %s | %s | %s | %s | %s | %s |\n",
			r.people, r.mb, r.events, r.occs, ms(r.floor), ms(r.ingest), float64(r.events)/r.ingest.Seconds(), r.mb/r.ingest.Seconds(),
			r.ingest.Seconds()/r.floor.Seconds(), ms(r.eval), r.eval.Seconds()/r.ingest.Seconds(), r.pairs,
			ms(r.scrape.Duration), r.scrape.PairSeries, d, dcpu, drss, dscrape, d2, rs, g)
	}
	fmt.Fprintln(w)
	for _, r := range rows {
		if r.peer != nil {
			fmt.Fprintf(w, "Peer at %d people: python3-recurring-ical-events %d occurrences in %.2f s = %.0f occurrences/s; cadence %d occurrences in %s = %.0f occurrences/s; ratio %.1fx\n",
				r.people, r.peer.Occurrences, r.peer.Seconds, r.peer.OccurrencesPerSecond, r.occs, ms(r.ingest), r.goOccsPerSecond, r.goOccsPerSecond/r.peer.OccurrencesPerSecond)
		}
		for _, e := range []struct {
			what string
			err  error
		}{{"peer", r.peerErr}, {"daemon", r.daemonErr}, {"daemon restart", r.restartErr}, {"google", r.googleErr}} {
			if e.err != nil {
				fmt.Fprintf(w, "%d people: %s: %v\n", r.people, e.what, e.err)
			}
		}
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Targets:")
	for _, r := range rows {
		var t []string
		if r.peer != nil {
			ratio := r.goOccsPerSecond / r.peer.OccurrencesPerSecond
			t = append(t, verdict(ratio >= 20, fmt.Sprintf("ingest+expand %.1fx the Python peer (>= 20x)", ratio)))
		}
		xf := r.ingest.Seconds() / r.floor.Seconds()
		t = append(t, verdict(xf <= 4, fmt.Sprintf("ingest+expand %.1fx the read+split floor (<= 4x; go-ical's decoding alone is %.1fx)", xf, r.decode.Seconds()/r.floor.Seconds())))
		if r.people == 10000 {
			ev := r.eval.Seconds() / r.ingest.Seconds()
			t = append(t, verdict(ev < 0.1, fmt.Sprintf("evaluation %.3f of ingest (< 0.1 at 10k people)", ev)))
		}
		if r.daemon != nil && r.people == 10000 {
			peak := max(r.daemon.PeakRSS, r.daemon.Cycle2Peak)
			t = append(t, verdict(peak < 300e6, fmt.Sprintf("daemon peak RSS %.0f MB over two cycles (< 300 MB at 10k people)", float64(peak)/1e6)))
		}
		if r.scrape40k != nil {
			t = append(t, verdict(r.scrape40k.Duration < 250*time.Millisecond,
				fmt.Sprintf("/metrics %s for %d pair series (%d pairs of this org; < 250 ms at ~40k; the first scrape of a snapshot, which gathers it as cadence serve does at evaluation, %s)",
					ms(r.scrape40k.Duration), r.scrape40k.PairSeries, r.pairs40k, ms(r.scrape40kFirst.Duration))))
		}
		if r.google != nil {
			t = append(t, verdict(r.google.UnchangedRequests == r.google.Calendars,
				fmt.Sprintf("%d Google requests for %d unchanged calendars (exactly one each)", r.google.UnchangedRequests, r.google.Calendars)))
		}
		fmt.Fprintf(w, "- %d people: %s\n", r.people, strings.Join(t, "; "))
	}
}

func verdict(ok bool, s string) string {
	if ok {
		return "MET " + s
	}
	return "MISSED " + s
}

func ms(d time.Duration) string {
	if d >= 10*time.Second {
		return fmt.Sprintf("%.1f s", d.Seconds())
	}
	return fmt.Sprintf("%.0f ms", float64(d)/float64(time.Millisecond))
}
