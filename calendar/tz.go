package calendar

import (
	"encoding/binary"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
	_ "time/tzdata" // IANA zones must resolve on machines without /usr/share/zoneinfo
	"unicode"

	ical "github.com/emersion/go-ical"
	"github.com/teambition/rrule-go"
)

// ZoneSet resolves the TZIDs used by one calendar file.
//
// Resolution order for a TZID (after trimming spaces and quotes):
//
//  1. an IANA zone name, including deprecated links such as US/Eastern
//     ("Local" is refused: it would depend on the machine);
//  2. a name with a leading '/' or a globally unique id such as
//     /mozilla.org/20070129_1/America/New_York: leading path components are
//     dropped until an IANA name remains; a last component "UTC" or "GMT"
//     in any case ("tzone://Microsoft/Utc") means UTC;
//  3. a Windows zone id ("W. Europe Standard Time"), mapped through the
//     embedded CLDR windowsZones table (territory 001);
//  4. the file's own VTIMEZONE with that TZID: its X-LIC-LOCATION if that is
//     an IANA name, otherwise a Location built from its STANDARD/DAYLIGHT
//     rules. When the TZID is a Windows display name ("Canberra, Melbourne,
//     Sydney", "(UTC-03:00) Brasília") whose CLDR zone has exactly the same
//     transitions over 2015..2040, that IANA zone is returned instead;
//  5. a Windows display name without a VTIMEZONE, through the CLDR table.
//
// Anything else is an error `calendar: unknown time zone "X"`. Results,
// errors included, are cached per TZID. A ZoneSet is safe for concurrent use.
type ZoneSet struct {
	defs   map[string]*ical.Component // normalized TZID -> VTIMEZONE
	folded map[string]*ical.Component // lower-cased normalized TZID -> VTIMEZONE

	mu    sync.Mutex
	cache map[string]zoneResult
	// limit > 0 bounds the transitions all VTIMEZONEs built from rules
	// may generate together (Limits.ZoneTransitions); left is what
	// remains of it.
	limit, left int
}

// SetTransitionLimit bounds the transitions the zones built from this
// set's VTIMEZONE rules may generate together (0: no bound beyond the
// per-zone one). A zone that would exceed it fails with a *BudgetError.
func (zs *ZoneSet) SetTransitionLimit(n int) {
	zs.mu.Lock()
	zs.limit, zs.left = n, n
	zs.mu.Unlock()
}

type zoneResult struct {
	loc *time.Location
	err error
}

// NewZoneSet indexes the VTIMEZONE components of one calendar by TZID.
// Components with another name or without a TZID are ignored; when a TZID is
// defined twice, the first definition wins.
func NewZoneSet(vtimezones []*ical.Component) *ZoneSet {
	zs := &ZoneSet{
		defs:   make(map[string]*ical.Component),
		folded: make(map[string]*ical.Component),
		cache:  make(map[string]zoneResult),
	}
	for _, c := range vtimezones {
		if c == nil || !strings.EqualFold(c.Name, ical.CompTimezone) {
			continue
		}
		p := c.Props.Get(ical.PropTimezoneID)
		if p == nil {
			continue
		}
		ids := []string{p.Value}
		if text, err := p.Text(); err == nil && text != p.Value { // TEXT escapes: "Canberra\, Melbourne"
			ids = append(ids, text)
		}
		for _, raw := range ids {
			id := normalizeTZID(raw)
			if id == "" {
				continue
			}
			if _, dup := zs.defs[id]; !dup {
				zs.defs[id] = c
			}
			if _, dup := zs.folded[strings.ToLower(id)]; !dup {
				zs.folded[strings.ToLower(id)] = c
			}
		}
	}
	return zs
}

