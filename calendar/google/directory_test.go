package google_test

import (
	"context"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/cadence-dev/cadence/calendar/google"
	"github.com/cadence-dev/cadence/calendar/google/fakegoogle"
)

func TestDirectory(t *testing.T) {
	e := newEnv(t, google.Config{})
	e.fake.SetUsers([]fakegoogle.DirectoryUser{
		{ID: "1", Email: "Ana@Example.com", Name: "Ana Lima", Title: "VP Engineering", Department: "Engineering", Aliases: []string{"ana.lima@example.com"}, CreationTime: "2020-01-06T09:30:00Z"},
		{ID: "2", Email: "bo@example.com", Name: "Bo Chen", Manager: "ANA@example.com", Title: "Engineer", Department: "Platform"},
		{ID: "3", Email: "cy@example.com", Name: "Cy Park", Manager: "ana@example.com"},
		{ID: "4", Email: "gone@example.com", Name: "Gone", Manager: "ana@example.com", Suspended: true},
		{ID: "5", Email: "di@example.com", Name: "Di", Manager: "bo@example.com"},
	})
	e.fake.InjectFaults("", fakegoogle.TooManyRequests, fakegoogle.Fault{}, fakegoogle.Unavailable)
	people, err := e.sync.Directory(context.Background(), google.DirectoryConfig{
		Endpoint: fakegoogle.DirectoryEndpoint(e.srv.URL), PageSize: 2, CreationAsHireDate: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []google.User{
		{Email: "ana@example.com", Name: "Ana Lima", ID: "1", Title: "VP Engineering", Department: "Engineering", Aliases: []string{"ana.lima@example.com"}, HireDate: time.Date(2020, 1, 6, 0, 0, 0, 0, time.UTC), Pos: "google directory users.list page 1 item 1"},
		{Email: "bo@example.com", Name: "Bo Chen", Manager: "ana@example.com", ID: "2", Title: "Engineer", Department: "Platform", Pos: "google directory users.list page 1 item 2"},
		{Email: "cy@example.com", Name: "Cy Park", Manager: "ana@example.com", ID: "3", Pos: "google directory users.list page 2 item 1"},
		{Email: "di@example.com", Name: "Di", Manager: "bo@example.com", ID: "5", Pos: "google directory users.list page 2 item 2"},
	}
	if !reflect.DeepEqual(people, want) {
		t.Errorf("people:\n got %+v\nwant %+v", people, want)
	}
	// 3 pages + 2 retried faults.
	if n := e.fake.Requests("", fakegoogle.MethodUsersList); n != 5 {
		t.Errorf("users.list requests = %d, want 5", n)
	}
	q := e.fake.LastQuery("")
	if q.Get("customer") != "my_customer" || q.Get("projection") != "full" || q.Get("maxResults") != "2" {
		t.Errorf("users.list query %v", q)
	}
	e.fake.FailAlways("", fakegoogle.Fault{Status: 403, Reason: "forbidden"})
	_, err = e.sync.Directory(context.Background(), google.DirectoryConfig{Endpoint: fakegoogle.DirectoryEndpoint(e.srv.URL)})
	if err == nil || !strings.HasPrefix(err.Error(), "google: directory: users.list page 1: ") || !strings.Contains(err.Error(), "403") {
		t.Errorf("forbidden: err = %v", err)
	}
}
