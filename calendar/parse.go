package calendar

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unique"

	"github.com/emersion/go-ical"

	_ "time/tzdata" // zones must resolve on machines without a zoneinfo database
)

// ParseOptions tells ParseICS whose feed it reads and how to place times
// that carry no zone.
type ParseOptions struct {
	Name  string         // source name (goes into Event.Source)
	Owner string         // owner email (Event.Owner), lower-case
	Zone  *time.Location // zone for floating times and all-day dates (nil = UTC)
	// Limits bound the parse: ZoneTransitions and ParseTime are read here
	// (zero fields take their defaults).
	Limits Limits
	// Now measures the parse against Limits.ParseTime (nil: time.Now).
	// It is a measurement of work, not a reading of the calendar's time.
	Now func() time.Time
}

// ParseICS reads an iCalendar feed: one or several concatenated VCALENDARs
// or bare VEVENTs. It is lenient with what real exports contain (a BOM,
// malformed lines, typos in END lines, Windows zone names, parameters after
// the colon) and reports those as Feed.Warnings. It fails when the input
// cannot be read, holds no calendar component at all, or holds VEVENTs of
// which not one could be read (a feed without any VEVENT is valid and
// empty).
func ParseICS(r io.Reader, opts ParseOptions) (*Feed, error) {
	name := opts.Name
	if name == "" {
		name = "ics"
	}
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	started := now()
	data, err := readAll(r)
	if err != nil {
		return nil, fmt.Errorf("calendar: %s: reading feed: %w", name, err)
	}
	if opts.Zone == nil {
		opts.Zone = time.UTC
	}
	opts.Name = name
	opts.Owner = normalizeEmail(opts.Owner)

	cl := preclean(data, name)
	if cl.components == 0 {
		return nil, fmt.Errorf("calendar: %s: not an iCalendar feed (no BEGIN:VCALENDAR or BEGIN:VEVENT in %d bytes)", name, len(data))
	}
	cals, err := decodeAll(cl.text, name)
	if err != nil {
		return nil, err
	}
	feed := &Feed{Name: name, Owner: opts.Owner, Warnings: cl.warnings}
	p := &parser{opts: opts, feed: feed, eventLines: cl.eventLines, stamps: cl.stamps, lim: opts.Limits.WithDefaults(), now: opts.Now}
	if p.now == nil {
		p.now = time.Now
	}
	p.deadline = started.Add(p.lim.ParseTime)
	for _, cal := range cals {
		if err := p.calendar(cal); err != nil {
			return nil, err
		}
	}
	if p.zoneDrop != nil {
		if p.zoneDrops > 1 {
			p.zoneDrop.Dropped = fmt.Sprintf("%d time zones not built, the feed's zone used instead (the first named)", p.zoneDrops)
		}
		feed.Exceeded = append(feed.Exceeded, p.zoneDrop)
	}
	p.dropDuplicates()
	if n := len(cl.eventLines); n > 0 && len(feed.Events) == 0 {
		// Events that are all unreadable are a broken feed, not an empty
		// calendar: the caller must not take it for "no meetings".
		return nil, fmt.Errorf("calendar: %s: %d VEVENT(s) but no usable event; first reason: %s", name, n,
			strings.TrimPrefix(p.firstSkip, "calendar: "+name+": "))
	}
	return feed, nil
}

// readAll is io.ReadAll, reading in one allocation when r tells its
// length (a *bytes.Reader or *strings.Reader, as callers pass).
func readAll(r io.Reader) ([]byte, error) {
	lr, ok := r.(interface{ Len() int })
	if !ok {
		return io.ReadAll(r)
	}
	buf := make([]byte, 0, lr.Len()+1) // +1: EOF without growing
	for {
		n, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if errors.Is(err, io.EOF) {
			return buf, nil
		}
		if err != nil {
			return buf, err
		}
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
	}
}

