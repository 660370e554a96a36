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

// TestPageNamesEveryPairNeedingAttention: the index and a manager's page
// name and link every required pair needing attention, worst first
// (never before overdue); failing sources come before the working ones,
// which are counted in a collapsed list.
func TestPageNamesEveryPairNeedingAttention(t *testing.T) {
	snap := testSnapshot(t)
	snap.Sources = append(snap.Sources, cadence.SourceStatus{Name: "zz-ok", OK: true, LastSuccess: tp("2026-11-16T11:00:00Z")},
		cadence.SourceStatus{Name: "warned", OK: true, Warning: "no attendees"})
	h := NewPageHandler(func() *cadence.Snapshot { return snap }, PageOptions{})
	_, body := get(t, h, "/")
	// Required pairs needing attention: ceo→gus (never held at all),
	// bob→fay (never in the window), ceo→bob (overdue, streak). The peer
	// dan/fay is not required.
	want := []string{
		`href="/manager/ceo@example.com#pair-gus@example.com"`,
		`href="/manager/bob@example.com#pair-fay@example.com"`,
		`href="/manager/ceo@example.com#pair-bob@example.com"`,
	}
	last := -1
	for _, w := range want {
		i := strings.Index(body, w)
		if i < 0 {
			t.Errorf("/ lacks %s", w)
			continue
		}
		if i < last {
			t.Errorf("/ lists %s out of order (worst first)", w)
		}
		last = i
	}
	if !strings.Contains(body, "3 need attention, worst first") || strings.Count(body, "#pair-") != 3 {
		t.Errorf("attention count or extra rows:\n%s", body)
	}
	src := body[strings.Index(body, "<h2>Sources</h2>"):]
	if i, j, k := strings.Index(src, "bob.ics"), strings.Index(src, "warned"), strings.Index(src, "<details>"); i < 0 || j < i || k < j ||
		!strings.Contains(src, "<summary>2 sources ok</summary>") || !strings.Contains(src, "3 of 5 need a look") {
		t.Errorf("sources: failing first, then warnings, the ok ones collapsed:\n%s", src)
	}
	// The manager's page lists every pair of the subtree that needs
	// attention, its own included, and anchors its own rows.
	_, body = get(t, h, "/manager/ceo@example.com")
	for _, w := range append(want, `id="pair-bob@example.com"`, `id="pair-gus@example.com"`, "Pairs in your org that need attention (3, worst first)") {
		if !strings.Contains(body, w) {
			t.Errorf("/manager/ceo lacks %s", w)
		}
	}
}
