package calendar

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// guard enforces Fetch's redirect and address rules for one fetch of a URL
// feed, and keeps every URL of the fetch out of its errors.
type guard struct {
	feed    *url.URL
	host    string   // the feed's host name, lower case
	allowed []string // RedirectHosts, lower case

	// private is set once the feed's own host was dialled at a
	// non-public address: redirect targets may then be private too.
	private atomic.Bool

	mu      sync.Mutex
	seen    []*url.URL      // the feed URL and every redirect target
	proxies map[string]bool // proxy hosts (from the environment) dialled
}

// Test hooks: which addresses count as public, and the resolver of dials
// (nil = the system's).
var (
	isPublic     = publicAddr
	dialResolver *net.Resolver
)

func newGuard(feed *url.URL, allowed []string) *guard {
	g := &guard{feed: feed, host: strings.ToLower(feed.Hostname()), seen: []*url.URL{feed}, proxies: map[string]bool{}}
	for _, h := range allowed {
		g.allowed = append(g.allowed, strings.ToLower(strings.TrimSpace(h)))
	}
	return g
}

// transport is a fresh transport for one fetch (its connections are
// closed after it): the environment's proxy settings, as
// http.DefaultTransport, and every dialled address checked by control.
func (g *guard) transport() *http.Transport {
	d := &net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second, Resolver: dialResolver, ControlContext: g.control}
	return &http.Transport{
		Proxy: func(r *http.Request) (*url.URL, error) {
			p, err := http.ProxyFromEnvironment(r)
			if p != nil {
				g.mu.Lock()
				g.proxies[strings.ToLower(p.Hostname())] = true
				g.mu.Unlock()
			}
			return p, err
		},
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			host, _, err := net.SplitHostPort(addr)
			if err != nil {
				host = addr
			}
			return d.DialContext(context.WithValue(ctx, dialHostKey{}, strings.ToLower(host)), network, addr)
		},
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          4,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ExpectContinueTimeout: 1 * time.Second,
	}
}

type dialHostKey struct{}

// control runs for every connection, after the name was resolved and
// before it connects: a non-public address is refused unless it is the
// feed's own host (or the proxy), or the feed's own host is itself at a
// non-public address.
func (g *guard) control(ctx context.Context, _, address string, _ syscall.RawConn) error {
	host, _ := ctx.Value(dialHostKey{}).(string)
	ap, err := netip.ParseAddrPort(address)
	if err == nil && isPublic(ap.Addr()) {
		return nil
	}
	g.mu.Lock()
	proxy := g.proxies[host]
	g.mu.Unlock()
	switch {
	case host == g.host:
		if err == nil {
			g.private.Store(true)
		}
		return nil
	case proxy, g.private.Load():
		return nil
	}
	return &refusal{fmt.Sprintf("redirect to %s refused: it resolves to a loopback, private, link-local or unspecified address (the feed's own host does not)", host)}
}

// checkRedirect is the client's CheckRedirect.
func (g *guard) checkRedirect(req *http.Request, via []*http.Request) error {
	// Go sets the Referer (the previous URL, its secret included) before
	// asking.
	req.Header.Del("Referer")
	from, to := via[len(via)-1].URL, req.URL
	g.mu.Lock()
	g.seen = append(g.seen, to)
	g.mu.Unlock()
	if len(via) > MaxRedirects {
		return &refusal{fmt.Sprintf("more than %d redirects", MaxRedirects)}
	}
	if from.Scheme == "https" && to.Scheme != "https" {
		return &refusal{fmt.Sprintf("redirect from https to %s refused (%s redirected to %s)", to.Scheme, from.Host, to.Host)}
	}
	if !g.hostAllowed(to) {
		return &refusal{fmt.Sprintf("redirect to another host refused: %s redirected to %s (list the host in sources.http.redirect_hosts to allow it)", from.Host, to.Host)}
	}
	// An address written in the URL is refused here already (behind a
	// proxy no dial would see it).
	if a, err := netip.ParseAddr(strings.Trim(to.Hostname(), "[]")); err == nil && !isPublic(a) &&
		strings.ToLower(to.Hostname()) != g.host && !g.private.Load() {
		return &refusal{fmt.Sprintf("redirect to %s refused: a loopback, private, link-local or unspecified address (the feed's own host is not)", to.Host)}
	}
	return nil
}

// hostAllowed: the feed's own host or a listed one, on the feed's port or
// the default port of the target's scheme.
func (g *guard) hostAllowed(to *url.URL) bool {
	port := effectivePort(to)
	if port != effectivePort(g.feed) && port != defaultPort(to.Scheme) {
		return false
	}
	h := strings.ToLower(to.Hostname())
	if h == g.host {
		return true
	}
	for _, a := range g.allowed {
		if a == h || (strings.HasPrefix(a, "*.") && strings.HasSuffix(h, a[1:])) {
			return true
		}
	}
	return false
}