// decodeAll runs go-ical's decoder over the cleaned text, inside recover():
// the decoder panics on some malformed lines.
func decodeAll(text []byte, name string) (cals []*ical.Calendar, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("calendar: %s: decoder panic after %d calendar(s): %v", name, len(cals), r)
			cals = nil
		}
	}()
	dec := ical.NewDecoder(bytes.NewReader(text))
	for {
		cal, err := dec.Decode()
		if errors.Is(err, io.EOF) {
			return cals, nil
		}
		if err != nil {
			return nil, fmt.Errorf("calendar: %s: decoding calendar %d: %w", name, len(cals)+1, err)
		}
		cals = append(cals, cal)
	}
}

type parser struct {
	opts       ParseOptions
	feed       *Feed
	eventLines []int
	eventIdx   int
	stamps     []stamps
	firstSkip  string  // the warning for the first VEVENT skipped
	vevent     []int32 // parallel to feed.Events: index into eventLines and stamps

	lim      Limits
	now      func() time.Time
	deadline time.Time
	// the first zone over the transition budget, and how many were
	zoneDrop  *BudgetError
	zoneDrops int
	zonesLeft *int

	// per calendar
	zones   *ZoneSet
	xwr     string
	locs    map[string]*time.Location
	badTZID map[string]bool
}

// warn records a warning about the VEVENT that starts at line (and has
// the given UID, when known).
func (p *parser) warn(line int, uid, format string, args ...any) {
	prefix := fmt.Sprintf("calendar: %s: VEVENT at line %d: ", p.opts.Name, line)
	if uid != "" {
		prefix = fmt.Sprintf("calendar: %s: VEVENT at line %d (UID %s): ", p.opts.Name, line, Clip(uid, maxUIDInWarning))
	}
	p.feed.Warnings = append(p.feed.Warnings, warning(prefix+fmt.Sprintf(format, args...)))
}

// calendar reads the events of one VCALENDAR; it fails only when the
// parse runs out of time.
func (p *parser) calendar(cal *ical.Calendar) error {
	var vtz []*ical.Component
	for _, c := range cal.Children {
		if c.Name == ical.CompTimezone {
			vtz = append(vtz, c)
		}
	}
	p.zones = NewZoneSet(vtz)
	// One budget for the feed, however many VCALENDARs it holds.
	if p.zonesLeft == nil {
		left := p.lim.ZoneTransitions
		p.zonesLeft = &left
	}
	p.zones.limit, p.zones.left = p.lim.ZoneTransitions, *p.zonesLeft
	defer func() { *p.zonesLeft = p.zones.left }()
	p.xwr = ""
	if pr := cal.Props.Get("X-WR-TIMEZONE"); pr != nil {
		p.xwr = strings.TrimSpace(unescapeText(pr.Value))
	}
	p.locs = make(map[string]*time.Location)
	p.badTZID = make(map[string]bool)
	for _, c := range cal.Children {
		if c.Name != ical.CompEvent {
			continue
		}
		line := 0
		if p.eventIdx < len(p.eventLines) {
			line = p.eventLines[p.eventIdx]
		}
		p.eventIdx++
		if p.now().After(p.deadline) {
			uid := ""
			if pr := c.Props.Get(ical.PropUID); pr != nil {
				uid = pr.Value
			}
			return &BudgetError{Feed: p.opts.Name, UID: uid, Limit: "parse_time", Value: p.lim.ParseTime.String(),
				Dropped: fmt.Sprintf("feed not read (stopped at the VEVENT at line %d)", line)}
		}
		nw := len(p.feed.Warnings)
		if ev, ok := p.event(c, line); ok {
			p.feed.Events = append(p.feed.Events, ev)
			p.vevent = append(p.vevent, int32(p.eventIdx-1))
		} else if p.firstSkip == "" && len(p.feed.Warnings) > nw {
			p.firstSkip = p.feed.Warnings[len(p.feed.Warnings)-1]
		}
	}
	return nil
}

// version is what tells copies of one VEVENT apart: where it is in the
// feed and when it was revised.
type version struct {
	line int
	stamps
}

