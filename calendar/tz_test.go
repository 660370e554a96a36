package calendar

import (
	"strings"
	"testing"
	"time"

	ical "github.com/emersion/go-ical"
	"github.com/teambition/rrule-go"
)

// tzDecodeZones decodes a VCALENDAR body (CRLF added) and returns its ZoneSet.
func tzDecodeZones(t testing.TB, body string) *ZoneSet {
	t.Helper()
	text := "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//cadence//tz test//EN\r\n" +
		strings.ReplaceAll(strings.TrimSpace(body), "\n", "\r\n") + "\r\nEND:VCALENDAR\r\n"
	cal, err := ical.NewDecoder(strings.NewReader(text)).Decode()
	if err != nil {
		t.Fatalf("decode fixture: %v", err)
	}
	return NewZoneSet(cal.Children)
}

// Exchange 2010 style: rules dated 16010101, last Sunday of March/October.
const exchangeCET = `
BEGIN:VTIMEZONE
TZID:%s
BEGIN:STANDARD
DTSTART:16010101T030000
TZOFFSETFROM:+0200
TZOFFSETTO:+0100
RRULE:FREQ=YEARLY;WKST=MO;INTERVAL=1;BYMONTH=10;BYDAY=-1SU
END:STANDARD
BEGIN:DAYLIGHT
DTSTART:16010101T020000
TZOFFSETFROM:+0100
TZOFFSETTO:+0200
RRULE:FREQ=YEARLY;WKST=MO;INTERVAL=1;BYMONTH=3;BYDAY=-1SU
END:DAYLIGHT
END:VTIMEZONE`

func exchangeZone(tzid string) string { return strings.Replace(exchangeCET, "%s", tzid, 1) }

func tzMustResolve(t *testing.T, zs *ZoneSet, tzid string) *time.Location {
	t.Helper()
	loc, err := zs.Resolve(tzid)
	if err != nil {
		t.Fatalf("Resolve(%q): %v", tzid, err)
	}
	if loc == nil {
		t.Fatalf("Resolve(%q): nil Location without error", tzid)
	}
	return loc
}

// tzUTCOf returns the UTC instant of a local wall time in loc.
func tzUTCOf(loc *time.Location, y int, m time.Month, d, h, min int) time.Time {
	return time.Date(y, m, d, h, min, 0, 0, loc).UTC()
}

func tzWantUTC(t *testing.T, got time.Time, want string) {
	t.Helper()
	if s := got.Format(time.RFC3339); s != want {
		t.Errorf("got %s, want %s", s, want)
	}
}

func TestZoneIANANames(t *testing.T) {
	zs := NewZoneSet(nil)
	for _, tc := range []struct{ tzid, want string }{
		{"Europe/Berlin", "Europe/Berlin"},
		{"America/Argentina/Buenos_Aires", "America/Argentina/Buenos_Aires"},
		{"UTC", "UTC"},
		{"  Europe/Paris  ", "Europe/Paris"},
		{`"Europe/Berlin"`, "Europe/Berlin"},
		{`"Pacific Standard Time"`, "America/Los_Angeles"},
		{` "Asia/Tokyo" `, "Asia/Tokyo"},
		// deprecated links from tzdata's "backward" file
		{"US/Eastern", "US/Eastern"},
		{"Mexico/General", "Mexico/General"},
		{"Asia/Calcutta", "Asia/Calcutta"},
		// leading slash and globally unique ids
		{"/Europe/Stockholm", "Europe/Stockholm"},
		{"/freeassociation.sourceforge.net/Europe/Berlin", "Europe/Berlin"},
		{"/freeassociation.sourceforge.net/Tzfile/America/Argentina/Buenos_Aires", "America/Argentina/Buenos_Aires"},
		{"/mozilla.org/20070129_1/America/New_York", "America/New_York"},
		{"/mozilla.org/20050126_1/Europe/London", "Europe/London"},
		{"/softwarestudio.org/Olson_20011030_5/America/New_York", "America/New_York"},
		{"/citadel.org/20190914_1/Europe/Zurich", "Europe/Zurich"},
		{"tzone://Microsoft/Utc", "UTC"},
		{"utc", "UTC"},
	} {
		loc := tzMustResolve(t, zs, tc.tzid)
		if loc.String() != tc.want {
			t.Errorf("Resolve(%q) = %s, want %s", tc.tzid, loc, tc.want)
		}
	}
	// US/Eastern really is New York: 09:00 local in January and July.
	loc := tzMustResolve(t, zs, "US/Eastern")
	tzWantUTC(t, tzUTCOf(loc, 2024, time.January, 15, 9, 0), "2024-01-15T14:00:00Z")
	tzWantUTC(t, tzUTCOf(loc, 2024, time.July, 15, 9, 0), "2024-07-15T13:00:00Z")
	loc = tzMustResolve(t, zs, "Mexico/General") // no DST since 2022
	tzWantUTC(t, tzUTCOf(loc, 2024, time.July, 15, 9, 0), "2024-07-15T15:00:00Z")
}

