package calendar

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"
)

func mustLoc(t testing.TB, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func parseFile(t testing.TB, file, zone, owner string) *Feed {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", file))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	feed, err := ParseICS(f, ParseOptions{Name: file, Owner: owner, Zone: mustLoc(t, zone)})
	if err != nil {
		t.Fatalf("ParseICS(%s): %v", file, err)
	}
	return feed
}

func parseText(t testing.TB, text, zone string) *Feed {
	t.Helper()
	feed, err := ParseICS(strings.NewReader(text), ParseOptions{Name: "inline", Owner: "owner@example.com", Zone: mustLoc(t, zone)})
	if err != nil {
		t.Fatalf("ParseICS: %v", err)
	}
	return feed
}

func utc(s string) time.Time {
	for _, layout := range []string{time.RFC3339, "2006-01-02T15:04", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t
		}
	}
	panic("bad time " + s)
}

func expandAll(t testing.TB, feed *Feed, from, to string) []Occurrence {
	t.Helper()
	occs, warns := Expand(feed.Events, Window{From: utc(from), To: utc(to)}, ExpandOptions{})
	for _, w := range warns {
		t.Logf("expand warning: %s", w)
	}
	return occs
}

func ofUID(occs []Occurrence, uid string) []Occurrence {
	var out []Occurrence
	for _, o := range occs {
		if o.UID == uid || o.SeriesUID == uid {
			out = append(out, o)
		}
	}
	return out
}

func liveOnly(occs []Occurrence) []Occurrence {
	var out []Occurrence
	for _, o := range occs {
		if !o.Cancelled() {
			out = append(out, o)
		}
	}
	return out
}

func starts(occs []Occurrence) string {
	var s []string
	for _, o := range occs {
		x := o.Start.UTC().Format("01-02T15:04")
		if o.Cancelled() {
			x += "(" + string(o.CancelReason) + ")"
		}
		s = append(s, x)
	}
	return strings.Join(s, " ")
}

func wantStarts(t *testing.T, what string, occs []Occurrence, want string) {
	t.Helper()
	if got := starts(occs); got != want {
		t.Errorf("%s: starts\n got %s\nwant %s", what, got, want)
	}
}

func hasWarning(ws []string, parts ...string) bool {
outer:
	for _, w := range ws {
		for _, p := range parts {
			if !strings.Contains(w, p) {
				continue outer
			}
		}
		return true
	}
	return false
}

func TestGoogleExport(t *testing.T) {
	berlin := mustLoc(t, "Europe/Berlin")
	feed := parseFile(t, "google_export.ics", "Europe/Berlin", "Alice@Example.com")
	if len(feed.Warnings) != 0 {
		t.Errorf("warnings: %q", feed.Warnings)
	}
	if feed.Owner != "alice@example.com" || feed.Name != "google_export.ics" {
		t.Errorf("feed owner/name = %q/%q", feed.Owner, feed.Name)
	}
	occs := expandAll(t, feed, "2024-03-01", "2024-05-01")

	weekly := ofUID(occs, "weekly@google.com")
	wantStarts(t, "weekly", weekly, "03-04T08:00 03-11T08:00(exdate) 03-19T13:00 03-25T08:00(status) 04-01T07:00 04-08T07:00")
	if len(weekly) != 6 {
		t.Fatalf("weekly: %d occurrences", len(weekly))
	}
	first := weekly[0]
	if first.Title != "Alice, Bob 1:1; weekly \\ sync\nagenda" {
		t.Errorf("title unescaped = %q", first.Title)
	}
	if first.Organizer != "alice@example.com" || len(first.Attendees) != 3 {
		t.Fatalf("organizer %q attendees %+v", first.Organizer, first.Attendees)
	}
	if a := first.Attendees[0]; a.Email != "alice@example.com" || a.Name != "Alice Example" || !a.Organizer || a.Response != ResponseAccepted {
		t.Errorf("attendee 0 = %+v", a)
	}
	if a := first.Attendees[1]; a.Email != "bob@example.com" || a.Name != "Bob" || a.Resource {
		t.Errorf("attendee 1 (folded inside X-NUM-GUESTS) = %+v", a)
	}
	if a := first.Attendees[2]; !a.Resource || a.Email != "room1@resource.calendar.google.com" {
		t.Errorf("attendee 2 (room) = %+v", a)
	}
	if !first.Recurring || first.Override || first.Moved() || first.Owner != "alice@example.com" || first.Source != "google_export.ics" {
		t.Errorf("first = %+v", first)
	}
	moved := weekly[2]
	if !moved.Override || !moved.Moved() || !moved.OriginalStart.Equal(time.Date(2024, 3, 18, 9, 0, 0, 0, berlin)) || moved.Title != "Alice, Bob 1:1 (moved)" {
		t.Errorf("moved = %+v", moved)
	}
	declined := weekly[4]
	if !declined.Override || declined.Moved() || declined.Attendees[1].Response != ResponseDeclined {
		t.Errorf("declined override (UTC RECURRENCE-ID against a TZID series) = %+v", declined)
	}
	// DST: 09:00 local both before and after the change.
	if h := weekly[5].Start.In(berlin).Hour(); h != 9 {
		t.Errorf("after DST the instance starts at %d:00 local", h)
	}
	for _, o := range weekly {
		if o.Sequence != 1 {
			t.Errorf("%s: Sequence = %d, want the series' highest (1)", o.Start, o.Sequence)
		}
	}

	split := ofUID(occs, "split@google.com")
	wantStarts(t, "split series", split, "03-05T09:00 03-12T09:00 03-19T10:00 03-26T10:00")
	for _, o := range split {
		if o.SeriesUID != "split@google.com" {
			t.Errorf("SeriesUID of %s = %q", o.UID, o.SeriesUID)
		}
	}
	if d := Dedup(split); len(d) != 4 {
		t.Errorf("split series after Dedup: %d occurrences, want 4", len(d))
	}

	orphan := ofUID(occs, "orphan@google.com")
	if len(orphan) != 1 || !orphan[0].Override || !orphan[0].Recurring || orphan[0].Organizer != "carol@example.com" {
		t.Errorf("orphan override = %+v", orphan)
	}
	allDay := ofUID(occs, "allday@google.com")
	if len(allDay) != 1 || !allDay[0].AllDay || !allDay[0].Transparent ||
		!allDay[0].Start.Equal(time.Date(2024, 3, 7, 0, 0, 0, 0, berlin)) || !allDay[0].End.Equal(time.Date(2024, 3, 8, 0, 0, 0, 0, berlin)) {
		t.Errorf("all-day = %+v", allDay)
	}
}

