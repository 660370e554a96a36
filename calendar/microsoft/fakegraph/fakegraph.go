// Package fakegraph is an in-process fake of the parts of Microsoft Graph
// v1.0 cadence uses, and of the identity platform's token endpoint:
//
//   - POST /{tenant}/oauth2/v2.0/token: the client-credentials grant (a
//     client secret or a signed client assertion, checked when RequireAuth
//     or RequireCertificate is set);
//   - GET /v1.0/users: paged ($top, @odata.nextLink), $select honoured,
//     $expand=manager;
//   - GET /v1.0/users/{id}/calendarView/delta: the mailbox's default
//     calendar expanded into instances (singleInstance, occurrence,
//     exception) over startDateTime..endDateTime, paged (Prefer:
//     odata.maxpagesize, @odata.nextLink) and ended by an @odata.deltaLink
//     whose call returns only what changed since, removed instances as
//     {"id", "@removed": {"reason": "deleted"}}; a cancelled occurrence is
//     absent, as in Exchange;
//   - GET /v1.0/users/{id}/events/{id}: one event (a series master with its
//     patternedRecurrence).
//
// Mailboxes hold what Exchange holds: single events, series masters with
// their cancelled occurrences and exceptions; every change is a new
// version, so a delta round computes exactly what changed in its window.
// Faults (429 with Retry-After, 5xx) and delta expiry (410
// syncStateNotFound) can be injected, and every request is counted per
// mailbox and method. Times are answered in UTC, as with Prefer:
// outlook.timezone="UTC".
//
// It is meant for tests, the README walkthrough and the bench; it holds
// everything in memory.
package fakegraph

import (
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/cadence-dev/cadence/calendar"
	"github.com/cadence-dev/cadence/calendar/microsoft/graph"
)

// Method names used for request counting (the source's metric labels).
const (
	MethodDelta = "calendarView.delta"
	MethodEvent = "events.get"
	MethodUsers = "users.list"
	MethodToken = "token"
)

// Fault is one injected failure: an HTTP status with a Graph error code;
// RetryAfter, when set, is sent as Retry-After (seconds).
type Fault struct {
	Status     int
	Code       string
	RetryAfter int
}

// Common faults.
var (
	TooManyRequests    = Fault{Status: http.StatusTooManyRequests, Code: graph.CodeTooManyRequests, RetryAfter: 2}
	ServiceUnavailable = Fault{Status: http.StatusServiceUnavailable, Code: "ServiceUnavailable"}
	GatewayTimeout     = Fault{Status: http.StatusGatewayTimeout, Code: "GatewayTimeout"}
	Forbidden          = Fault{Status: http.StatusForbidden, Code: "ErrorAccessDenied"}
)

// Server is the fake. The zero value is not usable: call New.
type Server struct {
	mu     sync.Mutex
	mux    *http.ServeMux
	seq    int64
	boxes  map[string]*mailbox // by object id
	keys   map[string]string   // lower-cased id, mail, upn or alias -> object id
	users  []DirectoryUser
	faults map[string][]Fault // mailbox id ("" = any request)
	always map[string]Fault
	block  map[string]chan struct{}
	counts map[string]map[string]int // mailbox id ("" users, "token") -> method -> n
	last   map[string]*http.Request

	secret     string // RequireAuth
	clientID   string
	cert       *rsa.PublicKey // RequireCertificate
	tokens     map[string]bool
	issued     int
	authOn     bool
	expiryCode map[string]string

	deltaFilter func(map[string]any) map[string]any
}

type mailbox struct {
	id    string
	mail  string
	epoch int
	items map[string]*item
	order []string // item ids in creation order
}

// item is one event of a mailbox (a single event or a series master with
// its occurrences' changes), as a list of versions.
type item struct {
	id       string
	versions []version
}

type version struct {
	seq   int64
	state *itemState // nil = deleted
}

// itemState is an immutable state of an item.
type itemState struct {
	ev         graph.Event             // start/end in UTC
	cancelled  map[int64]bool          // masters: cancelled occurrences by original start
	exceptions map[int64]*graph.Event  // masters: changed occurrences by original start
	cache      map[[2]int64][]instance // instances by window
}

type instance struct {
	id  string
	js  []byte
	key string // sort key
}

