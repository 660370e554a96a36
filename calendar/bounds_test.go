package calendar

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// TestWarningsAreBounded: feed text quoted in a warning (a UID, a
// malformed line, an RRULE) is cut rune-safe, so that a 200,000-character
// value does not reach the log, stderr or the page whole.
func TestWarningsAreBounded(t *testing.T) {
	huge := strings.Repeat("é", 200_000)
	ics := strings.Join([]string{
		"BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//test//EN",
		"BEGIN:VEVENT", "UID:" + huge, "DTSTAMP:20261101T000000Z", "SUMMARY:no start", "END:VEVENT",
		"BEGIN:VEVENT", "UID:a", "DTSTAMP:20261101T000000Z", "X" + huge, "DTSTART:20261102T090000Z", "DTEND:20261102T093000Z", "END:VEVENT",
		"BEGIN:VEVENT", "UID:b-" + huge, "DTSTAMP:20261101T000000Z", "DTSTART:20261102T090000Z", "DTEND:20261102T093000Z",
		"RRULE:FREQ=WEEKLY;X" + huge, "END:VEVENT",
		"END:VCALENDAR", "",
	}, "\r\n")
	feed, err := ParseICS(strings.NewReader(ics), ParseOptions{Name: "f", Owner: "o@example.com", Zone: time.UTC})
	if err != nil {
		t.Fatal(err)
	}
	_, more := Expand(feed.Events, Window{From: time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)}, ExpandOptions{})
	all := append(append([]string(nil), feed.Warnings...), more...)
	if len(all) < 3 {
		t.Fatalf("%d warnings, want one per bad event: %q", len(all), all)
	}
	for _, w := range all {
		if n := utf8.RuneCountInString(w); n > MaxWarningRunes || !utf8.ValidString(w) {
			t.Errorf("warning of %d runes (valid UTF-8: %v): %.120q...", n, utf8.ValidString(w), w)
		}
	}
}
