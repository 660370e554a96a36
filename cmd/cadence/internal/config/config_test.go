package config

import (
	"errors"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/cadence-dev/cadence/cadence"
	"github.com/cadence-dev/cadence/calendar"
)

var update = flag.Bool("update", false, "rewrite testdata/invalid-*.err from the current output")

func abs(t *testing.T, p string) string {
	t.Helper()
	a, err := filepath.Abs(p)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// TestInvalid parses every testdata/invalid-*.yaml and compares the whole
// error with the sibling .err file: every problem, its line, key path and
// words.
func TestInvalid(t *testing.T) {
	files, err := filepath.Glob("testdata/invalid-*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 15 {
		t.Fatalf("found %d invalid fixtures, want at least 15", len(files))
	}
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".yaml")
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			cfg, err := Parse(data, filepath.Base(f))
			if err == nil {
				t.Fatalf("Parse succeeded (%+v), want an error", cfg)
			}
			if cfg != nil {
				t.Errorf("Parse returned a config with its error")
			}
			got := err.Error() + "\n"
			golden := strings.TrimSuffix(f, ".yaml") + ".err"
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err2 := os.ReadFile(golden)
			if err2 != nil {
				t.Fatal(err2)
			}
			if got != string(want) {
				t.Errorf("error text differs\n got:\n%s\nwant:\n%s", got, want)
			}
			// Each line is one problem, named by file and line.
			lines := strings.Split(strings.TrimSuffix(got, "\n"), "\n")
			probs := Problems(err)
			if len(probs) != len(lines) {
				t.Errorf("Problems returned %d problems for %d lines", len(probs), len(lines))
			}
			prefix := "config: " + filepath.Base(f) + ":"
			for i, l := range lines {
				if !strings.HasPrefix(l, prefix) {
					t.Errorf("line %q does not start with %q", l, prefix)
				}
				if i < len(probs) && probs[i].Line <= 0 {
					t.Errorf("problem %q has no line", l)
				}
			}
		})
	}
}