func TestZoneWindowsNames(t *testing.T) {
	zs := NewZoneSet(nil)
	for _, tc := range []struct{ tzid, want string }{
		{"W. Europe Standard Time", "Europe/Berlin"},
		{"GMT Standard Time", "Europe/London"},
		{"Eastern Standard Time", "America/New_York"},
		{"Pacific Standard Time", "America/Los_Angeles"},
		{"Tokyo Standard Time", "Asia/Tokyo"},
		{"Central Standard Time", "America/Chicago"},
		{"Central Standard Time (Mexico)", "America/Mexico_City"},
		{"AUS Eastern Standard Time", "Australia/Sydney"},
		{"India Standard Time", "Asia/Calcutta"},
		{"UTC+12", "Etc/GMT-12"},
		{"w. europe standard time", "Europe/Berlin"}, // case is not significant
	} {
		loc := tzMustResolve(t, zs, tc.tzid)
		if loc.String() != tc.want {
			t.Errorf("Resolve(%q) = %s, want %s", tc.tzid, loc, tc.want)
		}
	}
	// A Windows name wins over the file's VTIMEZONE of the same name.
	zs = tzDecodeZones(t, exchangeZone("W. Europe Standard Time"))
	if loc := tzMustResolve(t, zs, "W. Europe Standard Time"); loc.String() != "Europe/Berlin" {
		t.Errorf("W. Europe Standard Time with VTIMEZONE = %s, want Europe/Berlin", loc)
	}
}

func TestWindowsToIANATable(t *testing.T) {
	if n := len(windowsZones); n < 135 {
		t.Fatalf("CLDR table has %d rows, want the complete table (~139)", n)
	}
	seen := map[string]bool{}
	for _, z := range windowsZones {
		if seen[z.Windows] {
			t.Errorf("Windows zone %q listed twice", z.Windows)
		}
		seen[z.Windows] = true
		got, ok := WindowsToIANA(z.Windows)
		if !ok || got != z.IANA {
			t.Errorf("WindowsToIANA(%q) = %q, %v; want %q", z.Windows, got, ok, z.IANA)
		}
		if _, err := time.LoadLocation(z.IANA); err != nil {
			t.Errorf("CLDR zone %q for %q does not load: %v", z.IANA, z.Windows, err)
		}
		if !strings.HasPrefix(z.Display, "(UTC") {
			t.Errorf("display name %q of %q lacks its (UTC...) prefix", z.Display, z.Windows)
		}
	}
	for _, name := range []string{"", "Europe/Berlin", "Standard Time", "W. Europe"} {
		if got, ok := WindowsToIANA(name); ok {
			t.Errorf("WindowsToIANA(%q) = %q, want no match", name, got)
		}
	}
	if got, ok := WindowsToIANA("  Romance Standard Time "); !ok || got != "Europe/Paris" {
		t.Errorf("WindowsToIANA(Romance) = %q, %v", got, ok)
	}
}

func TestZoneExchangeVTimezoneOnly(t *testing.T) {
	const tzid = "GMT +0100 (Standard) / GMT +0200 (Daylight)"
	zs := tzDecodeZones(t, exchangeZone(tzid))
	loc := tzMustResolve(t, zs, `"`+tzid+`"`)
	if loc.String() != tzid {
		t.Errorf("Location name = %q, want the TZID", loc)
	}
	tzWantUTC(t, tzUTCOf(loc, 2024, time.January, 15, 9, 0), "2024-01-15T08:00:00Z")
	tzWantUTC(t, tzUTCOf(loc, 2024, time.July, 15, 9, 0), "2024-07-15T07:00:00Z")
	// Around the 2015 change, the date of the corpus file's stand-up.
	tzWantUTC(t, tzUTCOf(loc, 2015, time.July, 3, 10, 0), "2015-07-03T08:00:00Z")
	// Transition instants: last Sunday of March 01:00Z, of October 01:00Z.
	at := func(s string) time.Time {
		tt, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return tt
	}
	for _, tc := range []struct {
		utc  string
		want int
	}{
		{"2024-03-31T00:59:59Z", 3600}, {"2024-03-31T01:00:00Z", 7200},
		{"2024-10-27T00:59:59Z", 7200}, {"2024-10-27T01:00:00Z", 3600},
		{"1975-03-30T00:59:59Z", 3600}, {"1975-03-30T01:00:00Z", 7200},
		{"2099-10-25T01:00:00Z", 3600},
	} {
		if _, off := at(tc.utc).In(loc).Zone(); off != tc.want {
			t.Errorf("offset at %s = %d, want %d", tc.utc, off, tc.want)
		}
	}
	// From 1996 (EU rules) to 2037 the rules are Berlin's: compare every hour.
	berlin, _ := time.LoadLocation("Europe/Berlin")
	for tt := at("1996-01-01T00:00:00Z"); tt.Before(at("2038-01-01T00:00:00Z")); tt = tt.Add(time.Hour) {
		_, got := tt.In(loc).Zone()
		_, want := tt.In(berlin).Zone()
		if got != want {
			t.Fatalf("offset at %s = %d, Europe/Berlin has %d", tt.Format(time.RFC3339), got, want)
		}
	}
	// Names: no TZNAME -> numeric abbreviation.
	if name, _ := at("2024-07-01T00:00:00Z").In(loc).Zone(); name != "+02" {
		t.Errorf("summer abbreviation = %q, want +02", name)
	}
}

