package microsoft

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
)

// TokenURL is the Microsoft identity platform's token endpoint of a
// tenant (its id or a verified domain).
func TokenURL(tenant string) string {
	return "https://login.microsoftonline.com/" + url.PathEscape(tenant) + "/oauth2/v2.0/token"
}

// Scope is the client-credentials scope for a Graph endpoint: its origin
// with "/.default" (https://graph.microsoft.com/.default), which grants
// the application permissions an administrator consented to.
func Scope(endpoint string) string {
	if endpoint == "" {
		endpoint = DefaultEndpoint
	}
	u, err := url.Parse(endpoint)
	if err != nil || u.Host == "" {
		return "https://graph.microsoft.com/.default"
	}
	return u.Scheme + "://" + u.Host + "/.default"
}

// Credentials are an app registration's client credentials: a client
// secret, or a certificate (its private key signs a client assertion).
// They are never logged or shown in an error.
type Credentials struct {
	TokenURL string
	ClientID string
	Scope    string
	// ClientSecret, or Certificate and Key.
	ClientSecret string
	Certificate  *x509.Certificate
	Key          *rsa.PrivateKey
	// Now is the clock of the assertion's validity (nil = time.Now).
	Now func() time.Time
}

// Client returns an HTTP client that sends a bearer token from the
// client-credentials grant, fetched on first use and renewed before it
// expires. Token requests use their own 30-second timeout.
func (c Credentials) Client() (*http.Client, error) {
	if c.TokenURL == "" || c.ClientID == "" {
		return nil, errors.New("microsoft: credentials: token URL and client id are required")
	}
	if c.Scope == "" {
		c.Scope = Scope("")
	}
	ctx := context.WithValue(context.Background(), oauth2.HTTPClient, &http.Client{Timeout: 30 * time.Second})
	switch {
	case c.ClientSecret != "" && c.Certificate != nil:
		return nil, errors.New("microsoft: credentials: both a client secret and a certificate (want one)")
	case c.ClientSecret != "":
		cc := clientcredentials.Config{ClientID: c.ClientID, ClientSecret: c.ClientSecret, TokenURL: c.TokenURL,
			Scopes: []string{c.Scope}, AuthStyle: oauth2.AuthStyleInParams}
		return cc.Client(ctx), nil
	case c.Certificate != nil && c.Key != nil:
		src := &assertionSource{ctx: ctx, c: c}
		return oauth2.NewClient(ctx, oauth2.ReuseTokenSource(nil, src)), nil
	}
	return nil, errors.New("microsoft: credentials: no client secret and no certificate with its private key")
}

// assertionSource gets tokens with a fresh signed client assertion each
// time (RFC 7523; x5t is the certificate's SHA-1 thumbprint, x5t#S256 its
// SHA-256 one, as the identity platform asks).
type assertionSource struct {
	ctx context.Context
	c   Credentials
}

func (a *assertionSource) Token() (*oauth2.Token, error) {
	jwt, err := a.c.assertion()
	if err != nil {
		return nil, err
	}
	cc := clientcredentials.Config{ClientID: a.c.ClientID, TokenURL: a.c.TokenURL, Scopes: []string{a.c.Scope},
		AuthStyle: oauth2.AuthStyleInParams, EndpointParams: url.Values{
			"client_assertion_type": {"urn:ietf:params:oauth:client-assertion-type:jwt-bearer"},
			"client_assertion":      {jwt},
		}}
	return cc.Token(a.ctx)
}

