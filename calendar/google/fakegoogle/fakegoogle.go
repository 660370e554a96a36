// Package fakegoogle is an in-process fake of the parts of the Google APIs
// cadence uses: Calendar v3 events.list (paging, sync tokens from a change
// log, showDeleted semantics, cancelled exceptions, 410 for expired tokens)
// and Admin SDK Directory users.list. Deleted and cancelled events are
// listed the way Google lists them: a full sync with showDeleted keeps
// their fields (status "cancelled"), an incremental sync carries only
// their ids (see wire). It answers with real v3 JSON (the
// google.golang.org/api types are used to marshal), so cadence talks to it
// through the real Go client library by pointing the client's endpoint at
// it. Faults (403 rate limits, 429, 5xx, latency) can be injected, and every
// request is counted per calendar and method.
//
// It is meant for tests and for trying cadence without a Google account; it
// holds everything in memory.
package fakegoogle

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	admin "google.golang.org/api/admin/directory/v1"
	calendarv3 "google.golang.org/api/calendar/v3"
)

// Method names used for request counting.
const (
	MethodEventsList = "events.list"
	MethodUsersList  = "users.list"
)

// Fault is one injected failure. Status is the HTTP status to answer with
// (403, 429, 500, 503, ...); Reason is the error reason of a 403
// ("rateLimitExceeded", "userRateLimitExceeded"); RetryAfter, when set, is
// sent as a Retry-After header (seconds).
type Fault struct {
	Status     int
	Reason     string
	RetryAfter int
}

// Common faults.
var (
	RateLimitExceeded     = Fault{Status: http.StatusForbidden, Reason: "rateLimitExceeded"}
	UserRateLimitExceeded = Fault{Status: http.StatusForbidden, Reason: "userRateLimitExceeded"}
	TooManyRequests       = Fault{Status: http.StatusTooManyRequests, Reason: "rateLimitExceeded"}
	InternalError         = Fault{Status: http.StatusInternalServerError, Reason: "backendError"}
	Unavailable           = Fault{Status: http.StatusServiceUnavailable, Reason: "backendError"}
)

// Server is the fake. The zero value is not usable: call New.
type Server struct {
	mu     sync.Mutex
	mux    *http.ServeMux
	seq    int64
	issued int64 // sync tokens issued
	base   time.Time
	cals   map[string]*fakeCalendar
	faults map[string][]Fault // "" = any calendar / any request
	always map[string]Fault   // permanent faults per calendar ("" = all)
	block  map[string]chan struct{}
	delay  map[string]time.Duration  // added latency per calendar ("" = all)
	counts map[string]map[string]int // calendar id ("" for users.list) -> method -> n
	last   map[string]url.Values     // calendar id -> query of the last request
	users  []*admin.User
}

type fakeCalendar struct {
	id       string
	timeZone string
	epoch    int // tokens of older epochs are expired (410)
	entries  map[string]*entry
}

type entry struct {
	ev      *calendarv3.Event // full current state
	seq     int64             // change sequence of the last change
	deleted bool              // deleted or cancelled
}

// New returns an empty fake server. Event "updated" times are derived from
// a fixed base time plus the change sequence, so answers are deterministic.
func New() *Server {
	s := &Server{
		base:   time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
		cals:   map[string]*fakeCalendar{},
		faults: map[string][]Fault{},
		always: map[string]Fault{},
		block:  map[string]chan struct{}{},
		delay:  map[string]time.Duration{},
		counts: map[string]map[string]int{},
		last:   map[string]url.Values{},
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /calendar/v3/calendars/{calendarId}/events", s.eventsList)
	mux.HandleFunc("GET /admin/directory/v1/users", s.usersList)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "notFound", "fakegoogle: no such method: "+r.Method+" "+r.URL.Path)
	})
	s.mux = mux
	return s
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

// CalendarEndpoint returns the endpoint to give the Calendar client
// (option.WithEndpoint) for a server listening at baseURL.
func CalendarEndpoint(baseURL string) string {
	return strings.TrimRight(baseURL, "/") + "/calendar/v3/"
}

// DirectoryEndpoint returns the endpoint to give the Admin SDK client.
func DirectoryEndpoint(baseURL string) string {
	return strings.TrimRight(baseURL, "/") + "/"
}

// AddCalendar creates an empty calendar (idempotent). timeZone is the
// calendar's zone as events.list reports it ("" = UTC).
func (s *Server) AddCalendar(calendarID, timeZone string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.cal(calendarID)
	if timeZone != "" {
		c.timeZone = timeZone
	}
}

