package microsoft

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/cadence-dev/cadence/calendar/internal/httperr"
	gax "github.com/googleapis/gax-go/v2"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/cadence-dev/cadence/calendar/microsoft/graph"
)

// maxBody bounds one response body (a page of events, a user list page).
const maxBody = 64 << 20

// APIError is an HTTP error answer from Graph. Its text carries the
// status, Graph's error code and message, never a URL's query (delta and
// skip tokens stay out of messages) nor a credential.
type APIError struct {
	Status  int
	Code    string
	Message string
	// RetryAfter is the server's Retry-After (0 when absent).
	RetryAfter time.Duration
}

func (e *APIError) Error() string {
	s := fmt.Sprintf("HTTP %d", e.Status)
	if e.Code != "" {
		s += " " + e.Code
	}
	if e.Message != "" {
		s += ": " + truncate(e.Message, 200)
	}
	return s
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// expired reports an expired or invalid delta state: 410 Gone, or one of
// the codes Graph documents for it.
func expired(err error) bool {
	var ae *APIError
	if !errors.As(err, &ae) {
		return false
	}
	if ae.Status == http.StatusGone {
		return true
	}
	switch strings.ToLower(ae.Code) {
	case strings.ToLower(graph.CodeSyncStateNotFound), strings.ToLower(graph.CodeResyncRequired), strings.ToLower(graph.CodeSyncStateInvalid):
		return true
	}
	return false
}

func notFound(err error) bool {
	var ae *APIError
	return errors.As(err, &ae) && ae.Status == http.StatusNotFound
}

// retryable reports whether err is worth another attempt: throttling
// (429), a server error (500, 502, 503, 504) or no answer at all.
func retryable(err error) bool {
	var ae *APIError
	if errors.As(err, &ae) {
		switch ae.Status {
		case http.StatusTooManyRequests, http.StatusInternalServerError, http.StatusBadGateway,
			http.StatusServiceUnavailable, http.StatusGatewayTimeout:
			return true
		}
		return false
	}
	return true
}

func code(err error) string {
	if err == nil {
		return "200"
	}
	var ae *APIError
	if errors.As(err, &ae) {
		return strconv.Itoa(ae.Status)
	}
	return "error"
}

// parseRetryAfter reads Retry-After: delay seconds or an HTTP date.
func parseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if n, err := strconv.Atoi(v); err == nil && n > 0 {
		return time.Duration(n) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}

// request describes one GET.
type request struct {
	mailbox string // limiter key ("" for the directory)
	method  string // metric label: "calendarView.delta", "events.get", "users.list"
	url     string
	// pageSize, when set, is sent as Prefer: odata.maxpagesize.
	pageSize int
}

// get sends one GET with rate limiting, a per-request timeout and
// retries (truncated exponential backoff with full jitter, at least the
// server's Retry-After), and decodes the JSON answer into out. requests
// counts the HTTP requests sent.
func (s *Syncer) get(ctx context.Context, r request, requests *int, out any) error {
	var last error
	var retryAfter time.Duration
	bo := gax.Backoff{Initial: s.cfg.BaseBackoff, Max: s.cfg.MaxBackoff, Multiplier: 2}
	for attempt := 0; attempt < s.cfg.MaxAttempts; attempt++ {
		if attempt > 0 {
			if retryAfter > s.cfg.MaxRetryAfter {
				return fmt.Errorf("%s %s: the server asks to wait %v, more than max retry-after %v: %w", r.method, httperr.Redact(r.url), retryAfter, s.cfg.MaxRetryAfter, last)
			}
			s.metrics.Retries.WithLabelValues(r.method).Inc()
			if err := s.clock.Sleep(ctx, max(bo.Pause(), retryAfter)); err != nil {
				return fmt.Errorf("%w (after %d attempts; last error: %v)", err, attempt, last)
			}
		}
		err := s.once(ctx, r, out)
		*requests++
		s.metrics.Requests.WithLabelValues(r.method, code(err)).Inc()
		if err == nil {
			return nil
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		last = err
		if !retryable(err) {
			return err
		}
		retryAfter = 0
		var ae *APIError
		if errors.As(err, &ae) {
			retryAfter = ae.RetryAfter
		}
	}
	return fmt.Errorf("gave up after %d attempts: %w", s.cfg.MaxAttempts, last)
}

func (s *Syncer) once(ctx context.Context, r request, out any) error {
	release, err := s.limiter.acquire(ctx, s.clock, r.mailbox)
	if err != nil {
		return err
	}
	defer release()
	rctx, cancel := context.WithTimeout(ctx, s.cfg.RequestTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(rctx, http.MethodGet, r.url, nil)
	if err != nil {
		return fmt.Errorf("%s %s: %w", r.method, httperr.Redact(r.url), err)
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Add("Prefer", `outlook.timezone="UTC"`)
	if r.pageSize > 0 {
		req.Header.Add("Prefer", "odata.maxpagesize="+strconv.Itoa(r.pageSize))
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return transportError(err, r, s.cfg.RequestTimeout)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody+1))
	if err != nil {
		return transportError(err, r, s.cfg.RequestTimeout)
	}
	if resp.StatusCode/100 != 2 {
		ae := &APIError{Status: resp.StatusCode, RetryAfter: parseRetryAfter(resp.Header.Get("Retry-After"), s.clock.Now())}
		var eb graph.Error
		if json.Unmarshal(body, &eb) == nil {
			ae.Code, ae.Message = eb.Error.Code, eb.Error.Message
		}
		return ae
	}
	if len(body) > maxBody {
		return fmt.Errorf("%s %s: answer larger than %d MiB", r.method, httperr.Redact(r.url), maxBody>>20)
	}
	if err := json.Unmarshal(body, out); err != nil {
		return fmt.Errorf("%s %s: decode answer: %w", r.method, httperr.Redact(r.url), err)
	}
	return nil
}

// transportError rewrites errors without an HTTP answer: a URL error
// loses its query string (delta and skip tokens stay out of messages),
// and a per-request deadline says so.
func transportError(err error, r request, timeout time.Duration) error {
	var uerr *url.Error
	if !errors.As(err, &uerr) {
		err = fmt.Errorf("%s %s: %w", r.method, httperr.Redact(r.url), err)
	}
	return httperr.Transport(err, timeout)
}

// sameOrigin reports whether link (a nextLink or deltaLink from an
// answer) points at the configured endpoint's scheme and host: cadence
// never sends its token anywhere else.
func (s *Syncer) sameOrigin(link string) bool {
	u, err := url.Parse(link)
	if err != nil {
		return false
	}
	return strings.EqualFold(u.Scheme, s.endpoint.Scheme) && strings.EqualFold(u.Host, s.endpoint.Host)
}