func TestOutlookPublish(t *testing.T) {
	feed := parseFile(t, "outlook_publish.ics", "Europe/Berlin", "carol@example.com")
	if !hasWarning(feed.Warnings, "outlook_publish.ics", "line 49", "END:VCALENDARD") {
		t.Errorf("no warning for END:VCALENDARD; got %q", feed.Warnings)
	}
	if len(feed.Events) != 3 {
		t.Fatalf("%d events, want 3", len(feed.Events))
	}
	c := feed.Events[0]
	if !c.TitleCancelled || c.Title != "1:1 Carol / Dave" || c.Status != StatusConfirmed || c.Sequence != 2 {
		t.Errorf("cancelled-by-title event = %+v", c)
	}
	if !c.Start.Equal(utc("2024-06-04T08:00:00Z")) {
		t.Errorf("Windows TZID start = %s, want 08:00Z", c.Start)
	}
	if c.Attendees[0].Response != ResponseNeeds {
		t.Errorf("PARTSTAT=NEEDS-ACTION = %q", c.Attendees[0].Response)
	}
	if !feed.Events[1].OutOfOffice || !feed.Events[1].AllDay {
		t.Errorf("OOF event = %+v", feed.Events[1])
	}
	if got := feed.Events[2].Recurrence.RRules; len(got) != 1 || got[0] != "FREQ=DAILY;COUNT=3;BYDAY=MO,TU,WE,TH,FR" {
		t.Errorf("normalised RRULE = %q", got)
	}
	occs := expandAll(t, feed, "2024-06-01", "2024-07-01")
	wantStarts(t, "outlook", occs, "06-04T08:00(title-prefix) 06-05T07:15 06-06T07:15 06-07T07:15 06-09T22:00")
	if d := occs[1].End.Sub(occs[1].Start); d != 15*time.Minute {
		t.Errorf("DURATION:PT15M gave %s", d)
	}
}

func TestConfluence(t *testing.T) {
	feed := parseFile(t, "confluence.ics", "UTC", "x@example.com")
	la := mustLoc(t, "America/Los_Angeles")
	if !hasWarning(feed.Warnings, "line 11", "continuation") {
		t.Errorf("no warning for the broken fold; got %q", feed.Warnings)
	}
	if !hasWarning(feed.Warnings, "UID bad-zone@confluence.example.com", `"Mars/Olympus_Mons"`, "X-WR-TIMEZONE America/Los_Angeles") {
		t.Errorf("no fallback warning naming UID and TZID; got %q", feed.Warnings)
	}
	ev := feed.Events[0]
	if ev.Organizer != "dlatham@example.com" {
		t.Errorf("organizer with parameters after the colon = %q", ev.Organizer)
	}
	if len(ev.Attendees) != 1 || ev.Attendees[0] != (Attendee{Email: "erin@example.com", Name: "Erin", Response: ResponseAccepted, Resource: true}) {
		t.Errorf("attendees = %+v", ev.Attendees)
	}
	occs := expandAll(t, feed, "2019-01-01", "2022-01-01")
	if n := len(ofUID(occs, "deleted-series@confluence.example.com")); n != 0 {
		t.Errorf("UNTIL before DTSTART: %d occurrences, want none", n)
	}
	wantStarts(t, "weekly all-day", ofUID(occs, "weekly-allday@confluence.example.com"),
		"06-06T00:00 06-13T00:00 06-20T00:00(exdate) 06-27T00:00 07-04T00:00(exdate)")
	bad := ofUID(occs, "bad-zone@confluence.example.com")
	if len(bad) != 1 || !bad[0].Start.Equal(time.Date(2019, 6, 10, 10, 0, 0, 0, la)) {
		t.Errorf("unknown TZID should fall back to X-WR-TIMEZONE: %+v", bad)
	}
}

