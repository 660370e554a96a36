package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/cadence-dev/cadence/cadence"
	"github.com/cadence-dev/cadence/calendar"
)

// decoder walks the YAML node tree against the schema below, so that every
// problem carries its line and key path, all problems are collected, and an
// unknown key is named with the closest known one. This is what
// yaml.Decoder.KnownFields(true) does for structs, with positions and
// suggestions for every problem rather than a first-error message.
type decoder struct {
	file     string
	problems []*Problem
	lines    map[string]int  // key path -> line of its value, for keys present
	bad      map[string]bool // key paths that already have a problem

	// Alias expansion budget: anchors and aliases may not make the walk
	// visit more than limit nodes beyond the document's own (an alias bomb
	// would otherwise cost exponential time and memory).
	expanded, limit int
	aborted         bool
	sizes           map[*yaml.Node]int
}

// size counts the nodes of the tree at n, not following aliases.
func (d *decoder) size(n *yaml.Node) int {
	if n == nil {
		return 0
	}
	if s, ok := d.sizes[n]; ok {
		return s
	}
	if d.sizes == nil {
		d.sizes = map[*yaml.Node]int{}
	}
	s := 1
	if n.Kind != yaml.AliasNode {
		for _, c := range n.Content {
			s += d.size(c)
		}
	}
	d.sizes[n] = s
	return s
}

// follow resolves an alias, charging what it expands to against the budget.
// It returns false once the budget is spent: the walk stops there.
func (d *decoder) follow(n *yaml.Node) (*yaml.Node, bool) {
	if d.aborted {
		return nil, false
	}
	if n == nil || n.Kind != yaml.AliasNode {
		return n, true
	}
	t := deref(n)
	d.expanded += d.size(t)
	if d.expanded > d.limit {
		d.aborted = true
		d.problems = append(d.problems, &Problem{File: d.file, Line: n.Line,
			Msg: fmt.Sprintf("aliases expand the document beyond %d nodes (expected anchors and aliases used sparingly)", d.limit)})
		return nil, false
	}
	return t, true
}

// errorf records a problem at key path, once per path.
func (d *decoder) errorf(line int, path, format string, args ...any) {
	d.add(&Problem{File: d.file, Line: line, Path: path, Msg: fmt.Sprintf(format, args...)})
}

func (d *decoder) add(p *Problem) {
	if d.aborted {
		return // what follows an alias bomb is noise
	}
	if p.Path != "" {
		if d.bad[p.Path] {
			return
		}
		d.bad[p.Path] = true
	}
	d.problems = append(d.problems, p)
}

// err joins the problems in file order (stable for one line).
func (d *decoder) err() error {
	if len(d.problems) == 0 {
		return nil
	}
	sort.SliceStable(d.problems, func(i, j int) bool { return d.problems[i].Line < d.problems[j].Line })
	errs := make([]error, len(d.problems))
	for i, p := range d.problems {
		errs[i] = p
	}
	return errors.Join(errs...)
}

// badUnder reports whether a problem was recorded at path or below it.
func (d *decoder) badUnder(path string) bool {
	for p := range d.bad {
		if p == path || strings.HasPrefix(p, path+".") || strings.HasPrefix(p, path+"[") {
			return true
		}
	}
	return false
}

// line returns the line of the key at path or of its closest enclosing key.
func (d *decoder) line(path string) int { return lineOf(d.lines, path) }

func lineOf(lines map[string]int, path string) int {
	for path != "" {
		if l, ok := lines[path]; ok {
			return l
		}
		path = parentPath(path)
	}
	return lines[""]
}

// parentPath strips the last ".key" or "[i]" of a key path.
func parentPath(path string) string {
	i := strings.LastIndexAny(path, ".[")
	if i < 0 {
		return ""
	}
	return path[:i]
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func index(path string, i int) string { return fmt.Sprintf("%s[%d]", path, i) }

// syntaxLine extracts the line from yaml's "yaml: line N: msg" errors.
var syntaxLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// parseYAML parses data into the root node of its single document. A nil
// node means an empty document.
func parseYAML(data []byte, file string) (root *yaml.Node, err error) {
	defer func() {
		// The YAML library is not known to panic on bad input, but a
		// configuration reader must not crash whatever it is given.
		if r := recover(); r != nil {
			root, err = nil, &Problem{File: file, Msg: fmt.Sprintf("YAML syntax error: %v", r)}
		}
	}()
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, nil // empty file: every key takes its default
		}
		return nil, syntaxProblem(err, file)
	}
	var next yaml.Node
	if err := dec.Decode(&next); err == nil {
		return nil, &Problem{File: file, Line: next.Line, Msg: "a second YAML document (expected one document)"}
	} else if !errors.Is(err, io.EOF) {
		return nil, syntaxProblem(err, file)
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 {
		return nil, nil
	}
	return doc.Content[0], nil
}