// TestInvalidInline covers problems that need no fixture file.
func TestInvalidInline(t *testing.T) {
	const dir = "directory: {csv: p.csv}\n"
	tests := []struct {
		name, yaml, want string
	}{
		{"empty file", "", "config: c.yaml: directory: missing (expected exactly one of directory.csv or directory.yaml: the org chart file)"},
		{"comments only", "# nothing\n", "config: c.yaml: directory: missing (expected exactly one of directory.csv or directory.yaml: the org chart file)"},
		{"duplicate key", dir + "window: 7d\nwindow: 14d\n", "config: c.yaml:3: window: duplicate key (first at line 2)"},
		{"scalar document", "hello\n", `config: c.yaml:1: top level: got the string "hello" (expected a mapping with keys timezone, directory, sources, classification, window, evaluate_at, google, microsoft, serve, digest, metrics, policies)`},
		{"syntax error on line 1", "a: b: c\n", "config: c.yaml:1: YAML syntax error: mapping values are not allowed in this context"},
		{"tab indentation", dir + "sources:\n\thttp: {}\n", "config: c.yaml:3: YAML syntax error: found character that cannot start any token"},
		{"unknown anchor", dir + "window: *w\n", "config: c.yaml: YAML syntax error: unknown anchor 'w' referenced"},
		{"camel case key", dir + "classification: {skipLevels: 3}\n", `config: c.yaml:2: classification: unknown key "skipLevels" (did you mean "skip_levels"?)`},
		{"unrelated key", dir + "sources: {feeds: []}\n", `config: c.yaml:2: sources: unknown key "feeds" (expected one of http, limits, ics)`},
		{"non-scalar key", dir + "? [a, b]\n: c\n", `config: c.yaml:2: top level: a key that is a list (expected one of timezone, directory, sources, classification, window, evaluate_at, google, microsoft, serve, digest, metrics, policies)`},
		{"huge integer", dir + "sources: {http: {max_bytes: 99999999999999999999}}\n", `config: c.yaml:2: sources.http.max_bytes: got the number 99999999999999999999 (expected a number of bytes such as 20971520)`},
		{"duration overflow", dir + "window: 1000000w\n", `config: c.yaml:2: window: invalid duration "1000000w": out of range (expected a duration such as 90d)`},
		{"ics item null", dir + "sources: {ics: [~]}\n", `config: c.yaml:2: sources.ics[0]: got no value (expected a feed with name, owner, and path or url)`},
		{"zero max_duration", dir + "classification: {max_duration: 0}\n", `config: c.yaml:2: classification.max_duration: 0s is not positive (expected a duration > 0 such as 120m)`},
		{"pair of three", dir + "policies: [{name: x, every: 7d, match: {pairs: [[a@x.io, b@x.io, c@x.io]]}}]\n", `config: c.yaml:2: policies[0].match.pairs[0]: has 3 email(s) (expected a pair of 2 emails)`},
		{"pairs in other case", dir + "policies: [{name: x, every: 7d, match: {pairs: [[A@x.io, mailto:a@X.io]]}}]\n", `config: c.yaml:2: policies[0].match.pairs[0]: "A@x.io" twice (expected two different people)`},
		{"rule name null", dir + "policies: [{name: ~, every: 7d}]\n", `config: c.yaml:2: policies[0].name: got no value (expected a rule name such as direct)`},
		{"rule without name", dir + "policies: [{every: 7d}]\n", `config: c.yaml:2: policies[0].name: missing (expected a unique rule name such as direct)`},
		{"merge key", dir + "x: &x {window: 7d}\n", `config: c.yaml:2: unknown key "x" at top level (expected one of timezone, directory, sources, classification, window, evaluate_at, google, microsoft, serve, digest, metrics, policies)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.yaml), "c.yaml")
			if err == nil {
				t.Fatal("Parse succeeded, want an error")
			}
			if err.Error() != tt.want {
				t.Errorf("error\n got: %s\nwant: %s", err, tt.want)
			}
		})
	}
}

func mustParseFile(t *testing.T, f string) *Config {
	t.Helper()
	data, err := os.ReadFile(f)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := Parse(data, f)
	if err != nil {
		t.Fatalf("Parse(%s): %v", f, err)
	}
	return cfg
}

// TestDefaults checks every default against the smallest valid file.
func TestDefaults(t *testing.T) {
	cfg := mustParseFile(t, "testdata/valid-minimal.yaml")
	want := &Config{
		Timezone:  time.UTC,
		Directory: Directory{CSV: abs(t, "testdata/org/people.csv")},
		Sources: Sources{
			HTTP:   HTTP{Timeout: 30 * time.Second, MaxBytes: 20 * 1024 * 1024, RedirectHosts: []string{}},
			Limits: Limits{SeriesOccurrences: 10000, FeedOccurrences: 100000, EvaluationOccurrences: 5000000, ZoneTransitions: 50000, ParseTime: 10 * time.Second},
			ICS:    []ICS{},
		},
		Classification: Classification{
			IgnoredAttendees: []string{},
			OOOTitles:        []string{"Out of office", "OOO", "OOO *", "Vacation", "Vacation *", "Holiday", "PTO", "Sick", "Sick leave", "Parental leave"},
			TitleHints:       []string{},
			MaxDuration:      120 * time.Minute,
			SkipLevels:       2,
		},
		Window:   90 * 24 * time.Hour,
		Policies: cadence.DefaultRules(),
		Serve: Serve{
			ListenAddress: ":9816", StatePath: filepath.Join(baseDir("testdata/valid-minimal.yaml"), "cadence.db"),
			SyncEvery: 15 * time.Minute, EvaluateEvery: 5 * time.Minute,
			FirstEvaluationTimeout: 2 * time.Minute, ShutdownTimeout: 30 * time.Second,
			ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 60 * time.Second, WriteTimeout: 60 * time.Second,
			IdleTimeout: 2 * time.Minute, MaxConnections: 512, Page: Page{Enabled: true},
		},
		Metrics: Metrics{PerPair: true, Identity: "email"},
		Digest:  wantDigestDefaults(time.UTC),
		File:    "testdata/valid-minimal.yaml",
		lines:   cfg.lines,
	}
	if !reflect.DeepEqual(cfg, want) {
		t.Errorf("defaults\n got: %+v\nwant: %+v", cfg, want)
	}
	if len(cfg.Policies) != 4 {
		t.Errorf("default policies: %d rules, want the SPEC's 4", len(cfg.Policies))
	}
}

// TestFullSnapshot parses the snapshot of config.example.yaml and checks
// that the values it documents as defaults are the defaults.
func TestFullSnapshot(t *testing.T) {
	cfg := mustParseFile(t, "testdata/full.yaml")
	def := mustParseFile(t, "testdata/valid-minimal.yaml")
	if cfg.Timezone != def.Timezone || !reflect.DeepEqual(cfg.Sources.HTTP, def.Sources.HTTP) ||
		cfg.Window != def.Window || cfg.Classification.MaxDuration != def.Classification.MaxDuration ||
		cfg.Classification.SkipLevels != def.Classification.SkipLevels {
		t.Errorf("example values differ from the defaults:\n%+v\n%+v", cfg, def)
	}
	if !reflect.DeepEqual(cfg.Classification.OOOTitles, DefaultOOOTitles()) {
		t.Errorf("example out_of_office_titles %q differ from the default %q", cfg.Classification.OOOTitles, DefaultOOOTitles())
	}
	if !reflect.DeepEqual(cfg.Policies, cadence.DefaultRules()) {
		t.Errorf("example policies differ from cadence.DefaultRules():\n got: %+v\nwant: %+v", cfg.Policies, cadence.DefaultRules())
	}
	if want := []string{"*@otter.ai", "*@fireflies.ai", "*@read.ai"}; !reflect.DeepEqual(cfg.Classification.IgnoredAttendees, want) {
		t.Errorf("ignored_attendees = %q, want %q", cfg.Classification.IgnoredAttendees, want)
	}
	if len(cfg.Classification.TitleHints) != 4 {
		t.Errorf("title_hints = %q, want 4", cfg.Classification.TitleHints)
	}
	if len(cfg.Sources.ICS) == 0 {
		t.Fatal("no ICS sources")
	}
	for _, s := range cfg.Sources.ICS {
		if s.Name == "" || s.Owner == "" || (s.Path == "") == (s.URL == "") || s.Zone == nil || s.Line == 0 {
			t.Errorf("source %+v incomplete", s)
		}
		if s.Path != "" && !filepath.IsAbs(s.Path) {
			t.Errorf("source %s path %q not absolute", s.Name, s.Path)
		}
	}
}

func TestValidSources(t *testing.T) {
	cfg := mustParseFile(t, "testdata/valid-sources.yaml")
	berlin, _ := time.LoadLocation("Europe/Berlin")
	ny, _ := time.LoadLocation("America/New_York")
	if cfg.Timezone.String() != "Europe/Berlin" {
		t.Errorf("timezone %v", cfg.Timezone)
	}
	if cfg.Directory != (Directory{YAML: "/srv/org/people.yaml"}) {
		t.Errorf("directory %+v (an absolute path stays as written)", cfg.Directory)
	}
	if !reflect.DeepEqual(cfg.Sources.HTTP, HTTP{Timeout: 90 * time.Second, MaxBytes: 1 << 20, RedirectHosts: []string{"outlook.office365.com", "*.googleusercontent.com"}}) {
		t.Errorf("http %+v", cfg.Sources.HTTP)
	}
	wantICS := []ICS{
		{Name: "ana", Owner: "ana@example.com", Path: abs(t, "testdata/feeds/ana.ics"), Zone: berlin, Line: 9},
		{Name: "bo.berg_2", Owner: "bo@example.com", URL: "https://calendar.example.com/bo.ics?token=s3cret", Zone: ny, Line: 12},
		{Name: "ceo", Owner: "ceo@example.com", URL: "http://intranet:8080/ceo.ics", Zone: berlin, Line: 16},
	}
	if len(cfg.Sources.ICS) != len(wantICS) {
		t.Fatalf("ICS %+v", cfg.Sources.ICS)
	}
	for i, w := range wantICS {
		g := cfg.Sources.ICS[i]
		if g.Name != w.Name || g.Owner != w.Owner || g.Path != w.Path || g.URL != w.URL || g.Zone.String() != w.Zone.String() || g.Line != w.Line {
			t.Errorf("ICS[%d]\n got %+v\nwant %+v", i, g, w)
		}
	}
	cl := cfg.Classification
	if cl.MaxDuration != 90*time.Minute || cl.SkipLevels != 3 || len(cl.IgnoredAttendees) != 3 ||
		!reflect.DeepEqual(cl.OOOTitles, []string{"OOO", "Out of office*"}) || !reflect.DeepEqual(cl.TitleHints, []string{"{a} / {b}", "1:1"}) {
		t.Errorf("classification %+v", cl)
	}
	if cfg.Window != 14*24*time.Hour {
		t.Errorf("window %v", cfg.Window)
	}
	day := 24 * time.Hour
	all := cadence.Match{Kinds: []cadence.Kind{cadence.KindDirect, cadence.KindSkip, cadence.KindPeer}}
	wantRules := []cadence.Rule{
		{Name: "pairs", Match: cadence.Match{Pairs: [][2]string{{"ana@example.com", "bo@example.com"}}, ReportsOver: 8},
			Every: 7 * day, Grace: 36 * time.Hour, Required: true, MaxConsecutiveCancellations: 3},
		{Name: "base", Match: all, Every: 30 * day},
		{Name: "again", Match: all, Every: 60 * day, MaxConsecutiveCancellations: 3},
	}
	if !reflect.DeepEqual(cfg.Policies, wantRules) {
		t.Errorf("policies\n got: %+v\nwant: %+v", cfg.Policies, wantRules)
	}
	if got := cfg.Line("policies[1].every"); got != 34 {
		t.Errorf("Line(policies[1].every) = %d, want 34", got)
	}
	if got := cfg.Line("policies[0].min_duration"); got != 25 {
		t.Errorf("Line of an absent key = %d, want its rule's 25", got)
	}
	if got := cfg.Line("google.endpoint"); got != 3 {
		t.Errorf("Line of an absent section = %d, want the top-level mapping's 3 (its first key)", got)
	}
}

func TestOptionsAndSources(t *testing.T) {
	cfg := mustParseFile(t, "testdata/valid-sources.yaml")
	o := cfg.Options()
	want := cadence.Options{
		Rules:            cfg.Policies,
		Window:           14 * 24 * time.Hour,
		MaxDuration:      90 * time.Minute,
		SkipLevels:       3,
		IgnoredAttendees: []string{"*@otter.ai", "bot-?@example.com", "[a-c]*@notes.example.com"},
		OOOPatterns:      []string{"OOO", "Out of office*"},
		TitleHints:       []string{"{a} / {b}", "1:1"},
	}
	if !reflect.DeepEqual(o, want) {
		t.Errorf("Options\n got: %+v\nwant: %+v", o, want)
	}
	// The options are a copy: changing them leaves the config alone.
	o.Rules[0].Match.Pairs[0][0] = "x@example.com"
	o.Rules[1].Match.Kinds[0] = cadence.KindPeer
	o.IgnoredAttendees[0] = "changed"
	if cfg.Policies[0].Match.Pairs[0][0] != "ana@example.com" || cfg.Policies[1].Match.Kinds[0] != cadence.KindDirect ||
		cfg.Classification.IgnoredAttendees[0] != "*@otter.ai" {
		t.Error("Options shares memory with the config")
	}

	src := cfg.ICSSources()
	if len(src) != 3 {
		t.Fatalf("ICSSources: %+v", src)
	}
	want0 := calendar.ICSSource{Name: "ana", Owner: "ana@example.com", Path: abs(t, "testdata/feeds/ana.ics"), Zone: cfg.Timezone}
	if !reflect.DeepEqual(src[0], want0) {
		t.Errorf("ICSSources[0] = %+v, want %+v", src[0], want0)
	}
	if src[1].URL == "" || src[1].Path != "" || src[1].Zone.String() != "America/New_York" {
		t.Errorf("ICSSources[1] = %+v", src[1])
	}
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	f := filepath.Join(dir, "cadence.yaml")
	data := "directory: {csv: org/people.csv}\nsources: {ics: [{name: a, owner: a@x.io, path: ../feeds/a.ics}]}\n"
	if err := os.WriteFile(f, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := Load(f)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.File != f || cfg.Directory.CSV != filepath.Join(dir, "org", "people.csv") ||
		cfg.Sources.ICS[0].Path != filepath.Join(filepath.Dir(dir), "feeds", "a.ics") {
		t.Errorf("paths not resolved against %s: %+v %+v", dir, cfg.Directory, cfg.Sources.ICS)
	}

	_, err = Load(filepath.Join(dir, "missing.yaml"))
	if err == nil || err.Error() != "config: open "+filepath.Join(dir, "missing.yaml")+": no such file or directory" {
		t.Errorf("Load(missing) = %v", err)
	}
	if !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Load(missing) does not wrap os.ErrNotExist: %v", err)
	}
}

func TestParseDuration(t *testing.T) {
	day := 24 * time.Hour
	ok := []struct {
		in   string
		want time.Duration
	}{
		{"0", 0},
		{"-0", 0},
		{"90m", 90 * time.Minute},
		{"2h30m", 150 * time.Minute},
		{"7d", 7 * day},
		{"2w", 14 * day},
		{"1d12h", 36 * time.Hour},
		{"1w2d3h4m5s", 9*day + 3*time.Hour + 4*time.Minute + 5*time.Second},
		{"1.5d", 36 * time.Hour},
		{".5h", 30 * time.Minute},
		{"-1d", -day},
		{"+3d", 3 * day},
		{"300ms", 300 * time.Millisecond},
		{"1us", time.Microsecond},
		{"1µs", time.Microsecond},
		{"10ns", 10},
		{"15000w", 15000 * 7 * day},
	}
	for _, tt := range ok {
		got, err := ParseDuration(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("ParseDuration(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
	bad := []struct{ in, want string }{
		{"", `config: invalid duration "": empty`},
		{"7", `config: invalid duration "7": missing unit after 7, one of ns us ms s m h d w`},
		{"7 d", `config: invalid duration "7 d": has a space`},
		{"3x", `config: invalid duration "3x": unknown unit "x", not one of ns us ms s m h d w`},
		{"d", `config: invalid duration "d": expected a number at "d"`},
		{"1..2d", `config: invalid duration "1..2d": expected a number at "1..2d"`},
		{"-", `config: invalid duration "-": no number`},
		{"16000w", `config: invalid duration "16000w": out of range`},
		{"9223372036854775807ns1ns", `config: invalid duration "9223372036854775807ns1ns": out of range`},
		{"99999999999999999999d", `config: invalid duration "99999999999999999999d": out of range`},
		{"1e3d", `config: invalid duration "1e3d": unknown unit "e", not one of ns us ms s m h d w`},
	}
	for _, tt := range bad {
		_, err := ParseDuration(tt.in)
		if err == nil || err.Error() != tt.want {
			t.Errorf("ParseDuration(%q) error = %v, want %s", tt.in, err, tt.want)
		}
	}
}

func TestSuggest(t *testing.T) {
	keys := []string{"timezone", "directory", "sources", "classification", "window", "policies"}
	tests := map[string]string{
		"polcies":        "policies",
		"policy":         "policies",
		"Timezone":       "timezone",
		"time_zone":      "timezone",
		"timzeone":       "timezone",
		"windows":        "window",
		"clasification":  "classification",
		"source":         "sources",
		"google":         "",
		"x":              "",
		"directory_file": "directory",
	}
	for in, want := range tests {
		if got := suggest(in, keys); got != want {
			t.Errorf("suggest(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCheck(t *testing.T) {
	// Valid: the org chart exists and every owner and pair is in it.
	data := []byte(`directory: {csv: org/people.csv}
sources:
  ics:
    - {name: ana, owner: Ana.Alves@example.com, path: feeds/missing-is-fine.ics}
policies:
  - {name: x, every: 7d, match: {pairs: [[ceo@example.com, bo@example.com]]}}
`)
	cfg, err := Parse(data, "testdata/check.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if err := Check(cfg); err != nil {
		t.Errorf("Check: %v", err)
	}
	dir, err := cfg.LoadDirectory()
	if err != nil {
		t.Fatal(err)
	}
	if p, ok := dir.Resolve("ana.alves@example.com"); !ok || p != "ana@example.com" {
		t.Errorf("directory not loaded: Resolve = %q, %v", p, ok)
	}

	// Unknown owner and pair member: each named with its line.
	data = []byte(`directory: {csv: org/people.csv}
sources:
  ics:
    - {name: ana, owner: ana@example.com, path: a.ics}
    - {name: zed, owner: zed@example.com, path: z.ics}
policies:
  - name: x
    every: 7d
    match:
      pairs: [[ceo@example.com, nobody@example.com]]
`)
	cfg, err = Parse(data, "testdata/check.yaml")
	if err != nil {
		t.Fatal(err)
	}
	want := `config: testdata/check.yaml:5: sources.ics[1].owner: "zed@example.com" is not in the directory (expected the email of a person of the org chart)
config: testdata/check.yaml:10: policies[0].match.pairs[0][1]: "nobody@example.com" is not in the directory (expected the email of a person of the org chart)`
	if err := Check(cfg); err == nil || err.Error() != want {
		t.Errorf("Check error\n got: %v\nwant: %s", err, want)
	}

	// Missing org chart file.
	cfg, err = Parse([]byte("timezone: UTC\ndirectory:\n  yaml: org/nope.yaml\n"), "testdata/check.yaml")
	if err != nil {
		t.Fatal(err)
	}
	err = Check(cfg)
	want = "config: testdata/check.yaml:3: directory.yaml: cannot read the org chart: open " + abs(t, "testdata/org/nope.yaml") + ": no such file or directory"
	if err == nil || err.Error() != want {
		t.Errorf("Check error\n got: %v\nwant: %s", err, want)
	}
	if !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing org chart error does not wrap os.ErrNotExist")
	}
	if ps := Problems(err); len(ps) != 1 || ps[0].Path != "directory.yaml" || ps[0].Line != 3 {
		t.Errorf("Problems = %+v", ps)
	}

	// A broken org chart: the directory's own error, wrapped.
	bad := filepath.Join(t.TempDir(), "bad.csv")
	if err := os.WriteFile(bad, []byte("email,name,manager_email,hire_date\nana@example.com,Ana,ghost@example.com,2020-01-01\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err = Parse([]byte("directory:\n  csv: "+bad+"\n"), "testdata/check.yaml")
	if err != nil {
		t.Fatal(err)
	}
	err = Check(cfg)
	if err == nil || !strings.HasPrefix(err.Error(), "config: testdata/check.yaml:2: directory.csv: cadence: "+bad+":2:") ||
		!strings.Contains(err.Error(), "ghost@example.com") {
		t.Errorf("Check(broken org chart) = %v", err)
	}
}

func TestProblemFormat(t *testing.T) {
	tests := []struct {
		p    Problem
		want string
	}{
		{Problem{File: "c.yaml", Line: 3, Path: "window", Msg: "bad"}, "config: c.yaml:3: window: bad"},
		{Problem{File: "c.yaml", Msg: "bad"}, "config: c.yaml: bad"},
		{Problem{File: "c.yaml", Line: 1, Msg: "bad"}, "config: c.yaml:1: bad"},
	}
	for _, tt := range tests {
		if got := tt.p.Error(); got != tt.want {
			t.Errorf("Error() = %q, want %q", got, tt.want)
		}
	}
	if Problems(nil) != nil {
		t.Error("Problems(nil) not empty")
	}
}

// TestAliasBomb: aliases that multiply the document (here 200 rules each
// with 100 pairs, from 2 KB) are stopped by a budget instead of costing time
// and memory in proportion to the expansion (1.8 MB of errors without it).
func TestAliasBomb(t *testing.T) {
	var b strings.Builder
	b.WriteString("directory: {csv: a.csv}\n")
	b.WriteString("x: &a [x@y.z, x@y.z]\n")
	b.WriteString("y: &b [" + strings.TrimSuffix(strings.Repeat("*a,", 100), ",") + "]\n")
	b.WriteString("z: &c {name: r, every: 7d, match: {pairs: *b}}\n")
	b.WriteString("policies: [" + strings.TrimSuffix(strings.Repeat("*c,", 200), ",") + "]\n")
	_, err := Parse([]byte(b.String()), "bomb.yaml")
	if err == nil || !strings.Contains(err.Error(), "config: bomb.yaml:3: aliases expand the document beyond 2292 nodes") {
		t.Fatalf("alias bomb: %.3000v", err)
	}
	if n := len(err.Error()); n > 20000 {
		t.Errorf("alias bomb error is %d bytes; the expansion was not bounded", n)
	}
}

// TestProblemsNeverQuoteAFeedURL: a feed URL written anywhere in a bad
// configuration is shown as its host only (the fixtures put the secret
// "private-0123456789abcdef" in several places).
func TestProblemsNeverQuoteAFeedURL(t *testing.T) {
	files, _ := filepath.Glob("testdata/invalid-*.yaml")
	n := 0
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(data), "private-0123456789abcdef") {
			continue
		}
		n++
		_, err = Parse(data, filepath.Base(f))
		if err == nil || strings.Contains(err.Error(), "0123456789abcdef") {
			t.Errorf("%s: %v", f, err)
		}
	}
	if n < 2 {
		t.Errorf("only %d fixtures carry the secret", n)
	}
}