func TestOverridesAndSequences(t *testing.T) {
	feed := parseFile(t, "sequences.ics", "UTC", "o@example.com")
	// Two masters are re-exported with a higher SEQUENCE: the older copy
	// is dropped with a warning.
	if len(feed.Warnings) != 2 || !hasWarning(feed.Warnings, "UID exdate-beats-old-override", "higher SEQUENCE") ||
		!hasWarning(feed.Warnings, "UID reexport", "higher SEQUENCE") {
		t.Errorf("warnings: %q", feed.Warnings)
	}
	occs := expandAll(t, feed, "2019-01-01", "2026-01-01")
	aug := Window{From: utc("2024-08-01"), To: utc("2024-09-01")}
	inWindow := func(occs []Occurrence, w Window) []Occurrence {
		var out []Occurrence
		for _, o := range occs {
			if overlaps(o.Start, o.End, w) {
				out = append(out, o)
			}
		}
		return out
	}
	// issue_163: an EXDATE on a higher-SEQUENCE master beats an older override.
	wantStarts(t, "exdate beats old override", inWindow(ofUID(occs, "exdate-beats-old-override"), aug),
		"08-19T00:00(exdate)")
	// issue_253: an override the current master no longer has is dropped.
	wantStarts(t, "stale override", inWindow(ofUID(occs, "stale-core-override"), Window{From: utc("2024-07-01"), To: utc("2024-09-01")}),
		"07-01T00:00 07-15T00:00")
	// An override with a lower SEQUENCE than its master still applies.
	low := ofUID(occs, "low-sequence-override")
	wantStarts(t, "low sequence override", low, "09-20T10:00 09-21T10:00 09-22T12:00 09-23T10:00 09-24T10:00")
	if low[2].Title != "Modified event" || !low[2].Override {
		t.Errorf("override = %+v", low[2])
	}
	// DATE vs DATE-TIME RECURRENCE-IDs.
	d := ofUID(occs, "rid-formats-date")
	wantStarts(t, "DATE series, DATE-TIME id", d, "09-07T00:00 09-15T00:00 09-21T00:00")
	if d[1].Title != "Modified by DATE-TIME id" || !d[1].OriginalStart.Equal(utc("2020-09-14")) {
		t.Errorf("override by DATE-TIME id = %+v", d[1])
	}
	dt := ofUID(occs, "rid-formats-datetime")
	wantStarts(t, "DATE-TIME series, DATE id", dt, "09-07T09:00 09-14T14:00 09-21T09:00")
	if dt[1].Title != "Modified by DATE id" || !dt[1].OriginalStart.Equal(utc("2020-09-14T09:00")) {
		t.Errorf("override by DATE id = %+v", dt[1])
	}
	// issue_18: a STATUS:CANCELLED override cancels one instance.
	wantStarts(t, "cancel override", ofUID(occs, "cancel-override"), "01-28T09:00 01-29T09:00(status) 01-30T09:00")
	// issue_75: RANGE=THISANDFUTURE.
	titles := map[string]string{}
	for _, o := range ofUID(occs, "range") {
		titles[o.Start.Format("01-02")] = o.Title
	}
	for day, want := range map[string]string{
		"09-01": "ORIGINAL", "09-11": "ORIGINAL", "09-13": "MODIFIED", "09-14": "MODIFIED", "09-15": "MODIFIED",
		"09-17": "MODIFIED", "09-19": "MODIFIED", "09-22": "EDITED", "09-24": "EDITED", "09-26": "EDITED",
	} {
		if titles[day] != want {
			t.Errorf("range: %s title %q, want %q (all: %v)", day, titles[day], want, titles)
		}
	}
	if _, ok := titles["09-21"]; ok {
		t.Errorf("range: the 09-21 instance should have moved to 09-22")
	}
	// Master STATUS:CANCELLED cancels every instance.
	wantStarts(t, "master cancelled", ofUID(occs, "master-cancelled"), "01-02T09:00(status) 01-09T09:00(status)")
	// issue_148: the higher-SEQUENCE copy (another VCALENDAR) wins, its EXDATE/RDATE sets only.
	re := ofUID(occs, "reexport")
	wantStarts(t, "re-export", re, "07-01T00:00 07-15T00:00 07-29T00:00(exdate) 07-30T00:00")
	if re[0].Title != "test123 - edited" {
		t.Errorf("re-export title = %q", re[0].Title)
	}
}

