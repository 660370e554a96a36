package calendar

import (
	"bytes"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// cleaned is the output of preclean: text that go-ical's decoder accepts,
// unfolded, one content line per '\n', every component closed.
type cleaned struct {
	text []byte
	// eventLines holds, for every VEVENT directly inside a VCALENDAR (in
	// output order), the physical line number of its BEGIN:VEVENT.
	eventLines []int
	// stamps holds, parallel to eventLines, each VEVENT's DTSTAMP and
	// LAST-MODIFIED. They choose among copies with one UID; read here,
	// they cost the decoder nothing.
	stamps   []stamps
	warnings []string
	// components counts top-level components seen (0 = not iCalendar).
	components int
	// unread holds, when asked for, the physical line spans (first, last)
	// of content lines the parser never sees: properties dropped here
	// without a warning (Minimize blanks them).
	unread [][2]int
}

var bom = []byte("\xef\xbb\xbf")

// preclean makes real-world exports palatable for go-ical: it strips a
// UTF-8 BOM, unfolds lines (also folds inside a parameter name, as Google
// writes them), drops content lines that cannot be parsed (warning with
// the line number), drops malformed parameters, quotes unquoted TZID
// values holding ':' or ',' (Outlook's display names), wraps bare VEVENTs in a
// VCALENDAR, drops END lines that close nothing (e.g. "END:VCALENDARD") and
// closes components left open at the end of the file.
func preclean(data []byte, source string) *cleaned {
	return precleanLines(normalizeBreaks(data), source, false)
}

// normalizeBreaks strips a UTF-8 BOM and turns a file that breaks lines
// with bare CRs into one that breaks them with LFs.
func normalizeBreaks(data []byte) []byte {
	data = bytes.TrimPrefix(data, bom)
	if bytes.IndexByte(data, '\n') < 0 && bytes.IndexByte(data, '\r') >= 0 {
		data = bytes.ReplaceAll(data, []byte{'\r'}, []byte{'\n'})
	}
	return data
}

// precleanLines is preclean of normalized data; with record it also
// notes the unread lines.
func precleanLines(data []byte, source string, record bool) *cleaned {
	c := &cleaned{}
	out := make([]byte, 0, len(data)+64)
	var stack []frame  // open components
	synthetic := false // stack[0] is a VCALENDAR we opened for bare components

	warn := func(line int, format string, args ...any) {
		c.warnings = append(c.warnings, warning(fmt.Sprintf("calendar: %s: line %d: ", source, line)+fmt.Sprintf(format, args...)))
	}
	emit := func(s string) {
		out = append(out, s...)
		out = append(out, '\n')
	}

	var logical []byte
	logicalLine, logicalEnd := 0, 0
	var scratch []byte
	unread := func() {
		if record {
			c.unread = append(c.unread, [2]int{logicalLine, logicalEnd})
		}
	}

	flush := func() {
		if len(logical) == 0 {
			return
		}
		line := logicalLine
		l := logical
		nameB, rest, ok := splitName(l)
		if !ok {
			if len(stack) > 0 && stack[len(stack)-1].mode != modeDrop {
				warn(line, "malformed content line dropped (no property name or no colon): %q", truncate(string(l), 60))
			} else {
				unread()
			}
			return
		}
		isBegin := bytes.EqualFold(nameB, []byte("BEGIN"))
		if isBegin || bytes.EqualFold(nameB, []byte("END")) {
			v := strings.ToUpper(strings.TrimSpace(string(afterColon(rest))))
			if v == "" {
				warn(line, "%s without a component name dropped", strings.ToUpper(string(nameB)))
				return
			}
			if isBegin {
				if len(stack) == 0 && v != "VCALENDAR" {
					emit("BEGIN:VCALENDAR")
					stack = append(stack, frame{"VCALENDAR", modeCal})
					synthetic = true
					c.components++
				} else if len(stack) == 1 && synthetic && v == "VCALENDAR" {
					emit("END:VCALENDAR")
					stack = stack[:0]
					synthetic = false
				}
				if len(stack) == 0 {
					c.components++
				}
				mode := childMode(stack, v)
				if mode == modeEvent {
					c.eventLines = append(c.eventLines, line)
					c.stamps = append(c.stamps, stamps{})
				}
				stack = append(stack, frame{v, mode})
				if mode != modeDrop {
					emit("BEGIN:" + v)
				}
				return
			}
			// END
			depth := -1
			for i := len(stack) - 1; i >= 0; i-- {
				if stack[i].name == v {
					depth = i
					break
				}
			}
			if depth < 0 {
				warn(line, "END:%s closes no open component; dropped", v)
				return
			}
			for i := len(stack) - 1; i > depth; i-- {
				warn(line, "component %s not closed before END:%s; closed", stack[i].name, v)
				if stack[i].mode != modeDrop {
					emit("END:" + stack[i].name)
				}
			}
			if stack[depth].mode != modeDrop {
				emit("END:" + v)
			}
			stack = stack[:depth]
			if depth == 0 {
				synthetic = false
			}
			return
		}
		if len(stack) == 0 {
			unread()
			return // text outside any component
		}
		mode := stack[len(stack)-1].mode
		switch mode {
		case modeDrop:
			unread()
			return
		case modeCal:
			if !bytes.EqualFold(nameB, []byte("X-WR-TIMEZONE")) {
				unread()
				return
			}
		case modeEvent:
			up := upperASCII(nameB, &scratch)
			if !eventProps[string(up)] {
				// DTSTAMP and LAST-MODIFIED are read here (they order
				// copies of one UID), so a minimized body keeps them.
				switch string(up) {
				case "DTSTAMP":
					c.stamps[len(c.stamps)-1].dtstamp = stampValue(afterColon(rest))
				case "LAST-MODIFIED":
					c.stamps[len(c.stamps)-1].modified = stampValue(afterColon(rest))
				default:
					unread()
				}
				return
			}
			if def, ok := defaultValues[string(up)]; ok && bytes.EqualFold(rest, def) {
				unread()
				return // the parser's default anyway
			}
		}
		// Validate and, when needed, rebuild the parameter list.
		fixed, bad := cleanParams(rest, &scratch, mode == modeEvent)
		if bad != "" {
			warn(line, "%s: malformed parameter %q dropped", strings.ToUpper(string(nameB)), truncate(bad, 40))
		}
		if fixed == nil {
			warn(line, "%s: no ':' before the value; line dropped", strings.ToUpper(string(nameB)))
			return
		}
		out = append(out, nameB...)
		out = append(out, fixed...)
		out = append(out, '\n')
	}

	// A physical line and its continuation lines (RFC 5545 §3.1: CRLF
	// followed by one space or tab is removed wherever it falls, also
	// right after a property name: "VERSION" CRLF " :2.0") are unfolded
	// into unit before unit is judged as a property or a broken line.
	var unit, unitBuf []byte
	unitLine, unitEnd := 0, 0
	haveUnit := false
	endUnit := func() {
		if !haveUnit {
			return
		}
		haveUnit = false
		if len(logical) > 0 && len(unit) > 0 {
			if _, _, ok := splitName(unit); !ok {
				// A fold that lost its leading space (seen in Confluence
				// exports): the line cannot start a property, so it
				// continues the previous one.
				warn(unitLine, "line is not a property; joined to the previous line as a continuation")
				logical = append(logical, unit...)
				logicalEnd = unitEnd
				return
			}
		}
		flush()
		logical = append(logical[:0], unit...)
		logicalLine, logicalEnd = unitLine, unitEnd
	}

	lineNo := 0
	for len(data) > 0 {
		var raw []byte
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			raw, data = data[:i], data[i+1:]
		} else {
			raw, data = data, nil
		}
		lineNo++
		if n := len(raw); n > 0 && raw[n-1] == '\r' {
			raw = raw[:n-1]
		}
		if len(raw) > 0 && (raw[0] == ' ' || raw[0] == '\t') {
			if haveUnit && len(unit) > 0 {
				if len(unitBuf) == 0 || &unit[0] != &unitBuf[0] {
					unitBuf = append(unitBuf[:0], unit...) // unit was a slice of data
				}
				unitBuf = append(unitBuf, raw[1:]...)
				unit = unitBuf
				unitEnd = lineNo
			}
			continue
		}
		endUnit()
		unit, unitLine, unitEnd, haveUnit = raw, lineNo, lineNo, true
	}
	endUnit()
	flush()
	for i := len(stack) - 1; i >= 0; i-- {
		if !(i == 0 && synthetic) {
			warn(lineNo, "component %s not closed at end of file; closed", stack[i].name)
		}
		if stack[i].mode != modeDrop {
			emit("END:" + stack[i].name)
		}
	}
	c.text = out
	return c
}

