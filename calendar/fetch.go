package calendar

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"
)

// ICSSource is one ICS feed: a file path or an http(s) URL, and whose
// calendar it is.
type ICSSource struct {
	Name, Owner string
	Path        string // or
	URL         string
	Zone        *time.Location
}

// Label names the feed in errors and logs: "feed NAME", and for a URL feed
// "feed NAME (HOST)". A feed URL is never shown whole: Google's secret
// address and Outlook's published links carry their secret in the path,
// other services in the query or the user info.
func (s ICSSource) Label() string {
	if s.URL != "" {
		if h := URLHost(s.URL); h != "" {
			return "feed " + s.Name + " (" + h + ")"
		}
	}
	return "feed " + s.Name
}

// URLHost returns the host of a URL, with its port when it names one and
// without user info; "" when there is none. It is the only part of a feed
// URL cadence shows.
func URLHost(raw string) string {
	if u, err := url.Parse(raw); err == nil {
		return u.Host
	}
	i := strings.Index(raw, "://")
	if i < 0 {
		return ""
	}
	rest := raw[i+3:]
	if j := strings.IndexAny(rest, "/?#"); j >= 0 {
		rest = rest[:j]
	}
	if j := strings.LastIndexByte(rest, '@'); j >= 0 {
		rest = rest[j+1:]
	}
	return rest
}

// Validators are the cache validators of a fetched feed.
type Validators struct{ ETag, LastModified string }

// FetchOptions bound a fetch.
type FetchOptions struct {
	Timeout  time.Duration // whole request, body included; 0 = none beyond ctx
	MaxBytes int64         // body size limit; 0 = DefaultMaxBytes
	// Previous are the validators of the caller's copy of the feed, nil
	// when it has none. Non-empty ones make the request conditional, and a
	// 304 Not Modified is then NotModified; empty ones ask for the whole
	// feed. Without a copy (nil) a 304 is an error (ErrHTTPStatus): there
	// is nothing to reuse, and it is not an empty feed.
	Previous *Validators
	// RedirectHosts are the hosts a URL feed may be redirected to besides
	// its own ("calendar.example.com", or "*.example.com" for every
	// subdomain). See Fetch for the other redirect rules.
	RedirectHosts []string
}

// MaxRedirects is how many redirects a fetch follows.
const MaxRedirects = 5

// DefaultMaxBytes is the feed size limit when FetchOptions.MaxBytes is 0.
const DefaultMaxBytes = 64 << 20

// FetchResult is what a fetch returned.
type FetchResult struct {
	Data        []byte // nil when NotModified
	NotModified bool
	Validators  Validators
}

// Fetch reads an ICS source. For URLs it sends If-None-Match /
// If-Modified-Since from opts.Previous and reports a 304 as NotModified;
// for files the modification time plays the part of Last-Modified.
//
// Errors name the feed with Label: a URL appears as its host only, never
// with its path, query or user info (which often hold a secret token).
//
// Redirects: at most MaxRedirects, never to another host than the feed's
// own unless opts.RedirectHosts lists it (and then on the feed's port or
// the scheme's default port), never from https to http, never with a
// Referer, and never to a loopback, private,
// link-local or unspecified address unless the feed's own host resolves
// to one (an intranet feed). The address is checked when each connection
// is dialled, so a name that resolves differently later (DNS rebinding)
// is caught too (behind a proxy from the environment, which resolves names
// itself, only addresses written in a redirect's URL are checked). A
// refused redirect is an ErrRedirectRefused error that names the hosts
// only: nothing of the target's answer.
func Fetch(ctx context.Context, src ICSSource, opts FetchOptions) (*FetchResult, error) {
	limit := opts.MaxBytes
	if limit <= 0 {
		limit = DefaultMaxBytes
	}
	switch {
	case src.Path != "" && src.URL != "":
		return nil, fmt.Errorf("calendar: feed %s: both path and url are set; use one", src.Name)
	case src.Path != "":
		return fetchFile(src, limit, opts.Previous)
	case src.URL != "":
		return fetchURL(ctx, src, opts, limit)
	}
	return nil, fmt.Errorf("calendar: feed %s: neither path nor url is set", src.Name)
}

