package report

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/cadence-dev/cadence/cadence"
	"github.com/cadence-dev/cadence/calendar"
)

func testEventRows() []EventRow {
	cet := time.FixedZone("CET", 3600)
	at := func(s string) time.Time {
		t, err := time.ParseInLocation("2006-01-02 15:04", s, cet)
		if err != nil {
			panic(err)
		}
		return t
	}
	return []EventRow{
		{ // a moved 1:1, held, seen in both calendars
			Occ: calendar.Occurrence{
				UID: "weekly-amy-dan@example.com", SeriesUID: "weekly-amy-dan@example.com",
				OriginalStart: at("2026-11-02 09:00"), Start: at("2026-11-02 11:00"), End: at("2026-11-02 11:30"),
				Status: calendar.StatusConfirmed, Title: "Amy / Dan 1:1",
				Organizer: "amy@example.com",
				Attendees: []calendar.Attendee{
					{Email: "amy@example.com", Name: "Amy Adams", Response: calendar.ResponseAccepted, Organizer: true},
					{Email: "dan@example.com", Response: calendar.ResponseAccepted},
					{Email: "room-4@example.com", Name: "Room 4", Response: calendar.ResponseDeclined, Resource: true},
				},
				Override: true, Recurring: true, Source: "amy-google", Owner: "amy@example.com",
				SeenIn: []string{"amy-google", "dan.ics"},
			},
			Ex: cadence.Explanation{
				Participants: []string{"amy@example.com", "dan@example.com"},
				Excluded:     map[string]string{"room-4@example.com": "room"},
				OneOnOne:     true, Kind: cadence.KindDirect, Lead: "amy@example.com", Member: "dan@example.com",
				Outcome: cadence.OutcomeHeld, Reason: "held", Rescheduled: true, Rule: "direct",
			},
		},
		{ // an EXDATE'd instance
			Occ: calendar.Occurrence{
				UID: "weekly-amy-dan@example.com", SeriesUID: "weekly-amy-dan@example.com",
				OriginalStart: at("2026-11-09 09:00"), Start: at("2026-11-09 09:00"), End: at("2026-11-09 09:30"),
				Status: calendar.StatusCancelled, CancelReason: calendar.CancelExdate, Title: "Amy / Dan 1:1",
				Organizer: "amy@example.com",
				Attendees: []calendar.Attendee{
					{Email: "amy@example.com", Response: calendar.ResponseAccepted, Organizer: true},
					{Email: "dan-alias@example.com", Response: calendar.ResponseNeeds},
				},
				Recurring: true, Source: "dan.ics", Owner: "dan@example.com",
			},
			Ex: cadence.Explanation{
				Participants: []string{"amy@example.com", "dan@example.com"},
				OneOnOne:     true, Kind: cadence.KindDirect, Lead: "amy@example.com", Member: "dan@example.com",
				Outcome: cadence.OutcomeCancelled, Reason: "EXDATE", Rule: "direct",
			},
		},
		{ // a group meeting with a hostile title, a bot and an external guest
			Occ: calendar.Occurrence{
				UID: "evil\x1b[2J", SeriesUID: "evil\x1b[2J",
				OriginalStart: at("2026-11-10 16:00"), Start: at("2026-11-10 16:00"), End: at("2026-11-11 00:30"),
				Status: calendar.StatusConfirmed, Title: "Sync\n\x1b[31mURGENT\x1b[0m | <img src=x>",
				Attendees: []calendar.Attendee{
					{Email: "amy@example.com"},
					{Email: "dan@example.com", Response: calendar.ResponseTentative},
					{Email: "guest@other.org", Response: calendar.ResponseDeclined},
					{Email: "bot@otter.ai"},
				},
				Source: "amy-google", Owner: "amy@example.com",
			},
			Ex: cadence.Explanation{
				Participants: []string{"amy@example.com", "dan@example.com", "guest@other.org"},
				Excluded:     map[string]string{"bot@otter.ai": "ignored"},
				NotOneOnOne:  "3 participants",
			},
		},
		{ // all-day out of office
			Occ: calendar.Occurrence{
				UID: "ooo-1", SeriesUID: "ooo-1",
				OriginalStart: at("2026-11-12 00:00"), Start: at("2026-11-12 00:00"), End: at("2026-11-13 00:00"),
				AllDay: true, Status: calendar.StatusConfirmed, Title: "Out of office",
				Organizer: "dan@example.com", OutOfOffice: true, Transparent: true,
				Source: "dan.ics", Owner: "dan@example.com",
			},
			Ex: cadence.Explanation{Participants: []string{"dan@example.com"}, NotOneOnOne: "all-day"},
		},
	}
}

