package config

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"io"
	"math"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/cadence-dev/cadence/calendar"
)

// decoder walks the YAML node tree into the tagged structs of config.go, as
// yaml.Decoder.KnownFields(true) does, but so that every problem carries
// its line and key path, all problems are collected, and an unknown key is
// named with the closest known one.
type decoder struct {
	file     string
	problems []*Problem
	later    []*Problem      // the tags' checks, added after validate's
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

// at records a problem at key path, on the line of the key or of its
// closest enclosing key present.
func (d *decoder) at(path, format string, args ...any) {
	d.errorf(d.line(path), path, format, args...)
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

func (d *decoder) has(path string) bool { _, ok := d.lines[path]; return ok }

// line returns the line of the key at path or of its closest enclosing key.
func (d *decoder) line(path string) int { return lineOf(d.lines, path) }

func lineOf(lines map[string]int, path string) int {
	for path != "" {
		if l, ok := lines[path]; ok {
			return l
		}
		path = path[:max(strings.LastIndexAny(path, ".["), 0)] // the enclosing key
	}
	return lines[""]
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
		if strings.HasPrefix(msg, "did not find expected ") || strings.HasPrefix(msg, "found duplicate %") ||
			msg == "found undefined tag handle" || msg == "found incompatible YAML document" {
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

// value decodes n into v at key path. tag is the struct tag of the field
// (or of the list) holding v; hints are what v and its elements should be,
// from the tag's hint.
func (d *decoder) value(n *yaml.Node, v reflect.Value, path string, tag reflect.StructTag, hints []string) {
	n, ok := d.follow(n)
	if !ok {
		return
	}
	hint := ""
	if len(hints) > 0 {
		hint = hints[0]
	}
	switch s, ok := scalarOf(v, tag); {
	case ok:
		d.scalar(n, v, path, tag, cmp.Or(hint, s.hint), s.parse)
	case v.Kind() == reflect.Struct:
		d.mapping(n, v, path, hint)
	default:
		d.list(n, v, path, tag, hints)
	}
}

// fields returns the keyed fields of struct type t (from its tag type).
func fields(t reflect.Type) (fs []reflect.StructField, keys []string) {
	if m, ok := tagsOf[t]; ok {
		t = m
	}
	for i := range t.NumField() {
		if f := t.Field(i); f.Tag.Get("yaml") != "" {
			fs = append(fs, f)
			if !slices.Contains(keys, f.Tag.Get("yaml")) {
				keys = append(keys, f.Tag.Get("yaml"))
			}
		}
	}
	return fs, keys
}

// mapping decodes a mapping node onto struct v: keys left out keep their
// value. A null node is an empty mapping (a section written with no keys),
// except for a list element, which has a hint.
func (d *decoder) mapping(n *yaml.Node, v reflect.Value, path, hint string) {
	fs, keys := fields(v.Type())
	switch {
	case isNull(n):
		if hint != "" {
			d.errorf(n.Line, path, "got no value (expected %s)", hint)
		}
		return
	case n.Kind != yaml.MappingNode:
		d.errorf(n.Line, cmp.Or(path, "top level"), "got %s (expected a mapping with keys %s)", describe(n), strings.Join(keys, ", "))
		return
	}
	seen := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := deref(n.Content[i]), n.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			d.errorf(k.Line, cmp.Or(path, "top level"), "a key that is %s (expected one of %s)", describe(k), strings.Join(keys, ", "))
			continue
		}
		// A key may name two fields: a word, or a list (google.calendars).
		j := slices.IndexFunc(fs, func(f reflect.StructField) bool { return f.Tag.Get("yaml") == k.Value })
		if j < 0 {
			d.unknownKey(k, path, keys)
			continue
		}
		if j+1 < len(fs) && fs[j+1].Tag.Get("yaml") == k.Value && deref(val).Kind == yaml.SequenceNode {
			j++
		}
		f, child := fs[j], join(path, k.Value)
		if first, dup := seen[k.Value]; dup {
			d.errorf(k.Line, child, "duplicate key (first at line %d)", first)
			continue
		}
		seen[k.Value] = k.Line
		d.lines[child] = deref(val).Line
		if msg := f.Tag.Get("reject"); msg != "" {
			d.errorf(deref(val).Line, child, "%s", msg) // the value is never read or repeated
			continue
		}
		d.value(val, v.FieldByIndex(f.Index), child, f.Tag, strings.Split(f.Tag.Get("hint"), "|"))
	}
}

func (d *decoder) unknownKey(k *yaml.Node, path string, keys []string) {
	hint := "expected one of " + strings.Join(keys, ", ")
	if s := suggest(k.Value, keys); s != "" {
		hint = fmt.Sprintf("did you mean %q?", s)
	}
	p := &Problem{File: d.file, Line: k.Line, Path: path, Msg: fmt.Sprintf("unknown key %q (%s)", k.Value, hint)}
	if path == "" {
		p.Msg = fmt.Sprintf("unknown key %q at top level (%s)", k.Value, hint)
	}
	// Several unknown keys in one mapping are each reported.
	if !d.aborted {
		d.problems = append(d.problems, p)
	}
}

// list decodes a sequence node into slice v (null is an empty list), or
// into array v. An element with a problem is left out of the list, unless
// it is a mapping (the problems of its keys are reported, and the indices
// of the elements after it stay those of the file).
func (d *decoder) list(n *yaml.Node, v reflect.Value, path string, tag reflect.StructTag, hints []string) {
	before := len(d.problems)
	elems := reflect.MakeSlice(reflect.SliceOf(v.Type().Elem()), 0, len(n.Content))
	switch {
	case isNull(n) && v.Kind() == reflect.Slice:
	case n.Kind != yaml.SequenceNode:
		d.errorf(n.Line, path, "got %s (expected %s)", describe(n), hints[0])
		v.SetZero()
		return
	}
	for i, c := range n.Content {
		if d.aborted {
			return
		}
		p, e, mark := index(path, i), reflect.New(v.Type().Elem()).Elem(), len(d.problems)
		d.lines[p] = deref(c).Line
		if def, ok := elemDefaults[e.Type()]; ok {
			e.Set(reflect.ValueOf(def))
		}
		d.value(c, e, p, tag, hints[1:])
		if len(d.problems) == mark || e.Kind() == reflect.Struct {
			elems = reflect.Append(elems, e)
		}
	}
	switch {
	case v.Kind() == reflect.Slice:
		v.Set(elems)
		if msg := tag.Get("nonempty"); msg != "" && elems.Len() == 0 && len(d.problems) == before {
			d.later = append(d.later, &Problem{File: d.file, Line: d.line(path), Path: path, Msg: msg})
		}
	case elems.Len() == v.Len():
		reflect.Copy(v, elems)
	case len(d.problems) == before: // the pairs of match.pairs are the only arrays
		d.errorf(d.line(path), path, "has %d email(s) (expected a pair of %d emails)", elems.Len(), v.Len())
	}
}

// scalar decodes a scalar node into v with parse, then queues the checks
// of tag (check, oneof) on the value.
func (d *decoder) scalar(n *yaml.Node, v reflect.Value, path string, tag reflect.StructTag, want string, parse func(n *yaml.Node, want string) (any, string)) {
	var x any
	msg := ""
	switch {
	case n.Kind != yaml.ScalarNode || n.Tag == "!!null":
		msg = fmt.Sprintf("got %s (expected %s)", describe(n), want)
	case n.Value == "" && n.Tag == "!!str":
		msg = fmt.Sprintf("empty (expected %s)", want)
	default:
		x, msg = parse(n, want)
	}
	if msg != "" {
		d.errorf(n.Line, path, "%s", msg)
		v.SetZero() // a bad value is no value, not the default
		return
	}
	if i, ok := x.(int64); ok && v.Kind() == reflect.Int {
		x = min(max(i, math.MinInt), math.MaxInt) // out of range on 32-bit platforms, but not wrapped around
	}
	v.Set(reflect.ValueOf(x).Convert(v.Type()))
	later := func(format string, args ...any) {
		d.later = append(d.later, &Problem{File: d.file, Line: n.Line, Path: path, Msg: fmt.Sprintf(format, args...)})
	}
	if c := tag.Get("check"); c != "" {
		bounds, format, _ := strings.Cut(c, " ")
		lo, hi, _ := strings.Cut(bounds, "..")
		i, shown := v.Int(), any(v.Int())
		if v.Type() == reflect.TypeFor[time.Duration]() {
			shown = fmtDuration(time.Duration(i))
		}
		if l, err := strconv.ParseInt(lo, 10, 64); err == nil && i < l {
			later(format, shown)
		} else if h, err := strconv.ParseInt(hi, 10, 64); err == nil && i > h {
			later(format, shown)
		}
	}
	if o := tag.Get("oneof"); o != "" {
		words, format, _ := strings.Cut(o, "|")
		list, s := strings.Fields(words), v.String()
		if !slices.Contains(list, s) {
			expect := "expected " + strings.Join(list[:len(list)-1], ", ") + " or " + list[len(list)-1]
			if sg := suggest(s, list); sg != "" {
				expect = fmt.Sprintf("did you mean %q? %s", sg, expect)
			}
			later(format+" (%s)", s, expect)
		}
	}
}

// A scalarType parses the values of one type: the value to set, or a
// problem (which names want, what was expected).
type scalarType struct {
	hint  string // want when the field's tag has no hint
	parse func(n *yaml.Node, want string) (any, string)
}

// scalarOf returns how v is parsed: by its `as` tag, its type or its kind.
func scalarOf(v reflect.Value, tag reflect.StructTag) (scalarType, bool) {
	for _, k := range []string{tag.Get("as"), v.Type().String(), v.Kind().String()} {
		if s, ok := scalarTypes[k]; ok {
			return s, true
		}
	}
	return scalarType{}, false
}

var scalarTypes map[string]scalarType

func init() {
	integer := scalarType{parse: func(n *yaml.Node, want string) (any, string) {
		var i int64
		if n.Tag != "!!int" || n.Decode(&i) != nil {
			return nil, fmt.Sprintf("got %s (expected %s)", describe(n), want)
		}
		return i, ""
	}}
	scalarTypes = map[string]scalarType{
		"string": {parse: func(n *yaml.Node, _ string) (any, string) { return n.Value, "" }},
		"int":    integer,
		"int64":  integer,
		"bool": {"true or false", func(n *yaml.Node, want string) (any, string) {
			if n.Tag != "!!bool" {
				return nil, fmt.Sprintf("got %s (expected %s)", describe(n), want)
			}
			return strings.EqualFold(n.Value, "true"), ""
		}},
		"time.Duration": {parse: func(n *yaml.Node, want string) (any, string) {
			v, err := parseDuration(n.Value)
			if err != nil {
				return nil, fmt.Sprintf("invalid duration %q: %v (expected %s)", n.Value, err, want)
			}
			return v, ""
		}},
		"time.Time": {parse: func(n *yaml.Node, want string) (any, string) {
			t, err := time.Parse(time.RFC3339, n.Value)
			if err != nil {
				return nil, fmt.Sprintf("%q is not a time (expected %s)", n.Value, want)
			}
			return t, ""
		}},
		"*time.Location": {"an IANA time zone such as UTC or Europe/Berlin", func(n *yaml.Node, want string) (any, string) {
			loc, err := calendar.LoadLocation(n.Value)
			switch iana, windows := calendar.WindowsToIANA(n.Value); {
			case n.Value == "Local":
				return nil, fmt.Sprintf("%q depends on the machine cadence runs on (expected %s)", n.Value, want)
			case err != nil && windows: // Outlook users know their zone by its Windows name.
				return nil, fmt.Sprintf("%q is a Windows zone name (expected its IANA name %q)", n.Value, iana)
			case err != nil:
				return nil, fmt.Sprintf("unknown time zone %q (expected %s)", n.Value, want)
			}
			return loc, ""
		}},
		"time.Weekday": {parse: func(n *yaml.Node, want string) (any, string) {
			names := []string{"sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"}
			if i := slices.Index(names, strings.ToLower(n.Value)); i >= 0 {
				return time.Weekday(i), ""
			}
			if sg := suggest(strings.ToLower(n.Value), names); sg != "" {
				return nil, fmt.Sprintf("%q is not a weekday (did you mean %q?)", n.Value, sg)
			}
			return nil, fmt.Sprintf("%q is not a weekday (expected %s)", n.Value, want)
		}},
		"timeofday": {parse: func(n *yaml.Node, want string) (any, string) {
			t, err := time.Parse("15:04", n.Value)
			if err != nil {
				return nil, fmt.Sprintf("%q is not a time of day (expected %s, 24-hour HH:MM)", n.Value, want)
			}
			return time.Duration(t.Hour())*time.Hour + time.Duration(t.Minute())*time.Minute, ""
		}},
	}
}
