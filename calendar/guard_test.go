package calendar

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// secretToken is in the path, the query and the user info of every feed
// URL of TestHostileFetchErrorsNeverShowTheURL.
const secretToken = "tok3n-5f1d2c9a"

// secretURL is a feed URL with the token everywhere a secret can be:
// user info (Google's basic auth), path (Google's private-<token>,
// Outlook's published-link token) and query.
func secretURL(host, what string) string {
	return fmt.Sprintf("http://user-%s:pw-%s@%s/private-%s/%s/basic.ics?key=%s", secretToken, secretToken, host, secretToken, what, secretToken)
}

// assertNoSecret checks err and every error it wraps.
func assertNoSecret(t *testing.T, what string, err error) {
	t.Helper()
	if err == nil {
		t.Errorf("%s: no error", what)
		return
	}
	for e := err; e != nil; e = errors.Unwrap(e) {
		for _, s := range []string{e.Error(), fmt.Sprintf("%+v", e)} {
			if strings.Contains(s, secretToken) || strings.Contains(s, "private-") || strings.Contains(s, "basic.ics") {
				t.Errorf("%s: error shows the feed URL: %s", what, s)
			}
		}
	}
}

// TestHostileFetchErrorsNeverShowTheURL: every way a fetch of a URL feed can fail
// names the feed and its host, and nothing of the URL's path, query or user
// info — also where Go's own errors would quote it.
func TestHostileFetchErrorsNeverShowTheURL(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		parts := strings.Split(r.URL.Path, "/")
		if len(parts) < 3 {
			http.NotFound(w, r)
			return
		}
		switch parts[2] {
		case "404":
			http.NotFound(w, r)
		case "500":
			http.Error(w, "internal error at "+r.URL.String(), http.StatusInternalServerError)
		case "big":
			w.Write([]byte(strings.Repeat("X", 500)))
		case "other-host":
			http.Redirect(w, r, "http://elsewhere.example/private-"+secretToken+"/basic.ics?key="+secretToken, http.StatusFound)
		case "bad-location":
			w.Header().Set("Location", "http://[::1%zz/private-"+secretToken)
			w.WriteHeader(http.StatusFound)
		case "loop":
			http.Redirect(w, r, r.URL.String(), http.StatusFound)
		case "not-modified":
			w.WriteHeader(http.StatusNotModified)
		default:
			w.Write([]byte(tinyICS))
		}
	}))
	defer srv.Close()
	host := strings.TrimPrefix(srv.URL, "http://")

	// A port nothing listens on.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := ln.Addr().String()
	ln.Close()

	// Name resolution that fails, without the network.
	dialResolver = &net.Resolver{PreferGo: true, Dial: func(context.Context, string, string) (net.Conn, error) {
		return nil, errors.New("no DNS in tests")
	}}
	defer func() { dialResolver = nil }()

	for _, tc := range []struct {
		what, url string
		opts      FetchOptions
		want      string
		is        error
	}{
		{"dns", secretURL("feed.example", "dns"), FetchOptions{}, "calendar: feed ana (feed.example): GET: ", nil},
		{"refused", secretURL(closed, "refused"), FetchOptions{}, "connection refused", nil},
		{"404", secretURL(host, "404"), FetchOptions{}, "calendar: feed ana (" + host + "): HTTP status 404 Not Found", ErrHTTPStatus},
		{"500", secretURL(host, "500"), FetchOptions{}, "calendar: feed ana (" + host + "): HTTP status 500 Internal Server Error", ErrHTTPStatus},
		{"timeout", secretURL(host, "ok"), FetchOptions{Timeout: time.Nanosecond}, "calendar: feed ana (" + host + "): GET: ", context.DeadlineExceeded},
		{"too large", secretURL(host, "big"), FetchOptions{MaxBytes: 100}, "calendar: feed ana (" + host + "): body of 500 bytes is larger than the 100-byte limit", ErrTooLarge},
		{"redirect refused", secretURL(host, "other-host"), FetchOptions{}, "calendar: feed ana (" + host + "): redirect to another host refused: " + host + " redirected to elsewhere.example", ErrRedirectRefused},
		{"bad Location", secretURL(host, "bad-location"), FetchOptions{}, "calendar: feed ana (" + host + "): GET: malformed Location header in a redirect", nil},
		{"redirect loop", secretURL(host, "loop"), FetchOptions{}, "calendar: feed ana (" + host + "): more than 5 redirects", ErrRedirectRefused},
		{"304 to nothing", secretURL(host, "not-modified"), FetchOptions{}, "HTTP status 304 Not Modified to a request without validators", ErrHTTPStatus},
		{"bad URL", "http://user-" + secretToken + "@" + host + "/private-" + secretToken + "/%zz", FetchOptions{}, "calendar: feed ana (" + host + "): url: want an absolute http(s) URL", nil},
	} {
		_, err := Fetch(context.Background(), ICSSource{Name: "ana", URL: tc.url}, tc.opts)
		assertNoSecret(t, tc.what, err)
		if err != nil && !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %q, want it to contain %q", tc.what, err, tc.want)
		}
		if tc.is != nil && !errors.Is(err, tc.is) {
			t.Errorf("%s: error %v is not %v", tc.what, err, tc.is)
		}
	}

	// The success path gives data, and the label shows the host only.
	src := ICSSource{Name: "ana", URL: secretURL(host, "ok")}
	if res, err := Fetch(context.Background(), src, FetchOptions{}); err != nil || string(res.Data) != tinyICS {
		t.Errorf("good fetch: %v", err)
	}
	if got := src.Label(); got != "feed ana ("+host+")" {
		t.Errorf("Label() = %q", got)
	}
}