func defaultPort(scheme string) string {
	if scheme == "https" {
		return "443"
	}
	return "80"
}

func effectivePort(u *url.URL) string {
	if p := u.Port(); p != "" {
		return p
	}
	return defaultPort(u.Scheme)
}

// nonPublic are the prefixes publicAddr refuses beyond those the netip
// predicates name.
var nonPublic = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),     // "this network"
	netip.MustParsePrefix("100.64.0.0/10"), // carrier-grade NAT
	netip.MustParsePrefix("192.0.0.0/24"),  // IETF protocol assignments
	netip.MustParsePrefix("198.18.0.0/15"), // benchmarking
	netip.MustParsePrefix("240.0.0.0/4"),   // reserved, broadcast
	netip.MustParsePrefix("64:ff9b::/96"),  // NAT64: may embed any IPv4 address
	netip.MustParsePrefix("64:ff9b:1::/48"),
}

// publicAddr reports whether a is a public unicast address: not loopback,
// private, link-local (cloud metadata services live there), unspecified,
// multicast or otherwise reserved.
func publicAddr(a netip.Addr) bool {
	a = a.Unmap()
	if !a.IsValid() || a.IsLoopback() || a.IsPrivate() || a.IsLinkLocalUnicast() || a.IsLinkLocalMulticast() ||
		a.IsInterfaceLocalMulticast() || a.IsMulticast() || a.IsUnspecified() {
		return false
	}
	for _, p := range nonPublic {
		if p.Contains(a) {
			return false
		}
	}
	return true
}

// refusal is a redirect or address Fetch refused; its text names hosts
// only.
type refusal struct{ msg string }

func (r *refusal) Error() string { return r.msg }

// fetchError is a failed request. Its text is the cleaned message; it
// unwraps only to context.DeadlineExceeded or context.Canceled (never to
// Go's own errors, whose text may quote a URL) and tells whether it was a
// timeout (net.Error).
type fetchError struct {
	msg     string
	cause   error
	timeout bool
}

func (e *fetchError) Error() string   { return e.msg }
func (e *fetchError) Unwrap() error   { return e.cause }
func (e *fetchError) Timeout() bool   { return e.timeout }
func (e *fetchError) Temporary() bool { return false }

// wrap turns a request error into the feed's error.
func (g *guard) wrap(label string, err error) error {
	var r *refusal
	if errors.As(err, &r) {
		// Host names only, but a server could write anything there.
		return &classified{"calendar: " + label + ": " + g.cut(r.msg), ErrRedirectRefused}
	}
	fe := &fetchError{msg: "calendar: " + label + ": GET: " + g.clean(err)}
	var ne net.Error
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		fe.cause, fe.timeout = context.DeadlineExceeded, true
	case errors.Is(err, context.Canceled):
		fe.cause = context.Canceled
	case errors.As(err, &ne) && ne.Timeout():
		fe.timeout = true
	}
	return fe
}

// urlInText matches a URL written in an error's text.
var urlInText = regexp.MustCompile(`[A-Za-z][A-Za-z0-9+.-]*://[^\s"'<>]*`)

// clean is err's text without any URL of the fetch: a URL in the text
// becomes its host, and whatever remains of a path, query or user info of
// a URL seen (Go's errors quote a bad Location header) is cut out.
func (g *guard) clean(err error) string {
	msg := scrub(err).Error()
	if strings.Contains(msg, "Location header") {
		return "malformed Location header in a redirect"
	}
	msg = urlInText.ReplaceAllStringFunc(msg, func(s string) string {
		if h := URLHost(s); h != "" {
			return h
		}
		return "(a URL)"
	})
	return g.cut(msg)
}

// cut removes from msg every part of a URL of the fetch that may hold a
// secret.
func (g *guard) cut(msg string) string {
	g.mu.Lock()
	seen := append([]*url.URL(nil), g.seen...)
	g.mu.Unlock()
	for _, u := range seen {
		for _, part := range secretParts(u) {
			msg = strings.ReplaceAll(msg, part, "(redacted)")
		}
	}
	return msg
}

// secretParts are the parts of u that may hold a secret, longest first,
// leaving out those too short to be one (and to cut safely).
func secretParts(u *url.URL) []string {
	var parts []string
	add := func(s string) {
		if len(s) >= 4 {
			parts = append(parts, s)
		}
	}
	add(u.String())
	add(u.EscapedPath())
	add(u.Path)
	add(u.RawQuery)
	add(u.Fragment)
	add(u.Opaque)
	if u.User != nil {
		add(u.User.String())
		add(u.User.Username())
		if p, ok := u.User.Password(); ok {
			add(p)
		}
	}
	sort.Slice(parts, func(i, j int) bool { return len(parts[i]) > len(parts[j]) })
	return parts
}

// scrub drops the *url.Error wrapper, whose text repeats the full URL.
func scrub(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}
