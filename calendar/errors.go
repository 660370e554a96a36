package calendar

import "errors"

// Sentinel errors Fetch wraps, so callers can classify failures
// (errors.Is) without matching text.
var (
	// ErrTooLarge: the feed is larger than FetchOptions.MaxBytes.
	ErrTooLarge = errors.New("feed larger than the size limit")
	// ErrHTTPStatus: the server answered with a non-2xx, non-304 status.
	ErrHTTPStatus = errors.New("unexpected HTTP status")
)
