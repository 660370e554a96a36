package calendar

import (
	"strings"
	"testing"
	"time"
)

// crlf turns a fixture written with "\n" into CRLF lines, as RFC 5545
// feeds are.
func crlf(s string) string { return strings.ReplaceAll(s, "\n", "\r\n") }

// vcal wraps VEVENT (and VTIMEZONE) text in a VCALENDAR.
func vcal(body string) string {
	return crlf("BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//cadence//rfc test//EN\n" + strings.TrimSpace(body) + "\nEND:VCALENDAR\n")
}

// RFC 5545 §3.1: unfolding removes every CRLF followed by one white space,
// wherever it falls, also between a property name and its ':' or ';'.
func TestUnfoldAnywhere(t *testing.T) {
	for _, tc := range []struct {
		name, text string
		start      string // UTC
		allDay     bool
		title      string
	}{
		{"after VERSION", "BEGIN:VCALENDAR\nVERSION\n :2.0\nBEGIN:VEVENT\nUID:a\nDTSTART:20240101T100000Z\nSUMMARY:x\nEND:VEVENT\nEND:VCALENDAR\n",
			"2024-01-01T10:00:00Z", false, "x"},
		{"after DTSTART params", "BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:a\nDTSTART;VALUE=DATE\n :20051225\nSUMMARY:x\nEND:VEVENT\nEND:VCALENDAR\n",
			"2005-12-25T00:00:00Z", true, "x"},
		{"inside a parameter value", "BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:a\nDTSTART;TZID=Europe/Ber\n lin:20240101T100000\nSUMMARY:x\nEND:VEVENT\nEND:VCALENDAR\n",
			"2024-01-01T09:00:00Z", false, "x"},
		{"after a name, tab", "BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:a\nDTSTART:20240101T100000Z\nSUMMARY\n\t:hello\nEND:VEVENT\nEND:VCALENDAR\n",
			"2024-01-01T10:00:00Z", false, "hello"},
		{"inside a name", "BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:a\nDTST\n ART:20240101T100000Z\nSUMMARY:x\nEND:VEVENT\nEND:VCALENDAR\n",
			"2024-01-01T10:00:00Z", false, "x"},
		{"before DTSTART params", "BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:a\nDTSTART\n ;VALUE=DATE:20051225\nSUMMARY:x\nEND:VEVENT\nEND:VCALENDAR\n",
			"2005-12-25T00:00:00Z", true, "x"},
		{"BEGIN and END folded", "BEGIN\n :VCALENDAR\nBEGIN:VEV\n ENT\nUID:a\nDTSTART:20240101T100000Z\nSUMMARY:x\nEND\n :VEVENT\nEND\n :VCALENDAR\n",
			"2024-01-01T10:00:00Z", false, "x"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			feed, err := ParseICS(strings.NewReader(crlf(tc.text)), ParseOptions{Name: "fold", Zone: time.UTC})
			if err != nil {
				t.Fatalf("ParseICS: %v", err)
			}
			if len(feed.Warnings) != 0 {
				t.Errorf("warnings on a legal fold: %q", feed.Warnings)
			}
			if len(feed.Events) != 1 {
				t.Fatalf("%d events, want 1", len(feed.Events))
			}
			ev := feed.Events[0]
			if !ev.Start.Equal(utc(tc.start)) || ev.AllDay != tc.allDay || ev.Title != tc.title {
				t.Errorf("start %s all-day %v title %q, want %s %v %q", ev.Start, ev.AllDay, ev.Title, tc.start, tc.allDay, tc.title)
			}
		})
	}
	// A fold that lost its space is still repaired, also when the broken
	// line itself has a legal fold.
	feed := parseText(t, crlf("BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:a\nDTSTART:20240101T100000Z\nSUMMARY:one \ntwo thr\n ee\nEND:VEVENT\nEND:VCALENDAR\n"), "UTC")
	if len(feed.Events) != 1 || feed.Events[0].Title != "one two three" || !hasWarning(feed.Warnings, "line 6: line is not a property; joined") {
		t.Errorf("lost fold: %+v %q", feed.Events, feed.Warnings)
	}
}

