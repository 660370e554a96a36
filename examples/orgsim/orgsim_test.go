package orgsim_test

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cadence-dev/cadence/cadence"
	"github.com/cadence-dev/cadence/calendar"
	"github.com/cadence-dev/cadence/examples/orgsim"
)

var start = time.Date(2026, 5, 4, 0, 0, 0, 0, time.UTC)

func generate(t *testing.T, cfg orgsim.Config) (*orgsim.Org, string) {
	t.Helper()
	org, err := orgsim.Generate(cfg)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := org.WriteDir(dir); err != nil {
		t.Fatal(err)
	}
	return org, dir
}

// readTree returns every file under dir by relative path.
func readTree(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		rel, _ := filepath.Rel(dir, path)
		files[filepath.ToSlash(rel)] = b
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

func diffTrees(t *testing.T, want, got map[string][]byte, what string) {
	t.Helper()
	for name, w := range want {
		g, ok := got[name]
		switch {
		case !ok:
			t.Errorf("%s: %s missing", what, name)
		case !bytes.Equal(w, g):
			t.Errorf("%s: %s differs (%d vs %d bytes)", what, name, len(w), len(g))
		}
	}
	for name := range got {
		if _, ok := want[name]; !ok {
			t.Errorf("%s: unexpected file %s", what, name)
		}
	}
}

func TestGenerateDeterministic(t *testing.T) {
	cfg := orgsim.Config{People: 60, Months: 4, Seed: 42, Start: start, Broken: 1}
	_, a := generate(t, cfg)
	_, b := generate(t, cfg)
	ta, tb := readTree(t, a), readTree(t, b)
	if len(ta) != 61 {
		t.Fatalf("want people.csv + 60 feeds, got %d files", len(ta))
	}
	diffTrees(t, ta, tb, "same seed")

	cfg.Seed = 43
	_, c := generate(t, cfg)
	tc := readTree(t, c)
	if bytes.Equal(ta["people.csv"], tc["people.csv"]) {
		t.Error("seeds 42 and 43 produced the same people.csv")
	}
}

func TestGenerateErrors(t *testing.T) {
	for _, cfg := range []orgsim.Config{
		{People: 1, Months: 1, Start: start},
		{People: 10, Months: 0, Start: start},
		{People: 10, Months: 1},
		{People: 10, Months: 1, Start: start, Broken: 11},
	} {
		if _, err := orgsim.Generate(cfg); err == nil || !strings.HasPrefix(err.Error(), "orgsim: ") {
			t.Errorf("Generate(%+v): want an orgsim error, got %v", cfg, err)
		}
	}
}

// parseFeeds parses every feed of org in dir: clean feeds must parse with
// no warning and hold as many events as the file has VEVENTs; broken ones
// must fail.
func parseFeeds(t *testing.T, org *orgsim.Org, dir string) map[string]*calendar.Feed {
	t.Helper()
	feeds := map[string]*calendar.Feed{}
	broken := 0
	for _, p := range org.People {
		path := filepath.Join(dir, "feeds", p.Feed+".ics")
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		feed, err := calendar.ParseICS(bytes.NewReader(data), calendar.ParseOptions{Name: p.Feed, Owner: p.Email, Zone: p.Zone})
		if p.Broken {
			broken++
			if err == nil {
				t.Errorf("%s: broken feed parsed without error", path)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", path, err)
			continue
		}
		if len(feed.Warnings) > 0 {
			t.Errorf("%s: warnings:\n%s", path, strings.Join(feed.Warnings, "\n"))
		}
		if n := bytes.Count(data, []byte("BEGIN:VEVENT\r\n")); len(feed.Events) != n {
			t.Errorf("%s: parsed %d events, file has %d VEVENTs", path, len(feed.Events), n)
		}
		for i, line := range bytes.Split(data, []byte("\r\n")) {
			if len(line) > 75 {
				t.Errorf("%s:%d: line of %d octets (max 75)", path, i+1, len(line))
			}
			if bytes.IndexByte(line, '\n') >= 0 {
				t.Errorf("%s:%d: bare LF", path, i+1)
			}
		}
		feeds[p.Email] = feed
	}
	if broken == 0 && slices.ContainsFunc(org.People, func(p *orgsim.Person) bool { return p.Broken }) {
		t.Error("no broken feed checked")
	}
	return feeds
}

// checkModel expands every participant's copy of every meeting and compares
// the occurrences with the generator's model: instants, moves,
// cancellations (EXDATE, STATUS:CANCELLED, "Canceled:" prefix) and declines.
func checkModel(t *testing.T, org *orgsim.Org, feeds map[string]*calendar.Feed, w calendar.Window) {
	t.Helper()
	type got struct {
		occs []calendar.Occurrence
	}
	byFeed := map[string]map[string][]calendar.Occurrence{} // owner -> UID -> occs
	for owner, f := range feeds {
		occs, warns := calendar.Expand(f.Events, w, calendar.ExpandOptions{Zone: org.Person(owner).Zone})
		if len(warns) > 0 {
			t.Errorf("feed %s: expand warnings: %v", owner, warns)
		}
		m := map[string][]calendar.Occurrence{}
		for _, o := range occs {
			m[o.UID] = append(m[o.UID], o)
		}
		byFeed[owner] = m
	}
	checked := 0
	for _, m := range org.Meetings {
		type want struct {
			orig, start time.Time
			cancelled   bool
			declined    []string
		}
		var wants []want
		for _, t0 := range m.Occurrences(w.To) {
			if t0.Before(w.From) {
				continue
			}
			x := want{orig: t0, start: t0, cancelled: m.Cancelled || slices.ContainsFunc(m.Exdates, t0.Equal)}
			for _, p := range m.Patches {
				if p.Orig.Equal(t0) {
					if !p.Start.IsZero() {
						x.start = p.Start
					}
					x.cancelled = x.cancelled || p.Cancelled
					x.declined = p.Declined
				}
			}
			wants = append(wants, x)
		}
		for _, owner := range m.Participants() {
			p := org.Person(owner)
			if p.Broken {
				continue
			}
			gotOccs := byFeed[owner][m.UID]
			ws := wants
			if m.Cancelled && p.Provider == orgsim.Outlook && owner == m.Organizer {
				ws = nil // Exchange drops a meeting its organizer cancelled
			}
			if len(gotOccs) != len(ws) {
				t.Errorf("%s: %s (%s): %d occurrences, want %d", p.Feed, m.Key, m.UID, len(gotOccs), len(ws))
				continue
			}
			slices.SortFunc(gotOccs, func(a, b calendar.Occurrence) int { return a.OriginalStart.Compare(b.OriginalStart) })
			for i, x := range ws {
				o := gotOccs[i]
				if !o.OriginalStart.Equal(x.orig) || !o.Start.Equal(x.start) || o.Cancelled() != x.cancelled {
					t.Errorf("%s: %s: occurrence %d = orig %s start %s cancelled %v (%s); want orig %s start %s cancelled %v",
						p.Feed, m.Key, i, o.OriginalStart, o.Start, o.Cancelled(), o.CancelReason, x.orig, x.start, x.cancelled)
				}
				if !m.AllDay && !o.End.Equal(x.start.Add(m.End.Sub(m.Start))) {
					t.Errorf("%s: %s: occurrence %s ends %s", p.Feed, m.Key, x.orig, o.End)
				}
				for _, d := range x.declined {
					i := slices.IndexFunc(o.Attendees, func(a calendar.Attendee) bool { return a.Email == d })
					if i < 0 || o.Attendees[i].Response != calendar.ResponseDeclined {
						t.Errorf("%s: %s: occurrence %s: %s should have declined: %+v", p.Feed, m.Key, x.orig, d, o.Attendees)
					}
				}
				checked++
			}
		}
	}
	if checked == 0 {
		t.Error("no occurrence checked")
	}
}

func TestGeneratedFeedsParse(t *testing.T) {
	cfg := orgsim.Config{People: 80, Months: 6, Seed: 7, Start: start, Broken: 2}
	org, dir := generate(t, cfg)
	feeds := parseFeeds(t, org, dir)
	checkModel(t, org, feeds, calendar.Window{From: start.AddDate(0, 0, -7), To: cfg.End().AddDate(0, 0, 60)})
}

// TestExampleUpToDate regenerates the shipped example org and compares it
// byte for byte with examples/org, and checks config.example.yaml lists
// exactly its feeds. Regenerate with `go generate ./examples/orgsim`.
func TestExampleUpToDate(t *testing.T) {
	org := orgsim.Example()
	dir := t.TempDir()
	if err := org.WriteDir(dir); err != nil {
		t.Fatal(err)
	}
	diffTrees(t, readTree(t, dir), readTree(t, filepath.Join("..", "org")), "examples/org (run go generate ./examples/orgsim)")

	cfg, err := os.ReadFile(filepath.Join("..", "..", "config.example.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	block := org.ICSSourcesYAML(func(p *orgsim.Person) string { return orgsim.ExampleFeedDir + "/feeds/" + p.Feed + ".ics" })
	if !bytes.Contains(cfg, []byte(block)) {
		t.Error("config.example.yaml: sources.ics is not the example org's list (run go generate ./examples/orgsim)")
	}
	if !bytes.Contains(cfg, []byte("csv: "+orgsim.ExampleFeedDir+"/people.csv")) {
		t.Error("config.example.yaml: directory.csv does not point at the example org")
	}
}

func TestExampleFeeds(t *testing.T) {
	org := orgsim.Example()
	dir := t.TempDir()
	if err := org.WriteDir(dir); err != nil {
		t.Fatal(err)
	}
	feeds := parseFeeds(t, org, dir)
	checkModel(t, org, feeds, calendar.Window{
		From: time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC),
		To:   time.Date(2027, 3, 1, 0, 0, 0, 0, time.UTC),
	})

	// Shape of the org the README promises.
	if n := len(org.People); n < 25 || n > 40 {
		t.Errorf("%d people, want 25-40", n)
	}
	google := 0
	zones := map[string]bool{}
	for _, p := range org.People {
		if p.Provider == orgsim.Google {
			google++
		}
		zones[p.Zone.String()] = true
	}
	if share := float64(google) / float64(len(org.People)); share < 0.6 || share > 0.75 {
		t.Errorf("Google share %.2f, want about two thirds", share)
	}
	if len(zones) < 3 {
		t.Errorf("zones %v, want at least 3", zones)
	}
}

func TestReplaceICSSources(t *testing.T) {
	in := "timezone: UTC\nsources:\n  http:\n    timeout: 30s\n  # feeds\n  ics:\n    - name: a\n      # comment\n      path: a.ics\n\nclassification:\n  x: 1\n"
	out, err := orgsim.ReplaceICSSources([]byte(in), "  ics:\n    - name: b\n")
	if err != nil {
		t.Fatal(err)
	}
	want := "timezone: UTC\nsources:\n  http:\n    timeout: 30s\n  # feeds\n  ics:\n    - name: b\n\nclassification:\n  x: 1\n"
	if string(out) != want {
		t.Errorf("got\n%s\nwant\n%s", out, want)
	}
	if _, err := orgsim.ReplaceICSSources([]byte("sources:\n  http: {}\n"), "x"); err == nil {
		t.Error("no ics list: want an error")
	}
}

// BenchmarkGenerate measures generating and writing a 1,000-person org
// (six months); the cost is linear in people.
func BenchmarkGenerate(b *testing.B) {
	dir := b.TempDir()
	for b.Loop() {
		org, err := orgsim.Generate(orgsim.Config{People: 1000, Months: 6, Seed: 1, Start: start})
		if err != nil {
			b.Fatal(err)
		}
		if err := org.WriteDir(dir); err != nil {
			b.Fatal(err)
		}
	}
}

// TestExampleReport runs the shipped org through the pipeline (parse,
// expand, dedup, evaluate) at the golden-test instant and checks what
// examples/README.md promises for each case.
func TestExampleReport(t *testing.T) {
	org := orgsim.Example()
	dir := filepath.Join("..", "org")
	f, err := os.Open(filepath.Join(dir, "people.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	people, err := cadence.ParseDirectoryCSV(f, "people.csv")
	if err != nil {
		t.Fatal(err)
	}
	d, err := cadence.NewDirectory(people)
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	w := calendar.Window{From: at.AddDate(0, 0, -200), To: at.AddDate(0, 0, 90)}
	var occs []calendar.Occurrence
	var failing []string
	for _, p := range org.People {
		data, err := os.ReadFile(filepath.Join(dir, "feeds", p.Feed+".ics"))
		if err != nil {
			t.Fatal(err)
		}
		feed, err := calendar.ParseICS(bytes.NewReader(data), calendar.ParseOptions{Name: p.Feed, Owner: p.Email, Zone: p.Zone})
		if err != nil {
			failing = append(failing, p.Feed)
			continue
		}
		o, _ := calendar.Expand(feed.Events, w, calendar.ExpandOptions{Zone: p.Zone})
		occs = append(occs, o...)
	}
	if !slices.Equal(failing, []string{"uma"}) {
		t.Errorf("failing feeds %v, want [uma]", failing)
	}
	opts := cadence.Options{Rules: cadence.DefaultRules(), Window: 90 * 24 * time.Hour, MaxDuration: 120 * time.Minute, SkipLevels: 2,
		IgnoredAttendees: []string{"*@otter.ai", "*@fireflies.ai", "*@read.ai"},
		OOOPatterns:      []string{"Out of office", "OOO", "OOO *", "Vacation", "Vacation *", "Holiday", "PTO", "Sick", "Sick leave", "Parental leave"}}
	snap := cadence.Evaluate(d, calendar.Dedup(occs), opts, at, nil)

	type want struct {
		status  cadence.Status
		flags   string
		streak  int
		counts  cadence.Counts
		rule    string
		lastUTC string // "" = not checked
	}
	wants := map[string]want{
		"direct ana bo":    {status: "ok", rule: "direct", counts: cadence.Counts{Held: 12}, lastUTC: "2026-11-16T14:00:00Z"},
		"direct ana chen":  {status: "ok", rule: "direct", counts: cadence.Counts{Held: 6, Cancelled: 1}},
		"direct ana dev":   {status: "ok", rule: "direct", counts: cadence.Counts{Held: 7}},
		"direct ana eva":   {status: "ok", rule: "direct", counts: cadence.Counts{Held: 6}},
		"direct bo fay":    {status: "ok", rule: "direct", counts: cadence.Counts{Held: 7}},
		"direct bo gus":    {status: "ok", rule: "direct", counts: cadence.Counts{Held: 6, Cancelled: 1, Rescheduled: 1}},
		"direct fay kai":   {status: "ok", rule: "direct", counts: cadence.Counts{Held: 6}, lastUTC: "2026-11-09T09:30:00Z"},
		"direct fay lena":  {status: "overdue", rule: "direct", streak: 1, counts: cadence.Counts{Held: 4, Declined: 2}},
		"direct fay max":   {status: "ok", rule: "new-hire", counts: cadence.Counts{Held: 7}},
		"direct fay nia":   {status: "ok", rule: "direct", counts: cadence.Counts{Held: 6, Excused: 1}},
		"direct gus omar":  {status: "ok", rule: "direct", counts: cadence.Counts{Held: 5, Cancelled: 1}},
		"direct gus pia":   {status: "overdue", flags: "cancel_streak", rule: "direct", streak: 3, counts: cadence.Counts{Held: 3, Cancelled: 3}},
		"direct gus quinn": {status: "ok", rule: "new-hire", counts: cadence.Counts{Held: 10}},
		"direct gus rui":   {status: "ok", rule: "new-hire", counts: cadence.Counts{Held: 6}},
		"direct dev jo":    {status: "ok", rule: "direct", streak: 1, counts: cadence.Counts{Held: 6, Cancelled: 1}},
		"direct jo yara":   {status: "ok", rule: "direct", counts: cadence.Counts{Held: 6}},
		"direct jo zoe":    {status: "due", rule: "direct", counts: cadence.Counts{Held: 3}},
		"direct chen hana": {status: "ok", rule: "direct", counts: cadence.Counts{Held: 6}},
		"direct chen ivan": {status: "ok", flags: "too_short", rule: "direct", counts: cadence.Counts{Held: 7, TooShort: 7}},
		"direct hana sam":  {status: "ok", rule: "direct", counts: cadence.Counts{Held: 6, Cancelled: 1}},
		"direct hana tara": {status: "ok", rule: "direct", counts: cadence.Counts{Held: 6, Excused: 1}},
		"direct hana uma":  {status: "ok", rule: "direct", counts: cadence.Counts{Held: 6}},
		"direct ivan vic":  {status: "never", flags: "no_upcoming", rule: "direct"},
		"direct ivan wes":  {status: "overdue", flags: "cancel_streak", rule: "direct", streak: 4, counts: cadence.Counts{Held: 3, Cancelled: 4}},
		"direct ivan xena": {status: "ok", rule: "new-hire", counts: cadence.Counts{Held: 3}},
		"direct eva luis":  {status: "overdue", rule: "direct", counts: cadence.Counts{Held: 3}},
		"direct eva mia":   {status: "ok", rule: "direct", counts: cadence.Counts{Held: 6}},
		"skip ana fay":     {status: "ok", rule: "skip", counts: cadence.Counts{Held: 3}},
		"skip bo kai":      {status: "ok", rule: "skip", counts: cadence.Counts{Held: 3}},
		"skip chen sam":    {status: "ok", rule: "skip", counts: cadence.Counts{Held: 3}},
		"skip dev yara":    {status: "ok", rule: "skip", counts: cadence.Counts{Held: 4}},
		"peer fay rui":     {status: "overdue", flags: "no_upcoming", rule: "peer", counts: cadence.Counts{Held: 4}},
		"peer fay gus":     {status: "ok", rule: "peer", counts: cadence.Counts{Held: 3}},
		"peer kai omar":    {status: "ok", rule: "peer", counts: cadence.Counts{Held: 3}},
		"peer sam tara":    {status: "ok", rule: "peer", counts: cadence.Counts{Held: 3}},
	}
	short := func(e string) string { return strings.TrimSuffix(e, "@example.com") }
	seen := map[string]bool{}
	for _, p := range snap.Pairs {
		key := string(p.Kind) + " " + short(p.Lead) + " " + short(p.Member)
		seen[key] = true
		x, ok := wants[key]
		if !ok {
			t.Errorf("unexpected pair %s (%s)", key, p.Status)
			continue
		}
		if p.Status != x.status || strings.Join(p.Flags, ",") != x.flags || p.Rule != x.rule ||
			p.ConsecutiveCancellations != x.streak || p.Window != x.counts {
			t.Errorf("%s: got %s %v rule %s streak %d %+v; want %s [%s] rule %s streak %d %+v",
				key, p.Status, p.Flags, p.Rule, p.ConsecutiveCancellations, p.Window, x.status, x.flags, x.rule, x.streak, x.counts)
		}
		if x.lastUTC != "" && (p.LastHeld == nil || p.LastHeld.UTC().Format(time.RFC3339) != x.lastUTC) {
			t.Errorf("%s: last_held %v, want %s", key, p.LastHeld, x.lastUTC)
		}
	}
	for k := range wants {
		if !seen[k] {
			t.Errorf("pair %s missing", k)
		}
	}
}
