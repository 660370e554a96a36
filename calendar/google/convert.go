package google

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	calendarv3 "google.golang.org/api/calendar/v3"

	"github.com/cadence-dev/cadence/calendar"
)

// trimEvent keeps the fields of a v3 event that cadence uses. Free-form
// text other than the title (description, location, attachments,
// conference data, extended properties) is never stored.
func trimEvent(ev *calendarv3.Event) *calendarv3.Event {
	out := &calendarv3.Event{
		Id:                ev.Id,
		ICalUID:           ev.ICalUID,
		Status:            ev.Status,
		Summary:           ev.Summary,
		Start:             ev.Start,
		End:               ev.End,
		OriginalStartTime: ev.OriginalStartTime,
		RecurringEventId:  ev.RecurringEventId,
		Recurrence:        ev.Recurrence,
		EventType:         ev.EventType,
		Transparency:      ev.Transparency,
		Sequence:          ev.Sequence,
		Updated:           ev.Updated,
	}
	if ev.Organizer != nil {
		out.Organizer = &calendarv3.EventOrganizer{Email: ev.Organizer.Email, DisplayName: ev.Organizer.DisplayName}
	}
	for _, a := range ev.Attendees {
		if a == nil {
			continue
		}
		out.Attendees = append(out.Attendees, &calendarv3.EventAttendee{
			Email:          a.Email,
			DisplayName:    a.DisplayName,
			ResponseStatus: a.ResponseStatus,
			Resource:       a.Resource,
			Organizer:      a.Organizer,
			Self:           a.Self,
		})
	}
	return out
}

// SeriesUID strips Google's "this and following" split suffixes
// (abc_R20231009T130000@google.com -> abc@google.com; also a bare event id
// abc_R20231009T130000 -> abc), repeatedly for a series split twice.
func SeriesUID(uid string) string { return calendar.SeriesUID(uid) }

// converter turns one calendar's stored event set into calendar.Events.
type converter struct {
	cal      Calendar
	zone     *time.Location  // all-day dates and times without a zone
	warned   map[string]bool // "event id/zone" already warned about
	warnings []string
}

func (c *converter) warnf(id, format string, args ...any) {
	c.warnings = append(c.warnings, fmt.Sprintf("google: calendar %s: event %s: ", c.cal.ID, id)+fmt.Sprintf(format, args...))
}

// instant parses an EventDateTime: a date (all-day, local midnight in the
// calendar owner's zone) or a dateTime, put into its timeZone when given so
// that a series expands in its own zone.
func (c *converter) instant(id string, d *calendarv3.EventDateTime) (t time.Time, allDay bool, err error) {
	if d == nil {
		return time.Time{}, false, fmt.Errorf("missing")
	}
	if d.Date != "" {
		day, err := time.Parse("2006-01-02", d.Date)
		if err != nil {
			return time.Time{}, false, fmt.Errorf("date %q: want YYYY-MM-DD", d.Date)
		}
		return time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, c.zone), true, nil
	}
	t, err = time.Parse(time.RFC3339, d.DateTime)
	if err != nil {
		return time.Time{}, false, fmt.Errorf("dateTime %q: want RFC 3339", d.DateTime)
	}
	if d.TimeZone != "" {
		loc, lerr := calendar.LoadLocation(d.TimeZone)
		if lerr == nil {
			return t.In(loc), false, nil
		}
		if key := id + "/" + d.TimeZone; !c.warned[key] {
			c.warned[key] = true
			c.warnf(id, "unknown timeZone %q: kept the dateTime's UTC offset (a series may shift across DST)", d.TimeZone)
		}
		return t, false, nil // the offset in dateTime is still right
	}
	return t.In(c.zone), false, nil
}

var responses = map[string]calendar.Response{
	"":            calendar.ResponseNone,
	"needsAction": calendar.ResponseNeeds,
	"accepted":    calendar.ResponseAccepted,
	"declined":    calendar.ResponseDeclined,
	"tentative":   calendar.ResponseTentative,
}