// stamps are the revision times of one VEVENT (zero when absent).
type stamps struct {
	dtstamp, modified time.Time
}

// stampValue reads a DTSTAMP or LAST-MODIFIED value (a UTC date-time,
// YYYYMMDDTHHMMSSZ; without the Z it is taken as UTC too: it only orders
// copies of one event). Anything else is zero.
func stampValue(b []byte) time.Time {
	b = bytes.TrimSpace(b)
	if len(b) < 15 || (b[8] != 'T' && b[8] != 't') {
		return time.Time{}
	}
	n := func(b []byte) int {
		v := 0
		for _, c := range b {
			if c < '0' || c > '9' {
				return -1
			}
			v = v*10 + int(c-'0')
		}
		return v
	}
	y, mo, d, h, mi, s := n(b[0:4]), n(b[4:6]), n(b[6:8]), n(b[9:11]), n(b[11:13]), n(b[13:15])
	if y < 0 || mo < 0 || d < 0 || h < 0 || mi < 0 || s < 0 {
		return time.Time{}
	}
	return time.Date(y, time.Month(mo), d, h, mi, s, 0, time.UTC)
}

// Components are kept whole (VTIMEZONE and its parts, for the ZoneSet),
// kept with only the properties the engine reads (VEVENT directly in a
// VCALENDAR; the VCALENDAR's X-WR-TIMEZONE), or dropped (VALARM, VTODO,
// ...). Dropping unread properties (DESCRIPTION, X-*, ...) and parameters
// spares go-ical's decoder most of its work and most malformed input.
type cleanMode int

