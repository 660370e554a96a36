package orgsim

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/cadence-dev/cadence/calendar/microsoft/fakegraph"
	"github.com/cadence-dev/cadence/calendar/microsoft/graph"
)

// GraphEventID is the Graph id of meeting m in mailbox owner (ids differ
// per mailbox; the iCalUId is the meeting's UID in every copy).
func GraphEventID(owner string, m *Meeting) string {
	sum := sha256.Sum256([]byte(owner + "\x00" + m.UID))
	return "AAMk" + base64.RawURLEncoding.EncodeToString(sum[:18])
}

// graphZone is the name Exchange gives a zone (Windows), IANA otherwise.
func graphZone(loc *time.Location) string {
	if d, ok := zoneDefs[loc.String()]; ok {
		return d.windows
	}
	return loc.String()
}

func graphResponse(g Guest, declined []string) string {
	switch partstat(g, declined) {
	case "DECLINED":
		return "declined"
	case "TENTATIVE":
		return "tentativelyAccepted"
	case "NEEDS-ACTION":
		return "none"
	}
	return "accepted"
}

var graphIndexes = [...]string{"", "first", "second", "third", "fourth", "last"}

// GraphEvents returns p's calendar as Exchange Online holds it (what
// Microsoft Graph serves), with the cancelled occurrences of each series:
// every person is on Exchange in this form. A series is a master with a
// patternedRecurrence and its exceptions; in the organizer's mailbox an
// EXDATE or a cancelled instance is simply gone (a cancelled
// occurrence), in an attendee's it stays as an exception with
// isCancelled and a "Canceled: " subject; a meeting its organizer
// cancelled is gone from the organizer's mailbox and kept, cancelled, by
// the attendees. Out-of-office blocks are showAs oof. The organizer is
// not among the attendees (Graph lists it apart). A monthly series on a
// fifth weekday (which Graph cannot express) is written as its last
// weekday.
func (o *Org) GraphEvents(p *Person) fakegraph.DatasetMailbox {
	return o.graphMailbox(p, o.feedIndex()[p.Email])
}

func (o *Org) graphMailbox(p *Person, ms []*Meeting) fakegraph.DatasetMailbox {
	box := fakegraph.DatasetMailbox{Events: []graph.Event{}}
	for _, m := range ms {
		o.graphMeeting(&box, p, m)
	}
	return box
}

func graphTime(t time.Time, allDay bool, zone string) *graph.DateTimeTimeZone {
	if allDay {
		return &graph.DateTimeTimeZone{DateTime: t.Format("2006-01-02") + "T00:00:00.0000000", TimeZone: zone}
	}
	return &graph.DateTimeTimeZone{DateTime: t.Format(graph.DateTimeLayout), TimeZone: zone}
}

