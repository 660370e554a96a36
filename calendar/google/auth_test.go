package google_test

import (
	"context"
	"crypto"
	cryptorand "crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"golang.org/x/oauth2"

	"github.com/cadence-dev/cadence/calendar/google"
)

const (
	clientSecret = "s3cr3t-client"
	accessToken  = "ya29.access-XYZ"
	refreshToken = "1//refresh-ABC"
)

// oauthProvider is a fake authorization server checking PKCE.
type oauthProvider struct {
	mu        sync.Mutex
	challenge string
	redirect  string
	srv       *httptest.Server
	deny      bool
}

func newOAuthProvider(t *testing.T) *oauthProvider {
	p := &oauthProvider{}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /token", func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		p.mu.Lock()
		defer p.mu.Unlock()
		f := r.PostForm
		user, pass, _ := r.BasicAuth()
		if f.Get("client_secret") != "" {
			user, pass = f.Get("client_id"), f.Get("client_secret")
		}
		switch {
		case f.Get("grant_type") != "authorization_code" || f.Get("code") != "the-code":
			http.Error(w, `{"error":"invalid_grant"}`, 400)
		case user != "cid" || pass != clientSecret:
			http.Error(w, `{"error":"invalid_client"}`, 401)
		case oauth2.S256ChallengeFromVerifier(f.Get("code_verifier")) != p.challenge:
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(400)
			fmt.Fprint(w, `{"error":"invalid_grant","error_description":"code_verifier does not match"}`)
		case f.Get("redirect_uri") != p.redirect:
			http.Error(w, `{"error":"redirect_uri_mismatch"}`, 400)
		default:
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprintf(w, `{"access_token":%q,"refresh_token":%q,"token_type":"Bearer","expires_in":3600}`, accessToken, refreshToken)
		}
	})
	p.srv = httptest.NewServer(mux)
	t.Cleanup(p.srv.Close)
	return p
}

func (p *oauthProvider) clientJSON() []byte {
	return []byte(fmt.Sprintf(`{"installed":{"client_id":"cid","client_secret":%q,"auth_uri":%q,"token_uri":%q,"redirect_uris":["http://localhost"]}}`,
		clientSecret, p.srv.URL+"/auth", p.srv.URL+"/token"))
}

// browser plays the user's browser: it checks the consent URL and follows
// the redirect back to cadence.
func (p *oauthProvider) browser(t *testing.T, tamper func(q url.Values)) func(string) error {
	return func(consent string) error {
		u, err := url.Parse(consent)
		if err != nil {
			return err
		}
		q := u.Query()
		if q.Get("code_challenge_method") != "S256" || q.Get("code_challenge") == "" || q.Get("access_type") != "offline" ||
			q.Get("scope") != google.CalendarScope || q.Get("client_id") != "cid" || q.Get("state") == "" {
			t.Errorf("consent URL parameters: %v", q)
		}
		redirect := q.Get("redirect_uri")
		if !strings.HasPrefix(redirect, "http://127.0.0.1:") {
			t.Errorf("redirect_uri %q is not a loopback address", redirect)
		}
		p.mu.Lock()
		p.challenge, p.redirect = q.Get("code_challenge"), redirect
		p.mu.Unlock()
		back := url.Values{"state": {q.Get("state")}, "code": {"the-code"}}
		if tamper != nil {
			tamper(back)
		}
		// A forged redirect with a wrong state is refused and ignored.
		if resp, err := http.Get(redirect + "?state=forged&code=evil"); err == nil {
			resp.Body.Close()
			if resp.StatusCode != 400 {
				t.Errorf("forged redirect: status %d", resp.StatusCode)
			}
		}
		resp, err := http.Get(redirect + "?" + back.Encode())
		if err != nil {
			return err
		}
		return resp.Body.Close()
	}
}

func noSecrets(t *testing.T, err error) {
	t.Helper()
	for _, s := range []string{clientSecret, accessToken, refreshToken, "the-code"} {
		if err != nil && strings.Contains(err.Error(), s) {
			t.Errorf("error shows a secret: %v", err)
		}
	}
}

func TestLogin(t *testing.T) {
	p := newOAuthProvider(t)
	dir := t.TempDir()
	tokenPath := filepath.Join(dir, "sub", "token.json")
	if err := google.Login(context.Background(), p.clientJSON(), tokenPath, p.browser(t, nil)); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(tokenPath)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("token file mode %v, want 0600", fi.Mode().Perm())
	}
	b, _ := os.ReadFile(tokenPath)
	if !strings.Contains(string(b), refreshToken) {
		t.Errorf("token file lacks the refresh token: %s", b)
	}
	// The saved token authorizes API requests.
	var gotAuth string
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { gotAuth = r.Header.Get("Authorization") }))
	defer api.Close()
	c, err := google.UserClient(context.Background(), p.clientJSON(), tokenPath)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := c.Get(api.URL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if gotAuth != "Bearer "+accessToken {
		t.Errorf("Authorization = %q", gotAuth)
	}
}

