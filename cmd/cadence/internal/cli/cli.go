// Package cli implements the cadence command line: Run parses the arguments
// and runs one subcommand in-process, writing to the given streams.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"runtime/debug"
	"strings"
	"time"

	"github.com/prometheus/common/version"
)

// Exit codes.
const (
	ExitOK      = 0
	ExitFailure = 1 // the command ran and failed
	ExitUsage   = 2 // bad command line
	ExitConfig  = 3 // the configuration (or directory) is invalid
)

// UsageError is a bad command line.
type UsageError struct{ Msg string }

func (e *UsageError) Error() string { return e.Msg }

// ConfigError wraps an invalid configuration.
type ConfigError struct{ Err error }

func (e *ConfigError) Error() string { return e.Err.Error() }
func (e *ConfigError) Unwrap() error { return e.Err }

// ExitCode maps an error returned by Run to the process exit code.
func ExitCode(err error) int {
	var ue *UsageError
	var ce *ConfigError
	switch {
	case err == nil:
		return ExitOK
	case errors.As(err, &ue):
		return ExitUsage
	case errors.As(err, &ce):
		return ExitConfig
	default:
		return ExitFailure
	}
}

// Env is what a command needs from its surroundings; tests replace Now.
type Env struct {
	Stdout, Stderr io.Writer
	Now            func() time.Time
}

// A binary built without the release's -ldflags (go build, go install)
// reports its module version, or "dev". Releases set
// github.com/prometheus/common/version's Version, Revision, Branch,
// BuildUser and BuildDate (.goreleaser.yaml); cadence_build_info and
// `cadence version` both read them.
func init() {
	if version.Version == "" {
		version.Version = "dev"
		if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			version.Version = strings.TrimPrefix(bi.Main.Version, "v")
		}
	}
}

// command is one subcommand.
type command struct {
	name    string
	summary string
	run     func(context.Context, []string, Env) error
}

// commands in the order of the usage text.
var commands []command

func init() {
	commands = []command{
		{"report", "evaluate every pair once and print the result (text, json, markdown)", runReport},
		{"serve", "run the daemon: sync calendars, evaluate, serve /metrics and /api/v1/report", runServe},
		{"events", "show one person's expanded calendar and how cadence read each occurrence", runEvents},
		{"auth", "auth google: log in to one person's Google calendar (installed-app OAuth, PKCE)", runAuth},
		{"digest", "preview (--preview) or send (--send-now) the weekly 1:1 digest email", runDigest},
		{"check-config", "validate a configuration file and its directory", runCheckConfig},
		{"version", "print the version and build information", runVersion},
		{"help", "show the help of a command: cadence help COMMAND", runHelp},
	}
}

func usage() string {
	var b strings.Builder
	b.WriteString("usage: cadence COMMAND [flags]\n       cadence --help | --version\n\ncommands:\n")
	for _, c := range commands {
		fmt.Fprintf(&b, "  %-14s%s\n", c.name, c.summary)
	}
	b.WriteString("\nRun 'cadence COMMAND --help' (or 'cadence help COMMAND') for the flags of a command.\n")
	return b.String()
}

func lookup(name string) *command {
	for i := range commands {
		if commands[i].name == name {
			return &commands[i]
		}
	}
	return nil
}

// Run runs the command line args (without the program name).
func Run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return RunEnv(ctx, args, Env{Stdout: stdout, Stderr: stderr, Now: time.Now})
}

// RunEnv is Run with an explicit environment (clock).
func RunEnv(ctx context.Context, args []string, env Env) error {
	err := dispatch(ctx, args, env)
	if errors.Is(err, errHelpShown) {
		return nil
	}
	return err
}

func dispatch(ctx context.Context, args []string, env Env) error {
	if len(args) == 0 {
		fmt.Fprint(env.Stderr, usage())
		return &UsageError{Msg: "no command given"}
	}
	name, rest := args[0], args[1:]
	switch name {
	case "--version", "-version":
		name = "version"
	case "--help", "-help", "-h":
		name = "help"
	}
	c := lookup(name)
	if c == nil {
		fmt.Fprint(env.Stderr, usage())
		return &UsageError{Msg: fmt.Sprintf("unknown command %q", name)}
	}
	return c.run(ctx, rest, env)
}

// runHelp is `cadence help [COMMAND]`: the command's --help.
func runHelp(ctx context.Context, args []string, env Env) error {
	if len(args) == 0 {
		fmt.Fprint(env.Stdout, usage())
		return nil
	}
	if isHelpFlag(args[0]) {
		fmt.Fprint(env.Stdout, usage())
		return nil
	}
	c := lookup(args[0])
	if c == nil || c.name == "help" {
		if c != nil {
			fmt.Fprint(env.Stdout, usage())
			return nil
		}
		return &UsageError{Msg: fmt.Sprintf("help: unknown command %q (see 'cadence --help')", args[0])}
	}
	// "cadence help auth google" is "cadence auth --help".
	return c.run(ctx, []string{"--help"}, env)
}

func isHelpFlag(s string) bool {
	switch s {
	case "-h", "--h", "-help", "--help":
		return true
	}
	return false
}

// runVersion is `cadence version` (and `cadence --version`): the
// prometheus/common/version block, as every Prometheus tool prints it.
func runVersion(_ context.Context, args []string, env Env) error {
	fs := newFlagSet("version", "cadence version", "Print the version, revision, branch, build user and date, Go version and platform.", env)
	if err := fs.parse(args); err != nil {
		return err
	}
	fmt.Fprintln(env.Stdout, version.Print("cadence"))
	return nil
}

// parseTime reads --at/--from/--to: RFC 3339, or a date (YYYY-MM-DD, 00:00
// in loc).
func parseTime(flagName, s string, loc *time.Location) (time.Time, error) {
	s = strings.TrimSpace(s)
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	if t, err := time.ParseInLocation("2006-01-02T15:04", s, loc); err == nil {
		return t, nil
	}
	if t, err := time.ParseInLocation("2006-01-02", s, loc); err == nil {
		return t, nil
	}
	return time.Time{}, &UsageError{Msg: fmt.Sprintf("--%s %q: expected RFC 3339 (2026-11-23T09:00:00Z) or a date (2026-11-23)", flagName, s)}
}