func syntaxProblem(err error, file string) *Problem {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	line := 0
	if m := syntaxLine.FindStringSubmatch(err.Error()); m != nil {
		line, _ = strconv.Atoi(m[1])
		msg = m[2]
		if parserProblems[msg] {
			// The library counts lines from 0 for parser (not scanner)
			// errors. The line is where the construct holding the
			// problem starts, or the problem itself.
			line++
		}
	} else if !strings.Contains(msg, "anchor") && !strings.Contains(msg, "alias") {
		// The library leaves out the line when it is the first one.
		line = 1
	}
	return &Problem{File: file, Line: line, Msg: "YAML syntax error: " + msg}
}

// parserProblems are the messages of go.yaml.in/yaml/v3's parser (as
// opposed to its scanner), whose line numbers are 0-based.
var parserProblems = map[string]bool{
	"did not find expected <stream-start>":   true,
	"did not find expected <document start>": true,
	"found undefined tag handle":             true,
	"did not find expected node content":     true,
	"did not find expected '-' indicator":    true,
	"did not find expected key":              true,
	"did not find expected ',' or ']'":       true,
	"did not find expected ',' or '}'":       true,
	"found duplicate %YAML directive":        true,
	"found incompatible YAML document":       true,
	"found duplicate %TAG directive":         true,
}

// field is one key of a mapping in the schema.
type field struct {
	key    string
	decode func(n *yaml.Node, path string)
}

// deref follows aliases (bounded: an alias chain cannot loop in a parsed
// document, but stay safe).
func deref(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && n.Kind == yaml.AliasNode && i < 100; i++ {
		n = n.Alias
	}
	return n
}

func isNull(n *yaml.Node) bool {
	return n == nil || n.Kind == yaml.ScalarNode && n.Tag == "!!null"
}

// describe names what a node holds, for "got ..." messages.
func describe(n *yaml.Node) string {
	n = deref(n)
	switch {
	case n == nil:
		return "nothing"
	case n.Kind == yaml.MappingNode:
		return "a mapping"
	case n.Kind == yaml.SequenceNode:
		return "a list"
	case n.Kind != yaml.ScalarNode:
		return "an unexpected YAML node"
	}
	v := n.Value
	if len(v) > 40 {
		v = v[:40] + "..."
	}
	switch n.Tag {
	case "!!null":
		return "no value"
	case "!!int", "!!float":
		return "the number " + v
	case "!!bool":
		return "the boolean " + v
	case "!!str":
		if isURL(n.Value) {
			return quote(n.Value)
		}
		return fmt.Sprintf("the string %q", v)
	}
	return quote(v)
}

// isURL reports whether a value looks like a URL.
func isURL(s string) bool { return strings.Contains(s, "://") }

// quote quotes a value for a problem, except a URL, which is shown as its
// host only: a feed URL written in the wrong place still carries its
// secret token.
func quote(s string) string {
	if isURL(s) {
		if h := calendar.URLHost(s); h != "" {
			return "a URL (host " + h + ")"
		}
		return "a URL"
	}
	return fmt.Sprintf("%q", s)
}

// mapping decodes a mapping node against fields. A null node is an empty
// mapping (a section written with no keys). what describes the mapping for
// type errors.
func (d *decoder) mapping(n *yaml.Node, path string, fields []field) {
	n, ok := d.follow(n)
	if !ok {
		return
	}
	if isNull(n) {
		return
	}
	if n.Kind != yaml.MappingNode {
		d.errorf(n.Line, pathOrTop(path), "got %s (expected a mapping with keys %s)", describe(n), keyList(fields))
		return
	}
	seen := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := deref(n.Content[i]), n.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			d.errorf(k.Line, pathOrTop(path), "a key that is %s (expected one of %s)", describe(k), keyList(fields))
			continue
		}
		var f *field
		for j := range fields {
			if fields[j].key == k.Value {
				f = &fields[j]
				break
			}
		}
		if f == nil {
			d.unknownKey(k, path, fields)
			continue
		}
		child := join(path, k.Value)
		if first, dup := seen[k.Value]; dup {
			d.errorf(k.Line, child, "duplicate key (first at line %d)", first)
			continue
		}
		seen[k.Value] = k.Line
		d.lines[child] = deref(v).Line
		f.decode(v, child)
	}
}