// RFC 5545 §3.8.5.1: the set is RRULE ∪ RDATE ∪ DTSTART minus EXDATE; an
// RDATE also listed in EXDATE is excluded.
func TestExdateRemovesRdate(t *testing.T) {
	for _, tc := range []struct{ name, props, want string }{
		{"rrule instance and rdate", "RRULE:FREQ=DAILY;COUNT=3\nEXDATE:20240102T100000Z\nRDATE:20240102T100000Z",
			"01-01T10:00 01-02T10:00(exdate) 01-03T10:00"},
		{"rdate only", "RDATE:20240105T100000Z,20240106T100000Z\nEXDATE:20240105T100000Z",
			"01-01T10:00 01-05T10:00(exdate) 01-06T10:00"},
		{"rdate period", "RDATE;VALUE=PERIOD:20240105T100000Z/PT2H\nEXDATE:20240105T100000Z",
			"01-01T10:00 01-05T10:00(exdate)"},
		{"exdate date", "RDATE:20240105T100000Z\nEXDATE;VALUE=DATE:20240105",
			"01-01T10:00 01-05T10:00(exdate)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			feed := parseText(t, vcal("BEGIN:VEVENT\nUID:s\nDTSTART:20240101T100000Z\nDTEND:20240101T103000Z\n"+tc.props+"\nEND:VEVENT"), "UTC")
			wantStarts(t, tc.name, expandAll(t, feed, "2024-01-01", "2024-02-01"), tc.want)
		})
	}
}

// Two VTIMEZONEs with the rules of Europe/Berlin and America/New_York
// under TZIDs that are no IANA names: the zone is built from the rules.
const fallBackZones = `
BEGIN:VTIMEZONE
TZID:Custom Berlin
BEGIN:STANDARD
DTSTART:19701025T030000
RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU
TZOFFSETFROM:+0200
TZOFFSETTO:+0100
END:STANDARD
BEGIN:DAYLIGHT
DTSTART:19700329T020000
RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU
TZOFFSETFROM:+0100
TZOFFSETTO:+0200
END:DAYLIGHT
END:VTIMEZONE
BEGIN:VTIMEZONE
TZID:Custom New York
BEGIN:STANDARD
DTSTART:20071104T020000
RRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=1SU
TZOFFSETFROM:-0400
TZOFFSETTO:-0500
END:STANDARD
BEGIN:DAYLIGHT
DTSTART:20070311T020000
RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=2SU
TZOFFSETFROM:-0500
TZOFFSETTO:-0400
END:DAYLIGHT
END:VTIMEZONE
`

