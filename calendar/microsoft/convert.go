package microsoft

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/cadence-dev/cadence/calendar"
	"github.com/cadence-dev/cadence/calendar/microsoft/graph"
)

// knownRange is the part of a round's window in which an occurrence's
// absence means it was cancelled: the window less Margin at both ends.
func knownRange(st *MailboxState) calendar.Window {
	return calendar.Window{From: st.WindowStart.Add(Margin), To: st.WindowEnd.Add(-Margin)}
}

// converter turns one mailbox's stored state into calendar.Events.
type converter struct {
	box      Mailbox
	zone     *time.Location // all-day dates
	known    calendar.Window
	warnings []string
}

func (c *converter) warnf(id, format string, args ...any) {
	c.warnings = append(c.warnings, fmt.Sprintf("microsoft: mailbox %s: event %s: ", c.box.ID, id)+fmt.Sprintf(format, args...))
}

// convert builds the mailbox's events: single meetings as they are; each
// series as its master (the pattern as an RRULE from its first instance
// in the known range, the instances missing there as EXDATEs) and every
// instance the mailbox has as an override at its original start.
func (c *converter) convert(st *MailboxState) []calendar.Event {
	ids := make([]string, 0, len(st.Events))
	for id := range st.Events {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	var out []calendar.Event
	bySeries := map[string][]*storedEvent{}
	var series []string
	for _, id := range ids {
		e := new(storedEvent)
		if err := json.Unmarshal(st.Events[id], e); err != nil {
			c.warnf(id, "stored JSON: %v", err)
			continue
		}
		if e.SeriesMasterID == "" {
			ev, ok := c.single(e)
			if ok {
				out = append(out, ev)
			}
			continue
		}
		if _, ok := bySeries[e.SeriesMasterID]; !ok {
			series = append(series, e.SeriesMasterID)
		}
		bySeries[e.SeriesMasterID] = append(bySeries[e.SeriesMasterID], e)
	}
	for id := range st.Masters {
		if _, ok := bySeries[id]; !ok {
			series = append(series, id)
		}
	}
	sort.Strings(series)
	for _, sid := range series {
		var m *storedEvent
		if raw, ok := st.Masters[sid]; ok {
			m = new(storedEvent)
			if err := json.Unmarshal(raw, m); err != nil {
				c.warnf(sid, "stored master JSON: %v", err)
				m = nil
			}
		}
		out = append(out, c.series(sid, m, bySeries[sid])...)
	}
	return out
}

// resolveZone resolves a Graph time-zone name: IANA, Windows ("W. Europe
// Standard Time") or a Windows display name.
func resolveZone(name string) (*time.Location, bool) {
	name = strings.TrimSpace(name)
	if name == "" {
		return nil, false
	}
	if strings.EqualFold(name, "UTC") || strings.EqualFold(name, "tzone://Microsoft/Utc") {
		return time.UTC, true
	}
	loc, err := (*calendar.ZoneSet)(nil).Resolve(name)
	return loc, err == nil
}

// times reads an event's start and end: instants (Graph answers in UTC),
// or for an all-day event its dates as local midnights in c.zone.
func (c *converter) times(e *storedEvent) (start, end time.Time, err error) {
	zone := func(d *graph.DateTimeTimeZone) *time.Location {
		if d != nil {
			if loc, ok := resolveZone(d.TimeZone); ok {
				return loc
			}
		}
		return time.UTC
	}
	if start, err = e.Start.Parse(zone(e.Start)); err != nil {
		return start, end, fmt.Errorf("start: %w", err)
	}
	if end, err = e.End.Parse(zone(e.End)); err != nil {
		return start, end, fmt.Errorf("end: %w", err)
	}
	if e.IsAllDay {
		start, end = c.date(start), c.date(end)
		return start, end, nil
	}
	return start.In(c.zone), end.In(c.zone), nil
}

func (c *converter) date(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, c.zone)
}

var responses = map[string]calendar.Response{
	"":                    calendar.ResponseNone,
	"none":                calendar.ResponseNeeds,
	"notresponded":        calendar.ResponseNeeds,
	"organizer":           calendar.ResponseAccepted,
	"accepted":            calendar.ResponseAccepted,
	"tentativelyaccepted": calendar.ResponseTentative,
	"declined":            calendar.ResponseDeclined,
}