// Resolve returns the Location for a TZID parameter value. A nil ZoneSet
// resolves without VTIMEZONE definitions and without a cache.
func (zs *ZoneSet) Resolve(tzid string) (*time.Location, error) {
	if zs == nil {
		return (&ZoneSet{}).resolve(tzid)
	}
	zs.mu.Lock()
	defer zs.mu.Unlock()
	if r, ok := zs.cache[tzid]; ok {
		return r.loc, r.err
	}
	loc, err := zs.resolve(tzid)
	if zs.cache == nil {
		zs.cache = make(map[string]zoneResult)
	}
	zs.cache[tzid] = zoneResult{loc, err}
	return loc, err
}

func (zs *ZoneSet) resolve(tzid string) (*time.Location, error) {
	id := normalizeTZID(tzid)
	if id == "" {
		return nil, fmt.Errorf("calendar: empty time zone id %q", tzid)
	}
	if loc, ok := loadIANA(id); ok {
		return loc, nil
	}
	if loc, ok := loadGloballyUnique(id); ok {
		return loc, nil
	}
	if last := id[strings.LastIndexByte(id, '/')+1:]; strings.EqualFold(last, "UTC") || strings.EqualFold(last, "GMT") {
		return time.UTC, nil // "tzone://Microsoft/Utc" (Outlook.com), "utc"
	}
	if name, ok := WindowsToIANA(id); ok {
		if loc, ok := loadIANA(name); ok {
			return loc, nil
		}
	}
	display, hasDisplay := displayNameToIANA(id)
	if def := zs.lookup(id); def != nil {
		if p := def.Props.Get("X-LIC-LOCATION"); p != nil {
			if loc, ok := loadIANA(normalizeTZID(p.Value)); ok {
				return loc, nil
			}
		}
		budget := maxOnsets
		if zs.limit > 0 && zs.left < budget {
			budget = zs.left
		}
		loc, n, err := cachedLocationFromVTimezone(id, def, budget)
		if zs.limit > 0 {
			if errors.Is(err, errTooManyOnsets) {
				n = budget // the work was done before it failed
			}
			zs.left -= n
		}
		if err != nil && budget < maxOnsets && errors.Is(err, errTooManyOnsets) {
			return nil, &BudgetError{UID: "", Limit: "zone_transitions", Value: fmt.Sprint(zs.limit), Dropped: fmt.Sprintf("time zone %q not built, the feed's zone used instead", id)}
		}
		if err != nil {
			if hasDisplay {
				if cand, ok := loadIANA(display); ok {
					return cand, nil
				}
			}
			return nil, fmt.Errorf("calendar: time zone %q: %w", id, err)
		}
		if hasDisplay {
			if cand, ok := loadIANA(display); ok && sameTransitions(loc, cand, compareFrom, compareTo) {
				return cand, nil
			}
		}
		return loc, nil
	}
	if hasDisplay {
		if loc, ok := loadIANA(display); ok {
			return loc, nil
		}
	}
	return nil, fmt.Errorf("calendar: unknown time zone %q", id)
}

func (zs *ZoneSet) lookup(id string) *ical.Component {
	if c := zs.defs[id]; c != nil {
		return c
	}
	return zs.folded[strings.ToLower(id)]
}

// normalizeTZID trims white space and surrounding quotes.
func normalizeTZID(s string) string {
	for {
		t := strings.TrimSpace(s)
		if len(t) >= 2 && (t[0] == '"' && t[len(t)-1] == '"' || t[0] == '\'' && t[len(t)-1] == '\'') {
			t = t[1 : len(t)-1]
		}
		if t == s {
			return t
		}
		s = t
	}
}

// loadIANA loads an IANA zone by name. Names that cannot be IANA names are
// refused without touching the file system, and so is "Local".
func loadIANA(name string) (*time.Location, bool) {
	if name == "" || name == "Local" || len(name) > 128 {
		return nil, false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' ||
			c == '/' || c == '_' || c == '-' || c == '+' || c == '.') {
			return nil, false
		}
	}
	loc, err := LoadLocation(name)
	if err != nil {
		return nil, false
	}
	return loc, true
}

