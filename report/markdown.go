package report

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/cadence-dev/cadence/cadence"
)

// WriteMarkdown writes the same content as WriteText as GitHub-flavoured
// markdown: a summary, one section per manager (org-chart order) with a
// table of their direct pairs worst first, skip-level and peer tables, and
// the failing sources. Untrusted text (names, emails, rule names, source
// names and errors) is escaped so it cannot break a table or inject markup.
func WriteMarkdown(w io.Writer, s *cadence.Snapshot) error {
	if s == nil {
		return errors.New("report: nil snapshot")
	}
	v := buildView(s)
	bw := bufio.NewWriter(w)

	fmt.Fprintf(bw, "# cadence report\n\n")
	fmt.Fprintf(bw, "- As of: %s\n", v.asOf.Format("2006-01-02 15:04 UTC"))
	fmt.Fprintf(bw, "- Pairs: %d%s\n", v.pairs, mdEscape(kindSummary(v)))
	fmt.Fprintf(bw, "- Org-wide compliance: %s of required pairs ok or due\n", percent(v.compliant, v.required))
	fmt.Fprintf(bw, "- %s\n", strings.Replace(sourcesSummary(v), "sources:", "Sources:", 1))

	fmt.Fprintf(bw, "\n## Managers\n")
	if len(v.groups) == 0 {
		fmt.Fprintf(bw, "\nNo managers.\n")
	}
	for _, g := range v.groups {
		fmt.Fprintf(bw, "\n### %s\n\n", mdEscape(personText(g.name, g.manager)))
		fmt.Fprintf(bw, "Direct compliance: %s; org compliance: %s", tallyText(g.tally, "direct"), tallyText(g.tally, "org"))
		if len(g.path) > 1 {
			fmt.Fprintf(bw, "; chain: %s", mdEscape(strings.Join(g.path, " > ")))
		}
		fmt.Fprintf(bw, "\n")
		if len(g.pairs) == 0 {
			fmt.Fprintf(bw, "\nNo direct 1:1 pairs.\n")
			continue
		}
		writeMarkdownTable(bw, g.pairs, v, false)
	}

	for _, sec := range v.sections() {
		fmt.Fprintf(bw, "\n## %s\n", sec.title)
		if len(sec.pairs) == 0 {
			fmt.Fprintf(bw, "\nNone.\n")
			continue
		}
		writeMarkdownTable(bw, sec.pairs, v, true)
	}

	fmt.Fprintf(bw, "\n## Sources\n\n%d configured, %d failing", len(v.sources), len(v.broken))
	if len(v.warned) > 0 {
		fmt.Fprintf(bw, ", %d with a warning", len(v.warned))
	}
	fmt.Fprintln(bw, ".")
	if len(v.broken) > 0 {
		fmt.Fprintf(bw, "\n| Source | Last success | Error |\n| --- | --- | --- |\n")
		for _, src := range v.broken {
			last := "never"
			if src.LastSuccess != nil {
				last = lastHeldText(src.LastSuccess, v.asOf)
			}
			msg := src.Error
			if msg == "" {
				msg = "(no error text)"
			}
			fmt.Fprintf(bw, "| %s | %s | %s |\n", mdEscape(displayText(src.Name)), last, mdEscape(clip(msg, maxErrorLen)))
		}
	}
	if len(v.warned) > 0 {
		fmt.Fprintf(bw, "\n| Source | Warning |\n| --- | --- |\n")
		for _, src := range v.warned {
			fmt.Fprintf(bw, "| %s | %s |\n", mdEscape(displayText(src.Name)), mdEscape(clip(src.Warning, maxErrorLen)))
		}
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("report: writing markdown report: %w", err)
	}
	return nil
}

func writeMarkdownTable(w io.Writer, ps []cadence.Pair, v *view, withLead bool) {
	head := []string{"Status", "Flags"}
	if withLead {
		head = append(head, "Lead")
	}
	head = append(head, "Member", "Rule", "Last held", "Next scheduled", "Streak",
		"Held", "Cancelled", "Declined", "Excused", "Rescheduled", "Too short")
	fmt.Fprintf(w, "\n| %s |\n", strings.Join(head, " | "))
	fmt.Fprintf(w, "|%s\n", strings.Repeat(" --- |", len(head)))
	for _, p := range ps {
		row := []string{"**" + mdEscape(string(p.Status)) + "**", mdEscape(flagsText(p.Flags))}
		if withLead {
			row = append(row, mdEscape(p.Lead))
		}
		row = append(row,
			mdEscape(p.Member),
			mdEscape(ruleText(p)),
			lastHeldText(p.LastHeld, v.asOf),
			nextText(p.NextScheduled, v.asOf),
			strconv.Itoa(p.ConsecutiveCancellations),
			strconv.Itoa(p.Window.Held),
			strconv.Itoa(p.Window.Cancelled),
			strconv.Itoa(p.Window.Declined),
			strconv.Itoa(p.Window.Excused),
			strconv.Itoa(p.Window.Rescheduled),
			strconv.Itoa(p.Window.TooShort),
		)
		fmt.Fprintf(w, "| %s |\n", strings.Join(row, " | "))
	}
}
