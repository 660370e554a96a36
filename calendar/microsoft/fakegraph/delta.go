package fakegraph

import (
	"bytes"
	"crypto"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/cadence-dev/cadence/calendar/microsoft/graph"
)

const cryptoSHA256 = crypto.SHA256

func occurrenceID(masterID string, orig time.Time) string {
	return masterID + "_" + orig.UTC().Format("20060102T150405Z")
}

// occurrenceOf is the occurrence of master m at orig, as the calendar view
// lists it.
func occurrenceOf(m *graph.Event, orig time.Time) *graph.Event {
	x := cloneEvent(m)
	start, _ := m.Start.Parse(time.UTC)
	end, _ := m.End.Parse(time.UTC)
	x.ID = occurrenceID(m.ID, orig)
	x.Type = graph.Occurrence
	x.SeriesMasterID = m.ID
	x.OriginalStart = graph.FormatOffset(orig)
	x.Start, x.End = graph.UTC(orig), graph.UTC(orig.Add(end.Sub(start)))
	x.Recurrence = nil
	x.ICalUID = occurrenceUID(m.ICalUID, orig)
	return x
}

func overlaps(ev *graph.Event, from, to time.Time) bool {
	start, err := ev.Start.Parse(time.UTC)
	if err != nil {
		return false
	}
	end, err := ev.End.Parse(time.UTC)
	if err != nil {
		return false
	}
	if !start.Before(to) {
		return false
	}
	if end.After(start) {
		return end.After(from)
	}
	return !start.Before(from)
}

// instances lists what the calendar view [from, to) shows of an item
// state, sorted by id (cached: states never change).
func (st *itemState) instances(from, to time.Time) []instance {
	if st == nil {
		return nil
	}
	k := [2]int64{from.Unix(), to.Unix()}
	if v, ok := st.cache[k]; ok {
		return v
	}
	var evs []*graph.Event
	if st.ev.Recurrence == nil {
		if overlaps(&st.ev, from, to) {
			evs = append(evs, &st.ev)
		}
	} else {
		loc := zoneOf(st.ev.OriginalStartTimeZone)
		origs, err := originals(&st.ev, loc, from, to)
		if err == nil {
			done := map[int64]bool{}
			for _, o := range origs {
				u := o.Unix()
				done[u] = true
				switch {
				case st.cancelled[u]:
				case st.exceptions[u] != nil:
					if overlaps(st.exceptions[u], from, to) {
						evs = append(evs, st.exceptions[u])
					}
				default:
					evs = append(evs, occurrenceOf(&st.ev, o))
				}
			}
			for u, x := range st.exceptions {
				if !done[u] && overlaps(x, from, to) {
					evs = append(evs, x)
				}
			}
		}
	}
	out := make([]instance, 0, len(evs))
	for _, e := range evs {
		js, err := json.Marshal(e)
		if err != nil {
			continue
		}
		out = append(out, instance{id: e.ID, js: js})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].id < out[j].id })
	if st.cache == nil {
		st.cache = map[[2]int64][]instance{}
	}
	st.cache[k] = out
	return out
}

func (it *item) at(seq int64) *itemState {
	var st *itemState
	for _, v := range it.versions {
		if v.seq > seq {
			break
		}
		st = v.state
	}
	return st
}

func (it *item) changedIn(since, upto int64) bool {
	for _, v := range it.versions {
		if v.seq > since && v.seq <= upto {
			return true
		}
	}
	return false
}

// changes lists the delta items of the window between the mailbox as of
// since and as of upto: instances new or changed, and removed ones.
func (b *mailbox) changes(since, upto int64, from, to time.Time) []json.RawMessage {
	var out []json.RawMessage
	for _, id := range b.order {
		it := b.items[id]
		if !it.changedIn(since, upto) {
			continue
		}
		old := it.at(since).instances(from, to)
		cur := it.at(upto).instances(from, to)
		prev := make(map[string][]byte, len(old))
		for _, in := range old {
			prev[in.id] = in.js
		}
		now := make(map[string]bool, len(cur))
		for _, in := range cur {
			now[in.id] = true
			if p, ok := prev[in.id]; ok && bytes.Equal(p, in.js) {
				continue
			}
			out = append(out, in.js)
		}
		for _, in := range old {
			if !now[in.id] {
				js, _ := json.Marshal(graph.Event{ID: in.id, Removed: &graph.Removed{Reason: "deleted"}})
				out = append(out, js)
			}
		}
	}
	return out
}

// deltaToken is the decoded state of skip and delta tokens.
type deltaToken struct {
	Box   string `json:"b"`
	Epoch int    `json:"e"`
	Since int64  `json:"s"`
	Upto  int64  `json:"u,omitempty"` // skip tokens
	Off   int    `json:"o,omitempty"` // skip tokens
	From  int64  `json:"f"`
	To    int64  `json:"t"`
}

