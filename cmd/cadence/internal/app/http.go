package app

import (
	"bytes"
	"fmt"
	"net/http"

	"github.com/cadence-dev/cadence/report"
)

func (a *App) routes() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", report.MetricsHandler(a.reg, a.domain, slogErrorLogger{a.log}))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprintln(w, "ok")
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		if a.Snapshot() == nil {
			w.WriteHeader(http.StatusServiceUnavailable)
			fmt.Fprintln(w, "not ready: no evaluation yet")
			return
		}
		fmt.Fprintln(w, "ready")
	})
	mux.HandleFunc("GET /api/v1/report", func(w http.ResponseWriter, _ *http.Request) {
		snap := a.Snapshot()
		if snap == nil {
			http.Error(w, "no evaluation yet", http.StatusServiceUnavailable)
			return
		}
		var buf bytes.Buffer
		if err := report.WriteJSON(&buf, snap); err != nil {
			a.log.Error("rendering report", "err", err)
			http.Error(w, "internal error", http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(buf.Bytes())
	})
	mux.HandleFunc("POST /-/reload", func(w http.ResponseWriter, _ *http.Request) {
		if err := a.Reload(); err != nil {
			// The error names the file and key; it holds no secrets
			// (config errors never print secret values).
			http.Error(w, "reload failed: "+err.Error(), http.StatusInternalServerError)
			return
		}
		fmt.Fprintln(w, "reloaded")
	})
	page := a.pageHandler()
	mux.Handle("GET /{$}", page)
	mux.Handle("GET /manager/{email}", page)
	return mux
}

type slogErrorLogger struct {
	l interface{ Error(string, ...any) }
}

func (s slogErrorLogger) Println(v ...any) { s.l.Error(fmt.Sprint(v...)) }
