package calendar

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// minimizeSample has what Minimize must blank (a folded DESCRIPTION with a
// lost fold, a LOCATION, an ATTACH, X-ALT-DESC, a VALARM, a conference
// link, the calendar's name) around what it must keep, and an event
// without a UID after the blanked lines (its UID comes from its line).
const minimizeSample = "\ufeffBEGIN:VCALENDAR\r\n" +
	"VERSION:2.0\r\n" +
	"X-WR-CALNAME:Ana's secret calendar\r\n" +
	"X-WR-TIMEZONE:Europe/Berlin\r\n" +
	"BEGIN:VEVENT\r\n" +
	"UID:a\r\n" +
	"DTSTART;TZID=Europe/Berlin:20261102T090000\r\n" +
	"DURATION:PT30M\r\n" +
	"SUMMARY:Ana / Bo\r\n" +
	"DESCRIPTION:Join https://meet.example/SECRET-1\r\n" +
	" with passcode SECRET-2\r\n" +
	"and a fold that lost its space SECRET-3\r\n" +
	"LOCATION:Room SECRET-4\r\n" +
	"ATTACH;FMTTYPE=application/pdf:https://files.example/SECRET-5\r\n" +
	"X-ALT-DESC;FMTTYPE=text/html:<b>SECRET-6</b>\r\n" +
	"X-GOOGLE-CONFERENCE:https://meet.example/SECRET-7\r\n" +
	"ORGANIZER;CN=Ana:mailto:ana@example.com\r\n" +
	"ATTENDEE;PARTSTAT=DECLINED;CN=Bo:mailto:bo@example.com\r\n" +
	"RRULE:FREQ=WEEKLY;COUNT=4\r\n" +
	"BEGIN:VALARM\r\n" +
	"ACTION:DISPLAY\r\n" +
	"DESCRIPTION:SECRET-8\r\n" +
	"TRIGGER:-PT10M\r\n" +
	"END:VALARM\r\n" +
	"END:VEVENT\r\n" +
	"BEGIN:VEVENT\r\n" +
	"DTSTART:20261103T100000Z\r\n" +
	"DTEND:20261103T103000Z\r\n" +
	"COMMENT:SECRET-9\r\n" +
	"SUMMARY:no uid\r\n" +
	"ATTENDEE:mailto:cy@example.com\r\n" +
	"BROKEN LINE WITHOUT COLON\r\n" +
	"END:VEVENT\r\n" +
	"BEGIN:VTODO\r\n" +
	"SUMMARY:SECRET-10\r\n" +
	"END:VTODO\r\n" +
	"END:VCALENDAR\r\n"

func parseFor(t testing.TB, data []byte) *Feed {
	t.Helper()
	f, err := ParseICS(bytes.NewReader(data), ParseOptions{Name: "ana", Owner: "ana@example.com", Zone: time.UTC})
	if err != nil {
		t.Fatalf("ParseICS: %v", err)
	}
	return f
}

// sameParse asserts that the minimized feed parses to the same events.
func sameParse(t *testing.T, what string, data []byte) []byte {
	t.Helper()
	full, err := ParseICS(bytes.NewReader(data), ParseOptions{Name: "ana", Owner: "ana@example.com", Zone: time.UTC})
	if err != nil {
		return nil
	}
	min := Minimize(data)
	if len(min) > len(data) {
		t.Errorf("%s: minimized %d bytes, more than the original %d", what, len(min), len(data))
	}
	got := parseFor(t, min)
	if !reflect.DeepEqual(got.Events, full.Events) {
		t.Errorf("%s: the minimized feed parses differently:\n got %+v\nwant %+v", what, got.Events, full.Events)
	}
	return min
}

func TestMinimizeKeepsWhatIsRead(t *testing.T) {
	min := sameParse(t, "sample", []byte(minimizeSample))
	if strings.Contains(string(min), "SECRET") {
		t.Errorf("minimized feed keeps unread text:\n%s", min)
	}
	for _, keep := range []string{"SUMMARY:Ana / Bo", "ATTENDEE;PARTSTAT=DECLINED;CN=Bo:mailto:bo@example.com", "X-WR-TIMEZONE:Europe/Berlin", "BROKEN LINE WITHOUT COLON"} {
		if !strings.Contains(string(min), keep) {
			t.Errorf("minimized feed lacks %q", keep)
		}
	}
	if got, want := strings.Count(string(min), "\n"), strings.Count(minimizeSample, "\n"); got != want {
		t.Errorf("minimized feed has %d lines, the original %d", got, want)
	}
	feed := parseFor(t, min)
	if len(feed.Events) != 2 || feed.Events[1].UID != parseFor(t, []byte(minimizeSample)).Events[1].UID {
		t.Errorf("events %+v", feed.Events)
	}
	// Bare-CR line breaks, and a feed with nothing to blank.
	cr := strings.ReplaceAll(strings.ReplaceAll(minimizeSample, "\r\n", "\r"), "\ufeff", "")
	if min := sameParse(t, "bare CR", []byte(cr)); strings.Contains(string(min), "SECRET") {
		t.Errorf("bare-CR feed keeps unread text")
	}
	sameParse(t, "tiny", []byte(tinyICS))
}

// TestMinimizeCorpus: every test feed and every feed of the demo
// organisation parses the same minimized.
func TestMinimizeCorpus(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.ics")
	more, _ := filepath.Glob("../examples/org/feeds/*.ics")
	files = append(files, more...)
	if len(files) < 20 {
		t.Fatalf("only %d feeds", len(files))
	}
	saved := 0
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if min := sameParse(t, f, data); min != nil {
			saved += len(data) - len(min)
		}
	}
	if saved == 0 {
		t.Error("Minimize blanked nothing in the whole corpus")
	}
}

func FuzzMinimize(f *testing.F) {
	f.Add([]byte(minimizeSample))
	files, _ := filepath.Glob("testdata/*.ics")
	for _, p := range files {
		if data, err := os.ReadFile(p); err == nil {
			f.Add(data)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 1<<16 {
			return
		}
		full, err := ParseICS(bytes.NewReader(data), ParseOptions{Name: "f", Zone: time.UTC})
		if err != nil {
			return
		}
		got, err := ParseICS(bytes.NewReader(Minimize(data)), ParseOptions{Name: "f", Zone: time.UTC})
		if err != nil {
			t.Fatalf("minimized feed fails to parse: %v", err)
		}
		if !reflect.DeepEqual(got.Events, full.Events) {
			t.Fatalf("minimized feed parses differently")
		}
	})
}