// RFC 5545 §3.3.5: a local time that occurs twice at a fall-back
// transition means its first occurrence (the earlier instant), whether the
// zone is an IANA zone or a VTIMEZONE, for DTSTART, DTEND, RDATE, EXDATE,
// RECURRENCE-ID and RRULE instances.
func TestFallBackFirstOccurrence(t *testing.T) {
	// 2024-10-27 02:30 in Berlin: 00:30Z (CEST) and 01:30Z (CET).
	// 2024-11-03 01:30 in New York: 05:30Z (EDT) and 06:30Z (EST).
	for _, tc := range []struct {
		name, tzid, feedZone, props, want string
	}{
		{"DTSTART IANA east", ";TZID=Europe/Berlin", "UTC", "DTSTART%s:20241027T023000", "10-27T00:30"},
		{"DTSTART IANA west", ";TZID=America/New_York", "UTC", "DTSTART%s:20241103T013000", "11-03T05:30"},
		{"DTSTART VTIMEZONE east", ";TZID=Custom Berlin", "UTC", "DTSTART%s:20241027T023000", "10-27T00:30"},
		{"DTSTART VTIMEZONE west", ";TZID=Custom New York", "UTC", "DTSTART%s:20241103T013000", "11-03T05:30"},
		{"DTSTART floating", "", "Europe/Berlin", "DTSTART%s:20241027T023000", "10-27T00:30"},
		{"RRULE IANA", ";TZID=Europe/Berlin", "UTC", "DTSTART%s:20241020T023000\nRRULE:FREQ=WEEKLY;COUNT=2", "10-20T00:30 10-27T00:30"},
		{"RRULE VTIMEZONE", ";TZID=Custom Berlin", "UTC", "DTSTART%s:20241020T023000\nRRULE:FREQ=WEEKLY;COUNT=2", "10-20T00:30 10-27T00:30"},
		{"RRULE UNTIL the first", ";TZID=Europe/Berlin", "UTC", "DTSTART%s:20241020T023000\nRRULE:FREQ=WEEKLY;UNTIL=20241027T003000Z", "10-20T00:30 10-27T00:30"},
		{"RRULE daily across", ";TZID=Europe/Berlin", "UTC", "DTSTART%s:20241026T023000\nRRULE:FREQ=DAILY;COUNT=3", "10-26T00:30 10-27T00:30 10-28T01:30"},
		{"RDATE", ";TZID=Europe/Berlin", "UTC", "DTSTART%[1]s:20241020T090000\nRDATE%[1]s:20241027T023000", "10-20T07:00 10-27T00:30"},
		{"RDATE VTIMEZONE", ";TZID=Custom Berlin", "UTC", "DTSTART%[1]s:20241020T090000\nRDATE%[1]s:20241027T023000", "10-20T07:00 10-27T00:30"},
		{"EXDATE", ";TZID=Europe/Berlin", "UTC", "DTSTART%[1]s:20241020T023000\nRRULE:FREQ=WEEKLY;COUNT=3\nEXDATE%[1]s:20241027T023000",
			"10-20T00:30 10-27T00:30(exdate) 11-03T01:30"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			props := strings.ReplaceAll(tc.props, "%s", tc.tzid)
			props = strings.ReplaceAll(props, "%[1]s", tc.tzid)
			feed := parseText(t, vcal(fallBackZones+"BEGIN:VEVENT\nUID:f\n"+props+"\nEND:VEVENT"), tc.feedZone)
			if hasWarning(feed.Warnings, "TZID") {
				t.Errorf("warnings: %q", feed.Warnings)
			}
			wantStarts(t, tc.name, expandAll(t, feed, "2024-10-01", "2024-12-01"), tc.want)
		})
	}
	// DTEND and RECURRENCE-ID: an override of the 02:30 (CEST) instance.
	feed := parseText(t, vcal(`BEGIN:VEVENT
UID:o
DTSTART;TZID=Europe/Berlin:20241020T023000
DTEND;TZID=Europe/Berlin:20241020T030000
RRULE:FREQ=WEEKLY;COUNT=2
END:VEVENT
BEGIN:VEVENT
UID:o
RECURRENCE-ID;TZID=Europe/Berlin:20241027T023000
DTSTART;TZID=Europe/Berlin:20241027T020000
DTEND;TZID=Europe/Berlin:20241027T023000
SUMMARY:moved
END:VEVENT`), "UTC")
	occs := expandAll(t, feed, "2024-10-01", "2024-12-01")
	wantStarts(t, "override", occs, "10-20T00:30 10-27T00:00")
	if len(occs) == 2 && (occs[1].Title != "moved" || occs[1].End.Sub(occs[1].Start) != 30*time.Minute || !occs[1].OriginalStart.Equal(utc("2024-10-27T00:30:00Z"))) {
		t.Errorf("override: %+v", occs[1])
	}
}

// SPEC: a floating DTEND, UNTIL, EXDATE, RDATE or RECURRENCE-ID beside a
// zoned DTSTART is read in DTSTART's zone, with a warning naming the UID
// and the property.
func TestFloatingBesideZonedStart(t *testing.T) {
	feed := parseText(t, vcal(`BEGIN:VEVENT
UID:end
DTSTART;TZID=America/New_York:20240105T090000
DTEND:20240105T100000
END:VEVENT
BEGIN:VEVENT
UID:utc
DTSTART:20240105T140000Z
DTEND:20240105T150000
END:VEVENT
BEGIN:VEVENT
UID:floating
DTSTART:20240105T090000
DTEND:20240105T100000
END:VEVENT
BEGIN:VEVENT
UID:series
DTSTART;TZID=America/New_York:20240108T090000
DURATION:PT1H
RRULE:FREQ=DAILY;UNTIL=20240111T090000
EXDATE:20240109T090000
RDATE:20240113T090000
END:VEVENT
BEGIN:VEVENT
UID:series
RECURRENCE-ID:20240110T090000
DTSTART;TZID=America/New_York:20240110T120000
DURATION:PT1H
SUMMARY:moved
END:VEVENT`), "Europe/Berlin")
	for _, w := range [][]string{
		{"UID end", "DTEND", "floating", "America/New_York"},
		{"UID utc", "DTEND", "floating", "UTC"},
		{"UID series", "UNTIL", "floating"},
		{"UID series", "EXDATE", "floating"},
		{"UID series", "RDATE", "floating"},
		{"UID series", "RECURRENCE-ID", "floating"},
	} {
		if !hasWarning(feed.Warnings, w...) {
			t.Errorf("no warning with %q in\n%s", w, strings.Join(feed.Warnings, "\n"))
		}
	}
	if hasWarning(feed.Warnings, "UID floating") {
		t.Errorf("floating DTSTART and DTEND: %q", feed.Warnings)
	}
	for _, ev := range feed.Events {
		if ev.RecurrenceID.IsZero() && ev.End.Sub(ev.Start) != time.Hour {
			t.Errorf("%s: lasts %s, want 1h", ev.UID, ev.End.Sub(ev.Start))
		}
	}
	occs := expandAll(t, feed, "2024-01-07", "2024-01-20")
	wantStarts(t, "series", ofUID(occs, "series"), "01-08T14:00 01-09T14:00(exdate) 01-10T17:00 01-11T14:00 01-13T14:00")
}