// Thunderbird-style definition with UNTIL-bounded historic rules: the US
// change of 2007 must show.
const usEasternHistoric = `
BEGIN:VTIMEZONE
TZID:Custom Eastern
X-COMMENT:no X-LIC-LOCATION on purpose
BEGIN:DAYLIGHT
TZOFFSETFROM:-0500
TZOFFSETTO:-0400
TZNAME:EDT
DTSTART:19870405T020000
RRULE:FREQ=YEARLY;UNTIL=20060402T070000Z;BYMONTH=4;BYDAY=1SU
END:DAYLIGHT
BEGIN:STANDARD
TZOFFSETFROM:-0400
TZOFFSETTO:-0500
TZNAME:EST
DTSTART:19671029T020000
RRULE:FREQ=YEARLY;UNTIL=20061029T060000Z;BYMONTH=10;BYDAY=-1SU
END:STANDARD
BEGIN:DAYLIGHT
TZOFFSETFROM:-0500
TZOFFSETTO:-0400
TZNAME:EDT
DTSTART:20070311T020000
RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=2SU
END:DAYLIGHT
BEGIN:STANDARD
TZOFFSETFROM:-0400
TZOFFSETTO:-0500
TZNAME:EST
DTSTART:20071104T020000
RRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=1SU
END:STANDARD
END:VTIMEZONE`

func TestZoneVTimezoneUntilRules(t *testing.T) {
	zs := tzDecodeZones(t, usEasternHistoric)
	loc := tzMustResolve(t, zs, "Custom Eastern")
	ny, _ := time.LoadLocation("America/New_York")
	start := time.Date(1988, 1, 1, 0, 0, 0, 0, time.UTC)
	end := time.Date(2038, 1, 1, 0, 0, 0, 0, time.UTC)
	for tt := start; tt.Before(end); tt = tt.Add(time.Hour) {
		gn, got := tt.In(loc).Zone()
		wn, want := tt.In(ny).Zone()
		if got != want || gn != wn {
			t.Fatalf("at %s: %s %d, America/New_York has %s %d", tt.Format(time.RFC3339), gn, got, wn, want)
		}
	}
	tzWantUTC(t, tzUTCOf(loc, 2006, time.March, 20, 9, 0), "2006-03-20T14:00:00Z") // old rule: still EST
	tzWantUTC(t, tzUTCOf(loc, 2007, time.March, 20, 9, 0), "2007-03-20T13:00:00Z") // new rule: EDT
}

