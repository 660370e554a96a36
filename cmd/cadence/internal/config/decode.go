package config

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"io"
	"math"
	"math/big"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/cadence-dev/cadence/calendar"
)

// decoder walks the YAML node tree into the tagged structs of config.go, as
// yaml.Decoder.KnownFields(true) does, but collecting every problem with its
// line and key path, and naming the closest key to an unknown one.
type decoder struct {
	*Config  // being decoded: its File, and lines, the key paths present -> line
	problems []*Problem
	later    []func()        // the tags' checks, run after validate's
	bad      map[string]bool // key paths that have a problem
	// Aliases may not make the walk visit more than limit nodes beyond the
	// document's own (an alias bomb costs exponential time and memory).
	expanded, limit int
	aborted         bool
}

// size counts the nodes of the tree at n, not following aliases.
func size(n *yaml.Node) int {
	s := 1
	for _, c := range n.Content {
		s += size(c)
	}
	return s
}

// follow resolves an alias, charging what it expands to against the budget.
// It returns false once the budget is spent: the walk stops there.
func (d *decoder) follow(n *yaml.Node) (*yaml.Node, bool) {
	if n.Kind == yaml.AliasNode && !d.aborted {
		if d.expanded += size(deref(n)); d.expanded > d.limit {
			d.aborted = true
			d.problems = append(d.problems, &Problem{File: d.File, Line: n.Line,
				Msg: fmt.Sprintf("aliases expand the document beyond %d nodes (expected anchors and aliases used sparingly)", d.limit)})
		}
	}
	return deref(n), !d.aborted
}

// errorf records a problem at key path, once per path (none after an alias bomb).
func (d *decoder) errorf(line int, path, format string, args ...any) {
	if !d.aborted && !d.bad[path] {
		d.bad[path] = true
		d.problems = append(d.problems, &Problem{File: d.File, Line: line, Path: path, Msg: fmt.Sprintf(format, args...)})
	}
}

// at records a problem at key path, on the line of the key or its closest enclosing one.
func (d *decoder) at(path, format string, args ...any) { d.errorf(d.Line(path), path, format, args...) }

// err returns the problems in file order (stable for one line), or nil.
func (d *decoder) err() error {
	if len(d.problems) == 0 {
		return nil
	}
	slices.SortStableFunc(d.problems, func(a, b *Problem) int { return a.Line - b.Line })
	return problems(d.problems)
}

func join(path, key string) string { return strings.TrimPrefix(path+"."+key, ".") }

func index(path string, i int) string { return fmt.Sprintf("%s[%d]", path, i) }

// syntaxLine extracts the line from yaml's "yaml: line N: msg" errors.
var syntaxLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// parserProblems are the messages of the YAML parser (not its scanner).
var parserProblems = []string{"did not find expected <stream-start>", "did not find expected <document start>",
	"found undefined tag handle", "did not find expected node content", "did not find expected '-' indicator",
	"did not find expected key", "did not find expected ',' or ']'", "did not find expected ',' or '}'",
	"found duplicate %YAML directive", "found incompatible YAML document", "found duplicate %TAG directive"}

// parseYAML returns the root node of data's single document (nil if empty).
func parseYAML(data []byte, file string) (root *yaml.Node, err error) {
	defer func() {
		// A configuration reader must not crash whatever it is given.
		if r := recover(); r != nil {
			root, err = nil, &Problem{File: file, Msg: fmt.Sprintf("YAML syntax error: %v", r)}
		}
	}()
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc, next yaml.Node
	if err := dec.Decode(&doc); errors.Is(err, io.EOF) {
		return nil, nil
	} else if err != nil {
		return nil, syntaxProblem(err, file)
	} else if err := dec.Decode(&next); err == nil {
		return nil, &Problem{File: file, Line: next.Line, Msg: "a second YAML document (expected one document)"}
	} else if !errors.Is(err, io.EOF) {
		return nil, syntaxProblem(err, file)
	} else if len(doc.Content) == 0 {
		return nil, nil
	}
	return doc.Content[0], nil
}

