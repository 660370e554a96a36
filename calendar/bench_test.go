package calendar

import (
	"bytes"
	"fmt"
	"math/rand"
	"testing"
	"time"
)

// genFeed writes one person's calendar the way Google exports it: weekly
// 1:1 series with EXDATEs and moved/cancelled/declined overrides, a
// biweekly team meeting, single meetings, an all-day out-of-office event
// and a split ("this and following") series, over about six months.
func genFeed(person, people int, r *rand.Rand) ([]byte, int) {
	var b bytes.Buffer
	b.WriteString("BEGIN:VCALENDAR\r\nPRODID:-//Google Inc//Google Calendar 70.9054//EN\r\nVERSION:2.0\r\nCALSCALE:GREGORIAN\r\nMETHOD:PUBLISH\r\n")
	fmt.Fprintf(&b, "X-WR-CALNAME:p%d@example.com\r\nX-WR-TIMEZONE:Europe/Berlin\r\n", person)
	b.WriteString("BEGIN:VTIMEZONE\r\nTZID:Europe/Berlin\r\nX-LIC-LOCATION:Europe/Berlin\r\nBEGIN:DAYLIGHT\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\nTZNAME:CEST\r\nDTSTART:19700329T020000\r\nRRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\nEND:DAYLIGHT\r\nBEGIN:STANDARD\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\nTZNAME:CET\r\nDTSTART:19701025T030000\r\nRRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n")
	n := 0
	event := func(uid, extra string, start time.Time, dur time.Duration, title string, attendees ...int) {
		n++
		b.WriteString("BEGIN:VEVENT\r\n")
		fmt.Fprintf(&b, "DTSTART;TZID=Europe/Berlin:%s\r\nDTEND;TZID=Europe/Berlin:%s\r\n", start.Format("20060102T150405"), start.Add(dur).Format("20060102T150405"))
		b.WriteString(extra)
		fmt.Fprintf(&b, "DTSTAMP:20240601T120000Z\r\nORGANIZER;CN=Person %d:mailto:p%d@example.com\r\nUID:%s\r\n", person, person, uid)
		for _, a := range append([]int{person}, attendees...) {
			fmt.Fprintf(&b, "ATTENDEE;CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT;PARTSTAT=ACCEPTED;CN=Person %d;X-NUM-GUE\r\n STS=0:mailto:p%d@example.com\r\n", a, a)
		}
		fmt.Fprintf(&b, "CREATED:20240101T000000Z\r\nDESCRIPTION:Agenda: https://docs.example.com/%s\\n- updates\\n- blockers\r\nLAST-MODIFIED:20240601T120000Z\r\nLOCATION:\r\nSEQUENCE:1\r\nSTATUS:CONFIRMED\r\nSUMMARY:%s\r\nTRANSP:OPAQUE\r\nEND:VEVENT\r\n", uid, title)
	}
	berlin, _ := time.LoadLocation("Europe/Berlin")
	base := time.Date(2024, 1, 1, 9, 0, 0, 0, berlin)
	for s := 0; s < 8; s++ {
		other := (person + s + 1) % people
		start := base.AddDate(0, 0, s%5).Add(time.Duration(s) * time.Hour)
		uid := fmt.Sprintf("p%ds%d@google.com", person, s)
		ex := start.AddDate(0, 0, 7*(2+r.Intn(10)))
		event(uid, fmt.Sprintf("RRULE:FREQ=WEEKLY;BYDAY=%s\r\nEXDATE;TZID=Europe/Berlin:%s\r\n", [...]string{"MO", "TU", "WE", "TH", "FR"}[s%5], ex.Format("20060102T150405")),
			start, 30*time.Minute, fmt.Sprintf("Person %d / Person %d", person, other), other)
		for k := 0; k < 3; k++ {
			rid := start.AddDate(0, 0, 7*(13+4*k))
			event(uid, fmt.Sprintf("RECURRENCE-ID;TZID=Europe/Berlin:%s\r\n", rid.Format("20060102T150405")),
				rid.Add(time.Duration(k+1)*time.Hour), 30*time.Minute, fmt.Sprintf("Person %d / Person %d", person, other), other)
		}
	}
	team := []int{(person + 1) % people, (person + 2) % people, (person + 3) % people, (person + 4) % people}
	event(fmt.Sprintf("p%dteam@google.com", person), "RRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=TH;UNTIL=20240404T215959Z\r\n", base.AddDate(0, 0, 3).Add(5*time.Hour), time.Hour, "Team sync", team...)
	event(fmt.Sprintf("p%dteam_R20240418T140000@google.com", person), "RRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=TH\r\n", base.AddDate(0, 0, 108).Add(6*time.Hour), time.Hour, "Team sync", team...)
	for k := 0; k < 40; k++ {
		start := base.AddDate(0, 0, r.Intn(180)).Add(time.Duration(r.Intn(8)) * time.Hour)
		event(fmt.Sprintf("p%dsingle%d@google.com", person, k), "", start, 45*time.Minute, "Interview loop", (person+7+k)%people)
	}
	n++
	fmt.Fprintf(&b, "BEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20240506\r\nDTEND;VALUE=DATE:20240511\r\nUID:p%dooo@google.com\r\nSUMMARY:Out of office\r\nTRANSP:TRANSPARENT\r\nEND:VEVENT\r\n", person)
	b.WriteString("END:VCALENDAR\r\n")
	return b.Bytes(), n
}