const (
	modeCal cleanMode = iota
	modeEvent
	modeAll
	modeDrop
)

type frame struct {
	name string
	mode cleanMode
}

func childMode(stack []frame, v string) cleanMode {
	if len(stack) == 0 {
		return modeCal // VCALENDAR
	}
	switch parent := stack[len(stack)-1].mode; {
	case parent == modeAll:
		return modeAll
	case parent == modeCal && v == "VEVENT":
		return modeEvent
	case parent == modeCal && v == "VTIMEZONE":
		return modeAll
	}
	return modeDrop
}

// eventProps are the VEVENT properties the engine reads.
var eventProps = map[string]bool{
	"UID": true, "DTSTART": true, "DTEND": true, "DURATION": true, "RECURRENCE-ID": true,
	"RRULE": true, "RDATE": true, "EXDATE": true, "EXRULE": true, "SUMMARY": true, "STATUS": true,
	"SEQUENCE": true, "TRANSP": true, "ORGANIZER": true, "ATTENDEE": true,
	"X-MICROSOFT-CDO-BUSYSTATUS": true, "X-MICROSOFT-CDO-INTENDEDSTATUS": true,
}

// defaultValues are property texts (after the name) that say what the
// parser assumes when the property is absent.
var defaultValues = map[string][]byte{
	"TRANSP":   []byte(":OPAQUE"),
	"STATUS":   []byte(":CONFIRMED"),
	"SEQUENCE": []byte(":0"),
}

// eventParams are the parameters the engine reads on those properties.
var eventParams = map[string]bool{
	"TZID": true, "VALUE": true, "RANGE": true, "CN": true, "CUTYPE": true, "PARTSTAT": true,
}

// upperASCII returns b upper-cased, using scratch when b has lower case.
func upperASCII(b []byte, scratch *[]byte) []byte {
	for i, ch := range b {
		if ch >= 'a' && ch <= 'z' {
			u := append((*scratch)[:0], b...)
			for j := i; j < len(u); j++ {
				if u[j] >= 'a' && u[j] <= 'z' {
					u[j] -= 'a' - 'A'
				}
			}
			*scratch = u
			return u
		}
	}
	return b
}

// splitName splits a content line into its name and the rest (starting at
// ';' or ':'). Names are letters, digits, '-' and '_'.
func splitName(l []byte) ([]byte, []byte, bool) {
	for i, b := range l {
		switch {
		case b == ';' || b == ':':
			if i == 0 {
				return nil, nil, false
			}
			return l[:i], l[i:], true
		case b >= 'A' && b <= 'Z', b >= 'a' && b <= 'z', b >= '0' && b <= '9', b == '-', b == '_':
		default:
			return nil, nil, false
		}
	}
	return nil, nil, false
}

func afterColon(rest []byte) []byte {
	if i := bytes.IndexByte(rest, ':'); i >= 0 {
		return rest[i+1:]
	}
	return nil
}