func (c Credentials) assertion() (string, error) {
	now := time.Now
	if c.Now != nil {
		now = c.Now
	}
	t := now()
	sha1sum := sha1.Sum(c.Certificate.Raw)
	sha256sum := sha256.Sum256(c.Certificate.Raw)
	header := map[string]string{"alg": "RS256", "typ": "JWT",
		"x5t": base64.RawURLEncoding.EncodeToString(sha1sum[:]), "x5t#S256": base64.RawURLEncoding.EncodeToString(sha256sum[:])}
	jti := make([]byte, 16)
	if _, err := rand.Read(jti); err != nil {
		return "", fmt.Errorf("microsoft: client assertion: %w", err)
	}
	claims := map[string]any{"aud": c.TokenURL, "iss": c.ClientID, "sub": c.ClientID, "jti": hex.EncodeToString(jti),
		"nbf": t.Add(-time.Minute).Unix(), "iat": t.Unix(), "exp": t.Add(10 * time.Minute).Unix()}
	enc := func(v any) (string, error) {
		b, err := json.Marshal(v)
		return base64.RawURLEncoding.EncodeToString(b), err
	}
	h, err := enc(header)
	if err != nil {
		return "", err
	}
	p, err := enc(claims)
	if err != nil {
		return "", err
	}
	digest := sha256.Sum256([]byte(h + "." + p))
	sig, err := rsa.SignPKCS1v15(rand.Reader, c.Key, crypto.SHA256, digest[:])
	if err != nil {
		return "", fmt.Errorf("microsoft: client assertion: sign: %w", err)
	}
	return h + "." + p + "." + base64.RawURLEncoding.EncodeToString(sig), nil
}

// ParseCertificate reads a PEM certificate and its RSA private key
// (PKCS #1 or PKCS #8) from one or two PEM documents (a key file beside a
// certificate file, or both in one). Errors never quote the PEM.
func ParseCertificate(certPEM, keyPEM []byte) (*x509.Certificate, *rsa.PrivateKey, error) {
	var cert *x509.Certificate
	var key *rsa.PrivateKey
	for _, data := range [][]byte{certPEM, keyPEM} {
		for {
			var b *pem.Block
			b, data = pem.Decode(data)
			if b == nil {
				break
			}
			switch {
			case b.Type == "CERTIFICATE" && cert == nil:
				c, err := x509.ParseCertificate(b.Bytes)
				if err != nil {
					return nil, nil, fmt.Errorf("microsoft: certificate: %w", err)
				}
				cert = c
			case b.Type == "RSA PRIVATE KEY" && key == nil:
				k, err := x509.ParsePKCS1PrivateKey(b.Bytes)
				if err != nil {
					return nil, nil, errors.New("microsoft: certificate: the RSA private key does not parse")
				}
				key = k
			case b.Type == "PRIVATE KEY" && key == nil:
				k, err := x509.ParsePKCS8PrivateKey(b.Bytes)
				if err != nil {
					return nil, nil, errors.New("microsoft: certificate: the PKCS #8 private key does not parse")
				}
				rk, ok := k.(*rsa.PrivateKey)
				if !ok {
					return nil, nil, errors.New("microsoft: certificate: the private key is not RSA (the identity platform signs assertions with RS256)")
				}
				key = rk
			}
		}
	}
	switch {
	case cert == nil:
		return nil, nil, errors.New("microsoft: certificate: no PEM CERTIFICATE block")
	case key == nil:
		return nil, nil, errors.New("microsoft: certificate: no PEM private key (RSA PRIVATE KEY or PRIVATE KEY)")
	}
	pub, ok := cert.PublicKey.(*rsa.PublicKey)
	if !ok || pub.N.Cmp(key.N) != 0 {
		return nil, nil, errors.New("microsoft: certificate: the private key does not belong to the certificate")
	}
	return cert, key, nil
}

// ReadSecretFile reads a secret, certificate or key file; its error names
// what (e.g. "client secret") and why, never the contents or the path. A
// client secret's surrounding white space is not part of it.
func ReadSecretFile(path, what string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return nil, fmt.Errorf("microsoft: read %s: %w", what, err)
	}
	return b, nil
}

// TrimSecret is a secret file's or variable's content without the
// surrounding white space (a trailing newline is not part of it).
func TrimSecret(b []byte) string { return strings.TrimSpace(string(b)) }
