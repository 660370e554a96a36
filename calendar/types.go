// Package calendar turns calendar sources (ICS feeds, Google Calendar) into
// normalized events and expands them into occurrences inside a time window.
// It knows nothing about 1:1s: classification happens in package cadence.
//
// Errors returned by this package start with "calendar: ".
package calendar

import (
	"time"
)

// Status is the normalized status of an event or occurrence.
type Status string

const (
	StatusConfirmed Status = "confirmed"
	StatusTentative Status = "tentative"
	StatusCancelled Status = "cancelled"
)

// Response is an attendee's participation status (PARTSTAT / responseStatus).
type Response string

const (
	ResponseNone      Response = ""
	ResponseNeeds     Response = "needs-action"
	ResponseAccepted  Response = "accepted"
	ResponseDeclined  Response = "declined"
	ResponseTentative Response = "tentative"
	ResponseDelegated Response = "delegated"
)

// CancelReason says what marked an occurrence cancelled.
type CancelReason string

const (
	CancelNone        CancelReason = ""
	CancelStatus      CancelReason = "status"       // STATUS:CANCELLED or Google status "cancelled" on the event or instance
	CancelExdate      CancelReason = "exdate"       // removed by EXDATE (Google: an instance deleted from a series)
	CancelTitlePrefix CancelReason = "title-prefix" // Outlook published feed: "Canceled: " title prefix
	CancelVanished    CancelReason = "vanished"     // seen earlier, since vanished (set by the daemon's history)
)

// Attendee is one participant of an event as written in the calendar.
// Email is lower-cased with any "mailto:" removed; aliases are NOT resolved
// here (the calendar package knows nothing of the directory).
type Attendee struct {
	Email    string   `json:"email"`
	Name     string   `json:"name,omitempty"`
	Response Response `json:"response,omitempty"`
	// Resource is true for rooms and resources (ICS CUTYPE=ROOM|RESOURCE,
	// Google resource: true).
	Resource bool `json:"resource,omitempty"`
	// Organizer is true when this entry is (also) the organizer.
	Organizer bool `json:"organizer,omitempty"`
}

// RecurrenceSet is the parsed recurrence of a master event. Times are in the
// event's own zone (DTSTART's location), so expansion keeps local wall time
// across DST changes.
type RecurrenceSet struct {
	// RRules are normalized RRULE values (upper case, no spaces, no trailing ';').
	RRules []string
	// RDates are extra instances (start instants). RDatePeriods carry an
	// explicit end when the RDATE was a PERIOD.
	RDates []time.Time
	// RDateEnds, when non-nil, has the same length as RDates; a zero entry
	// means "use the master's duration".
	RDateEnds []time.Time
	// ExDates are removed instances. ExDateDates are EXDATE;VALUE=DATE entries
	// (year, month, day in the event's zone) that remove every instance on that
	// local date.
	ExDates     []time.Time
	ExDateDates []Date
}

// Date is a calendar date without time or zone.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// Event is one normalized VEVENT / Google event: a master (possibly
// recurring), a single event, or an override of one instance
// (RecurrenceID set).
type Event struct {
	// UID is the event's UID. SeriesUID is the UID with Google's
	// "this and following" split suffix (_R<time>) removed, so a split series
	// stays one series.
	UID       string `json:"uid"`
	SeriesUID string `json:"series_uid"`
	// RecurrenceID is the original start of the instance this event
	// overrides; zero for masters and single events.
	RecurrenceID time.Time `json:"recurrence_id,omitzero"`
	// ThisAndFuture is RANGE=THISANDFUTURE on the RECURRENCE-ID.
	ThisAndFuture bool `json:"this_and_future,omitempty"`

	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
	// AllDay is true for DATE-valued starts; Start/End are then local
	// midnights in the owner's zone.
	AllDay bool `json:"all_day,omitempty"`

	Recurrence *RecurrenceSet `json:"recurrence,omitempty"`

	Status      Status     `json:"status"`
	Title       string     `json:"title,omitempty"`
	Organizer   string     `json:"organizer,omitempty"`
	Attendees   []Attendee `json:"attendees,omitempty"`
	Sequence    int        `json:"sequence,omitempty"`
	OutOfOffice bool       `json:"out_of_office,omitempty"` // Google eventType outOfOffice
	// TitleCancelled is true when the title carries Outlook's "Canceled:"
	// (or localized) prefix.
	TitleCancelled bool `json:"title_cancelled,omitempty"`
	// Transparent is TRANSP:TRANSPARENT / Google transparency "transparent".
	Transparent bool `json:"transparent,omitempty"`

	// Source is the name of the feed or calendar this copy was read from;
	// Owner is the email of the person whose calendar it is.
	Source string `json:"source"`
	Owner  string `json:"owner"`
}

