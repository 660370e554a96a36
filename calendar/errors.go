package calendar

import "errors"

// Sentinel errors Fetch wraps, so callers can classify failures
// (errors.Is) without matching text.
var (
	// ErrTooLarge: the feed is larger than FetchOptions.MaxBytes.
	ErrTooLarge = errors.New("feed larger than the size limit")
	// ErrHTTPStatus: the server answered with a non-2xx status, or with
	// 304 Not Modified when the caller had no earlier copy to reuse.
	ErrHTTPStatus = errors.New("unexpected HTTP status")
	// ErrRedirectRefused: a redirect led to a host that is not allowed
	// (another host, a private address, a downgrade to http, too many).
	ErrRedirectRefused = errors.New("redirect refused")
)