func (s *Server) cal(id string) *fakeCalendar {
	c, ok := s.cals[id]
	if !ok {
		c = &fakeCalendar{id: id, timeZone: "UTC", entries: map[string]*entry{}}
		s.cals[id] = c
	}
	return c
}

func (s *Server) nextSeq() int64 {
	s.seq++
	return s.seq
}

func (s *Server) stamp(ev *calendarv3.Event, seq int64) {
	ev.Updated = s.base.Add(time.Duration(seq) * time.Second).Format(time.RFC3339)
	ev.Etag = fmt.Sprintf("\"%d\"", seq)
	ev.Kind = "calendar#event"
}

func clone(ev *calendarv3.Event) *calendarv3.Event {
	b, err := json.Marshal(ev)
	if err != nil {
		panic("fakegoogle: marshal event: " + err.Error())
	}
	out := new(calendarv3.Event)
	if err := json.Unmarshal(b, out); err != nil {
		panic("fakegoogle: unmarshal event: " + err.Error())
	}
	return out
}

// PutEvent inserts or replaces an event (a master, a single event or an
// exception with RecurringEventId/OriginalStartTime) in a calendar,
// creating the calendar when needed. An empty ICalUID becomes
// Id+"@google.com"; Status defaults to "confirmed".
func (s *Server) PutEvent(calendarID string, ev *calendarv3.Event) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.put(s.cal(calendarID), clone(ev))
}

func (s *Server) put(c *fakeCalendar, ev *calendarv3.Event) {
	if ev.Id == "" {
		panic("fakegoogle: PutEvent: event without id")
	}
	if ev.ICalUID == "" {
		if ev.RecurringEventId != "" {
			if m, ok := c.entries[ev.RecurringEventId]; ok {
				ev.ICalUID = m.ev.ICalUID
			}
		}
		if ev.ICalUID == "" {
			ev.ICalUID = ev.Id + "@google.com"
		}
	}
	if ev.Status == "" {
		ev.Status = "confirmed"
	}
	seq := s.nextSeq()
	s.stamp(ev, seq)
	c.entries[ev.Id] = &entry{ev: ev, seq: seq, deleted: ev.Status == "cancelled"}
}

// LoadEvents puts every event into the calendar (see PutEvent).
func (s *Server) LoadEvents(calendarID string, evs []*calendarv3.Event) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.cal(calendarID)
	for _, ev := range evs {
		s.put(c, clone(ev))
	}
}

// Event returns a copy of the current state of an event, or nil.
func (s *Server) Event(calendarID, eventID string) *calendarv3.Event {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.cals[calendarID]
	if !ok {
		return nil
	}
	e, ok := c.entries[eventID]
	if !ok {
		return nil
	}
	return clone(e.ev)
}

// InstanceID is the id Google gives the exception of masterID at
// originalStart (UTC basic format; a date for all-day series).
func InstanceID(masterID string, originalStart time.Time, allDay bool) string {
	if allDay {
		return masterID + "_" + originalStart.Format("20060102")
	}
	return masterID + "_" + originalStart.UTC().Format("20060102T150405Z")
}

func (s *Server) master(calendarID, masterID string) (*fakeCalendar, *entry, error) {
	c, ok := s.cals[calendarID]
	if !ok {
		return nil, nil, fmt.Errorf("fakegoogle: no calendar %q", calendarID)
	}
	m, ok := c.entries[masterID]
	if !ok || m.deleted {
		return nil, nil, fmt.Errorf("fakegoogle: calendar %q: no event %q", calendarID, masterID)
	}
	if len(m.ev.Recurrence) == 0 {
		return nil, nil, fmt.Errorf("fakegoogle: calendar %q: event %q is not recurring", calendarID, masterID)
	}
	return c, m, nil
}

func originalStartOf(m *calendarv3.Event, at time.Time) *calendarv3.EventDateTime {
	if m.Start != nil && m.Start.Date != "" {
		return &calendarv3.EventDateTime{Date: at.Format("2006-01-02")}
	}
	tz := ""
	if m.Start != nil {
		tz = m.Start.TimeZone
	}
	return &calendarv3.EventDateTime{DateTime: at.Format(time.RFC3339), TimeZone: tz}
}

