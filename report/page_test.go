package report

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/cadence-dev/cadence/cadence"
)

func get(t *testing.T, h http.Handler, path string) (int, string) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
	return rec.Code, rec.Body.String()
}

func TestPageHandler(t *testing.T) {
	var snap *cadence.Snapshot
	h := NewPageHandler(func() *cadence.Snapshot { return snap }, PageOptions{})
	if code, body := get(t, h, "/"); code != http.StatusServiceUnavailable || !strings.Contains(body, "No evaluation yet") {
		t.Fatalf("before the first evaluation: %d\n%s", code, body)
	}
	snap = testSnapshot(t)
	code, body := get(t, h, "/")
	if code != http.StatusOK {
		t.Fatalf("/: %d", code)
	}
	for _, want := range []string{
		`<meta name="viewport" content="width=device-width, initial-scale=1">`,
		`href="/manager/ceo@example.com">Cora Chief</a>`,
		`href="/manager/amy@example.com">Amy Adams</a>`,
		"Sources", "failing",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/ lacks %q", want)
		}
	}
	// The tree nests Amy (a manager) under Cora.
	if i, j := strings.Index(body, "Cora Chief"), strings.Index(body, "Amy Adams"); i < 0 || j < i {
		t.Errorf("tree order: Cora at %d, Amy at %d", i, j)
	}
	if strings.Contains(strings.ToLower(body), "<script") {
		t.Error("/ has a script")
	}
	code, body = get(t, h, "/manager/ceo@example.com")
	if code != http.StatusOK {
		t.Fatalf("/manager: %d", code)
	}
	for _, want := range []string{"Managers reporting to you", "Skip-level coverage", "Strip: one cell per ISO week", `title="2026-W47: `, "Gus Green"} {
		if !strings.Contains(body, want) {
			t.Errorf("/manager/ceo lacks %q", want)
		}
	}
	if strings.Contains(body, "Open this view on the web") {
		t.Error("the page links to itself as if it were the email")
	}
	if code, _ := get(t, h, "/manager/nobody@example.com"); code != http.StatusNotFound {
		t.Errorf("unknown manager: %d", code)
	}
	if code, _ := get(t, h, "/nope"); code != http.StatusNotFound {
		t.Errorf("unknown path: %d", code)
	}
	// Mounted under a prefix, links carry it.
	hp := NewPageHandler(func() *cadence.Snapshot { return snap }, PageOptions{Prefix: "/health/", Links: []PageLink{{"metrics", "/metrics"}}})
	srv := http.StripPrefix("/health", hp)
	if _, body := get(t, srv, "/health/"); !strings.Contains(body, `href="/health/manager/amy@example.com"`) || !strings.Contains(body, `<a href="/metrics">metrics</a>`) {
		t.Errorf("prefixed links:\n%s", body)
	}
}

// TestPageMountedLikeTheDaemon mounts the handler the way cadence serve
// does, beside other routes of the same mux.
func TestPageMountedLikeTheDaemon(t *testing.T) {
	snap := testSnapshot(t)
	page := NewPageHandler(func() *cadence.Snapshot { return snap }, PageOptions{})
	mux := http.NewServeMux()
	mux.HandleFunc("GET /metrics", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("metrics")) })
	mux.Handle("GET /{$}", page)
	mux.Handle("GET /manager/{email}", page)
	if code, body := get(t, mux, "/manager/amy@example.com"); code != http.StatusOK || !strings.Contains(body, "Amy Adams") {
		t.Errorf("manager page through the daemon's mux: %d", code)
	}
	if code, body := get(t, mux, "/"); code != http.StatusOK || !strings.Contains(body, "Org health") {
		t.Errorf("index through the daemon's mux: %d", code)
	}
	if _, body := get(t, mux, "/metrics"); body != "metrics" {
		t.Errorf("/metrics shadowed: %q", body)
	}
}
