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
