package orgsim

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	calendarv3 "google.golang.org/api/calendar/v3"

	"github.com/cadence-dev/cadence/calendar/google/fakegoogle"
)

// GoogleEventID is the Calendar v3 event id of a meeting: the local part of
// a Google UID ("abc@google.com" -> "abc", a split series keeps its _R
// suffix), or for an Outlook UID a base32hex id derived from it, as Google
// assigns one to an invitation it imports.
func GoogleEventID(uid string) string {
	if local, ok := strings.CutSuffix(uid, "@google.com"); ok {
		return local
	}
	sum := sha256.Sum256([]byte(uid))
	return hex.EncodeToString(sum[:16]) // hex digits are base32hex digits

}

// GoogleEvents returns p's calendar as Google Calendar v3 events, the way
// events.list returns them with showDeleted: one event per series master or
// single meeting, and for each changed instance an exception event whose
// id is fakegoogle.InstanceID(master, original start): a cancelled
// instance (or EXDATE) as status "cancelled", a moved or declined one with
// its own start, end and attendees. A cancelled meeting is a cancelled
// event; out-of-office blocks have eventType "outOfOffice". A broken
// person's calendar holds the same data (only their ICS export is broken).
func (o *Org) GoogleEvents(p *Person) []*calendarv3.Event {
	return o.googleEventsOf(p, o.feedIndex()[p.Email])
}

func (o *Org) googleEventsOf(p *Person, ms []*Meeting) []*calendarv3.Event {
	var out []*calendarv3.Event
	for _, m := range ms {
		out = append(out, o.googleMeeting(p, m)...)
	}
	return out
}

func googleTime(t time.Time, allDay bool, zone string) *calendarv3.EventDateTime {
	if allDay {
		return &calendarv3.EventDateTime{Date: t.Format("2006-01-02")}
	}
	return &calendarv3.EventDateTime{DateTime: t.Format(time.RFC3339), TimeZone: zone}
}

func googleResponse(g Guest, declined []string) string {
	switch partstat(g, declined) {
	case "DECLINED":
		return "declined"
	case "TENTATIVE":
		return "tentative"
	case "NEEDS-ACTION":
		return "needsAction"
	}
	return "accepted"
}

func (o *Org) googleMeeting(p *Person, m *Meeting) []*calendarv3.Event {
	id := GoogleEventID(m.UID)
	zone := m.Start.Location().String()
	attendees := func(declined []string) []*calendarv3.EventAttendee {
		if m.OOO {
			return nil
		}
		var as []*calendarv3.EventAttendee
		for _, g := range m.Guests {
			a := &calendarv3.EventAttendee{Email: g.Email, DisplayName: g.Name, ResponseStatus: googleResponse(g, declined),
				Resource: g.Kind == Room, Organizer: g.Person != "" && g.Person == m.Organizer, Self: g.Person == p.Email}
			as = append(as, a)
		}
		return as
	}
	master := &calendarv3.Event{
		Id: id, ICalUID: m.UID, Summary: m.Title, Description: m.Description, Location: m.Location,
		Start: googleTime(m.Start, m.AllDay, zone), End: googleTime(m.End, m.AllDay, zone),
		Status: "confirmed", Sequence: int64(m.Sequence), Attendees: attendees(nil),
		Created: m.Created.UTC().Format(time.RFC3339), Updated: m.Created.UTC().Format(time.RFC3339),
		HangoutLink: m.Conference, EventType: "default", Transparency: "opaque",
	}
	if !m.OOO {
		master.Organizer = &calendarv3.EventOrganizer{Email: m.OrgEmail, DisplayName: o.name(m.Organizer), Self: m.Organizer == p.Email}
	} else {
		master.EventType = "outOfOffice"
		master.Organizer = &calendarv3.EventOrganizer{Email: p.Email, Self: true}
	}
	if m.AllDay && !m.OOO {
		master.Transparency = "transparent"
	}
	if m.Cancelled {
		master.Status = "cancelled"
	}
	out := []*calendarv3.Event{master}
	if m.Recur == nil {
		return out
	}
	master.Recurrence = []string{"RRULE:" + googleRRule(m)}
	exception := func(orig time.Time) *calendarv3.Event {
		return &calendarv3.Event{
			Id: fakegoogle.InstanceID(id, orig, m.AllDay), ICalUID: m.UID, RecurringEventId: id,
			OriginalStartTime: googleTime(orig, m.AllDay, zone),
		}
	}
	// Google deletes an instance as a cancelled exception, not an EXDATE.
	for _, x := range m.Exdates {
		ev := exception(x)
		ev.Status = "cancelled"
		out = append(out, ev)
	}
	for _, pt := range m.Patches {
		ev := exception(pt.Orig)
		if pt.Cancelled {
			ev.Status = "cancelled"
			out = append(out, ev)
			continue
		}
		start, end := pt.Orig, pt.Orig.Add(m.End.Sub(m.Start))
		if !pt.Start.IsZero() {
			start, end = pt.Start, pt.End
		}
		title, desc := m.Title, m.Description
		if pt.Title != "" {
			title = pt.Title
		}
		if pt.Description != "" {
			desc = pt.Description
		}
		mod := modTime(pt.Orig, m.Created, o.Exported).Format(time.RFC3339)
		ev.Status, ev.Summary, ev.Description, ev.Location = "confirmed", title, desc, m.Location
		ev.Start, ev.End = googleTime(start, m.AllDay, zone), googleTime(end, m.AllDay, zone)
		ev.Sequence = int64(m.Sequence + 1)
		ev.Organizer, ev.Attendees = master.Organizer, attendees(pt.Declined)
		ev.Created, ev.Updated = master.Created, mod
		ev.HangoutLink, ev.EventType, ev.Transparency = m.Conference, master.EventType, master.Transparency
		out = append(out, ev)
	}
	return out
}

// GoogleDataset returns the org as a fakegoogle dataset: one primary
// calendar per person (id = email, in the person's zone) holding
// GoogleEvents, and the directory as users.
func (o *Org) GoogleDataset() *fakegoogle.Dataset {
	idx := o.feedIndex()
	ds := &fakegoogle.Dataset{Calendars: make(map[string]fakegoogle.DatasetCalendar, len(o.People))}
	for i, p := range o.People {
		evs := o.googleEventsOf(p, idx[p.Email])
		if evs == nil {
			evs = []*calendarv3.Event{}
		}
		ds.Calendars[p.Email] = fakegoogle.DatasetCalendar{TimeZone: p.Zone.String(), Events: evs}
		ds.Users = append(ds.Users, fakegoogle.DirectoryUser{
			ID: fmt.Sprintf("1%08d", i), Email: p.Email, Name: p.Name, Manager: p.Manager, Title: p.Title,
			Aliases: p.Aliases, CreationTime: p.Hire.UTC().Format(time.RFC3339),
		})
	}
	return ds
}

// WriteGoogleDataset writes GoogleDataset as JSON, loadable with
// fakegoogle.Server.LoadDataset (and the fakegoogle command's -data).
func (o *Org) WriteGoogleDataset(w io.Writer) error {
	enc := json.NewEncoder(w)
	if err := enc.Encode(o.GoogleDataset()); err != nil {
		return fmt.Errorf("orgsim: writing Google dataset: %w", err)
	}
	return nil
}
