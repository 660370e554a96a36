// Package graph holds the Microsoft Graph v1.0 JSON shapes cadence reads
// (event, user, the paged collection envelope, the error body) and the
// time formats Graph writes. Both the source (package microsoft) and the
// fake server (package fakegraph) use it, so neither depends on the
// other. Only the properties cadence uses are declared; unknown ones are
// ignored when decoding.
package graph

import (
	"fmt"
	"strings"
	"time"
)

// DateTimeLayout is how Graph writes dateTimeTimeZone.dateTime: local
// wall time with seven fractional digits and no offset.
const DateTimeLayout = "2006-01-02T15:04:05.0000000"

// DateTimeTimeZone is Graph's dateTimeTimeZone.
type DateTimeTimeZone struct {
	DateTime string `json:"dateTime"`
	TimeZone string `json:"timeZone"`
}

// UTC returns t as a dateTimeTimeZone in UTC (what Prefer:
// outlook.timezone="UTC" makes Graph answer).
func UTC(t time.Time) *DateTimeTimeZone {
	return &DateTimeTimeZone{DateTime: t.UTC().Format(DateTimeLayout), TimeZone: "UTC"}
}

// Parse reads d in loc (the zone its TimeZone names, resolved by the
// caller; nil = UTC). dateTime may carry fewer fractional digits, or an
// offset ("Z", "+02:00"), which then wins over loc.
func (d *DateTimeTimeZone) Parse(loc *time.Location) (time.Time, error) {
	if d == nil || d.DateTime == "" {
		return time.Time{}, fmt.Errorf("missing dateTime")
	}
	if loc == nil {
		loc = time.UTC
	}
	s := d.DateTime
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t.In(loc), nil
	}
	t, err := time.ParseInLocation("2006-01-02T15:04:05.999999999", s, loc)
	if err != nil {
		return time.Time{}, fmt.Errorf("dateTime %q: want yyyy-mm-ddThh:mm:ss[.fffffff]", s)
	}
	return t, nil
}

// ParseOffset reads an Edm.DateTimeOffset ("2026-11-16T09:00:00Z",
// also with fractional seconds or a numeric offset).
func ParseOffset(s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is not a DateTimeOffset", s)
	}
	return t, nil
}