// loadGloballyUnique handles "/Europe/Stockholm" and globally unique ids such
// as /freeassociation.sourceforge.net/Tzfile/Europe/Berlin or
// /mozilla.org/20070129_1/America/New_York: it drops leading components until
// an IANA name remains, longest candidate first.
func loadGloballyUnique(id string) (*time.Location, bool) {
	if !strings.Contains(id, "/") {
		return nil, false
	}
	parts := strings.Split(strings.Trim(id, "/"), "/")
	start := 1
	if strings.HasPrefix(id, "/") || strings.HasSuffix(id, "/") {
		start = 0
	}
	for i := start; i < len(parts); i++ {
		if loc, ok := loadIANA(strings.Join(parts[i:], "/")); ok {
			return loc, true
		}
	}
	return nil, false
}

var windowsIndex = sync.OnceValues(func() (map[string]string, map[string]string) {
	byName := make(map[string]string, len(windowsZones))
	byDisplay := make(map[string]string, len(windowsZones))
	for _, z := range windowsZones {
		byName[strings.ToLower(z.Windows)] = z.IANA
		byDisplay[displayKey(z.Display)] = z.IANA
	}
	return byName, byDisplay
})

// WindowsToIANA maps a Windows time-zone id such as "W. Europe Standard Time"
// to its IANA zone ("Europe/Berlin") using the embedded CLDR windowsZones
// table (territory 001). The match ignores case and surrounding space.
func WindowsToIANA(name string) (string, bool) {
	byName, _ := windowsIndex()
	iana, ok := byName[strings.ToLower(strings.TrimSpace(name))]
	return iana, ok
}

// displayNameToIANA maps a Windows display name, with or without its
// "(UTC+10:00) " / "(GMT+10:00) " prefix, to the CLDR zone of that Windows
// zone: "Canberra, Melbourne, Sydney" -> Australia/Sydney.
func displayNameToIANA(name string) (string, bool) {
	key := displayKey(name)
	if key == "" {
		return "", false
	}
	_, byDisplay := windowsIndex()
	iana, ok := byDisplay[key]
	return iana, ok
}

