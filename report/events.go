package report

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/cadence-dev/cadence/cadence"
	"github.com/cadence-dev/cadence/calendar"
)

// EventRow is one occurrence of `cadence events` with how cadence read it.
type EventRow struct {
	Occ calendar.Occurrence
	Ex  cadence.Explanation
	// Seen is the history entry of an occurrence that vanished from its
	// calendar (nil otherwise): when it was last seen, since when it is gone.
	Seen *calendar.Seen
}

// Event is one row of WriteEventsJSON: the occurrence as the calendars
// describe it, then the explanation (flattened). Optional strings are null
// when empty; arrays and the excluded map are never null.
type Event struct {
	UID           string          `json:"uid"`
	Title         string          `json:"title"`
	Start         time.Time       `json:"start"`
	End           time.Time       `json:"end"`
	OriginalStart time.Time       `json:"original_start"`
	Moved         bool            `json:"moved"`
	AllDay        bool            `json:"all_day"`
	Status        string          `json:"status"`
	CancelReason  *string         `json:"cancel_reason"`
	Organizer     *string         `json:"organizer"`
	Attendees     []EventAttendee `json:"attendees"`
	Source        string          `json:"source"`
	SeenIn        []string        `json:"seen_in"`

	Participants []string          `json:"participants"`
	Excluded     map[string]string `json:"excluded"`
	OneOnOne     bool              `json:"one_on_one"`
	NotOneOnOne  *string           `json:"not_one_on_one"`
	Kind         *string           `json:"kind"`
	Lead         *string           `json:"lead"`
	Member       *string           `json:"member"`
	Outcome      *string           `json:"outcome"`
	Reason       *string           `json:"reason"`
	Rescheduled  bool              `json:"rescheduled"`
	TooShort     bool              `json:"too_short"`
	Rule         *string           `json:"rule"`
	// History is present only for an occurrence that vanished from its
	// calendar: when a read last showed it, and the first read without it.
	History *EventHistory `json:"history,omitempty"`
}

// EventHistory says when a vanished occurrence was last seen and since
// when it is gone (RFC 3339, UTC; gone_since null when unknown).
type EventHistory struct {
	LastSeen  time.Time  `json:"last_seen"`
	GoneSince *time.Time `json:"gone_since"`
	Note      string     `json:"note"`
}

// vanishedNote is the sentence of `cadence events` for a vanished
// occurrence: "seen on <date>, gone from the feed since <date>: counted
// as cancelled".
func vanishedNote(s *calendar.Seen) string {
	const day = "2006-01-02"
	gone := "a later read"
	if !s.GoneSince.IsZero() {
		gone = s.GoneSince.UTC().Format(day)
	}
	return fmt.Sprintf("seen on %s, gone from the feed since %s: counted as cancelled", s.LastSeen.UTC().Format(day), gone)
}

// EventAttendee is one attendee as the calendar lists it.
type EventAttendee struct {
	Email     string  `json:"email"`
	Name      *string `json:"name"`
	Response  *string `json:"response"`
	Resource  bool    `json:"resource"`
	Organizer bool    `json:"organizer"`
}