func fetchFile(src ICSSource, limit int64, prev *Validators) (*FetchResult, error) {
	f, err := os.Open(src.Path)
	if err != nil {
		return nil, fmt.Errorf("calendar: feed %s: %w", src.Name, err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("calendar: feed %s: %w", src.Name, err)
	}
	if st.IsDir() {
		return nil, fmt.Errorf("calendar: feed %s: %s is a directory, not an ICS file", src.Name, src.Path)
	}
	v := Validators{LastModified: st.ModTime().UTC().Format(time.RFC3339Nano) + fmt.Sprintf(" size=%d", st.Size())}
	if prev != nil && prev.LastModified == v.LastModified {
		return &FetchResult{NotModified: true, Validators: v}, nil
	}
	data, err := readLimited(f, limit)
	if err != nil {
		return nil, fmt.Errorf("calendar: feed %s: %s: %w", src.Name, src.Path, err)
	}
	return &FetchResult{Data: data, Validators: v}, nil
}

func readLimited(r io.Reader, limit int64) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, &classified{fmt.Sprintf("larger than the %d-byte limit (max_bytes)", limit), ErrTooLarge}
	}
	return data, nil
}

func fetchURL(ctx context.Context, src ICSSource, opts FetchOptions, limit int64) (*FetchResult, error) {
	label := src.Label()
	u, err := url.Parse(src.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("calendar: %s: url: want an absolute http(s) URL", label)
	}
	if opts.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, opts.Timeout)
		defer cancel()
	}
	g := newGuard(u, opts.RedirectHosts)
	tr := g.transport()
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, CheckRedirect: g.checkRedirect}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, src.URL, nil)
	if err != nil {
		return nil, g.wrap(label, err)
	}
	req.Header.Set("Accept", "text/calendar, */*;q=0.5")
	if p := opts.Previous; p != nil {
		if p.ETag != "" {
			req.Header.Set("If-None-Match", p.ETag)
		}
		if p.LastModified != "" {
			req.Header.Set("If-Modified-Since", p.LastModified)
		}
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, g.wrap(label, err)
	}
	defer resp.Body.Close()
	v := Validators{ETag: resp.Header.Get("ETag"), LastModified: resp.Header.Get("Last-Modified")}
	if resp.StatusCode == http.StatusNotModified {
		if opts.Previous == nil {
			// Nothing to reuse: this is not an empty feed.
			return nil, &classified{fmt.Sprintf("calendar: %s: HTTP status 304 Not Modified to a request without validators, and no earlier copy to reuse", label), ErrHTTPStatus}
		}
		if v.ETag == "" {
			v.ETag = opts.Previous.ETag
		}
		if v.LastModified == "" {
			v.LastModified = opts.Previous.LastModified
		}
		return &FetchResult{NotModified: true, Validators: v}, nil
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		// The code and its standard text: the reason phrase is the
		// server's to choose.
		return nil, &classified{fmt.Sprintf("calendar: %s: HTTP status %d %s", label, resp.StatusCode, http.StatusText(resp.StatusCode)), ErrHTTPStatus}
	}
	if resp.ContentLength > limit {
		return nil, &classified{fmt.Sprintf("calendar: %s: body of %d bytes is larger than the %d-byte limit (max_bytes)", label, resp.ContentLength, limit), ErrTooLarge}
	}
	data, err := readLimited(resp.Body, limit)
	if errors.Is(err, ErrTooLarge) {
		return nil, &classified{fmt.Sprintf("calendar: %s: %v", label, err), ErrTooLarge}
	}
	if err != nil {
		return nil, g.wrap(label, err)
	}
	return &FetchResult{Data: data, Validators: v}, nil
}

// classified is an error with its own text that errors.Is matches
// against a sentinel (ErrTooLarge, ErrHTTPStatus).
type classified struct {
	msg      string
	sentinel error
}

func (e *classified) Error() string { return e.msg }
func (e *classified) Unwrap() error { return e.sentinel }