func pathOrTop(path string) string {
	if path == "" {
		return "top level"
	}
	return path
}

func (d *decoder) unknownKey(k *yaml.Node, path string, fields []field) {
	names := make([]string, len(fields))
	for i, f := range fields {
		names[i] = f.key
	}
	hint := "expected one of " + keyList(fields)
	if s := suggest(k.Value, names); s != "" {
		hint = fmt.Sprintf("did you mean %q?", s)
	}
	p := &Problem{File: d.file, Line: k.Line}
	if path == "" {
		p.Msg = fmt.Sprintf("unknown key %q at top level (%s)", k.Value, hint)
	} else {
		p.Path = path
		p.Msg = fmt.Sprintf("unknown key %q (%s)", k.Value, hint)
	}
	// Several unknown keys in one mapping are each reported.
	if !d.aborted {
		d.problems = append(d.problems, p)
	}
}

func keyList(fields []field) string {
	names := make([]string, len(fields))
	for i, f := range fields {
		names[i] = f.key
	}
	return strings.Join(names, ", ")
}

// scalar returns the scalar node at n, or records a problem naming want.
func (d *decoder) scalar(n *yaml.Node, path, want string) (*yaml.Node, bool) {
	n, ok := d.follow(n)
	if !ok {
		return nil, false
	}
	if n == nil || n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
		line := d.line(path)
		if n != nil && n.Line > 0 {
			line = n.Line
		}
		d.errorf(line, path, "got %s (expected %s)", describe(n), want)
		return nil, false
	}
	return n, true
}

func (d *decoder) str(n *yaml.Node, path, want string, out *string) {
	if s, ok := d.scalar(n, path, want); ok {
		if s.Value == "" {
			d.errorf(s.Line, path, "empty (expected %s)", want)
			return
		}
		*out = s.Value
	}
}

func (d *decoder) duration(n *yaml.Node, path, want string, out *time.Duration) {
	s, ok := d.scalar(n, path, want)
	if !ok {
		return
	}
	if s.Value == "" {
		d.errorf(s.Line, path, "empty (expected %s)", want)
		return
	}
	v, err := parseDuration(s.Value)
	if err != nil {
		d.errorf(s.Line, path, "invalid duration %q: %v (expected %s)", s.Value, err, want)
		return
	}
	*out = v
}

func (d *decoder) instant(n *yaml.Node, path, want string, out *time.Time) {
	s, ok := d.scalar(n, path, want)
	if !ok {
		return
	}
	t, err := time.Parse(time.RFC3339, s.Value)
	if err != nil {
		d.errorf(s.Line, path, "%q is not a time (expected %s)", s.Value, want)
		return
	}
	*out = t
}

func (d *decoder) integer(n *yaml.Node, path, want string, out *int64) {
	s, ok := d.scalar(n, path, want)
	if !ok {
		return
	}
	var v int64
	if s.Tag != "!!int" || s.Decode(&v) != nil {
		d.errorf(s.Line, path, "got %s (expected %s)", describe(s), want)
		return
	}
	*out = v
}

func (d *decoder) boolean(n *yaml.Node, path string, out *bool) {
	s, ok := d.scalar(n, path, "true or false")
	if !ok {
		return
	}
	if s.Tag != "!!bool" {
		d.errorf(s.Line, path, "got %s (expected true or false)", describe(s))
		return
	}
	*out = s.Value == "true" || s.Value == "True" || s.Value == "TRUE"
}

// list calls item for each element of a sequence node; null is an empty
// list. It returns false when n is not a list.
func (d *decoder) list(n *yaml.Node, path, want string, item func(i int, n *yaml.Node, path string)) bool {
	n, ok := d.follow(n)
	if !ok {
		return false
	}
	if isNull(n) {
		return true
	}
	if n.Kind != yaml.SequenceNode {
		d.errorf(n.Line, path, "got %s (expected %s)", describe(n), want)
		return false
	}
	for i, c := range n.Content {
		if d.aborted {
			break
		}
		p := index(path, i)
		d.lines[p] = deref(c).Line
		item(i, c, p)
	}
	return true
}

