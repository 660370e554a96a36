package microsoft_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/cadence-dev/cadence/calendar/microsoft"
	"github.com/cadence-dev/cadence/calendar/microsoft/fakegraph"
)

func TestDirectory(t *testing.T) {
	e := newEnv(t, microsoft.Config{})
	e.fake.SetUsers([]fakegraph.DirectoryUser{
		{ID: "id-ana", Mail: "Ana@example.com", Name: "Ana Alvarez", Title: "CEO", HireDate: "2019-03-01",
			Aliases: []string{"ana.alvarez@example.com"}, Extensions: map[string]string{"extensionAttribute3": "2024-01-15"}},
		{ID: "id-bo", Mail: bo, UserPrincipalName: "bo.b@corp.example.com", Name: "Bo", Manager: "ana@example.com", Created: "2021-06-01"},
		{ID: "id-cy", Mail: cy, Name: "Cy", Manager: bo, HireDate: "2024-02-01", Extensions: map[string]string{"extensionAttribute3": "2025-05-01T00:00:00Z"}},
		{ID: "id-old", Mail: "old@example.com", Name: "Old", Disabled: true},
		{ID: "id-guest", Mail: "guest@other.example", Name: "Guest", Guest: true},
	})
	users, err := e.syncer.Directory(context.Background(), microsoft.DirectoryConfig{PageSize: 2, CreationAsHireDate: true,
		TeamStartAttribute: "onPremisesExtensionAttributes.extensionAttribute3"})
	if err != nil {
		t.Fatal(err)
	}
	if n := e.fake.Requests("", fakegraph.MethodUsers); n != 3 {
		t.Errorf("users pages = %d, want 3 (5 users, 2 a page)", n)
	}
	if len(users) != 3 {
		t.Fatalf("users = %+v, want ana, bo, cy (no disabled account, no guest)", users)
	}
	a, b, c := users[0], users[1], users[2]
	d := func(s string) time.Time { t, _ := time.Parse("2006-01-02", s); return t }
	if a.Email != ana || a.ID != "id-ana" || a.Manager != "" || !a.HireDate.Equal(d("2019-03-01")) || !a.TeamStart.Equal(d("2024-01-15")) ||
		len(a.Aliases) != 1 || a.Aliases[0] != "ana.alvarez@example.com" || a.Title != "CEO" {
		t.Errorf("ana = %+v", a)
	}
	if b.Manager != ana || !b.HireDate.Equal(d("2021-06-01")) || len(b.Aliases) != 1 || b.Aliases[0] != "bo.b@corp.example.com" {
		t.Errorf("bo = %+v (hire date from createdDateTime, the UPN an alias)", b)
	}
	if c.Manager != bo || !c.TeamStart.Equal(d("2025-05-01")) {
		t.Errorf("cy = %+v", c)
	}
	q := e.fake.LastRequest("").URL.Query()
	for _, want := range []string{"proxyAddresses", "employeeHireDate", "onPremisesExtensionAttributes"} {
		if !strings.Contains(q.Get("$select"), want) {
			t.Errorf("$select = %q lacks %s", q.Get("$select"), want)
		}
	}
	if !strings.HasPrefix(q.Get("$expand"), "manager") {
		t.Errorf("$expand = %q", q.Get("$expand"))
	}
	// Mailboxes are then named by object id: an address that is not the
	// user principal name is not a valid path in a real tenant.
	must(t, e.fake.PutEvent(bo, weekly("bo-weekly", false)))
	e.syncOK(bo)
	if p := e.fake.LastRequest(bo).URL.Path; !strings.Contains(p, "/users/id-bo/") {
		t.Errorf("request path %s, want /users/id-bo/...", p)
	}
	// A bad team start value names the user and the attribute.
	e.fake.SetUsers([]fakegraph.DirectoryUser{{Mail: ana, Extensions: map[string]string{"extensionAttribute3": "soon"}}})
	_, err = e.syncer.Directory(context.Background(), microsoft.DirectoryConfig{TeamStartAttribute: "onPremisesExtensionAttributes.extensionAttribute3"})
	if err == nil || !strings.Contains(err.Error(), ana) || !strings.Contains(err.Error(), "extensionAttribute3") {
		t.Errorf("err = %v", err)
	}
}