func TestWriteEventsJSONGolden(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteEventsJSON(&buf, testEventRows()); err != nil {
		t.Fatal(err)
	}
	golden(t, "events.golden.json", buf.Bytes())

	var doc []map[string]any
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc) != 4 {
		t.Fatalf("%d rows", len(doc))
	}
	for _, row := range doc {
		wantKeys(t, "event", row, "uid", "title", "start", "end", "original_start", "moved", "all_day", "status",
			"cancel_reason", "organizer", "attendees", "source", "seen_in", "participants", "excluded",
			"one_on_one", "not_one_on_one", "kind", "lead", "member", "outcome", "reason", "rescheduled",
			"too_short", "rule")
		for _, k := range []string{"attendees", "seen_in", "participants"} {
			if _, ok := row[k].([]any); !ok {
				t.Errorf("%s = %#v, want an array", k, row[k])
			}
		}
		if _, ok := row["excluded"].(map[string]any); !ok {
			t.Errorf("excluded = %#v, want an object", row["excluded"])
		}
	}
	moved := doc[0]
	if moved["moved"] != true || moved["start"] != "2026-11-02T10:00:00Z" || moved["original_start"] != "2026-11-02T08:00:00Z" ||
		moved["outcome"] != "held" || moved["rescheduled"] != true || moved["cancel_reason"] != nil {
		t.Errorf("moved row = %v", moved)
	}
	room := moved["attendees"].([]any)[2].(map[string]any)
	wantKeys(t, "attendee", room, "email", "name", "response", "resource", "organizer")
	if room["resource"] != true || room["response"] != "declined" {
		t.Errorf("room attendee = %v", room)
	}
	if doc[1]["cancel_reason"] != "exdate" || doc[1]["outcome"] != "cancelled" || doc[1]["moved"] != false {
		t.Errorf("exdate row = %v", doc[1])
	}
	if doc[2]["one_on_one"] != false || doc[2]["not_one_on_one"] != "3 participants" || doc[2]["kind"] != nil || doc[2]["outcome"] != nil {
		t.Errorf("group row = %v", doc[2])
	}

	buf.Reset()
	if err := WriteEventsJSON(&buf, nil); err != nil || buf.String() != "[]\n" {
		t.Errorf("no rows: %q, %v", buf.String(), err)
	}
}

func TestWriteEventsText(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteEventsText(&buf, testEventRows()); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	golden(t, "events.golden.txt", buf.Bytes())
	assertTerminalSafe(t, out)
	blocks := strings.Split(out, "\n\n")
	if len(blocks) != 4 {
		t.Fatalf("%d blocks, want 4:\n%s", len(blocks), out)
	}
	for i, want := range [][]string{
		{"Mon 2026-11-02 11:00 +01:00 - 11:30  Amy / Dan 1:1", "moved:      from Mon 2026-11-02 09:00 +01:00 to Mon 2026-11-02 11:00 +01:00",
			"amy@example.com: accepted, organizer", "room-4@example.com: declined, room/resource",
			"feeds:      amy-google, dan.ics (copy used: amy-google)", "excluded:   room-4@example.com (room)",
			"1:1:        direct, lead amy@example.com, member dan@example.com, rule direct",
			"outcome:    held [rescheduled]: held"},
		{"status:     cancelled (EXDATE: removed from the series)", "dan-alias@example.com: needs-action",
			"feeds:      dan.ics (copy used: dan.ics)", "outcome:    cancelled: EXDATE"},
		{`Tue 2026-11-10 16:00 +01:00 - Wed 2026-11-11 00:30 +01:00  Sync\n\x1b[31mURGENT\x1b[0m | <img src=x>`,
			`uid:        evil\x1b[2J`, "attendees:  amy@example.com: no response", "bot@otter.ai (ignored)",
			"1:1:        no (3 participants)"},
		{"Thu 2026-11-12 (all day)  Out of office", "status:     confirmed, out-of-office event", "attendees:  none listed", "1:1:        no (all-day)"},
	} {
		for _, w := range want {
			if !strings.Contains(blocks[i], w) {
				t.Errorf("block %d lacks %q:\n%s", i, w, blocks[i])
			}
		}
	}
	if strings.Contains(blocks[2], "outcome:") {
		t.Errorf("a non-1:1 shows an outcome")
	}

	buf.Reset()
	if err := WriteEventsText(&buf, nil); err != nil || buf.String() != "no occurrences\n" {
		t.Errorf("no rows: %q, %v", buf.String(), err)
	}
	if err := WriteEventsText(failWriter{}, testEventRows()); err == nil || !strings.HasPrefix(err.Error(), "report: ") {
		t.Errorf("failing writer: %v", err)
	}
}

func TestWriteEventsTextClipsTitles(t *testing.T) {
	rows := testEventRows()[:1]
	rows[0].Occ.Title = strings.Repeat("x", 5000)
	var buf bytes.Buffer
	if err := WriteEventsText(&buf, rows); err != nil {
		t.Fatal(err)
	}
	first := strings.SplitN(buf.String(), "\n", 2)[0]
	if len(first) > 300 || !strings.HasSuffix(first, "...") {
		t.Errorf("title not clipped: %d bytes", len(first))
	}
}