// displayKey lower-cases a display name, folds Latin diacritics, collapses
// white space and drops a leading "(UTC...)" or "(GMT...)" offset.
func displayKey(s string) string {
	s = strings.TrimSpace(s)
	if len(s) > 4 && s[0] == '(' {
		if p := strings.ToUpper(s[1:4]); p == "UTC" || p == "GMT" {
			if end := strings.IndexByte(s, ')'); end > 0 {
				s = s[end+1:]
			}
		}
	}
	var b strings.Builder
	space := false
	for _, r := range s {
		if r == ' ' || r == '\t' || r == '\u00a0' {
			space = true
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteString(foldRune(r))
	}
	return b.String()
}

const foldFrom = "àáâãäåçèéêëìíîïñòóôõöøùúûüýÿāăąćčďđēėęěğīįıľłńňōőœřśşšťūůűųźżž"
const foldTo = "aaaaaaceeeeiiiinoooooouuuuyyaaaccddeeeegiiillnnooorssstuuuuzzz"

// foldRune lower-cases r and strips the diacritic of common Latin letters.
func foldRune(r rune) string {
	r = unicode.ToLower(r)
	if r < 0x80 {
		return string(r)
	}
	if i := strings.IndexRune(foldFrom, r); i >= 0 {
		n := len([]rune(foldFrom[:i]))
		return foldTo[n : n+1]
	}
	return string(r)
}

// vtzCache shares Locations built from VTIMEZONEs between ZoneSets: a
// daemon re-reads the same feeds, with the same definitions, on every
// refresh. Keys are the TZID plus the definition's sub-components; the
// cache is emptied when it reaches vtzCacheMax entries.
var vtzCache struct {
	sync.Mutex
	m map[string]zoneResult
}

const (
	vtzCacheMax    = 256
	vtzCacheMaxKey = 64 << 10
)

// cachedLocationFromVTimezone is locationFromVTimezone with a process-wide
// cache; n is the transitions generated (0 for a cached result). A zone
// that failed for lack of budget is not cached: with the full budget it
// may build.
func cachedLocationFromVTimezone(id string, vtz *ical.Component, budget int) (_ *time.Location, n int, _ error) {
	key := vtimezoneKey(id, vtz)
	if len(key) > vtzCacheMaxKey {
		return locationFromVTimezone(id, vtz, budget)
	}
	vtzCache.Lock()
	r, ok := vtzCache.m[key]
	vtzCache.Unlock()
	if ok {
		return r.loc, 0, r.err
	}
	loc, n, err := locationFromVTimezone(id, vtz, budget)
	if err != nil && budget < maxOnsets && errors.Is(err, errTooManyOnsets) {
		return nil, n, err
	}
	vtzCache.Lock()
	if vtzCache.m == nil || len(vtzCache.m) >= vtzCacheMax {
		vtzCache.m = make(map[string]zoneResult)
	}
	vtzCache.m[key] = zoneResult{loc, err}
	vtzCache.Unlock()
	return loc, n, err
}

// vtimezoneKey serializes what locationFromVTimezone reads: the TZID and
// each sub-component's name and property values.
func vtimezoneKey(id string, vtz *ical.Component) string {
	var b strings.Builder
	b.WriteString(id)
	for _, ch := range vtz.Children {
		b.WriteByte(0)
		b.WriteString(strings.ToUpper(ch.Name))
		names := make([]string, 0, len(ch.Props))
		for n := range ch.Props {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			for _, p := range ch.Props[n] {
				b.WriteByte(1)
				b.WriteString(n)
				b.WriteByte(2)
				b.WriteString(p.Value)
			}
		}
	}
	return b.String()
}

// Range of transitions computed from VTIMEZONE rules, and the window over
// which a VTIMEZONE must agree with a candidate IANA zone to be replaced by it.
var (
	ruleFrom    = time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC)
	ruleTo      = time.Date(2101, 1, 1, 0, 0, 0, 0, time.UTC)
	compareFrom = time.Date(2015, 1, 1, 0, 0, 0, 0, time.UTC)
	compareTo   = time.Date(2040, 1, 1, 0, 0, 0, 0, time.UTC)
)

const (
	maxOnsets  = 20000 // onsets generated for one VTIMEZONE, all observances together
	maxOffset  = 24 * 3600
	bigBang    = -1 << 59 // first TZif transition, as zic writes it
	maxAbbrLen = 16
)

// onset is one observance start: from this instant on, offset `to` applies.
type onset struct {
	at   int64 // Unix seconds
	from int   // offset before, seconds east of UTC
	to   int   // offset after
	dst  bool
	abbr string
	seq  int // position in the file, to keep equal instants stable
}

// locationFromVTimezone builds a Location from the STANDARD and DAYLIGHT
// sub-components of a VTIMEZONE, with transitions from 1900 to 2100. A zone
// with a single offset becomes a time.FixedZone. At most budget onsets
// are generated (an error wrapping errTooManyOnsets beyond); n is how many
// were.
func locationFromVTimezone(id string, vtz *ical.Component, budget int) (_ *time.Location, n int, err error) {
	var onsets []onset
	defer func() { n = len(onsets) }()
	loc, err := buildVTimezone(id, vtz, budget, &onsets)
	return loc, 0, err
}

// errTooManyOnsets: a VTIMEZONE generates more onsets than its budget.
var errTooManyOnsets = errors.New("too many onsets")