func TestZoneRDateAndFixedOffsets(t *testing.T) {
	zs := tzDecodeZones(t, `
BEGIN:VTIMEZONE
TZID:UTC+11
BEGIN:STANDARD
DTSTART:16010101T000000
TZOFFSETFROM:+1100
TZOFFSETTO:+1100
END:STANDARD
END:VTIMEZONE
BEGIN:VTIMEZONE
TZID:Kathmandu Custom
BEGIN:STANDARD
DTSTART:19700101T000000
TZOFFSETFROM:+054500
TZOFFSETTO:+054500
TZNAME:+0545
END:STANDARD
END:VTIMEZONE
BEGIN:VTIMEZONE
TZID:Rdate Zone
BEGIN:STANDARD
DTSTART:20001029T030000
TZOFFSETFROM:+0300
TZOFFSETTO:+0200
TZNAME:XST
RDATE:20011028T030000,20021027T030000
RDATE;VALUE=PERIOD:20031026T030000/PT1H
END:STANDARD
BEGIN:DAYLIGHT
DTSTART:20010325T020000
TZOFFSETFROM:+0200
TZOFFSETTO:+0300
TZNAME:XDT
RDATE:20020331T020000
RDATE:20030330T010000Z
END:DAYLIGHT
END:VTIMEZONE`)

	loc := tzMustResolve(t, zs, "UTC+11")
	if name, off := time.Date(2024, 7, 1, 0, 0, 0, 0, loc).Zone(); off != 11*3600 || name != "UTC+11" {
		t.Errorf("UTC+11 = %s %d, want fixed UTC+11 39600", name, off)
	}
	tzWantUTC(t, tzUTCOf(loc, 2024, time.January, 15, 9, 0), "2024-01-14T22:00:00Z")

	loc = tzMustResolve(t, zs, "Kathmandu Custom")
	if _, off := time.Date(2024, 1, 1, 0, 0, 0, 0, loc).Zone(); off != 5*3600+45*60 {
		t.Errorf("Kathmandu Custom offset = %d, want %d", off, 5*3600+45*60)
	}

	loc = tzMustResolve(t, zs, "Rdate Zone")
	for _, tc := range []struct {
		y       int
		m       time.Month
		d       int
		want    string
		wantAbb string
	}{
		{2000, time.July, 1, "2000-07-01T06:00:00Z", "+03"}, // before the first onset: its TZOFFSETFROM
		{2001, time.January, 15, "2001-01-15T07:00:00Z", "XST"},
		{2001, time.July, 15, "2001-07-15T06:00:00Z", "XDT"},
		{2002, time.July, 15, "2002-07-15T06:00:00Z", "XDT"},
		{2003, time.July, 15, "2003-07-15T06:00:00Z", "XDT"},
		{2004, time.July, 15, "2004-07-15T07:00:00Z", "XST"}, // no onset after 2003-10-26: stays standard
	} {
		local := time.Date(tc.y, tc.m, tc.d, 9, 0, 0, 0, loc)
		tzWantUTC(t, local.UTC(), tc.want)
		if name, _ := local.Zone(); name != tc.wantAbb {
			t.Errorf("%s: abbreviation %q, want %q", tc.want, name, tc.wantAbb)
		}
	}
	// The UTC-form RDATE 20030330T010000Z is an instant, not wall time.
	if _, off := time.Date(2003, 3, 30, 0, 59, 0, 0, time.UTC).In(loc).Zone(); off != 7200 {
		t.Errorf("offset just before 2003-03-30T01:00Z = %d, want 7200", off)
	}
	if _, off := time.Date(2003, 3, 30, 1, 0, 0, 0, time.UTC).In(loc).Zone(); off != 10800 {
		t.Errorf("offset at 2003-03-30T01:00Z = %d, want 10800", off)
	}
}

// Outlook 2003 export: a display name as TZID, rules from 2008.
const canberraZone = `
BEGIN:VTIMEZONE
TZID:Canberra, Melbourne, Sydney
BEGIN:STANDARD
DTSTART:20080406T030000
RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=1SU;BYMONTH=4
TZOFFSETFROM:+1100
TZOFFSETTO:+1000
TZNAME:Standard Time
END:STANDARD
BEGIN:DAYLIGHT
DTSTART:20081005T020000
RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=1SU;BYMONTH=10
TZOFFSETFROM:+1000
TZOFFSETTO:+1100
TZNAME:Daylight Savings Time
END:DAYLIGHT
END:VTIMEZONE`

func TestZoneOutlookDisplayNames(t *testing.T) {
	// Rules equal to Australia/Sydney's: the IANA zone is preferred.
	zs := tzDecodeZones(t, canberraZone)
	loc := tzMustResolve(t, zs, `"Canberra, Melbourne, Sydney"`)
	if loc.String() != "Australia/Sydney" {
		t.Errorf("Canberra display name = %s, want Australia/Sydney", loc)
	}
	tzWantUTC(t, tzUTCOf(loc, 2009, time.March, 10, 9, 30), "2009-03-09T22:30:00Z")
	tzWantUTC(t, tzUTCOf(loc, 2009, time.July, 10, 9, 30), "2009-07-09T23:30:00Z")

	// Same rules under a non-display TZID: the VTIMEZONE itself.
	zs = tzDecodeZones(t, strings.Replace(canberraZone, "TZID:Canberra, Melbourne, Sydney", "TZID:My Sydney", 1))
	loc = tzMustResolve(t, zs, "My Sydney")
	if loc.String() != "My Sydney" {
		t.Errorf("Location = %s, want My Sydney", loc)
	}
	tzWantUTC(t, tzUTCOf(loc, 2024, time.January, 15, 9, 0), "2024-01-14T22:00:00Z")
	tzWantUTC(t, tzUTCOf(loc, 2024, time.July, 15, 9, 0), "2024-07-14T23:00:00Z")
	if name, _ := time.Date(2024, 7, 15, 9, 0, 0, 0, loc).Zone(); name != "+10" {
		t.Errorf("TZNAME with spaces should become +10, got %q", name)
	}

	// Display names without a VTIMEZONE, old GMT prefix, diacritics.
	zs = NewZoneSet(nil)
	for _, tc := range []struct{ tzid, want string }{
		{"Canberra, Melbourne, Sydney", "Australia/Sydney"},
		{"(UTC+10:00) Canberra, Melbourne, Sydney", "Australia/Sydney"},
		{"(GMT+01:00) Amsterdam, Berlin, Bern, Rome, Stockholm, Vienna", "Europe/Berlin"},
		{"(UTC-03:00) Brasília", "America/Sao_Paulo"},
		{"(UTC-05:00) Eastern Time (US & Canada)", "America/New_York"},
	} {
		if loc := tzMustResolve(t, zs, tc.tzid); loc.String() != tc.want {
			t.Errorf("Resolve(%q) = %s, want %s", tc.tzid, loc, tc.want)
		}
	}
}

