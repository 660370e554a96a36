// Package httperr words the errors of an API request without what must
// not be logged: a URL keeps its scheme, host and path, never its query
// (sync, delta and page tokens) or user info.
package httperr

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"time"
)

// Redact is raw without query, fragment and user info ("request" when it
// does not parse).
func Redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "request"
	}
	return u.Scheme + "://" + u.Host + u.Path
}

// Transport rewrites an error without an HTTP answer: a *url.Error names
// its URL redacted, and a per-request deadline says so.
func Transport(err error, timeout time.Duration) error {
	var uerr *url.Error
	if errors.As(err, &uerr) {
		err = fmt.Errorf("%s %s: %w", uerr.Op, Redact(uerr.URL), uerr.Err)
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("no answer within the request timeout (%v): %w", timeout, err)
	}
	return err
}
