// Command fakegraph serves the fake Microsoft Graph (and token endpoint)
// of package fakegraph, loaded from a dataset file, so cadence can be
// tried without a Microsoft 365 tenant:
//
//	go run ./calendar/microsoft/fakegraph/cmd/fakegraph -data examples/microsoft/dataset.json -addr 127.0.0.1:8091
//
// Then point cadence's microsoft.endpoint at http://127.0.0.1:8091/v1.0
// (and, to exercise the client-credentials grant, microsoft.token_url at
// http://127.0.0.1:8091/<tenant>/oauth2/v2.0/token with -client-id and
// -client-secret-file). The dataset format is fakegraph.Dataset.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/cadence-dev/cadence/calendar/microsoft/fakegraph"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8091", "listen address")
	data := flag.String("data", "", "dataset file (JSON, see fakegraph.Dataset); empty = no mailboxes")
	clientID := flag.String("client-id", "", "with -client-secret-file: require a bearer token from the client-credentials grant")
	secretFile := flag.String("client-secret-file", "", "file holding the client secret the token endpoint accepts")
	flag.Parse()
	if err := run(*addr, *data, *clientID, *secretFile); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func run(addr, data, clientID, secretFile string) error {
	s := fakegraph.New()
	if data != "" {
		f, err := os.Open(data)
		if err != nil {
			return fmt.Errorf("fakegraph: %w", err)
		}
		err = s.LoadDataset(f, data)
		f.Close()
		if err != nil {
			return err
		}
	}
	if clientID != "" || secretFile != "" {
		b, err := os.ReadFile(secretFile)
		if err != nil || clientID == "" {
			return errors.New("fakegraph: -client-id and a readable -client-secret-file go together")
		}
		s.RequireAuth(clientID, strings.TrimSpace(string(b)))
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("fakegraph: listen: %w", err)
	}
	base := "http://" + ln.Addr().String()
	log.Printf("fakegraph: serving at %s (endpoint %s, token URL %s)", base, fakegraph.Endpoint(base), fakegraph.TokenURL(base, "<tenant>"))
	srv := &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(sctx)
	}()
	if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("fakegraph: %w", err)
	}
	return nil
}