func encodeToken(t deltaToken) string {
	b, _ := json.Marshal(t)
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeToken(s string) (deltaToken, bool) {
	var t deltaToken
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || json.Unmarshal(b, &t) != nil {
		return t, false
	}
	return t, true
}

// pageSize reads Prefer: odata.maxpagesize (default 100, at most 1000).
func pageSize(r *http.Request) (int, bool) {
	for _, h := range r.Header.Values("Prefer") {
		for _, p := range strings.Split(h, ",") {
			if v, ok := strings.CutPrefix(strings.TrimSpace(p), "odata.maxpagesize="); ok {
				n, err := strconv.Atoi(v)
				if err == nil && n > 0 {
					return min(n, 1000), true
				}
			}
		}
	}
	return 100, false
}

func (s *Server) mailboxFor(w http.ResponseWriter, r *http.Request) (*mailbox, bool) {
	user := r.PathValue("user")
	s.mu.Lock()
	id, ok := s.keys[strings.ToLower(user)]
	s.mu.Unlock()
	if !ok {
		// Counted under the key asked for.
		if s.admit(w, r, user, "unknown") {
			writeError(w, http.StatusNotFound, "ErrorInvalidUser", "The requested user '"+user+"' is invalid.")
		}
		return nil, false
	}
	s.mu.Lock()
	b := s.boxes[id]
	s.mu.Unlock()
	return b, true
}

func (s *Server) delta(w http.ResponseWriter, r *http.Request) {
	b, ok := s.mailboxFor(w, r)
	if !ok || !s.admit(w, r, b.id, MethodDelta) {
		return
	}
	q := r.URL.Query()
	n, applied := pageSize(r)
	s.mu.Lock()
	defer s.mu.Unlock()
	var t deltaToken
	switch {
	case q.Get("$skiptoken") != "" || q.Get("$deltatoken") != "":
		raw := q.Get("$skiptoken")
		skip := raw != ""
		if !skip {
			raw = q.Get("$deltatoken")
		}
		var ok bool
		t, ok = decodeToken(raw)
		if !ok || t.Box != b.id {
			writeError(w, http.StatusBadRequest, "ErrorInvalidUrlQuery", "fakegraph: invalid state token")
			return
		}
		if t.Epoch != b.epoch {
			writeError(w, http.StatusGone, s.expiryCode[b.id], "fakegraph: the delta state is no longer valid; resync required")
			return
		}
		if !skip {
			t.Upto, t.Off = s.seq, 0
		}
	default:
		from, err1 := time.Parse(time.RFC3339, q.Get("startDateTime"))
		to, err2 := time.Parse(time.RFC3339, q.Get("endDateTime"))
		if err1 != nil || err2 != nil || !from.Before(to) {
			writeError(w, http.StatusBadRequest, "ErrorInvalidParameter", "fakegraph: startDateTime and endDateTime are required (ISO 8601, start before end)")
			return
		}
		t = deltaToken{Box: b.id, Epoch: b.epoch, Since: 0, Upto: s.seq, From: from.Unix(), To: to.Unix()}
	}
	items := b.changes(t.Since, t.Upto, time.Unix(t.From, 0).UTC(), time.Unix(t.To, 0).UTC())
	if s.deltaFilter != nil && t.Since > 0 {
		items = s.filter(items)
	}
	page := items[min(t.Off, len(items)):]
	more := len(page) > n
	if more {
		page = page[:n]
	}
	self := baseURL(r) + "/v1.0/users/" + url.PathEscape(r.PathValue("user")) + "/calendarView/delta"
	resp := struct {
		Context   string            `json:"@odata.context"`
		NextLink  string            `json:"@odata.nextLink,omitempty"`
		DeltaLink string            `json:"@odata.deltaLink,omitempty"`
		Value     []json.RawMessage `json:"value"`
	}{Context: baseURL(r) + "/v1.0/$metadata#Collection(event)", Value: page}
	if resp.Value == nil {
		resp.Value = []json.RawMessage{}
	}
	if more {
		nt := t
		nt.Off = t.Off + n
		resp.NextLink = self + "?$skiptoken=" + encodeToken(nt)
	} else {
		resp.DeltaLink = self + "?$deltatoken=" + encodeToken(deltaToken{Box: b.id, Epoch: b.epoch, Since: t.Upto, From: t.From, To: t.To})
	}
	if applied {
		w.Header().Set("Preference-Applied", "odata.maxpagesize="+strconv.Itoa(n))
	}
	writeJSON(w, resp)
}

// SetDeltaFilter rewrites every item of incremental delta answers
// (nil = none): Graph may send only the properties that changed.
func (s *Server) SetDeltaFilter(f func(item map[string]any) map[string]any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.deltaFilter = f
}

func (s *Server) filter(items []json.RawMessage) []json.RawMessage {
	out := make([]json.RawMessage, 0, len(items))
	for _, it := range items {
		var m map[string]any
		if json.Unmarshal(it, &m) != nil {
			out = append(out, it)
			continue
		}
		b, err := json.Marshal(s.deltaFilter(m))
		if err != nil {
			b = it
		}
		out = append(out, b)
	}
	return out
}

func (s *Server) event(w http.ResponseWriter, r *http.Request) {
	b, ok := s.mailboxFor(w, r)
	if !ok || !s.admit(w, r, b.id, MethodEvent) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	st := b.current(r.PathValue("id"))
	if st == nil {
		writeError(w, http.StatusNotFound, graph.CodeItemNotFound, "The specified object was not found in the store.")
		return
	}
	writeJSON(w, &st.ev)
}