func buildVTimezone(id string, vtz *ical.Component, budget int, onsetsOut *[]onset) (*time.Location, error) {
	var onsets []onset
	defer func() { *onsetsOut = onsets }()
	observances := 0
	for _, ch := range vtz.Children {
		var dst bool
		switch strings.ToUpper(ch.Name) {
		case ical.CompTimezoneStandard:
		case ical.CompTimezoneDaylight:
			dst = true
		default:
			continue
		}
		observances++
		got, err := observanceOnsets(ch, dst, budget-len(onsets))
		if err != nil {
			return nil, fmt.Errorf("%s #%d: %w", strings.ToUpper(ch.Name), observances, err)
		}
		for i := range got {
			got[i].seq = len(onsets) + i
		}
		onsets = append(onsets, got...)
	}
	if observances == 0 {
		return nil, errors.New("VTIMEZONE has no STANDARD or DAYLIGHT sub-component")
	}
	sort.Slice(onsets, func(i, j int) bool {
		if onsets[i].at != onsets[j].at {
			return onsets[i].at < onsets[j].at
		}
		return onsets[i].seq < onsets[j].seq
	})

	type zoneType struct {
		offset int
		dst    bool
		abbr   string
	}
	// The zone before the first transition in range: the previous onset's
	// offset, or the offset the first onset changes from.
	first := onsets[0]
	initial := zoneType{first.from, !first.dst && first.from > first.to, offsetAbbr(first.from)}
	var inRange []onset
	for _, o := range onsets {
		switch {
		case o.at < ruleFrom.Unix():
			initial = zoneType{o.to, o.dst, o.abbr}
		case o.at < ruleTo.Unix():
			if n := len(inRange); n > 0 && inRange[n-1].at == o.at {
				inRange[n-1] = o // same instant: the later definition wins
				continue
			}
			inRange = append(inRange, o)
		}
	}

	fixed := true
	for _, o := range inRange {
		if o.to != initial.offset {
			fixed = false
			break
		}
	}
	if fixed {
		return time.FixedZone(id, initial.offset), nil
	}

	types := []zoneType{initial}
	typeIndex := func(z zoneType) (int, error) {
		for i, t := range types {
			if t == z {
				return i, nil
			}
		}
		if len(types) == 255 {
			return 0, errors.New("more than 255 distinct offset/name combinations")
		}
		types = append(types, z)
		return len(types) - 1, nil
	}
	whens := []int64{bigBang}
	idx := []byte{0}
	for _, o := range inRange {
		i, err := typeIndex(zoneType{o.to, o.dst, o.abbr})
		if err != nil {
			return nil, err
		}
		whens = append(whens, o.at)
		idx = append(idx, byte(i))
	}
	var abbrevs []byte
	abbrIndex := make([]byte, len(types))
	for i, t := range types {
		pos := strings.Index(string(abbrevs), t.abbr+"\x00")
		if pos < 0 {
			pos = len(abbrevs)
			abbrevs = append(abbrevs, t.abbr...)
			abbrevs = append(abbrevs, 0)
		}
		if pos > 255 {
			return nil, errors.New("too many distinct TZNAME values")
		}
		abbrIndex[i] = byte(pos)
	}

	// TZif version 2: an empty 32-bit block, then the 64-bit data, then an
	// empty footer (times after 2100 keep the last offset).
	var b []byte
	header := func(timecnt, typecnt, charcnt int) {
		b = append(b, "TZif2"...)
		b = append(b, make([]byte, 15)...)
		for _, n := range []int{0, 0, 0, timecnt, typecnt, charcnt} {
			b = binary.BigEndian.AppendUint32(b, uint32(n))
		}
	}
	header(0, 1, 1)
	b = append(b, 0, 0, 0, 0, 0, 0) // one UTC type
	b = append(b, 0)                // its empty abbreviation
	header(len(whens), len(types), len(abbrevs))
	for _, w := range whens {
		b = binary.BigEndian.AppendUint64(b, uint64(w))
	}
	b = append(b, idx...)
	for i, t := range types {
		b = binary.BigEndian.AppendUint32(b, uint32(int32(t.offset)))
		isDST := byte(0)
		if t.dst {
			isDST = 1
		}
		b = append(b, isDST, abbrIndex[i])
	}
	b = append(b, abbrevs...)
	b = append(b, '\n', '\n')
	key := "\x00vtimezone\x00" + id + "\x00" + string(b)
	if loc, ok := zoneCache.Load(key); ok {
		return loc.(*time.Location), nil
	}
	loc, err := time.LoadLocationFromTZData(id, b)
	if err != nil {
		return nil, fmt.Errorf("building zone data: %w", err)
	}
	got, _ := zoneCache.LoadOrStore(key, loc)
	return got.(*time.Location), nil
}