// version returns the version of feed.Events[i].
func (p *parser) version(i int) version {
	var v version
	if k := int(p.vevent[i]); k < len(p.eventLines) && k < len(p.stamps) {
		v.line, v.stamps = p.eventLines[k], p.stamps[k]
	}
	return v
}

// dropDuplicates keeps one VEVENT per UID without RECURRENCE-ID, and one
// per UID and RECURRENCE-ID. Such copies are versions of one component
// (RFC 5545 §3.8.4.7: a UID is globally unique; RFC 5546 §2.1.5 orders
// versions by SEQUENCE, then DTSTAMP): the higher SEQUENCE wins, then the
// later DTSTAMP, then the later LAST-MODIFIED, then the later copy in the
// feed. Each dropped copy is reported, naming the UID.
func (p *parser) dropDuplicates() {
	events := p.feed.Events
	if len(events) < 2 {
		return
	}
	type key struct {
		uid string
		rid int64
		ov  bool
	}
	kept := make(map[key]int, len(events))
	var drop []bool
	for i := range events {
		e := &events[i]
		k := key{uid: e.UID}
		if !e.RecurrenceID.IsZero() {
			k = key{e.UID, e.RecurrenceID.Unix(), true}
		}
		j, dup := kept[k]
		if !dup {
			kept[k] = i
			continue
		}
		// j comes first in the feed; i wins ties.
		a, b := &events[j], e
		va, vb := p.version(j), p.version(i)
		var newer bool
		var why string
		switch {
		case a.Sequence != b.Sequence:
			newer, why = b.Sequence > a.Sequence, "higher SEQUENCE"
		case !va.dtstamp.IsZero() && !vb.dtstamp.IsZero() && !va.dtstamp.Equal(vb.dtstamp):
			newer, why = vb.dtstamp.After(va.dtstamp), "later DTSTAMP"
		case !va.modified.IsZero() && !vb.modified.IsZero() && !va.modified.Equal(vb.modified):
			newer, why = vb.modified.After(va.modified), "later LAST-MODIFIED"
		default:
			newer, why = true, "later in the feed"
		}
		win, lose := va.line, vb.line
		if newer {
			win, lose = vb.line, va.line
			kept[k] = i
		}
		if drop == nil {
			drop = make([]bool, len(events))
		}
		if newer {
			drop[j] = true
		} else {
			drop[i] = true
		}
		same := "same UID and no RECURRENCE-ID"
		if k.ov {
			same = "same UID and RECURRENCE-ID " + e.RecurrenceID.UTC().Format(time.RFC3339)
		}
		p.warn(vb.line, e.UID, "%s as the VEVENT at line %d; kept the one at line %d (%s), dropped the one at line %d", same, va.line, win, why, lose)
	}
	if drop == nil {
		return
	}
	out := events[:0]
	for i := range events {
		if !drop[i] {
			out = append(out, events[i])
			p.vevent[len(out)-1] = p.vevent[i]
		}
	}
	p.vevent = p.vevent[:len(out)]
	clear(events[len(out):])
	p.feed.Events = out
}

// resolve maps a TZID to a location: the ZoneSet (IANA, Windows, the
// file's VTIMEZONE), then the calendar's X-WR-TIMEZONE, then the feed's
// zone, with one warning per TZID naming the first UID that used it.
func (p *parser) resolve(tzid string, line int, uid string) *time.Location {
	if loc, ok := p.locs[tzid]; ok {
		return loc
	}
	loc, err := p.zones.Resolve(tzid)
	if err == nil && loc != nil {
		p.locs[tzid] = loc
		return loc
	}
	if be, ok := err.(*BudgetError); ok {
		// Reported once for the feed (Feed.Exceeded), not per TZID.
		p.zoneDrops++
		if p.zoneDrop == nil {
			c := *be
			c.Feed, c.UID = p.opts.Name, uid
			p.zoneDrop = &c
		}
		p.locs[tzid] = p.opts.Zone
		return p.opts.Zone
	}
	fallback := p.opts.Zone
	via := "the feed's zone " + fallback.String()
	if p.xwr != "" {
		if l, err2 := p.zones.Resolve(p.xwr); err2 == nil && l != nil {
			fallback = l
			via = "X-WR-TIMEZONE " + p.xwr
		}
	}
	p.warn(line, uid, "unknown TZID %q (%v); using %s", tzid, err, via)
	p.locs[tzid] = fallback
	return fallback
}

