package calendar_test

import (
	"fmt"
	"strings"
	"time"

	"github.com/cadence-dev/cadence/calendar"
)

func Example() {
	const feed = `BEGIN:VCALENDAR
BEGIN:VEVENT
UID:one-on-one@example.com
SUMMARY:Ann\, Bob 1:1
DTSTART;TZID=America/New_York:20240301T090000
DTEND;TZID=America/New_York:20240301T093000
RRULE:FREQ=WEEKLY;COUNT=4
EXDATE;TZID=America/New_York:20240315T090000
ORGANIZER:mailto:Ann@Example.com
ATTENDEE;PARTSTAT=ACCEPTED:mailto:bob@example.com
END:VEVENT
BEGIN:VEVENT
UID:one-on-one@example.com
RECURRENCE-ID;TZID=America/New_York:20240322T090000
SUMMARY:Ann\, Bob 1:1
DTSTART;TZID=America/New_York:20240321T160000
DTEND;TZID=America/New_York:20240321T163000
ORGANIZER:mailto:ann@example.com
ATTENDEE;PARTSTAT=DECLINED:mailto:bob@example.com
END:VEVENT
END:VCALENDAR
`
	ny, _ := time.LoadLocation("America/New_York")
	f, err := calendar.ParseICS(strings.NewReader(feed), calendar.ParseOptions{Name: "ann", Owner: "ann@example.com", Zone: ny})
	if err != nil {
		fmt.Println(err)
		return
	}
	w := calendar.Window{From: time.Date(2024, 3, 1, 0, 0, 0, 0, ny), To: time.Date(2024, 4, 1, 0, 0, 0, 0, ny)}
	occs, _ := calendar.Expand(f.Events, w, calendar.ExpandOptions{})
	for _, o := range occs {
		fmt.Printf("%s %-9s %-6s moved=%v bob=%s %q\n", o.Start.In(ny).Format("Mon Jan 2 15:04"), o.Status, o.CancelReason, o.Moved(), o.Attendees[0].Response, o.Title)
	}
	// Output:
	// Fri Mar 1 09:00 confirmed        moved=false bob=accepted "Ann, Bob 1:1"
	// Fri Mar 8 09:00 confirmed        moved=false bob=accepted "Ann, Bob 1:1"
	// Fri Mar 15 09:00 cancelled exdate moved=false bob=accepted "Ann, Bob 1:1"
	// Thu Mar 21 16:00 confirmed        moved=true bob=declined "Ann, Bob 1:1"
}
