package report

import (
	"bytes"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/cadence-dev/cadence/cadence"
	"github.com/cadence-dev/cadence/calendar"
)

// huge is a 200,000-rune display string of two-byte runes (a byte-wise cut
// would split one).
var huge = strings.Repeat("é", 200_000)

// longSnapshot is testSnapshot with a manager, a report and a source named
// with huge.
func longSnapshot(t *testing.T) *cadence.Snapshot {
	t.Helper()
	s := testSnapshot(t)
	var people []cadence.Person
	for _, p := range s.Directory.People() {
		q := *p
		if q.Email == "amy@example.com" || q.Email == "dan@example.com" {
			q.Name = huge
		}
		people = append(people, q)
	}
	dir, err := cadence.NewDirectory(people)
	if err != nil {
		t.Fatal(err)
	}
	s.Directory = dir
	s.Sources[1].Name = huge
	return s
}

// checkBounded fails when out shows more than MaxDisplayRunes of huge in a
// row, is not valid UTF-8, or shows no cut.
func checkBounded(t *testing.T, where, out string) {
	t.Helper()
	if !utf8.ValidString(out) || strings.Contains(out, `\xc3`) {
		t.Errorf("%s: a rune was cut in two", where)
	}
	if strings.Contains(out, strings.Repeat("é", MaxDisplayRunes+1)) {
		t.Errorf("%s: shows more than %d runes of a long name (%d bytes in all)", where, MaxDisplayRunes, len(out))
	}
	if !strings.Contains(out, "é...") {
		t.Errorf("%s: the cut is not marked with ...", where)
	}
}

// TestLongStringsAreBounded: a 200,000-character name or source name is
// cut to MaxDisplayRunes runes, rune-safe, in the text and markdown
// reports, on the page, in the digest and in `cadence events`. The JSON
// report keeps the data whole.
func TestLongStringsAreBounded(t *testing.T) {
	s := longSnapshot(t)
	var buf bytes.Buffer
	if err := WriteText(&buf, s); err != nil {
		t.Fatal(err)
	}
	checkBounded(t, "text report", buf.String())
	buf.Reset()
	if err := WriteMarkdown(&buf, s); err != nil {
		t.Fatal(err)
	}
	checkBounded(t, "markdown report", buf.String())

	h := NewPageHandler(func() *cadence.Snapshot { return s }, PageOptions{})
	for _, path := range []string{"/", "/manager/amy@example.com", "/manager/ceo@example.com"} {
		_, body := get(t, h, path)
		checkBounded(t, "page "+path, body)
	}

	for _, m := range []string{"amy@example.com", "ceo@example.com"} {
		v, err := BuildManagerView(s, nil, m, ViewOptions{})
		if err != nil {
			t.Fatal(err)
		}
		v.Week = "2026-W47"
		html, err := RenderDigestHTML(v)
		if err != nil {
			t.Fatal(err)
		}
		checkBounded(t, "digest html "+m, string(html))
		if m == "amy@example.com" {
			checkBounded(t, "PersonRef.Display of "+m, v.Manager.Display())
		}
	}

	rows := testEventRows()[:1]
	rows[0].Occ.UID = huge
	rows[0].Occ.Organizer = huge + "@example.com"
	rows[0].Occ.Attendees = []calendar.Attendee{{Email: huge + "@example.com"}}
	buf.Reset()
	if err := WriteEventsText(&buf, rows); err != nil {
		t.Fatal(err)
	}
	checkBounded(t, "events text", buf.String())

	buf.Reset()
	if err := WriteJSON(&buf, s); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), huge) {
		t.Errorf("the JSON report does not keep the source name whole")
	}
}
