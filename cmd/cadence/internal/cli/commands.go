package cli

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/cadence-dev/cadence/cadence"
	"github.com/cadence-dev/cadence/calendar"
	"github.com/cadence-dev/cadence/cmd/cadence/internal/config"
	"github.com/cadence-dev/cadence/report"
)

func runReport(ctx context.Context, args []string, env Env) error {
	fs := newFlagSet("report", "cadence report --config.file FILE [--at TIME] [--format text|json|markdown]",
		"Evaluate every pair once and print the result. Broken sources are listed in the report\nand on stderr; the rest still count.", env)
	cfgPath := fs.configFile("configuration `FILE` (required)")
	at := fs.String("at", "", "evaluate at this `TIME` (RFC 3339 or YYYY-MM-DD; default now)")
	format := fs.String("format", "text", "output `FORMAT`: text, json or markdown")
	if err := fs.parse(args); err != nil {
		return err
	}
	var write func(*cadence.Snapshot) error
	switch *format {
	case "text":
		write = func(s *cadence.Snapshot) error { return report.WriteText(env.Stdout, s) }
	case "json":
		write = func(s *cadence.Snapshot) error { return report.WriteJSON(env.Stdout, s) }
	case "markdown", "md":
		write = func(s *cadence.Snapshot) error { return report.WriteMarkdown(env.Stdout, s) }
	default:
		return &UsageError{Msg: fmt.Sprintf("--format %q: expected text, json or markdown", *format)}
	}
	cfg, now, err := configAt(*cfgPath, *at, env)
	if err != nil {
		return err
	}
	ev, err := evaluate(ctx, cfg, now, env.Stderr, false)
	if err != nil {
		return err
	}
	return write(ev.Snapshot)
}

func runEvents(ctx context.Context, args []string, env Env) error {
	fs := newFlagSet("events", "cadence events --config.file FILE --owner EMAIL [--from TIME] [--to TIME] [--at TIME] [--format text|json]",
		"Show one person's expanded calendar, with what decided each occurrence's outcome.", env)
	cfgPath := fs.configFile("configuration `FILE` (required)")
	owner := fs.String("owner", "", "`EMAIL` of the person whose calendar to show (required; aliases work)")
	from := fs.String("from", "", "start `TIME` (default: 30 days before --at)")
	to := fs.String("to", "", "end `TIME` (default: 14 days after --at)")
	at := fs.String("at", "", "the evaluation `TIME` that separates past from future (default now)")
	format := fs.String("format", "text", "output `FORMAT`: text or json")
	if err := fs.parse(args); err != nil {
		return err
	}
	if *owner == "" {
		return &UsageError{Msg: "events: --owner EMAIL is required"}
	}
	if *format != "text" && *format != "json" {
		return &UsageError{Msg: fmt.Sprintf("--format %q: expected text or json", *format)}
	}
	cfg, now, err := configAt(*cfgPath, *at, env)
	if err != nil {
		return err
	}
	w := calendar.Window{From: now.Add(-30 * 24 * time.Hour), To: now.Add(14 * 24 * time.Hour)}
	if *from != "" {
		if w.From, err = parseTime("from", *from, cfg.Timezone); err != nil {
			return err
		}
	}
	if *to != "" {
		if w.To, err = parseTime("to", *to, cfg.Timezone); err != nil {
			return err
		}
	}
	if !w.From.Before(w.To) {
		return &UsageError{Msg: fmt.Sprintf("events: --from %s is not before --to %s", w.From.Format(time.RFC3339), w.To.Format(time.RFC3339))}
	}
	eng, closeFn, err := oneShot(ctx, cfg, now, env.Stderr, false)
	if err != nil {
		return err
	}
	defer closeFn()
	if err := eng.Read(ctx); err != nil {
		return engineErr(err)
	}
	dir := eng.Directory()
	who, ok := dir.Resolve(*owner)
	if !ok {
		return fmt.Errorf("events: %q is not in the directory", *owner)
	}
	// Every calendar's occurrences (the same meeting may come from the
	// other participant's feed), with the stored history; then keep the
	// occurrences the person takes part in.
	all, gone, err := eng.Calendar(ctx, w, now)
	if err != nil {
		return err
	}
	var mine []calendar.Occurrence
	for _, o := range all {
		if involves(dir, o, who) {
			mine = append(mine, o)
		}
	}
	sort.SliceStable(mine, func(i, j int) bool { return mine[i].Start.Before(mine[j].Start) })
	// Explain needs the out-of-office events of every participant, so it
	// sees all occurrences; only the person's rows are printed.
	ex := cadence.Explain(dir, all, cfg.Options(), now)
	byKey := make(map[calendar.Key]cadence.Explanation, len(all))
	for i := range all {
		byKey[all[i].Key()] = ex[i]
	}
	rows := make([]report.EventRow, 0, len(mine))
	for _, o := range mine {
		row := report.EventRow{Occ: o, Ex: byKey[o.Key()]}
		if s, ok := gone[o.Key()]; ok {
			row.Seen = &s
		}
		rows = append(rows, row)
	}
	if !eng.HasCalendarOf(who) {
		fmt.Fprintf(env.Stderr, "cadence: note: no source is configured for %s; showing meetings found in other people's feeds\n", who)
	}
	if *format == "json" {
		return report.WriteEventsJSON(env.Stdout, rows)
	}
	return report.WriteEventsText(env.Stdout, rows)
}

// involves reports whether the person organizes or attends o, or o comes
// from their own calendar.
func involves(dir *cadence.Directory, o calendar.Occurrence, who string) bool {
	if p, _ := dir.Resolve(o.Owner); p == who {
		return true
	}
	if p, _ := dir.Resolve(o.Organizer); p == who {
		return true
	}
	for _, a := range o.Attendees {
		if p, _ := dir.Resolve(a.Email); p == who {
			return true
		}
	}
	return false
}

func runCheckConfig(_ context.Context, args []string, env Env) error {
	fs := newFlagSet("check-config", "cadence check-config --config.file FILE",
		"Validate the configuration and the directory; list every problem with file and line.\nExit code 3 when it is invalid.", env)
	cfgPath := fs.configFile("configuration `FILE` (required)")
	if err := fs.parse(args); err != nil {
		return err
	}
	cfg, err := loadConfig(*cfgPath)
	if err != nil {
		return err
	}
	if err := config.Check(cfg); err != nil {
		return &ConfigError{Err: err}
	}
	if (cfg.Google.Directory.Enabled || cfg.Microsoft.Directory.Enabled) && cfg.Directory.CSV == "" && cfg.Directory.YAML == "" {
		// The org chart is read from the directory service at run time
		// (check-config uses no network).
		from := "the Workspace directory"
		if cfg.Microsoft.Directory.Enabled {
			from = "the Entra ID directory"
		}
		fmt.Fprintf(env.Stdout, "%s: OK (org chart from %s at run time, %d ICS sources, %d policy rules)\n", cfg.File, from, len(cfg.ICSSources()), len(cfg.Policies))
		return nil
	}
	dir, err := cfg.LoadDirectory()
	if err != nil {
		return &ConfigError{Err: err}
	}
	fmt.Fprintf(env.Stdout, "%s: OK (%d people, %d ICS sources, %d policy rules)\n", cfg.File, len(dir.People()), len(cfg.ICSSources()), len(cfg.Policies))
	return nil
}