func TestDirectoryExtensionProperty(t *testing.T) {
	e := newEnv(t, microsoft.Config{})
	e.fake.SetUsers([]fakegraph.DirectoryUser{{Mail: ana, Properties: map[string]string{"extension_abc_teamStart": "2023-09-01"}}})
	users, err := e.syncer.Directory(context.Background(), microsoft.DirectoryConfig{TeamStartAttribute: "extension_abc_teamStart"})
	if err != nil || len(users) != 1 || users[0].TeamStart.Format("2006-01-02") != "2023-09-01" {
		t.Fatalf("users %+v, err %v", users, err)
	}
}

func TestClientSecretCredentials(t *testing.T) {
	fake := fakegraph.New()
	srv := httptest.NewServer(fake)
	defer srv.Close()
	const secret = "s3cr3t-value"
	fake.RequireAuth("app-id", secret)
	fake.SetUsers([]fakegraph.DirectoryUser{{Mail: ana}})
	client, err := microsoft.Credentials{TokenURL: fakegraph.TokenURL(srv.URL, "contoso"), ClientID: "app-id", ClientSecret: secret,
		Scope: microsoft.Scope(fakegraph.Endpoint(srv.URL))}.Client()
	if err != nil {
		t.Fatal(err)
	}
	s, err := microsoft.New(microsoft.Config{Endpoint: fakegraph.Endpoint(srv.URL), Client: client, Clock: newFakeClock()}, microsoft.NewMemoryStore())
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		if r := s.Sync(context.Background(), microsoft.Mailbox{ID: ana}); r.Err != nil {
			t.Fatal(r.Err)
		}
	}
	if n := fake.Requests("token", fakegraph.MethodToken); n != 1 {
		t.Errorf("token requests = %d, want 1 (reused until it expires)", n)
	}
	// A wrong secret: the error says so without the secret.
	bad, _ := microsoft.Credentials{TokenURL: fakegraph.TokenURL(srv.URL, "contoso"), ClientID: "app-id", ClientSecret: "wrong-" + secret}.Client()
	s2, _ := microsoft.New(microsoft.Config{Endpoint: fakegraph.Endpoint(srv.URL), Client: bad, Clock: newFakeClock(), MaxAttempts: 1}, microsoft.NewMemoryStore())
	r := s2.Sync(context.Background(), microsoft.Mailbox{ID: ana})
	if r.Err == nil || strings.Contains(r.Err.Error(), secret) {
		t.Errorf("err = %v: want a failure that does not show the secret", r.Err)
	}
}

func TestCertificateCredentials(t *testing.T) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "cadence"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	pk8, _ := x509.MarshalPKCS8PrivateKey(key)
	keyPEM := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: pk8})
	cert, k, err := microsoft.ParseCertificate(certPEM, keyPEM)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := microsoft.ParseCertificate(certPEM, nil); err == nil || strings.Contains(err.Error(), "BEGIN") {
		t.Errorf("certificate without key: %v", err)
	}
	fake := fakegraph.New()
	srv := httptest.NewServer(fake)
	defer srv.Close()
	fake.RequireCertificate("app-id", &key.PublicKey)
	fake.SetUsers([]fakegraph.DirectoryUser{{Mail: ana}})
	client, err := microsoft.Credentials{TokenURL: fakegraph.TokenURL(srv.URL, "contoso"), ClientID: "app-id", Certificate: cert, Key: k}.Client()
	if err != nil {
		t.Fatal(err)
	}
	s, _ := microsoft.New(microsoft.Config{Endpoint: fakegraph.Endpoint(srv.URL), Client: client, Clock: newFakeClock()}, microsoft.NewMemoryStore())
	if r := s.Sync(context.Background(), microsoft.Mailbox{ID: ana}); r.Err != nil {
		t.Fatal(r.Err)
	}
}

// TestNoTokensInErrors: a transport failure after a delta round names the
// mailbox and the path, never the delta token in the link.
func TestNoTokensInErrors(t *testing.T) {
	e := newEnv(t, microsoft.Config{MaxAttempts: 1})
	e.load()
	e.syncOK(ana)
	e.srv.CloseClientConnections()
	e.srv.Close()
	r := e.sync(ana)
	if r.Err == nil {
		t.Fatal("no error from a closed server")
	}
	if strings.Contains(r.Err.Error(), "deltatoken") || strings.Contains(r.Err.Error(), "?") {
		t.Errorf("error %q shows the link's query", r.Err)
	}
	if !strings.Contains(r.Err.Error(), "calendarView/delta") || !strings.Contains(r.Err.Error(), ana) {
		t.Errorf("error %q: want the mailbox and the path", r.Err)
	}
}
