package cadence

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/cadence-dev/cadence/calendar"
)

// Classification rules (SPEC "What counts as a 1:1"), as implemented here:
//
//   - Participants are the organizer and the attendees, each address mapped
//     to its primary email first (aliases, case, "mailto:"), minus rooms and
//     resources (Attendee.Resource) and minus addresses matching
//     Options.IgnoredAttendees (checked against the written address and the
//     primary).
//   - A meeting with any participant outside the directory is not a 1:1
//     ("Meetings with someone outside the directory are ignored"): two
//     colleagues and an external guest is a group meeting with a guest.
//   - Out-of-office events (Occurrence.OutOfOffice, or a title matching
//     Options.OOOPatterns) are never 1:1s; nor are all-day occurrences or
//     those longer than Options.MaxDuration (inclusive; 0 = no limit).
//   - Exactly two distinct directory people make a 1:1.
//   - Title hints: when the occurrence has a single participant of the
//     directory (no attendee, or only themselves; an event with no organizer
//     and no attendee counts its calendar owner as that participant), a title
//     matching one of Options.TitleHints that names another directory person
//     makes it a 1:1 with that person. Patterns use {a} and {b} as name
//     placeholders ("{a} / {b}", "1:1 {a} <> {b}"); the rest of the pattern
//     matches literally, case-insensitively, with any run of spaces matching
//     any (or no) white space. A placeholder matches a full name, a first
//     name or email local part when unique in the directory, or an email or
//     alias. When a pattern has two placeholders, one must name the
//     participant; a pattern without placeholders (a bare "1:1") names
//     nobody and so never marks a 1:1.
//   - Kind comes from the current directory only: direct when one is the
//     other's manager, skip when one is the other's ancestor at depth 2 up
//     to Options.SkipLevels (below 2: no skip pairs), else peer.

// glob matches a whole string case-insensitively: as a glob (* ? [...])
// when the pattern has one of those characters, else literally.
type glob struct {
	re    *regexp.Regexp
	lit   string
	parts []string // lower-case pieces between '*' for star-only globs
}

// ErrBadGlob is the error of a glob that cannot be read: an unclosed
// '[', a '\' at the end, or a class that is no class.
var ErrBadGlob = errors.New("syntax error in pattern")

// CheckGlob reports whether pat is a glob of the syntax cadence matches
// with (case-insensitive; '*' any run of characters, '/' included; '?'
// one character; "[a-z]", "[!a-z]" a class; '\' quotes the next
// character). The configuration validates with it, so what it accepts is
// exactly what is matched.
func CheckGlob(pat string) error {
	_, err := compileGlob(pat)
	return err
}

func newGlob(pat string) glob {
	g, err := compileGlob(pat)
	if err != nil {
		return glob{lit: strings.ToLower(strings.TrimSpace(pat))} // refused by the configuration
	}
	return g
}

