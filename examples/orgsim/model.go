// Package orgsim generates synthetic organisations: a directory (people.csv)
// and one ICS feed per person, written the way Google Calendar and
// Microsoft Exchange/Outlook really export them.
//
// The core is data: an Org holds People and Meetings; a Meeting is a single
// event or a recurring series with participants, EXDATEs and per-instance
// patches (moves, cancellations, declines). Writers turn that data into
// files; the same data can later be emitted as Google Calendar v3 JSON.
//
// Everything is deterministic: randomness comes from math/rand/v2 seeded
// from the configuration, and no wall clock is read.
package orgsim

import (
	"fmt"
	"sort"
	"strings"
	"time"
	_ "time/tzdata" // zones must resolve identically on every machine
)

// Provider is the calendar system that owns a person's calendar (and so the
// export format of their feed) or that created a meeting (and so its UID).
type Provider uint8

const (
	Google Provider = iota
	Outlook
)

func (p Provider) String() string {
	if p == Outlook {
		return "outlook"
	}
	return "google"
}

// Person is one directory entry and the owner of one feed.
type Person struct {
	Email     string // primary, lower-case
	Name      string
	Manager   string // primary email of the manager, "" for the root
	Title     string // job title (informative)
	Hire      time.Time
	TeamStart time.Time // zero when not set
	Aliases   []string
	Zone      *time.Location
	Provider  Provider
	// Feed is the feed's file name without ".ics" (the local part of Email).
	Feed string
	// Broken makes the writer emit garbage (an HTML error page) instead of
	// the feed.
	Broken bool
}

// GuestKind says what an attendee is.
type GuestKind uint8

const (
	Individual GuestKind = iota // a person of the directory
	Room                        // a room or resource
	Bot                         // an AI note-taker
	External                    // a guest outside the directory
)

// Guest is one attendee as written in the invitation.
type Guest struct {
	Email string // as written (may be an alias of a directory person)
	Name  string
	Kind  GuestKind
	// Person is the primary email of the directory person whose feed holds
	// a copy of the meeting; "" for rooms, bots and external guests.
	Person string
	// PartStat is the series-wide response; "" means ACCEPTED.
	PartStat string
}

// Freq of a recurrence.
type Freq uint8

const (
	Weekly  Freq = iota // every Interval weeks on the start's weekday
	Monthly             // every Interval months on the Nth weekday (Nth from the start date)
)

// Recur is the recurrence of a series (always on DTSTART's weekday).
type Recur struct {
	Freq     Freq
	Interval int // >= 1
	// Until is the series end (inclusive), zero for an open-ended series.
	Until time.Time
}

// Patch changes one instance of a series, addressed by its original start.
type Patch struct {
	Orig       time.Time
	Start, End time.Time // zero = unchanged
	Cancelled  bool
	// Declined lists guest emails (as written) that declined this instance.
	Declined    []string
	Title       string // "" = unchanged
	Description string // "" = unchanged
}

// Meeting is a single event or a recurring series.
type Meeting struct {
	// Key is a stable name; UIDs are derived from it and the seed.
	Key         string
	UID         string
	Title       string
	Description string
	Location    string
	Organizer   string // primary email of the organizing person
	OrgEmail    string // organizer as written in the invitation
	Guests      []Guest
	Start, End  time.Time // first instance, in the meeting's zone
	AllDay      bool
	Recur       *Recur
	Exdates     []time.Time
	Patches     []Patch
	Cancelled   bool // the whole event is cancelled
	OOO         bool // out-of-office / vacation block in the owner's own calendar
	Created     time.Time
	Sequence    int
	Provider    Provider // the organizer's system: decides the UID style
	Conference  string   // Google Meet link, "" for none
	// OnlyInOwner keeps the meeting in the organizer's feed only (private
	// blocks such as out-of-office).
	OnlyInOwner bool
}

// Org is a generated organisation.
type Org struct {
	Domain   string
	People   []*Person // directory order (CEO first, then breadth-first)
	Meetings []*Meeting
	// Exported is the export instant written as DTSTAMP.
	Exported time.Time
	seed     uint64
	byEmail  map[string]*Person
}

// NewOrg returns an empty org. seed feeds UID generation.
func NewOrg(domain string, seed uint64, exported time.Time) *Org {
	return &Org{Domain: domain, seed: seed, Exported: exported.UTC(), byEmail: map[string]*Person{}}
}

// AddPerson adds a person; Feed defaults to the local part of the email.
func (o *Org) AddPerson(p *Person) *Person {
	p.Email = strings.ToLower(p.Email)
	if p.Feed == "" {
		p.Feed = strings.SplitN(p.Email, "@", 2)[0]
	}
	if _, dup := o.byEmail[p.Email]; dup {
		panic("orgsim: duplicate person " + p.Email)
	}
	o.People = append(o.People, p)
	o.byEmail[p.Email] = p
	return p
}

// Person returns the person with the primary email.
func (o *Org) Person(email string) *Person { return o.byEmail[email] }

// AddMeeting assigns the meeting's UID (when empty) and adds it.
func (o *Org) AddMeeting(m *Meeting) *Meeting {
	if m.UID == "" {
		m.UID = makeUID(o.seed, m.Key, m.Provider)
	}
	if m.End.IsZero() {
		panic("orgsim: meeting " + m.Key + " has no end")
	}
	o.Meetings = append(o.Meetings, m)
	return m
}

