package app

import (
	"html/template"
	"net/http"
	"strings"

	"github.com/cadence-dev/cadence/cmd/cadence/internal/digest"
)

// unsubscribeSecret names the state's key of the opt-out links.
const unsubscribeSecret = "digest_unsubscribe"

var unsubscribePage = template.Must(template.New("u").Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>cadence digest</title></head>
<body style="margin:0;background:#f4f6f8;color:#263238;font:14px/1.4 Arial,Helvetica,sans-serif;">
<div style="max-width:480px;margin:24px auto;background:#fff;border:1px solid #dde3e8;padding:16px;overflow-wrap:anywhere;">
{{if .Done}}<h1 style="font-size:18px;">Unsubscribed</h1><p>{{.Who}} will not get the weekly 1:1 digest any more.</p>
{{else}}<h1 style="font-size:18px;">Unsubscribe from the weekly 1:1 digest?</h1>
<p>{{.Who}} will not get it any more.</p>
<form method="post" action=""><button type="submit" style="font-size:14px;padding:6px 12px;">Unsubscribe</button></form>{{end}}
</div></body></html>
`))

// unsubscribeHandler is GET and POST /digest/unsubscribe?r=EMAIL&t=TOKEN,
// the digest's one-click opt-out link (List-Unsubscribe, RFC 8058). A GET
// only asks (mail scanners follow links); a POST, the mail client's
// "List-Unsubscribe=One-Click" or the page's button, records the opt-out
// in the state. A link not signed by this state's key is refused.
func (a *App) unsubscribeHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		who := strings.ToLower(strings.TrimSpace(r.URL.Query().Get("r")))
		if who == "" || !digest.ValidUnsubscribe(a.unsubKey, who, r.URL.Query().Get("t")) {
			http.Error(w, "this unsubscribe link is not valid (it was not made by this cadence)", http.StatusForbidden)
			return
		}
		done := false
		if r.Method == http.MethodPost {
			if err := a.store.DigestOptOut(r.Context(), who, a.clock.Now()); err != nil {
				a.log.Error("recording a digest opt-out", "err", err)
				http.Error(w, "could not record the opt-out; try again later", http.StatusInternalServerError)
				return
			}
			a.log.Info("digest opt-out", "recipient", who)
			done = true
		}
		h := w.Header()
		h.Set("Content-Type", "text/html; charset=utf-8")
		h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Cache-Control", "no-store")
		_ = unsubscribePage.Execute(w, struct {
			Who  string
			Done bool
		}{who, done})
	})
}