// observanceOnsets lists the onsets of one STANDARD or DAYLIGHT component:
// DTSTART, every RRULE instance up to 2100 and every RDATE.
func observanceOnsets(c *ical.Component, dst bool, budget int) ([]onset, error) {
	toProp := c.Props.Get(ical.PropTimezoneOffsetTo)
	if toProp == nil {
		return nil, errors.New("missing TZOFFSETTO")
	}
	to, err := parseUTCOffset(toProp.Value)
	if err != nil {
		return nil, fmt.Errorf("TZOFFSETTO: %w", err)
	}
	from := to
	if p := c.Props.Get(ical.PropTimezoneOffsetFrom); p != nil {
		if from, err = parseUTCOffset(p.Value); err != nil {
			return nil, fmt.Errorf("TZOFFSETFROM: %w", err)
		}
	}
	abbr := offsetAbbr(to)
	if p := c.Props.Get(ical.PropTimezoneName); p != nil && validAbbr(p.Value) {
		abbr = p.Value
	}
	dtProp := c.Props.Get(ical.PropDateTimeStart)
	if dtProp == nil {
		return nil, errors.New("missing DTSTART")
	}
	start, startUTC, err := parseTZTime(dtProp.Value)
	if err != nil {
		return nil, fmt.Errorf("DTSTART: %w", err)
	}
	if startUTC { // should be local time; accept an instant anyway
		start = start.Add(time.Duration(from) * time.Second)
	}
	if start.Year() < 1000 {
		return nil, fmt.Errorf("DTSTART %q: year before 1000", dtProp.Value)
	}

	mk := func(wall time.Time) onset {
		return onset{at: wall.Unix() - int64(from), from: from, to: to, dst: dst, abbr: abbr}
	}
	out := []onset{mk(start)}
	rules := c.Props.Values(ical.PropRecurrenceRule)
	synced, fired := false, false
	for _, p := range rules {
		walls, err := expandZoneRule(p.Value, start, from, budget-len(out))
		if err != nil {
			return nil, fmt.Errorf("RRULE %q: %w", p.Value, err)
		}
		for _, w := range walls {
			fired = true
			if w.Equal(start) {
				synced = true
				continue
			}
			out = append(out, mk(w))
		}
	}
	if len(rules) > 0 && fired && !synced {
		// RFC 5545 leaves a DTSTART that is no instance of its RRULE
		// undefined. Exchange writes 16010101, other producers write one
		// arbitrary date in both STANDARD and DAYLIGHT: taken as onsets,
		// those would invent a transition, so the rule's first instance is
		// the observance's first onset.
		out = out[1:]
	}
	for _, p := range c.Props.Values(ical.PropRecurrenceDates) {
		for _, v := range strings.Split(p.Value, ",") {
			if i := strings.IndexByte(v, '/'); i >= 0 { // VALUE=PERIOD: the start counts
				v = v[:i]
			}
			t, isUTC, err := parseTZTime(v)
			if err != nil {
				return nil, fmt.Errorf("RDATE %q: %w", v, err)
			}
			if isUTC {
				out = append(out, onset{at: t.Unix(), from: from, to: to, dst: dst, abbr: abbr})
			} else {
				out = append(out, mk(t))
			}
			if len(out) > budget {
				out = out[:budget]
				return out, fmt.Errorf("more than %d onsets: %w", budget, errTooManyOnsets)
			}
		}
	}
	return out, nil
}