func (o *Org) graphMeeting(box *fakegraph.DatasetMailbox, p *Person, m *Meeting) {
	organizer := m.Organizer == p.Email
	if m.Cancelled && organizer {
		return // the organizer's mailbox no longer holds a cancelled meeting
	}
	loc := m.Start.Location()
	zone := graphZone(loc)
	id := GraphEventID(p.Email, m)
	attendees := func(declined []string) []graph.Attendee {
		if m.OOO {
			return nil
		}
		var as []graph.Attendee
		for _, g := range m.Guests {
			if g.Person == m.Organizer && g.Kind == Individual {
				continue
			}
			typ := "required"
			if g.Kind == Room {
				typ = "resource"
			}
			as = append(as, graph.Attendee{Type: typ, Status: &graph.ResponseStatus{Response: graphResponse(g, declined)},
				EmailAddress: graph.EmailAddress{Address: g.Email, Name: g.Name}})
		}
		return as
	}
	self := func(declined []string) *graph.ResponseStatus {
		if organizer || m.OOO {
			return &graph.ResponseStatus{Response: "organizer"}
		}
		for _, g := range m.Guests {
			if g.Person == p.Email {
				return &graph.ResponseStatus{Response: graphResponse(g, declined)}
			}
		}
		return &graph.ResponseStatus{Response: "none"}
	}
	showAs := "busy"
	switch {
	case m.OOO:
		showAs = "oof"
	case m.AllDay:
		showAs = "free"
	}
	ev := graph.Event{
		ID: id, ICalUID: m.UID, Subject: m.Title, IsAllDay: m.AllDay, IsOrganizer: organizer || m.OOO, ShowAs: showAs,
		Start: graphTime(m.Start, m.AllDay, zone), End: graphTime(m.End, m.AllDay, zone),
		OriginalStartTimeZone: zone, OriginalEndTimeZone: zone,
		Attendees: attendees(nil), ResponseStatus: self(nil),
	}
	if m.OOO {
		ev.Organizer = &graph.Recipient{EmailAddress: graph.EmailAddress{Address: p.Email, Name: p.Name}}
	} else {
		ev.Organizer = &graph.Recipient{EmailAddress: graph.EmailAddress{Address: m.OrgEmail, Name: o.name(m.Organizer)}}
	}
	if m.Cancelled {
		ev.IsCancelled, ev.Subject = true, "Canceled: "+m.Title
	}
	if m.Recur == nil {
		ev.Type = graph.SingleInstance
		box.Events = append(box.Events, ev)
		return
	}
	ev.Type = graph.SeriesMaster
	pat := &graph.RecurrencePattern{Type: "weekly", Interval: max(m.Recur.Interval, 1), FirstDayOfWeek: "sunday",
		DaysOfWeek: []string{graph.Weekdays[m.Start.Weekday()]}}
	if m.Recur.Freq == Monthly {
		pat.Type, pat.FirstDayOfWeek = "relativeMonthly", ""
		pat.Index = graphIndexes[min((m.Start.Day()-1)/7+1, 5)]
	}
	rng := &graph.RecurrenceRange{Type: "noEnd", StartDate: m.Start.Format("2006-01-02"), RecurrenceTimeZone: zone}
	if !m.Recur.Until.IsZero() {
		occ := m.Occurrences(m.Recur.Until.Add(time.Second))
		last := m.Recur.Until
		if len(occ) > 0 {
			last = occ[len(occ)-1]
		}
		rng.Type, rng.EndDate = "endDate", last.In(loc).Format("2006-01-02")
	}
	ev.Recurrence = &graph.PatternedRecurrence{Pattern: pat, Range: rng}
	box.Events = append(box.Events, ev)

	cancel := func(orig time.Time, title string) {
		if organizer {
			box.CancelledOccurrences = append(box.CancelledOccurrences, fakegraph.DatasetOccurrence{SeriesMasterID: id, OriginalStart: graph.FormatOffset(orig)})
			return
		}
		x := ev
		x.Type, x.ID, x.SeriesMasterID, x.OriginalStart, x.Recurrence = graph.Exception, "", id, graph.FormatOffset(orig), nil
		x.Start, x.End = graphTime(orig.In(loc), m.AllDay, zone), graphTime(orig.Add(m.End.Sub(m.Start)).In(loc), m.AllDay, zone)
		x.IsCancelled, x.Subject = true, "Canceled: "+title
		box.Events = append(box.Events, x)
	}
	for _, x := range m.Exdates {
		cancel(x, m.Title)
	}
	for _, pt := range m.Patches {
		title := m.Title
		if pt.Title != "" {
			title = pt.Title
		}
		if pt.Cancelled {
			cancel(pt.Orig, title)
			continue
		}
		start, end := pt.Orig, pt.Orig.Add(m.End.Sub(m.Start))
		if !pt.Start.IsZero() {
			start, end = pt.Start, pt.End
		}
		x := ev
		x.Type, x.ID, x.SeriesMasterID, x.OriginalStart, x.Recurrence = graph.Exception, "", id, graph.FormatOffset(pt.Orig), nil
		x.Start, x.End = graphTime(start.In(loc), m.AllDay, zone), graphTime(end.In(loc), m.AllDay, zone)
		x.Subject, x.Attendees, x.ResponseStatus = title, attendees(pt.Declined), self(pt.Declined)
		box.Events = append(box.Events, x)
	}
}

// MicrosoftDataset returns the org as a fakegraph dataset: one mailbox
// per person (every person on Exchange Online) holding GraphEvents, and
// the directory as Entra ID users (hire dates as employeeHireDate, team
// starts in onPremisesExtensionAttributes.extensionAttribute1). A broken
// person's mailbox refuses cadence (403, as an application access policy
// that leaves it out would), as their broken ICS feed does.
func (o *Org) MicrosoftDataset() *fakegraph.Dataset {
	idx := o.feedIndex()
	ds := &fakegraph.Dataset{Mailboxes: make(map[string]fakegraph.DatasetMailbox, len(o.People))}
	for i, p := range o.People {
		box := o.graphMailbox(p, idx[p.Email])
		box.Denied = p.Broken
		ds.Mailboxes[p.Email] = box
		u := fakegraph.DirectoryUser{
			ID: fmt.Sprintf("00000000-0000-4000-8000-%012d", i+1), Mail: p.Email, Name: p.Name, Manager: p.Manager, Title: p.Title,
			HireDate: p.Hire.Format("2006-01-02"), Aliases: p.Aliases,
		}
		if !p.TeamStart.IsZero() {
			u.Extensions = map[string]string{"extensionAttribute1": p.TeamStart.Format("2006-01-02")}
		}
		ds.Users = append(ds.Users, u)
	}
	return ds
}

// WriteMicrosoftDataset writes MicrosoftDataset as JSON, loadable with
// fakegraph.Server.LoadDataset (and the fakegraph command's -data).
func (o *Org) WriteMicrosoftDataset(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", " ")
	if err := enc.Encode(o.MicrosoftDataset()); err != nil {
		return fmt.Errorf("orgsim: writing Microsoft dataset: %w", err)
	}
	return nil
}
