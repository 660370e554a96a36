package orgsim

import (
	"bufio"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"
)

const (
	localFmt = "20060102T150405"
	utcFmt   = "20060102T150405Z"
	dateFmt  = "20060102"
)

// icsWriter writes content lines with CRLF endings, folded at 75 octets
// without splitting a UTF-8 sequence (RFC 5545 section 3.1).
type icsWriter struct {
	w   *bufio.Writer
	err error
}

func (iw *icsWriter) line(s string) {
	if iw.err != nil {
		return
	}
	const max = 75
	first := true
	for len(s) > 0 {
		room := max
		if !first {
			room = max - 1
			iw.w.WriteByte(' ')
		}
		n := len(s)
		if n > room {
			n = room
			for n > 0 && s[n]&0xC0 == 0x80 { // do not split a UTF-8 sequence
				n--
			}
		}
		iw.w.WriteString(s[:n])
		_, iw.err = iw.w.WriteString("\r\n")
		s = s[n:]
		first = false
	}
}

func (iw *icsWriter) prop(name, value string) { iw.line(name + ":" + value) }

// escText escapes a TEXT value.
func escText(s string) string {
	if !strings.ContainsAny(s, "\\;,\n") {
		return s
	}
	r := strings.NewReplacer(`\`, `\\`, ";", `\;`, ",", `\,`, "\n", `\n`)
	return r.Replace(s)
}

// paramValue quotes a parameter value when it needs it.
func paramValue(s string) string {
	s = strings.ReplaceAll(s, `"`, "")
	if strings.ContainsAny(s, ":;,") {
		return `"` + s + `"`
	}
	return s
}

// feedIndex maps each person to the meetings in their feed, in meeting order.
func (o *Org) feedIndex() map[string][]*Meeting {
	idx := make(map[string][]*Meeting, len(o.People))
	for _, m := range o.Meetings {
		for _, e := range m.Participants() {
			idx[e] = append(idx[e], m)
		}
	}
	return idx
}

// WriteFeed writes p's feed. It indexes all meetings on each call; WriteDir
// indexes once for all feeds.
func (o *Org) WriteFeed(w io.Writer, p *Person) error {
	return o.writeFeed(w, p, nil)
}

func (o *Org) writeFeed(w io.Writer, p *Person, idx map[string][]*Meeting) error {
	if idx == nil {
		idx = o.feedIndex()
	}
	ms := idx[p.Email]
	if p.Broken {
		// What a feed URL returns when the proxy in front of it fails: an
		// HTML page, no calendar at all. Readers must report the source as
		// failed and carry on with the others.
		_, err := io.WriteString(w, brokenFeed)
		return err
	}
	return o.writeFeedOK(w, p, ms)
}

func (o *Org) writeFeedOK(w io.Writer, p *Person, ms []*Meeting) error {
	bw := bufio.NewWriterSize(w, 32<<10)
	iw := &icsWriter{w: bw}
	outlook := p.Provider == Outlook

	// Zones used, the owner's first.
	zones := []string{}
	seen := map[string]bool{}
	addZone := func(name string) {
		if name == "UTC" || seen[name] {
			return
		}
		seen[name] = true
		zones = append(zones, name)
	}
	for _, m := range ms {
		if m.Recur != nil || outlook {
			if !m.AllDay {
				addZone(m.Start.Location().String())
			}
		}
	}
	sort.Strings(zones)
	own := p.Zone.String()
	if !outlook {
		// Google always describes the calendar's own zone first.
		if seen[own] {
			for i, z := range zones {
				if z == own {
					copy(zones[1:i+1], zones[:i])
					zones[0] = own
				}
			}
		} else {
			zones = append([]string{own}, zones...)
		}
	}

	if outlook {
		iw.line("BEGIN:VCALENDAR")
		iw.line("METHOD:PUBLISH")
		iw.line("PRODID:Microsoft Exchange Server 2010")
		iw.line("VERSION:2.0")
		iw.line("X-WR-CALNAME:Calendar")
	} else {
		iw.line("BEGIN:VCALENDAR")
		iw.line("PRODID:-//Google Inc//Google Calendar 70.9054//EN")
		iw.line("VERSION:2.0")
		iw.line("CALSCALE:GREGORIAN")
		iw.line("METHOD:PUBLISH")
		iw.prop("X-WR-CALNAME", escText(p.Email))
		iw.prop("X-WR-TIMEZONE", own)
	}
	for _, z := range zones {
		def, ok := zoneDefs[z]
		if !ok {
			return fmt.Errorf("orgsim: feed %s: zone %s is not supported", p.Feed, z)
		}
		iw.line("BEGIN:VTIMEZONE")
		if outlook {
			iw.prop("TZID", def.windows)
			for _, l := range def.outlook {
				iw.line(l)
			}
		} else {
			iw.prop("TZID", z)
			for _, l := range def.google {
				iw.line(l)
			}
		}
		iw.line("END:VTIMEZONE")
	}
	for _, m := range ms {
		if outlook {
			o.outlookEvents(iw, p, m)
		} else {
			o.googleEvents(iw, p, m)
		}
	}
	iw.line("END:VCALENDAR")
	if iw.err != nil {
		return fmt.Errorf("orgsim: writing feed %s: %w", p.Feed, iw.err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("orgsim: writing feed %s: %w", p.Feed, err)
	}
	return nil
}

const brokenFeed = "<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title></head>\n" +
	"<body><h1>502 Bad Gateway</h1><p>The proxy server received an invalid response from an upstream server.</p></body></html>\n"

// instance is one VEVENT to write: the master or an override.
type instance struct {
	orig        time.Time // zero for the master
	start, end  time.Time
	title, desc string
	cancelled   bool // STATUS:CANCELLED (Google) / "Canceled: " (Outlook)
	declined    []string
	sequence    int
	modified    time.Time
}

func (o *Org) instances(m *Meeting, cancelledPatches bool) []instance {
	out := []instance{{start: m.Start, end: m.End, title: m.Title, desc: m.Description, cancelled: m.Cancelled, sequence: m.Sequence, modified: m.Created}}
	for _, pt := range m.Patches {
		if pt.Cancelled && !cancelledPatches {
			continue
		}
		in := instance{orig: pt.Orig, start: pt.Orig, end: pt.Orig.Add(m.End.Sub(m.Start)), title: m.Title, desc: m.Description,
			cancelled: pt.Cancelled, declined: pt.Declined, sequence: m.Sequence + 1}
		if !pt.Start.IsZero() {
			in.start, in.end = pt.Start, pt.End
		}
		if pt.Title != "" {
			in.title = pt.Title
		}
		if pt.Description != "" {
			in.desc = pt.Description
		}
		in.modified = modTime(pt.Orig, m.Created, o.Exported)
		out = append(out, in)
	}
	return out
}

// modTime is when an instance was edited: two days before it, clamped to
// [created, exported].
func modTime(orig, created, exported time.Time) time.Time {
	t := orig.Add(-50 * time.Hour).UTC().Truncate(time.Minute)
	if t.Before(created) {
		t = created
	}
	if t.After(exported) {
		t = exported
	}
	return t
}

func (o *Org) name(email string) string {
	if p := o.byEmail[email]; p != nil {
		return p.Name
	}
	return email
}

func partstat(g Guest, declined []string) string {
	for _, d := range declined {
		if strings.EqualFold(d, g.Email) {
			return "DECLINED"
		}
	}
	if g.PartStat != "" {
		return g.PartStat
	}
	return "ACCEPTED"
}

func googleRRule(m *Meeting) string {
	r := m.Recur
	var b strings.Builder
	if r.Freq == Monthly {
		b.WriteString("FREQ=MONTHLY")
	} else {
		b.WriteString("FREQ=WEEKLY;WKST=MO")
	}
	if !r.Until.IsZero() {
		b.WriteString(";UNTIL=" + r.Until.UTC().Format(utcFmt))
	}
	if r.Interval > 1 {
		fmt.Fprintf(&b, ";INTERVAL=%d", r.Interval)
	}
	b.WriteString(";BYDAY=" + byDay(m))
	return b.String()
}

func outlookRRule(m *Meeting) string {
	r := m.Recur
	var b strings.Builder
	if r.Freq == Monthly {
		b.WriteString("FREQ=MONTHLY")
	} else {
		b.WriteString("FREQ=WEEKLY")
	}
	if !r.Until.IsZero() {
		// Exchange writes the start of the last instance.
		occ := m.Occurrences(r.Until.Add(time.Second))
		last := r.Until
		if len(occ) > 0 {
			last = occ[len(occ)-1]
		}
		b.WriteString(";UNTIL=" + last.UTC().Format(utcFmt))
	}
	fmt.Fprintf(&b, ";INTERVAL=%d;BYDAY=%s;WKST=SU", max(r.Interval, 1), byDay(m))
	return b.String()
}

var dayCodes = [...]string{"SU", "MO", "TU", "WE", "TH", "FR", "SA"}

func byDay(m *Meeting) string {
	d := dayCodes[m.Start.Weekday()]
	if m.Recur.Freq == Monthly {
		return fmt.Sprintf("%d%s", (m.Start.Day()-1)/7+1, d)
	}
	return d
}

func (o *Org) googleEvents(iw *icsWriter, p *Person, m *Meeting) {
	loc := m.Start.Location()
	tz := loc.String()
	timeProp := func(name string, t time.Time, recurring bool) {
		switch {
		case m.AllDay:
			iw.prop(name+";VALUE=DATE", t.Format(dateFmt))
		case recurring:
			iw.prop(name+";TZID="+tz, t.In(loc).Format(localFmt))
		default:
			iw.prop(name, t.UTC().Format(utcFmt))
		}
	}
	for _, in := range o.instances(m, true) {
		iw.line("BEGIN:VEVENT")
		timeProp("DTSTART", in.start, m.Recur != nil)
		timeProp("DTEND", in.end, m.Recur != nil)
		if in.orig.IsZero() && m.Recur != nil {
			iw.prop("RRULE", googleRRule(m))
			for _, x := range m.Exdates {
				timeProp("EXDATE", x, true)
			}
		}
		iw.prop("DTSTAMP", o.Exported.Format(utcFmt))
		if !m.OOO {
			iw.prop("ORGANIZER;CN="+paramValue(o.name(m.Organizer)), "mailto:"+m.OrgEmail)
		}
		iw.prop("UID", m.UID)
		if !in.orig.IsZero() {
			timeProp("RECURRENCE-ID", in.orig, true)
		}
		for _, g := range m.Guests {
			cutype := "INDIVIDUAL"
			if g.Kind == Room {
				cutype = "RESOURCE"
			}
			cn := g.Name
			if cn == "" {
				cn = g.Email
			}
			iw.prop("ATTENDEE;CUTYPE="+cutype+";ROLE=REQ-PARTICIPANT;PARTSTAT="+partstat(g, in.declined)+
				";CN="+paramValue(cn)+";X-NUM-GUESTS=0", "mailto:"+g.Email)
		}
		if m.Conference != "" {
			iw.prop("X-GOOGLE-CONFERENCE", m.Conference)
		}
		iw.prop("CREATED", m.Created.UTC().Format(utcFmt))
		desc := in.desc
		if m.Conference != "" {
			desc = googleMeetBlock(m.Conference, desc)
		}
		iw.prop("DESCRIPTION", escText(desc))
		iw.prop("LAST-MODIFIED", in.modified.UTC().Format(utcFmt))
		iw.prop("LOCATION", escText(m.Location))
		iw.prop("SEQUENCE", fmt.Sprint(in.sequence))
		if in.cancelled {
			iw.prop("STATUS", "CANCELLED")
		} else {
			iw.prop("STATUS", "CONFIRMED")
		}
		iw.prop("SUMMARY", escText(in.title))
		if m.AllDay && !m.OOO {
			iw.prop("TRANSP", "TRANSPARENT")
		} else {
			iw.prop("TRANSP", "OPAQUE")
		}
		iw.line("END:VEVENT")
	}
}

const meetRule = "-::~:~::~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~::~:~::-"

func googleMeetBlock(link, desc string) string {
	var b strings.Builder
	if desc != "" {
		b.WriteString(desc + "\n\n")
	}
	b.WriteString(meetRule + "\nJoin with Google Meet: " + link +
		"\n\nLearn more about Meet at: https://support.google.com/a/users/answer/9282720\n\nPlease do not edit this section.\n" + meetRule)
	return b.String()
}

func (o *Org) outlookEvents(iw *icsWriter, p *Person, m *Meeting) {
	organizer := m.Organizer == p.Email
	if m.Cancelled && organizer {
		return // the organizer's calendar no longer holds a cancelled meeting
	}
	loc := m.Start.Location()
	win := zoneDefs[loc.String()].windows
	timeProp := func(name string, t time.Time) {
		if m.AllDay {
			iw.prop(name+";VALUE=DATE", t.Format(dateFmt))
			return
		}
		iw.prop(name+";TZID="+win, t.In(loc).Format(localFmt))
	}
	// The organizer's Exchange deletes cancelled instances (EXDATE); an
	// attendee's keeps them with a "Canceled: " title until removed.
	exdates := append([]time.Time(nil), m.Exdates...)
	var extraCancels []time.Time
	if organizer {
		for _, pt := range m.Patches {
			if pt.Cancelled {
				exdates = append(exdates, pt.Orig)
			}
		}
		sort.Slice(exdates, func(i, j int) bool { return exdates[i].Before(exdates[j]) })
	} else {
		extraCancels, exdates = exdates, nil
	}
	ins := o.instances(m, !organizer)
	for _, x := range extraCancels {
		ins = append(ins, instance{orig: x, start: x, end: x.Add(m.End.Sub(m.Start)), title: m.Title, cancelled: true,
			sequence: m.Sequence + 1, modified: modTime(x, m.Created, o.Exported)})
	}
	if len(ins) > 1 {
		rest := ins[1:]
		sort.SliceStable(rest, func(i, j int) bool { return rest[i].orig.Before(rest[j].orig) })
	}
	for _, in := range ins {
		iw.line("BEGIN:VEVENT")
		if !m.OOO {
			iw.prop("ORGANIZER;CN="+paramValue(o.name(m.Organizer)), "mailto:"+m.OrgEmail)
			for _, g := range m.Guests {
				if g.Person == m.Organizer && g.Kind == Individual {
					continue
				}
				params := "ROLE=REQ-PARTICIPANT"
				if g.Kind == Room {
					params = "CUTYPE=ROOM;ROLE=NON-PARTICIPANT"
				}
				cn := g.Name
				if cn == "" {
					cn = g.Email
				}
				iw.prop("ATTENDEE;"+params+";PARTSTAT="+partstat(g, in.declined)+";RSVP=TRUE;CN="+paramValue(cn), "mailto:"+g.Email)
			}
		}
		desc := in.desc
		if m.Provider == Outlook && !m.OOO && m.Location == "Microsoft Teams Meeting" {
			desc = teamsBlock(m, desc)
		}
		iw.prop("DESCRIPTION;LANGUAGE=en-US", escText(desc+"\n"))
		if in.orig.IsZero() && m.Recur != nil {
			iw.prop("RRULE", outlookRRule(m))
			if len(exdates) > 0 {
				parts := make([]string, len(exdates))
				for i, x := range exdates {
					parts[i] = x.In(loc).Format(localFmt)
				}
				iw.prop("EXDATE;TZID="+win, strings.Join(parts, ","))
			}
		}
		iw.prop("UID", m.UID)
		if !in.orig.IsZero() {
			timeProp("RECURRENCE-ID", in.orig)
		}
		title := in.title
		if in.cancelled {
			title = "Canceled: " + title
		}
		iw.prop("SUMMARY;LANGUAGE=en-US", escText(title))
		timeProp("DTSTART", in.start)
		timeProp("DTEND", in.end)
		iw.prop("CLASS", "PUBLIC")
		iw.prop("PRIORITY", "5")
		iw.prop("DTSTAMP", o.Exported.Format(utcFmt))
		busy := "BUSY"
		switch {
		case m.OOO:
			busy = "OOF"
		case in.cancelled:
			busy = "FREE"
		}
		if busy == "FREE" {
			iw.prop("TRANSP", "TRANSPARENT")
		} else {
			iw.prop("TRANSP", "OPAQUE")
		}
		iw.prop("STATUS", "CONFIRMED")
		iw.prop("SEQUENCE", fmt.Sprint(in.sequence))
		iw.prop("LOCATION;LANGUAGE=en-US", escText(m.Location))
		iw.prop("X-MICROSOFT-CDO-APPT-SEQUENCE", fmt.Sprint(in.sequence))
		iw.prop("X-MICROSOFT-CDO-BUSYSTATUS", busy)
		iw.prop("X-MICROSOFT-CDO-INTENDEDSTATUS", busy)
		if m.AllDay {
			iw.prop("X-MICROSOFT-CDO-ALLDAYEVENT", "TRUE")
		} else {
			iw.prop("X-MICROSOFT-CDO-ALLDAYEVENT", "FALSE")
		}
		iw.prop("X-MICROSOFT-CDO-IMPORTANCE", "1")
		switch {
		case m.Recur == nil:
			iw.prop("X-MICROSOFT-CDO-INSTTYPE", "0")
		case in.orig.IsZero():
			iw.prop("X-MICROSOFT-CDO-INSTTYPE", "1")
		default:
			iw.prop("X-MICROSOFT-CDO-INSTTYPE", "3")
		}
		iw.prop("X-MICROSOFT-DONOTFORWARDMEETING", "FALSE")
		iw.prop("X-MICROSOFT-DISALLOW-COUNTER", "FALSE")
		iw.line("END:VEVENT")
	}
}

func teamsBlock(m *Meeting, desc string) string {
	var b strings.Builder
	if desc != "" {
		b.WriteString(desc + "\n")
	}
	id := strings.ToLower(m.UID[len(m.UID)-32:])
	b.WriteString(strings.Repeat("_", 80) + "\nMicrosoft Teams meeting\nJoin on your computer, mobile app or room device\nClick here to join the meeting<https://teams.microsoft.com/l/meetup-join/19%3ameeting_" +
		id + "%40thread.v2/0>\n\nLearn More<https://aka.ms/JoinTeamsMeeting> | Meeting options<https://teams.microsoft.com/meetingOptions/>\n" + strings.Repeat("_", 80))
	return b.String()
}
