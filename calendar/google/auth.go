package google

import (
	"context"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"golang.org/x/oauth2"
	googleoauth "golang.org/x/oauth2/google"
	"golang.org/x/oauth2/jwt"
	admin "google.golang.org/api/admin/directory/v1"
	calendarv3 "google.golang.org/api/calendar/v3"
)

// Scopes cadence asks for: read-only events, and read-only directory users.
const (
	CalendarScope  = calendarv3.CalendarEventsReadonlyScope
	DirectoryScope = admin.AdminDirectoryUserReadonlyScope
)

// Nothing here ever puts a key, token, client secret or secret file path
// into an error or a log line: errors say which credential failed and why
// in general terms.

// ReadSecretFile reads a key or token file; its error names what (e.g.
// "service account key") but not the path.
func ReadSecretFile(path, what string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return nil, fmt.Errorf("google: read %s: %w", what, err)
	}
	return b, nil
}

// ServiceAccount impersonates people of a Google Workspace domain through a
// service account with domain-wide delegation.
type ServiceAccount struct {
	cfg     *jwt.Config
	mu      sync.Mutex
	clients map[string]*http.Client
}

// NewServiceAccount parses a service account JSON key for scopes
// (default CalendarScope).
func NewServiceAccount(keyJSON []byte, scopes ...string) (*ServiceAccount, error) {
	if len(scopes) == 0 {
		scopes = []string{CalendarScope}
	}
	var probe struct {
		Type        string `json:"type"`
		ClientEmail string `json:"client_email"`
		PrivateKey  string `json:"private_key"`
	}
	if err := json.Unmarshal(keyJSON, &probe); err != nil {
		return nil, errors.New("google: service account key is not valid JSON")
	}
	if probe.Type != "service_account" {
		return nil, fmt.Errorf("google: service account key: \"type\" is %q, want \"service_account\"", probe.Type)
	}
	if probe.ClientEmail == "" {
		return nil, errors.New("google: service account key: no client_email")
	}
	if err := checkPrivateKey(probe.PrivateKey); err != nil {
		return nil, fmt.Errorf("google: service account key: private_key: %w", err)
	}
	cfg, err := googleoauth.JWTConfigFromJSON(keyJSON, scopes...)
	if err != nil {
		return nil, errors.New("google: service account key: not usable as a JWT key")
	}
	return &ServiceAccount{cfg: cfg, clients: map[string]*http.Client{}}, nil
}

func checkPrivateKey(s string) error {
	if s == "" {
		return errors.New("missing")
	}
	block, _ := pem.Decode([]byte(s))
	if block == nil {
		return errors.New("not PEM encoded")
	}
	if _, err := x509.ParsePKCS8PrivateKey(block.Bytes); err == nil {
		return nil
	}
	if _, err := x509.ParsePKCS1PrivateKey(block.Bytes); err == nil {
		return nil
	}
	return errors.New("neither a PKCS#8 nor a PKCS#1 RSA key")
}

// Email is the service account's client email.
func (sa *ServiceAccount) Email() string { return sa.cfg.Email }

// Client returns an HTTP client acting as subject (a person's email). Its
// token is cached and refreshed as needed; ctx governs token requests.
func (sa *ServiceAccount) Client(ctx context.Context, subject string) *http.Client {
	sa.mu.Lock()
	defer sa.mu.Unlock()
	if c, ok := sa.clients[subject]; ok {
		return c
	}
	cfg := *sa.cfg
	cfg.Subject = subject
	c := cfg.Client(ctx)
	sa.clients[subject] = c
	return c
}

// HTTPClient adapts the service account to Config.HTTPClient: each
// calendar is read as its owner (Calendar.Owner, else its ID). Token
// requests run under context.WithoutCancel(ctx), since clients are cached
// across cycles.
func (sa *ServiceAccount) HTTPClient() func(ctx context.Context, cal Calendar) (*http.Client, error) {
	return func(ctx context.Context, cal Calendar) (*http.Client, error) {
		subject := cal.Owner
		if subject == "" {
			subject = cal.ID
		}
		return sa.Client(context.WithoutCancel(ctx), subject), nil
	}
}