// UpdateInstance creates (or updates) the exception of one instance of a
// recurring event: the exception starts as a copy of the master (or of the
// existing exception) at its original start, then mutate changes it. It
// returns the exception's id.
func (s *Server) UpdateInstance(calendarID, masterID string, originalStart time.Time, mutate func(ev *calendarv3.Event)) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, m, err := s.master(calendarID, masterID)
	if err != nil {
		return "", err
	}
	allDay := m.ev.Start != nil && m.ev.Start.Date != ""
	id := InstanceID(masterID, originalStart, allDay)
	var ex *calendarv3.Event
	if old, ok := c.entries[id]; ok && !old.deleted {
		ex = clone(old.ev)
	} else {
		ex = clone(m.ev)
		ex.Id = id
		ex.Recurrence = nil
		ex.RecurringEventId = masterID
		ex.OriginalStartTime = originalStartOf(m.ev, originalStart)
		dur, err := duration(m.ev)
		if err != nil {
			return "", err
		}
		ex.Start = originalStartOf(m.ev, originalStart)
		ex.End = originalStartOf(m.ev, originalStart.Add(dur))
	}
	mutate(ex)
	s.put(c, ex)
	return id, nil
}

func duration(ev *calendarv3.Event) (time.Duration, error) {
	st, err := parseEDT(ev.Start)
	if err != nil {
		return 0, fmt.Errorf("fakegoogle: event %q: start: %w", ev.Id, err)
	}
	en, err := parseEDT(ev.End)
	if err != nil {
		return 0, fmt.Errorf("fakegoogle: event %q: end: %w", ev.Id, err)
	}
	return en.Sub(st), nil
}

func parseEDT(d *calendarv3.EventDateTime) (time.Time, error) {
	if d == nil {
		return time.Time{}, fmt.Errorf("missing")
	}
	if d.Date != "" {
		return time.Parse("2006-01-02", d.Date)
	}
	return time.Parse(time.RFC3339, d.DateTime)
}

// CancelInstance cancels one instance of a recurring event, the way Google
// records it: a cancelled exception (id, recurringEventId,
// originalStartTime, status cancelled).
func (s *Server) CancelInstance(calendarID, masterID string, originalStart time.Time) error {
	_, err := s.UpdateInstance(calendarID, masterID, originalStart, func(ev *calendarv3.Event) {
		ev.Status = "cancelled"
	})
	return err
}

// MoveInstance moves one instance of a recurring event to [start, end).
func (s *Server) MoveInstance(calendarID, masterID string, originalStart, start, end time.Time) error {
	_, err := s.UpdateInstance(calendarID, masterID, originalStart, func(ev *calendarv3.Event) {
		tz := ""
		if ev.Start != nil {
			tz = ev.Start.TimeZone
		}
		ev.Start = &calendarv3.EventDateTime{DateTime: start.Format(time.RFC3339), TimeZone: tz}
		ev.End = &calendarv3.EventDateTime{DateTime: end.Format(time.RFC3339), TimeZone: tz}
		ev.Sequence++
	})
	return err
}

// SetResponse sets an attendee's responseStatus ("accepted", "declined",
// "tentative", "needsAction") on an event (a master, a single event or an
// exception), adding the attendee when absent.
func (s *Server) SetResponse(calendarID, eventID, email, response string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.cals[calendarID]
	if !ok {
		return fmt.Errorf("fakegoogle: no calendar %q", calendarID)
	}
	e, ok := c.entries[eventID]
	if !ok || e.deleted {
		return fmt.Errorf("fakegoogle: calendar %q: no event %q", calendarID, eventID)
	}
	ev := clone(e.ev)
	setResponse(ev, email, response)
	s.put(c, ev)
	return nil
}

func setResponse(ev *calendarv3.Event, email, response string) {
	for _, a := range ev.Attendees {
		if strings.EqualFold(a.Email, email) {
			a.ResponseStatus = response
			return
		}
	}
	ev.Attendees = append(ev.Attendees, &calendarv3.EventAttendee{Email: email, ResponseStatus: response})
}

// DeleteEvent deletes an event; for the organizer's calendar that is
// cancelling the meeting. Deleting a recurring master also deletes its
// exceptions. A full sync with showDeleted then lists the event with all
// its fields and status cancelled; an incremental sync carries it as
// status cancelled with nothing but its id (plus recurringEventId and
// originalStartTime for an exception). PutEvent with Status "cancelled"
// does the same for an event that may not exist yet.
func (s *Server) DeleteEvent(calendarID, eventID string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.cals[calendarID]
	if !ok {
		return fmt.Errorf("fakegoogle: no calendar %q", calendarID)
	}
	e, ok := c.entries[eventID]
	if !ok || e.deleted {
		return fmt.Errorf("fakegoogle: calendar %q: no event %q", calendarID, eventID)
	}
	s.deleteEntry(e)
	for _, x := range sortedEntries(c) {
		if x.ev.RecurringEventId == eventID && !x.deleted {
			s.deleteEntry(x)
		}
	}
	return nil
}