func TestZoneNonASCIITZID(t *testing.T) {
	// Brazil's rules before 2019 (DST from the 3rd Sunday of October); they
	// differ from today's America/Sao_Paulo, so the file's own rules apply.
	const brasilia = `
BEGIN:VTIMEZONE
TZID:(UTC-03:00) Brasília
BEGIN:STANDARD
DTSTART:16010101T000000
TZOFFSETFROM:-0200
TZOFFSETTO:-0300
RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=3SU;BYMONTH=2
END:STANDARD
BEGIN:DAYLIGHT
DTSTART:16010101T000000
TZOFFSETFROM:-0300
TZOFFSETTO:-0200
RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=3SU;BYMONTH=10
END:DAYLIGHT
END:VTIMEZONE`
	zs := tzDecodeZones(t, brasilia)
	loc := tzMustResolve(t, zs, `"(UTC-03:00) Brasília"`)
	if loc.String() != "(UTC-03:00) Brasília" {
		t.Errorf("Location = %q, want the file's own zone", loc)
	}
	tzWantUTC(t, tzUTCOf(loc, 2017, time.May, 11, 13, 30), "2017-05-11T16:30:00Z")
	tzWantUTC(t, tzUTCOf(loc, 2017, time.January, 11, 13, 30), "2017-01-11T15:30:00Z")

	// A fixed -03:00 definition: America/Sao_Paulo still had DST until
	// 2019, inside the 2015..2040 comparison window, so the file's own
	// definition is kept and January 2017 is -03:00 as the file says.
	zs = tzDecodeZones(t, `
BEGIN:VTIMEZONE
TZID:(UTC-03:00) Brasília
BEGIN:STANDARD
DTSTART:16010101T000000
TZOFFSETFROM:-0300
TZOFFSETTO:-0300
END:STANDARD
END:VTIMEZONE`)
	loc = tzMustResolve(t, zs, "(UTC-03:00) Brasília")
	if loc.String() != "(UTC-03:00) Brasília" {
		t.Errorf("fixed Brasília = %s, want the file's own zone", loc)
	}
	tzWantUTC(t, tzUTCOf(loc, 2017, time.January, 11, 13, 30), "2017-01-11T16:30:00Z")

	// Non-ASCII TZID that is no display name: VTIMEZONE only.
	zs = tzDecodeZones(t, `
BEGIN:VTIMEZONE
TZID:Zürich Büro
BEGIN:STANDARD
DTSTART:19700101T000000
TZOFFSETFROM:+0100
TZOFFSETTO:+0100
END:STANDARD
END:VTIMEZONE`)
	loc = tzMustResolve(t, zs, "Zürich Büro")
	tzWantUTC(t, tzUTCOf(loc, 2024, time.July, 15, 9, 0), "2024-07-15T08:00:00Z")
}

func TestZoneUnsynchronizedDTSTART(t *testing.T) {
	// Both observances start on the same date, which is no instance of
	// either rule: no transition may be invented there.
	zs := tzDecodeZones(t, `
BEGIN:VTIMEZONE
TZID:Notes CET
BEGIN:STANDARD
DTSTART:20000101T000000
TZOFFSETFROM:+0200
TZOFFSETTO:+0100
RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU
END:STANDARD
BEGIN:DAYLIGHT
DTSTART:20000101T000000
TZOFFSETFROM:+0100
TZOFFSETTO:+0200
RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU
END:DAYLIGHT
END:VTIMEZONE`)
	loc := tzMustResolve(t, zs, "Notes CET")
	tzWantUTC(t, tzUTCOf(loc, 2000, time.January, 15, 9, 0), "2000-01-15T08:00:00Z")
	tzWantUTC(t, tzUTCOf(loc, 2000, time.July, 15, 9, 0), "2000-07-15T07:00:00Z")
	// Before the first rule instance (2000-03-26): the first onset's
	// TZOFFSETFROM, i.e. standard time.
	tzWantUTC(t, tzUTCOf(loc, 1999, time.December, 31, 23, 30), "1999-12-31T22:30:00Z")
}

