package google

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"time"

	admin "google.golang.org/api/admin/directory/v1"
	"google.golang.org/api/googleapi"
	"google.golang.org/api/option"
)

// User is one Workspace user as the directory lists it. The engine maps
// users to cadence's people; this package knows nothing of 1:1s.
type User struct {
	Email   string // primary email, lower-case
	Name    string // full name
	Manager string // the "manager" relation, lower-case ("" = none)
	// HireDate is the account's creation date at 00:00 UTC when
	// DirectoryConfig.CreationAsHireDate is set; zero otherwise (Workspace
	// has no hire date).
	HireDate time.Time
	Aliases  []string // aliases, non-editable aliases, secondary emails
	ID       string   // the Workspace user id
	// Title and Department come from the primary organization.
	Title, Department string
	// Pos names where the user was read ("google directory users.list
	// page 2 item 5"), for error messages.
	Pos string
}

// DirectoryConfig says how to read the Google Workspace directory.
type DirectoryConfig struct {
	// Endpoint is the Admin SDK base URL ("" = Google's; for the fake:
	// fakegoogle.DirectoryEndpoint(url)).
	Endpoint string
	// Customer is the customer id ("" = "my_customer"); Domain, when set,
	// lists one domain instead.
	Customer, Domain string
	// PageSize is maxResults of users.list (1..500, default 500).
	PageSize int
	// Client is the authorized HTTP client (scope DirectoryScope, e.g. a
	// ServiceAccount client acting as an administrator); nil = an
	// unauthenticated client (the fake server only).
	Client *http.Client
	// IncludeSuspended keeps suspended and archived users.
	IncludeSuspended bool
	// CreationAsHireDate uses the account's creation date as HireDate
	// (Workspace has no hire date; otherwise HireDate stays zero and the CSV
	// override supplies it).
	CreationAsHireDate bool
}

// Directory lists the Workspace users (users.list, projection=full):
// primary email, full name, manager (the "manager"
// relation), title and department (the primary organization), user id,
// and aliases (aliases, non-editable aliases and secondary emails). It
// shares the Syncer's rate limits, retries and metrics.
func (s *Syncer) Directory(ctx context.Context, dc DirectoryConfig) ([]User, error) {
	if dc.PageSize == 0 {
		dc.PageSize = 500
	}
	if dc.PageSize < 1 || dc.PageSize > 500 {
		return nil, fmt.Errorf("google: directory: page size %d out of range 1..500", dc.PageSize)
	}
	hc := dc.Client
	if hc == nil {
		hc = &http.Client{}
	}
	opts := []option.ClientOption{option.WithHTTPClient(hc)}
	if dc.Endpoint != "" {
		opts = append(opts, option.WithEndpoint(dc.Endpoint))
	}
	svc, err := admin.NewService(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("google: directory: client: %w", err)
	}
	customer := dc.Customer
	if customer == "" && dc.Domain == "" {
		customer = "my_customer"
	}
	var people []User
	seen := map[string]bool{}
	pageToken := ""
	requests := 0
	for page := 1; ; page++ {
		c := svc.Users.List().Projection("full").MaxResults(int64(dc.PageSize))
		if customer != "" {
			c = c.Customer(customer)
		}
		if dc.Domain != "" {
			c = c.Domain(dc.Domain)
		}
		if pageToken != "" {
			c = c.PageToken(pageToken)
		}
		users, err := call(ctx, s, "directory", "users.list", &requests, func(ctx context.Context) (*admin.Users, error) {
			return c.Context(ctx).Do(googleapi.QuotaUser("directory"))
		})
		if err != nil {
			return nil, fmt.Errorf("google: directory: users.list page %d: %w", page, err)
		}
		for i, u := range users.Users {
			if u == nil || (!dc.IncludeSuspended && (u.Suspended || u.Archived)) {
				continue
			}
			p, err := personOf(u, fmt.Sprintf("users.list page %d item %d", page, i+1), dc.CreationAsHireDate)
			if err != nil {
				return nil, err
			}
			if seen[p.Email] {
				return nil, fmt.Errorf("google: directory: %s: user %s listed twice", p.Pos, p.Email)
			}
			seen[p.Email] = true
			people = append(people, p)
		}
		if users.NextPageToken == "" || users.NextPageToken == pageToken {
			break
		}
		pageToken = users.NextPageToken
	}
	sort.Slice(people, func(i, j int) bool { return people[i].Email < people[j].Email })
	return people, nil
}

// personOf converts one Admin SDK user. relations, organizations and
// emails are untyped in the Go client; they are decoded here.
func personOf(u *admin.User, pos string, creationAsHire bool) (User, error) {
	p := User{Email: strings.ToLower(u.PrimaryEmail), ID: u.Id, Pos: "google directory " + pos}
	if p.Email == "" {
		return p, fmt.Errorf("google: directory: %s (id %s): no primaryEmail", pos, u.Id)
	}
	if u.Name != nil {
		p.Name = u.Name.FullName
		if p.Name == "" {
			p.Name = strings.TrimSpace(u.Name.GivenName + " " + u.Name.FamilyName)
		}
	}
	var rels []struct{ Type, Value string }
	if err := redecode(u.Relations, &rels); err != nil {
		return p, fmt.Errorf("google: directory: user %s: relations: %w", p.Email, err)
	}
	for _, r := range rels {
		if r.Type == "manager" && r.Value != "" {
			p.Manager = strings.ToLower(r.Value)
			break
		}
	}
	var orgs []struct {
		Title, Department string
		Primary           bool
	}
	if err := redecode(u.Organizations, &orgs); err != nil {
		return p, fmt.Errorf("google: directory: user %s: organizations: %w", p.Email, err)
	}
	for i, o := range orgs {
		if o.Primary || i == 0 {
			p.Title, p.Department = o.Title, o.Department
		}
		if o.Primary {
			break
		}
	}
	var emails []struct{ Address string }
	if err := redecode(u.Emails, &emails); err != nil {
		return p, fmt.Errorf("google: directory: user %s: emails: %w", p.Email, err)
	}
	aliases := map[string]bool{}
	add := func(a string) {
		a = strings.ToLower(strings.TrimSpace(a))
		if a != "" && a != p.Email {
			aliases[a] = true
		}
	}
	for _, a := range u.Aliases {
		add(a)
	}
	for _, a := range u.NonEditableAliases {
		add(a)
	}
	for _, e := range emails {
		add(e.Address)
	}
	for a := range aliases {
		p.Aliases = append(p.Aliases, a)
	}
	sort.Strings(p.Aliases)
	if creationAsHire && u.CreationTime != "" {
		t, err := time.Parse(time.RFC3339, u.CreationTime)
		if err != nil {
			return p, fmt.Errorf("google: directory: user %s: creationTime %q: want RFC 3339", p.Email, u.CreationTime)
		}
		y, m, d := t.UTC().Date()
		p.HireDate = time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	}
	return p, nil
}

// redecode turns an untyped JSON value (as the Go client decodes
// relations and organizations) into out.
func redecode(v any, out any) error {
	if v == nil {
		return nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, out)
}