// Occurrence is one instance of an event after recurrence expansion and
// override merging. Key() identifies it across feeds.
type Occurrence struct {
	UID       string `json:"uid"`
	SeriesUID string `json:"series_uid"`
	// OriginalStart is the instance's start as the series defines it (the
	// RECURRENCE-ID); equal to Start for single events and unmoved instances.
	OriginalStart time.Time `json:"original_start"`
	Start         time.Time `json:"start"`
	End           time.Time `json:"end"`
	AllDay        bool      `json:"all_day,omitempty"`

	Status       Status       `json:"status"`
	CancelReason CancelReason `json:"cancel_reason,omitempty"`

	Title       string     `json:"title,omitempty"`
	Organizer   string     `json:"organizer,omitempty"`
	Attendees   []Attendee `json:"attendees,omitempty"`
	Sequence    int        `json:"sequence,omitempty"`
	OutOfOffice bool       `json:"out_of_office,omitempty"`
	Transparent bool       `json:"transparent,omitempty"`
	// Override is true when a RECURRENCE-ID override (or Google exception)
	// supplied this instance.
	Override bool `json:"override,omitempty"`
	// Recurring is true when the occurrence belongs to a recurring series.
	Recurring bool `json:"recurring,omitempty"`

	Source string `json:"source"`
	Owner  string `json:"owner"`
	// SeenIn lists every source in which a copy of this occurrence was seen
	// (after dedup), sorted.
	SeenIn []string `json:"seen_in,omitempty"`
}

// Cancelled reports whether the occurrence is cancelled.
func (o *Occurrence) Cancelled() bool { return o.Status == StatusCancelled }

// Moved reports whether the instance was moved away from its original start
// (a DST-shifted instance is not moved: instants are compared).
func (o *Occurrence) Moved() bool { return !o.Start.Equal(o.OriginalStart) }

// Key identifies an occurrence across calendars: series UID + original start.
type Key struct {
	UID           string
	OriginalStart int64 // Unix seconds
}

// Key returns the occurrence's identity.
func (o *Occurrence) Key() Key {
	return Key{UID: o.SeriesUID, OriginalStart: o.OriginalStart.Unix()}
}

// Window is a half-open interval [From, To).
type Window struct {
	From, To time.Time
}

// Feed is the result of reading one source.
type Feed struct {
	Name   string
	Owner  string
	Events []Event
	// Warnings are non-fatal problems (unknown time zone, an unparsable RRULE
	// on one event, ...), each naming the event UID / line concerned.
	Warnings []string
	// Exceeded are the limits the parse exceeded without failing (zone
	// transitions: the zones over budget fell back to the feed's zone).
	Exceeded []*BudgetError
}

// WithoutAttendees reports whether f has events but not one ATTENDEE or
// ORGANIZER on any of them: such an export (Outlook's published calendars
// are reported to strip them) cannot show who met whom, so no 1:1 can be
// found in it.
func (f *Feed) WithoutAttendees() bool {
	if f == nil || len(f.Events) == 0 {
		return false
	}
	for i := range f.Events {
		if f.Events[i].Organizer != "" || len(f.Events[i].Attendees) > 0 {
			return false
		}
	}
	return true
}
