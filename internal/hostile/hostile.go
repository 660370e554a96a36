// Package hostile generates calendar feeds an attacker would write: valid
// iCalendar that asks for unbounded work (expansion blow-ups, VTIMEZONE
// bombs). Tests across the module feed them to the parser, the engine and
// the daemon and assert the budgets hold; nothing large is committed.
package hostile

import (
	"fmt"
	"strings"
)

// Pair is who the generated 1:1 series are between (emails of the
// directory, so that every series is relevant to the evaluation).
type Pair struct{ Lead, Member string }

func header(b *strings.Builder) {
	b.WriteString("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//cadence//hostile//EN\r\n")
}

func event(b *strings.Builder, uid, dtstart, dtend, rrule string, p Pair, extra ...string) {
	fmt.Fprintf(b, "BEGIN:VEVENT\r\nUID:%s\r\nDTSTAMP:20260101T000000Z\r\nDTSTART%s\r\nDTEND%s\r\n", uid, dtstart, dtend)
	fmt.Fprintf(b, "SUMMARY:1:1 %s / %s\r\nORGANIZER:mailto:%s\r\n", p.Lead, p.Member, p.Lead)
	fmt.Fprintf(b, "ATTENDEE;PARTSTAT=ACCEPTED:mailto:%s\r\nATTENDEE;PARTSTAT=ACCEPTED:mailto:%s\r\n", p.Lead, p.Member)
	if rrule != "" {
		fmt.Fprintf(b, "RRULE:%s\r\n", rrule)
	}
	for _, x := range extra {
		b.WriteString(x + "\r\n")
	}
	b.WriteString("END:VEVENT\r\n")
}

func list(n int) string {
	s := make([]string, n)
	for i := range s {
		s[i] = fmt.Sprint(i)
	}
	return strings.Join(s, ",")
}

// series is n series named prefix-i@hostile of one rule since start
// (YYYYMMDD) at hhmmss, lasting until end (hhmmss).
func series(n int, p Pair, prefix, start, at, end, rule string) []byte {
	var b strings.Builder
	header(&b)
	for i := range n {
		event(&b, fmt.Sprintf("%s-%d@hostile", prefix, i), ":"+start+"T"+at+"Z", ":"+start+"T"+end+"Z", rule, p)
	}
	b.WriteString("END:VCALENDAR\r\n")
	return []byte(b.String())
}

// MinuteSeries is n series of one instance every minute, every day
// (FREQ=DAILY;BYHOUR=0..23;BYMINUTE=0..59) since start (YYYYMMDD): the
// expansion blow-up, 51 KB for n = 100.
func MinuteSeries(n int, p Pair, start string) []byte {
	return series(n, p, "minute", start, "000000", "000030", "FREQ=DAILY;BYHOUR="+list(24)+";BYMINUTE="+list(60))
}

// HourlySeries is n series of FREQ=HOURLY since start.
func HourlySeries(n int, p Pair, start string) []byte {
	return series(n, p, "hourly", start, "000000", "003000", "FREQ=HOURLY")
}

// DailySeries is n ordinary-looking daily series since start: each one
// is harmless, together they are millions of occurrences.
func DailySeries(n int, p Pair, start string) []byte {
	return series(n, p, "daily", start, "090000", "093000", "FREQ=DAILY")
}

// ZoneBomb is zones VTIMEZONEs of rules yearly STANDARD/DAYLIGHT rules each,
// all since 1601, and one weekly 1:1 in each zone (so every zone is
// built): 1.4 MB and minutes of work for 500 × 20 without a budget.
func ZoneBomb(zones, rules int, p Pair, start string) []byte {
	var b strings.Builder
	header(&b)
	for z := range zones {
		fmt.Fprintf(&b, "BEGIN:VTIMEZONE\r\nTZID:Bomb %d\r\n", z)
		for r := range rules {
			kind, from, to := "STANDARD", "+0100", "+0000"
			if r%2 == 1 {
				kind, from, to = "DAYLIGHT", "+0000", "+0100"
			}
			fmt.Fprintf(&b, "BEGIN:%s\r\nDTSTART:16010101T0%d0000\r\nTZOFFSETFROM:%s\r\nTZOFFSETTO:%s\r\nRRULE:FREQ=YEARLY;BYMONTH=%d;BYDAY=1SU\r\nEND:%s\r\n",
				kind, r%10, from, to, r%12+1, kind)
		}
		b.WriteString("END:VTIMEZONE\r\n")
	}
	for z := range zones {
		tz := fmt.Sprintf(";TZID=Bomb %d:", z)
		event(&b, fmt.Sprintf("zone-%d@hostile", z), tz+start+"T100000", tz+start+"T103000", "FREQ=WEEKLY", p)
	}
	b.WriteString("END:VCALENDAR\r\n")
	return []byte(b.String())
}

// Weekly is one ordinary weekly 1:1 since start, to put beside a hostile
// feed: its occurrences must still count.
func Weekly(uid string, p Pair, start string) []byte {
	var b strings.Builder
	header(&b)
	event(&b, uid, ":"+start+"T100000Z", ":"+start+"T103000Z", "FREQ=WEEKLY", p)
	b.WriteString("END:VCALENDAR\r\n")
	return []byte(b.String())
}