func status(s string) calendar.Status {
	switch s {
	case "tentative":
		return calendar.StatusTentative
	case "cancelled":
		return calendar.StatusCancelled
	default:
		return calendar.StatusConfirmed
	}
}

// base fills the descriptive fields of ev from a v3 event.
func (c *converter) base(ev *calendar.Event, g *calendarv3.Event) {
	ev.Title = g.Summary
	ev.Status = status(g.Status)
	ev.Sequence = int(g.Sequence)
	ev.OutOfOffice = g.EventType == "outOfOffice"
	ev.Transparent = g.Transparency == "transparent"
	ev.Organizer = ""
	if g.Organizer != nil {
		ev.Organizer = strings.ToLower(strings.TrimPrefix(g.Organizer.Email, "mailto:"))
	}
	ev.Attendees = nil
	for _, a := range g.Attendees {
		r, ok := responses[a.ResponseStatus]
		if !ok {
			c.warnf(g.Id, "attendee %s: unknown responseStatus %q", a.Email, a.ResponseStatus)
		}
		ev.Attendees = append(ev.Attendees, calendar.Attendee{
			Email:     strings.ToLower(strings.TrimPrefix(a.Email, "mailto:")),
			Name:      a.DisplayName,
			Response:  r,
			Resource:  a.Resource,
			Organizer: a.Organizer,
		})
	}
}

// convEntry caches the conversion of one stored event across cycles: it
// stays valid while the stored JSON is byte-identical (and the calendar's
// name, owner and zone are unchanged).
type convEntry struct {
	raw    json.RawMessage
	g      *calendarv3.Event
	done   bool     // master conversion attempted
	master *master  // nil: not a master, or not convertible
	warns  []string // warnings of the master conversion
}

type master struct {
	ev  calendar.Event
	dur time.Duration
}

// masterOf converts a master or single event; ok is false when it cannot
// be used (warnings say why).
func (c *converter) masterOf(id string, g *calendarv3.Event) (*master, bool) {
	ev := calendar.Event{UID: g.ICalUID, Source: c.cal.Name, Owner: c.cal.Owner}
	if ev.UID == "" {
		ev.UID = g.Id
	}
	ev.SeriesUID = SeriesUID(ev.UID)
	start, allDay, err := c.instant(id, g.Start)
	if err != nil {
		c.warnf(id, "start: %v", err)
		return nil, false
	}
	end, _, err := c.instant(id, g.End)
	if err != nil {
		c.warnf(id, "end: %v", err)
		return nil, false
	}
	ev.Start, ev.End, ev.AllDay = start, end, allDay
	c.base(&ev, g)
	if len(g.Recurrence) > 0 {
		rs, err := calendar.ParseRecurrenceLines(g.Recurrence, start, allDay)
		if err != nil {
			c.warnf(id, "recurrence (kept as a single occurrence): %v", err)
		} else {
			ev.Recurrence = rs
		}
	}
	return &master{ev: ev, dur: end.Sub(start)}, true
}