// base fills the descriptive fields of ev from a Graph event: the title
// (without Outlook's "Canceled:" prefix, which marks it cancelled), the
// status (isCancelled), out of office (showAs oof), free time (showAs
// free), the organizer (the mailbox's owner in the organizer's own copy)
// and the attendees with their responses (the mailbox owner's own
// response from responseStatus when the list has none) and resources.
func (c *converter) base(ev *calendar.Event, e *storedEvent) {
	ev.Title, ev.TitleCancelled = calendar.StripCancelPrefix(strings.TrimSpace(e.Subject))
	ev.Status = calendar.StatusConfirmed
	if e.IsCancelled {
		ev.Status = calendar.StatusCancelled
	}
	ev.OutOfOffice = strings.EqualFold(e.ShowAs, "oof")
	ev.Transparent = strings.EqualFold(e.ShowAs, "free")
	ev.Organizer = ""
	if e.Organizer != nil {
		ev.Organizer = strings.ToLower(strings.TrimSpace(e.Organizer.EmailAddress.Address))
	}
	if e.IsOrganizer {
		ev.Organizer = c.box.Owner
	}
	ev.Attendees = nil
	for _, a := range e.Attendees {
		email := strings.ToLower(strings.TrimSpace(a.EmailAddress.Address))
		if email == "" {
			continue
		}
		resp := ""
		if a.Status != nil {
			resp = a.Status.Response
		}
		if email == c.box.Owner && (resp == "" || strings.EqualFold(resp, "none")) && e.ResponseStatus != nil && e.ResponseStatus.Response != "" {
			resp = e.ResponseStatus.Response
		}
		r, ok := responses[strings.ToLower(resp)]
		if !ok {
			c.warnf(e.ID, "attendee %s: unknown response %q", email, resp)
		}
		ev.Attendees = append(ev.Attendees, calendar.Attendee{
			Email:     email,
			Name:      a.EmailAddress.Name,
			Response:  r,
			Resource:  strings.EqualFold(a.Type, "resource"),
			Organizer: email == ev.Organizer,
		})
	}
}

// single converts a single meeting (a cancelled one, or one that left the
// mailbox, is a cancelled event with its own data).
func (c *converter) single(e *storedEvent) (calendar.Event, bool) {
	start, end, err := c.times(e)
	if err != nil {
		c.warnf(e.ID, "%v", err)
		return calendar.Event{}, false
	}
	uid := e.ICalUID
	if uid == "" {
		uid = "graph:" + e.ID
	}
	ev := calendar.Event{UID: uid, SeriesUID: calendar.SeriesUID(uid), Start: start, End: end, AllDay: e.IsAllDay,
		Source: c.box.Name, Owner: c.box.Owner}
	c.base(&ev, e)
	return ev, true
}

// goidPrefix starts every Exchange GlobalObjectId (hex): an occurrence's
// iCalUId carries its instance date in bytes 16..19, the series' has
// zeros there.
const goidPrefix = "040000008200E00074C5B7101A82E008"

// seriesUIDOf is the series' iCalUId derived from an occurrence's when
// the master is unknown: the GlobalObjectId with its instance date
// cleared; other UIDs are kept.
func seriesUIDOf(uid string) string {
	if len(uid) >= 40 && strings.EqualFold(uid[:32], goidPrefix) {
		return uid[:32] + "00000000" + uid[40:]
	}
	return uid
}

// seriesZone is the zone a series repeats in: the master's
// originalStartTimeZone, else the range's recurrenceTimeZone.
func (c *converter) seriesZone(m *storedEvent) *time.Location {
	names := []string{m.OriginalStartTimeZone}
	if m.Recurrence != nil && m.Recurrence.Range != nil {
		names = append(names, m.Recurrence.Range.RecurrenceTimeZone)
	}
	for _, n := range names {
		if loc, ok := resolveZone(n); ok {
			return loc
		}
	}
	c.warnf(m.ID, "unknown time zone %q: the series is expanded in %s (instances across a DST change may not match: then none is taken for cancelled)", m.OriginalStartTimeZone, c.zone)
	return c.zone
}

