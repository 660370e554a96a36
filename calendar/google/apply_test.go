package google

import (
	"encoding/json"
	"maps"
	"slices"
	"strings"
	"testing"

	calendarv3 "google.golang.org/api/calendar/v3"
)

// TestApplyCancellations runs page sequences of cancelled items through
// apply and pruneOrphanCancellations, including wire forms the fake server
// does not produce (a bare id in a full sync, an exception listed before
// its master).
func TestApplyCancellations(t *testing.T) {
	const (
		single    = `{"id":"s","status":"confirmed","summary":"1:1","description":"secret","start":{"dateTime":"2026-02-11T15:00:00+01:00"},"end":{"dateTime":"2026-02-11T15:30:00+01:00"},"organizer":{"email":"ana@example.com"},"attendees":[{"email":"ana@example.com"},{"email":"bo@example.com"}]}`
		singleCxl = `{"id":"s","status":"cancelled","summary":"1:1","description":"secret","start":{"dateTime":"2026-02-11T15:00:00+01:00"},"end":{"dateTime":"2026-02-11T15:30:00+01:00"},"organizer":{"email":"ana@example.com"},"attendees":[{"email":"ana@example.com"},{"email":"bo@example.com"}]}`
		bareS     = `{"id":"s","status":"cancelled"}`
		master    = `{"id":"m","status":"confirmed","summary":"weekly","recurrence":["RRULE:FREQ=WEEKLY"],"start":{"dateTime":"2026-01-05T10:00:00+01:00"},"end":{"dateTime":"2026-01-05T10:30:00+01:00"}}`
		masterCxl = `{"id":"m","status":"cancelled","summary":"weekly","recurrence":["RRULE:FREQ=WEEKLY"],"start":{"dateTime":"2026-01-05T10:00:00+01:00"},"end":{"dateTime":"2026-01-05T10:30:00+01:00"}}`
		bareM     = `{"id":"m","status":"cancelled"}`
		moved     = `{"id":"m_1","status":"confirmed","recurringEventId":"m","originalStartTime":{"dateTime":"2026-01-12T10:00:00+01:00"},"start":{"dateTime":"2026-01-12T11:00:00+01:00"},"end":{"dateTime":"2026-01-12T11:30:00+01:00"}}`
		movedCxl  = `{"id":"m_1","status":"cancelled","recurringEventId":"m","originalStartTime":{"dateTime":"2026-01-12T10:00:00+01:00"},"start":{"dateTime":"2026-01-12T11:00:00+01:00"},"end":{"dateTime":"2026-01-12T11:30:00+01:00"}}`
		bareX     = `{"id":"m_2","status":"cancelled","recurringEventId":"m","originalStartTime":{"dateTime":"2026-01-19T10:00:00+01:00"}}`
		invited   = `{"id":"o_1","status":"cancelled","recurringEventId":"o","originalStartTime":{"dateTime":"2026-01-20T10:00:00+01:00"},"start":{"dateTime":"2026-01-20T10:00:00+01:00"},"end":{"dateTime":"2026-01-20T10:30:00+01:00"}}`
		bareO     = `{"id":"o_2","status":"cancelled","recurringEventId":"o","originalStartTime":{"dateTime":"2026-01-27T10:00:00+01:00"}}`
		ghost     = `{"id":"ghost","status":"cancelled"}`
		formerM   = `{"id":"m","status":"cancelled","summary":"now single","start":{"dateTime":"2026-01-05T10:00:00+01:00"},"end":{"dateTime":"2026-01-05T10:30:00+01:00"}}`
	)
	for _, tc := range []struct {
		name  string
		held  []string // the stored set before the page sequence
		items []string // the page sequence
		// want: id -> "status" or "status+start" (kept with its data)
		want map[string]string
	}{
		{"full sync: cancelled single with its data", nil, []string{singleCxl},
			map[string]string{"s": "cancelled+start"}},
		{"incremental: bare id of a held single", []string{single}, []string{bareS},
			map[string]string{"s": "cancelled+start"}},
		{"incremental: bare id of a single held cancelled", []string{singleCxl}, []string{bareS},
			map[string]string{"s": "cancelled+start"}},
		{"incremental: a cancelled single restored", []string{singleCxl}, []string{single},
			map[string]string{"s": "confirmed+start"}},
		{"incremental: bare id of a held master ends the series", []string{master, moved, bareX, single}, []string{bareM},
			map[string]string{"s": "confirmed+start"}},
		{"incremental: bare master, then its bare exceptions", []string{master, moved, single}, []string{bareM, bareX, `{"id":"m_1","status":"cancelled","recurringEventId":"m","originalStartTime":{"dateTime":"2026-01-12T10:00:00+01:00"}}`},
			map[string]string{"s": "confirmed+start"}},
		{"full sync: cancelled master with its data", nil, []string{masterCxl, movedCxl, bareX},
			map[string]string{}},
		{"full sync: exceptions listed before their cancelled master", nil, []string{movedCxl, bareX, masterCxl},
			map[string]string{}},
		{"incremental: cancelled master with its data", []string{master, moved}, []string{masterCxl},
			map[string]string{}},
		{"a cancelled event with data but no recurrence is a single", []string{master}, []string{formerM},
			map[string]string{"m": "cancelled+start"}},
		{"bare cancelled exception of a held master", []string{master}, []string{bareX},
			map[string]string{"m": "confirmed+start", "m_2": "cancelled"}},
		{"bare cancellation of a held moved instance keeps its data", []string{master, moved}, []string{`{"id":"m_1","status":"cancelled"}`},
			map[string]string{"m": "confirmed+start", "m_1": "cancelled+start"}},
		{"the one instance we were invited to, cancelled", nil, []string{invited, bareO},
			map[string]string{"o_1": "cancelled+start"}},
		{"bare unknown id", []string{single}, []string{ghost},
			map[string]string{"s": "confirmed+start"}},
		{"bare unknown id in a full sync", nil, []string{ghost, singleCxl},
			map[string]string{"s": "cancelled+start"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			events := map[string]json.RawMessage{}
			for _, h := range tc.held {
				var ev calendarv3.Event
				if err := json.Unmarshal([]byte(h), &ev); err != nil {
					t.Fatal(err)
				}
				b, _ := json.Marshal(trimEvent(&ev))
				events[ev.Id] = b
			}
			ended := map[string]bool{}
			for _, it := range tc.items {
				var ev calendarv3.Event
				if err := json.Unmarshal([]byte(it), &ev); err != nil {
					t.Fatal(err)
				}
				if err := apply(events, &ev, ended); err != nil {
					t.Fatalf("apply %s: %v", ev.Id, err)
				}
			}
			pruneOrphanCancellations(events, ended)
			got := map[string]string{}
			for id, raw := range events {
				if strings.Contains(string(raw), "secret") {
					t.Errorf("%s stored untrimmed: %s", id, raw)
				}
				var ev calendarv3.Event
				if err := json.Unmarshal(raw, &ev); err != nil {
					t.Fatal(err)
				}
				got[id] = ev.Status
				if ev.Start != nil {
					got[id] += "+start"
				}
			}
			if !maps.Equal(got, tc.want) {
				t.Errorf("event set %v, want %v (ids %v)", got, tc.want, slices.Sorted(maps.Keys(events)))
			}
		})
	}
}