// seriesUID strips Google's "this and following" split suffix
// (abc_R20231009T130000@google.com -> abc@google.com).
func seriesUID(uid string) string { return SeriesUID(uid) }

// cancelPrefixes are the title prefixes Outlook's published feeds use for
// a cancelled meeting (English and the most common localisations).
var cancelPrefixes = []string{"canceled:", "cancelled:", "abgesagt:", "annulé :", "annulé:", "cancelado:", "annullato:", "geannuleerd:"}

// StripCancelPrefix returns the title without Outlook's cancellation
// prefix ("Canceled: ", and its common localisations) and whether one was
// found. Sources that read titles (ICS, Microsoft Graph) share it.
func StripCancelPrefix(title string) (string, bool) { return stripCancelPrefix(title) }

// stripCancelPrefix returns the title without a cancellation prefix and
// whether one was found.
func stripCancelPrefix(title string) (string, bool) {
	for _, p := range cancelPrefixes {
		if len(title) >= len(p) && strings.EqualFold(title[:len(p)], p) {
			return strings.TrimSpace(title[len(p):]), true
		}
	}
	return title, false
}

func (p *parser) event(c *ical.Component, line int) (Event, bool) {
	ev := Event{Source: p.opts.Name, Owner: p.opts.Owner, Status: StatusConfirmed}
	uid := ""
	if pr := c.Props.Get(ical.PropUID); pr != nil {
		uid = strings.TrimSpace(unescapeText(pr.Value))
	}
	if uid == "" {
		uid = fmt.Sprintf("%s-line-%d", p.opts.Name, line)
		p.warn(line, "", "VEVENT without UID; using %q", uid)
	}
	ev.UID = intern(uid)
	ev.SeriesUID = intern(seriesUID(uid))

	// Start and end.
	dtstart := c.Props.Get(ical.PropDateTimeStart)
	if dtstart == nil {
		p.warn(line, uid, "VEVENT without DTSTART skipped")
		return ev, false
	}
	start, kind, err := p.dateTime(dtstart, line, uid)
	if err != nil {
		p.warn(line, uid, "DTSTART: %v; event skipped", err)
		return ev, false
	}
	ev.Start = start
	ev.AllDay = kind == kindDate
	// zoned: DTSTART has a TZID or is UTC; floating values of the other
	// properties are then read in its zone.
	zoned := kind == kindUTC || kind == kindFloating && dtstart.Params.Get("TZID") != ""
	ev.End = start
	if ev.AllDay {
		ev.End = firstOccurrence(start.AddDate(0, 0, 1))
	}
	if pr := c.Props.Get(ical.PropDateTimeEnd); pr != nil {
		end, err := p.dateTimeBeside(pr, ical.PropDateTimeEnd, start, zoned, line, uid)
		if err != nil {
			p.warn(line, uid, "DTEND: %v; using the default duration", err)
		} else {
			ev.End = end
		}
	} else if pr := c.Props.Get(ical.PropDuration); pr != nil {
		d, err := parseDuration(pr.Value)
		if err != nil {
			p.warn(line, uid, "DURATION: %v; using the default duration", err)
		} else {
			ev.End = d.addTo(start)
		}
	}
	if ev.End.Before(ev.Start) {
		p.warn(line, uid, "ends (%s) before it starts (%s); treated as zero length", ev.End.Format(time.RFC3339), ev.Start.Format(time.RFC3339))
		ev.End = ev.Start
	}

	if pr := c.Props.Get(ical.PropRecurrenceID); pr != nil {
		rid, err := p.dateTimeBeside(pr, ical.PropRecurrenceID, start, zoned, line, uid)
		if err != nil {
			p.warn(line, uid, "RECURRENCE-ID: %v; treated as a single event", err)
		} else {
			ev.RecurrenceID = rid
			ev.ThisAndFuture = strings.EqualFold(pr.Params.Get("RANGE"), "THISANDFUTURE")
		}
	}

	// Recurrence (masters only; an override's own RRULE is ignored).
	if ev.RecurrenceID.IsZero() {
		b := newRecBuilder(start, ev.AllDay, func(tzid string) (*time.Location, error) {
			return p.resolve(tzid, line, uid), nil
		})
		b.zoned = zoned
		for _, name := range [...]string{ical.PropRecurrenceRule, ical.PropRecurrenceDates, ical.PropExceptionDates, "EXRULE"} {
			for _, pr := range c.Props[name] {
				if err := b.add(name, pr.Params, pr.Value); err != nil {
					if name == ical.PropRecurrenceRule || name == "EXRULE" {
						p.warn(line, uid, "%v; the rule is ignored", err)
					} else {
						p.warn(line, uid, "%v; the value is ignored", err)
					}
				}
			}
		}
		ev.Recurrence = b.finish()
		for i, v := range b.floating { // once per property: EXDATE lists can be long
			if v != "" {
				p.warnFloating(floatingProps[i], v, start, line, uid)
			}
		}
	}

	// Descriptive fields.
	if pr := c.Props.Get(ical.PropSummary); pr != nil {
		ev.Title = strings.TrimSpace(unescapeText(pr.Value))
		ev.Title, ev.TitleCancelled = stripCancelPrefix(ev.Title)
		ev.Title = intern(ev.Title)
	}
	if pr := c.Props.Get(ical.PropStatus); pr != nil {
		switch strings.ToUpper(strings.TrimSpace(pr.Value)) {
		case "CANCELLED", "CANCELED":
			ev.Status = StatusCancelled
		case "TENTATIVE":
			ev.Status = StatusTentative
		case "CONFIRMED", "":
		default:
			p.warn(line, uid, "unknown STATUS %q; treated as CONFIRMED", pr.Value)
		}
	}
	if pr := c.Props.Get(ical.PropSequence); pr != nil {
		n, err := strconv.Atoi(strings.TrimSpace(pr.Value))
		if err != nil {
			p.warn(line, uid, "SEQUENCE %q is not an integer; using 0", pr.Value)
		} else {
			ev.Sequence = n
		}
	}
	if pr := c.Props.Get(ical.PropTransparency); pr != nil {
		ev.Transparent = strings.EqualFold(strings.TrimSpace(pr.Value), "TRANSPARENT")
	}
	for _, key := range [...]string{"X-MICROSOFT-CDO-BUSYSTATUS", "X-MICROSOFT-CDO-INTENDEDSTATUS"} {
		if pr := c.Props.Get(key); pr != nil && strings.EqualFold(strings.TrimSpace(pr.Value), "OOF") {
			ev.OutOfOffice = true
		}
	}
	if pr := c.Props.Get(ical.PropOrganizer); pr != nil {
		ev.Organizer, _ = addressAndParams(pr)
		ev.Organizer = intern(ev.Organizer)
	}
	if props := c.Props[ical.PropAttendee]; len(props) > 0 {
		ev.Attendees = make([]Attendee, 0, len(props))
		seen := make(map[string]int, len(props))
		for i := range props {
			email, params := addressAndParams(&props[i])
			if email == "" {
				continue
			}
			a := Attendee{Email: intern(email), Name: intern(strings.TrimSpace(params.Get("CN")))}
			switch strings.ToUpper(params.Get("CUTYPE")) {
			case "ROOM", "RESOURCE":
				a.Resource = true
			}
			a.Response = partstat(params.Get("PARTSTAT"))
			a.Organizer = email == ev.Organizer
			if j, dup := seen[email]; dup {
				ev.Attendees[j] = a // a later entry for the same address wins
				continue
			}
			seen[email] = len(ev.Attendees)
			ev.Attendees = append(ev.Attendees, a)
		}
	}
	return ev, true
}