// strings decodes a list of non-empty strings; null is an empty list. want
// describes the list, item one element.
func (d *decoder) strings(n *yaml.Node, path, want, item string, out *[]string) {
	list := []string{}
	if !d.list(n, path, want, func(_ int, c *yaml.Node, p string) {
		var s string
		d.str(c, p, item, &s)
		if s != "" {
			list = append(list, s)
		}
	}) {
		return
	}
	*out = list
}

func (d *decoder) zone(n *yaml.Node, path string, out **time.Location) {
	const want = "an IANA time zone such as UTC or Europe/Berlin"
	var name string
	d.str(n, path, want, &name)
	if name == "" {
		return
	}
	if name == "Local" {
		d.errorf(d.line(path), path, "%q depends on the machine cadence runs on (expected %s)", name, want)
		return
	}
	loc, err := calendar.LoadLocation(name)
	if err != nil {
		if iana, ok := calendar.WindowsToIANA(name); ok {
			// Outlook users know their zone by its Windows name.
			d.errorf(d.line(path), path, "%q is a Windows zone name (expected its IANA name %q)", name, iana)
			return
		}
		d.errorf(d.line(path), path, "unknown time zone %q (expected %s)", name, want)
		return
	}
	*out = loc
}

// The schema. Later issues add google:, serve: and digest: here.

func (d *decoder) config(root *yaml.Node, c *Config) {
	if root != nil {
		d.lines[""] = root.Line
	}
	d.limit = 4*d.size(root) + 1000
	d.mapping(root, "", []field{
		{"timezone", func(n *yaml.Node, p string) { d.zone(n, p, &c.Timezone) }},
		{"directory", func(n *yaml.Node, p string) {
			d.mapping(n, p, []field{
				{"csv", func(n *yaml.Node, p string) { d.str(n, p, "a file path", &c.Directory.CSV) }},
				{"yaml", func(n *yaml.Node, p string) { d.str(n, p, "a file path", &c.Directory.YAML) }},
			})
		}},
		{"sources", func(n *yaml.Node, p string) { d.sources(n, p, &c.Sources) }},
		{"classification", func(n *yaml.Node, p string) { d.classification(n, p, &c.Classification) }},
		{"window", func(n *yaml.Node, p string) { d.duration(n, p, "a duration such as 90d", &c.Window) }},
		{"evaluate_at", func(n *yaml.Node, p string) {
			d.instant(n, p, "an RFC 3339 time such as 2026-11-23T09:00:00Z", &c.EvaluateAt)
		}},
		{"google", func(n *yaml.Node, p string) { d.google(n, p, &c.Google) }},
		{"microsoft", func(n *yaml.Node, p string) { d.microsoft(n, p, &c.Microsoft) }},
		{"serve", func(n *yaml.Node, p string) { d.serve(n, p, &c.Serve) }},
		{"digest", func(n *yaml.Node, p string) { d.digest(n, p, &c.Digest) }},
		{"metrics", func(n *yaml.Node, p string) {
			d.mapping(n, p, []field{
				{"per_pair", func(n *yaml.Node, p string) { d.boolean(n, p, &c.Metrics.PerPair) }},
				{"identity", func(n *yaml.Node, p string) { d.str(n, p, "email, id or hash", &c.Metrics.Identity) }},
				{"hash_salt_file", func(n *yaml.Node, p string) { d.str(n, p, "a file path", &c.Metrics.HashSaltFile) }},
			})
		}},
		{"policies", func(n *yaml.Node, p string) {
			c.Policies = []cadence.Rule{}
			d.list(n, p, "a list of rules", func(_ int, n *yaml.Node, p string) {
				c.Policies = append(c.Policies, d.rule(n, p))
			})
		}},
	})
}

