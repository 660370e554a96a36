package fakegraph

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/cadence-dev/cadence/calendar/microsoft/graph"
)

// DirectoryUser is one Entra ID user of the fake directory.
type DirectoryUser struct {
	// ID is the object id ("" = derived from Mail).
	ID   string `json:"id,omitempty"`
	Mail string `json:"mail"`
	// UserPrincipalName defaults to Mail.
	UserPrincipalName string `json:"userPrincipalName,omitempty"`
	Name              string `json:"displayName,omitempty"`
	// Manager is the manager's mail ("" = none).
	Manager    string `json:"manager,omitempty"`
	Title      string `json:"jobTitle,omitempty"`
	Department string `json:"department,omitempty"`
	// HireDate is employeeHireDate as yyyy-mm-dd ("" = none).
	HireDate string `json:"employeeHireDate,omitempty"`
	// Created is createdDateTime as yyyy-mm-dd ("" = none).
	Created string `json:"createdDateTime,omitempty"`
	// Aliases become smtp: proxyAddresses.
	Aliases []string `json:"aliases,omitempty"`
	// Extensions are onPremisesExtensionAttributes (extensionAttribute1..15).
	Extensions map[string]string `json:"onPremisesExtensionAttributes,omitempty"`
	// Properties are other string properties (directory extensions such as
	// extension_<appId>_teamStart).
	Properties map[string]string `json:"properties,omitempty"`
	Disabled   bool              `json:"disabled,omitempty"`
	Guest      bool              `json:"guest,omitempty"`
}

// SetUsers replaces the directory; every user gets a mailbox (named by
// object id, mail, user principal name and aliases).
func (s *Server) SetUsers(users []DirectoryUser) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.users = nil
	for _, u := range users {
		u.Mail = strings.ToLower(u.Mail)
		if u.ID == "" {
			u.ID = objectID(u.Mail)
		}
		if u.UserPrincipalName == "" {
			u.UserPrincipalName = u.Mail
		}
		s.users = append(s.users, u)
		s.addMailbox(u.ID, u.Mail, append([]string{u.UserPrincipalName}, u.Aliases...)...)
	}
}

func dateTime(d string) string {
	if d == "" {
		return ""
	}
	if t, err := time.Parse("2006-01-02", d); err == nil {
		return t.Format("2006-01-02T15:04:05Z")
	}
	return d
}

// graphUser is u as Graph writes it (every property; $select filters).
func (s *Server) graphUser(u DirectoryUser) map[string]any {
	proxy := []string{"SMTP:" + u.Mail}
	for _, a := range u.Aliases {
		proxy = append(proxy, "smtp:"+strings.ToLower(a))
	}
	ext := map[string]any{}
	for i := 1; i <= 15; i++ {
		k := "extensionAttribute" + strconv.Itoa(i)
		if v, ok := u.Extensions[k]; ok {
			ext[k] = v
		} else {
			ext[k] = nil
		}
	}
	userType := "Member"
	if u.Guest {
		userType = "Guest"
	}
	m := map[string]any{
		"id": u.ID, "displayName": u.Name, "mail": u.Mail, "userPrincipalName": u.UserPrincipalName,
		"proxyAddresses": proxy, "employeeHireDate": nilIfEmpty(dateTime(u.HireDate)), "createdDateTime": nilIfEmpty(dateTime(u.Created)),
		"jobTitle": nilIfEmpty(u.Title), "department": nilIfEmpty(u.Department), "accountEnabled": !u.Disabled,
		"userType": userType, "onPremisesExtensionAttributes": ext,
	}
	for k, v := range u.Properties {
		m[k] = v
	}
	return m
}

func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func (s *Server) usersList(w http.ResponseWriter, r *http.Request) {
	if !s.admit(w, r, "", MethodUsers) {
		return
	}
	q := r.URL.Query()
	top := 100
	if v := q.Get("$top"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 999 {
			writeError(w, http.StatusBadRequest, "Request_UnsupportedQuery", "fakegraph: $top must be 1..999")
			return
		}
		top = n
	}
	off := 0
	if v := q.Get("$skiptoken"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			writeError(w, http.StatusBadRequest, "Request_UnsupportedQuery", "fakegraph: invalid $skiptoken")
			return
		}
		off = n
	}
	var sel map[string]bool
	if v := q.Get("$select"); v != "" {
		sel = map[string]bool{}
		for _, p := range strings.Split(v, ",") {
			sel[strings.TrimSpace(p)] = true
		}
	}
	expandManager := strings.HasPrefix(q.Get("$expand"), "manager")
	s.mu.Lock()
	users := append([]DirectoryUser(nil), s.users...)
	s.mu.Unlock()
	byMail := map[string]DirectoryUser{}
	for _, u := range users {
		byMail[u.Mail] = u
	}
	end := min(off+top, len(users))
	resp := struct {
		NextLink string           `json:"@odata.nextLink,omitempty"`
		Value    []map[string]any `json:"value"`
	}{Value: []map[string]any{}}
	for _, u := range users[min(off, len(users)):end] {
		m := s.graphUser(u)
		if sel != nil {
			for k := range m {
				if !sel[k] && k != "id" {
					delete(m, k)
				}
			}
		}
		if expandManager && u.Manager != "" {
			if mg, ok := byMail[strings.ToLower(u.Manager)]; ok {
				m["manager"] = map[string]any{"@odata.type": "#microsoft.graph.user", "id": mg.ID, "mail": mg.Mail, "userPrincipalName": mg.UserPrincipalName}
			}
		}
		resp.Value = append(resp.Value, m)
	}
	if end < len(users) {
		nq := url.Values{}
		for k, v := range q {
			nq[k] = v
		}
		nq.Set("$skiptoken", strconv.Itoa(end))
		resp.NextLink = baseURL(r) + "/v1.0/users?" + nq.Encode()
	}
	writeJSON(w, resp)
}