func TestRecurrenceRules(t *testing.T) {
	feed := parseFile(t, "rrules.ics", "UTC", "o@example.com")
	if !hasWarning(feed.Warnings, "VEVENT at line 51 (UID typo)", "UNTL") {
		t.Errorf("no warning for the RRULE typo; got %q", feed.Warnings)
	}
	// A floating UNTIL beside a TZID'd DTSTART is read in DTSTART's zone, with a warning.
	if !hasWarning(feed.Warnings, "UID floating-until", "UNTIL", "America/Los_Angeles") || len(feed.Warnings) != 2 {
		t.Errorf("warnings: %q", feed.Warnings)
	}
	occs := expandAll(t, feed, "2019-01-01", "2025-01-01")
	wantStarts(t, "duplicated RRULE", ofUID(occs, "duplicated-rrule"), "01-05T10:00 01-12T10:00 01-19T10:00 01-26T10:00")
	wantStarts(t, "two RRULEs", ofUID(occs, "multiple-rrules"), "02-02T10:00 02-09T10:00 02-13T10:00 02-16T10:00 03-13T10:00")
	wantStarts(t, "UTC EXDATE list", ofUID(occs, "utc-exdate-list"),
		"10-15T08:00(exdate) 10-22T08:00(exdate) 10-29T09:00 11-05T09:00(exdate)")
	p := ofUID(occs, "rdate-period")
	wantStarts(t, "RDATE PERIOD", p, "01-03T14:00 01-10T15:00 01-17T15:00 01-24T14:00")
	if len(p) == 4 {
		for i, want := range []time.Duration{time.Hour, 2 * time.Hour, 30 * time.Minute, time.Hour} {
			if got := p[i].End.Sub(p[i].Start); got != want {
				t.Errorf("RDATE PERIOD %d: duration %s, want %s", i, got, want)
			}
		}
	}
	wantStarts(t, "DATE EXDATE", ofUID(occs, "date-exdate"), "06-09T03:00 06-10T03:00 06-11T03:00(exdate) 06-12T03:00")
	wantStarts(t, "floating UNTIL", ofUID(occs, "floating-until"), "01-01T17:00 01-02T17:00 01-03T17:00")
	wantStarts(t, "typo kept as single", ofUID(occs, "typo"), "10-01T10:00")

	ny := mustLoc(t, "America/New_York")
	dst := ofUID(expandAll(t, feed, "2024-03-01", "2024-03-16"), "dst-weekly")
	wantStarts(t, "DST", dst, "03-01T14:00 03-08T14:00 03-15T13:00")
	for _, o := range dst {
		if o.Start.In(ny).Hour() != 9 || o.Moved() {
			t.Errorf("DST instance %s: local hour %d, moved %v", o.Start, o.Start.In(ny).Hour(), o.Moved())
		}
	}
	endless := ofUID(expandAll(t, feed, "2024-01-01", "2024-01-08"), "endless-daily-1990")
	wantStarts(t, "endless", endless, "01-01T08:00 01-02T08:00 01-03T08:00 01-04T08:00 01-05T08:00 01-06T08:00 01-07T08:00")
}

func TestNormalizeRRule(t *testing.T) {
	ny := mustLoc(t, "America/New_York")
	start := time.Date(2024, 1, 1, 9, 0, 0, 0, ny)
	for _, tc := range []struct {
		in, want string
		allDay   bool
	}{
		{"FREQ=YEARLY;BYMONTH=11;BYDAY=1SU;", "FREQ=YEARLY;BYMONTH=11;BYDAY=1SU", false},
		{"freq=weekly; byday=MO, TU ,WE", "FREQ=WEEKLY;BYDAY=MO,TU,WE", false},
		{"FREQ=DAILY;;UNTIL=20240105T090000", "FREQ=DAILY;UNTIL=20240105T140000Z", false},
		{"FREQ=DAILY;UNTIL=20240105", "FREQ=DAILY;UNTIL=20240106T045959Z", false},
		{"FREQ=DAILY;UNTIL=20240105", "FREQ=DAILY;UNTIL=20240105T050000Z", true},
		{"FREQ=DAILY;UNTIL=20240105T090000Z", "FREQ=DAILY;UNTIL=20240105T090000Z", false},
	} {
		got, err := normalizeRRule(tc.in, start, tc.allDay)
		if err != nil || got != tc.want {
			t.Errorf("normalizeRRule(%q, allDay=%v) = %q, %v; want %q", tc.in, tc.allDay, got, err, tc.want)
		}
	}
	for _, tc := range []struct{ in, want string }{
		{"RSCALE=HEBREW;FREQ=YEARLY;SKIP=FORWARD", "RSCALE (RFC 7529) is not supported"},
		{"FREQ=WEEKLY;UNTL=20191023", "unknown RRULE property: UNTL"},
		{"FREQ=WEEKLY;BYDAY", `part "BYDAY" is not KEY=VALUE`},
		{"FREQ=FORTNIGHTLY", "FORTNIGHTLY"},
		{"FREQ=DAILY;UNTIL=2024", "UNTIL: invalid date"},
	} {
		_, err := normalizeRRule(tc.in, start, false)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("normalizeRRule(%q) error = %v; want it to contain %q", tc.in, err, tc.want)
		}
	}
}