// New returns an empty fake server.
func New() *Server {
	s := &Server{
		boxes: map[string]*mailbox{}, keys: map[string]string{},
		faults: map[string][]Fault{}, always: map[string]Fault{}, block: map[string]chan struct{}{},
		counts: map[string]map[string]int{}, last: map[string]*http.Request{}, tokens: map[string]bool{},
		expiryCode: map[string]string{},
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /{tenant}/oauth2/v2.0/token", s.token)
	mux.HandleFunc("GET /v1.0/users", s.usersList)
	mux.HandleFunc("GET /v1.0/users/{user}/calendarView/delta", s.delta)
	mux.HandleFunc("GET /v1.0/users/{user}/events/{id}", s.event)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "ResourceNotFound", "fakegraph: no such method: "+r.Method+" "+r.URL.Path)
	})
	s.mux = mux
	return s
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

// Endpoint is the Graph endpoint (microsoft.endpoint) of a server
// listening at baseURL.
func Endpoint(baseURL string) string { return strings.TrimRight(baseURL, "/") + "/v1.0" }

// TokenURL is the token endpoint (microsoft.token_url) of a server
// listening at baseURL for tenant.
func TokenURL(baseURL, tenant string) string {
	return strings.TrimRight(baseURL, "/") + "/" + url.PathEscape(tenant) + "/oauth2/v2.0/token"
}

// zoneOf resolves a time-zone name (UTC, IANA or Windows); unknown = UTC.
func zoneOf(name string) *time.Location {
	if name == "" || strings.EqualFold(name, "UTC") {
		return time.UTC
	}
	if loc, err := time.LoadLocation(name); err == nil {
		return loc
	}
	if iana, ok := calendar.WindowsToIANA(name); ok {
		if loc, err := time.LoadLocation(iana); err == nil {
			return loc
		}
	}
	return time.UTC
}

// AddMailbox creates an empty mailbox (idempotent) with its object id,
// primary address and aliases; each names it in request paths.
func (s *Server) AddMailbox(id, mail string, aliases ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.addMailbox(id, mail, aliases...)
}

func (s *Server) addMailbox(id, mail string, aliases ...string) *mailbox {
	if id == "" {
		id = objectID(mail)
	}
	b, ok := s.boxes[id]
	if !ok {
		b = &mailbox{id: id, mail: strings.ToLower(mail), items: map[string]*item{}}
		s.boxes[id] = b
	}
	for _, k := range append([]string{id, mail}, aliases...) {
		if k != "" {
			s.keys[strings.ToLower(k)] = id
		}
	}
	return b
}

// objectID derives a stable object id (a GUID shape) from an address.
func objectID(mail string) string {
	h := sha256.Sum256([]byte(strings.ToLower(mail)))
	x := hex.EncodeToString(h[:16])
	return x[0:8] + "-" + x[8:12] + "-" + x[12:16] + "-" + x[16:20] + "-" + x[20:32]
}

// MailboxID returns the object id of the mailbox a key (id, address or
// alias) names, or "".
func (s *Server) MailboxID(key string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.keys[strings.ToLower(key)]
}

func (s *Server) box(key string) (*mailbox, error) {
	id, ok := s.keys[strings.ToLower(key)]
	if !ok {
		return nil, fmt.Errorf("fakegraph: no mailbox %q", key)
	}
	return s.boxes[id], nil
}

// GOID returns an Exchange-style iCalUId (a GlobalObjectId in hex, its
// instance date zero) derived from a name.
func GOID(name string) string {
	h := sha256.Sum256([]byte(name))
	return "040000008200E00074C5B7101A82E008" + "00000000" + "0000000000000000" + "0000000000000000" + "10000000" + strings.ToUpper(hex.EncodeToString(h[:16]))
}

// occurrenceUID is an occurrence's iCalUId: for a GlobalObjectId, the
// series' with the instance's date in bytes 16..19 (as Graph answers);
// other UIDs are the series'.
func occurrenceUID(uid string, orig time.Time) string {
	if len(uid) < 40 || !strings.EqualFold(uid[:32], "040000008200E00074C5B7101A82E008") {
		return uid
	}
	y, m, d := orig.UTC().Date()
	return uid[:32] + fmt.Sprintf("%02X%02X%02X%02X", y>>8, y&0xff, int(m), d) + uid[40:]
}

func cloneEvent(ev *graph.Event) *graph.Event {
	b, err := json.Marshal(ev)
	if err != nil {
		panic("fakegraph: marshal event: " + err.Error())
	}
	out := new(graph.Event)
	if err := json.Unmarshal(b, out); err != nil {
		panic("fakegraph: unmarshal event: " + err.Error())
	}
	return out
}

