package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"sort"
	"strings"
)

// errHelpShown stops a command after --help printed its usage; RunEnv
// turns it into success (exit 0).
var errHelpShown = errors.New("help shown")

// flagSet is a subcommand's flags: the standard flag package (which takes
// -flag and --flag alike), GNU-style help (--help and -h print the usage
// with double-dash flags on stdout), and aliases (old spellings such as
// --config for --config.file) that share the canonical flag's value and
// are listed beside it.
type flagSet struct {
	fs          *flag.FlagSet
	synopsis    string // "cadence report --config.file FILE [flags]"
	description string
	aliases     map[string][]string // canonical -> aliases
	isAlias     map[string]bool
	stdout      io.Writer
}

func newFlagSet(name, synopsis, description string, env Env) *flagSet {
	fs := flag.NewFlagSet("cadence "+name, flag.ContinueOnError)
	// Errors and help are printed by parse, not by the flag package.
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	return &flagSet{fs: fs, synopsis: synopsis, description: description,
		aliases: map[string][]string{}, isAlias: map[string]bool{}, stdout: env.Stdout}
}

func (f *flagSet) String(name, value, usage string) *string {
	return f.fs.String(name, value, usage)
}

func (f *flagSet) Bool(name string, value bool, usage string) *bool {
	return f.fs.Bool(name, value, usage)
}

func (f *flagSet) Var(v flag.Value, name, usage string) { f.fs.Var(v, name, usage) }

// alias makes --alias set the value of --canonical (defined before).
func (f *flagSet) alias(alias, canonical string) {
	c := f.fs.Lookup(canonical)
	if c == nil {
		panic("cli: alias of undefined flag " + canonical)
	}
	f.fs.Var(c.Value, alias, "alias of --"+canonical)
	f.aliases[canonical] = append(f.aliases[canonical], alias)
	f.isAlias[alias] = true
}

// configFile defines --config.file FILE, with --config as its alias.
func (f *flagSet) configFile(usage string) *string {
	p := f.fs.String("config.file", "", usage)
	f.alias("config", "config.file")
	return p
}

// parse parses args: --help or -h prints the usage on stdout and returns
// errHelpShown; a bad flag or a stray argument is a UsageError.
func (f *flagSet) parse(args []string) error {
	if err := f.fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			f.printUsage(f.stdout)
			return errHelpShown
		}
		return &UsageError{Msg: fmt.Sprintf("%s: %s (see '%s --help')", f.command(), doubleDash(err.Error()), f.fs.Name())}
	}
	if f.fs.NArg() > 0 {
		return &UsageError{Msg: fmt.Sprintf("%s: unexpected argument %q (see '%s --help')", f.command(), f.fs.Arg(0), f.fs.Name())}
	}
	return nil
}

// command is the subcommand's name ("report", "auth google").
func (f *flagSet) command() string { return strings.TrimPrefix(f.fs.Name(), "cadence ") }

// doubleDash rewrites the flag name in one of the flag package's error
// messages ("flag provided but not defined: -bogus", "invalid value "x"
// for flag -at: ...") to the documented double-dash spelling.
func doubleDash(msg string) string {
	for _, pre := range []string{"defined: -", "argument: -", "for flag -", "for -"} {
		if i := strings.Index(msg, pre); i >= 0 {
			return msg[:i+len(pre)] + "-" + msg[i+len(pre):]
		}
	}
	return msg
}

// printUsage writes the GNU-style help: synopsis, description, and every
// flag as --name ARG with its aliases and default.
func (f *flagSet) printUsage(w io.Writer) {
	fmt.Fprintf(w, "usage: %s\n", f.synopsis)
	if f.description != "" {
		fmt.Fprintf(w, "\n%s\n", strings.TrimRight(f.description, "\n"))
	}
	type row struct{ left, help string }
	var rows []row
	f.fs.VisitAll(func(fl *flag.Flag) {
		if f.isAlias[fl.Name] {
			return
		}
		arg, help := flag.UnquoteUsage(fl)
		left := "--" + fl.Name
		if arg != "" {
			left += " " + arg
		}
		if al := f.aliases[fl.Name]; len(al) > 0 {
			sort.Strings(al)
			names := make([]string, len(al))
			for i, a := range al {
				names[i] = "--" + a
			}
			help += " (alias: " + strings.Join(names, ", ") + ")"
		}
		if !zeroDefault(fl) {
			help += fmt.Sprintf(" (default %s)", fl.DefValue)
		}
		rows = append(rows, row{left, help})
	})
	rows = append(rows, row{"-h, --help", "show this help and exit"})
	fmt.Fprintln(w, "\nflags:")
	const col, width = 30, 100
	indent := strings.Repeat(" ", col)
	for _, r := range rows {
		lines := wrap(r.help, width-col)
		if len(r.left) <= col-4 {
			fmt.Fprintf(w, "  %-*s%s\n", col-2, r.left, lines[0])
		} else {
			fmt.Fprintf(w, "  %s\n%s%s\n", r.left, indent, lines[0])
		}
		for _, l := range lines[1:] {
			fmt.Fprintf(w, "%s%s\n", indent, l)
		}
	}
}

// wrap splits s into lines of at most width bytes at spaces.
func wrap(s string, width int) []string {
	var lines []string
	line := ""
	for _, word := range strings.Fields(s) {
		if line != "" && len(line)+1+len(word) > width {
			lines = append(lines, line)
			line = ""
		}
		if line != "" {
			line += " "
		}
		line += word
	}
	return append(lines, line)
}

func zeroDefault(fl *flag.Flag) bool {
	switch fl.DefValue {
	case "", "false", "0", "[]":
		return true
	}
	return false
}
