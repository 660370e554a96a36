// Package cli implements the cadence command line: Run parses the arguments
// and runs one subcommand in-process, writing to the given streams.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"
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
	case errors.As(err, &ue), errors.Is(err, flag.ErrHelp):
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

const usage = `usage: cadence <command> [flags]

commands:
  report        evaluate every pair once and print the result (text, json, markdown)
  serve         run the daemon: sync calendars, evaluate, serve /metrics and /api/v1/report
  events        show one person's expanded calendar and how cadence read each occurrence
  auth google   log in to one person's Google calendar (installed-app OAuth, PKCE)
  digest        preview (--preview) or send (--send-now) the weekly 1:1 digest email
  check-config  validate a configuration file and its directory
  version       print the version

Run 'cadence <command> -h' for the flags of a command.
`

// Version is set at build time with -ldflags "-X ...cli.Version=v1.2.3".
var Version = "dev"

// Run runs the command line args (without the program name).
func Run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return RunEnv(ctx, args, Env{Stdout: stdout, Stderr: stderr, Now: time.Now})
}

// RunEnv is Run with an explicit environment (clock).
func RunEnv(ctx context.Context, args []string, env Env) error {
	if len(args) == 0 {
		fmt.Fprint(env.Stderr, usage)
		return &UsageError{Msg: "no command given"}
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "report":
		return runReport(ctx, rest, env)
	case "events":
		return runEvents(ctx, rest, env)
	case "serve":
		return runServe(ctx, rest, env)
	case "auth":
		return runAuth(ctx, rest, env)
	case "check-config":
		return runCheckConfig(ctx, rest, env)
	case "digest":
		return runDigest(ctx, rest, env)
	case "version", "--version", "-version":
		fmt.Fprintf(env.Stdout, "cadence %s\n", Version)
		return nil
	case "help", "-h", "--help":
		fmt.Fprint(env.Stdout, usage)
		return nil
	default:
		fmt.Fprint(env.Stderr, usage)
		return &UsageError{Msg: fmt.Sprintf("unknown command %q", cmd)}
	}
}

func newFlagSet(name string, env Env) *flag.FlagSet {
	fs := flag.NewFlagSet("cadence "+name, flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	return fs
}

func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return &UsageError{Msg: err.Error()}
	}
	if fs.NArg() > 0 {
		return &UsageError{Msg: fmt.Sprintf("%s: unexpected argument %q", fs.Name(), fs.Arg(0))}
	}
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