// normalize puts an event's start and end in UTC (their zone, when not
// UTC, becomes originalStartTimeZone if that is empty).
func normalize(ev *graph.Event) error {
	for _, d := range []**graph.DateTimeTimeZone{&ev.Start, &ev.End} {
		if *d == nil {
			return fmt.Errorf("event %s: missing start or end", ev.ID)
		}
		loc := zoneOf((*d).TimeZone)
		t, err := (*d).Parse(loc)
		if err != nil {
			return fmt.Errorf("event %s: %w", ev.ID, err)
		}
		if ev.OriginalStartTimeZone == "" && loc != time.UTC {
			ev.OriginalStartTimeZone = (*d).TimeZone
		}
		if ev.IsAllDay {
			// All-day dates stay dates: midnight, labelled UTC.
			y, m, dd := t.Date()
			t = time.Date(y, m, dd, 0, 0, 0, 0, time.UTC)
		}
		*d = graph.UTC(t)
	}
	if ev.OriginalStartTimeZone == "" {
		ev.OriginalStartTimeZone = "UTC"
	}
	if ev.OriginalEndTimeZone == "" {
		ev.OriginalEndTimeZone = ev.OriginalStartTimeZone
	}
	return nil
}

func (s *Server) nextSeq() int64 {
	s.seq++
	return s.seq
}

func (b *mailbox) current(id string) *itemState {
	it, ok := b.items[id]
	if !ok || len(it.versions) == 0 {
		return nil
	}
	return it.versions[len(it.versions)-1].state
}

func (s *Server) setState(b *mailbox, id string, st *itemState) {
	it, ok := b.items[id]
	if !ok {
		it = &item{id: id}
		b.items[id] = it
		b.order = append(b.order, id)
	}
	it.versions = append(it.versions, version{seq: s.nextSeq(), state: st})
}

func (st *itemState) clone() *itemState {
	out := &itemState{ev: *cloneEvent(&st.ev), cancelled: map[int64]bool{}, exceptions: map[int64]*graph.Event{}}
	for k, v := range st.cancelled {
		out.cancelled[k] = v
	}
	for k, v := range st.exceptions {
		out.exceptions[k] = cloneEvent(v)
	}
	return out
}

// PutEvent inserts or replaces a single event or a series master (one
// with a recurrence) in a mailbox. An empty ICalUID becomes GOID(ID);
// Type is set from the recurrence. Replacing a master keeps its
// cancelled occurrences and exceptions.
func (s *Server) PutEvent(mailboxKey string, ev graph.Event) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, err := s.box(mailboxKey)
	if err != nil {
		return err
	}
	return s.put(b, ev)
}

func (s *Server) put(b *mailbox, ev graph.Event) error {
	e := cloneEvent(&ev)
	if e.ID == "" {
		return fmt.Errorf("fakegraph: event without id")
	}
	if e.ICalUID == "" {
		e.ICalUID = GOID(e.ID)
	}
	e.Type = graph.SingleInstance
	if e.Recurrence != nil {
		e.Type = graph.SeriesMaster
	}
	e.SeriesMasterID, e.OriginalStart, e.Removed = "", "", nil
	if err := normalize(e); err != nil {
		return fmt.Errorf("fakegraph: %w", err)
	}
	st := &itemState{ev: *e, cancelled: map[int64]bool{}, exceptions: map[int64]*graph.Event{}}
	if old := b.current(e.ID); old != nil && e.Recurrence != nil {
		c := old.clone()
		st.cancelled, st.exceptions = c.cancelled, c.exceptions
	}
	s.setState(b, e.ID, st)
	return nil
}

// Event returns the current state of an item (a single event or a
// series master), or nil.
func (s *Server) Event(mailboxKey, id string) *graph.Event {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, err := s.box(mailboxKey)
	if err != nil {
		return nil
	}
	st := b.current(id)
	if st == nil {
		return nil
	}
	return cloneEvent(&st.ev)
}

// DeleteEvent deletes a single event or a whole series (in the
// organizer's mailbox that is cancelling the meeting: the instances leave
// the calendar view).
func (s *Server) DeleteEvent(mailboxKey, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, err := s.box(mailboxKey)
	if err != nil {
		return err
	}
	if b.current(id) == nil {
		return fmt.Errorf("fakegraph: mailbox %s: no event %q", mailboxKey, id)
	}
	s.setState(b, id, nil)
	return nil
}