// expandZoneRule expands a VTIMEZONE RRULE from the wall-clock start (held
// in UTC) up to 2100. Only YEARLY and MONTHLY rules are accepted: nothing
// else describes a time zone, and finer rules from 1601 would be expensive.
func expandZoneRule(value string, start time.Time, from, budget int) (walls []time.Time, err error) {
	v := strings.ToUpper(strings.Join(strings.Fields(value), ""))
	v = strings.Trim(v, ";")
	untilUTC := false
	for _, part := range strings.Split(v, ";") {
		if strings.HasPrefix(part, "UNTIL=") && strings.HasSuffix(part, "Z") {
			untilUTC = true
		}
	}
	opt, err := rrule.StrToROption(v)
	if err != nil {
		return nil, err
	}
	if opt.Freq != rrule.YEARLY && opt.Freq != rrule.MONTHLY {
		return nil, fmt.Errorf("FREQ=%v is not a time-zone rule (want YEARLY or MONTHLY)", opt.Freq)
	}
	opt.Dtstart = start
	if !opt.Until.IsZero() && untilUTC {
		opt.Until = opt.Until.Add(time.Duration(from) * time.Second) // instant -> wall clock
	}
	if opt.Until.IsZero() || opt.Until.After(ruleTo) {
		opt.Until = ruleTo // also lifts rrule-go's default of DTSTART+290 years
	}
	r, err := rrule.NewRRule(*opt)
	if err != nil {
		return nil, err
	}
	defer func() {
		// rrule-go is third-party code fed with file contents: a panic there
		// is reported as a bad rule, not a crash of the daemon.
		if p := recover(); p != nil {
			walls, err = nil, fmt.Errorf("rule expansion failed: %v", p)
		}
	}()
	if ruleNeverFires(*opt) {
		return nil, nil
	}
	next := r.Iterator()
	for {
		t, ok := next()
		if !ok {
			return walls, nil
		}
		if len(walls) >= budget {
			return walls, fmt.Errorf("more than %d onsets: %w", budget, errTooManyOnsets)
		}
		walls = append(walls, t)
	}
}

// ruleNeverFires reports whether a YEARLY or MONTHLY rule has no instance at
// all (BYMONTH=2;BYMONTHDAY=30). rrule-go would search such a rule up to the
// year 9999; from 1601 that costs tens of milliseconds per rule. The
// Gregorian calendar repeats every 400 years (146097 days, a whole number of
// weeks), so the rule's instances repeat every lcm(400 years, INTERVAL); one
// such period, probed just before 9999, shows whether it ever fires.
func ruleNeverFires(opt rrule.ROption) bool {
	interval := max(opt.Interval, 1)
	var period int // years
	if opt.Freq == rrule.YEARLY {
		period = lcm(400, interval)
	} else {
		period = lcm(4800, interval) / 12
	}
	y := opt.Dtstart.Year()
	if period > 9000 || y+period > rrule.MAXYEAR+1 {
		return false // few iterations to 9999 anyway
	}
	shift := (rrule.MAXYEAR + 1 - period - y) / period * period
	probe := opt
	probe.Dtstart = opt.Dtstart.AddDate(shift, 0, 0)
	probe.Count = 0
	probe.Until = time.Time{}
	r, err := rrule.NewRRule(probe)
	if err != nil {
		return false
	}
	_, ok := r.Iterator()()
	return !ok
}

func lcm(a, b int) int {
	x, y := a, b
	for y != 0 {
		x, y = y, x%y
	}
	return a / x * b
}

// parseUTCOffset parses a UTC-OFFSET value: +hhmm, -hhmm or ±hhmmss.
func parseUTCOffset(v string) (int, error) {
	v = strings.TrimSpace(v)
	if len(v) != 5 && len(v) != 7 || v[0] != '+' && v[0] != '-' {
		return 0, fmt.Errorf("%q is not a UTC offset (+hhmm)", v)
	}
	for i := 1; i < len(v); i++ {
		if v[i] < '0' || v[i] > '9' {
			return 0, fmt.Errorf("%q is not a UTC offset (+hhmm)", v)
		}
	}
	h, _ := strconv.Atoi(v[1:3])
	m, _ := strconv.Atoi(v[3:5])
	s := 0
	if len(v) == 7 {
		s, _ = strconv.Atoi(v[5:7])
	}
	if m > 59 || s > 59 {
		return 0, fmt.Errorf("%q is not a UTC offset (+hhmm)", v)
	}
	off := h*3600 + m*60 + s
	if off >= maxOffset {
		return 0, fmt.Errorf("UTC offset %q out of range", v)
	}
	if v[0] == '-' {
		off = -off
	}
	return off, nil
}

