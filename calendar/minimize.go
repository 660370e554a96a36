package calendar

import "bytes"

// Minimize returns an ICS feed with every content line the parser never
// reads blanked: descriptions, locations, attachments, conference links,
// alarms, unread X- properties, the calendar's name. What remains (times,
// recurrence, status, titles, organizer and attendees, time zones, and any
// malformed line ParseICS warns about) parses exactly as the original
// does: each blanked line stays as an empty line, so line numbers — and
// the UIDs ParseICS derives from them for events without one — are those
// of the original. Stored feed bodies are minimized (they are kept only to
// be parsed again).
func Minimize(data []byte) []byte {
	data = normalizeBreaks(data)
	spans := precleanLines(data, "", true).unread
	if len(spans) == 0 {
		return data
	}
	out := make([]byte, 0, len(data)/2)
	lineNo, k := 0, 0
	for len(data) > 0 {
		var raw []byte
		nl := false
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			raw, data, nl = data[:i], data[i+1:], true
		} else {
			raw, data = data, nil
		}
		lineNo++
		for k < len(spans) && spans[k][1] < lineNo {
			k++
		}
		if k >= len(spans) || lineNo < spans[k][0] {
			out = append(out, raw...)
		}
		if nl {
			out = append(out, '\n')
		}
	}
	return out
}