// intern returns the canonical copy of s. The same addresses, names, UIDs
// and titles appear in every participant's feed; a parsed value is also a
// substring of the decoder's whole content line, which it would otherwise
// keep alive. Interned, a 10,000-person org's events take a fraction of
// the memory.
func intern(s string) string {
	if s == "" {
		return ""
	}
	return unique.Make(s).Value()
}

func partstat(s string) Response {
	switch strings.ToUpper(strings.TrimSpace(s)) {
	case "ACCEPTED":
		return ResponseAccepted
	case "DECLINED":
		return ResponseDeclined
	case "TENTATIVE":
		return ResponseTentative
	case "DELEGATED":
		return ResponseDelegated
	case "NEEDS-ACTION":
		return ResponseNeeds
	}
	return ResponseNone
}

// addressAndParams returns the normalised address of an ORGANIZER or
// ATTENDEE and its parameters. Confluence writes the parameters after the
// colon ("ATTENDEE:X-CONFLUENCE-USER-KEY=k;CN=Ann;CUTYPE=INDIVIDUAL:mailto:a@x"):
// those are recovered into the parameter set.
func addressAndParams(pr *ical.Prop) (string, ical.Params) {
	v := strings.TrimSpace(pr.Value)
	params := pr.Params
	if !hasMailto(v) {
		if i := strings.LastIndex(v, ":"); i > 0 && strings.Contains(v[:i], "=") {
			if j := strings.Index(strings.ToLower(v), ":mailto:"); j > 0 {
				i = j
			}
			merged := ical.Params{}
			for k, vs := range params {
				merged[k] = vs
			}
			for _, kv := range strings.Split(v[:i], ";") {
				k, val, ok := strings.Cut(kv, "=")
				if ok && k != "" {
					merged[strings.ToUpper(strings.TrimSpace(k))] = []string{strings.Trim(val, "\"")}
				}
			}
			params = merged
			v = v[i+1:]
		}
	}
	return normalizeEmail(v), params
}