func compileGlob(pat string) (glob, error) {
	pat = strings.TrimSpace(pat)
	if !strings.ContainsAny(pat, "*?[\\") {
		return glob{lit: strings.ToLower(pat)}, nil
	}
	if !strings.ContainsAny(pat, "?[\\") && isASCII(pat) {
		return glob{parts: strings.Split(strings.ToLower(pat), "*")}, nil
	}
	var b strings.Builder
	b.WriteString(`(?is)^`)
	for i := 0; i < len(pat); i++ {
		c := pat[i]
		switch c {
		case '*':
			b.WriteString(`.*`)
		case '?':
			b.WriteString(`.`)
		case '[':
			j := strings.IndexByte(pat[i+1:], ']')
			if j < 0 {
				return glob{}, ErrBadGlob
			}
			class := pat[i+1 : i+1+j]
			if strings.HasPrefix(class, "!") {
				class = "^" + class[1:]
			}
			b.WriteString("[" + strings.ReplaceAll(class, `\`, `\\`) + "]")
			i += j + 1
		case '\\':
			if i+1 >= len(pat) {
				return glob{}, ErrBadGlob
			}
			i++
			b.WriteString(regexp.QuoteMeta(string(pat[i])))
		default:
			b.WriteString(regexp.QuoteMeta(string(c)))
		}
	}
	b.WriteString(`$`)
	re, err := regexp.Compile(b.String())
	if err != nil {
		return glob{}, ErrBadGlob
	}
	return glob{re: re}, nil
}

func (g glob) match(s string) bool {
	s = strings.TrimSpace(s)
	switch {
	case g.re != nil:
		return g.re.MatchString(s)
	case g.parts != nil:
		s = strings.ToLower(s)
		first, last := g.parts[0], g.parts[len(g.parts)-1]
		if len(s) < len(first)+len(last) || !strings.HasPrefix(s, first) || !strings.HasSuffix(s, last) {
			return false
		}
		s = s[len(first) : len(s)-len(last)]
		for _, mid := range g.parts[1 : len(g.parts)-1] {
			i := strings.Index(s, mid)
			if i < 0 {
				return false
			}
			s = s[i+len(mid):]
		}
		return true
	}
	return strings.EqualFold(s, g.lit)
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// hint is a compiled title hint.
type hint struct {
	pattern string
	re      *regexp.Regexp
	groups  int
}

func newHint(pat string) (hint, bool) {
	pat = strings.TrimSpace(pat)
	var pieces []string
	groups := 0
	rest := pat
	for rest != "" {
		i := strings.Index(rest, "{a}")
		if j := strings.Index(rest, "{b}"); j >= 0 && (i < 0 || j < i) {
			i = j
		}
		lit := rest
		if i >= 0 {
			lit = rest[:i]
		}
		for _, f := range strings.Fields(lit) {
			pieces = append(pieces, regexp.QuoteMeta(f))
		}
		if i < 0 {
			break
		}
		pieces = append(pieces, `(.+?)`)
		groups++
		rest = rest[i+3:]
	}
	if groups == 0 {
		return hint{}, false
	}
	re, err := regexp.Compile(`(?is)^\s*` + strings.Join(pieces, `\s*`) + `\s*$`)
	if err != nil {
		return hint{}, false
	}
	return hint{pattern: pat, re: re, groups: groups}, true
}

// oooSpan is one out-of-office interval of a person.
type oooSpan struct{ start, end time.Time }

// classifier holds what classification and outcomes need for one run.
type classifier struct {
	dir     *Directory
	opts    Options
	ignored []glob
	ooo     []glob
	hints   []hint
	away    map[string][]oooSpan // primary -> sorted spans
	// Caches: addresses and titles repeat across occurrences.
	buf      []string // scratch for participants
	addrs    map[string]addrInfo
	oooCache map[string]bool
	// parts caches participants (without exclusions) per attendee list:
	// the occurrences of one event share their Attendees slice, so a
	// series is read once. Keyed by the list's first element (a pointer
	// hashes faster than strings); entries chain on organizer and length.
	// noAtt holds the lists without attendees, by organizer. The cached
	// slices are read-only.
	parts map[*calendar.Attendee]*partEntry
	noAtt map[string]*partEntry
	// hintCache caches hintPartner per title and self.
	hintCache map[[2]string][2]string
}

type partEntry struct {
	org  string
	n    int
	part participants
	// the relation of a two-person list, once computed
	relDone      bool
	kind         Kind
	lead, member string
	group        *pairOccs // Evaluate's group of the pair
	next         *partEntry
}

func newClassifier(dir *Directory, opts Options, occs []calendar.Occurrence) *classifier {
	c := &classifier{dir: dir, opts: opts, away: map[string][]oooSpan{},
		addrs: map[string]addrInfo{}, oooCache: map[string]bool{},
		parts: map[*calendar.Attendee]*partEntry{}, noAtt: map[string]*partEntry{}, hintCache: map[[2]string][2]string{}}
	for _, p := range opts.IgnoredAttendees {
		c.ignored = append(c.ignored, newGlob(p))
	}
	for _, p := range opts.OOOPatterns {
		c.ooo = append(c.ooo, newGlob(p))
	}
	for _, p := range opts.TitleHints {
		if h, ok := newHint(p); ok {
			c.hints = append(c.hints, h)
		}
	}
	for i := range occs {
		o := &occs[i]
		if !c.isOOO(o) || isCancelled(o) {
			continue
		}
		who, ok := dir.Resolve(o.Owner)
		if !ok {
			if who, ok = dir.Resolve(o.Organizer); !ok {
				continue
			}
		}
		c.away[who] = append(c.away[who], oooSpan{o.Start, o.End})
	}
	for _, spans := range c.away {
		sort.Slice(spans, func(i, j int) bool { return spans[i].start.Before(spans[j].start) })
	}
	return c
}

func isCancelled(o *calendar.Occurrence) bool {
	return o.Cancelled() || o.CancelReason != calendar.CancelNone
}

func (c *classifier) isOOO(o *calendar.Occurrence) bool {
	if o.OutOfOffice {
		return true
	}
	if len(c.ooo) == 0 {
		return false
	}
	v, ok := c.oooCache[o.Title]
	if !ok {
		for _, g := range c.ooo {
			if g.match(o.Title) {
				v = true
				break
			}
		}
		c.oooCache[o.Title] = v
	}
	return v
}

// awayDuring reports whether person has an out-of-office span overlapping
// [s, e).
func (c *classifier) awayDuring(person string, s, e time.Time) bool {
	if !e.After(s) {
		e = s.Add(time.Nanosecond)
	}
	for _, sp := range c.away[person] {
		if !sp.start.Before(e) {
			break
		}
		if sp.end.After(s) {
			return true
		}
	}
	return false
}

// addrInfo is what an address as written resolves to.
type addrInfo struct {
	norm, prim     string
	known, ignored bool
}

// addr normalizes, resolves and checks an address against the ignored
// globs (written form and primary), with a cache: addresses repeat.
func (c *classifier) addr(raw string) addrInfo {
	if a, ok := c.addrs[raw]; ok {
		return a
	}
	a := addrInfo{norm: normEmail(raw)}
	if a.norm != "" {
		a.prim, a.known = c.dir.Resolve(a.norm)
		for _, g := range c.ignored {
			if g.match(a.norm) || (a.known && g.match(a.prim)) {
				a.ignored = true
				break
			}
		}
	}
	c.addrs[raw] = a
	return a
}

// participants is the result of reading an occurrence's addresses.
type participants struct {
	people   []string // distinct primaries, sorted
	external []string // as written, distinct, sorted
	excluded map[string]string
	declined []string // primaries that declined (non-resource entries)
}

func addUnique(list []string, s string) []string {
	for _, x := range list {
		if x == s {
			return list
		}
	}
	return append(list, s)
}

func (c *classifier) participants(o *calendar.Occurrence, withExcluded bool) participants {
	if withExcluded {
		return c.readParticipants(o, true)
	}
	return c.partEntry(o).part
}

// partEntry returns the cached participants entry of o's organizer and
// attendee list, reading it on first use.
func (c *classifier) partEntry(o *calendar.Occurrence) *partEntry {
	var head *partEntry
	if len(o.Attendees) > 0 {
		head = c.parts[&o.Attendees[0]]
	} else {
		head = c.noAtt[o.Organizer]
	}
	for e := head; e != nil; e = e.next {
		if e.n == len(o.Attendees) && e.org == o.Organizer {
			return e
		}
	}
	p := c.readParticipants(o, false)
	p.people = slices.Clone(p.people) // off the scratch buffer: cached
	e := &partEntry{org: o.Organizer, n: len(o.Attendees), part: p, next: head}
	if len(o.Attendees) > 0 {
		c.parts[&o.Attendees[0]] = e
	} else {
		c.noAtt[o.Organizer] = e
	}
	return e
}

func (c *classifier) readParticipants(o *calendar.Occurrence, withExcluded bool) participants {
	var p participants
	if withExcluded {
		p.excluded = map[string]string{}
	} else {
		// Evaluate keeps nothing of p.people beyond the next call.
		p.people = c.buf[:0]
	}
	exclude := func(addr, why string) {
		if p.excluded != nil {
			p.excluded[addr] = why
		}
	}
	consider := func(raw string, resource, declined bool) {
		a := c.addr(raw)
		switch {
		case a.norm == "":
		case resource:
			exclude(a.norm, "room")
		case a.ignored:
			exclude(a.norm, "ignored")
		case !a.known:
			p.external = addUnique(p.external, a.norm)
		default:
			p.people = addUnique(p.people, a.prim)
			if declined {
				p.declined = addUnique(p.declined, a.prim)
			}
		}
	}
	roomOrg := false
	for _, a := range o.Attendees {
		if a.Resource && normEmail(a.Email) == normEmail(o.Organizer) {
			roomOrg = true
		}
	}
	if !roomOrg {
		consider(o.Organizer, false, false)
	}
	for _, a := range o.Attendees {
		consider(a.Email, a.Resource, a.Response == calendar.ResponseDeclined)
	}
	if !withExcluded {
		c.buf = p.people[:0]
	}
	sort.Strings(p.people)
	sort.Strings(p.external)
	sort.Strings(p.declined)
	return p
}

// class is the classification of one occurrence.
type class struct {
	oneOnOne bool
	why      string // when not a 1:1
	kind     Kind
	lead     string
	member   string
	hint     string // the title hint that made it a 1:1
	part     participants
	// ent is the cached entry of the occurrence's attendee list when the
	// pair comes from the list itself (no hint); Evaluate keeps the pair's
	// group on it.
	ent *partEntry
}

// classify classifies o. withExcluded (Explain) also records the excluded
// addresses and the reason a non-1:1 is not one; Evaluate reads neither.
func (c *classifier) classify(o *calendar.Occurrence, withExcluded bool) class {
	var cl class
	var ent *partEntry
	if withExcluded {
		cl.part = c.readParticipants(o, true)
	} else {
		ent = c.partEntry(o)
		cl.part = ent.part
		// Evaluate needs no reason: an occurrence with more than two people
		// or anyone outside the directory is not a 1:1 whatever else holds.
		if len(cl.part.people) > 2 || len(cl.part.external) > 0 {
			return cl
		}
	}
	switch {
	case c.isOOO(o):
		cl.why = "out-of-office event"
		return cl
	case o.AllDay:
		cl.why = "all-day"
		return cl
	case c.opts.MaxDuration > 0 && o.End.Sub(o.Start) > c.opts.MaxDuration:
		if withExcluded { // only Explain reads why
			cl.why = fmt.Sprintf("longer than max_duration %s", c.opts.MaxDuration)
		}
		return cl
	case len(cl.part.external) > 0:
		if withExcluded {
			cl.why = "participant outside the directory: " + strings.Join(cl.part.external, ", ")
		}
		return cl
	}
	people := cl.part.people
	switch len(people) {
	case 2:
	case 0, 1:
		self := ""
		if len(people) == 1 {
			self = people[0]
		} else if prim, ok := c.dir.Resolve(o.Owner); ok && o.Organizer == "" && len(o.Attendees) == 0 {
			self = prim
		}
		if self != "" {
			if other, pat := c.hintPartner(o.Title, self); other != "" {
				cl.hint = pat
				people = []string{self, other}
				break
			}
		}
		if len(people) == 1 {
			cl.why = "1 participant"
		} else {
			cl.why = "no participant in the directory"
		}
		return cl
	default:
		if withExcluded {
			cl.why = fmt.Sprintf("%d participants", len(people))
		}
		return cl
	}
	cl.oneOnOne = true
	if ent != nil && cl.hint == "" {
		// The relation of the list's own two people, cached with it.
		if !ent.relDone {
			ent.kind, ent.lead, ent.member = c.relation(people[0], people[1])
			ent.relDone = true
		}
		cl.kind, cl.lead, cl.member = ent.kind, ent.lead, ent.member
		cl.ent = ent
		return cl
	}
	cl.kind, cl.lead, cl.member = c.relation(people[0], people[1])
	return cl
}

// hintPartner returns the directory person a title hint names besides self
// (and the hint's pattern), cached per title and self.
func (c *classifier) hintPartner(title, self string) (string, string) {
	k := [2]string{title, self}
	if v, ok := c.hintCache[k]; ok {
		return v[0], v[1]
	}
	other, pat := c.findHintPartner(title, self)
	c.hintCache[k] = [2]string{other, pat}
	return other, pat
}

func (c *classifier) findHintPartner(title, self string) (string, string) {
	title = strings.TrimSpace(title)
	if title == "" {
		return "", ""
	}
	for _, h := range c.hints {
		m := h.re.FindStringSubmatch(title)
		if m == nil {
			continue
		}
		var named []string
		okAll := true
		for _, g := range m[1:] {
			who, ok := c.lookupName(g)
			if !ok {
				okAll = false
				break
			}
			named = append(named, who)
		}
		if !okAll {
			continue
		}
		switch len(named) {
		case 1:
			if named[0] != self {
				return named[0], h.pattern
			}
		case 2:
			if named[0] == self && named[1] != self {
				return named[1], h.pattern
			}
			if named[1] == self && named[0] != self {
				return named[0], h.pattern
			}
		}
	}
	return "", ""
}

func (c *classifier) lookupName(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if prim, ok := c.dir.Resolve(s); ok {
		return prim, true
	}
	key := strings.ToLower(strings.Join(strings.Fields(s), " "))
	if prim := c.dir.names[key]; prim != "" {
		return prim, true
	}
	return "", false
}

// relation returns the kind of two distinct directory people and who leads
// (SPEC "JSON report": the manager, the skip-level manager, or the
// alphabetically first person).
func (c *classifier) relation(a, b string) (Kind, string, string) {
	return relation(c.dir, c.opts.SkipLevels, a, b)
}

func relation(d *Directory, skipLevels int, a, b string) (Kind, string, string) {
	if d.manager(a) == b {
		return KindDirect, b, a
	}
	if d.manager(b) == a {
		return KindDirect, a, b
	}
	if skipLevels >= 2 {
		if isAncestorWithin(d, a, b, skipLevels) {
			return KindSkip, b, a
		}
		if isAncestorWithin(d, b, a, skipLevels) {
			return KindSkip, a, b
		}
	}
	if a < b {
		return KindPeer, a, b
	}
	return KindPeer, b, a
}

// isAncestorWithin reports whether anc is x's ancestor at depth 2..levels.
func isAncestorWithin(d *Directory, x, anc string, levels int) bool {
	m := d.manager(x)
	for depth := 2; depth <= levels && m != ""; depth++ {
		m = d.manager(m)
		if m == anc {
			return true
		}
	}
	return false
}

// outcome decides the outcome of a 1:1 occurrence at time now (SPEC
// "Outcome of each past occurrence" and fine points 2 and 3).
func (c *classifier) outcome(o *calendar.Occurrence, lead, member string, declinedBy []string, minDur time.Duration, now time.Time) (out Outcome, reason string, tooShort bool) {
	cancelled := isCancelled(o)
	if cancelled || len(declinedBy) > 0 {
		what := cancelReason(o)
		if !cancelled {
			what = strings.Join(declinedBy, " and ") + " declined"
		}
		if !o.Start.Before(now) && !cancelled {
			return OutcomeScheduled, "scheduled; " + what, false
		}
		for _, who := range [2]string{lead, member} {
			if c.awayDuring(who, o.Start, o.End) {
				return OutcomeExcused, what + " while " + who + " was out of office", false
			}
		}
		if cancelled {
			return OutcomeCancelled, what, false
		}
		return OutcomeDeclined, what, false
	}
	if !o.Start.Before(now) {
		return OutcomeScheduled, "scheduled", false
	}
	dur := o.End.Sub(o.Start)
	if minDur > 0 && dur < minDur {
		return OutcomeHeld, fmt.Sprintf("held; %s is shorter than min_duration %s", dur, minDur), true
	}
	return OutcomeHeld, "held", false
}

func cancelReason(o *calendar.Occurrence) string {
	switch o.CancelReason {
	case calendar.CancelExdate:
		return "instance removed from the series (EXDATE or deleted instance)"
	case calendar.CancelTitlePrefix:
		return "title marked \"Canceled:\""
	case calendar.CancelVanished:
		return "vanished from the calendar after it was seen scheduled"
	}
	return "event cancelled (status cancelled)"
}