func (d *decoder) serve(n *yaml.Node, path string, s *Serve) {
	d.mapping(n, path, []field{
		{"listen_address", func(n *yaml.Node, p string) { d.str(n, p, "a host:port such as :9816", &s.ListenAddress) }},
		{"web_config_file", func(n *yaml.Node, p string) { d.str(n, p, "a file path", &s.WebConfigFile) }},
		{"state_path", func(n *yaml.Node, p string) { d.str(n, p, "a file path", &s.StatePath) }},
		{"sync_every", func(n *yaml.Node, p string) { d.duration(n, p, "a duration such as 15m", &s.SyncEvery) }},
		{"evaluate_every", func(n *yaml.Node, p string) { d.duration(n, p, "a duration such as 5m", &s.EvaluateEvery) }},
		{"first_evaluation_timeout", func(n *yaml.Node, p string) {
			d.duration(n, p, "a duration such as 2m", &s.FirstEvaluationTimeout)
		}},
		{"shutdown_timeout", func(n *yaml.Node, p string) { d.duration(n, p, "a duration such as 30s", &s.ShutdownTimeout) }},
		{"read_header_timeout", func(n *yaml.Node, p string) {
			d.duration(n, p, "a duration such as 10s", &s.ReadHeaderTimeout)
		}},
		{"read_timeout", func(n *yaml.Node, p string) { d.duration(n, p, "a duration such as 60s", &s.ReadTimeout) }},
		{"write_timeout", func(n *yaml.Node, p string) { d.duration(n, p, "a duration such as 60s", &s.WriteTimeout) }},
		{"idle_timeout", func(n *yaml.Node, p string) { d.duration(n, p, "a duration such as 2m", &s.IdleTimeout) }},
		{"max_connections", func(n *yaml.Node, p string) {
			var v int64
			d.integer(n, p, "an integer >= 1 such as 512", &v)
			s.MaxConnections = clampInt(v)
		}},
		{"enable_reload", func(n *yaml.Node, p string) { d.boolean(n, p, &s.EnableReload) }},
		{"page", func(n *yaml.Node, p string) {
			d.mapping(n, p, []field{
				{"enabled", func(n *yaml.Node, p string) { d.boolean(n, p, &s.Page.Enabled) }},
				{"listen_address", func(n *yaml.Node, p string) {
					d.str(n, p, "a host:port such as 127.0.0.1:9817", &s.Page.ListenAddress)
				}},
				{"web_config_file", func(n *yaml.Node, p string) { d.str(n, p, "a file path", &s.Page.WebConfigFile) }},
			})
		}},
	})
}

func (d *decoder) sources(n *yaml.Node, path string, s *Sources) {
	d.mapping(n, path, []field{
		{"http", func(n *yaml.Node, p string) {
			d.mapping(n, p, []field{
				{"timeout", func(n *yaml.Node, p string) { d.duration(n, p, "a duration such as 30s", &s.HTTP.Timeout) }},
				{"max_bytes", func(n *yaml.Node, p string) {
					d.integer(n, p, "a number of bytes such as 20971520", &s.HTTP.MaxBytes)
				}},
				{"redirect_hosts", func(n *yaml.Node, p string) {
					d.strings(n, p, "a list of host names", "a host name such as calendar.example.com", &s.HTTP.RedirectHosts)
				}},
			})
		}},
		{"limits", func(n *yaml.Node, p string) {
			l := &s.Limits
			d.mapping(n, p, []field{
				{"series_occurrences", func(n *yaml.Node, p string) { d.integer(n, p, "a count such as 10000", &l.SeriesOccurrences) }},
				{"feed_occurrences", func(n *yaml.Node, p string) { d.integer(n, p, "a count such as 100000", &l.FeedOccurrences) }},
				{"evaluation_occurrences", func(n *yaml.Node, p string) {
					d.integer(n, p, "a count such as 5000000", &l.EvaluationOccurrences)
				}},
				{"zone_transitions", func(n *yaml.Node, p string) { d.integer(n, p, "a count such as 50000", &l.ZoneTransitions) }},
				{"parse_time", func(n *yaml.Node, p string) { d.duration(n, p, "a duration such as 10s", &l.ParseTime) }},
			})
		}},
		{"ics", func(n *yaml.Node, p string) {
			d.list(n, p, "a list of feeds", func(_ int, n *yaml.Node, p string) {
				src := ICS{Line: deref(n).Line}
				if isNull(deref(n)) {
					d.errorf(src.Line, p, "got no value (expected a feed with name, owner, and path or url)")
				}
				d.mapping(n, p, []field{
					{"name", func(n *yaml.Node, p string) { d.str(n, p, "a name such as ana", &src.Name) }},
					{"owner", func(n *yaml.Node, p string) {
						d.str(n, p, "an email", &src.Owner)
					}},
					{"path", func(n *yaml.Node, p string) { d.str(n, p, "a file path", &src.Path) }},
					{"url", func(n *yaml.Node, p string) { d.str(n, p, "an http(s) URL", &src.URL) }},
					{"timezone", func(n *yaml.Node, p string) { d.zone(n, p, &src.Zone) }},
				})
				s.ICS = append(s.ICS, src)
			})
		}},
	})
}