func syntaxProblem(err error, file string) *Problem {
	msg, line := strings.TrimPrefix(err.Error(), "yaml: "), 0
	if m := syntaxLine.FindStringSubmatch(err.Error()); m != nil {
		line, _ = strconv.Atoi(m[1])
		if msg = m[2]; slices.Contains(parserProblems, msg) {
			line++ // the library counts the lines of parser (not scanner) errors from 0
		}
	} else if !strings.Contains(msg, "anchor") && !strings.Contains(msg, "alias") {
		line = 1 // the library leaves out the line when it is the first one
	}
	return &Problem{File: file, Line: line, Msg: "YAML syntax error: " + msg}
}

// deref follows aliases (bounded, to stay safe).
func deref(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && n.Kind == yaml.AliasNode && i < 100; i++ {
		n = n.Alias
	}
	return n
}

func isNull(n *yaml.Node) bool { return n == nil || n.Kind == yaml.ScalarNode && n.Tag == "!!null" }

// describe names what a node holds, for "got ..." messages.
func describe(n *yaml.Node) string {
	v := deref(n).Value
	if len(v) > 40 {
		v = v[:40] + "..."
	}
	switch n = deref(n); {
	case n.Kind != yaml.ScalarNode:
		return cmp.Or(map[yaml.Kind]string{yaml.MappingNode: "a mapping", yaml.SequenceNode: "a list"}[n.Kind], "an unexpected YAML node")
	case n.Tag == "!!null":
		return "no value"
	case n.Tag == "!!int" || n.Tag == "!!float" || n.Tag == "!!bool":
		return cmp.Or(map[string]string{"!!bool": "the boolean "}[n.Tag], "the number ") + v
	case isURL(n.Value):
		return quote(n.Value)
	case n.Tag == "!!str":
		return fmt.Sprintf("the string %q", v)
	}
	return quote(v)
}

func isURL(s string) bool { return strings.Contains(s, "://") }

// quote quotes a value, except a URL, shown as its host only: a feed URL in
// the wrong place still carries its secret token.
func quote(s string) string {
	if !isURL(s) {
		return fmt.Sprintf("%q", s)
	} else if h := calendar.URLHost(s); h != "" {
		return "a URL (host " + h + ")"
	}
	return "a URL"
}

// value decodes n into v at key path. tag is that of the field holding v
// (or its list); hints are what v and its elements should be.
func (d *decoder) value(n *yaml.Node, v reflect.Value, path string, tag reflect.StructTag, hints []string) {
	n, ok := d.follow(n)
	if !ok {
		return
	} else if r := tag.Get("reject"); r != "" {
		d.errorf(n.Line, path, "%s", r) // the value is never read or repeated
		return
	}
	hint := append(hints, "")[0] // "" when there is none
	for _, k := range []string{tag.Get("as"), v.Type().String(), v.Kind().String()} {
		if s, ok := scalars[k]; ok {
			d.scalar(n, v, path, tag, cmp.Or(hint, s.hint), s)
			return
		}
	}
	if v.Kind() == reflect.Struct {
		d.mapping(n, v, path, hint)
	} else {
		d.list(n, v, path, tag, hints)
	}
}

// mapping decodes a mapping node onto struct v: keys left out keep their
// value. A null node is an empty mapping (a section written with no keys),
// except for a list element, which has a hint.
func (d *decoder) mapping(n *yaml.Node, v reflect.Value, path, hint string) {
	t := cmp.Or(tagsOf[v.Type()], v.Type())
	fields := slices.DeleteFunc(reflect.VisibleFields(t), func(f reflect.StructField) bool { return f.Tag.Get("yaml") == "" })
	keys := make([]string, len(fields))
	for i, f := range fields {
		keys[i] = f.Tag.Get("yaml")
	}
	keys = slices.Compact(keys) // a key may name two fields, one after the other
	if isNull(n) && hint != "" {
		d.errorf(n.Line, path, "got no value (expected %s)", hint)
	} else if !isNull(n) && n.Kind != yaml.MappingNode {
		d.errorf(n.Line, cmp.Or(path, "top level"), "got %s (expected a mapping with keys %s)", describe(n), strings.Join(keys, ", "))
	}
	seen := map[string]int{}
	for i := 0; !isNull(n) && n.Kind == yaml.MappingNode && i+1 < len(n.Content); i += 2 {
		k, val := deref(n.Content[i]), n.Content[i+1]
		j, child := slices.IndexFunc(fields, func(f reflect.StructField) bool { return f.Tag.Get("yaml") == k.Value }), join(path, k.Value)
		switch first, dup := seen[k.Value]; {
		case k.Kind != yaml.ScalarNode:
			d.errorf(k.Line, cmp.Or(path, "top level"), "a key that is %s (expected one of %s)", describe(k), strings.Join(keys, ", "))
		case j < 0 && !d.aborted: // each unknown key of a mapping is reported
			hint, at := "expected one of "+strings.Join(keys, ", "), map[bool]string{true: " at top level"}[path == ""]
			if s := suggest(k.Value, keys); s != "" {
				hint = fmt.Sprintf("did you mean %q?", s)
			}
			d.problems = append(d.problems, &Problem{File: d.File, Line: k.Line, Path: path, Msg: fmt.Sprintf("unknown key %q%s (%s)", k.Value, at, hint)})
		case j < 0:
		case dup:
			d.errorf(k.Line, child, "duplicate key (first at line %d)", first)
		default:
			seen[k.Value], d.lines[child] = k.Line, deref(val).Line
			// A key may name two fields: a word, or a list (google.calendars).
			if j+1 < len(fields) && fields[j+1].Tag.Get("yaml") == k.Value && deref(val).Kind == yaml.SequenceNode {
				j++
			}
			d.value(val, v.FieldByIndex(fields[j].Index), child, fields[j].Tag, strings.Split(fields[j].Tag.Get("hint"), "|"))
		}
	}
}

