// Command fakegoogle serves the fake Google Calendar / Directory API of
// package fakegoogle, loaded from a dataset file, so cadence can be tried
// without a Google account:
//
//	go run ./calendar/google/fakegoogle/cmd/fakegoogle -data dataset.json -addr 127.0.0.1:8090
//
// Then point cadence's google.endpoint at http://127.0.0.1:8090 (the
// calendar client uses <endpoint>/calendar/v3/, the directory client
// <endpoint>/). The dataset format is fakegoogle.Dataset.
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
	"syscall"
	"time"

	"github.com/cadence-dev/cadence/calendar/google/fakegoogle"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8090", "listen address")
	data := flag.String("data", "", "dataset file (JSON, see fakegoogle.Dataset); empty = no calendars")
	flag.Parse()
	if err := run(*addr, *data); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func run(addr, data string) error {
	s := fakegoogle.New()
	if data != "" {
		f, err := os.Open(data)
		if err != nil {
			return fmt.Errorf("fakegoogle: %w", err)
		}
		err = s.LoadDataset(f, data)
		f.Close()
		if err != nil {
			return err
		}
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("fakegoogle: listen: %w", err)
	}
	base := "http://" + ln.Addr().String()
	log.Printf("fakegoogle: serving at %s (calendar endpoint %s, directory endpoint %s)", base, fakegoogle.CalendarEndpoint(base), fakegoogle.DirectoryEndpoint(base))
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
		return fmt.Errorf("fakegoogle: %w", err)
	}
	return nil
}
