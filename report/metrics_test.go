package report

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/prometheus/common/expfmt"

	"github.com/cadence-dev/cadence/cadence"
)

func constSnap(s *cadence.Snapshot) func() *cadence.Snapshot {
	return func() *cadence.Snapshot { return s }
}

// exposition registers c in a pedantic registry (which checks Describe
// against Collect) and returns the whole text exposition.
func exposition(t *testing.T, c prometheus.Collector) string {
	t.Helper()
	reg := prometheus.NewPedanticRegistry()
	if err := reg.Register(c); err != nil {
		t.Fatal(err)
	}
	return gatherText(t, reg)
}

func gatherText(t *testing.T, g prometheus.Gatherer) string {
	t.Helper()
	mfs, err := g.Gather()
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	enc := expfmt.NewEncoder(&buf, expfmt.NewFormat(expfmt.TypeTextPlain))
	for _, mf := range mfs {
		if err := enc.Encode(mf); err != nil {
			t.Fatal(err)
		}
	}
	return buf.String()
}

// promTime is how the exposition writes a timestamp value.
func promTime(s string) string {
	return strconv.FormatFloat(float64(utc(s).Unix()), 'g', -1, 64)
}

func TestMetricsGolden(t *testing.T) {
	c := NewCollector(constSnap(testSnapshot(t)), MetricsOptions{PerPair: true})
	golden(t, "metrics.golden.prom", []byte(exposition(t, c)))
	if problems, err := testutil.CollectAndLint(c); err != nil || len(problems) > 0 {
		t.Errorf("lint: %v %v", problems, err)
	}
}

func TestMetricsGoldenPromtool(t *testing.T) {
	promtool, err := exec.LookPath("promtool")
	if err != nil {
		t.Skip("promtool not on PATH (Debian package prometheus)")
	}
	cmd := exec.Command(promtool, "check", "metrics")
	data := exposition(t, NewCollector(constSnap(testSnapshot(t)), MetricsOptions{PerPair: true}))
	cmd.Stdin = strings.NewReader(data)
	out, err := cmd.CombinedOutput()
	if err != nil || len(bytes.TrimSpace(out)) > 0 {
		t.Errorf("promtool check metrics: %v\n%s", err, out)
	}
	// The golden file itself is what dashboards are checked against.
	cmd = exec.Command(promtool, "check", "metrics")
	golden, err := readFile(filepath.Join("testdata", "metrics.golden.prom"))
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdin = bytes.NewReader(golden)
	if out, err := cmd.CombinedOutput(); err != nil || len(bytes.TrimSpace(out)) > 0 {
		t.Errorf("promtool check metrics on the golden file: %v\n%s", err, out)
	}
}