// UpdateEvent changes a single event or a series master in place.
func (s *Server) UpdateEvent(mailboxKey, id string, mutate func(ev *graph.Event)) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, err := s.box(mailboxKey)
	if err != nil {
		return err
	}
	old := b.current(id)
	if old == nil {
		return fmt.Errorf("fakegraph: mailbox %s: no event %q", mailboxKey, id)
	}
	st := old.clone()
	mutate(&st.ev)
	if err := normalize(&st.ev); err != nil {
		return fmt.Errorf("fakegraph: %w", err)
	}
	s.setState(b, id, st)
	return nil
}

// occurrence finds the series master and checks that originalStart is
// one of its occurrences.
func (s *Server) occurrence(mailboxKey, masterID string, originalStart time.Time) (*mailbox, *itemState, error) {
	b, err := s.box(mailboxKey)
	if err != nil {
		return nil, nil, err
	}
	st := b.current(masterID)
	if st == nil || st.ev.Recurrence == nil {
		return nil, nil, fmt.Errorf("fakegraph: mailbox %s: no series master %q", mailboxKey, masterID)
	}
	origs, err := originals(&st.ev, zoneOf(st.ev.OriginalStartTimeZone), originalStart.Add(-time.Minute), originalStart.Add(time.Minute))
	if err != nil {
		return nil, nil, fmt.Errorf("fakegraph: mailbox %s: series %q: %w", mailboxKey, masterID, err)
	}
	for _, o := range origs {
		if o.Equal(originalStart) {
			return b, st, nil
		}
	}
	return nil, nil, fmt.Errorf("fakegraph: mailbox %s: series %q has no occurrence at %s", mailboxKey, masterID, originalStart.UTC().Format(time.RFC3339))
}

// CancelOccurrence deletes one occurrence of a series (Exchange: the
// occurrence is simply no longer there).
func (s *Server) CancelOccurrence(mailboxKey, masterID string, originalStart time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, st, err := s.occurrence(mailboxKey, masterID, originalStart)
	if err != nil {
		return err
	}
	n := st.clone()
	n.cancelled[originalStart.Unix()] = true
	delete(n.exceptions, originalStart.Unix())
	s.setState(b, masterID, n)
	return nil
}

// UpdateOccurrence turns one occurrence into an exception (a copy of the
// occurrence, or of the existing exception) and changes it with mutate.
func (s *Server) UpdateOccurrence(mailboxKey, masterID string, originalStart time.Time, mutate func(ev *graph.Event)) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, st, err := s.occurrence(mailboxKey, masterID, originalStart)
	if err != nil {
		return err
	}
	n := st.clone()
	k := originalStart.Unix()
	x := n.exceptions[k]
	if x == nil {
		x = occurrenceOf(&n.ev, originalStart)
	}
	mutate(x)
	x.ID, x.Type, x.SeriesMasterID, x.OriginalStart = occurrenceID(masterID, originalStart), graph.Exception, masterID, graph.FormatOffset(originalStart)
	x.Recurrence = nil
	if err := normalize(x); err != nil {
		return fmt.Errorf("fakegraph: %w", err)
	}
	n.exceptions[k] = x
	delete(n.cancelled, k)
	s.setState(b, masterID, n)
	return nil
}

// MoveOccurrence moves one occurrence to [start, end).
func (s *Server) MoveOccurrence(mailboxKey, masterID string, originalStart, start, end time.Time) error {
	return s.UpdateOccurrence(mailboxKey, masterID, originalStart, func(ev *graph.Event) {
		ev.Start, ev.End = graph.UTC(start), graph.UTC(end)
	})
}

// SetResponse sets an attendee's response (accepted, declined,
// tentativelyAccepted, none) on a single event or a series master, adding
// the attendee when absent.
func (s *Server) SetResponse(mailboxKey, id, email, response string) error {
	return s.UpdateEvent(mailboxKey, id, func(ev *graph.Event) { setResponse(ev, email, response) })
}

func setResponse(ev *graph.Event, email, response string) {
	for i := range ev.Attendees {
		if strings.EqualFold(ev.Attendees[i].EmailAddress.Address, email) {
			ev.Attendees[i].Status = &graph.ResponseStatus{Response: response}
			return
		}
	}
	ev.Attendees = append(ev.Attendees, graph.Attendee{Type: "required", Status: &graph.ResponseStatus{Response: response}, EmailAddress: graph.EmailAddress{Address: email}})
}

// DeclineOccurrence sets an attendee's response on one occurrence.
func (s *Server) DeclineOccurrence(mailboxKey, masterID string, originalStart time.Time, email string) error {
	return s.UpdateOccurrence(mailboxKey, masterID, originalStart, func(ev *graph.Event) { setResponse(ev, email, "declined") })
}