func (s *Server) deleteEntry(e *entry) {
	ev := clone(e.ev)
	ev.Status = "cancelled"
	e.ev = ev
	e.deleted = true
	e.seq = s.nextSeq()
	s.stamp(ev, e.seq)
}

// CutSeries is Google's "this and following" edit at instance start at: the
// old master's RRULE ends (UNTIL one second before at; a COUNT is
// replaced), its exceptions at or after at are deleted, and a new series
// starting at at is created with id masterID+"_R"+<at in UTC basic
// format> and the matching iCalUID (suffix before '@'). mutate, when not
// nil, changes the new series (title, attendees, ...). It returns the new
// series' id.
func (s *Server) CutSeries(calendarID, masterID string, at time.Time, mutate func(ev *calendarv3.Event)) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, m, err := s.master(calendarID, masterID)
	if err != nil {
		return "", err
	}
	allDay := m.ev.Start != nil && m.ev.Start.Date != ""
	dur, err := duration(m.ev)
	if err != nil {
		return "", err
	}
	var until string
	if allDay {
		until = at.AddDate(0, 0, -1).Format("20060102")
	} else {
		until = at.Add(-time.Second).UTC().Format("20060102T150405Z")
	}
	old := clone(m.ev)
	newEv := clone(m.ev)
	for i, line := range old.Recurrence {
		if !strings.HasPrefix(strings.ToUpper(line), "RRULE:") {
			continue
		}
		var parts, newParts []string
		for _, p := range strings.Split(line[len("RRULE:"):], ";") {
			up := strings.ToUpper(p)
			if strings.HasPrefix(up, "UNTIL=") || strings.HasPrefix(up, "COUNT=") {
				continue
			}
			parts = append(parts, p)
			newParts = append(newParts, p)
		}
		old.Recurrence[i] = "RRULE:" + strings.Join(append(parts, "UNTIL="+until), ";")
		newEv.Recurrence[i] = "RRULE:" + strings.Join(newParts, ";")
	}
	old.Sequence++
	s.put(c, old)
	for _, x := range sortedEntries(c) {
		if x.ev.RecurringEventId != masterID || x.deleted {
			continue
		}
		os, err := parseEDT(x.ev.OriginalStartTime)
		if err == nil && !os.Before(at) {
			s.deleteEntry(x)
		}
	}
	suffix := "_R" + at.UTC().Format("20060102T150405")
	newEv.Id = masterID + suffix
	if i := strings.LastIndex(m.ev.ICalUID, "@"); i >= 0 {
		newEv.ICalUID = m.ev.ICalUID[:i] + suffix + m.ev.ICalUID[i:]
	} else {
		newEv.ICalUID = m.ev.ICalUID + suffix
	}
	newEv.Start = originalStartOf(m.ev, at)
	newEv.End = originalStartOf(m.ev, at.Add(dur))
	newEv.Sequence = 0
	if mutate != nil {
		mutate(newEv)
	}
	s.put(c, newEv)
	return newEv.Id, nil
}

// ExpireSyncTokens makes every sync token (and page token) issued so far
// for the calendar invalid: the next request with one gets 410 Gone.
func (s *Server) ExpireSyncTokens(calendarID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cal(calendarID).epoch++
}

// InjectFaults queues faults answered, in order, to the next requests for
// the calendar (calendarID "" = the next requests of any kind, including
// users.list). Each fault is used once; a zero Fault lets one request
// through (to aim a fault at a later page).
func (s *Server) InjectFaults(calendarID string, faults ...Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults[calendarID] = append(s.faults[calendarID], faults...)
}

// FailAlways makes every request for the calendar fail with f until
// ClearFaults (calendarID "" = every request).
func (s *Server) FailAlways(calendarID string, f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.always[calendarID] = f
}

// ClearFaults removes queued and permanent faults and releases blocks.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = map[string][]Fault{}
	s.always = map[string]Fault{}
	for k, ch := range s.block {
		close(ch)
		delete(s.block, k)
	}
}