func hasMailto(v string) bool {
	return len(v) >= 7 && strings.EqualFold(v[:7], "mailto:")
}

// dateTime reads a DTSTART-like property: DATE values become local
// midnight in the feed's zone, UTC values UTC, TZID'd values the resolved
// zone, floating values the feed's zone.
func (p *parser) dateTime(pr *ical.Prop, line int, uid string) (time.Time, dtKind, error) {
	v, err := parseDTValue(pr.Value, strings.EqualFold(pr.Params.Get("VALUE"), "DATE"))
	if err != nil {
		return time.Time{}, 0, err
	}
	switch v.kind {
	case kindDate:
		return v.in(p.opts.Zone), kindDate, nil
	case kindUTC:
		return v.in(time.UTC), kindUTC, nil
	}
	loc := p.opts.Zone
	if tzid := pr.Params.Get("TZID"); tzid != "" {
		loc = p.resolve(tzid, line, uid)
	}
	return v.in(loc), kindFloating, nil
}

// dateTimeBeside reads DTEND or RECURRENCE-ID. Beside a zoned DTSTART (a
// TZID or UTC) a floating value is read in DTSTART's zone, with a warning:
// read in the feed's zone, a meeting could end before it starts.
func (p *parser) dateTimeBeside(pr *ical.Prop, name string, start time.Time, zoned bool, line int, uid string) (time.Time, error) {
	if zoned && pr.Params.Get("TZID") == "" {
		v, err := parseDTValue(pr.Value, strings.EqualFold(pr.Params.Get("VALUE"), "DATE"))
		if err == nil && v.kind == kindFloating {
			p.warnFloating(name, pr.Value, start, line, uid)
			return v.in(start.Location()), nil
		}
	}
	t, _, err := p.dateTime(pr, line, uid)
	return t, err
}

func (p *parser) warnFloating(name, value string, start time.Time, line int, uid string) {
	p.warn(line, uid, "%s %q is a floating time beside a DTSTART with a zone; read in DTSTART's zone %s", name, truncate(strings.TrimSpace(value), 40), start.Location())
}
