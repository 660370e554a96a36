// Command corpuscheck runs cadence's ICS engine (ParseICS + Expand) over a
// directory of real calendar exports and checks the expectations that the
// exports' source projects state in their own tests (transcribed from the
// corpus MANIFEST.md). It reports, per file, errors, warnings and failed
// expectations, and exits 1 when any expectation fails or any file errors.
//
//	go run ./calendar/internal/corpuscheck DIR
//
// at(D) means "occurrences overlapping local day D" in the file's zone;
// cancelled occurrences (EXDATE, STATUS:CANCELLED) are counted only where
// an expectation says so, since upstream libraries drop them.
package main

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/cadence-dev/cadence/calendar"
)

type file struct {
	name   string
	zone   string
	checks []check
}

type check func(c *ctx) error

type ctx struct {
	feed *calendar.Feed
	loc  *time.Location
}

func (c *ctx) expand(from, to time.Time) []calendar.Occurrence {
	occs, _ := calendar.Expand(c.feed.Events, calendar.Window{From: from, To: to}, calendar.ExpandOptions{})
	return occs
}

func live(occs []calendar.Occurrence) []calendar.Occurrence {
	var out []calendar.Occurrence
	for _, o := range occs {
		if !o.Cancelled() {
			out = append(out, o)
		}
	}
	return out
}

func day(c *ctx, d string) (time.Time, time.Time) {
	t, err := time.ParseInLocation("2006-01-02", d, c.loc)
	if err != nil {
		panic(err)
	}
	return t, t.AddDate(0, 0, 1)
}

func ts(c *ctx, s string) time.Time {
	for _, layout := range []string{"2006-01-02 15:04", "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, s, c.loc); err == nil {
			return t
		}
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(s)
	}
	return t
}

