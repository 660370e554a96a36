package report

import (
	"bytes"
	"strings"
	"testing"

	"github.com/cadence-dev/cadence/cadence"
)

func TestWriteTextGolden(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteText(&buf, testSnapshot(t)); err != nil {
		t.Fatal(err)
	}
	golden(t, "report.golden.txt", buf.Bytes())
}

func TestWriteMarkdownGolden(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteMarkdown(&buf, testSnapshot(t)); err != nil {
		t.Fatal(err)
	}
	golden(t, "report.golden.md", buf.Bytes())
}

// assertTerminalSafe fails on any control byte other than newline, and on
// bidi overrides.
func assertTerminalSafe(t *testing.T, out string) {
	t.Helper()
	for i := 0; i < len(out); i++ {
		if c := out[i]; (c < 0x20 && c != '\n') || c == 0x7f {
			t.Fatalf("control byte %#x at offset %d: %q", c, i, out[max(0, i-20):min(len(out), i+20)])
		}
	}
	if strings.ContainsRune(out, '\u202e') || strings.ContainsRune(out, '\ufffd') && !strings.Contains(out, `\xff`) {
		t.Errorf("bidi override or replaced byte left in output")
	}
}

// indexes returns the position of each needle in out, failing when one is
// missing or they are not in order.
func inOrder(t *testing.T, out string, needles ...string) {
	t.Helper()
	last := -1
	for _, n := range needles {
		i := strings.Index(out, n)
		if i < 0 {
			t.Errorf("missing %q", n)
			return
		}
		if i < last {
			t.Errorf("%q appears before the previous item %q", n, needles)
		}
		last = i
	}
}

func lineWith(t *testing.T, out, needle string) string {
	t.Helper()
	for _, l := range strings.Split(out, "\n") {
		if strings.Contains(l, needle) {
			return l
		}
	}
	t.Errorf("no line contains %q", needle)
	return ""
}

func TestWriteTextLayout(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteText(&buf, testSnapshot(t)); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	assertTerminalSafe(t, out)
	// Summary first.
	lines := strings.Split(out, "\n")
	if lines[0] != "cadence report as of 2026-11-16 12:00 UTC" {
		t.Errorf("first line %q", lines[0])
	}
	if !strings.Contains(lines[1], "8 pairs (direct 6, skip 1, peer 1)") || !strings.Contains(lines[1], "3/6 (50.0%)") {
		t.Errorf("summary line %q", lines[1])
	}
	// Org-chart order: root, then amy's subtree, then bob's; Zed (no
	// reports, no pairs) has no heading.
	inOrder(t, out, "== Cora Chief <ceo@example.com>: direct 1/3 (33.3%), org 3/6 (50.0%)",
		"== Amy Adams <amy@example.com>: direct 2/2 (100.0%)", "chain: ceo@example.com > amy@example.com",
		"== Bob \\x1b[31mRed\\x1b[0m\\nrm -rf | *bold* <b>x</b> [l](http://e) \\u202egnp.exe \\xff <bob@example.com>: direct 0/1 (0.0%)",
		"== Skip-level 1:1s: 1", "== Peer 1:1s: 1", "== Sources: 3 configured, 2 failing")
	if strings.Contains(out, "Zed") {
		t.Errorf("a person without reports got a heading")
	}
	// Worst first inside the ceo group: never (gus), overdue (bob), ok (amy).
	ceo := out[strings.Index(out, "== Cora"):strings.Index(out, "== Amy")]
	inOrder(t, ceo, "gus@example.com", "bob@example.com", "amy@example.com")
	bob := lineWith(t, ceo, "bob@example.com")
	for _, want := range []string{"overdue", "cancel_streak,no_upcoming", "2026-10-20 (27 days ago)", "none", "  3  "} {
		if !strings.Contains(bob, want) {
			t.Errorf("bob row %q lacks %q", bob, want)
		}
	}
	gus := lineWith(t, ceo, "gus@example.com")
	for _, want := range []string{"never", "new-hire", "2026-11-18 09:30 (in 2 days)"} {
		if !strings.Contains(gus, want) {
			t.Errorf("gus row %q lacks %q", gus, want)
		}
	}
	if dan := lineWith(t, out, "dan@example.com  direct"); !strings.Contains(dan, "2026-11-17 09:00 (in 1 day)") || !strings.Contains(dan, "2026-10-31 (16 days ago)") {
		t.Errorf("dan row %q", dan)
	}
	if peer := lineWith(t, out, "fay@example.com  peer"); !strings.Contains(peer, "peer (info)") || !strings.Contains(peer, "dan@example.com") {
		t.Errorf("peer row %q", peer)
	}
	// Broken sources only, with their (escaped) error; the healthy one is
	// not listed.
	src := out[strings.Index(out, "== Sources"):]
	if strings.Contains(src, "ceo-google") {
		t.Errorf("healthy source listed:\n%s", src)
	}
	for _, want := range []string{"bob.ics: FAILING (last success: 2026-11-10 (6 days ago))",
		`error: calendar: bob.ics: line 12: DTSTART: bad time "x"\n\x1b[2Jpwned`,
		"new-feed: FAILING (last success: never)", "error: (no error text)"} {
		if !strings.Contains(src, want) {
			t.Errorf("sources section lacks %q:\n%s", want, src)
		}
	}
}