// redirectServer serves /start (a redirect to target+"/target") and
// /target (the feed, answered with 418 when status is set: a refused
// redirect must not show it). It counts /target's requests and keeps their
// Referer.
type redirectServer struct {
	*httptest.Server
	target  atomic.Value // string: where /start redirects
	hits    atomic.Int32
	referer atomic.Value // string
	status  int
}

func newRedirectServer(t *testing.T, listen string) *redirectServer {
	t.Helper()
	rs := &redirectServer{}
	rs.Server = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case strings.HasSuffix(r.URL.Path, "/start"):
			http.Redirect(w, r, rs.target.Load().(string)+"/target?key="+secretToken, http.StatusFound)
		case r.URL.Path == "/target":
			rs.hits.Add(1)
			rs.referer.Store(r.Header.Get("Referer"))
			if rs.status != 0 {
				w.WriteHeader(rs.status)
				return
			}
			w.Write([]byte(tinyICS))
		default:
			http.NotFound(w, r)
		}
	}))
	if listen != "" {
		ln, err := net.Listen("tcp", listen)
		if err != nil {
			t.Skipf("cannot listen on %s: %v", listen, err)
		}
		rs.Listener.Close()
		rs.Listener = ln
	}
	rs.Start()
	t.Cleanup(rs.Close)
	return rs
}

func (rs *redirectServer) port() string {
	_, p, _ := net.SplitHostPort(rs.Listener.Addr().String())
	return p
}

// TestHostileFetchRedirectRules: redirects stay on the feed's host unless the
// host is allowed, carry no Referer, stop after MaxRedirects, and never
// reach a non-public address from a public feed — checked at dial time, on
// the address the name resolved to.
func TestHostileFetchRedirectRules(t *testing.T) {
	ctx := context.Background()
	rs := newRedirectServer(t, "")
	port := rs.port()
	feed := ICSSource{Name: "ana", URL: "http://127.0.0.1:" + port + "/private-" + secretToken + "/start?key=" + secretToken}

	// Same host: followed, without a Referer.
	rs.target.Store("http://127.0.0.1:" + port)
	res, err := Fetch(ctx, feed, FetchOptions{})
	if err != nil || string(res.Data) != tinyICS || rs.hits.Load() != 1 {
		t.Fatalf("same-host redirect: %v, %d hits", err, rs.hits.Load())
	}
	if ref := rs.referer.Load().(string); ref != "" {
		t.Errorf("redirected request carried Referer %q", ref)
	}

	// Another host (localhost is not 127.0.0.1 by name): refused before
	// any request to it, whatever it would answer.
	rs.status = http.StatusTeapot
	rs.target.Store("http://localhost:" + port)
	_, err = Fetch(ctx, feed, FetchOptions{})
	want := "calendar: feed ana (127.0.0.1:" + port + "): redirect to another host refused: 127.0.0.1:" + port + " redirected to localhost:" + port
	if err == nil || !strings.HasPrefix(err.Error(), want) || !errors.Is(err, ErrRedirectRefused) || strings.Contains(err.Error(), "status 418") || strings.Contains(err.Error(), "Teapot") || rs.hits.Load() != 1 {
		t.Errorf("cross-host redirect: %v (%d hits), want %q", err, rs.hits.Load(), want)
	}
	assertNoSecret(t, "cross-host redirect", err)

	// Allowed by name: followed. The feed's own host is loopback, so a
	// loopback target is fine; the target's status is the feed's error.
	_, err = Fetch(ctx, feed, FetchOptions{RedirectHosts: []string{"LocalHost"}})
	if err == nil || !strings.Contains(err.Error(), "HTTP status 418") || rs.hits.Load() != 2 {
		t.Errorf("allowed redirect: %v (%d hits)", err, rs.hits.Load())
	}
	rs.status = 0

	// Another port of the same host: refused.
	other := newRedirectServer(t, "")
	rs.target.Store("http://127.0.0.1:" + other.port())
	if _, err = Fetch(ctx, feed, FetchOptions{}); !errors.Is(err, ErrRedirectRefused) || other.hits.Load() != 0 {
		t.Errorf("redirect to another port: %v", err)
	}

	// Too many: a loop on the feed's own host stops after MaxRedirects.
	rs.target.Store("http://127.0.0.1:" + port + "/start?again=")
	var n atomic.Int32
	loop := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		http.Redirect(w, r, "/again", http.StatusFound)
	}))
	defer loop.Close()
	_, err = Fetch(ctx, ICSSource{Name: "loop", URL: loop.URL + "/x"}, FetchOptions{})
	if !errors.Is(err, ErrRedirectRefused) || n.Load() != MaxRedirects+1 {
		t.Errorf("redirect loop: %v after %d requests, want %d", err, n.Load(), MaxRedirects+1)
	}
}