func TestParseRecurrenceLines(t *testing.T) {
	berlin := mustLoc(t, "Europe/Berlin")
	start := time.Date(2024, 3, 4, 9, 0, 0, 0, berlin)
	rs, err := ParseRecurrenceLines([]string{
		"RRULE:FREQ=WEEKLY;BYDAY=MO;UNTIL=20240401T065959Z",
		"EXDATE;TZID=Europe/Berlin:20240311T090000,20240318T090000",
		"EXDATE:20240325T080000Z",
		"RDATE;VALUE=DATE:20240320",
		`RDATE;TZID="America/New_York":20240321T040000`,
	}, start, false)
	if err != nil {
		t.Fatal(err)
	}
	if len(rs.RRules) != 1 || len(rs.ExDates) != 3 || len(rs.RDates) != 2 || rs.RDateEnds != nil {
		t.Fatalf("set = %+v", rs)
	}
	if !rs.RDates[0].Equal(time.Date(2024, 3, 20, 9, 0, 0, 0, berlin)) || !rs.RDates[1].Equal(utc("2024-03-21T08:00:00Z")) {
		t.Errorf("RDATEs = %v", rs.RDates)
	}
	ev := Event{UID: "g", SeriesUID: "g", Start: start, End: start.Add(time.Hour), Recurrence: rs, Status: StatusConfirmed}
	occs, _ := Expand([]Event{ev}, Window{From: utc("2024-03-01"), To: utc("2024-05-01")}, ExpandOptions{})
	wantStarts(t, "google lines", occs, "03-04T08:00 03-11T08:00(exdate) 03-18T08:00(exdate) 03-20T08:00 03-21T08:00 03-25T08:00(exdate)")

	allDay, err := ParseRecurrenceLines([]string{"RRULE:FREQ=YEARLY", "EXDATE;VALUE=DATE:20250101"}, time.Date(2024, 1, 1, 0, 0, 0, 0, berlin), true)
	if err != nil || len(allDay.ExDates) != 1 || !allDay.ExDates[0].Equal(time.Date(2025, 1, 1, 0, 0, 0, 0, berlin)) {
		t.Errorf("all-day EXDATE: %+v, %v", allDay, err)
	}

	_, err = ParseRecurrenceLines([]string{"RRULE:FREQ=WEEKLY", "RRULE:FREQ=SOMETIMES", "FOO:bar", "EXDATE:2024"}, start, false)
	for _, want := range []string{"calendar: recurrence line 2", "SOMETIMES", "line 3", `unknown recurrence property "FOO"`, "line 4", "invalid date"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v; want it to contain %q", err, want)
		}
	}
}