// cleanParams checks the part of a content line after its name
// (";P=v;Q="w":value" or ":value") against the grammar go-ical's decoder
// accepts. It returns the (possibly rebuilt) part, or nil when there is no
// value separator at all, and the text of the first dropped parameter.
// With filter, well-formed parameters the engine does not read are
// dropped silently.
func cleanParams(rest []byte, scratch *[]byte, filter bool) ([]byte, string) {
	i := 0
	ok := true
	var bad string
	*scratch = (*scratch)[:0]
	for i < len(rest) && rest[i] == ';' {
		start := i
		j := i + 1
		// parameter name
		for j < len(rest) && isNameByte(rest[j]) {
			j++
		}
		valid := j > i+1 && j < len(rest) && rest[j] == '='
		quoteAt := -1 // start of an unquoted TZID value to rebuild quoted
		if valid && j+1 < len(rest) && rest[j+1] != '"' && bytes.EqualFold(rest[i+1:j], []byte("TZID")) {
			// A TZID holds one value; Outlook writes display names
			// unquoted: TZID=(UTC-05:00) Eastern Time (US & Canada) or
			// TZID=Canberra, Melbourne, Sydney. The ':' of a leading
			// "(UTC...)" and any ',' belong to the value.
			j++
			k := j
			if rest[k] == '(' {
				if e := bytes.IndexAny(rest[k:], ");\""); e > 0 && rest[k+e] == ')' {
					k += e + 1
				}
			}
			for k < len(rest) && rest[k] != ';' && rest[k] != ':' && rest[k] != '"' {
				k++
			}
			if k < len(rest) && rest[k] != '"' && bytes.ContainsAny(rest[j:k], ":,") {
				quoteAt = j
			}
			j = k
			if j >= len(rest) || rest[j] == '"' {
				valid = false
			}
		} else if valid {
			j++
			for {
				if j < len(rest) && rest[j] == '"' {
					k := bytes.IndexByte(rest[j+1:], '"')
					if k < 0 {
						valid = false
						break
					}
					j += k + 2
				} else {
					for j < len(rest) && rest[j] != ';' && rest[j] != ',' && rest[j] != ':' && rest[j] != '"' {
						j++
					}
				}
				if j < len(rest) && rest[j] == ',' {
					j++
					continue
				}
				if j >= len(rest) || (rest[j] != ';' && rest[j] != ':') {
					valid = false
				}
				break
			}
		}
		if valid && j-start > maxParamLen {
			// go-ical builds parameter values byte by byte (quadratic);
			// no parameter the engine reads is this long.
			valid = false
		}
		if !valid {
			// skip to the next ';' or ':' outside quotes
			j = i + 1
			inQuote := false
			for j < len(rest) {
				ch := rest[j]
				if ch == '"' {
					inQuote = !inQuote
				} else if !inQuote && (ch == ';' || ch == ':') {
					break
				}
				j++
			}
			if bad == "" {
				bad = string(rest[start:j])
			}
			if ok {
				*scratch = append(*scratch, rest[:start]...)
				ok = false
			}
			i = j
			continue
		}
		if filter {
			var nb [32]byte
			pname := rest[start+1 : start+1+bytes.IndexByte(rest[start+1:], '=')]
			up := upperInto(nb[:0], pname)
			drop := len(pname) > len(nb) || !eventParams[string(up)]
			if !drop && string(up) == "CUTYPE" && bytes.EqualFold(rest[start+len(pname)+2:j], []byte("INDIVIDUAL")) {
				drop = true // the default; spares the decoder the work
			}
			if drop {
				if ok {
					*scratch = append(*scratch, rest[:start]...)
					ok = false
				}
				i = j
				continue
			}
		}
		if quoteAt >= 0 {
			if ok {
				*scratch = append(*scratch, rest[:start]...)
				ok = false
			}
			*scratch = append(*scratch, rest[start:quoteAt]...)
			*scratch = append(*scratch, '"')
			*scratch = append(*scratch, rest[quoteAt:j]...)
			*scratch = append(*scratch, '"')
		} else if !ok {
			*scratch = append(*scratch, rest[start:j]...)
		}
		i = j
	}
	if i >= len(rest) || rest[i] != ':' {
		return nil, bad
	}
	if ok {
		return rest, bad
	}
	*scratch = append(*scratch, rest[i:]...)
	return *scratch, bad
}

func upperInto(dst, b []byte) []byte {
	for _, ch := range b {
		if ch >= 'a' && ch <= 'z' {
			ch -= 'a' - 'A'
		}
		dst = append(dst, ch)
	}
	return dst
}

// maxParamLen bounds one parameter (name, values, quotes).
const maxParamLen = 1024

func isNameByte(b byte) bool {
	return b >= 'A' && b <= 'Z' || b >= 'a' && b <= 'z' || b >= '0' && b <= '9' || b == '-' || b == '_'
}

func truncate(s string, n int) string {
	return Clip(s, n)
}

// MaxWarningRunes bounds a warning: feed text quoted in it (a UID, a
// malformed line) is the feed author's and can be any length.
const MaxWarningRunes = 500

// Clip shortens s to at most n runes (plus "..." marking a cut), never
// splitting a rune; only a prefix of s is read.
func Clip(s string, n int) string {
	i := 0
	for k := 0; k < n; k++ {
		if i >= len(s) {
			return s
		}
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
	}
	if i >= len(s) {
		return s
	}
	return s[:i] + "..."
}

// maxUIDInWarning bounds the UID naming the event of a warning, so that
// the rest of it is still shown.
const maxUIDInWarning = 100

// warning bounds a warning to MaxWarningRunes runes.
func warning(s string) string { return Clip(s, MaxWarningRunes-3) }