// Login runs the installed-app OAuth flow for one user: it listens on a
// loopback port (127.0.0.1, any free port), asks openURL to show the
// consent URL (with PKCE, S256), waits for Google's redirect, exchanges
// the code and saves the token to tokenPath with mode 0600 (written to a
// temporary file and renamed). clientConfigJSON is the OAuth client
// ("Desktop app") JSON downloaded from the Google Cloud console.
func Login(ctx context.Context, clientConfigJSON []byte, tokenPath string, openURL func(string) error) error {
	cfg, err := oauthConfig(clientConfigJSON)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("google: login: listen on loopback: %w", err)
	}
	cfg.RedirectURL = fmt.Sprintf("http://127.0.0.1:%d/", ln.Addr().(*net.TCPAddr).Port)
	state, err := randomString()
	if err != nil {
		ln.Close()
		return err
	}
	verifier := oauth2.GenerateVerifier()
	type answer struct{ code, err string }
	answers := make(chan answer, 1)
	srv := &http.Server{ReadHeaderTimeout: 10 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		if r.URL.Path != "/" || q.Get("state") != state {
			// Not our redirect (or a forged one): ignore it, keep waiting.
			http.Error(w, "cadence: unexpected request", http.StatusBadRequest)
			return
		}
		a := answer{code: q.Get("code"), err: q.Get("error")}
		if a.code == "" && a.err == "" {
			a.err = "no code in the redirect"
		}
		select {
		case answers <- a:
		default:
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		if a.err != "" {
			fmt.Fprintln(w, "cadence: Google sign-in failed; see the terminal.")
			return
		}
		fmt.Fprintln(w, "cadence: signed in. You can close this tab.")
	})}
	go srv.Serve(ln)
	defer srv.Close()

	authURL := cfg.AuthCodeURL(state, oauth2.AccessTypeOffline, oauth2.ApprovalForce, oauth2.S256ChallengeOption(verifier))
	if err := openURL(authURL); err != nil {
		return fmt.Errorf("google: login: open the consent page: %w", err)
	}
	var a answer
	select {
	case a = <-answers:
	case <-ctx.Done():
		return fmt.Errorf("google: login: no answer from the browser: %w", ctx.Err())
	}
	if a.err != "" {
		return fmt.Errorf("google: login: authorization failed: %s", sanitize(a.err))
	}
	tok, err := cfg.Exchange(ctx, a.code, oauth2.VerifierOption(verifier))
	if err != nil {
		return fmt.Errorf("google: login: token exchange failed: %s", exchangeError(err))
	}
	if tok.RefreshToken == "" {
		return errors.New("google: login: Google sent no refresh token (revoke cadence's access in your Google account and log in again)")
	}
	b, err := json.Marshal(tok)
	if err != nil {
		return fmt.Errorf("google: login: encode token: %w", err)
	}
	if err := writeSecretFile(tokenPath, b); err != nil {
		return fmt.Errorf("google: login: save token: %w", err)
	}
	return nil
}

// UserClient returns an HTTP client for the user whose token Login saved.
func UserClient(ctx context.Context, clientConfigJSON []byte, tokenPath string) (*http.Client, error) {
	cfg, err := oauthConfig(clientConfigJSON)
	if err != nil {
		return nil, err
	}
	b, err := ReadSecretFile(tokenPath, "OAuth token (run cadence auth google)")
	if err != nil {
		return nil, err
	}
	var tok oauth2.Token
	if err := json.Unmarshal(b, &tok); err != nil || tok.RefreshToken == "" {
		return nil, errors.New("google: OAuth token file is not a token saved by cadence auth google (log in again)")
	}
	return cfg.Client(ctx, &tok), nil
}

func oauthConfig(clientConfigJSON []byte) (*oauth2.Config, error) {
	cfg, err := googleoauth.ConfigFromJSON(clientConfigJSON, CalendarScope)
	if err != nil {
		return nil, errors.New("google: OAuth client file: want the \"installed\" (Desktop app) client JSON from the Google Cloud console with client_id, client_secret, auth_uri, token_uri and redirect_uris")
	}
	if cfg.ClientID == "" || cfg.Endpoint.AuthURL == "" || cfg.Endpoint.TokenURL == "" {
		return nil, errors.New("google: OAuth client file: client_id, auth_uri or token_uri missing")
	}
	return cfg, nil
}

func exchangeError(err error) string {
	var re *oauth2.RetrieveError
	if errors.As(err, &re) {
		s := re.ErrorCode
		if s == "" && re.Response != nil {
			s = re.Response.Status
		}
		if re.ErrorDescription != "" {
			s += ": " + re.ErrorDescription
		}
		return sanitize(s)
	}
	return "the token endpoint could not be reached"
}

// sanitize bounds text that came from the network before it goes into an
// error.
func sanitize(s string) string {
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, s)
	if len(s) > 200 {
		s = s[:200] + "..."
	}
	return s
}

func randomString() (string, error) {
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("google: random: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// writeSecretFile writes data to path with mode 0600, atomically. Its
// errors do not name the path.
func writeSecretFile(path string, data []byte) error {
	strip := func(err error) error {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			return fmt.Errorf("%s: %w", pe.Op, pe.Err)
		}
		var le *os.LinkError
		if errors.As(err, &le) {
			return fmt.Errorf("%s: %w", le.Op, le.Err)
		}
		return err
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return strip(err)
	}
	f, err := os.CreateTemp(dir, ".cadence-token-*")
	if err != nil {
		return strip(err)
	}
	tmp := f.Name()
	defer os.Remove(tmp)
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		return strip(err)
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return strip(err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return strip(err)
	}
	if err := f.Close(); err != nil {
		return strip(err)
	}
	return strip(os.Rename(tmp, path))
}