// Outlook writes Windows display names as TZIDs, often without a
// VTIMEZONE; they map through the CLDR table, with "(UTC" or "(GMT"
// prefixes, quoted or not.
func TestDisplayNameTZIDWithoutVTimezone(t *testing.T) {
	for _, tc := range []struct{ name, dtstart, want string }{
		{"quoted UTC", `DTSTART;TZID="(UTC-05:00) Eastern Time (US & Canada)":20240105T090000`, "2024-01-05T14:00:00Z"},
		{"quoted GMT", `DTSTART;TZID="(GMT-05:00) Eastern Time (US & Canada)":20240105T090000`, "2024-01-05T14:00:00Z"},
		{"unquoted", `DTSTART;TZID=(UTC+01:00) Amsterdam, Berlin, Bern, Rome, Stockholm, Vienna:20240105T090000`, "2024-01-05T08:00:00Z"},
		{"unquoted GMT", `DTSTART;TZID=(GMT+10:00) Canberra, Melbourne, Sydney:20240705T090000`, "2024-07-04T23:00:00Z"},
		{"Outlook 2003", `DTSTART;TZID=(GMT-05.00) Eastern Time (US & Canada):20240105T090000`, "2024-01-05T14:00:00Z"},
		{"unquoted, no prefix", `DTSTART;TZID=Canberra, Melbourne, Sydney:20240705T090000`, "2024-07-04T23:00:00Z"},
		{"no prefix", `DTSTART;TZID="Pacific Time (US & Canada)":20240105T090000`, "2024-01-05T17:00:00Z"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			feed := parseText(t, vcal("BEGIN:VEVENT\nUID:d\n"+tc.dtstart+"\nEND:VEVENT"), "Asia/Tokyo")
			if len(feed.Warnings) != 0 {
				t.Errorf("warnings: %q", feed.Warnings)
			}
			if len(feed.Events) != 1 || !feed.Events[0].Start.Equal(utc(tc.want)) {
				t.Errorf("events %+v, want a start at %s", feed.Events, tc.want)
			}
		})
	}
}

// A feed that holds VEVENTs of which none is usable is an error; one with
// no VEVENT at all is a valid, empty calendar.
func TestFeedWithoutUsableEvents(t *testing.T) {
	for _, tc := range []struct {
		name, text string
		err        []string // parts of the error; nil = no error
		events     int
	}{
		{"no DTSTART", vcal("BEGIN:VEVENT\nUID:a\nSUMMARY:x\nEND:VEVENT\nBEGIN:VEVENT\nUID:b\nDTSTART:bad\nEND:VEVENT"),
			[]string{"calendar: team: ", "2 VEVENT", "no usable event", "UID a", "without DTSTART"}, 0},
		{"bare VEVENT", crlf("BEGIN:VEVENT\nUID:a\nDTSTART:2024\nEND:VEVENT\n"),
			[]string{"calendar: team: ", "1 VEVENT", "UID a", "DTSTART"}, 0},
		{"empty calendar", vcal(""), nil, 0},
		{"only a VTODO", vcal("BEGIN:VTODO\nUID:t\nEND:VTODO"), nil, 0},
		{"one usable", vcal("BEGIN:VEVENT\nUID:a\nSUMMARY:x\nEND:VEVENT\nBEGIN:VEVENT\nUID:b\nDTSTART:20240101T100000Z\nEND:VEVENT"), nil, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			feed, err := ParseICS(strings.NewReader(tc.text), ParseOptions{Name: "team", Zone: time.UTC})
			if tc.err == nil {
				if err != nil || len(feed.Events) != tc.events {
					t.Fatalf("ParseICS: %v, %+v", err, feed)
				}
				return
			}
			if err == nil {
				t.Fatalf("no error; %d events, warnings %q", len(feed.Events), feed.Warnings)
			}
			for _, p := range tc.err {
				if !strings.Contains(err.Error(), p) {
					t.Errorf("error %q lacks %q", err, p)
				}
			}
		})
	}
}