// Block makes requests for the calendar ("" = every request) wait until
// the returned release function is called or the client gives up (its
// request context ends): latency without a clock.
func (s *Server) Block(calendarID string) (release func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch := make(chan struct{})
	s.block[calendarID] = ch
	var once sync.Once
	return func() {
		once.Do(func() {
			s.mu.Lock()
			defer s.mu.Unlock()
			if s.block[calendarID] == ch {
				delete(s.block, calendarID)
			}
			close(ch)
		})
	}
}

// SetLatency adds d of wall-clock latency to every request for the
// calendar ("" = every request; 0 removes it). For trying timeouts by
// hand; tests should prefer Block, which needs no clock.
func (s *Server) SetLatency(calendarID string, d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if d <= 0 {
		delete(s.delay, calendarID)
		return
	}
	s.delay[calendarID] = d
}

// Requests returns how many requests of method reached the server for the
// calendar (users.list is counted under calendar id ""), faults included.
func (s *Server) Requests(calendarID, method string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.counts[calendarID][method]
}

// TotalRequests returns the number of requests of method over all calendars.
func (s *Server) TotalRequests(method string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, m := range s.counts {
		n += m[method]
	}
	return n
}

// LastQuery returns the query parameters of the last request for the
// calendar ("" = users.list), or nil.
func (s *Server) LastQuery(calendarID string) url.Values {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.last[calendarID]
}

// ResetCounts sets every request counter to zero.
func (s *Server) ResetCounts() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.counts = map[string]map[string]int{}
}

// admit counts the request and applies faults and blocks. It returns false
// when a response was already written.
func (s *Server) admit(w http.ResponseWriter, r *http.Request, calendarID, method string) bool {
	s.mu.Lock()
	if s.counts[calendarID] == nil {
		s.counts[calendarID] = map[string]int{}
	}
	s.counts[calendarID][method]++
	s.last[calendarID] = r.URL.Query()
	var fault *Fault
	for _, key := range []string{calendarID, ""} {
		if q := s.faults[key]; len(q) > 0 {
			f := q[0]
			s.faults[key] = q[1:]
			fault = &f
			break
		}
		if f, ok := s.always[key]; ok {
			fault = &f
			break
		}
	}
	blk := s.block[calendarID]
	if blk == nil {
		blk = s.block[""]
	}
	delay := s.delay[calendarID] + s.delay[""]
	s.mu.Unlock()
	if delay > 0 {
		t := time.NewTimer(delay)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return false
		}
	}
	if blk != nil {
		select {
		case <-blk:
		case <-r.Context().Done():
			return false
		}
	}
	if fault != nil && fault.Status != 0 {
		if fault.RetryAfter > 0 {
			w.Header().Set("Retry-After", strconv.Itoa(fault.RetryAfter))
		}
		reason := fault.Reason
		if reason == "" {
			reason = "backendError"
		}
		writeError(w, fault.Status, reason, fmt.Sprintf("fakegoogle: injected fault %d %s", fault.Status, reason))
		return false
	}
	return true
}

type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Code    int         `json:"code"`
	Message string      `json:"message"`
	Errors  []errorItem `json:"errors"`
}

type errorItem struct {
	Domain  string `json:"domain"`
	Reason  string `json:"reason"`
	Message string `json:"message"`
}

func writeError(w http.ResponseWriter, code int, reason, msg string) {
	domain := "global"
	if strings.Contains(reason, "RateLimit") || strings.HasPrefix(reason, "rateLimit") {
		domain = "usageLimits"
	}
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(errorBody{Error: errorDetail{
		Code: code, Message: msg,
		Errors: []errorItem{{Domain: domain, Reason: reason, Message: msg}},
	}})
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	if err := json.NewEncoder(w).Encode(v); err != nil {
		writeError(w, http.StatusInternalServerError, "backendError", "fakegoogle: encode: "+err.Error())
	}
}

// token is the decoded form of sync and page tokens.
type token struct {
	Cal   string `json:"c"`
	Epoch int    `json:"e"`
	Since int64  `json:"s"` // changes with seq > Since
	Upto  int64  `json:"u"` // ... and seq <= Upto (page tokens only)
	After int64  `json:"a"` // page tokens: continue after this seq
	Del   bool   `json:"d"` // page tokens: include deleted items
	Inc   bool   `json:"i"` // page tokens: an incremental sync's (deleted items bare)
	N     int64  `json:"n"` // sync tokens: serial, so each answer has a new token (as Google's)
}

