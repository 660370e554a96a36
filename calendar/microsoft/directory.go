package microsoft

import (
	"context"
	"encoding/json"
	"fmt"
	"github.com/cadence-dev/cadence/calendar/internal/httperr"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/cadence-dev/cadence/calendar/microsoft/graph"
)

// User is one Entra ID user as the directory lists it. The engine's
// setup maps users to cadence's people; this package knows nothing of
// 1:1s.
type User struct {
	Email string // mail (else the user principal name), lower-case
	Name  string // displayName
	// Manager is the manager's mail (else user principal name),
	// lower-case ("" = none).
	Manager string
	// HireDate is employeeHireDate at 00:00 UTC (with
	// DirectoryConfig.CreationAsHireDate, createdDateTime when that is
	// empty); zero when unknown (the CSV override then supplies it).
	HireDate time.Time
	// TeamStart is read from DirectoryConfig.TeamStartAttribute (zero
	// when not configured or empty).
	TeamStart time.Time
	// Aliases are the other SMTP proxyAddresses and the user principal
	// name when it differs from Email.
	Aliases           []string
	ID                string // the Entra object id
	UserPrincipalName string
	Title, Department string
	// Pos names where the user was read ("microsoft directory users page
	// 2 item 5"), for error messages.
	Pos string
}

// DirectoryConfig says how to read the Entra ID directory.
type DirectoryConfig struct {
	// PageSize is $top of GET /users (1..999, default 100).
	PageSize int
	// TeamStartAttribute names the user property holding the date the
	// person joined their current team (Entra has no such field): an
	// on-premises extension attribute ("onPremisesExtensionAttributes.
	// extensionAttribute3") or a directory extension
	// ("extension_<appId>_teamStart"). Values are yyyy-mm-dd or RFC 3339.
	TeamStartAttribute string
	// CreationAsHireDate uses the account's creation date when
	// employeeHireDate is empty.
	CreationAsHireDate bool
	// IncludeDisabled keeps accounts with accountEnabled false (guests
	// are never kept).
	IncludeDisabled bool
}

const userSelect = "id,displayName,mail,userPrincipalName,proxyAddresses,employeeHireDate,createdDateTime,jobTitle,department,accountEnabled,userType"

// Directory lists the Entra ID users (GET /users with $select and
// $expand=manager, paged by @odata.nextLink): mail, display name,
// manager, hire date (employeeHireDate), aliases (SMTP proxyAddresses),
// title, department, object id, and the team start attribute when
// configured. Disabled accounts and guests are left out. It shares the
// Syncer's rate limits, retries and metrics, and records each user's
// object id for the mailbox requests (SetMailboxIDs).
func (s *Syncer) Directory(ctx context.Context, dc DirectoryConfig) ([]User, error) {
	if dc.PageSize == 0 {
		dc.PageSize = 100
	}
	if dc.PageSize < 1 || dc.PageSize > 999 {
		return nil, fmt.Errorf("microsoft: directory: page size %d out of range 1..999", dc.PageSize)
	}
	sel := userSelect
	attrTop, attrSub := "", ""
	if a := strings.TrimSpace(dc.TeamStartAttribute); a != "" {
		attrTop, attrSub, _ = strings.Cut(a, ".")
		if attrTop == "" || strings.ContainsAny(a, ",()&?#/ ") {
			return nil, fmt.Errorf("microsoft: directory: team start attribute %q: want a property name such as onPremisesExtensionAttributes.extensionAttribute1 or extension_<appId>_teamStart", a)
		}
		sel += "," + attrTop
	}
	q := url.Values{}
	q.Set("$select", sel)
	q.Set("$expand", "manager($select=id,mail,userPrincipalName)")
	q.Set("$top", strconv.Itoa(dc.PageSize))
	link := s.cfg.Endpoint + "/users?" + q.Encode()
	var users []User
	seen := map[string]bool{}
	requests := 0
	for page := 1; ; page++ {
		var p graph.Page[json.RawMessage]
		if err := s.get(ctx, request{mailbox: "directory", method: MethodUsers, url: link}, &requests, &p); err != nil {
			return nil, fmt.Errorf("microsoft: directory: users page %d: %w", page, err)
		}
		for i, raw := range p.Value {
			pos := fmt.Sprintf("microsoft directory users page %d item %d", page, i+1)
			u, keep, err := userOf(raw, pos, dc, attrTop, attrSub)
			if err != nil {
				return nil, err
			}
			if !keep {
				continue
			}
			if seen[u.Email] {
				return nil, fmt.Errorf("microsoft: directory: %s: user %s listed twice", pos, u.Email)
			}
			seen[u.Email] = true
			users = append(users, u)
		}
		if p.NextLink == "" {
			break
		}
		if !s.sameOrigin(p.NextLink) {
			return nil, fmt.Errorf("microsoft: directory: users page %d: @odata.nextLink points at another host (%s): refused", page, httperr.Redact(p.NextLink))
		}
		if p.NextLink == link {
			return nil, fmt.Errorf("microsoft: directory: users page %d repeats its link", page)
		}
		link = p.NextLink
	}
	sort.Slice(users, func(i, j int) bool { return users[i].Email < users[j].Email })
	s.SetMailboxIDs(users)
	return users, nil
}