// list decodes a sequence node into slice v (null is an empty list), or
// array v. An element with a problem is left out, unless it is a mapping
// (the indices of the elements after it stay those of the file).
func (d *decoder) list(n *yaml.Node, v reflect.Value, path string, tag reflect.StructTag, hints []string) {
	before, elems := len(d.problems), reflect.MakeSlice(reflect.SliceOf(v.Type().Elem()), 0, len(n.Content))
	if n.Kind != yaml.SequenceNode && !(isNull(n) && v.Kind() == reflect.Slice) {
		d.errorf(n.Line, path, "got %s (expected %s)", describe(n), hints[0])
		v.SetZero() // a bad value is no value, not the default
		return
	}
	for i, c := range n.Content {
		p, e, mark := index(path, i), reflect.New(v.Type().Elem()).Elem(), len(d.problems)
		d.lines[p] = deref(c).Line
		if def, ok := elemDefaults[e.Type()]; ok {
			e.Set(reflect.ValueOf(def))
		}
		if d.value(c, e, p, tag, hints[1:]); len(d.problems) == mark || e.Kind() == reflect.Struct {
			elems = reflect.Append(elems, e)
		}
	}
	switch {
	case v.Kind() == reflect.Slice:
		v.Set(elems)
		if msg := tag.Get("nonempty"); msg != "" && elems.Len() == 0 && len(d.problems) == before {
			d.later = append(d.later, func() { d.at(path, "%s", msg) })
		}
	case elems.Len() == v.Len():
		reflect.Copy(v, elems)
	case len(d.problems) == before: // the pairs of match.pairs are the only arrays
		d.at(path, "has %d email(s) (expected a pair of %d emails)", elems.Len(), v.Len())
	}
}

// scalar decodes a scalar node into v, then queues the tag's checks of it.
func (d *decoder) scalar(n *yaml.Node, v reflect.Value, path string, tag reflect.StructTag, want string, s scalarType) {
	x, msg := any(nil), ""
	switch {
	case n.Kind != yaml.ScalarNode || n.Tag == "!!null" || s.tag != "" && n.Tag != s.tag && n.Value != "":
		msg = fmt.Sprintf("got %s (expected %s)", describe(n), want)
	case n.Value == "":
		msg = fmt.Sprintf("empty (expected %s)", want)
	default:
		x, msg = s.parse(n, want)
	}
	if msg != "" {
		d.errorf(n.Line, path, "%s", msg)
		v.SetZero() // a bad value is no value, not the default
		return
	}
	if i, ok := x.(int64); ok && v.Kind() == reflect.Int {
		x = min(max(i, math.MinInt), math.MaxInt) // out of range on 32-bit platforms, not wrapped around
	}
	v.Set(reflect.ValueOf(x).Convert(v.Type()))
	later := func(format string, args ...any) {
		d.later = append(d.later, func() { d.errorf(n.Line, path, format, args...) })
	}
	if bounds, format, ok := strings.Cut(tag.Get("check"), " "); ok {
		lo, hi, _ := strings.Cut(bounds, "..")
		l, errL := strconv.ParseInt(lo, 10, 64)
		h, errH := strconv.ParseInt(hi, 10, 64)
		if i, shown := v.Int(), any(v.Int()); errL == nil && i < l || errH == nil && i > h {
			if v.Type() == reflect.TypeFor[time.Duration]() {
				shown = fmtDuration(time.Duration(i))
			}
			later(format, shown)
		}
	}
	if words, format, ok := strings.Cut(tag.Get("oneof"), "|"); ok && !slices.Contains(strings.Fields(words), v.String()) {
		list := strings.Fields(words)
		expect := "expected " + strings.Join(list[:len(list)-1], ", ") + " or " + list[len(list)-1]
		if sg := suggest(v.String(), list); sg != "" {
			expect = fmt.Sprintf("did you mean %q? %s", sg, expect)
		}
		later(format+" (%s)", v.String(), expect)
	}
}