func encodeToken(t token) string {
	b, _ := json.Marshal(t)
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeToken(s string) (token, bool) {
	var t token
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return t, false
	}
	if json.Unmarshal(b, &t) != nil {
		return t, false
	}
	return t, true
}

func sortedEntries(c *fakeCalendar) []*entry {
	out := make([]*entry, 0, len(c.entries))
	for _, e := range c.entries {
		out = append(out, e)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].seq < out[j].seq })
	return out
}

// wire is the representation of an entry in a list response. A deleted
// entry keeps its fields in a full sync (with showDeleted; Google keeps
// them so a deleted event can be restored), and is bare in an incremental
// sync: id and status cancelled, plus recurringEventId and
// originalStartTime for an exception.
func wire(e *entry, incremental bool) *calendarv3.Event {
	if !e.deleted || !incremental {
		return e.ev
	}
	out := &calendarv3.Event{Kind: "calendar#event", Etag: e.ev.Etag, Id: e.ev.Id, Status: "cancelled"}
	if e.ev.RecurringEventId != "" {
		out.RecurringEventId = e.ev.RecurringEventId
		out.OriginalStartTime = e.ev.OriginalStartTime
	}
	return out
}

func (s *Server) eventsList(w http.ResponseWriter, r *http.Request) {
	calID := r.PathValue("calendarId")
	if !s.admit(w, r, calID, MethodEventsList) {
		return
	}
	q := r.URL.Query()
	if q.Get("singleEvents") == "true" {
		writeError(w, http.StatusBadRequest, "invalid", "fakegoogle: singleEvents=true is not supported")
		return
	}
	maxResults := 250
	if v := q.Get("maxResults"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			writeError(w, http.StatusBadRequest, "invalid", "fakegoogle: invalid maxResults "+strconv.Quote(v))
			return
		}
		maxResults = min(n, 2500)
	}
	syncTok, pageTok := q.Get("syncToken"), q.Get("pageToken")
	if syncTok != "" {
		for _, p := range []string{"timeMin", "timeMax", "updatedMin", "orderBy", "q", "iCalUID"} {
			if q.Get(p) != "" {
				writeError(w, http.StatusBadRequest, "invalid", "fakegoogle: syncToken cannot be combined with "+p)
				return
			}
		}
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.cals[calID]
	if !ok {
		writeError(w, http.StatusNotFound, "notFound", "Not Found")
		return
	}
	var t token
	switch {
	case pageTok != "":
		var ok bool
		t, ok = decodeToken(pageTok)
		if !ok || t.Cal != calID {
			writeError(w, http.StatusBadRequest, "invalid", "fakegoogle: invalid page token")
			return
		}
		if t.Epoch != c.epoch {
			writeError(w, http.StatusGone, "fullSyncRequired", "Sync token is no longer valid, a full sync is required.")
			return
		}
	case syncTok != "":
		st, ok := decodeToken(syncTok)
		if !ok || st.Cal != calID || st.Epoch != c.epoch {
			writeError(w, http.StatusGone, "fullSyncRequired", "Sync token is no longer valid, a full sync is required.")
			return
		}
		// Whether a sync is incremental is said explicitly: a sync token
		// issued before any change has Since 0, like a full sync.
		t = token{Cal: calID, Epoch: c.epoch, Since: st.Since, Upto: s.seq, After: st.Since, Del: true, Inc: true}
	default:
		t = token{Cal: calID, Epoch: c.epoch, Since: 0, Upto: s.seq, After: 0, Del: q.Get("showDeleted") == "true"}
	}

	var items []*calendarv3.Event
	more := false
	last := t.After
	for _, e := range sortedEntries(c) {
		if e.seq <= t.After || e.seq > t.Upto {
			continue
		}
		if e.deleted && !t.Del {
			continue
		}
		if len(items) == maxResults {
			more = true
			break
		}
		items = append(items, wire(e, t.Inc))
		last = e.seq
	}
	resp := &calendarv3.Events{
		Kind:       "calendar#events",
		Summary:    calID,
		TimeZone:   c.timeZone,
		AccessRole: "reader",
		Updated:    s.base.Add(time.Duration(s.seq) * time.Second).Format(time.RFC3339),
		Items:      items,
	}
	if more {
		nt := t
		nt.After = last
		resp.NextPageToken = encodeToken(nt)
	} else {
		s.issued++
		resp.NextSyncToken = encodeToken(token{Cal: calID, Epoch: c.epoch, Since: t.Upto, N: s.issued})
	}
	writeJSON(w, resp)
}
