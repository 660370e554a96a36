package fakegoogle

import (
	"net/http"
	"sort"
	"strconv"
	"strings"

	admin "google.golang.org/api/admin/directory/v1"
)

// DirectoryUser describes one Workspace user for SetUsers.
type DirectoryUser struct {
	ID         string   `json:"id"`
	Email      string   `json:"email"` // primary email
	Name       string   `json:"name"`
	Manager    string   `json:"manager,omitempty"` // manager's email ("" = none)
	Title      string   `json:"title,omitempty"`
	Department string   `json:"department,omitempty"`
	Aliases    []string `json:"aliases,omitempty"` // aliases (editable), also listed in emails
	// CreationTime is RFC 3339 ("" = omitted).
	CreationTime string `json:"creationTime,omitempty"`
	Suspended    bool   `json:"suspended,omitempty"`
}

// SetUsers replaces the directory served by users.list. Users are served
// sorted by primary email, in Admin SDK JSON with relations (type manager),
// organizations (title, department), emails and aliases.
func (s *Server) SetUsers(users []DirectoryUser) {
	out := make([]*admin.User, 0, len(users))
	for _, u := range users {
		au := &admin.User{
			Kind:         "admin#directory#user",
			Id:           u.ID,
			PrimaryEmail: u.Email,
			Name:         &admin.UserName{FullName: u.Name},
			Aliases:      append([]string(nil), u.Aliases...),
			CreationTime: u.CreationTime,
			Suspended:    u.Suspended,
		}
		emails := []any{map[string]any{"address": u.Email, "primary": true}}
		for _, a := range u.Aliases {
			emails = append(emails, map[string]any{"address": a})
		}
		au.Emails = emails
		if u.Manager != "" {
			au.Relations = []any{map[string]any{"type": "manager", "value": u.Manager}}
		}
		if u.Title != "" || u.Department != "" {
			au.Organizations = []any{map[string]any{"title": u.Title, "department": u.Department, "primary": true}}
		}
		out = append(out, au)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].PrimaryEmail < out[j].PrimaryEmail })
	s.mu.Lock()
	defer s.mu.Unlock()
	s.users = out
}

func (s *Server) usersList(w http.ResponseWriter, r *http.Request) {
	if !s.admit(w, r, "", MethodUsersList) {
		return
	}
	q := r.URL.Query()
	if q.Get("customer") == "" && q.Get("domain") == "" {
		writeError(w, http.StatusBadRequest, "badRequest", "fakegoogle: users.list needs customer or domain")
		return
	}
	proj := q.Get("projection")
	if proj != "" && proj != "basic" && proj != "full" && proj != "custom" {
		writeError(w, http.StatusBadRequest, "invalid", "fakegoogle: invalid projection "+strconv.Quote(proj))
		return
	}
	maxResults := 100
	if v := q.Get("maxResults"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 500 {
			writeError(w, http.StatusBadRequest, "invalid", "fakegoogle: invalid maxResults "+strconv.Quote(v))
			return
		}
		maxResults = n
	}
	offset := 0
	if v := q.Get("pageToken"); v != "" {
		n, err := strconv.Atoi(strings.TrimPrefix(v, "p"))
		if err != nil || n < 0 || !strings.HasPrefix(v, "p") {
			writeError(w, http.StatusBadRequest, "invalid", "fakegoogle: invalid page token")
			return
		}
		offset = n
	}
	s.mu.Lock()
	users := s.users
	s.mu.Unlock()
	resp := &admin.Users{Kind: "admin#directory#users"}
	for i := offset; i < len(users) && i < offset+maxResults; i++ {
		u := *users[i]
		resp.Users = append(resp.Users, &u)
	}
	if offset+maxResults < len(users) {
		resp.NextPageToken = "p" + strconv.Itoa(offset+maxResults)
	}
	writeJSON(w, resp)
}