// userOf converts one user of the list; keep is false for a disabled
// account or a guest.
func userOf(raw json.RawMessage, pos string, dc DirectoryConfig, attrTop, attrSub string) (User, bool, error) {
	var g graph.User
	if err := json.Unmarshal(raw, &g); err != nil {
		return User{}, false, fmt.Errorf("microsoft: directory: %s: %w", pos, err)
	}
	if strings.EqualFold(g.UserType, "Guest") || (!dc.IncludeDisabled && g.AccountEnabled != nil && !*g.AccountEnabled) {
		return User{}, false, nil
	}
	u := User{ID: g.ID, Name: g.DisplayName, UserPrincipalName: strings.ToLower(g.UserPrincipalName),
		Title: g.JobTitle, Department: g.Department, Pos: pos}
	u.Email = strings.ToLower(strings.TrimSpace(g.Mail))
	if u.Email == "" {
		u.Email = u.UserPrincipalName
	}
	if u.Email == "" {
		return u, false, fmt.Errorf("microsoft: directory: %s (id %s): neither mail nor userPrincipalName", pos, g.ID)
	}
	if g.Manager != nil {
		u.Manager = strings.ToLower(strings.TrimSpace(g.Manager.Mail))
		if u.Manager == "" {
			u.Manager = strings.ToLower(g.Manager.UserPrincipalName)
		}
	}
	aliases := map[string]bool{}
	add := func(a string) {
		a = strings.ToLower(strings.TrimSpace(a))
		if a != "" && a != u.Email {
			aliases[a] = true
		}
	}
	for _, p := range g.ProxyAddresses {
		if kind, addr, ok := strings.Cut(p, ":"); ok && strings.EqualFold(kind, "smtp") {
			add(addr)
		}
	}
	if strings.Contains(u.UserPrincipalName, "@") {
		add(u.UserPrincipalName)
	}
	for a := range aliases {
		u.Aliases = append(u.Aliases, a)
	}
	sort.Strings(u.Aliases)
	hire := g.EmployeeHireDate
	if hire == "" && dc.CreationAsHireDate {
		hire = g.CreatedDateTime
	}
	if hire != "" {
		t, err := parseDate(hire)
		if err != nil {
			return u, false, fmt.Errorf("microsoft: directory: user %s: hire date: %w", u.Email, err)
		}
		u.HireDate = t
	}
	if attrTop != "" {
		v, err := attribute(raw, attrTop, attrSub)
		if err != nil {
			return u, false, fmt.Errorf("microsoft: directory: user %s: %s: %w", u.Email, attrTop+dotted(attrSub), err)
		}
		if v != "" {
			t, err := parseDate(v)
			if err != nil {
				return u, false, fmt.Errorf("microsoft: directory: user %s: team start (%s): %w", u.Email, attrTop+dotted(attrSub), err)
			}
			u.TeamStart = t
		}
	}
	return u, true, nil
}

func dotted(s string) string {
	if s == "" {
		return ""
	}
	return "." + s
}

// attribute reads a string property (top, or top.sub of an object) of a
// user's JSON; "" when absent or null.
func attribute(raw json.RawMessage, top, sub string) (string, error) {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(raw, &obj); err != nil {
		return "", err
	}
	v, ok := obj[top]
	if !ok || string(v) == "null" {
		return "", nil
	}
	if sub != "" {
		var inner map[string]json.RawMessage
		if err := json.Unmarshal(v, &inner); err != nil {
			return "", fmt.Errorf("not an object")
		}
		if v, ok = inner[sub]; !ok || string(v) == "null" {
			return "", nil
		}
	}
	var s string
	if err := json.Unmarshal(v, &s); err != nil {
		return "", fmt.Errorf("not a string")
	}
	return strings.TrimSpace(s), nil
}

// parseDate reads yyyy-mm-dd or an RFC 3339 timestamp as a date at 00:00
// UTC.
func parseDate(s string) (time.Time, error) {
	if t, err := time.Parse("2006-01-02", s); err == nil {
		return t, nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q: want yyyy-mm-dd or an RFC 3339 time", s)
	}
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC), nil
}