func optString(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func eventOf(row EventRow) Event {
	o, x := row.Occ, row.Ex
	ev := Event{
		UID:           o.UID,
		Title:         o.Title,
		Start:         o.Start.UTC(),
		End:           o.End.UTC(),
		OriginalStart: o.OriginalStart.UTC(),
		Moved:         o.Moved(),
		AllDay:        o.AllDay,
		Status:        string(o.Status),
		CancelReason:  optString(string(o.CancelReason)),
		Organizer:     optString(o.Organizer),
		Attendees:     make([]EventAttendee, 0, len(o.Attendees)),
		Source:        o.Source,
		SeenIn:        append([]string{}, o.SeenIn...),
		Participants:  append([]string{}, x.Participants...),
		Excluded:      map[string]string{},
		OneOnOne:      x.OneOnOne,
		NotOneOnOne:   optString(x.NotOneOnOne),
		Kind:          optString(string(x.Kind)),
		Lead:          optString(x.Lead),
		Member:        optString(x.Member),
		Outcome:       optString(string(x.Outcome)),
		Reason:        optString(x.Reason),
		Rescheduled:   x.Rescheduled,
		TooShort:      x.TooShort,
		Rule:          optString(x.Rule),
	}
	for _, a := range o.Attendees {
		ev.Attendees = append(ev.Attendees, EventAttendee{
			Email:     a.Email,
			Name:      optString(a.Name),
			Response:  optString(string(a.Response)),
			Resource:  a.Resource,
			Organizer: a.Organizer,
		})
	}
	for k, val := range x.Excluded {
		ev.Excluded[k] = val
	}
	if s := row.Seen; s != nil && o.CancelReason == calendar.CancelVanished {
		h := &EventHistory{LastSeen: s.LastSeen.UTC(), Note: vanishedNote(s)}
		if !s.GoneSince.IsZero() {
			g := s.GoneSince.UTC()
			h.GoneSince = &g
		}
		ev.History = h
	}
	return ev
}

// WriteEventsJSON writes rows as one JSON array (two-space indent, trailing
// newline), in the given order. Times are RFC 3339 in UTC.
func WriteEventsJSON(w io.Writer, rows []EventRow) error {
	out := make([]Event, 0, len(rows))
	for _, r := range rows {
		out = append(out, eventOf(r))
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	if err := enc.Encode(out); err != nil {
		return fmt.Errorf("report: encoding events JSON: %w", err)
	}
	if _, err := w.Write(buf.Bytes()); err != nil {
		return fmt.Errorf("report: writing events JSON: %w", err)
	}
	return nil
}

// maxTitleLen bounds a title shown in text output.
const maxTitleLen = 200

// eventTime shows an instant in the zone the calendar gave it, with its
// offset: "Mon 2026-11-02 09:00 +01:00".
func eventTime(t time.Time) string {
	return t.Format("Mon 2006-01-02 15:04 -07:00")
}

// WriteEventsText writes one block per occurrence saying what decided its
// outcome: times (original start when moved), status and its cause, each
// attendee's response, the feeds it was seen in, the participants cadence
// kept and dropped, and the 1:1 verdict with its reason. Times are shown in
// the zone the calendar gave them, with their UTC offset.
func WriteEventsText(w io.Writer, rows []EventRow) error {
	bw := bufio.NewWriter(w)
	if len(rows) == 0 {
		fmt.Fprintln(bw, "no occurrences")
	}
	for i, r := range rows {
		if i > 0 {
			fmt.Fprintln(bw)
		}
		writeEventBlock(bw, r)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("report: writing events text: %w", err)
	}
	return nil
}

func writeEventBlock(w io.Writer, r EventRow) {
	o, x := r.Occ, r.Ex
	title := o.Title
	if title == "" {
		title = "(no title)"
	}
	end := o.End.In(o.Start.Location())
	span := eventTime(o.Start) + " - " + end.Format("15:04")
	switch {
	case o.AllDay:
		span = o.Start.Format("Mon 2006-01-02") + " (all day)"
	case end.Format("2006-01-02") != o.Start.Format("2006-01-02"):
		span = eventTime(o.Start) + " - " + eventTime(end)
	}
	fmt.Fprintf(w, "%s  %s\n", span, clip(cleanText(runePrefix(title, maxTitleLen+1)), maxTitleLen))
	fmt.Fprintf(w, "  uid:        %s\n", displayText(o.UID))
	status := cleanText(string(o.Status))
	if o.CancelReason != calendar.CancelNone {
		status += " (" + cancelReasonText(o.CancelReason) + ")"
	}
	if o.OutOfOffice {
		status += ", out-of-office event"
	}
	fmt.Fprintf(w, "  status:     %s\n", status)
	if r.Seen != nil && o.CancelReason == calendar.CancelVanished {
		fmt.Fprintf(w, "  history:    %s\n", vanishedNote(r.Seen))
	}
	if o.Moved() {
		fmt.Fprintf(w, "  moved:      from %s to %s\n", eventTime(o.OriginalStart), eventTime(o.Start))
	} else if o.Override {
		fmt.Fprintf(w, "  override:   same start as the series\n")
	}
	if o.Organizer != "" {
		fmt.Fprintf(w, "  organizer:  %s\n", displayText(o.Organizer))
	}
	if len(o.Attendees) == 0 {
		fmt.Fprintf(w, "  attendees:  none listed\n")
	}
	for i, a := range o.Attendees {
		label := "  attendees:  "
		if i > 0 {
			label = "              "
		}
		resp := string(a.Response)
		if resp == "" {
			resp = "no response"
		}
		var notes []string
		if a.Organizer {
			notes = append(notes, "organizer")
		}
		if a.Resource {
			notes = append(notes, "room/resource")
		}
		extra := ""
		if len(notes) > 0 {
			extra = ", " + strings.Join(notes, ", ")
		}
		fmt.Fprintf(w, "%s%s: %s%s\n", label, displayText(a.Email), displayText(resp), extra)
	}
	feeds := o.SeenIn
	if len(feeds) == 0 && o.Source != "" {
		feeds = []string{o.Source}
	}
	fmt.Fprintf(w, "  feeds:      %s (copy used: %s)\n", cleanText(strings.Join(feeds, ", ")), cleanText(orDash(o.Source)))
	fmt.Fprintf(w, "  people:     %s\n", cleanText(orDash(strings.Join(x.Participants, ", "))))
	if len(x.Excluded) > 0 {
		keys := make([]string, 0, len(x.Excluded))
		for k := range x.Excluded {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		parts := make([]string, 0, len(keys))
		for _, k := range keys {
			parts = append(parts, k+" ("+x.Excluded[k]+")")
		}
		fmt.Fprintf(w, "  excluded:   %s\n", cleanText(strings.Join(parts, ", ")))
	}
	if !x.OneOnOne {
		why := x.NotOneOnOne
		if why == "" {
			why = "no reason given"
		}
		fmt.Fprintf(w, "  1:1:        no (%s)\n", cleanText(why))
		return
	}
	rule := ""
	if x.Rule != "" {
		rule = ", rule " + x.Rule
	}
	fmt.Fprintf(w, "  1:1:        %s, lead %s, member %s%s\n", cleanText(string(x.Kind)), cleanText(x.Lead), cleanText(x.Member), cleanText(rule))
	outcome := string(x.Outcome)
	if outcome == "" {
		outcome = "-"
	}
	var notes []string
	if x.Rescheduled {
		notes = append(notes, "rescheduled")
	}
	if x.TooShort {
		notes = append(notes, "too short")
	}
	if len(notes) > 0 {
		outcome += " [" + strings.Join(notes, ", ") + "]"
	}
	if x.Reason != "" {
		outcome += ": " + x.Reason
	}
	fmt.Fprintf(w, "  outcome:    %s\n", cleanText(outcome))
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func cancelReasonText(c calendar.CancelReason) string {
	switch c {
	case calendar.CancelStatus:
		return "status cancelled"
	case calendar.CancelExdate:
		return "EXDATE: removed from the series"
	case calendar.CancelTitlePrefix:
		return `title starts with "Canceled:"`
	case calendar.CancelVanished:
		return "vanished from the calendar since an earlier read"
	}
	return cleanText(string(c))
}