func TestWriteTextNoDirectory(t *testing.T) {
	s := testSnapshot(t)
	s.Directory = nil
	var buf bytes.Buffer
	if err := WriteText(&buf, s); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	// Without a directory, managers are listed by email and every direct
	// pair still appears.
	inOrder(t, out, "== amy@example.com:", "== bob@example.com:", "== ceo@example.com:")
	for _, p := range s.Pairs {
		if !strings.Contains(out, p.Member) {
			t.Errorf("pair %s/%s missing", p.Lead, p.Member)
		}
	}
}

func TestWriteTextEmptyAndNil(t *testing.T) {
	if err := WriteText(&bytes.Buffer{}, nil); err == nil || err.Error() != "report: nil snapshot" {
		t.Errorf("nil: %v", err)
	}
	if err := WriteMarkdown(&bytes.Buffer{}, nil); err == nil || err.Error() != "report: nil snapshot" {
		t.Errorf("nil: %v", err)
	}
	var buf bytes.Buffer
	if err := WriteText(&buf, &cadence.Snapshot{AsOf: utc("2026-01-01T00:00:00Z")}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"0 pairs; org-wide compliance no required pairs", "sources: none", "== Skip-level 1:1s: 0"} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("empty report lacks %q:\n%s", want, buf.String())
		}
	}
	if err := WriteText(failWriter{}, testSnapshot(t)); err == nil || !strings.HasPrefix(err.Error(), "report: ") {
		t.Errorf("failing writer: %v", err)
	}
}

// unescapedPipes counts the table cell separators of a markdown row.
func unescapedPipes(row string) int {
	n := 0
	for i := 0; i < len(row); i++ {
		switch row[i] {
		case '\\':
			i++
		case '|':
			n++
		}
	}
	return n
}

func TestWriteMarkdownSafe(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteMarkdown(&buf, testSnapshot(t)); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	assertTerminalSafe(t, out)
	// Every table row has as many cells as its header.
	cols := -1
	for _, l := range strings.Split(out, "\n") {
		if !strings.HasPrefix(l, "|") {
			cols = -1
			continue
		}
		n := unescapedPipes(l)
		if cols < 0 {
			cols = n
		} else if n != cols {
			t.Errorf("row has %d separators, header %d: %s", n, cols, l)
		}
	}
	if strings.Contains(out, "<b>") || strings.Contains(out, "<script>") || strings.Contains(out, "](http") {
		t.Errorf("raw markup from untrusted text:\n%s", out)
	}
	for _, want := range []string{
		`### Eve`, `### Dan`, // not managers: no heading
	} {
		if strings.Contains(out, want) {
			t.Errorf("unexpected %q", want)
		}
	}
	inOrder(t, out, "# cadence report", "- Org-wide compliance: 3/6 (50.0%)",
		"### Cora Chief &lt;ceo@example.com&gt;", "### Amy Adams", `### Bob \\x1b\[31mRed\\x1b\[0m\\nrm \-rf \| \*bold\* &lt;b&gt;x&lt;/b&gt; \[l\]\(http\://e\) \\u202egnp.exe \\xff &lt;bob@example.com&gt;`,
		"## Skip-level 1:1s", "## Peer 1:1s", "## Sources", "| bob.ics |", "| new\\-feed | never |")
	if !strings.Contains(out, `pwned \| \*bold\* &lt;script&gt;`) {
		t.Errorf("source error not escaped as expected:\n%s", out)
	}
}

func TestSanitize(t *testing.T) {
	for _, tc := range []struct{ in, text, md string }{
		{"plain", "plain", "plain"},
		{"Zoë Ødegård", "Zoë Ødegård", "Zoë Ødegård"},
		{"a\nb\r\tc", `a\nb\r\tc`, `a\\nb\\r\\tc`},
		{"\x1b[31mred\x1b[0m", `\x1b[31mred\x1b[0m`, `\\x1b\[31mred\\x1b\[0m`},
		{"x\u202eevil\u2028y\u0085z\x7f", `x\u202eevil\u2028y\u0085z\x7f`, `x\\u202eevil\\u2028y\\u0085z\\x7f`},
		{"bad\xffbyte", `bad\xffbyte`, `bad\\xffbyte`},
		{"a|b *c* _d_ `e` [f](g) <h> & #i !j ~k", "a|b *c* _d_ `e` [f](g) <h> & #i !j ~k",
			"a\\|b \\*c\\* \\_d\\_ \\`e\\` \\[f\\]\\(g\\) &lt;h&gt; &amp; \\#i \\!j \\~k"},
	} {
		if got := cleanText(tc.in); got != tc.text {
			t.Errorf("cleanText(%q) = %q, want %q", tc.in, got, tc.text)
		}
		if got := mdEscape(tc.in); got != tc.md {
			t.Errorf("mdEscape(%q) = %q, want %q", tc.in, got, tc.md)
		}
	}
	if got := clip("abcdefghij", 6); got != "abc..." {
		t.Errorf("clip = %q", got)
	}
	if got := clip("äöü", 3); got != "äöü" {
		t.Errorf("clip = %q", got)
	}
}