func TestMetricsSeries(t *testing.T) {
	c := NewCollector(constSnap(testSnapshot(t)), MetricsOptions{PerPair: true})
	// ceo/bob: overdue, no next scheduled, streak 3.
	want := `
# HELP cadence_pair_status Status of the pair: 1 for the current status, 0 for the others.
# TYPE cadence_pair_status gauge
cadence_pair_status{kind="direct",lead="ceo@example.com",member="bob@example.com",status="due"} 0
cadence_pair_status{kind="direct",lead="ceo@example.com",member="bob@example.com",status="never"} 0
cadence_pair_status{kind="direct",lead="ceo@example.com",member="bob@example.com",status="ok"} 0
cadence_pair_status{kind="direct",lead="ceo@example.com",member="bob@example.com",status="overdue"} 1
`
	got := exposition(t, c)
	for _, l := range strings.Split(strings.TrimSpace(want), "\n") {
		if !strings.Contains(got, l+"\n") {
			t.Errorf("missing %q", l)
		}
	}
	// One next_scheduled series per pair that has one (5 of 8), one
	// last_held per pair held at least once (7 of 8).
	if n := testutil.CollectAndCount(c, "cadence_pair_next_scheduled_timestamp_seconds"); n != 5 {
		t.Errorf("next_scheduled series = %d, want 5", n)
	}
	if n := testutil.CollectAndCount(c, "cadence_pair_last_held_timestamp_seconds"); n != 7 {
		t.Errorf("last_held series = %d, want 7", n)
	}
	if n := testutil.CollectAndCount(c, "cadence_pair_occurrences"); n != 8*6 {
		t.Errorf("occurrences series = %d, want 48", n)
	}
	if n := testutil.CollectAndCount(c, "cadence_source_last_success_timestamp_seconds"); n != 2 {
		t.Errorf("source last success series = %d, want 2 (one source never succeeded)", n)
	}
	for _, line := range []string{
		`cadence_pair_last_held_timestamp_seconds{kind="direct",lead="ceo@example.com",member="bob@example.com"} ` + promTime("2026-10-20T16:00:00Z"),
		`cadence_pair_interval_seconds{kind="direct",lead="ceo@example.com",member="gus@example.com"} 604800`,
		`cadence_pair_consecutive_cancellations{kind="peer",lead="dan@example.com",member="fay@example.com"} 4`,
		`cadence_pair_occurrences{kind="direct",lead="amy@example.com",member="dan@example.com",outcome="too_short"} 3`,
		`cadence_pair_flag{flag="cancel_streak",kind="direct",lead="ceo@example.com",member="bob@example.com"} 1`,
		`cadence_pair_flag{flag="too_short",kind="direct",lead="ceo@example.com",member="bob@example.com"} 0`,
		`cadence_pair_required{kind="skip",lead="ceo@example.com",member="dan@example.com"} 0`,
		`cadence_pair_info{chain="/ceo@example.com/",kind="direct",lead="ceo@example.com",member="gus@example.com",rule="new-hire"} 1`,
		`cadence_pair_info{chain="/ceo@example.com/amy@example.com/dan@example.com/",kind="peer",lead="dan@example.com",member="fay@example.com",rule="peer"} 1`,
		`cadence_manager_info{manager="ceo@example.com",name="Cora Chief",parent=""} 1`,
		`cadence_manager_info{manager="amy@example.com",name="Amy Adams",parent="ceo@example.com"} 1`,
		`cadence_manager_compliance_ratio{manager="ceo@example.com",scope="direct"} 0.333333`,
		`cadence_manager_compliance_ratio{manager="ceo@example.com",scope="org"} 0.5`,
		`cadence_manager_pairs{kind="direct",manager="ceo@example.com",scope="org",status="never"} 2`,
		`cadence_manager_pairs{kind="skip",manager="ceo@example.com",scope="org",status="due"} 0`,
		`cadence_manager_pairs{kind="direct",manager="amy@example.com",scope="direct",status="overdue"} 0`,
		`cadence_source_last_success_timestamp_seconds{source="bob.ics"} ` + promTime("2026-11-10T08:00:00Z"),
		`cadence_source_up{source="bob.ics"} 0`,
		`cadence_source_up{source="new-feed"} 0`,
		`cadence_source_up{source="ceo-google"} 1`,
		`cadence_snapshot_timestamp_seconds ` + promTime("2026-11-16T12:00:00Z"),
	} {
		if !strings.Contains(got, line+"\n") {
			t.Errorf("missing %s", line)
		}
	}
	if strings.Contains(got, `member="fay@example.com"} `) && strings.Contains(got, `cadence_pair_next_scheduled_timestamp_seconds{kind="direct",lead="bob@example.com"`) {
		t.Errorf("next_scheduled exported for a pair without one")
	}
	// No manager_pairs series for a (scope, kind) the snapshot does not count.
	if strings.Contains(got, `cadence_manager_pairs{kind="peer"`) {
		t.Errorf("manager_pairs invented a kind")
	}
}

// TestMetricsFollowSnapshot: series are built at scrape time, so a pair
// that leaves the snapshot leaves /metrics, and a nil snapshot exports
// nothing.
func TestMetricsFollowSnapshot(t *testing.T) {
	var cur atomic.Pointer[cadence.Snapshot]
	full := testSnapshot(t)
	cur.Store(full)
	c := NewCollector(cur.Load, MetricsOptions{PerPair: true})
	reg := prometheus.NewPedanticRegistry()
	reg.MustRegister(c)

	before, err := testutil.GatherAndCount(reg, "cadence_pair_status")
	if err != nil || before != 8*4 {
		t.Fatalf("status series = %d (%v), want 32", before, err)
	}
	smaller := *full
	smaller.Pairs = full.Pairs[1:] // amy/dan leaves
	cur.Store(&smaller)
	after, err := testutil.GatherAndCount(reg, "cadence_pair_status")
	if err != nil || after != 7*4 {
		t.Errorf("after removal: %d (%v), want 28", after, err)
	}
	if out := gatherText(t, reg); strings.Contains(out, `lead="amy@example.com",member="dan@example.com"`) {
		t.Errorf("removed pair still exported")
	}

	cur.Store(nil)
	if n, err := testutil.GatherAndCount(reg); err != nil || n != 0 {
		t.Errorf("nil snapshot: %d series (%v), want 0", n, err)
	}
	if n := testutil.CollectAndCount(NewCollector(nil, MetricsOptions{PerPair: true})); n != 0 {
		t.Errorf("nil func: %d series", n)
	}
}

