package orgsim

import (
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"strings"
	"time"
)

// zoneDef describes a zone as Google (IANA TZID, VTIMEZONE with 1970 rules)
// and Exchange (Windows TZID, VTIMEZONE with 1601 rules) export it.
type zoneDef struct {
	windows string
	google  []string // VTIMEZONE body lines (between BEGIN and END)
	outlook []string
}

var zoneDefs = map[string]zoneDef{
	"Europe/Berlin": {
		windows: "W. Europe Standard Time",
		google: []string{"X-LIC-LOCATION:Europe/Berlin",
			"BEGIN:DAYLIGHT", "TZOFFSETFROM:+0100", "TZOFFSETTO:+0200", "TZNAME:CEST", "DTSTART:19700329T020000", "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU", "END:DAYLIGHT",
			"BEGIN:STANDARD", "TZOFFSETFROM:+0200", "TZOFFSETTO:+0100", "TZNAME:CET", "DTSTART:19701025T030000", "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU", "END:STANDARD"},
		outlook: []string{
			"BEGIN:STANDARD", "DTSTART:16010101T030000", "TZOFFSETFROM:+0200", "TZOFFSETTO:+0100", "RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=-1SU;BYMONTH=10", "END:STANDARD",
			"BEGIN:DAYLIGHT", "DTSTART:16010101T020000", "TZOFFSETFROM:+0100", "TZOFFSETTO:+0200", "RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=-1SU;BYMONTH=3", "END:DAYLIGHT"},
	},
	"Europe/London": {
		windows: "GMT Standard Time",
		google: []string{"X-LIC-LOCATION:Europe/London",
			"BEGIN:DAYLIGHT", "TZOFFSETFROM:+0000", "TZOFFSETTO:+0100", "TZNAME:BST", "DTSTART:19700329T010000", "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU", "END:DAYLIGHT",
			"BEGIN:STANDARD", "TZOFFSETFROM:+0100", "TZOFFSETTO:+0000", "TZNAME:GMT", "DTSTART:19701025T020000", "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU", "END:STANDARD"},
		outlook: []string{
			"BEGIN:STANDARD", "DTSTART:16010101T020000", "TZOFFSETFROM:+0100", "TZOFFSETTO:+0000", "RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=-1SU;BYMONTH=10", "END:STANDARD",
			"BEGIN:DAYLIGHT", "DTSTART:16010101T010000", "TZOFFSETFROM:+0000", "TZOFFSETTO:+0100", "RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=-1SU;BYMONTH=3", "END:DAYLIGHT"},
	},
	"America/New_York": {
		windows: "Eastern Standard Time",
		google: []string{"X-LIC-LOCATION:America/New_York",
			"BEGIN:DAYLIGHT", "TZOFFSETFROM:-0500", "TZOFFSETTO:-0400", "TZNAME:EDT", "DTSTART:19700308T020000", "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=2SU", "END:DAYLIGHT",
			"BEGIN:STANDARD", "TZOFFSETFROM:-0400", "TZOFFSETTO:-0500", "TZNAME:EST", "DTSTART:19701101T020000", "RRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=1SU", "END:STANDARD"},
		outlook: []string{
			"BEGIN:STANDARD", "DTSTART:16010101T020000", "TZOFFSETFROM:-0400", "TZOFFSETTO:-0500", "RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=1SU;BYMONTH=11", "END:STANDARD",
			"BEGIN:DAYLIGHT", "DTSTART:16010101T020000", "TZOFFSETFROM:-0500", "TZOFFSETTO:-0400", "RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=2SU;BYMONTH=3", "END:DAYLIGHT"},
	},
	"America/Los_Angeles": {
		windows: "Pacific Standard Time",
		google: []string{"X-LIC-LOCATION:America/Los_Angeles",
			"BEGIN:DAYLIGHT", "TZOFFSETFROM:-0800", "TZOFFSETTO:-0700", "TZNAME:PDT", "DTSTART:19700308T020000", "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=2SU", "END:DAYLIGHT",
			"BEGIN:STANDARD", "TZOFFSETFROM:-0700", "TZOFFSETTO:-0800", "TZNAME:PST", "DTSTART:19701101T020000", "RRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=1SU", "END:STANDARD"},
		outlook: []string{
			"BEGIN:STANDARD", "DTSTART:16010101T020000", "TZOFFSETFROM:-0700", "TZOFFSETTO:-0800", "RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=1SU;BYMONTH=11", "END:STANDARD",
			"BEGIN:DAYLIGHT", "DTSTART:16010101T020000", "TZOFFSETFROM:-0800", "TZOFFSETTO:-0700", "RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=2SU;BYMONTH=3", "END:DAYLIGHT"},
	},
	"Asia/Kolkata": {
		windows: "India Standard Time",
		google: []string{"X-LIC-LOCATION:Asia/Kolkata",
			"BEGIN:STANDARD", "TZOFFSETFROM:+0530", "TZOFFSETTO:+0530", "TZNAME:IST", "DTSTART:19700101T000000", "END:STANDARD"},
		outlook: []string{
			"BEGIN:STANDARD", "DTSTART:16010101T000000", "TZOFFSETFROM:+0530", "TZOFFSETTO:+0530", "END:STANDARD",
			"BEGIN:DAYLIGHT", "DTSTART:16010101T000000", "TZOFFSETFROM:+0530", "TZOFFSETTO:+0530", "END:DAYLIGHT"},
	},
	"Asia/Tokyo": {
		windows: "Tokyo Standard Time",
		google: []string{"X-LIC-LOCATION:Asia/Tokyo",
			"BEGIN:STANDARD", "TZOFFSETFROM:+0900", "TZOFFSETTO:+0900", "TZNAME:JST", "DTSTART:19700101T000000", "END:STANDARD"},
		outlook: []string{
			"BEGIN:STANDARD", "DTSTART:16010101T000000", "TZOFFSETFROM:+0900", "TZOFFSETTO:+0900", "END:STANDARD",
			"BEGIN:DAYLIGHT", "DTSTART:16010101T000000", "TZOFFSETFROM:+0900", "TZOFFSETTO:+0900", "END:DAYLIGHT"},
	},
}