// A scalarType parses the values of a type: the value, or a problem naming want.
type scalarType struct {
	tag   string // the YAML tag a value must have, if any
	hint  string // what is wanted when the field's tag has no hint
	parse func(n *yaml.Node, want string) (any, string)
}

// unless returns format and args formatted, unless ok.
func unless(ok bool, format string, args ...any) string {
	if ok {
		return ""
	}
	return fmt.Sprintf(format, args...)
}

var integer = scalarType{tag: "!!int", parse: func(n *yaml.Node, want string) (any, string) {
	var i int64
	err := n.Decode(&i)
	return i, unless(err == nil, "got %s (expected %s)", describe(n), want)
}}

var scalars = map[string]scalarType{
	"string": {parse: func(n *yaml.Node, _ string) (any, string) { return n.Value, "" }},
	"int":    integer,
	"int64":  integer,
	"bool":   {"!!bool", "true or false", func(n *yaml.Node, _ string) (any, string) { return strings.EqualFold(n.Value, "true"), "" }},
	"time.Duration": {parse: func(n *yaml.Node, want string) (any, string) {
		v, err := parseDuration(n.Value)
		return v, unless(err == nil, "invalid duration %q: %v (expected %s)", n.Value, err, want)
	}},
	"time.Time": {parse: func(n *yaml.Node, want string) (any, string) {
		t, err := time.Parse(time.RFC3339, n.Value)
		return t, unless(err == nil, "%q is not a time (expected %s)", n.Value, want)
	}},
	"timeofday": {parse: func(n *yaml.Node, want string) (any, string) {
		t, err := time.Parse("15:04", n.Value)
		return time.Duration(t.Hour())*time.Hour + time.Duration(t.Minute())*time.Minute, unless(err == nil, "%q is not a time of day (expected %s, 24-hour HH:MM)", n.Value, want)
	}},
	"*time.Location": {"", "an IANA time zone such as UTC or Europe/Berlin", func(n *yaml.Node, want string) (any, string) {
		loc, err := calendar.LoadLocation(n.Value)
		switch iana, windows := calendar.WindowsToIANA(n.Value); {
		case n.Value == "Local":
			return nil, fmt.Sprintf("%q depends on the machine cadence runs on (expected %s)", n.Value, want)
		case err != nil && windows: // Outlook users know their zone by its Windows name.
			return nil, fmt.Sprintf("%q is a Windows zone name (expected its IANA name %q)", n.Value, iana)
		}
		return loc, unless(err == nil, "unknown time zone %q (expected %s)", n.Value, want)
	}},
	"time.Weekday": {parse: func(n *yaml.Node, want string) (any, string) {
		names := []string{"sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"}
		i, sg := slices.Index(names, strings.ToLower(n.Value)), suggest(strings.ToLower(n.Value), names)
		if i < 0 && sg != "" {
			return nil, fmt.Sprintf("%q is not a weekday (did you mean %q?)", n.Value, sg)
		}
		return time.Weekday(i), unless(i >= 0, "%q is not a weekday (expected %s)", n.Value, want)
	}},
}