// CancelMeeting is the organizer cancelling a meeting: it leaves the
// organizer's mailbox, and every other mailbox holding a copy (same
// iCalUId) keeps it with isCancelled and a "Canceled: " subject.
func (s *Server) CancelMeeting(organizerKey, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, err := s.box(organizerKey)
	if err != nil {
		return err
	}
	st := b.current(id)
	if st == nil {
		return fmt.Errorf("fakegraph: mailbox %s: no event %q", organizerKey, id)
	}
	uid := st.ev.ICalUID
	s.setState(b, id, nil)
	for _, ob := range s.sortedBoxes() {
		if ob == b {
			continue
		}
		for _, iid := range ob.order {
			cur := ob.current(iid)
			if cur == nil || cur.ev.ICalUID != uid {
				continue
			}
			n := cur.clone()
			n.ev.IsCancelled = true
			if t, ok := calendar.StripCancelPrefix(n.ev.Subject); !ok {
				n.ev.Subject = "Canceled: " + t
			}
			s.setState(ob, iid, n)
		}
	}
	return nil
}

func (s *Server) sortedBoxes() []*mailbox {
	out := make([]*mailbox, 0, len(s.boxes))
	for _, b := range s.boxes {
		out = append(out, b)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].id < out[j].id })
	return out
}

// ExpireDeltaTokens makes every delta and skip token issued so far for
// the mailbox invalid: the next request with one gets 410 Gone with the
// given code ("" = syncStateNotFound; e.g. resyncRequired).
func (s *Server) ExpireDeltaTokens(mailboxKey, code string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, err := s.box(mailboxKey)
	if err != nil {
		return err
	}
	b.epoch++
	if code == "" {
		code = graph.CodeSyncStateNotFound
	}
	s.expiryCode[b.id] = code
	return nil
}

// InjectFaults queues faults answered, in order, to the next requests
// for the mailbox (a key naming it; "" = the next requests of any kind,
// the directory's and the token endpoint's included). Each is used once;
// a zero Fault lets one request through.
func (s *Server) InjectFaults(mailboxKey string, faults ...Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	k := s.keyOf(mailboxKey)
	s.faults[k] = append(s.faults[k], faults...)
}

// FailAlways makes every request for the mailbox ("" = every request)
// fail with f until ClearFaults.
func (s *Server) FailAlways(mailboxKey string, f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.always[s.keyOf(mailboxKey)] = f
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

// Block makes requests for the mailbox ("" = every request) wait until
// the returned release is called or the client gives up.
func (s *Server) Block(mailboxKey string) (release func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	k := s.keyOf(mailboxKey)
	ch := make(chan struct{})
	s.block[k] = ch
	var once sync.Once
	return func() {
		once.Do(func() {
			s.mu.Lock()
			defer s.mu.Unlock()
			if s.block[k] == ch {
				delete(s.block, k)
			}
			close(ch)
		})
	}
}

func (s *Server) keyOf(mailboxKey string) string {
	if mailboxKey == "" {
		return ""
	}
	if id, ok := s.keys[strings.ToLower(mailboxKey)]; ok {
		return id
	}
	return mailboxKey
}

// Requests returns how many requests of method reached the server for
// the mailbox (a key naming it; the directory's under "", the token
// endpoint's under "token"), faults included.
func (s *Server) Requests(mailboxKey, method string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	k := mailboxKey
	if k != "token" {
		k = s.keyOf(mailboxKey)
	}
	return s.counts[k][method]
}

// TotalRequests returns the number of requests of method over all
// mailboxes.
func (s *Server) TotalRequests(method string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, m := range s.counts {
		n += m[method]
	}
	return n
}

// LastRequest returns the last request for the mailbox ("" = users,
// "token"), or nil.
func (s *Server) LastRequest(mailboxKey string) *http.Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	k := mailboxKey
	if k != "token" {
		k = s.keyOf(mailboxKey)
	}
	return s.last[k]
}

// ResetCounts sets every request counter to zero.
func (s *Server) ResetCounts() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.counts = map[string]map[string]int{}
}

// RequireAuth makes the API answer 401 without a bearer token issued by
// the token endpoint, which then wants client_id and client_secret.
func (s *Server) RequireAuth(clientID, secret string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.authOn, s.clientID, s.secret = true, clientID, secret
}

// RequireCertificate makes the token endpoint accept a client assertion
// signed (RS256) by the key of pub, for clientID.
func (s *Server) RequireCertificate(clientID string, pub *rsa.PublicKey) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.authOn, s.clientID, s.cert = true, clientID, pub
}