var benchWindow = Window{From: time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2024, 7, 1, 0, 0, 0, 0, time.UTC)}

func ingest(b *testing.B, data []byte, name string, zone *time.Location) []Occurrence {
	feed, err := ParseICS(bytes.NewReader(data), ParseOptions{Name: name, Owner: name, Zone: zone})
	if err != nil {
		b.Fatal(err)
	}
	occs, _ := Expand(feed.Events, benchWindow, ExpandOptions{Zone: zone})
	return occs
}

// BenchmarkIngestExpand measures ParseICS+Expand: per feed (one person's
// six-month calendar) and over 1,000 people's feeds with Dedup. MB/s is
// input bytes; events/s counts VEVENTs read, occs/s occurrences produced.
func BenchmarkIngestExpand(b *testing.B) {
	berlin, _ := time.LoadLocation("Europe/Berlin")
	b.Run("feed", func(b *testing.B) {
		data, events := genFeed(0, 1000, rand.New(rand.NewSource(1)))
		b.SetBytes(int64(len(data)))
		b.ReportAllocs()
		var occs int
		for b.Loop() {
			occs = len(ingest(b, data, "p0@example.com", berlin))
		}
		sec := b.Elapsed().Seconds()
		b.ReportMetric(float64(events*b.N)/sec, "events/s")
		b.ReportMetric(float64(occs*b.N)/sec, "occs/s")
	})
	b.Run("1k-feeds", func(b *testing.B) {
		const people = 1000
		r := rand.New(rand.NewSource(1))
		feeds := make([][]byte, people)
		var total int64
		events := 0
		for i := range feeds {
			var n int
			feeds[i], n = genFeed(i, people, r)
			total += int64(len(feeds[i]))
			events += n
		}
		b.SetBytes(total)
		b.ReportAllocs()
		var occs int
		var all []Occurrence
		for b.Loop() {
			all = all[:0]
			for i, data := range feeds {
				all = append(all, ingest(b, data, fmt.Sprintf("p%d@example.com", i), berlin)...)
			}
			occs = len(Dedup(all))
		}
		sec := b.Elapsed().Seconds()
		b.ReportMetric(float64(events*b.N)/sec, "events/s")
		b.ReportMetric(float64(occs), "occs-after-dedup")
	})
}

func TestGeneratedFeedExpands(t *testing.T) {
	data, events := genFeed(3, 10, rand.New(rand.NewSource(1)))
	feed, err := ParseICS(bytes.NewReader(data), ParseOptions{Name: "p3", Owner: "p3@example.com"})
	if err != nil || len(feed.Events) != events || len(feed.Warnings) != 0 {
		t.Fatalf("generated feed: %d/%d events, %v, %q", len(feed.Events), events, err, feed.Warnings)
	}
	occs, warns := Expand(feed.Events, benchWindow, ExpandOptions{})
	if len(warns) != 0 || len(occs) < 100 {
		t.Fatalf("generated feed: %d occurrences, warnings %q", len(occs), warns)
	}
}