func TestZoneSharedBuildCache(t *testing.T) {
	a := tzMustResolve(t, tzDecodeZones(t, exchangeZone("Shared Zone")), "Shared Zone")
	b := tzMustResolve(t, tzDecodeZones(t, exchangeZone("Shared Zone")), "Shared Zone")
	if a != b {
		t.Error("identical VTIMEZONEs in two files built two Locations")
	}
	// Same TZID, other rules: not confused with the cached one.
	other := strings.Replace(exchangeZone("Shared Zone"), "TZOFFSETTO:+0200", "TZOFFSETTO:+0300", 1)
	c := tzMustResolve(t, tzDecodeZones(t, other), "Shared Zone")
	if c == a {
		t.Fatal("different VTIMEZONE rules returned the cached Location")
	}
	tzWantUTC(t, tzUTCOf(c, 2024, time.July, 15, 9, 0), "2024-07-15T06:00:00Z")
}

func TestZoneXLicLocation(t *testing.T) {
	zs := tzDecodeZones(t, `
BEGIN:VTIMEZONE
TZID:Berlin (Evolution)
X-LIC-LOCATION:Europe/Berlin
BEGIN:STANDARD
DTSTART:19700101T000000
TZOFFSETFROM:+0100
TZOFFSETTO:+0100
END:STANDARD
END:VTIMEZONE`)
	if loc := tzMustResolve(t, zs, "Berlin (Evolution)"); loc.String() != "Europe/Berlin" {
		t.Errorf("X-LIC-LOCATION not used: %s", loc)
	}
}

func TestZoneErrors(t *testing.T) {
	zs := tzDecodeZones(t, `
BEGIN:VTIMEZONE
TZID:No Offset
BEGIN:STANDARD
DTSTART:19700101T000000
TZOFFSETFROM:+0100
END:STANDARD
END:VTIMEZONE
BEGIN:VTIMEZONE
TZID:Bad Offset
BEGIN:STANDARD
DTSTART:19700101T000000
TZOFFSETFROM:+0100
TZOFFSETTO:one hour
END:STANDARD
END:VTIMEZONE
BEGIN:VTIMEZONE
TZID:Huge Offset
BEGIN:STANDARD
DTSTART:19700101T000000
TZOFFSETFROM:+0100
TZOFFSETTO:+2500
END:STANDARD
END:VTIMEZONE
BEGIN:VTIMEZONE
TZID:Bad Start
BEGIN:DAYLIGHT
DTSTART:yesterday
TZOFFSETFROM:+0100
TZOFFSETTO:+0200
END:DAYLIGHT
END:VTIMEZONE
BEGIN:VTIMEZONE
TZID:No Start
BEGIN:DAYLIGHT
TZOFFSETFROM:+0100
TZOFFSETTO:+0200
END:DAYLIGHT
END:VTIMEZONE
BEGIN:VTIMEZONE
TZID:Bad Rule
BEGIN:STANDARD
DTSTART:19700101T000000
TZOFFSETFROM:+0100
TZOFFSETTO:+0100
RRULE:FREQ=YEARLY;BYMONTH=13
END:STANDARD
END:VTIMEZONE
BEGIN:VTIMEZONE
TZID:Secondly Rule
BEGIN:STANDARD
DTSTART:16010101T000000
TZOFFSETFROM:+0100
TZOFFSETTO:+0200
RRULE:FREQ=SECONDLY
END:STANDARD
END:VTIMEZONE
BEGIN:VTIMEZONE
TZID:Empty Zone
END:VTIMEZONE
BEGIN:VTIMEZONE
TZID:Bad Rdate
BEGIN:STANDARD
DTSTART:19700101T000000
TZOFFSETFROM:+0100
TZOFFSETTO:+0100
RDATE:2001-01-01
END:STANDARD
END:VTIMEZONE`)
	for _, tc := range []struct{ tzid, want string }{
		{"Nowhere/Special", `calendar: unknown time zone "Nowhere/Special"`},
		{`"Not A Zone"`, `calendar: unknown time zone "Not A Zone"`},
		{"Local", `calendar: unknown time zone "Local"`},
		{"  ", `calendar: empty time zone id "  "`},
		{"No Offset", `calendar: time zone "No Offset": STANDARD #1: missing TZOFFSETTO`},
		{"Bad Offset", `calendar: time zone "Bad Offset": STANDARD #1: TZOFFSETTO: "one hour" is not a UTC offset (+hhmm)`},
		{"Huge Offset", `calendar: time zone "Huge Offset": STANDARD #1: TZOFFSETTO: UTC offset "+2500" out of range`},
		{"Bad Start", `calendar: time zone "Bad Start": DAYLIGHT #1: DTSTART: "yesterday" is not a DATE-TIME`},
		{"No Start", `calendar: time zone "No Start": DAYLIGHT #1: missing DTSTART`},
		{"Bad Rule", `calendar: time zone "Bad Rule": STANDARD #1: RRULE "FREQ=YEARLY;BYMONTH=13": bymonth must be between 1 and 12`},
		{"Secondly Rule", `calendar: time zone "Secondly Rule": STANDARD #1: RRULE "FREQ=SECONDLY": FREQ=SECONDLY is not a time-zone rule (want YEARLY or MONTHLY)`},
		{"Empty Zone", `calendar: time zone "Empty Zone": VTIMEZONE has no STANDARD or DAYLIGHT sub-component`},
		{"Bad Rdate", `calendar: time zone "Bad Rdate": STANDARD #1: RDATE "2001-01-01": "2001-01-01" is not a DATE-TIME`},
	} {
		loc, err := zs.Resolve(tc.tzid)
		if err == nil {
			t.Errorf("Resolve(%q) = %v, want error %q", tc.tzid, loc, tc.want)
			continue
		}
		if err.Error() != tc.want {
			t.Errorf("Resolve(%q) error\n got: %s\nwant: %s", tc.tzid, err, tc.want)
		}
	}
}

