package calendar

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// FuzzParseICS feeds arbitrary bytes through ParseICS and Expand over a
// bounded window: nothing may panic or hang.
func FuzzParseICS(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*.ics"))
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte("BEGIN:VEVENT\nUID:a\nDTSTART:20240101T000000Z\nRRULE:FREQ=HOURLY;INTERVAL=1\nEND:VEVENT\n"))
	f.Add([]byte("BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:a\nDTSTART;TZID=\"x:20240101T000000\nEND:VEVENT\nEND:VCALENDAR\n"))
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		f.Fatal(err)
	}
	w := Window{From: time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2024, 7, 1, 0, 0, 0, 0, time.UTC)}
	f.Fuzz(func(t *testing.T, data []byte) {
		feed, err := ParseICS(bytes.NewReader(data), ParseOptions{Name: "fuzz", Owner: "o@example.com", Zone: berlin})
		if err != nil {
			return
		}
		occs, _ := Expand(feed.Events, w, ExpandOptions{Zone: berlin})
		for _, o := range occs {
			if !overlaps(o.Start, o.End, w) {
				t.Fatalf("occurrence outside the window: %+v", o)
			}
		}
		Dedup(occs)
	})
}