// admit counts the request, checks the token and applies faults and
// blocks. It returns false when a response was already written.
func (s *Server) admit(w http.ResponseWriter, r *http.Request, key, method string) bool {
	s.mu.Lock()
	if s.counts[key] == nil {
		s.counts[key] = map[string]int{}
	}
	s.counts[key][method]++
	s.last[key] = r
	var fault *Fault
	for _, k := range []string{key, ""} {
		if q := s.faults[k]; len(q) > 0 {
			f := q[0]
			s.faults[k] = q[1:]
			fault = &f
			break
		}
		if f, ok := s.always[k]; ok {
			fault = &f
			break
		}
	}
	blk := s.block[key]
	if blk == nil {
		blk = s.block[""]
	}
	authOK := true
	if s.authOn && method != MethodToken {
		tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		authOK = ok && s.tokens[tok]
	}
	s.mu.Unlock()
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
		writeError(w, fault.Status, fault.Code, fmt.Sprintf("fakegraph: injected fault %d %s", fault.Status, fault.Code))
		return false
	}
	if !authOK {
		writeError(w, http.StatusUnauthorized, "InvalidAuthenticationToken", "Access token is empty or invalid.")
		return false
	}
	return true
}

func writeError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(graph.Error{Error: graph.ErrorDetail{Code: code, Message: msg}})
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json; odata.metadata=minimal")
	if err := json.NewEncoder(w).Encode(v); err != nil {
		writeError(w, http.StatusInternalServerError, "generalException", "fakegraph: encode: "+err.Error())
	}
}

// baseURL is the scheme and host the request came to.
func baseURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// token answers the client-credentials grant.
func (s *Server) token(w http.ResponseWriter, r *http.Request) {
	if !s.admit(w, r, "token", MethodToken) {
		return
	}
	if err := r.ParseForm(); err != nil {
		tokenError(w, "invalid_request", "fakegraph: bad form")
		return
	}
	f := r.PostForm
	if f.Get("grant_type") != "client_credentials" {
		tokenError(w, "unsupported_grant_type", "fakegraph: want grant_type client_credentials")
		return
	}
	if f.Get("scope") == "" || !strings.HasSuffix(f.Get("scope"), "/.default") {
		tokenError(w, "invalid_scope", "fakegraph: want a scope ending in /.default")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.authOn {
		if f.Get("client_id") != s.clientID {
			tokenError(w, "unauthorized_client", "fakegraph: unknown client_id")
			return
		}
		switch {
		case s.cert != nil:
			if err := checkAssertion(f, s.cert, s.clientID); err != nil {
				tokenError(w, "invalid_client", "fakegraph: "+err.Error())
				return
			}
		case f.Get("client_secret") != s.secret:
			tokenError(w, "invalid_client", "fakegraph: invalid client secret")
			return
		}
	}
	s.issued++
	tok := fmt.Sprintf("fake-token-%d", s.issued)
	s.tokens[tok] = true
	writeJSON(w, map[string]any{"token_type": "Bearer", "expires_in": 3599, "access_token": tok})
}

func tokenError(w http.ResponseWriter, code, desc string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusBadRequest)
	_ = json.NewEncoder(w).Encode(map[string]string{"error": code, "error_description": desc})
}

// checkAssertion verifies an RS256 client assertion's signature and
// claims.
func checkAssertion(f url.Values, pub *rsa.PublicKey, clientID string) error {
	if f.Get("client_assertion_type") != "urn:ietf:params:oauth:client-assertion-type:jwt-bearer" {
		return fmt.Errorf("want a client assertion")
	}
	parts := strings.Split(f.Get("client_assertion"), ".")
	if len(parts) != 3 {
		return fmt.Errorf("client assertion is not a JWT")
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil {
		return fmt.Errorf("client assertion signature: %v", err)
	}
	digest := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if err := rsa.VerifyPKCS1v15(pub, cryptoSHA256, digest[:], sig); err != nil {
		return fmt.Errorf("client assertion: bad signature")
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return fmt.Errorf("client assertion claims: %v", err)
	}
	var c struct {
		Iss, Sub string
		Exp      int64
	}
	if err := json.Unmarshal(b, &c); err != nil {
		return fmt.Errorf("client assertion claims: %v", err)
	}
	if c.Iss != clientID || c.Sub != clientID {
		return fmt.Errorf("client assertion: iss/sub is not the client id")
	}
	return nil
}
