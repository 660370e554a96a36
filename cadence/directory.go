package cadence

import (
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Directory is the validated org chart. It is read-only after NewDirectory:
// the *Person values it hands out must not be modified, so a Directory can be
// shared between goroutines and snapshots.
type Directory struct {
	byEmail  map[string]*Person // primary -> person
	resolve  map[string]string  // primary or alias -> primary
	reports  map[string][]string
	people   []*Person // sorted by email
	managers []string
	// names maps a lower-case full name, first name or email local part to
	// a primary email; "" marks an ambiguous name. Used by title hints.
	names map[string]string
}

// normEmail lower-cases and trims an address and strips a "mailto:" prefix
// (SPEC fine point 1).
func normEmail(s string) string {
	s = strings.TrimSpace(s)
	if len(s) >= 7 && strings.EqualFold(s[:7], "mailto:") {
		s = strings.TrimSpace(s[7:])
	}
	return strings.ToLower(s)
}

// dirProblem is one directory error with its position, for ordering.
type dirProblem struct {
	file string
	line int
	seq  int
	msg  string // full message, "cadence: ..." included
}

func sortProblems(ps []dirProblem) error {
	sort.SliceStable(ps, func(i, j int) bool {
		if ps[i].file != ps[j].file {
			return ps[i].file < ps[j].file
		}
		if ps[i].line != ps[j].line {
			return ps[i].line < ps[j].line
		}
		return ps[i].seq < ps[j].seq
	})
	errs := make([]error, len(ps))
	for i, p := range ps {
		errs[i] = errors.New(p.msg)
	}
	return errors.Join(errs...)
}

// splitPos splits "org.csv:12" into file and line; a Pos without a line
// number sorts by entry index.
func splitPos(pos string, idx int) (string, int) {
	if i := strings.LastIndexByte(pos, ':'); i >= 0 {
		if n, err := strconv.Atoi(pos[i+1:]); err == nil {
			return pos[:i], n
		}
	}
	return pos, idx + 1
}

type problems struct {
	list []dirProblem
}

func (ps *problems) add(file string, line int, format string, args ...any) {
	where := file
	if line > 0 {
		where = fmt.Sprintf("%s:%d", file, line)
	}
	ps.list = append(ps.list, dirProblem{file: file, line: line, seq: len(ps.list),
		msg: "cadence: " + where + ": " + fmt.Sprintf(format, args...)})
}

// where returns the position of people[i] for messages.
func where(p *Person, i int) (string, int, string) {
	if p.Pos == "" {
		s := fmt.Sprintf("directory entry %d", i+1)
		return "", i + 1, s
	}
	f, l := splitPos(p.Pos, i)
	return f, l, p.Pos
}

// validate checks the relations of a list of people: missing or malformed
// emails, duplicate emails, aliases colliding with another person's email
// or alias, unknown managers and manager cycles. People must already be
// normalized (normalizePeople).
func validate(people []Person, ps *problems) {
	addAt := func(i int, format string, args ...any) {
		file, line, pos := where(&people[i], i)
		if people[i].Pos == "" {
			ps.list = append(ps.list, dirProblem{file: "", line: line, seq: len(ps.list),
				msg: "cadence: " + pos + ": " + fmt.Sprintf(format, args...)})
			return
		}
		ps.add(file, line, format, args...)
	}
	posOf := func(i int) string {
		_, _, pos := where(&people[i], i)
		return pos
	}
	primary := map[string]int{}
	for i := range people {
		p := &people[i]
		if p.Email == "" {
			addAt(i, "email: missing")
			continue
		}
		if !validEmail(p.Email) {
			addAt(i, "email %s", emailMessage(p.Email))
		}
		if j, dup := primary[p.Email]; dup {
			addAt(i, "duplicate email %q, also on %s", p.Email, posOf(j))
			continue
		}
		primary[p.Email] = i
	}
	aliasOf := map[string]int{}
	for i := range people {
		p := &people[i]
		if p.Email == "" {
			continue
		}
		if j, ok := primary[p.Email]; ok && j != i {
			continue // duplicate entry, already reported
		}
		for _, a := range p.Aliases {
			if j, ok := primary[a]; ok && j != i {
				addAt(i, "alias %q of %s is the email of %s on %s", a, p.Email, people[j].Email, posOf(j))
				continue
			}
			if j, ok := aliasOf[a]; ok && j != i {
				addAt(i, "alias %q of %s is also an alias of %s on %s", a, p.Email, people[j].Email, posOf(j))
				continue
			}
			if ok, why := emailProblem(a); !ok {
				if why == "" {
					addAt(i, "alias %q of %s: expected an address like name@example.com", a, p.Email)
				} else {
					addAt(i, "alias %q of %s: %s (expected an address like name@example.com)", a, p.Email, why)
				}
			}
			aliasOf[a] = i
		}
	}
	// Resolve managers through aliases.
	mgr := make([]int, len(people))
	for i := range people {
		mgr[i] = -1
		p := &people[i]
		if p.Email == "" || p.Manager == "" {
			continue
		}
		if j, ok := primary[p.Email]; ok && j != i {
			continue
		}
		j, ok := primary[p.Manager]
		if !ok {
			j, ok = aliasOf[p.Manager]
		}
		if !ok {
			addAt(i, "%s: manager %q is not in the directory", p.Email, p.Manager)
			continue
		}
		mgr[i] = j
	}
	// Cycles: walk up from each entry in file order; color 1 = on the
	// current path, 2 = done.
	color := make([]int, len(people))
	for start := range people {
		if color[start] != 0 {
			continue
		}
		var path []int
		x := start
		for x >= 0 && color[x] == 0 {
			color[x] = 1
			path = append(path, x)
			x = mgr[x]
		}
		if x >= 0 && color[x] == 1 {
			// Cycle: the members are path[k:] where path[k] == x.
			k := 0
			for path[k] != x {
				k++
			}
			cyc := path[k:]
			first := 0
			for c := range cyc {
				if lineOrder(people, cyc[c]) < lineOrder(people, cyc[first]) {
					first = c
				}
			}
			names := make([]string, 0, len(cyc)+1)
			for c := 0; c < len(cyc); c++ {
				names = append(names, people[cyc[(first+c)%len(cyc)]].Email)
			}
			names = append(names, people[cyc[first]].Email)
			addAt(cyc[first], "manager cycle: %s", strings.Join(names, " -> "))
		}
		for _, y := range path {
			color[y] = 2
		}
	}
}

func lineOrder(people []Person, i int) int {
	_, l, _ := where(&people[i], i)
	return l
}

func validEmail(s string) bool { ok, _ := emailProblem(s); return ok }

// emailMessage is the problem with an email for a message: `"ana":
// expected ...` or `"a/b@x.io": '/' is not allowed ... (expected ...)`.
func emailMessage(s string) string {
	_, why := emailProblem(s)
	if why == "" {
		return fmt.Sprintf("%q: expected an address like name@example.com", s)
	}
	return fmt.Sprintf("%q: %s (expected an address like name@example.com)", s, why)
}

// Limits of RFC 5321 section 4.5.3.1: a local part of 64 octets, a path
// of 256 (the address 254 inside its angle brackets).
const (
	maxLocalPart = 64
	maxEmail     = 254
)

// localSpecials are the ASCII characters other than letters and digits an
// email's local part may hold: RFC 5321's atext without '/' (a separator
// in file and URL paths), and '.'.
const localSpecials = ".!#$%&'*+-=?^_`{|}~"

// emailProblem checks a normalized email: one '@' between a local part of
// letters, digits and localSpecials and a domain of dot-separated labels
// of letters, digits and '-', within RFC 5321's lengths. Letters and
// digits may be non-ASCII (RFC 6531 addresses, IDN domains in Unicode).
// why names the bad character (a control, formatting or space character,
// '/', ':', ...) or limit; it is "" for a malformed address.
func emailProblem(s string) (ok bool, why string) {
	if !utf8.ValidString(s) {
		return false, "invalid UTF-8 is not allowed in an email address"
	}
	for _, r := range s {
		switch {
		case unicode.IsControl(r):
			return false, fmt.Sprintf("control character U+%04X is not allowed in an email address", r)
		case unicode.In(r, unicode.Cf, unicode.Zl, unicode.Zp):
			return false, fmt.Sprintf("formatting character U+%04X is not allowed in an email address", r)
		case unicode.IsSpace(r):
			return false, fmt.Sprintf("space character U+%04X is not allowed in an email address", r)
		}
	}
	at := strings.IndexByte(s, '@')
	if at <= 0 || at == len(s)-1 || strings.Count(s, "@") != 1 {
		return false, ""
	}
	local, domain := s[:at], s[at+1:]
	word := func(r rune) bool {
		return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.In(r, unicode.Mn, unicode.Mc)
	}
	for _, r := range local {
		if !word(r) && (r >= utf8.RuneSelf || !strings.ContainsRune(localSpecials, r)) {
			return false, quoteChar(r) + " is not allowed in an email address"
		}
	}
	for _, r := range domain {
		switch {
		case word(r) || r == '-' || r == '.':
		case r < utf8.RuneSelf && strings.ContainsRune(localSpecials, r):
			return false, quoteChar(r) + " is not allowed in the domain of an email address"
		default:
			return false, quoteChar(r) + " is not allowed in an email address"
		}
	}
	for _, label := range strings.Split(domain, ".") {
		if label == "" {
			return false, "the domain has an empty label"
		}
	}
	if len(local) > maxLocalPart {
		return false, fmt.Sprintf("the part before '@' has %d bytes (at most %d)", len(local), maxLocalPart)
	}
	if len(s) > maxEmail {
		return false, fmt.Sprintf("%d bytes long (at most %d)", len(s), maxEmail)
	}
	return true, ""
}

// quoteChar names a character for a message: '/' or U+00A0.
func quoteChar(r rune) string {
	if r < utf8.RuneSelf && unicode.IsPrint(r) {
		return "'" + string(r) + "'"
	}
	return fmt.Sprintf("U+%04X", r)
}

// normalizePeople returns a deep copy with emails, manager and aliases
// normalized and aliases deduplicated (an alias equal to the person's own
// email is dropped).
func normalizePeople(in []Person) []Person {
	out := make([]Person, len(in))
	for i, p := range in {
		p.Email = normEmail(p.Email)
		p.Manager = normEmail(p.Manager)
		p.Name = strings.TrimSpace(p.Name)
		var al []string
		seen := map[string]bool{}
		for _, a := range p.Aliases {
			a = normEmail(a)
			if a == "" || a == p.Email || seen[a] {
				continue
			}
			seen[a] = true
			al = append(al, a)
		}
		p.Aliases = al
		out[i] = p
	}
	return out
}

// NewDirectory validates people and builds the directory. Every problem
// (missing or malformed email, duplicate email, alias colliding with another
// person's email or alias, unknown manager, manager cycle) is reported, in
// file order, joined into one error; each names the entry's position.
// Managers may be given by a primary email or an alias. A team_start before
// the hire_date is accepted (tenure then counts from team_start).
func NewDirectory(people []Person) (*Directory, error) {
	ps := normalizePeople(people)
	var probs problems
	validate(ps, &probs)
	if len(probs.list) > 0 {
		return nil, sortProblems(probs.list)
	}
	d := &Directory{
		byEmail: make(map[string]*Person, len(ps)),
		resolve: make(map[string]string, len(ps)),
		reports: map[string][]string{},
		names:   map[string]string{},
	}
	for i := range ps {
		p := &ps[i]
		d.byEmail[p.Email] = p
		d.resolve[p.Email] = p.Email
		d.people = append(d.people, p)
	}
	for _, p := range d.people {
		for _, a := range p.Aliases {
			d.resolve[a] = p.Email
		}
	}
	for _, p := range d.people {
		if p.Manager != "" {
			p.Manager = d.resolve[p.Manager]
			d.reports[p.Manager] = append(d.reports[p.Manager], p.Email)
		}
	}
	sort.Slice(d.people, func(i, j int) bool { return d.people[i].Email < d.people[j].Email })
	for m, rs := range d.reports {
		sort.Strings(rs)
		d.managers = append(d.managers, m)
	}
	sort.Strings(d.managers)
	addName := func(key, email string) {
		key = strings.ToLower(strings.Join(strings.Fields(key), " "))
		if key == "" {
			return
		}
		if old, ok := d.names[key]; ok && old != email {
			d.names[key] = ""
			return
		}
		d.names[key] = email
	}
	for _, p := range d.people {
		addName(p.Name, p.Email)
		if f := strings.Fields(p.Name); len(f) > 1 {
			addName(f[0], p.Email)
		}
		addName(p.Email[:strings.IndexByte(p.Email, '@')], p.Email)
	}
	return d, nil
}

// Resolve maps an address (primary or alias; any case; "mailto:" allowed)
// to the person's primary email.
func (d *Directory) Resolve(email string) (string, bool) {
	if d == nil {
		return "", false
	}
	p, ok := d.resolve[email]
	if ok {
		return p, true
	}
	p, ok = d.resolve[normEmail(email)]
	return p, ok
}

// Person returns the entry for an address (primary or alias). The result
// must not be modified.
func (d *Directory) Person(email string) (*Person, bool) {
	prim, ok := d.Resolve(email)
	if !ok {
		return nil, false
	}
	return d.byEmail[prim], true
}

// People returns every person, sorted by email. The entries must not be
// modified.
func (d *Directory) People() []*Person {
	return append([]*Person(nil), d.people...)
}

// Reports returns the direct reports of manager (primary or alias), sorted.
func (d *Directory) Reports(manager string) []string {
	prim, ok := d.Resolve(manager)
	if !ok {
		return nil
	}
	return append([]string(nil), d.reports[prim]...)
}

func (d *Directory) reportCount(primary string) int { return len(d.reports[primary]) }

// Managers returns the people with at least one report, sorted.
func (d *Directory) Managers() []string {
	return append([]string(nil), d.managers...)
}

// Subtree returns manager and everyone below them, sorted. Nil when the
// address is unknown.
func (d *Directory) Subtree(manager string) []string {
	prim, ok := d.Resolve(manager)
	if !ok {
		return nil
	}
	out := []string{prim}
	for i := 0; i < len(out); i++ {
		out = append(out, d.reports[out[i]]...)
	}
	sort.Strings(out)
	return out
}

// Chain returns the managers above email: manager, manager's manager, up to
// the root. Nil when the address is unknown or has no manager.
func (d *Directory) Chain(email string) []string {
	prim, ok := d.Resolve(email)
	if !ok {
		return nil
	}
	var out []string
	for m := d.byEmail[prim].Manager; m != ""; m = d.byEmail[m].Manager {
		out = append(out, m)
	}
	return out
}

// manager returns the primary's manager ("" for roots and unknowns).
func (d *Directory) manager(primary string) string {
	if p, ok := d.byEmail[primary]; ok {
		return p.Manager
	}
	return ""
}

// tenureStart is the start of a person's tenure for policy matching: team
// start when set, else hire date, read as 00:00 UTC (SPEC fine point 8).
func tenureStart(p *Person) time.Time {
	t := p.TeamStart
	if t.IsZero() {
		t = p.HireDate
	}
	if t.IsZero() {
		return t
	}
	y, m, dd := t.Date()
	return time.Date(y, m, dd, 0, 0, 0, 0, time.UTC)
}