// Dataset is a JSON document that fills the fake server:
//
//	{"users": [{"mail": "bo@example.com", "manager": "ana@example.com", ...}],
//	 "mailboxes": {"ana@example.com": {"events": [<Graph events>],
//	                                   "cancelledOccurrences": [{"seriesMasterId": "...", "originalStart": "..."}]}}}
//
// Events are Graph JSON: single events (type singleInstance), series
// masters (with recurrence), and exceptions (seriesMasterId and
// originalStart, listed after their master); start and end may be in any
// zone. Users are DirectoryUser values.
type Dataset struct {
	Users     []DirectoryUser           `json:"users"`
	Mailboxes map[string]DatasetMailbox `json:"mailboxes"`
}

// DatasetMailbox is one mailbox of a Dataset (keyed by its mail).
type DatasetMailbox struct {
	// ID is the object id when the mailbox has no user ("" = derived).
	ID                   string              `json:"id,omitempty"`
	Events               []graph.Event       `json:"events"`
	CancelledOccurrences []DatasetOccurrence `json:"cancelledOccurrences,omitempty"`
	// Denied makes every request for the mailbox fail with 403
	// ErrorAccessDenied, as when an application access policy leaves it
	// out.
	Denied bool `json:"denied,omitempty"`
}

// DatasetOccurrence names one occurrence of a series.
type DatasetOccurrence struct {
	SeriesMasterID string `json:"seriesMasterId"`
	OriginalStart  string `json:"originalStart"`
}

// LoadDataset reads a Dataset (unknown fields are errors) and loads it:
// users first, then mailboxes in key order. name is used in errors.
func (s *Server) LoadDataset(r io.Reader, name string) error {
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	var ds Dataset
	if err := dec.Decode(&ds); err != nil {
		return fmt.Errorf("fakegraph: %s: %w", name, err)
	}
	return s.Load(&ds, name)
}

// Load loads a Dataset (see LoadDataset).
func (s *Server) Load(ds *Dataset, name string) error {
	if len(ds.Users) > 0 {
		s.SetUsers(ds.Users)
	}
	keys := make([]string, 0, len(ds.Mailboxes))
	for k := range ds.Mailboxes {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		mb := ds.Mailboxes[k]
		if s.MailboxID(k) == "" {
			s.AddMailbox(mb.ID, k)
		}
		for i, ev := range mb.Events {
			if ev.Type == graph.Exception || ev.SeriesMasterID != "" {
				continue
			}
			if err := s.PutEvent(k, ev); err != nil {
				return fmt.Errorf("fakegraph: %s: mailbox %s: event %d: %w", name, k, i+1, err)
			}
		}
		for i, ev := range mb.Events {
			if ev.Type != graph.Exception && ev.SeriesMasterID == "" {
				continue
			}
			orig, err := graph.ParseOffset(ev.OriginalStart)
			if err != nil {
				return fmt.Errorf("fakegraph: %s: mailbox %s: event %d: originalStart: %w", name, k, i+1, err)
			}
			x := ev
			if err := s.UpdateOccurrence(k, ev.SeriesMasterID, orig, func(e *graph.Event) {
				*e = x
			}); err != nil {
				return fmt.Errorf("fakegraph: %s: mailbox %s: event %d: %w", name, k, i+1, err)
			}
		}
		if mb.Denied {
			s.FailAlways(k, Forbidden)
		}
		for i, c := range mb.CancelledOccurrences {
			orig, err := graph.ParseOffset(c.OriginalStart)
			if err != nil {
				return fmt.Errorf("fakegraph: %s: mailbox %s: cancelled occurrence %d: %w", name, k, i+1, err)
			}
			if err := s.CancelOccurrence(k, c.SeriesMasterID, orig); err != nil {
				return fmt.Errorf("fakegraph: %s: mailbox %s: cancelled occurrence %d: %w", name, k, i+1, err)
			}
		}
	}
	return nil
}
