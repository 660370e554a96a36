package cli

import (
	"context"
	"fmt"

	"github.com/cadence-dev/cadence/calendar/google"
)

// runAuth is `cadence auth google --config.file FILE`: the installed-app OAuth
// login for one person's own calendar. It prints the consent URL, waits for
// Google's answer on a loopback port (PKCE), and stores the token at
// google.token_file with mode 0600. Neither the token nor the client secret
// is ever printed.
func runAuth(ctx context.Context, args []string, env Env) error {
	fs := newFlagSet("auth google", "cadence auth google --config.file FILE",
		"Log in to one person's Google calendar (installed-app OAuth with PKCE, loopback redirect)\nand store the token (mode 0600) at google.token_file.", env)
	cfgPath := fs.configFile("configuration `FILE` (required; uses google.oauth_client_file and google.token_file)")
	switch {
	case len(args) > 0 && isHelpFlag(args[0]): // cadence auth --help
	case len(args) > 0 && args[0] == "google":
		args = args[1:]
	default:
		return &UsageError{Msg: "usage: cadence auth google --config.file FILE (see 'cadence auth --help')"}
	}
	if err := fs.parse(args); err != nil {
		return err
	}
	cfg, err := loadConfig(*cfgPath)
	if err != nil {
		return err
	}
	g := cfg.Google
	if !g.Enabled || g.OAuthClientFile == "" || g.TokenFile == "" {
		return &ConfigError{Err: fmt.Errorf("config: %s: auth google needs google.oauth_client_file and google.token_file (or %s and %s)", cfg.File, "CADENCE_GOOGLE_OAUTH_CLIENT_FILE", "CADENCE_GOOGLE_TOKEN_FILE")}
	}
	client, err := google.ReadSecretFile(g.OAuthClientFile, "OAuth client")
	if err != nil {
		return err
	}
	open := func(url string) error {
		fmt.Fprintf(env.Stderr, "Open this address in a browser on this machine and grant cadence read-only access to your calendar:\n\n  %s\n\nWaiting for Google's answer...\n", url)
		return nil
	}
	if err := google.Login(ctx, client, g.TokenFile, open); err != nil {
		return err
	}
	fmt.Fprintln(env.Stdout, "Token saved (mode 0600) at the configured google.token_file.")
	return nil
}