// TestHostileFetchRedirectToPrivateAddress: a feed on a public address (here
// 127.0.0.2, declared public for the test) is never redirected to a
// non-public one — neither by name (localhost resolves to 127.0.0.1 when
// dialled) nor by an address in the URL — even when the host is allowed.
func TestHostileFetchRedirectToPrivateAddress(t *testing.T) {
	public := netip.MustParseAddr("127.0.0.2")
	isPublic = func(a netip.Addr) bool { return a.Unmap() == public }
	defer func() { isPublic = publicAddr }()
	rs := newRedirectServer(t, "127.0.0.2:0")
	port := rs.port()
	feed := ICSSource{Name: "ana", URL: "http://127.0.0.2:" + port + "/start"}
	allow := FetchOptions{RedirectHosts: []string{"localhost", "127.0.0.1"}}

	rs.target.Store("http://localhost:" + port)
	_, err := Fetch(context.Background(), feed, allow)
	want := "calendar: feed ana (127.0.0.2:" + port + "): redirect to localhost refused: it resolves to a loopback, private, link-local or unspecified address"
	if err == nil || !strings.HasPrefix(err.Error(), want) || !errors.Is(err, ErrRedirectRefused) {
		t.Errorf("redirect to a name of a private address: %v, want %q", err, want)
	}
	rs.target.Store("http://127.0.0.1:" + port)
	if _, err := Fetch(context.Background(), feed, allow); !errors.Is(err, ErrRedirectRefused) || !strings.Contains(err.Error(), "redirect to 127.0.0.1:"+port+" refused") {
		t.Errorf("redirect to a private address: %v", err)
	}
	// The feed's own host: its address is whatever it is.
	rs.target.Store("http://127.0.0.2:" + port)
	if _, err := Fetch(context.Background(), feed, allow); err != nil {
		t.Errorf("redirect on the feed's own public host: %v", err)
	}
	if rs.hits.Load() != 1 {
		t.Errorf("target reached %d times, want once", rs.hits.Load())
	}
}

func TestRedirectHostRules(t *testing.T) {
	feed, _ := url.Parse("https://calendar.example.com/ana.ics")
	g := newGuard(feed, []string{"*.cdn.example", "Files.Example.org"})
	for _, tc := range []struct {
		to string
		ok bool
	}{
		{"https://calendar.example.com/x", true},
		{"https://CALENDAR.example.com:443/x", true},
		{"https://calendar.example.com:8443/x", false},
		{"https://eu.cdn.example/x", true},
		{"https://cdn.example/x", false},
		{"https://evilcdn.example/x", false},
		{"https://files.example.org/x", true},
		{"https://example.com/x", false},
		{"http://calendar.example.com/x", false}, // downgrade
	} {
		to, _ := url.Parse(tc.to)
		req := &http.Request{URL: to, Header: http.Header{"Referer": {feed.String()}}}
		err := g.checkRedirect(req, []*http.Request{{URL: feed}})
		if (err == nil) != tc.ok {
			t.Errorf("redirect to %s: %v, want allowed %v", tc.to, err, tc.ok)
		}
		if req.Header.Get("Referer") != "" {
			t.Errorf("redirect to %s keeps the Referer", tc.to)
		}
	}
}

func TestPublicAddr(t *testing.T) {
	for a, want := range map[string]bool{
		"8.8.8.8": true, "2001:4860:4860::8888": true, "93.184.216.34": true,
		"127.0.0.1": false, "::1": false, "10.1.2.3": false, "172.16.0.1": false, "192.168.1.1": false,
		"169.254.169.254": false, "fe80::1": false, "0.0.0.0": false, "::": false, "100.64.0.1": false,
		"fd00::1": false, "::ffff:127.0.0.1": false, "::ffff:10.0.0.1": false, "64:ff9b::a00:1": false, "224.0.0.1": false,
		"255.255.255.255": false,
	} {
		if got := publicAddr(netip.MustParseAddr(a)); got != want {
			t.Errorf("publicAddr(%s) = %v, want %v", a, got, want)
		}
	}
}