func (d *decoder) classification(n *yaml.Node, path string, c *Classification) {
	d.mapping(n, path, []field{
		{"ignored_attendees", func(n *yaml.Node, p string) {
			d.strings(n, p, "a list of email globs", "an email glob such as *@otter.ai", &c.IgnoredAttendees)
		}},
		{"out_of_office_titles", func(n *yaml.Node, p string) {
			d.strings(n, p, "a list of title patterns", "a title pattern such as \"OOO *\"", &c.OOOTitles)
		}},
		{"title_hints", func(n *yaml.Node, p string) {
			d.strings(n, p, "a list of title patterns", "a title pattern such as \"{a} / {b}\"", &c.TitleHints)
		}},
		{"max_duration", func(n *yaml.Node, p string) {
			d.duration(n, p, "a duration such as 120m", &c.MaxDuration)
		}},
		{"skip_levels", func(n *yaml.Node, p string) {
			var v int64
			d.integer(n, p, "an integer >= 2", &v)
			c.SkipLevels = clampInt(v)
		}},
	})
}

func (d *decoder) rule(n *yaml.Node, path string) cadence.Rule {
	var r cadence.Rule
	d.mapping(n, path, []field{
		{"name", func(n *yaml.Node, p string) { d.str(n, p, "a rule name such as direct", &r.Name) }},
		{"match", func(n *yaml.Node, p string) { d.match(n, p, &r.Match) }},
		{"every", func(n *yaml.Node, p string) { d.duration(n, p, "a duration such as 14d", &r.Every) }},
		{"grace", func(n *yaml.Node, p string) { d.duration(n, p, "a duration such as 3d", &r.Grace) }},
		{"min_duration", func(n *yaml.Node, p string) { d.duration(n, p, "a duration such as 20m", &r.MinDuration) }},
		{"required", func(n *yaml.Node, p string) { d.boolean(n, p, &r.Required) }},
		{"max_consecutive_cancellations", func(n *yaml.Node, p string) {
			var v int64
			d.integer(n, p, "an integer >= 0", &v)
			r.MaxConsecutiveCancellations = clampInt(v)
		}},
	})
	return r
}

func (d *decoder) match(n *yaml.Node, path string, m *cadence.Match) {
	d.mapping(n, path, []field{
		{"kind", func(n *yaml.Node, p string) {
			var kinds []string
			d.strings(n, p, "a list of kinds such as [direct, skip]", "a kind: direct, skip or peer", &kinds)
			m.Kinds = []cadence.Kind{}
			for _, k := range kinds {
				m.Kinds = append(m.Kinds, cadence.Kind(k))
			}
		}},
		{"tenure_under", func(n *yaml.Node, p string) { d.duration(n, p, "a duration such as 90d", &m.TenureUnder) }},
		{"reports_over", func(n *yaml.Node, p string) {
			var v int64
			d.integer(n, p, "an integer >= 0", &v)
			m.ReportsOver = clampInt(v)
		}},
		{"pairs", func(n *yaml.Node, p string) {
			m.Pairs = [][2]string{}
			d.list(n, p, "a list of pairs such as [[ana@example.com, bo@example.com]]", func(_ int, n *yaml.Node, p string) {
				var two []string
				before := len(d.problems)
				d.strings(n, p, "a pair of emails such as [ana@example.com, bo@example.com]", "an email", &two)
				if len(d.problems) > before {
					return
				}
				if len(two) != 2 {
					d.errorf(d.line(p), p, "has %d email(s) (expected a pair of 2 emails)", len(two))
					return
				}
				m.Pairs = append(m.Pairs, [2]string{two[0], two[1]})
			})
		}},
	})
}

// clampInt keeps out-of-range YAML integers out-of-range (validation rejects
// them) rather than wrapping around on 32-bit platforms.
func clampInt(v int64) int {
	const maxInt = int64(^uint(0) >> 1)
	switch {
	case v > maxInt:
		return int(maxInt)
	case v < -maxInt-1:
		return int(-maxInt - 1)
	}
	return int(v)
}
