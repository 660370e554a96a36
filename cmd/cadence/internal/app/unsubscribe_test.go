package app_test

import (
	"context"
	"net/http"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/cadence-dev/cadence/cmd/cadence/internal/digest"
	"github.com/cadence-dev/cadence/internal/store"
)

// TestUnsubscribeOneClick: the digest's List-Unsubscribe link, signed
// with the state's key: a GET asks, a POST (RFC 8058 one-click, or the
// page's button) records the opt-out in the state; a forged link is
// refused.
func TestUnsubscribeOneClick(t *testing.T) {
	statePath := filepath.Join(t.TempDir(), "state.db")
	a, _ := startApp(t, exampleConfig, statePath, &fakeClock{now: pinned}, nil)
	defer stop(t, a)
	st, err := store.Open(context.Background(), statePath)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	key, err := st.Secret(context.Background(), "digest_unsubscribe")
	if err != nil {
		t.Fatal(err)
	}
	link := digest.UnsubscribeURL("http://"+a.Addr()+"/", key, "gus@example.com")
	optOuts := func() []string {
		o, err := st.DigestOptOuts(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		return o
	}
	code, body := get(t, link)
	if code != 200 || !strings.Contains(string(body), `<form method="post"`) || len(optOuts()) != 0 {
		t.Fatalf("GET: %d, opt-outs %v\n%s", code, optOuts(), body)
	}
	forged := strings.Replace(link, "gus%40example.com", "ana%40example.com", 1)
	if code, _ := do(t, http.MethodPost, forged, map[string]string{"Content-Type": "application/x-www-form-urlencoded"}, "List-Unsubscribe=One-Click"); code != http.StatusForbidden {
		t.Errorf("forged link: %d", code)
	}
	u, _ := url.Parse(link)
	q := u.Query()
	q.Del("t")
	u.RawQuery = q.Encode()
	if code, _ := do(t, http.MethodPost, u.String(), nil, ""); code != http.StatusForbidden {
		t.Errorf("link without a token: %d", code)
	}
	code, out := do(t, http.MethodPost, link, map[string]string{"Content-Type": "application/x-www-form-urlencoded"}, "List-Unsubscribe=One-Click")
	if code != 200 || !strings.Contains(out, "Unsubscribed") || !slices.Equal(optOuts(), []string{"gus@example.com"}) {
		t.Errorf("one-click POST: %d, opt-outs %v\n%s", code, optOuts(), out)
	}
}