// Two VEVENTs with one UID and no RECURRENCE-ID are two versions of one
// event (RFC 5545 §3.8.7.4, RFC 5546 §2.1.5): the higher SEQUENCE wins,
// then the later DTSTAMP, then the later LAST-MODIFIED, then the later
// copy in the file; the parser warns naming the UID.
func TestDuplicateUID(t *testing.T) {
	for _, tc := range []struct {
		name, a, b string
		want       string // title of the copy kept
	}{
		{"higher SEQUENCE first", "SEQUENCE:2\nDTSTAMP:20240101T000000Z", "SEQUENCE:1\nDTSTAMP:20240301T000000Z", "A"},
		{"higher SEQUENCE second", "SEQUENCE:1", "SEQUENCE:2", "B"},
		{"later DTSTAMP first", "DTSTAMP:20240301T000000Z", "DTSTAMP:20240101T000000Z", "A"},
		{"later DTSTAMP second", "DTSTAMP:20240101T000000Z", "DTSTAMP:20240301T000000Z", "B"},
		{"later LAST-MODIFIED first", "DTSTAMP:20240301T000000Z\nLAST-MODIFIED:20240201T000000Z", "DTSTAMP:20240301T000000Z\nLAST-MODIFIED:20240101T000000Z", "A"},
		{"all equal: the later copy", "SEQUENCE:1", "SEQUENCE:1", "B"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			feed := parseText(t, vcal("BEGIN:VEVENT\nUID:dup\nSUMMARY:A\nDTSTART:20240105T100000Z\n"+tc.a+"\nEND:VEVENT\n"+
				"BEGIN:VEVENT\nUID:dup\nSUMMARY:B\nDTSTART:20240106T100000Z\n"+tc.b+"\nEND:VEVENT"), "UTC")
			if !hasWarning(feed.Warnings, "UID dup", "same UID") {
				t.Errorf("no warning naming the UID: %q", feed.Warnings)
			}
			occs := expandAll(t, feed, "2024-01-01", "2024-02-01")
			if len(occs) != 1 || occs[0].Title != tc.want {
				t.Errorf("occurrences %s (%d), want only %s", starts(occs), len(occs), tc.want)
			}
		})
	}
	// Copies of one override (same UID and RECURRENCE-ID) follow the same
	// rule: the later DTSTAMP wins although it comes first.
	feed := parseText(t, vcal(`BEGIN:VEVENT
UID:s
DTSTART:20240101T100000Z
RRULE:FREQ=DAILY;COUNT=3
END:VEVENT
BEGIN:VEVENT
UID:s
RECURRENCE-ID:20240102T100000Z
DTSTART:20240102T110000Z
DTSTAMP:20240301T000000Z
SUMMARY:newer
END:VEVENT
BEGIN:VEVENT
UID:s
RECURRENCE-ID:20240102T100000Z
DTSTART:20240102T120000Z
DTSTAMP:20240101T000000Z
SUMMARY:older
END:VEVENT`), "UTC")
	wantStarts(t, "override copies", expandAll(t, feed, "2024-01-01", "2024-02-01"), "01-01T10:00 01-02T11:00 01-03T10:00")
	if !hasWarning(feed.Warnings, "UID s", "same UID and RECURRENCE-ID 2024-01-02T10:00:00Z", "later DTSTAMP") {
		t.Errorf("override copies: %q", feed.Warnings)
	}
}
