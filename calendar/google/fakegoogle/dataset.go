package fakegoogle

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"

	calendarv3 "google.golang.org/api/calendar/v3"
)

// Dataset is a JSON document that fills the fake server:
//
//	{"calendars": {"ana@example.com": {"timeZone": "Europe/Berlin",
//	                                   "events": [<Calendar v3 events>]}},
//	 "users": [{"id": "1", "email": "bo@example.com", "manager": "ana@example.com", ...}]}
//
// Events are Calendar v3 JSON (as events.list returns them); users are
// DirectoryUser values.
type Dataset struct {
	Calendars map[string]DatasetCalendar `json:"calendars"`
	Users     []DirectoryUser            `json:"users"`
}

// DatasetCalendar is one calendar of a Dataset.
type DatasetCalendar struct {
	TimeZone string              `json:"timeZone"`
	Events   []*calendarv3.Event `json:"events"`
}

// LoadDataset reads a Dataset (unknown fields are errors) and loads it:
// calendars in id order, then users when any are given. name is used in
// error messages.
func (s *Server) LoadDataset(r io.Reader, name string) error {
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	var ds Dataset
	if err := dec.Decode(&ds); err != nil {
		return fmt.Errorf("fakegoogle: %s: %w", name, err)
	}
	ids := make([]string, 0, len(ds.Calendars))
	for id := range ds.Calendars {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		c := ds.Calendars[id]
		for i, ev := range c.Events {
			if ev == nil || ev.Id == "" {
				return fmt.Errorf("fakegoogle: %s: calendar %s: event %d has no id", name, id, i+1)
			}
		}
	}
	for _, id := range ids {
		c := ds.Calendars[id]
		s.AddCalendar(id, c.TimeZone)
		s.LoadEvents(id, c.Events)
	}
	if len(ds.Users) > 0 {
		s.SetUsers(ds.Users)
	}
	return nil
}
