package report

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/cadence-dev/cadence/cadence"
)

// maxErrorLen bounds a source error shown in text and markdown.
const maxErrorLen = 500

// WriteText writes s for a terminal: a summary, then each manager of the
// org chart (walked from the roots, depth first, reports in email order)
// with their direct and org compliance and their direct pairs worst first;
// then skip-level and peer pairs; then the failing sources with their
// errors. Plain ASCII layout, no colours; dates in UTC.
func WriteText(w io.Writer, s *cadence.Snapshot) error {
	if s == nil {
		return errors.New("report: nil snapshot")
	}
	v := buildView(s)
	bw := bufio.NewWriter(w)

	fmt.Fprintf(bw, "cadence report as of %s\n", v.asOf.Format("2006-01-02 15:04 UTC"))
	fmt.Fprintf(bw, "%d pairs%s; org-wide compliance %s of required pairs ok or due\n",
		v.pairs, cleanText(kindSummary(v)), percent(v.compliant, v.required))
	fmt.Fprintln(bw, sourcesSummary(v))

	for _, g := range v.groups {
		fmt.Fprintf(bw, "\n== %s: direct %s, org %s\n",
			cleanText(personText(g.name, g.manager)), tallyText(g.tally, "direct"), tallyText(g.tally, "org"))
		if len(g.path) > 1 {
			fmt.Fprintf(bw, "   chain: %s\n", cleanText(strings.Join(g.path, " > ")))
		}
		if len(g.pairs) == 0 {
			fmt.Fprintln(bw, "   (no direct 1:1 pairs)")
			continue
		}
		writePairTable(bw, g.pairs, v, false)
	}

	for _, sec := range v.sections() {
		fmt.Fprintf(bw, "\n== %s: %d\n", sec.title, len(sec.pairs))
		if len(sec.pairs) == 0 {
			continue
		}
		writePairTable(bw, sec.pairs, v, true)
	}

	fmt.Fprintf(bw, "\n== Sources: %d configured, %d failing", len(v.sources), len(v.broken))
	if len(v.warned) > 0 {
		fmt.Fprintf(bw, ", %d with a warning", len(v.warned))
	}
	fmt.Fprintln(bw)
	for _, src := range v.broken {
		last := "never"
		if src.LastSuccess != nil {
			last = lastHeldText(src.LastSuccess, v.asOf)
		}
		fmt.Fprintf(bw, "   %s: FAILING (last success: %s)\n", displayText(src.Name), last)
		msg := src.Error
		if msg == "" {
			msg = "(no error text)"
		}
		fmt.Fprintf(bw, "      error: %s\n", clip(cleanText(msg), maxErrorLen))
	}
	for _, src := range v.warned {
		fmt.Fprintf(bw, "   %s: WARNING: %s\n", displayText(src.Name), clip(cleanText(src.Warning), maxErrorLen))
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("report: writing text report: %w", err)
	}
	return nil
}

func sourcesSummary(v *view) string {
	switch {
	case len(v.sources) == 0:
		return "sources: none"
	case len(v.broken) == 0 && len(v.warned) == 0:
		return fmt.Sprintf("sources: all %d ok", len(v.sources))
	case len(v.broken) == 0:
		return fmt.Sprintf("sources: all %d read, %d with a warning (see Sources below)", len(v.sources), len(v.warned))
	case len(v.warned) == 0:
		return fmt.Sprintf("sources: %d of %d failing (see Sources below)", len(v.broken), len(v.sources))
	}
	return fmt.Sprintf("sources: %d of %d failing, %d with a warning (see Sources below)", len(v.broken), len(v.sources), len(v.warned))
}

func ruleText(p cadence.Pair) string {
	r := p.Rule
	if r == "" {
		r = "-"
	}
	if !p.Required {
		r += " (info)"
	}
	return r
}

func writePairTable(w io.Writer, ps []cadence.Pair, v *view, withLead bool) {
	tw := tabwriter.NewWriter(w, 0, 8, 2, ' ', 0)
	head := []string{"STATUS", "FLAGS"}
	if withLead {
		head = append(head, "LEAD")
	}
	head = append(head, "MEMBER", "RULE", "LAST HELD", "NEXT SCHEDULED", "STREAK",
		"HELD", "CANC", "DECL", "EXC", "RESCHED", "SHORT")
	fmt.Fprintf(tw, "   %s\n", strings.Join(head, "\t"))
	for _, p := range ps {
		row := []string{cleanText(string(p.Status)), cleanText(flagsText(p.Flags))}
		if withLead {
			row = append(row, cleanText(p.Lead))
		}
		row = append(row,
			cleanText(p.Member),
			cleanText(ruleText(p)),
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
		fmt.Fprintf(tw, "   %s\n", strings.Join(row, "\t"))
	}
	tw.Flush()
}