// FormatOffset writes an Edm.DateTimeOffset in UTC.
func FormatOffset(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05Z") }

// EmailAddress is Graph's emailAddress.
type EmailAddress struct {
	Name    string `json:"name,omitempty"`
	Address string `json:"address,omitempty"`
}

// Recipient is Graph's recipient (the organizer).
type Recipient struct {
	EmailAddress EmailAddress `json:"emailAddress"`
}

// ResponseStatus is Graph's responseStatus. Response is none, organizer,
// tentativelyAccepted, accepted, declined or notResponded.
type ResponseStatus struct {
	Response string `json:"response,omitempty"`
	Time     string `json:"time,omitempty"`
}

// Attendee is Graph's attendee. Type is required, optional or resource.
type Attendee struct {
	Type         string          `json:"type,omitempty"`
	Status       *ResponseStatus `json:"status,omitempty"`
	EmailAddress EmailAddress    `json:"emailAddress"`
}

// RecurrencePattern is Graph's recurrencePattern. Type is daily, weekly,
// absoluteMonthly, relativeMonthly, absoluteYearly or relativeYearly;
// Index (relative patterns) is first, second, third, fourth or last.
type RecurrencePattern struct {
	Type           string   `json:"type"`
	Interval       int      `json:"interval"`
	Month          int      `json:"month,omitempty"`
	DayOfMonth     int      `json:"dayOfMonth,omitempty"`
	DaysOfWeek     []string `json:"daysOfWeek,omitempty"`
	FirstDayOfWeek string   `json:"firstDayOfWeek,omitempty"`
	Index          string   `json:"index,omitempty"`
}

// RecurrenceRange is Graph's recurrenceRange. Type is endDate, noEnd or
// numbered; dates are yyyy-mm-dd in RecurrenceTimeZone.
type RecurrenceRange struct {
	Type                string `json:"type"`
	StartDate           string `json:"startDate,omitempty"`
	EndDate             string `json:"endDate,omitempty"`
	RecurrenceTimeZone  string `json:"recurrenceTimeZone,omitempty"`
	NumberOfOccurrences int    `json:"numberOfOccurrences,omitempty"`
}

// PatternedRecurrence is Graph's patternedRecurrence.
type PatternedRecurrence struct {
	Pattern *RecurrencePattern `json:"pattern,omitempty"`
	Range   *RecurrenceRange   `json:"range,omitempty"`
}

// Removed is the @removed annotation of a delta item.
type Removed struct {
	Reason string `json:"reason,omitempty"`
}

// Event types.
const (
	SingleInstance = "singleInstance"
	Occurrence     = "occurrence"
	Exception      = "exception"
	SeriesMaster   = "seriesMaster"
)

// Event is Graph's event, reduced to what cadence reads. Body, location,
// attachments and online-meeting data are never declared, so they are
// never kept.
type Event struct {
	ID                    string               `json:"id"`
	ICalUID               string               `json:"iCalUId,omitempty"`
	Type                  string               `json:"type,omitempty"`
	SeriesMasterID        string               `json:"seriesMasterId,omitempty"`
	OriginalStart         string               `json:"originalStart,omitempty"`
	OriginalStartTimeZone string               `json:"originalStartTimeZone,omitempty"`
	OriginalEndTimeZone   string               `json:"originalEndTimeZone,omitempty"`
	Start                 *DateTimeTimeZone    `json:"start,omitempty"`
	End                   *DateTimeTimeZone    `json:"end,omitempty"`
	IsAllDay              bool                 `json:"isAllDay,omitempty"`
	IsCancelled           bool                 `json:"isCancelled,omitempty"`
	IsOrganizer           bool                 `json:"isOrganizer,omitempty"`
	ShowAs                string               `json:"showAs,omitempty"`
	Subject               string               `json:"subject,omitempty"`
	Organizer             *Recipient           `json:"organizer,omitempty"`
	Attendees             []Attendee           `json:"attendees,omitempty"`
	ResponseStatus        *ResponseStatus      `json:"responseStatus,omitempty"`
	Recurrence            *PatternedRecurrence `json:"recurrence,omitempty"`
	LastModifiedDateTime  string               `json:"lastModifiedDateTime,omitempty"`
	Removed               *Removed             `json:"@removed,omitempty"`
}

// EventSelect is the $select list cadence asks for on a single event.
const EventSelect = "id,iCalUId,type,seriesMasterId,originalStart,originalStartTimeZone,originalEndTimeZone,start,end,isAllDay,isCancelled,isOrganizer,showAs,subject,organizer,attendees,responseStatus,recurrence,lastModifiedDateTime"

// OnPremisesExtensionAttributes is Graph's onPremisesExtensionAttributes.
type OnPremisesExtensionAttributes map[string]string

// User is Graph's user, reduced to what cadence reads. Extra holds any
// other property asked for by name (a directory extension such as
// extension_<appId>_teamStart).
type User struct {
	ID                            string                        `json:"id"`
	DisplayName                   string                        `json:"displayName,omitempty"`
	Mail                          string                        `json:"mail,omitempty"`
	UserPrincipalName             string                        `json:"userPrincipalName,omitempty"`
	ProxyAddresses                []string                      `json:"proxyAddresses,omitempty"`
	EmployeeHireDate              string                        `json:"employeeHireDate,omitempty"`
	CreatedDateTime               string                        `json:"createdDateTime,omitempty"`
	JobTitle                      string                        `json:"jobTitle,omitempty"`
	Department                    string                        `json:"department,omitempty"`
	AccountEnabled                *bool                         `json:"accountEnabled,omitempty"`
	UserType                      string                        `json:"userType,omitempty"`
	OnPremisesExtensionAttributes OnPremisesExtensionAttributes `json:"onPremisesExtensionAttributes,omitempty"`
	Manager                       *User                         `json:"manager,omitempty"`
}

// Page is a collection response: items and either a next page or (delta
// queries) the delta link for the next round.
type Page[T any] struct {
	Value     []T    `json:"value"`
	NextLink  string `json:"@odata.nextLink,omitempty"`
	DeltaLink string `json:"@odata.deltaLink,omitempty"`
}

// Error is Graph's error body: {"error": {"code": ..., "message": ...}}.
type Error struct {
	Error ErrorDetail `json:"error"`
}

// ErrorDetail is the inner error.
type ErrorDetail struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// Error codes cadence acts on.
const (
	CodeSyncStateNotFound = "syncStateNotFound"
	CodeResyncRequired    = "resyncRequired"
	CodeSyncStateInvalid  = "syncStateInvalid"
	CodeItemNotFound      = "ErrorItemNotFound"
	CodeTooManyRequests   = "TooManyRequests"
)

// Weekdays are Graph's dayOfWeek values, Sunday first (time.Weekday order).
var Weekdays = [7]string{"sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"}

// Weekday maps a dayOfWeek value to a time.Weekday.
func Weekday(s string) (time.Weekday, bool) {
	for i, d := range Weekdays {
		if strings.EqualFold(d, s) {
			return time.Weekday(i), true
		}
	}
	return 0, false
}

// Indexes are the weekIndex values of relative patterns, in order; "last"
// is the last.
var Indexes = [5]string{"first", "second", "third", "fourth", "last"}