// TestMetricsSubtree: cadence_lead_ancestor_info relates every lead of a
// pair (dan leads a peer pair without being a manager) and every manager to
// themselves and each manager above them, so that PromQL can select the
// pairs led anywhere under a manager.
func TestMetricsSubtree(t *testing.T) {
	c := NewCollector(constSnap(testSnapshot(t)), MetricsOptions{PerPair: true})
	got := exposition(t, c)
	want := map[string][]string{ // lead -> ancestors
		"ceo@example.com": {"ceo@example.com"},
		"amy@example.com": {"amy@example.com", "ceo@example.com"},
		"bob@example.com": {"bob@example.com", "ceo@example.com"},
		"dan@example.com": {"dan@example.com", "amy@example.com", "ceo@example.com"},
	}
	n := 0
	for lead, ancestors := range want {
		for _, a := range ancestors {
			n++
			line := `cadence_lead_ancestor_info{ancestor="` + a + `",lead="` + lead + `"} 1`
			if !strings.Contains(got, line+"\n") {
				t.Errorf("missing %s", line)
			}
		}
	}
	if got := testutil.CollectAndCount(c, "cadence_lead_ancestor_info"); got != n {
		t.Errorf("cadence_lead_ancestor_info: %d series, want %d", got, n)
	}
	// Per-pair series off: the relation still covers every manager.
	off := NewCollector(constSnap(testSnapshot(t)), MetricsOptions{PerPair: false})
	if got := testutil.CollectAndCount(off, "cadence_lead_ancestor_info"); got != n-3 {
		t.Errorf("per-pair off: cadence_lead_ancestor_info: %d series, want %d (managers only)", got, n-3)
	}
}

func TestMetricsPerPairOff(t *testing.T) {
	c := NewCollector(constSnap(testSnapshot(t)), MetricsOptions{PerPair: false})
	got := exposition(t, c)
	if strings.Contains(got, "cadence_pair_") {
		t.Errorf("per-pair series exported with PerPair off")
	}
	for _, name := range []string{"cadence_manager_compliance_ratio", "cadence_manager_pairs", "cadence_source_up", "cadence_snapshot_timestamp_seconds"} {
		if testutil.CollectAndCount(c, name) == 0 {
			t.Errorf("%s missing with PerPair off", name)
		}
	}
}

func TestMetricsIdentity(t *testing.T) {
	snap := testSnapshot(t)
	t.Run("id", func(t *testing.T) {
		got := exposition(t, NewCollector(constSnap(snap), MetricsOptions{PerPair: true, Identity: IdentityID}))
		for _, want := range []string{
			`cadence_pair_consecutive_cancellations{kind="direct",lead="u-100",member="bob@example.com"} 3`, // bob has no id
			`cadence_pair_consecutive_cancellations{kind="direct",lead="u-200",member="u-500"} 0`,
			`cadence_manager_compliance_ratio{manager="bob@example.com",scope="org"} 0`,
			`cadence_manager_compliance_ratio{manager="u-100",scope="org"} 0.5`,
		} {
			if !strings.Contains(got, want+"\n") {
				t.Errorf("missing %s", want)
			}
		}
		if strings.Contains(got, "ceo@example.com") {
			t.Errorf("email exported for a person with an id")
		}
	})
	t.Run("hash", func(t *testing.T) {
		got := exposition(t, NewCollector(constSnap(snap), MetricsOptions{PerPair: true, Identity: IdentityHash, Salt: "pepper"}))
		sum := sha256.Sum256([]byte("pepperceo@example.com"))
		ceo := hex.EncodeToString(sum[:8])
		if HashIdentity("pepper", "ceo@example.com") != ceo || len(ceo) != 16 {
			t.Fatalf("HashIdentity = %q, want %q", HashIdentity("pepper", "ceo@example.com"), ceo)
		}
		if !strings.Contains(got, `cadence_manager_compliance_ratio{manager="`+ceo+`",scope="direct"} 0.333333`) {
			t.Errorf("hashed manager label missing")
		}
		if strings.Contains(got, "@example.com") {
			t.Errorf("an email leaked in hash mode")
		}
		// No names either: the manager variable of the dashboard lists
		// hashes then.
		for _, name := range []string{"Cora", "Amy Adams"} {
			if strings.Contains(got, name) {
				t.Errorf("a name (%s) leaked in hash mode", name)
			}
		}
		amy := HashIdentity("pepper", "amy@example.com")
		dan := HashIdentity("pepper", "dan@example.com")
		for _, want := range []string{
			`cadence_manager_info{manager="` + ceo + `",name="",parent=""} 1`,
			`cadence_lead_ancestor_info{ancestor="` + ceo + `",lead="` + dan + `"} 1`,
			`cadence_pair_info{chain="/` + ceo + `/` + amy + `/` + dan + `/",kind="peer",lead="` + dan + `",member="` + HashIdentity("pepper", "fay@example.com") + `",rule="peer"} 1`,
		} {
			if !strings.Contains(got, want+"\n") {
				t.Errorf("missing %s", want)
			}
		}
		other := exposition(t, NewCollector(constSnap(snap), MetricsOptions{PerPair: true, Identity: IdentityHash, Salt: "salt2"}))
		if strings.Contains(other, ceo) {
			t.Errorf("salt does not change the hash")
		}
	})
	t.Run("invalid", func(t *testing.T) {
		opts := MetricsOptions{Identity: "name"}
		if err := opts.Validate(); err == nil || !strings.HasPrefix(err.Error(), `report: metrics identity "name"`) {
			t.Errorf("Validate: %v", err)
		}
		reg := prometheus.NewPedanticRegistry()
		reg.MustRegister(NewCollector(constSnap(snap), opts))
		if _, err := reg.Gather(); err == nil || !strings.Contains(err.Error(), `report: metrics identity "name"`) {
			t.Errorf("Gather: %v", err)
		}
	})
}