// parseTZTime parses a DATE-TIME (local or with Z) or DATE value into a
// time held in UTC; isUTC reports a trailing Z.
func parseTZTime(v string) (t time.Time, isUTC bool, err error) {
	v = strings.TrimSpace(v)
	switch {
	case len(v) == 16 && (v[15] == 'Z' || v[15] == 'z'):
		t, err = time.Parse("20060102T150405", v[:15])
		isUTC = true
	case len(v) == 15:
		t, err = time.Parse("20060102T150405", v)
	case len(v) == 8:
		t, err = time.Parse("20060102", v)
	default:
		err = fmt.Errorf("%q is not a DATE-TIME", v)
	}
	if err != nil {
		return time.Time{}, false, fmt.Errorf("%q is not a DATE-TIME", v)
	}
	return t, isUTC, nil
}

// offsetAbbr names an offset the way tzdata does for zones without a
// customary abbreviation: +01, -0330, +054500.
func offsetAbbr(off int) string {
	sign := byte('+')
	if off < 0 {
		sign, off = '-', -off
	}
	h, m, s := off/3600, off/60%60, off%60
	switch {
	case s != 0:
		return fmt.Sprintf("%c%02d%02d%02d", sign, h, m, s)
	case m != 0:
		return fmt.Sprintf("%c%02d%02d", sign, h, m)
	default:
		return fmt.Sprintf("%c%02d", sign, h)
	}
}

// validAbbr accepts TZNAME values usable as TZif abbreviations ("CEST",
// "+05"); others ("Standard Time") are replaced by the numeric offset.
func validAbbr(s string) bool {
	if len(s) < 2 || len(s) > maxAbbrLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '+' || c == '-') {
			return false
		}
	}
	return true
}

// sameTransitions reports whether a and b give the same UTC offset at every
// instant of [from, to).
func sameTransitions(a, b *time.Location, from, to time.Time) bool {
	ta, tb := offsetChanges(a, from, to), offsetChanges(b, from, to)
	if len(ta) != len(tb) {
		return false
	}
	for i := range ta {
		if ta[i] != tb[i] {
			return false
		}
	}
	return true
}

// offsetChanges lists [unix, offset] at from and at every offset change
// before to.
func offsetChanges(loc *time.Location, from, to time.Time) [][2]int64 {
	_, off := from.In(loc).Zone()
	out := [][2]int64{{from.Unix(), int64(off)}}
	t := from
	for len(out) < 1000 {
		_, end := t.In(loc).ZoneBounds()
		if end.IsZero() || !end.Before(to) || !end.After(t) {
			break
		}
		if _, o := end.In(loc).Zone(); int64(o) != out[len(out)-1][1] {
			out = append(out, [2]int64{end.Unix(), int64(o)})
		}
		t = end
	}
	return out
}

// zoneCache holds every zone loaded by name (and every VTIMEZONE built,
// by its id and data): a time.Location is immutable, and ten thousand
// feeds in a few zones would otherwise each hold their own copy of the
// same tables (tens of MB on a large org). Zone files changed on disk are
// read again after a restart, as time.Local is.
var zoneCache sync.Map // string -> *time.Location

// LoadLocation is time.LoadLocation with a process-wide cache.
func LoadLocation(name string) (*time.Location, error) {
	if loc, ok := zoneCache.Load(name); ok {
		return loc.(*time.Location), nil
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, err
	}
	if name == "Local" {
		return loc, nil
	}
	got, _ := zoneCache.LoadOrStore(name, loc)
	return got.(*time.Location), nil
}
