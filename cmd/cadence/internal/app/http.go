package app

import (
	"bytes"
	"fmt"
	"mime"
	"net/http"
	"strings"

	"github.com/cadence-dev/cadence/report"
)

func (a *App) routes() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", report.MetricsHandler(a.reg, a.domain, slogErrorLogger{a.log}))
	// Liveness and readiness as Prometheus and Alertmanager spell them;
	// /healthz and /readyz are kept as aliases. HEAD works too (the mux
	// answers HEAD with GET's handler).
	healthy := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprintln(w, "cadence is healthy.")
	})
	ready := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		if a.Snapshot() == nil {
			w.WriteHeader(http.StatusServiceUnavailable)
			fmt.Fprintln(w, "cadence is not ready: no evaluation yet.")
			return
		}
		fmt.Fprintln(w, "cadence is ready.")
	})
	mux.Handle("GET /-/healthy", healthy)
	mux.Handle("GET /healthz", healthy)
	mux.Handle("GET /-/ready", ready)
	mux.Handle("GET /readyz", ready)
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
	reload := a.reloadHandler()
	mux.Handle("POST /-/reload", reload)
	mux.Handle("PUT /-/reload", reload)
	page := a.pageHandler()
	mux.Handle("GET /{$}", page)
	mux.Handle("GET /manager/{email}", page)
	return mux
}

// reloadHandler is POST and PUT /-/reload (other methods get 405 from the
// mux), as Prometheus's with --web.enable-lifecycle: 403 unless
// serve.enable_reload. Every reload re-reads every feed, so requests a web
// page could make a browser send are refused: cross-origin ones
// (Sec-Fetch-Site other than same-origin or none, or an Origin whose host is
// not the request's; http.CrossOriginProtection) and bodies of the content
// types an HTML form sends without a CORS preflight. curl -X POST, with no
// body, is accepted.
func (a *App) reloadHandler() http.Handler {
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "cross-origin request refused: /-/reload takes requests from the same origin or non-browser clients only", http.StatusForbidden)
	}))
	reload := cop.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if formContentType(r.Header.Get("Content-Type")) {
			http.Error(w, "unsupported content type: send POST /-/reload without a body (curl -X POST)", http.StatusUnsupportedMediaType)
			return
		}
		if err := a.Reload(); err != nil {
			// The error names the file and key; it holds no secrets
			// (config errors never print secret values).
			http.Error(w, "reload failed: "+err.Error(), http.StatusInternalServerError)
			return
		}
		fmt.Fprintln(w, "reloaded")
	}))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !a.config().Serve.EnableReload {
			http.Error(w, "reload over HTTP is disabled (serve.enable_reload: false); send SIGHUP instead", http.StatusForbidden)
			return
		}
		reload.ServeHTTP(w, r)
	})
}

// formContentType reports whether a Content-Type is one an HTML form (or a
// "simple" cross-origin fetch) can send without a CORS preflight, or one
// that does not parse. No Content-Type is fine.
func formContentType(ct string) bool {
	if strings.TrimSpace(ct) == "" {
		return false
	}
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		return true
	}
	switch mt {
	case "application/x-www-form-urlencoded", "multipart/form-data", "text/plain":
		return true
	}
	return false
}

type slogErrorLogger struct {
	l interface{ Error(string, ...any) }
}

func (s slogErrorLogger) Println(v ...any) { s.l.Error(fmt.Sprint(v...)) }