// suggest returns the known key closest to key, or "" when none is likely
// misspelt: case, '-' and '_' aside, about one edit per three letters.
func suggest(key string, known []string) string {
	norm := strings.NewReplacer("_", "", "-", "", " ", "")
	k, best, bestDist := norm.Replace(strings.ToLower(key)), "", 0
	for _, name := range known {
		n := norm.Replace(strings.ToLower(name))
		d, limit := distance(k, n), min(max(len(n)/3, 1), 3)
		if k+"s" == n || strings.HasSuffix(k, "y") && strings.TrimSuffix(k, "y")+"ies" == n || // "policy" -> "policies"
			len(n) >= 4 && len(k) > len(n) && strings.HasPrefix(k, n) { // "grace_period" -> "grace"
			d = min(d, limit)
		}
		if d <= limit && (best == "" || d < bestDist) {
			best, bestDist = name, d
		}
	}
	return best
}

// distance is the optimal string alignment distance between a and b.
func distance(a, b string) int {
	if len(a) > 64 || len(b) > 64 {
		return 1 << 30 // not a misspelling of any key; keep the cost bounded
	}
	prev2, prev, cur := make([]int, len(b)+1), make([]int, len(b)+1), make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+min(1, int(a[i-1]^b[j-1])))
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(b)]
}

// ParseDuration parses a duration in Go syntax (300ms, 90m, 2h30m) extended
// with days ("d", 24h) and weeks ("w", 7d): "7d", "2w", "1d12h", "1.5d".
// Days and weeks are fixed lengths of 24 and 168 hours. A sign is allowed
// (Go syntax); callers decide whether negative values are acceptable.
func ParseDuration(s string) (time.Duration, error) {
	d, err := parseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("config: invalid duration %q: %s", s, err)
	}
	return d, nil
}

// durationToken is a number and its unit.
var durationToken = regexp.MustCompile(`^([0-9.]*)([^0-9.]*)`)

var units = map[string]int64{"ns": 1, "us": 1e3, "µs": 1e3, "μs": 1e3, "ms": 1e6, "s": 1e9, "m": 60e9, "h": 3600e9, "d": 86400e9, "w": 604800e9}

// parseDuration is ParseDuration, its errors without "config: invalid duration".
func parseDuration(s string) (time.Duration, error) {
	if s == "" {
		return 0, errors.New("empty")
	}
	neg := s[0] == '-'
	if neg || s[0] == '+' {
		s = s[1:]
	}
	switch {
	case strings.ContainsAny(s, " \t"):
		return 0, errors.New("has a space")
	case s == "0":
		return 0, nil
	case s == "":
		return 0, errors.New("no number")
	}
	total, max := new(big.Rat), new(big.Rat).SetInt64(math.MaxInt64) // in nanoseconds, exact
	for s != "" {
		m := durationToken.FindStringSubmatch(s)
		num, unit, n := m[1], m[2], new(big.Rat)
		if _, ok := n.SetString(num); !ok || strings.Count(num, ".") > 1 {
			return 0, fmt.Errorf("expected a number at %q", s)
		}
		switch s = s[len(m[0]):]; {
		case unit == "":
			return 0, fmt.Errorf("missing unit after %s, one of ns us ms s m h d w", num)
		case units[unit] == 0:
			return 0, fmt.Errorf("unknown unit %q, not one of ns us ms s m h d w", unit)
		}
		// A whole number out of range is reported at once, a fraction at the end.
		if total.Add(total, n.Mul(n, new(big.Rat).SetInt64(units[unit]))).Cmp(max) > 0 && !strings.Contains(num, ".") {
			return 0, errors.New("out of range")
		}
	}
	if total.Cmp(max) > 0 {
		return 0, errors.New("out of range")
	}
	// Round to the nearest nanosecond, halves away from zero.
	ns := new(big.Int).Add(new(big.Int).Lsh(total.Num(), 1), total.Denom())
	d := time.Duration(ns.Quo(ns, new(big.Int).Lsh(total.Denom(), 1)).Int64())
	if neg {
		d = -d
	}
	return d, nil
}

// fmtDuration prints d the way the configuration writes it: whole days as
// "7d", otherwise Go syntax.
func fmtDuration(d time.Duration) string {
	if d != 0 && d%(24*time.Hour) == 0 {
		return fmt.Sprintf("%dd", d/(24*time.Hour))
	}
	s := d.String()
	for _, zero := range []string{"m0s", "h0m"} {
		if strings.HasSuffix(s, zero) {
			s = s[:len(s)-2]
		}
	}
	return s
}