func TestZoneCacheAndNil(t *testing.T) {
	zs := tzDecodeZones(t, exchangeZone("Custom"))
	a := tzMustResolve(t, zs, "Custom")
	b := tzMustResolve(t, zs, "Custom")
	if a != b {
		t.Error("second Resolve built a new Location; want the cached one")
	}
	_, err1 := zs.Resolve("Nope")
	_, err2 := zs.Resolve("Nope")
	if err1 == nil || err1 != err2 {
		t.Errorf("errors not cached: %v / %v", err1, err2)
	}
	// Lookup of a VTIMEZONE ignores case and quotes around the TZID property.
	zs = tzDecodeZones(t, exchangeZone(`"Quoted Custom"`))
	if loc := tzMustResolve(t, zs, "quoted custom"); loc.String() != "quoted custom" {
		t.Errorf("Location = %s", loc)
	}
	// A TZID property with TEXT escapes matches the unescaped parameter.
	zs = tzDecodeZones(t, exchangeZone(`Berlin\, Office`))
	if loc := tzMustResolve(t, zs, `"Berlin, Office"`); loc.String() != "Berlin, Office" {
		t.Errorf("escaped TZID: Location = %s", loc)
	}
	var nilSet *ZoneSet
	if loc := tzMustResolve(t, nilSet, "Europe/Berlin"); loc.String() != "Europe/Berlin" {
		t.Errorf("nil ZoneSet: %s", loc)
	}
	if _, err := nilSet.Resolve("Custom"); err == nil {
		t.Error("nil ZoneSet resolved a VTIMEZONE-only id")
	}
}

func TestZoneIgnoresNonTimezones(t *testing.T) {
	ev := ical.NewComponent(ical.CompEvent)
	ev.Props.SetText(ical.PropTimezoneID, "Custom")
	zs := NewZoneSet([]*ical.Component{nil, ev})
	if _, err := zs.Resolve("Custom"); err == nil {
		t.Error("a VEVENT with a TZID property was taken as a VTIMEZONE")
	}
}

func FuzzZoneSet(f *testing.F) {
	f.Add(exchangeZone("Custom"))
	f.Add(usEasternHistoric)
	f.Add(canberraZone)
	f.Add("BEGIN:VTIMEZONE\nTZID:X\nBEGIN:STANDARD\nDTSTART:16010101T000000\nTZOFFSETFROM:+0100\nTZOFFSETTO:+0200\nRRULE:FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30\nEND:STANDARD\nEND:VTIMEZONE")
	f.Add("BEGIN:VTIMEZONE\nTZID:X\nBEGIN:DAYLIGHT\nDTSTART:20000101T000000Z\nTZOFFSETFROM:-235959\nTZOFFSETTO:+235959\nRDATE;VALUE=PERIOD:20010101T000000/PT1H,20020101\nEND:DAYLIGHT\nEND:VTIMEZONE")
	f.Add("BEGIN:VTIMEZONE\nTZID:X\nBEGIN:STANDARD\nDTSTART:99991231T235959\nTZOFFSETTO:+0000\nRRULE:FREQ=MONTHLY;INTERVAL=0;COUNT=-1\nEND:STANDARD\nEND:VTIMEZONE")
	f.Fuzz(func(t *testing.T, body string) {
		text := "BEGIN:VCALENDAR\r\n" + strings.ReplaceAll(body, "\n", "\r\n") + "\r\nEND:VCALENDAR\r\n"
		cal, ok := func() (cal *ical.Calendar, ok bool) {
			defer func() {
				if recover() != nil { // a go-ical decoder panic is not ours to find
					ok = false
				}
			}()
			c, err := ical.NewDecoder(strings.NewReader(text)).Decode()
			return c, err == nil
		}()
		if !ok {
			return
		}
		zs := NewZoneSet(cal.Children)
		for _, c := range cal.Children {
			tzid := ""
			if p := c.Props.Get(ical.PropTimezoneID); p != nil {
				tzid = p.Value
			}
			loc, err := zs.Resolve(tzid)
			if err != nil {
				if !strings.HasPrefix(err.Error(), "calendar: ") {
					t.Fatalf("error without prefix: %v", err)
				}
				if loc != nil {
					t.Fatalf("Location %v together with error %v", loc, err)
				}
				continue
			}
			if loc == nil {
				t.Fatalf("nil Location without error for %q", tzid)
			}
			for _, y := range []int{1960, 2024, 2150} {
				local := time.Date(y, time.July, 1, 9, 0, 0, 0, loc)
				if d := local.Sub(time.Date(y, time.July, 1, 9, 0, 0, 0, time.UTC)); d > 26*time.Hour || d < -26*time.Hour {
					t.Fatalf("offset %v out of range in %s", d, loc)
				}
			}
		}
	})
}