// Split ends series m before the instance at splitAt (Google's "this and
// following" edit) and returns a new series starting at newStart with the
// same participants, whose UID is m's with the _R<start> suffix. The new
// series is not added; change it and call AddMeeting.
func (o *Org) Split(m *Meeting, splitAt, newStart, newEnd time.Time) *Meeting {
	if m.Recur == nil {
		panic("orgsim: split of a single event " + m.Key)
	}
	loc := m.Start.Location()
	d := splitAt.In(loc)
	// Google ends the old series at 23:59:59 local of the day before.
	m.Recur.Until = time.Date(d.Year(), d.Month(), d.Day()-1, 23, 59, 59, 0, loc)
	n := *m
	n.Recur = &Recur{Freq: m.Recur.Freq, Interval: m.Recur.Interval}
	n.Guests = append([]Guest(nil), m.Guests...)
	n.Exdates, n.Patches = nil, nil
	n.Start, n.End = newStart, newEnd
	n.Key = m.Key + "/split"
	base := strings.TrimSuffix(m.UID, "@google.com")
	n.UID = base + "_R" + splitAt.UTC().Format("20060102T150405") + "@google.com"
	n.Sequence = 0
	return &n
}

// Participants returns the primary emails of the directory people whose
// feeds hold a copy of m: the organizer and every individual guest.
func (m *Meeting) Participants() []string {
	seen := make([]string, 0, len(m.Guests)+1)
	add := func(e string) {
		if e == "" {
			return
		}
		for _, s := range seen {
			if s == e {
				return
			}
		}
		seen = append(seen, e)
	}
	add(m.Organizer)
	if m.OnlyInOwner {
		return seen
	}
	for _, g := range m.Guests {
		if g.Kind == Individual {
			add(g.Person)
		}
	}
	return seen
}

// Occurrences returns the original starts of the series' instances that
// start before limit (EXDATEs and patches not applied). A single event has
// one.
func (m *Meeting) Occurrences(limit time.Time) []time.Time {
	if m.Recur == nil {
		if m.Start.Before(limit) {
			return []time.Time{m.Start}
		}
		return nil
	}
	var out []time.Time
	loc := m.Start.Location()
	s := m.Start
	nth := (s.Day()-1)/7 + 1
	for k := 0; ; k++ {
		var t time.Time
		switch m.Recur.Freq {
		case Weekly:
			t = time.Date(s.Year(), s.Month(), s.Day()+7*m.Recur.Interval*k, s.Hour(), s.Minute(), 0, 0, loc)
		case Monthly:
			first := time.Date(s.Year(), s.Month()+time.Month(m.Recur.Interval*k), 1, s.Hour(), s.Minute(), 0, 0, loc)
			off := (int(s.Weekday()) - int(first.Weekday()) + 7) % 7
			day := 1 + off + 7*(nth-1)
			t = time.Date(first.Year(), first.Month(), day, s.Hour(), s.Minute(), 0, 0, loc)
			if t.Month() != first.Month() {
				continue // no Nth weekday this month
			}
		}
		if !t.Before(limit) || (!m.Recur.Until.IsZero() && t.After(m.Recur.Until)) {
			return out
		}
		out = append(out, t)
	}
}

// Patch returns the patch of the instance originally at orig, creating it.
func (m *Meeting) Patch(orig time.Time) *Patch {
	for i := range m.Patches {
		if m.Patches[i].Orig.Equal(orig) {
			return &m.Patches[i]
		}
	}
	m.Patches = append(m.Patches, Patch{Orig: orig})
	return &m.Patches[len(m.Patches)-1]
}

// Validate checks the org's internal consistency: managers exist, every
// participant is a person, patches and EXDATEs hit real instances.
func (o *Org) Validate() error {
	var errs []string
	for _, p := range o.People {
		if p.Manager != "" && o.byEmail[p.Manager] == nil {
			errs = append(errs, fmt.Sprintf("person %s: manager %s is not a person", p.Email, p.Manager))
		}
	}
	for _, m := range o.Meetings {
		for _, e := range m.Participants() {
			if o.byEmail[e] == nil {
				errs = append(errs, fmt.Sprintf("meeting %s (%s): participant %s is not a person", m.Key, m.UID, e))
			}
		}
		if m.Recur == nil {
			if len(m.Exdates)+len(m.Patches) > 0 {
				errs = append(errs, fmt.Sprintf("meeting %s: single event with EXDATE or patches", m.Key))
			}
			continue
		}
		last := append([]time.Time(nil), m.Exdates...)
		for _, p := range m.Patches {
			last = append(last, p.Orig)
		}
		if len(last) == 0 {
			continue
		}
		sort.Slice(last, func(i, j int) bool { return last[i].Before(last[j]) })
		limit := last[len(last)-1].Add(time.Second)
		occ := m.Occurrences(limit)
		has := make(map[int64]bool, len(occ))
		for _, t := range occ {
			has[t.Unix()] = true
		}
		for _, t := range m.Exdates {
			if !has[t.Unix()] {
				errs = append(errs, fmt.Sprintf("meeting %s: EXDATE %s is not an instance", m.Key, t.Format(time.RFC3339)))
			}
		}
		for _, p := range m.Patches {
			if !has[p.Orig.Unix()] {
				errs = append(errs, fmt.Sprintf("meeting %s: patch %s is not an instance", m.Key, p.Orig.Format(time.RFC3339)))
			}
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("orgsim: invalid org:\n  %s", strings.Join(errs, "\n  "))
	}
	return nil
}
