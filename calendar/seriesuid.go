package calendar

import (
	"regexp"
	"strings"
)

// splitSuffix is Google's "this and following" suffix on the local part of
// an event id / iCalUID: _R<yyyymmddThhmmss>, optionally with a Z.
var splitSuffix = regexp.MustCompile(`_R\d{8}T\d{6}Z?$`)

// SeriesUID returns uid without Google's "this and following" split
// suffixes (each split adds one: abc_R20231009T130000@google.com, and a
// split of a split abc_R…_R…@google.com), so every part of a split series
// is one series. ICS feeds and the Google API source share it.
func SeriesUID(uid string) string {
	local, domain, hasAt := strings.Cut(uid, "@")
	if !strings.Contains(local, "_R") {
		return uid
	}
	for {
		loc := splitSuffix.FindStringIndex(local)
		if loc == nil || loc[0] == 0 {
			break
		}
		local = local[:loc[0]]
	}
	if hasAt {
		return local + "@" + domain
	}
	return local
}
