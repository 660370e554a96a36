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

// Validators are the cache validators of a fetched feed.
type Validators struct{ ETag, LastModified string }

// FetchOptions bound a fetch.
type FetchOptions struct {
	Client   *http.Client  // nil = default with Timeout
	Timeout  time.Duration // whole request, body included; 0 = none beyond ctx
	MaxBytes int64         // body size limit; 0 = DefaultMaxBytes
	Previous *Validators   // conditional request when set
}

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
// for files the modification time plays the part of Last-Modified. Errors
// name the feed; URLs in errors have their query (often a secret token)
// and password redacted.
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

// redactURL hides the query and any password of a feed URL.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		if i := strings.IndexAny(raw, "?#"); i >= 0 {
			raw = raw[:i] + "?REDACTED"
		}
		if i := strings.Index(raw, "://"); i >= 0 {
			if j := strings.LastIndex(raw[i+3:], "@"); j >= 0 {
				raw = raw[:i+3] + "REDACTED" + raw[i+3+j:]
			}
		}
		return raw
	}
	if u.RawQuery != "" || u.ForceQuery {
		u.RawQuery = "REDACTED"
	}
	u.Fragment = ""
	return u.Redacted()
}

func fetchURL(ctx context.Context, src ICSSource, opts FetchOptions, limit int64) (*FetchResult, error) {
	shown := redactURL(src.URL)
	u, err := url.Parse(src.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("calendar: feed %s: url %s: want an absolute http(s) URL", src.Name, shown)
	}
	if opts.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, opts.Timeout)
		defer cancel()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, src.URL, nil)
	if err != nil {
		return nil, fmt.Errorf("calendar: feed %s: GET %s: %w", src.Name, shown, scrub(err))
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
	client := opts.Client
	if client == nil {
		client = &http.Client{Timeout: opts.Timeout}
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("calendar: feed %s: GET %s: %w", src.Name, shown, scrub(err))
	}
	defer resp.Body.Close()
	v := Validators{ETag: resp.Header.Get("ETag"), LastModified: resp.Header.Get("Last-Modified")}
	if resp.StatusCode == http.StatusNotModified {
		if opts.Previous != nil {
			if v.ETag == "" {
				v.ETag = opts.Previous.ETag
			}
			if v.LastModified == "" {
				v.LastModified = opts.Previous.LastModified
			}
		}
		return &FetchResult{NotModified: true, Validators: v}, nil
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, &classified{fmt.Sprintf("calendar: feed %s: GET %s: HTTP status %s", src.Name, shown, resp.Status), ErrHTTPStatus}
	}
	if resp.ContentLength > limit {
		return nil, &classified{fmt.Sprintf("calendar: feed %s: GET %s: body of %d bytes is larger than the %d-byte limit (max_bytes)", src.Name, shown, resp.ContentLength, limit), ErrTooLarge}
	}
	data, err := readLimited(resp.Body, limit)
	if err != nil {
		return nil, fmt.Errorf("calendar: feed %s: GET %s: %w", src.Name, shown, scrub(err))
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

// scrub drops the *url.Error wrapper, whose text repeats the full URL
// (query included).
func scrub(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}