// TestMetricsCollisions: two people sharing a directory id must not make
// the scrape fail.
func TestMetricsCollisions(t *testing.T) {
	snap := testSnapshot(t)
	people := snap.Directory.People()
	var ps []cadence.Person
	for _, p := range people {
		q := *p
		if q.Email == "dan@example.com" || q.Email == "eve@example.com" {
			q.ID = "same"
		}
		ps = append(ps, q)
	}
	dir, err := cadence.NewDirectory(ps)
	if err != nil {
		t.Fatal(err)
	}
	snap.Directory = dir
	reg := prometheus.NewPedanticRegistry()
	reg.MustRegister(NewCollector(constSnap(snap), MetricsOptions{PerPair: true, Identity: IdentityID}))
	if _, err := reg.Gather(); err != nil {
		t.Errorf("Gather with colliding ids: %v", err)
	}
}

func TestMetricsHostileLabels(t *testing.T) {
	snap := testSnapshot(t)
	snap.Pairs[0].Flags = []string{"odd", "odd", cadence.FlagTooShort, cadence.FlagTooShort}
	snap.Pairs[0].Status = "weird"
	snap.Sources = append(snap.Sources, cadence.SourceStatus{Name: "bad\xff\"name\"\n", OK: true, LastSuccess: tp("2026-11-16T11:00:00Z")})
	reg := prometheus.NewPedanticRegistry()
	reg.MustRegister(NewCollector(constSnap(snap), MetricsOptions{PerPair: true}))
	out := gatherText(t, reg)
	if !strings.Contains(out, "cadence_source_up{source=\"bad\ufffd\\\"name\\\"\\n\"} 1") {
		t.Errorf("hostile source label not escaped:\n%s", out)
	}
	for _, want := range []string{
		`cadence_pair_flag{flag="odd",kind="direct",lead="amy@example.com",member="dan@example.com"} 1`,
		`cadence_pair_flag{flag="too_short",kind="direct",lead="amy@example.com",member="dan@example.com"} 1`,
		`cadence_pair_status{kind="direct",lead="amy@example.com",member="dan@example.com",status="weird"} 1`,
		`cadence_pair_status{kind="direct",lead="amy@example.com",member="dan@example.com",status="ok"} 0`,
	} {
		if !strings.Contains(out, want+"\n") {
			t.Errorf("missing %s", want)
		}
	}
}

// BenchmarkCollect10k measures one scrape of a 10,000-pair snapshot.
func BenchmarkCollect10k(b *testing.B) {
	snap := &cadence.Snapshot{AsOf: utc("2026-11-16T12:00:00Z")}
	for i := range 10000 {
		snap.Pairs = append(snap.Pairs, cadence.Pair{
			Kind: cadence.KindDirect, Lead: "m" + strconv.Itoa(i/8) + "@example.com", Member: "p" + strconv.Itoa(i) + "@example.com",
			Rule: "direct", Required: true, Status: cadence.StatusOK, LastHeld: tp("2026-11-10T00:00:00Z"),
			Interval: d14, Grace: d3, MaxConsecutive: 3,
		})
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(NewCollector(constSnap(snap), MetricsOptions{PerPair: true, Identity: IdentityHash}))
	b.ResetTimer()
	for b.Loop() {
		if _, err := reg.Gather(); err != nil {
			b.Fatal(err)
		}
	}
}
