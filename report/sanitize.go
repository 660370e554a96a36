package report

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// cleanText makes untrusted text safe to print on a terminal: control
// characters (C0, C1, DEL, hence ANSI escape sequences), Unicode line and
// paragraph separators, bidi controls and invalid UTF-8 bytes are replaced by
// visible Go-style escapes (\n, \x1b, \u202e, \xff). Printable text,
// including non-ASCII letters, is kept.
func cleanText(s string) string {
	if isPlainASCII(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x80 && unicode.IsControl(r):
			fmt.Fprintf(&b, `\x%02x`, r)
		case unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r) ||
			unicode.In(r, unicode.Zl, unicode.Zp) || r == '\ufeff':
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

func isPlainASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			return false
		}
	}
	return true
}

// MaxDisplayRunes bounds a name, title, email or source name where the
// reports, the page, the digest and `cadence events` show it: anyone who
// can edit a directory entry or send an invitation chooses these strings.
// A longer one is cut, marked with "...". The JSON report keeps the data
// whole (it is the SPEC's data, not a presentation).
const MaxDisplayRunes = 200

// displayText is s as shown: cleanText, at most MaxDisplayRunes runes.
// Only a prefix of s is read.
func displayText(s string) string {
	return clip(cleanText(runePrefix(s, MaxDisplayRunes+1)), MaxDisplayRunes)
}

// DisplayText is displayText for the digest and the commands.
func DisplayText(s string) string { return displayText(s) }

// runePrefix is the first n runes of s (s when shorter); an invalid byte
// counts as one rune.
func runePrefix(s string, n int) string {
	i := 0
	for ; n > 0 && i < len(s); n-- {
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
	}
	return s[:i]
}

// clip shortens s to at most n runes, marking the cut with "...".
func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	runes := []rune(s)
	return string(runes[:n-3]) + "..."
}

// mdEscape makes untrusted text safe inside a GitHub-flavoured markdown
// table cell or heading: cleanText first, then backslash-escapes the ASCII
// punctuation that markdown interprets (emphasis, code spans, links, images,
// table cells, headings) and writes < > & as entities so no HTML tag or
// entity can be injected.
func mdEscape(s string) string {
	s = cleanText(s)
	var b strings.Builder
	b.Grow(len(s) + 8)
	for _, r := range s {
		switch r {
		case '\\', '`', '*', '_', '~', '[', ']', '(', ')', '{', '}', '|', '#', '!', '+', '-', '=', ':':
			b.WriteByte('\\')
			b.WriteRune(r)
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '&':
			b.WriteString("&amp;")
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}
