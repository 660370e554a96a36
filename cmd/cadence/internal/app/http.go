package app

import (
	"bytes"
	"fmt"
	"mime"
	"net/http"
	"strings"

	"github.com/cadence-dev/cadence/cmd/cadence/internal/digest"
	"github.com/cadence-dev/cadence/report"
)

// routes are the main listener's: /metrics, the health endpoints,
// /-/reload and, with the page beside the metrics (serve.page enabled
// without a listen_address of its own), the page and /api/v1/report.
func (a *App) routes() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", report.MetricsHandler(a.reg, a.domain, slogErrorLogger{a.log}))
	a.healthRoutes(mux)
	reload := a.reloadHandler()
	mux.Handle("POST /-/reload", reload)
	mux.Handle("PUT /-/reload", reload)
	pc := a.config().Serve.Page
	if !pc.Enabled || pc.ListenAddress == "" {
		// The digest's opt-out link names nobody it was not given: it is
		// served beside /metrics unless the page has its own listener.
		a.unsubscribeRoutes(mux)
	}
	switch {
	case pc.Enabled && pc.ListenAddress == "":
		a.pageRoutes(mux, []report.PageLink{{Name: "metrics", Href: "/metrics"}, {Name: "report (JSON)", Href: "/api/v1/report"},
			{Name: "ready", Href: "/-/ready"}})
	default:
		why := "the org-health page and /api/v1/report name people: they are off (serve.page.enabled: false; on by default only with metrics.identity: email)"
		if pc.Enabled {
			why = "the org-health page and /api/v1/report are served on a listener of their own (serve.page.listen_address), not beside /metrics"
		}
		off := func(w http.ResponseWriter, _ *http.Request) { http.Error(w, why, http.StatusNotFound) }
		for _, p := range []string{"GET /{$}", "GET /manager/{email}", "GET /api/v1/report"} {
			mux.HandleFunc(p, off)
		}
	}
	return mux
}

// pageRoutes are the routes that name people: the org-health page and
// the JSON report.
func (a *App) pageRoutes(mux *http.ServeMux, links []report.PageLink) {
	mux.HandleFunc("GET /api/v1/report", a.reportJSON)
	page := a.pageHandler(links)
	mux.Handle("GET /{$}", page)
	mux.Handle("GET /manager/{email}", page)
}

// pageOnlyRoutes are the page's own listener's (serve.page.listen_address).
func (a *App) pageOnlyRoutes() http.Handler {
	mux := http.NewServeMux()
	a.healthRoutes(mux)
	a.pageRoutes(mux, []report.PageLink{{Name: "report (JSON)", Href: "/api/v1/report"}})
	a.unsubscribeRoutes(mux)
	return mux
}

func (a *App) unsubscribeRoutes(mux *http.ServeMux) {
	u := a.unsubscribeHandler()
	mux.Handle("GET /"+digest.UnsubscribePath, u)
	mux.Handle("POST /"+digest.UnsubscribePath, u)
}

// healthRoutes are liveness and readiness as Prometheus and Alertmanager
// spell them; /healthz and /readyz are kept as aliases. HEAD works too
// (the mux answers HEAD with GET's handler).
func (a *App) healthRoutes(mux *http.ServeMux) {
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
}

// reportJSON is GET /api/v1/report.
func (a *App) reportJSON(w http.ResponseWriter, _ *http.Request) {
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