// series converts one series: its master, when it exists and its pattern
// explains every instance the mailbox has in the known range, carries the
// pattern (an RRULE from the first instance in the known range to the
// last) with the missing instances as EXDATEs (cancelled); the instances
// are overrides at their original start. Without a usable master the
// instances stand alone and nothing is taken for cancelled.
func (c *converter) series(sid string, m *storedEvent, insts []*storedEvent) []calendar.Event {
	if m != nil && m.CadenceGone {
		m = nil
	}
	uid := ""
	if m != nil {
		uid = m.ICalUID
	}
	if uid == "" {
		for _, in := range insts {
			if in.ICalUID != "" {
				uid = seriesUIDOf(in.ICalUID)
				break
			}
		}
	}
	if uid == "" {
		uid = "graph:" + sid
	}
	seriesUID := calendar.SeriesUID(uid)
	zone := c.zone
	var out []calendar.Event
	type inst struct {
		e    *storedEvent
		orig time.Time
	}
	var list []inst
	for _, e := range insts {
		orig := time.Time{}
		if e.OriginalStart != "" {
			t, err := graph.ParseOffset(e.OriginalStart)
			if err != nil {
				c.warnf(e.ID, "originalStart: %v", err)
			} else {
				orig = t
			}
		}
		if orig.IsZero() {
			s, _, err := c.times(e)
			if err != nil {
				c.warnf(e.ID, "%v", err)
				continue
			}
			orig = s
		}
		list = append(list, inst{e, orig})
	}
	if m != nil && m.Recurrence != nil && !m.IsAllDay && m.Start != nil && m.End != nil {
		zone = c.seriesZone(m)
		if mev, ok := c.master(m, uid, seriesUID, zone, func(present map[int64]bool) {
			for _, in := range list {
				present[in.orig.Unix()] = true
			}
		}); ok {
			out = append(out, mev)
		}
	} else if m != nil && m.Recurrence == nil && len(list) > 0 {
		c.warnf(sid, "series master without recurrence: its instances stand alone")
	}
	for _, in := range list {
		start, end, err := c.times(in.e)
		if err != nil {
			c.warnf(in.e.ID, "%v", err)
			continue
		}
		rid := in.orig.In(zone)
		if in.e.IsAllDay {
			rid = c.date(in.orig)
		}
		ev := calendar.Event{UID: uid, SeriesUID: seriesUID, RecurrenceID: rid, Start: start, End: end, AllDay: in.e.IsAllDay,
			Source: c.box.Name, Owner: c.box.Owner}
		c.base(&ev, in.e)
		out = append(out, ev)
	}
	return out
}

// master builds a series' master event, or reports false when the
// pattern cannot be used (warnings say why) or generates nothing in the
// known range.
func (c *converter) master(m *storedEvent, uid, seriesUID string, zone *time.Location, fill func(map[int64]bool)) (calendar.Event, bool) {
	start, err := m.Start.Parse(utcOr(m.Start))
	if err != nil {
		c.warnf(m.ID, "series master start: %v", err)
		return calendar.Event{}, false
	}
	end, err := m.End.Parse(utcOr(m.End))
	if err != nil {
		c.warnf(m.ID, "series master end: %v", err)
		return calendar.Event{}, false
	}
	start, end = start.In(zone), end.In(zone)
	rule, err := RRule(m.Recurrence, start)
	if err != nil {
		c.warnf(m.ID, "recurrence (instances kept, none taken for cancelled): %v", err)
		return calendar.Event{}, false
	}
	gen, err := patternStarts(rule, start, c.known)
	if err != nil {
		c.warnf(m.ID, "recurrence %s (instances kept, none taken for cancelled): %v", rule, err)
		return calendar.Event{}, false
	}
	if len(gen) == 0 {
		return calendar.Event{}, false
	}
	present := map[int64]bool{}
	fill(present)
	generated := make(map[int64]bool, len(gen))
	for _, t := range gen {
		generated[t.Unix()] = true
	}
	for u := range present {
		t := time.Unix(u, 0)
		if !t.Before(c.known.From) && t.Before(c.known.To) && !generated[u] {
			c.warnf(m.ID, "an instance at %s is not in the pattern %s as cadence reads it: instances kept, none taken for cancelled", t.UTC().Format(time.RFC3339), rule)
			return calendar.Event{}, false
		}
	}
	ev := calendar.Event{UID: uid, SeriesUID: seriesUID, Start: gen[0], End: gen[0].Add(end.Sub(start)), Source: c.box.Name, Owner: c.box.Owner}
	c.base(&ev, m)
	rs := &calendar.RecurrenceSet{RRules: []string{clip(rule, gen[len(gen)-1])}}
	if again, err := patternStarts(rs.RRules[0], gen[0], c.known); err != nil || !sameTimes(again, gen) {
		// The clipped rule does not give the same instances (it should):
		// list them instead.
		rs = &calendar.RecurrenceSet{RDates: append([]time.Time(nil), gen[1:]...)}
	}
	for _, t := range gen {
		if !present[t.Unix()] {
			rs.ExDates = append(rs.ExDates, t)
		}
	}
	ev.Recurrence = rs
	return ev, true
}

func utcOr(d *graph.DateTimeTimeZone) *time.Location {
	if d != nil {
		if loc, ok := resolveZone(d.TimeZone); ok {
			return loc
		}
	}
	return time.UTC
}

func sameTimes(a, b []time.Time) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !a[i].Equal(b[i]) {
			return false
		}
	}
	return true
}