func BenchmarkZoneSetResolve(b *testing.B) {
	zs := tzDecodeZones(b, exchangeZone("Customized Time Zone")+"\n"+canberraZone)
	ids := []string{"Customized Time Zone", "W. Europe Standard Time", `"Europe/Berlin"`, "Canberra, Melbourne, Sydney"}
	for _, id := range ids {
		if _, err := zs.Resolve(id); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := zs.Resolve(ids[i%len(ids)]); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkZoneSetBuildVTimezone(b *testing.B) {
	zs := tzDecodeZones(b, exchangeZone("Customized Time Zone"))
	vtz := zs.lookup("Customized Time Zone")
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, _, err := locationFromVTimezone("Customized Time Zone", vtz, maxOnsets); err != nil {
			b.Fatal(err)
		}
	}
}

func TestZoneRuleExpansion(t *testing.T) {
	start := time.Date(1601, 1, 1, 2, 0, 0, 0, time.UTC)
	walls, err := expandZoneRule("FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU", start, 3600, maxOnsets)
	if err != nil {
		t.Fatal(err)
	}
	// rrule-go alone would stop at DTSTART+290 years (1891); the rule must
	// reach 2100.
	if n := len(walls); n != 500 || walls[n-1].Year() != 2100 {
		t.Fatalf("got %d onsets ending %v, want 500 ending in 2100", n, walls[len(walls)-1])
	}
	// Sparse but valid: 29 February on a Monday (2016, 2044, ...).
	walls, err = expandZoneRule("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29;BYDAY=MO", start, 0, maxOnsets)
	if err != nil {
		t.Fatal(err)
	}
	found := map[int]bool{}
	for _, w := range walls {
		found[w.Year()] = true
	}
	if !found[2016] || !found[2044] || found[2020] {
		t.Errorf("29 Feb Mondays: got years %v", found)
	}
	for _, rule := range []string{
		"FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30",
		"FREQ=MONTHLY;BYMONTH=4;BYMONTHDAY=31",
		"FREQ=YEARLY;INTERVAL=3;BYMONTH=6;BYMONTHDAY=31",
	} {
		opt, err := rrule.StrToROption(rule)
		if err != nil {
			t.Fatal(err)
		}
		opt.Dtstart = start
		if !ruleNeverFires(*opt) {
			t.Errorf("ruleNeverFires(%s) = false", rule)
		}
		if walls, err := expandZoneRule(rule, start, 0, maxOnsets); err != nil || len(walls) != 0 {
			t.Errorf("%s: %d onsets, %v", rule, len(walls), err)
		}
	}
	for _, rule := range []string{
		"FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29;BYDAY=MO",
		"FREQ=YEARLY;INTERVAL=7;BYMONTH=10;BYDAY=-1SU",
		"FREQ=MONTHLY;INTERVAL=5;BYDAY=1SU",
	} {
		opt, err := rrule.StrToROption(rule)
		if err != nil {
			t.Fatal(err)
		}
		opt.Dtstart = start
		if ruleNeverFires(*opt) {
			t.Errorf("ruleNeverFires(%s) = true for a rule that fires", rule)
		}
	}
	if _, err := expandZoneRule("FREQ=MONTHLY;BYHOUR=1,2,3,4,5,6,7,8,9,10,11,12;BYMINUTE=1,2,3,4,5,6,7,8,9,10", start, 0, maxOnsets); err == nil || !strings.Contains(err.Error(), "more than 20000 onsets") {
		t.Errorf("unbounded rule: err = %v", err)
	}
}