// Zones lists the IANA zones the generator can write, sorted.
func Zones() []string {
	return []string{"America/Los_Angeles", "America/New_York", "Asia/Kolkata", "Asia/Tokyo", "Europe/Berlin", "Europe/London"}
}

// LoadZone loads one of Zones().
func LoadZone(name string) (*time.Location, error) {
	if _, ok := zoneDefs[name]; !ok {
		return nil, fmt.Errorf("orgsim: zone %q is not supported (one of %s)", name, strings.Join(Zones(), ", "))
	}
	return time.LoadLocation(name)
}

func mustZone(name string) *time.Location {
	l, err := LoadZone(name)
	if err != nil {
		panic(err)
	}
	return l
}

// rngFor returns a generator private to key, so adding a meeting does not
// change the UIDs of the others.
func rngFor(seed uint64, key string) *rand.Rand {
	h := fnv.New64a()
	h.Write([]byte(key))
	return rand.New(rand.NewPCG(seed, h.Sum64()))
}

const googleIDChars = "0123456789abcdefghijklmnopqrstuv" // base32hex, as Google uses

func makeUID(seed uint64, key string, p Provider) string {
	r := rngFor(seed, "uid:"+key)
	if p == Outlook {
		// Exchange global object id: class id, instance date, creation
		// time, zero padding, size and a GUID.
		var b strings.Builder
		b.WriteString("040000008200E00074C5B7101A82E00800000000")
		hex := "0123456789ABCDEF"
		for range 16 {
			b.WriteByte(hex[r.IntN(16)])
		}
		b.WriteString("000000000000000010000000")
		for range 32 {
			b.WriteByte(hex[r.IntN(16)])
		}
		return b.String()
	}
	var b strings.Builder
	for range 26 {
		b.WriteByte(googleIDChars[r.IntN(32)])
	}
	b.WriteString("@google.com")
	return b.String()
}

func meetCode(seed uint64, key string) string {
	r := rngFor(seed, "meet:"+key)
	l := func(n int) string {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte('a' + r.IntN(26))
		}
		return string(b)
	}
	return l(3) + "-" + l(4) + "-" + l(3)
}