func TestSeriesUID(t *testing.T) {
	for in, want := range map[string]string{
		"abc_R20231009T130000@google.com":    "abc@google.com",
		"_6krj2_R20231009T130000@google.com": "_6krj2@google.com",
		"abc@google.com":                     "abc@google.com",
		"abc_R2023@google.com":               "abc_R2023@google.com",
		"abc_R20231009T130000":               "abc",
		"x_R20231009T130000y@google.com":     "x_R20231009T130000y@google.com",
	} {
		if got := seriesUID(in); got != want {
			t.Errorf("seriesUID(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCopiedCorpusFiles(t *testing.T) {
	la := "America/Los_Angeles"
	// ical.js recur_instances: original starts of the first six instances
	// (two are moved by overrides), three EXDATEs.
	feed := parseFile(t, "icaljs__recur_instances.ics", la, "o@example.com")
	var orig []string
	for _, o := range liveOnly(expandAll(t, feed, "2012-09-01", "2013-01-10")) {
		orig = append(orig, o.OriginalStart.UTC().Format("2006-01-02T15:04"))
	}
	sort.Strings(orig)
	if got := strings.Join(orig, " "); got != "2012-10-02T17:00 2012-11-05T18:00 2012-11-06T18:00 2012-11-10T18:00 2012-11-30T18:00 2013-01-01T18:00" {
		t.Errorf("recur_instances original starts: %s", got)
	}
	all := expandAll(t, feed, "2012-09-01", "2013-05-01")
	var ex []string
	for _, o := range all {
		if o.CancelReason == CancelExdate {
			ex = append(ex, o.Start.UTC().Format("2006-01-02T15:04"))
		}
	}
	if got := strings.Join(ex, " "); got != "2012-12-04T18:00 2013-02-05T18:00 2013-04-02T17:00" {
		t.Errorf("recur_instances EXDATEs: %s", got)
	}
	if a := all[1].Attendees; all[1].Override || len(a) != 3 || a[0].Response != ResponseAccepted || a[1].Response != ResponseNeeds {
		t.Errorf("attendees: %+v", a)
	}

	finite := parseFile(t, "icaljs__recur_instances_finite.ics", la, "o@example.com")
	wantStarts(t, "recur_instances_finite", expandAll(t, finite, "2000-01-01", "2100-01-01"),
		"10-02T17:00 11-05T18:00 11-06T18:00 11-10T18:00 12-04T18:00")

	wantStarts(t, "rdate_exdate (DATE EXDATE against DATE-TIME)", expandAll(t, parseFile(t, "icaljs__rdate_exdate.ics", "UTC", ""), "2000-01-01", "2100-01-01"),
		"06-09T03:00 06-10T03:00 06-11T03:00(exdate) 06-12T03:00")

	exUTC := expandAll(t, parseFile(t, "ical4j__EXDATE-IN-UTC.ics", "America/Chicago", ""), "2007-05-01", "2007-06-01")
	if n := len(exUTC) - len(liveOnly(exUTC)); n != 2 {
		t.Errorf("EXDATE-IN-UTC: %d cancelled, want 2: %s", n, starts(exUTC))
	}

	lines := parseFile(t, "icalendar__event_with_recurrence_exdates_on_different_lines.ics", "Europe/Vienna", "")
	if len(lines.Events) != 1 || lines.Events[0].Recurrence == nil || len(lines.Events[0].Recurrence.ExDates) != 5 {
		t.Fatalf("bare VEVENT with 5 EXDATE lines: %+v", lines.Events)
	}
	for _, d := range lines.Events[0].Recurrence.ExDates {
		if d.Hour() != 10 || d.Location().String() != "Europe/Vienna" {
			t.Errorf("EXDATE %s", d)
		}
	}

	// Outlook display-name TZID, endless daily rule: a 30-year window must not hang.
	standup := parseFile(t, "ical4j__Standup.ics", "UTC", "")
	if hasWarning(standup.Warnings, "unknown TZID") {
		t.Errorf("Standup warnings: %q", standup.Warnings)
	}
	if n := len(expandAll(t, standup, "2000-01-01", "2030-01-01")); n < 5000 {
		t.Errorf("Standup: %d occurrences over 30 years", n)
	}

	tokyo := parseFile(t, "icalendar__timezone_same_start_and_offset.ics", "UTC", "")
	if len(tokyo.Events) != 1 || !tokyo.Events[0].Start.Equal(utc("2017-02-24T03:00:00Z")) {
		t.Errorf("Tokyo Standard Time start: %+v", tokyo.Events)
	}
	if !hasWarning(tokyo.Warnings, "END:VCALENDARD") {
		t.Errorf("VCALENDARD: %q", tokyo.Warnings)
	}

	if bom := parseFile(t, "icalendar__bom_calendar.ics", "UTC", ""); len(bom.Events) != 0 || len(bom.Warnings) != 0 {
		t.Errorf("BOM calendar: %+v", bom)
	}
	spaces := parseFile(t, "icalendar__issue_165_missing_event.ics", "UTC", "")
	if len(spaces.Events) != 1 || spaces.Events[0].Recurrence == nil || len(spaces.Events[0].Recurrence.RRules) != 1 {
		t.Errorf("RRULE with spaces: %+v %q", spaces.Events, spaces.Warnings)
	}
	rscale := parseFile(t, "icalendar__rfc_7529.ics", "UTC", "")
	if len(rscale.Events) != 4 || !hasWarning(rscale.Warnings, "RSCALE", "UID 4.3.1") {
		t.Errorf("RFC 7529: %d events, %q", len(rscale.Events), rscale.Warnings)
	}
	if n := len(expandAll(t, rscale, "1990-01-01", "2040-01-01")); n != 4 {
		t.Errorf("RFC 7529 events kept as single occurrences: %d", n)
	}
	trailing := parseFile(t, "icalendar__issue_157_removes_trailing_semicolon.ics", "UTC", "")
	if r := trailing.Events[0].Recurrence.RRules; len(r) != 1 || r[0] != "FREQ=YEARLY;BYMONTH=11;BYDAY=1SU" {
		t.Errorf("trailing semicolon: %q", r)
	}
	empty := parseFile(t, "icalendar__parsing_error.ics", "UTC", "")
	if len(empty.Events) != 2 || len(expandAll(t, empty, "2008-01-01", "2009-01-01")) == 0 {
		t.Errorf("empty EXDATE: %+v", empty.Warnings)
	}
	incoming := parseFile(t, "ical4j__incoming.ics", "UTC", "")
	if len(incoming.Events) == 0 || !hasWarning(incoming.Warnings, "without DTSTART") {
		t.Errorf("iTIP stream: %d events, %q", len(incoming.Events), incoming.Warnings)
	}
}

func TestParseMalformed(t *testing.T) {
	_, err := ParseICS(strings.NewReader("<html>not found</html>"), ParseOptions{Name: "team-feed"})
	if err == nil || !strings.Contains(err.Error(), "calendar: team-feed: not an iCalendar feed") {
		t.Errorf("HTML page: %v", err)
	}
	text := "BEGIN:VCALENDAR\n" +
		"BEGIN:VEVENT\n" +
		"UID:m1\n" +
		"DTSTART:20240101T100000Z\n" +
		"ATTENDEE;CN=\"Ann\"x;PARTSTAT=DECLINED:mailto:ann@example.com\n" + // go-ical panics on this parameter
		"ATTENDEE;CN=Bob\n" + // no value
		"SUMMARY:ok\n" +
		"this line is garbage\n" +
		"SEQUENCE:two\n" +
		"STATUS:maybe\n" +
		"END:VEVENT\n" +
		"BEGIN:VEVENT\n" +
		"UID:m2\n" +
		"SUMMARY:no start\n" +
		"END:VEVENT\n" +
		"BEGIN:VEVENT\n" +
		"UID:m3\n" +
		"DTSTART:2024-01-01\n" +
		"END:VEVENT\n" +
		"BEGIN:VEVENT\n" +
		"DTSTART:20240102T100000Z\n" +
		"DTEND:20240102T090000Z\n" +
		"BEGIN:VALARM\n" +
		"END:VEVENT\n"
	feed := parseText(t, text, "UTC")
	for _, want := range [][]string{
		{"calendar: inline: line 5: ", `ATTENDEE: malformed parameter ";CN=\"Ann\"x"`},
		{"line 6: ATTENDEE: no ':'"},
		{"line 8: line is not a property; joined"},
		{"VEVENT at line 2 (UID m1)", `SEQUENCE "two"`},
		{"VEVENT at line 2 (UID m1)", `unknown STATUS "maybe"`},
		{"VEVENT at line 12 (UID m2)", "without DTSTART"},
		{"VEVENT at line 16 (UID m3)", "DTSTART: invalid date"},
		{"VEVENT at line 20: ", "without UID", "inline-line-20"},
		{"line 20", "ends", "before it starts"},
		{"line 24", "VALARM not closed"},
		{"VCALENDAR not closed at end of file"},
	} {
		if !hasWarning(feed.Warnings, want...) {
			t.Errorf("no warning with %q in\n%s", want, strings.Join(feed.Warnings, "\n"))
		}
	}
	if len(feed.Events) != 2 {
		t.Fatalf("%d events, want 2 (m1 and the UID-less one)", len(feed.Events))
	}
	m1 := feed.Events[0]
	if len(m1.Attendees) != 1 || m1.Attendees[0].Email != "ann@example.com" || m1.Attendees[0].Response != ResponseDeclined || m1.Attendees[0].Name != "" {
		t.Errorf("attendee with a dropped bad parameter: %+v", m1.Attendees)
	}
	if m1.Title != "okthis line is garbage" {
		t.Errorf("title %q", m1.Title)
	}
}

func TestValues(t *testing.T) {
	for in, want := range map[string]string{
		`Alice\, Bob`: "Alice, Bob", `a\;b`: "a;b", `a\\b`: `a\b`, `line\nnext\Nlast`: "line\nnext\nlast", `plain`: "plain", `trailing\`: `trailing\`,
	} {
		if got := unescapeText(in); got != want {
			t.Errorf("unescapeText(%q) = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[string]string{"MAILTO:Ann@X.org": "ann@x.org", " mailto: b@y ": "b@y", "C@Z": "c@z"} {
		if got := normalizeEmail(in); got != want {
			t.Errorf("normalizeEmail(%q) = %q", in, got)
		}
	}
	for in, want := range map[string]time.Duration{"PT1H30M": 90 * time.Minute, "-PT15M": -15 * time.Minute, "P1DT2H": 26 * time.Hour, "P1W": 7 * 24 * time.Hour, "PT0S": 0} {
		d, err := parseDuration(in)
		if err != nil || d.addTo(utc("2024-01-01")).Sub(utc("2024-01-01")) != want {
			t.Errorf("parseDuration(%q) = %+v, %v", in, d, err)
		}
	}
	for _, bad := range []string{"", "P", "1H", "PT1X", "PTH", "P1H"} {
		if _, err := parseDuration(bad); err == nil || !strings.Contains(err.Error(), "invalid duration") {
			t.Errorf("parseDuration(%q) error = %v", bad, err)
		}
	}
	for _, bad := range []string{"2024", "20241301", "20240101T25", "20240101T120000+01", "20240101X"} {
		if _, err := parseDTValue(bad, false); err == nil {
			t.Errorf("parseDTValue(%q) accepted", bad)
		}
	}
	v, err := parseDTValue("20131210Z", false)
	if err != nil || v.kind != kindDate {
		t.Errorf("DATE with a stray Z: %+v %v", v, err)
	}
	for title, want := range map[string]bool{"Canceled: 1:1": true, "CANCELLED: x": true, "Abgesagt: y": true, "Cancel the plan": false} {
		if _, got := stripCancelPrefix(title); got != want {
			t.Errorf("stripCancelPrefix(%q) = %v", title, got)
		}
	}
}

func TestHostileInput(t *testing.T) {
	long := strings.Repeat("x", 200000)
	text := "BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:h1\nDTSTART:20240101T100000Z\n" +
		"ATTENDEE;CN=\"" + long + "\";PARTSTAT=ACCEPTED:mailto:a@example.com\n" +
		"RRULE:FREQ=SECONDLY\nEND:VEVENT\n" +
		"BEGIN:VEVENT\nUID:h2\nDTSTART:20000101T000000Z\nRRULE:FREQ=HOURLY;COUNT=100000000\nEND:VEVENT\nEND:VCALENDAR\n"
	feed := parseText(t, text, "UTC")
	if !hasWarning(feed.Warnings, "line 5: ATTENDEE: malformed parameter") || !hasWarning(feed.Warnings, "UID h1", "FREQ=SECONDLY is not supported") {
		t.Errorf("warnings: %q", feed.Warnings)
	}
	if a := feed.Events[0].Attendees; len(a) != 1 || a[0].Response != ResponseAccepted {
		t.Errorf("attendee: %+v", a)
	}
	occs, warns := Expand(feed.Events, Window{From: utc("2024-01-01"), To: utc("2024-01-02")}, ExpandOptions{})
	if len(occs) != 1 || !hasWarning(warns, "UID h2", "expansion stopped after 50000 instances") {
		t.Errorf("%d occurrences, warnings %q", len(occs), warns)
	}
}

func TestExpandWindowAndZone(t *testing.T) {
	feed := parseText(t, `BEGIN:VCALENDAR
BEGIN:VEVENT
UID:long
DTSTART:20240101T220000Z
DTEND:20240102T020000Z
RRULE:FREQ=DAILY
END:VEVENT
BEGIN:VEVENT
UID:zero
DTSTART:20240103T000000Z
END:VEVENT
BEGIN:VEVENT
UID:day
DTSTART;VALUE=DATE:20240103
END:VEVENT
END:VCALENDAR
`, "UTC")
	occs, _ := Expand(feed.Events, Window{From: utc("2024-01-03"), To: utc("2024-01-03T23:00")}, ExpandOptions{})
	// The instance of 01-02 22:00 overlaps the window's start; 01-03 22:00 starts inside.
	wantStarts(t, "window", occs, "01-02T22:00 01-03T00:00 01-03T00:00 01-03T22:00")
	tokyo := mustLoc(t, "Asia/Tokyo")
	occs, _ = Expand(feed.Events, Window{From: utc("2024-01-02T12:00"), To: utc("2024-01-02T16:00")}, ExpandOptions{Zone: tokyo})
	var day []Occurrence
	for _, o := range occs {
		if o.UID == "day" {
			day = append(day, o)
		}
	}
	if len(day) != 1 || !day[0].Start.Equal(time.Date(2024, 1, 3, 0, 0, 0, 0, tokyo)) || !day[0].End.Equal(time.Date(2024, 1, 4, 0, 0, 0, 0, tokyo)) {
		t.Errorf("all-day anchored in the owner's zone: %+v", day)
	}
}

func TestBareEventsAndRDateExcluded(t *testing.T) {
	feed := parseText(t, "\ufeffBEGIN:VEVENT\r\nUID:a\r\nDTSTART:20240101T100000Z\r\nRRULE:FREQ=DAILY;COUNT=3\r\n"+
		"EXDATE:20240102T100000Z,20240103T100000Z\r\nRDATE:20240103T100000Z\r\nEND:VEVENT\r\n"+
		"BEGIN:VEVENT\r\nUID:b\r\nDTSTART:20240101T120000Z\r\nEND:VEVENT\r\n"+
		"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:c\r\nDTSTART:20240101T140000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n", "UTC")
	if len(feed.Events) != 3 || len(feed.Warnings) != 0 {
		t.Fatalf("bare VEVENTs then a VCALENDAR: %d events, %q", len(feed.Events), feed.Warnings)
	}
	occs := expandAll(t, feed, "2024-01-01", "2024-01-05")
	// The RDATE of 01-03 is also an EXDATE: excluded (RFC 5545 §3.8.5.1).
	wantStarts(t, "bare", occs, "01-01T10:00 01-01T12:00 01-01T14:00 01-02T10:00(exdate) 01-03T10:00(exdate)")
}
