// Command cadence tells managers whether 1:1s actually happen.
//
// main only turns signals into a context and errors into exit codes; the
// commands live in package cli and run in-process in tests.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/cadence-dev/cadence/cmd/cadence/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := cli.Run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "cadence:", err)
	}
	os.Exit(cli.ExitCode(err))
}