func TestLoginFailures(t *testing.T) {
	p := newOAuthProvider(t)
	dir := t.TempDir()
	tokenPath := filepath.Join(dir, "token.json")
	// The user denies access.
	err := google.Login(context.Background(), p.clientJSON(), tokenPath, p.browser(t, func(q url.Values) {
		q.Del("code")
		q.Set("error", "access_denied")
	}))
	if err == nil || !strings.Contains(err.Error(), "access_denied") || !strings.HasPrefix(err.Error(), "google: ") {
		t.Errorf("denied: err = %v", err)
	}
	noSecrets(t, err)
	// A wrong verifier (as if the code were stolen) is refused by the token endpoint.
	err = google.Login(context.Background(), p.clientJSON(), tokenPath, func(u string) error {
		if err := p.browser(t, nil)(u); err != nil {
			return err
		}
		p.mu.Lock()
		p.challenge = oauth2.S256ChallengeFromVerifier("another verifier")
		p.mu.Unlock()
		return nil
	})
	if err == nil || !strings.Contains(err.Error(), "code_verifier does not match") {
		t.Errorf("bad verifier: err = %v", err)
	}
	noSecrets(t, err)
	if _, err := os.Stat(tokenPath); !os.IsNotExist(err) {
		t.Errorf("a failed login wrote the token file (%v)", err)
	}
	// Bad client file, missing token file: no path and no secret shown.
	if err := google.Login(context.Background(), []byte(`{"web":{}}`), tokenPath, nil); err == nil || !strings.HasPrefix(err.Error(), "google: OAuth client file") {
		t.Errorf("bad client file: %v", err)
	}
	_, err = google.UserClient(context.Background(), p.clientJSON(), tokenPath)
	if err == nil || strings.Contains(err.Error(), dir) {
		t.Errorf("missing token: err = %v (must not show the path)", err)
	}
	// A cancelled login.
	ctx, cancel := context.WithCancel(context.Background())
	err = google.Login(ctx, p.clientJSON(), tokenPath, func(string) error { cancel(); return nil })
	if err == nil || !strings.Contains(err.Error(), "no answer") {
		t.Errorf("cancelled: %v", err)
	}
}

func TestServiceAccount(t *testing.T) {
	key, err := rsa.GenerateKey(cryptorand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	pemKey := string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)}))
	var mu sync.Mutex
	subjects := map[string]int{}
	tokSrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		jwtStr := r.PostForm.Get("assertion")
		parts := strings.Split(jwtStr, ".")
		if r.PostForm.Get("grant_type") != "urn:ietf:params:oauth:grant-type:jwt-bearer" || len(parts) != 3 {
			http.Error(w, `{"error":"invalid_request"}`, 400)
			return
		}
		sig, _ := base64.RawURLEncoding.DecodeString(parts[2])
		h := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
		if err := rsa.VerifyPKCS1v15(&key.PublicKey, crypto.SHA256, h[:], sig); err != nil {
			http.Error(w, `{"error":"invalid_grant"}`, 400)
			return
		}
		payload, _ := base64.RawURLEncoding.DecodeString(parts[1])
		var claims struct{ Iss, Sub, Scope string }
		json.Unmarshal(payload, &claims)
		if claims.Iss != "cadence@proj.iam.gserviceaccount.com" || claims.Scope != google.CalendarScope {
			http.Error(w, `{"error":"unauthorized_client"}`, 400)
			return
		}
		mu.Lock()
		subjects[claims.Sub]++
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"access_token":"tok-for-%s","token_type":"Bearer","expires_in":3600}`, claims.Sub)
	}))
	defer tokSrv.Close()
	keyJSON, _ := json.Marshal(map[string]string{
		"type": "service_account", "client_email": "cadence@proj.iam.gserviceaccount.com",
		"private_key": pemKey, "private_key_id": "k1", "token_uri": tokSrv.URL,
	})
	sa, err := google.NewServiceAccount(keyJSON)
	if err != nil {
		t.Fatal(err)
	}
	if sa.Email() != "cadence@proj.iam.gserviceaccount.com" {
		t.Errorf("Email = %q", sa.Email())
	}
	var auths []string
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		auths = append(auths, r.Header.Get("Authorization"))
		mu.Unlock()
	}))
	defer api.Close()
	get := sa.HTTPClient()
	for _, owner := range []string{"ana@example.com", "bo@example.com", "ana@example.com"} {
		c, err := get(context.Background(), google.Calendar{ID: owner, Owner: owner})
		if err != nil {
			t.Fatal(err)
		}
		resp, err := c.Get(api.URL)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	want := []string{"Bearer tok-for-ana@example.com", "Bearer tok-for-bo@example.com", "Bearer tok-for-ana@example.com"}
	if strings.Join(auths, ",") != strings.Join(want, ",") {
		t.Errorf("authorizations %v, want %v", auths, want)
	}
	if subjects["ana@example.com"] != 1 || subjects["bo@example.com"] != 1 {
		t.Errorf("token requests per subject %v, want one each (cached)", subjects)
	}

	// Bad keys: clear errors that never show the key.
	for name, js := range map[string]string{
		"not json":    `{`,
		"wrong type":  `{"type":"authorized_user","client_email":"x","private_key":"y"}`,
		"no email":    fmt.Sprintf(`{"type":"service_account","private_key":%q}`, pemKey),
		"garbage key": `{"type":"service_account","client_email":"x","private_key":"-----BEGIN PRIVATE KEY-----\nAAAASECRETAAAA\n-----END PRIVATE KEY-----\n"}`,
	} {
		_, err := google.NewServiceAccount([]byte(js))
		if err == nil || !strings.HasPrefix(err.Error(), "google: service account key") || strings.Contains(err.Error(), "SECRET") || strings.Contains(err.Error(), "BEGIN") {
			t.Errorf("%s: err = %v", name, err)
		}
	}
}
