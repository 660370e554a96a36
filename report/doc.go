// Package report presents an evaluated cadence.Snapshot: the SPEC's JSON
// report, a terminal text view, GitHub markdown, the occurrence listing of
// `cadence events`, and a Prometheus collector built at scrape time.
//
// Every renderer is deterministic for a given snapshot (no wall clock, no
// machine time zone: times are shown in UTC unless the data carries its own
// zone). Text that comes from calendars or the directory (names, titles,
// source errors) is untrusted: the text and markdown renderers replace
// control characters, ANSI escapes, bidi overrides and invalid UTF-8 with
// visible escapes; JSON output relies on encoding/json.
//
// Errors returned by this package start with "report: ".
package report