// convert builds the calendar's normalized events from its event set.
// Deleted masters are not in the set (the series has ended); a cancelled
// single event becomes a cancelled event with its own data (one cancelled
// occurrence); cancelled exceptions become cancelled overrides carrying
// their master's title and attendees, since Google sends them with nothing
// but ids. prev is the previous cycle's cache (nil = none); the new cache
// is returned.
func (c *converter) convert(events map[string]json.RawMessage, prev map[string]*convEntry) ([]calendar.Event, map[string]*convEntry) {
	cache := make(map[string]*convEntry, len(events))
	ids := make([]string, 0, len(events))
	for id, raw := range events {
		if p := prev[id]; p != nil && bytes.Equal(p.raw, raw) {
			cache[id] = p
			ids = append(ids, id)
			continue
		}
		g := new(calendarv3.Event)
		if err := json.Unmarshal(raw, g); err != nil {
			c.warnf(id, "stored JSON: %v", err)
			continue
		}
		cache[id] = &convEntry{raw: raw, g: g}
		ids = append(ids, id)
	}
	sort.Strings(ids)

	masters := map[string]*master{}
	var out []calendar.Event
	for _, id := range ids {
		e := cache[id]
		if e.g.RecurringEventId != "" {
			continue
		}
		cancelled := e.g.Status == "cancelled"
		if cancelled && (len(e.g.Recurrence) > 0 || e.g.Start == nil) {
			// A cancelled master (its series has ended; apply does not
			// keep one) or a cancelled id without data: nothing happens.
			continue
		}
		if !e.done {
			saved := c.warnings
			c.warnings = nil
			e.master, _ = c.masterOf(id, e.g)
			e.warns, e.done = c.warnings, true
			c.warnings = saved
		}
		c.warnings = append(c.warnings, e.warns...)
		if e.master != nil {
			if !cancelled {
				// Only a live event has instances to override.
				masters[id] = e.master
			}
			out = append(out, e.master.ev)
		}
	}
	for _, id := range ids {
		g := cache[id].g
		if g.RecurringEventId == "" {
			continue
		}
		m := masters[g.RecurringEventId]
		orig, _, err := c.instant(id, g.OriginalStartTime)
		if err != nil {
			c.warnf(id, "originalStartTime: %v", err)
			continue
		}
		if m != nil && g.Status == "cancelled" && pastSeriesEnd(m.ev.Recurrence, orig) {
			// A "this and following" edit ended the series before this
			// instance and deleted its exception: the instance moved to
			// the new series, it was not cancelled.
			continue
		}
		var ev calendar.Event
		switch {
		case m != nil:
			ev = m.ev
			ev.Recurrence = nil
		case g.Status == "cancelled" && g.Start == nil:
			// A bare cancelled instance of a series this calendar does not
			// have (any more): nothing to attach it to.
			continue
		case g.Start == nil:
			c.warnf(id, "instance of unknown series %s without a start: skipped", g.RecurringEventId)
			continue
		default:
			uid := g.ICalUID
			if uid == "" {
				uid = g.RecurringEventId + "@google.com"
			}
			ev = calendar.Event{UID: uid, SeriesUID: SeriesUID(uid), Source: c.cal.Name, Owner: c.cal.Owner}
		}
		ev.RecurrenceID = orig
		if g.Start != nil {
			start, allDay, err := c.instant(id, g.Start)
			if err != nil {
				c.warnf(id, "start: %v", err)
				continue
			}
			end, _, err := c.instant(id, g.End)
			if err != nil {
				c.warnf(id, "end: %v", err)
				continue
			}
			ev.Start, ev.End, ev.AllDay = start, end, allDay
			c.base(&ev, g)
		} else {
			// Bare cancelled exception: the master's data at the original start.
			ev.Start, ev.End = orig, orig.Add(m.dur)
			ev.Status = status(g.Status)
		}
		out = append(out, ev)
	}
	return out, cache
}

// pastSeriesEnd reports whether t is after the last instance a series can
// have: every RRULE ends (UNTIL) before t and no RDATE is at or after it.
// A rule without UNTIL (endless, or COUNT) may reach t: false.
func pastSeriesEnd(rs *calendar.RecurrenceSet, t time.Time) bool {
	if rs == nil || len(rs.RRules) == 0 {
		return false
	}
	for _, r := range rs.RRules {
		until, ok := ruleUntil(r)
		if !ok || !until.Before(t) {
			return false
		}
	}
	for _, d := range rs.RDates {
		if !d.Before(t) {
			return false
		}
	}
	return true
}

// ruleUntil returns the UNTIL of a normalized RRULE value (package
// calendar writes it in UTC, 20060102T150405Z).
func ruleUntil(rule string) (time.Time, bool) {
	for _, p := range strings.Split(rule, ";") {
		if v, ok := strings.CutPrefix(p, "UNTIL="); ok {
			t, err := time.Parse("20060102T150405Z", v)
			return t, err == nil
		}
	}
	return time.Time{}, false
}