func describe(occs []calendar.Occurrence) string {
	var parts []string
	for _, o := range occs {
		s := fmt.Sprintf("%s %q", o.Start.Format("2006-01-02T15:04Z07:00"), o.Title)
		if o.Cancelled() {
			s += " (" + string(o.CancelReason) + ")"
		}
		parts = append(parts, s)
	}
	if len(parts) > 8 {
		parts = append(parts[:8], fmt.Sprintf("... %d more", len(parts)-8))
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

func filterTitle(occs []calendar.Occurrence, title string) []calendar.Occurrence {
	if title == "" {
		return occs
	}
	var out []calendar.Occurrence
	for _, o := range occs {
		if o.Title == title {
			out = append(out, o)
		}
	}
	return out
}

// at: n live occurrences (with the title, when given) overlap local day d.
func at(d string, n int, title string) check {
	return func(c *ctx) error {
		from, to := day(c, d)
		got := filterTitle(live(c.expand(from, to)), title)
		if len(got) != n {
			return fmt.Errorf("at(%s)%s: want %d, got %d %s", d, titleNote(title), n, len(got), describe(got))
		}
		return nil
	}
}

func titleNote(t string) string {
	if t == "" {
		return ""
	}
	return fmt.Sprintf(" title %q", t)
}

// between: n live occurrences overlap [from, to).
func between(from, to string, n int) check {
	return func(c *ctx) error {
		got := live(c.expand(ts(c, from), ts(c, to)))
		if len(got) != n {
			return fmt.Errorf("between(%s, %s): want %d, got %d %s", from, to, n, len(got), describe(got))
		}
		return nil
	}
}

// startsAt: the live occurrences overlapping [from, to) start exactly at
// the given instants (RFC 3339 or local "2006-01-02 15:04").
func startsAt(from, to string, want ...string) check {
	return func(c *ctx) error {
		got := live(c.expand(ts(c, from), ts(c, to)))
		var g, w []string
		for _, o := range got {
			g = append(g, o.Start.UTC().Format(time.RFC3339))
		}
		for _, s := range want {
			w = append(w, ts(c, s).UTC().Format(time.RFC3339))
		}
		sort.Strings(g)
		sort.Strings(w)
		if strings.Join(g, " ") != strings.Join(w, " ") {
			return fmt.Errorf("starts in [%s, %s): want %v, got %v", from, to, w, g)
		}
		return nil
	}
}

// originalStartsAt is startsAt on OriginalStart.
func originalStartsAt(from, to string, want ...string) check {
	return func(c *ctx) error {
		got := live(c.expand(ts(c, from).Add(-7*24*time.Hour), ts(c, to).Add(7*24*time.Hour)))
		var g, w []string
		for _, o := range got {
			if !o.OriginalStart.Before(ts(c, from)) && o.OriginalStart.Before(ts(c, to)) {
				g = append(g, o.OriginalStart.UTC().Format(time.RFC3339))
			}
		}
		for _, s := range want {
			w = append(w, ts(c, s).UTC().Format(time.RFC3339))
		}
		sort.Strings(g)
		sort.Strings(w)
		if strings.Join(g, " ") != strings.Join(w, " ") {
			return fmt.Errorf("original starts in [%s, %s): want %v, got %v", from, to, w, g)
		}
		return nil
	}
}

// cancelledAt: an occurrence starting at t is cancelled for reason r.
func cancelledAt(t string, r calendar.CancelReason) check {
	return func(c *ctx) error {
		at := ts(c, t)
		occs := c.expand(at, at.Add(time.Minute))
		for _, o := range occs {
			if o.Start.Equal(at) && o.Cancelled() && o.CancelReason == r {
				return nil
			}
		}
		return fmt.Errorf("cancelled(%s) at %s: not found in %s", r, t, describe(occs))
	}
}

// uidStarts: a live occurrence of uid starts at t.
func uidStarts(uid, t string) check {
	return func(c *ctx) error {
		at := ts(c, t)
		occs := live(c.expand(at, at.Add(time.Minute)))
		for _, o := range occs {
			if o.UID == uid && o.Start.Equal(at) {
				return nil
			}
		}
		return fmt.Errorf("UID %s at %s: not found in %s", uid, t, describe(occs))
	}
}

func uidOn(uid, d string) check {
	return func(c *ctx) error {
		from, to := day(c, d)
		for _, o := range live(c.expand(from, to)) {
			if o.UID == uid {
				return nil
			}
		}
		return fmt.Errorf("UID %s on %s: not found", uid, d)
	}
}

func events(n int) check {
	return func(c *ctx) error {
		if len(c.feed.Events) != n {
			return fmt.Errorf("events: want %d, got %d", n, len(c.feed.Events))
		}
		return nil
	}
}

func warningContains(s string) check {
	return func(c *ctx) error {
		for _, w := range c.feed.Warnings {
			if strings.Contains(w, s) {
				return nil
			}
		}
		return fmt.Errorf("no warning contains %q", s)
	}
}

func noWarningContains(s string) check {
	return func(c *ctx) error {
		for _, w := range c.feed.Warnings {
			if strings.Contains(w, s) {
				return fmt.Errorf("unexpected warning: %s", w)
			}
		}
		return nil
	}
}

func sequenceOn(d string, seq int) check {
	return func(c *ctx) error {
		from, to := day(c, d)
		got := live(c.expand(from, to))
		if len(got) != 1 || got[0].Sequence != seq {
			return fmt.Errorf("on %s: want 1 occurrence with SEQUENCE %d, got %s", d, seq, describe(got))
		}
		return nil
	}
}

func statusOn(d string, cancelled bool) check {
	return func(c *ctx) error {
		from, to := day(c, d)
		got := c.expand(from, to)
		if len(got) != 1 || got[0].Cancelled() != cancelled {
			return fmt.Errorf("on %s: want 1 occurrence, cancelled=%v; got %s", d, cancelled, describe(got))
		}
		return nil
	}
}

func hoursOn(d string, hour int) check {
	return func(c *ctx) error {
		from, to := day(c, d)
		got := live(c.expand(from, to))
		if len(got) != 1 || got[0].Start.In(c.loc).Hour() != hour {
			return fmt.Errorf("on %s: want 1 occurrence at hour %d, got %s", d, hour, describe(got))
		}
		return nil
	}
}

func allDayOn(d string) check {
	return func(c *ctx) error {
		from, to := day(c, d)
		got := live(c.expand(from, to))
		if len(got) != 1 || !got[0].AllDay {
			return fmt.Errorf("on %s: want 1 all-day occurrence, got %s", d, describe(got))
		}
		return nil
	}
}

func firstStart(want string) check {
	return func(c *ctx) error {
		w := ts(c, want)
		for _, e := range c.feed.Events {
			if e.Start.Equal(w) && e.Start.Location().String() != "UTC" {
				return nil
			}
		}
		var got []string
		for _, e := range c.feed.Events {
			got = append(got, e.Start.Format(time.RFC3339)+" "+e.Start.Location().String())
		}
		return fmt.Errorf("no event starts at %s in a resolved zone; got %v", want, got)
	}
}

var corpus = []file{
	// Google
	{"pre__daylight_saving_time.ics", "Europe/Berlin", []check{
		uidStarts("7uartkcnhf0elbvs8md0itrf6c@google.com", "2019-03-20 19:00"),
		uidStarts("7uartkcnhf0elbvs8md0itrf6c@google.com", "2019-04-24 19:00"),
	}},
	{"pre__issue_173_only_modifications_error.ics", "Europe/Paris", []check{
		uidOn("_6krj2dhl74q34b9j60sj4b9k8h238b9p6gok2ba68gojgchl6cpj0h1o88_R20231009T130000@google.com", "2024-01-08"),
	}},
	{"pre__issue_48_dst.ics", "America/Chicago", []check{between("2020-12-11 10:00", "2020-12-11 15:00", 3)}},
	{"pre__issue_48_daylight_aware_repeats.ics", "Europe/Lisbon", []check{
		between("2020-11-02 11:31", "2020-11-02 12:59", 1),
		between("2020-11-02 11:15", "2020-11-02 11:16", 0),
		between("2020-11-02 13:01", "2020-11-02 13:02", 0),
	}},
	{"pre__issue_62_moved_event.ics", "Europe/Berlin", []check{
		at("2021-12-31", 0, ""), at("2021-12-17", 1, ""), between("2021-12-01", "2022-01-01", 1),
	}},
	{"pre__issue_62_moved_event_2.ics", "Australia/Sydney", []check{
		at("2023-08-10", 1, "All Day"), at("2023-08-16", 1, "All Day"), at("2023-08-24", 1, "All Day"),
		at("2023-08-08", 1, "Datetime"), at("2023-08-14", 1, "Datetime"), at("2023-08-22", 1, "Datetime"),
		at("2023-08-15", 0, ""), at("2023-08-17", 0, ""), between("2023-08-01", "2023-09-01", 6),
	}},
	{"pre__issue_151_macos_linux_difference.ics", "America/Los_Angeles", []check{
		between(time.Unix(1722564000, 0).UTC().Format(time.RFC3339), time.Unix(1722567600, 0).UTC().Format(time.RFC3339), 1),
		at("2024-08-01", 1, ""),
	}},
	{"pre__x_wr_timezone_simple_events_issue_59.ics", "America/New_York", []check{
		startsAt("2021-12-22", "2021-12-23", "2021-12-22 12:00", "2021-12-22 21:00"),
	}},
	{"pre__issue_44_double_event.ics", "UTC", []check{at("2020-08-14", 1, "test2"), at("2020-08-13", 0, ""), at("2020-08-15", 0, "")}},
	{"icalendar__parsing_error.ics", "UTC", nil},
	{"icalendar__x_location.ics", "Europe/Zurich", nil},
	{"icalendar__alarm_google_acknowledged.ics", "UTC", nil},
	{"icaljs__daily_recur.ics", "America/Los_Angeles", []check{
		func(c *ctx) error {
			e := c.feed.Events[0]
			got := live(c.expand(e.Start, e.Start.AddDate(0, 0, 10)))
			if len(got) != 10 {
				return fmt.Errorf("first 10 days: want 10, got %d", len(got))
			}
			return nil
		},
	}},
	// ical.js iterates the master (UID 2014_BIRTHDAY_...) only; the file
	// also holds three orphan overrides of another UID on the same dates.
	{"icaljs__google_birthday.ics", "UTC", []check{
		uidOn("2014_BIRTHDAY_79d389868f96182e@google.com", "2012-12-10"),
		uidOn("2014_BIRTHDAY_79d389868f96182e@google.com", "2013-12-10"),
		uidOn("2014_BIRTHDAY_79d389868f96182e@google.com", "2014-12-10"),
		between("2012-01-01", "2015-01-01", 6),
	}},
	{"golangical__issue97_google.ics", "UTC", nil},
	// Outlook / Exchange
	{"pre__issue_27_t1.ics", "Europe/Berlin", []check{between("2020-04-25", "2020-04-30", 2)}},
	{"pre__issue_27_t2.ics", "Europe/Berlin", []check{between("2020-04-25", "2020-04-30", 2)}},
	{"pre__issue_28_rrule_with_UTC_endinginZ.ics", "Europe/London", []check{
		between("2020-05-25", "2020-09-05", 15), between("2020-09-03", "2020-09-05", 1),
	}},
	{"icalendar__issue_836_do_not_quote_tzid.ics", "UTC", []check{noWarningContains("unknown TZID")}},
	{"icalendar__timezone_same_start.ics", "America/Los_Angeles", []check{firstStart("2017-02-24 12:00")}},
	{"icalendar__timezone_same_start_and_offset.ics", "Asia/Tokyo", []check{firstStart("2017-02-24 12:00")}},
	{"icalendar__issue_165_missing_event.ics", "UTC", []check{events(1), noWarningContains("RRULE")}},
	{"ical4j__Standup.ics", "Australia/Sydney", []check{noWarningContains("unknown TZID")}},
	// Thunderbird / CalDAV / others
	{"pre__issue_18_cancel_status.ics", "Europe/Berlin", []check{
		statusOn("2020-01-28", false), statusOn("2020-01-29", true), statusOn("2020-01-30", false),
	}},
	{"pre__issue_20_exdate_ignored.ics", "Europe/Berlin", []check{
		at("2019-10-15", 0, ""), at("2019-10-22", 0, ""), at("2019-11-05", 0, ""), at("2019-11-19", 0, ""),
		at("2019-11-26", 0, ""), at("2019-12-03", 0, ""), at("2019-12-17", 0, ""), at("2019-12-24", 0, ""), at("2019-12-31", 0, ""),
		at("2019-10-29", 1, ""), at("2019-11-12", 1, ""), at("2019-12-10", 1, ""), at("2020-01-07", 1, ""),
		at("2020-01-14", 1, ""), at("2020-01-21", 1, ""), at("2020-01-28", 1, ""),
		between("1970-01-01", "2100-01-01", 7),
	}},
	{"ical4j__EXDATE-IN-UTC.ics", "America/Chicago", []check{
		cancelledAt("2007-05-15T10:15:00Z", calendar.CancelExdate), cancelledAt("2007-05-22T10:15:00Z", calendar.CancelExdate),
	}},
	{"pre__each_week_but_one_deleted.ics", "Europe/Berlin", []check{between("1970-01-01", "2100-01-01", 7)}},
	{"pre__each_week_but_two_deleted.ics", "Europe/Berlin", []check{between("1970-01-01", "2100-01-01", 6)}},
	{"pre__three_events_one_edited.ics", "Europe/Berlin", []check{
		between("1970-01-01", "2100-01-01", 3),
		func(c *ctx) error {
			all := live(c.expand(ts(c, "1970-01-01"), ts(c, "2100-01-01")))
			if a, b := len(filterTitle(all, "test7")), len(filterTitle(all, "test7 - edited")); a != 2 || b != 1 {
				return fmt.Errorf("titles: want 2 test7 + 1 edited, got %s", describe(all))
			}
			return nil
		},
	}},
	{"pre__recurring_events_moved.ics", "Europe/Berlin", []check{
		hoursOn("2019-03-07", 2), hoursOn("2019-03-08", 1), hoursOn("2019-03-09", 3), hoursOn("2019-03-10", 2),
	}},
	{"pre__issue_223_thunderbird.ics", "Europe/Berlin", []check{
		sequenceOn("2025-04-23", 3), sequenceOn("2025-04-24", 3), sequenceOn("2025-04-25", 3),
	}},
	{"pre__recurrence_sequence_number.ics", "UTC", []check{at("2020-09-22", 1, "Modified event")}},
	{"pre__issue_36_recurrence_ID_format.ics", "UTC", []check{
		at("2020-09-17", 1, "Modified event"), at("2020-09-14", 1, "Modified event 1"), at("2020-09-21", 1, "Modified event 2"),
		at("2020-09-17", 1, ""), at("2020-09-14", 1, ""), at("2020-09-21", 1, ""),
	}},
	{"pre__issue_75_range_parameter.ics", "UTC", []check{
		at("2024-09-01", 1, "ORIGINAL EVENT"), at("2024-09-11", 1, "ORIGINAL EVENT"),
		at("2024-09-13", 1, "MODIFIED EVENT"), at("2024-09-14", 1, "MODIFIED EVENT"), at("2024-09-15", 1, "MODIFIED EVENT"),
		at("2024-09-17", 1, "MODIFIED EVENT"), at("2024-09-19", 1, "MODIFIED EVENT"),
		at("2024-09-22", 1, "EDITED EVENT"), at("2024-09-24", 1, "EDITED EVENT"), at("2024-09-26", 1, "EDITED EVENT"),
	}},
	{"pre__issue_148_ignored_exdate.ics", "UTC", []check{
		between("1970-01-01", "2100-01-01", 2), at("2024-07-15", 0, ""),
		at("2024-07-01", 1, "test123 - edited"), at("2024-07-29", 1, "test123 - edited"),
	}},
	{"pre__issue_148_exdate_and_rdate_updated.ics", "UTC", []check{
		at("2024-07-01", 1, ""), at("2024-07-15", 1, ""), at("2024-07-17", 0, ""), at("2024-07-29", 0, ""), at("2024-07-30", 1, ""),
	}},
	{"pre__issue_163_deleted_modification.ics", "UTC", []check{at("2024-08-19", 0, "")}},
	{"pre__issue_164_duplicated_event.ics", "UTC", []check{between("2024-08-01", "2024-09-01", 2)}},
	{"pre__issue_253_additional_recurrence_id.ics", "UTC", []check{
		startsAt("2024-07-01", "2024-08-01", "2024-07-01", "2024-07-15"),
	}},
	{"pre__issue_4.ics", "UTC", []check{
		startsAt("2019-06-13 12:00", "2019-06-14", "2019-06-13"), at("2019-06-13", 1, ""),
	}},
	{"pre__issue_61_time_zone_error.ics", "America/Los_Angeles", []check{
		func(c *ctx) error {
			at := ts(c, "2021-12-15 17:41")
			got := live(c.expand(at, at.Add(time.Minute)))
			if len(got) != 1 || !got[0].AllDay {
				return fmt.Errorf("at 2021-12-15 17:41: want 1 all-day occurrence, got %s", describe(got))
			}
			return nil
		},
	}},
	{"pre__issue_117_until_before_dtstart.ics", "UTC", []check{between("1900-01-01", "2100-01-01", 0)}},
	{"pre__bad_rrule_missing_until_event.ics", "UTC", []check{warningContains("UNTL")}},
	{"pre__duplicated_rrule.ics", "UTC", []check{between("2023-01-01", "2024-01-01", 20)}},
	{"pre__multiple_rrule.ics", "UTC", []check{
		between("2023-01-01", "2024-01-01", 22),
		at("2023-02-09", 1, ""), at("2023-02-13", 1, ""), at("2023-02-16", 1, ""), at("2023-03-13", 1, ""),
	}},
	// ical.js's iterator yields the recurrence set without overrides, so
	// the expectation is on original starts (two instances are moved).
	{"icaljs__recur_instances.ics", "America/Los_Angeles", []check{
		originalStartsAt("2012-10-01", "2013-01-02", "2012-10-02T17:00:00Z", "2012-11-05T18:00:00Z", "2012-11-06T18:00:00Z",
			"2012-11-10T18:00:00Z", "2012-11-30T18:00:00Z", "2013-01-01T18:00:00Z"),
		cancelledAt("2012-12-04T18:00:00Z", calendar.CancelExdate), cancelledAt("2013-02-05T18:00:00Z", calendar.CancelExdate),
		cancelledAt("2013-04-02T17:00:00Z", calendar.CancelExdate),
	}},
	{"icaljs__recur_instances_finite.ics", "America/Los_Angeles", []check{
		startsAt("2000-01-01", "2100-01-01", "2012-10-02T17:00:00Z", "2012-11-05T18:00:00Z", "2012-11-06T18:00:00Z",
			"2012-11-10T18:00:00Z", "2012-12-04T18:00:00Z"),
	}},
	{"icaljs__rdate_exdate.ics", "UTC", []check{
		startsAt("2000-01-01", "2100-01-01", "2024-06-09T03:00:00Z", "2024-06-10T03:00:00Z", "2024-06-12T03:00:00Z"),
	}},
	{"icaljs__multiple_rrules.ics", "UTC", nil},
	{"ical4j__incoming.ics", "UTC", nil},
	{"icalendar__property_params.ics", "UTC", nil},
	{"icalendar__issue_156_RDATE_with_PERIOD_TZID_khal.ics", "UTC", []check{noWarningContains("unknown TZID")}},
	// Time zones
	{"icalendar__issue_218_bad_tzid.ics", "UTC", []check{noWarningContains("unknown TZID"), noWarningContains("STATUS")}},
	{"icalendar__issue_237_fail_to_parse_timezone_with_non_ascii_tzid.ics", "UTC", []check{noWarningContains("unknown TZID")}},
	{"icalendar__issue_313_globally_unique_tzid.ics", "UTC", []check{noWarningContains("unknown TZID")}},
	{"icalendar__issue_466_convert_tzid_with_slash.ics", "UTC", []check{noWarningContains("unknown TZID")}},
	{"icalendar__issue_722_missing_timezones.ics", "UTC", []check{noWarningContains("unknown TZID")}},
	{"icalendar__period_with_timezone.ics", "America/Vancouver", []check{noWarningContains("unknown TZID")}},
	{"icalendar__event_with_recurrence_exdates_on_different_lines.ics", "Europe/Vienna", []check{
		cancelledAt("2012-05-29 10:00", calendar.CancelExdate), cancelledAt("2012-04-03 10:00", calendar.CancelExdate),
		cancelledAt("2012-04-10 10:00", calendar.CancelExdate), cancelledAt("2012-05-01 10:00", calendar.CancelExdate),
		cancelledAt("2012-04-17 10:00", calendar.CancelExdate),
	}},
	{"icalendar__issue_112_missing_tzinfo_on_exdate.ics", "America/New_York", nil},
	{"icalendar__issue_157_removes_trailing_semicolon.ics", "UTC", []check{
		noWarningContains("RRULE"),
		func(c *ctx) error {
			if len(c.feed.Events) != 1 || c.feed.Events[0].Recurrence == nil || len(c.feed.Events[0].Recurrence.RRules) != 1 {
				return fmt.Errorf("want 1 event with 1 RRULE")
			}
			if r := c.feed.Events[0].Recurrence.RRules[0]; r != "FREQ=YEARLY;BYMONTH=11;BYDAY=1SU" {
				return fmt.Errorf("RRULE normalised to %q", r)
			}
			return nil
		},
	}},
	{"icalendar__bom_calendar.ics", "UTC", []check{events(0)}},
	{"icalendar__rfc_7529.ics", "UTC", []check{warningContains("RSCALE")}},
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: corpuscheck DIR")
		os.Exit(2)
	}
	dir := os.Args[1]
	known := map[string]bool{}
	failed, missing := 0, 0
	for _, f := range corpus {
		known[f.name] = true
		if _, err := os.Stat(filepath.Join(dir, f.name)); err != nil {
			missing++
			continue
		}
		failed += run(dir, f)
	}
	names, _ := filepath.Glob(filepath.Join(dir, "*.ics"))
	for _, n := range names {
		if !known[filepath.Base(n)] {
			failed += run(dir, file{name: filepath.Base(n), zone: "UTC"})
		}
	}
	fmt.Printf("\n%d file(s) checked, %d failure(s); %d file(s) with expectations not in %s\n", len(names), failed, missing, dir)
	if failed > 0 {
		os.Exit(1)
	}
}

func run(dir string, f file) (failed int) {
	loc, err := time.LoadLocation(f.zone)
	if err != nil {
		panic(err)
	}
	defer func() {
		if r := recover(); r != nil {
			fmt.Printf("FAIL %s: panic: %v\n", f.name, r)
			failed++
		}
	}()
	fh, err := os.Open(filepath.Join(dir, f.name))
	if err != nil {
		fmt.Printf("FAIL %s: %v\n", f.name, err)
		return 1
	}
	defer fh.Close()
	start := time.Now()
	feed, err := calendar.ParseICS(fh, calendar.ParseOptions{Name: f.name, Owner: "owner@example.com", Zone: loc})
	if err != nil {
		fmt.Printf("FAIL %s: %v\n", f.name, err)
		return 1
	}
	// Expand a wide window to exercise every series.
	occs, warns := calendar.Expand(feed.Events, calendar.Window{
		From: time.Date(1990, 1, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2040, 1, 1, 0, 0, 0, 0, time.UTC),
	}, calendar.ExpandOptions{})
	elapsed := time.Since(start)
	c := &ctx{feed: feed, loc: loc}
	status := "ok  "
	var msgs []string
	for _, ch := range f.checks {
		if err := ch(c); err != nil {
			msgs = append(msgs, err.Error())
		}
	}
	if len(msgs) > 0 {
		status = "FAIL"
		failed++
	}
	fmt.Printf("%s %s: %d events, %d occurrences 1990-2040, %d checks, %v\n", status, f.name, len(feed.Events), len(occs), len(f.checks), elapsed.Round(time.Millisecond))
	for _, m := range msgs {
		fmt.Printf("     expectation: %s\n", m)
	}
	for _, w := range append(feed.Warnings, warns...) {
		fmt.Printf("     warning: %s\n", truncate(w, 200))
	}
	return failed
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}
