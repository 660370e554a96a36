package report

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"html"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/cadence-dev/cadence/cadence"
)

var screenshots = flag.Bool("screenshots", false, "write PNGs of the pages and digests at each width to testdata/screenshots/")

// layoutWidths are the widths the page and the digest must fit: a laptop
// and a phone.
var layoutWidths = []int{1280, 390}

// chromium returns Debian's chromium, or skips the test (fails it when
// CADENCE_REQUIRE_CHROMIUM is set, as in CI).
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CADENCE_REQUIRE_CHROMIUM") != "" {
		t.Fatal("chromium not found (apt-get install -y chromium) and CADENCE_REQUIRE_CHROMIUM is set")
	}
	t.Skip("chromium not found (apt-get install -y chromium)")
	return ""
}

// runChromium runs headless Chromium with a fresh profile on url.
func runChromium(ctx context.Context, bin string, args ...string) ([]byte, error) {
	profile, err := os.MkdirTemp("", "cadence-chromium-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(profile)
	base := []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync", "--hide-scrollbars",
		"--user-data-dir=" + profile}
	cmd := exec.CommandContext(ctx, bin, append(base, args...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return out, fmt.Errorf("%v: %s", err, tail(stderr.String(), 500))
	}
	return out, nil
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}

// measure is what the harness reports about a document laid out in a
// frame of the given width.
type measure struct {
	Width        int      `json:"width"`
	ScrollWidth  int      `json:"scrollWidth"`
	ScrollHeight int      `json:"scrollHeight"`
	Outside      []string `json:"outside"` // elements reaching past the right edge
	Clipped      []string `json:"clipped"` // elements whose content is cut or scrolls sideways
}

// frame is one document laid out at one width.
type frame struct {
	ID    string
	Width int
	Doc   []byte
}

// harness lays out each frame's document (which has no script of its
// own) in an iframe exactly Width pixels wide (a desktop browser window
// cannot be narrower than 500) and writes what its script measures into
// its own DOM, for --dump-dom: one Chromium run for every frame.
func harness(frames []frame) []byte {
	const script = `<script>
function measure(f) {
  var d = f.contentDocument, w = d.documentElement.clientWidth, out = [], clipped = [];
  function name(e) {
    var s = e.tagName.toLowerCase();
    if (e.id) s += "#" + e.id;
    if (e.className && typeof e.className === "string") s += "." + e.className.trim().replace(/\s+/g, ".");
    return s + " \"" + (e.textContent || "").trim().replace(/\s+/g, " ").slice(0, 40) + "\"";
  }
  d.querySelectorAll("body *").forEach(function (e) {
    var r = e.getBoundingClientRect();
    if (r.width > 0 && r.right > w + 0.5) out.push(name(e) + " right=" + Math.round(r.right));
    var ox = getComputedStyle(e).overflowX;
    if (ox !== "visible" && e.scrollWidth > e.clientWidth + 1 && e.tagName !== "svg") clipped.push(name(e) + " " + e.scrollWidth + ">" + e.clientWidth);
  });
  var m = {width: w, scrollWidth: d.documentElement.scrollWidth, scrollHeight: d.documentElement.scrollHeight, outside: out, clipped: clipped};
  var pre = document.createElement("pre");
  pre.id = "m-" + f.id;
  pre.textContent = JSON.stringify(m);
  document.body.appendChild(pre);
}
</script>`
	var b bytes.Buffer
	b.WriteString(`<!DOCTYPE html><html><head><meta charset="utf-8">` + script + `</head><body style="margin:0">`)
	for _, f := range frames {
		fmt.Fprintf(&b, `<iframe id="%s" onload="measure(this)" style="width:%dpx;height:200px;border:0;display:block" srcdoc="%s"></iframe>`,
			f.ID, f.Width, html.EscapeString(string(f.Doc)))
	}
	b.WriteString(`</body></html>`)
	return b.Bytes()
}

// layoutMeasures lays out every frame in one Chromium run.
func layoutMeasures(t *testing.T, bin string, frames []frame) map[string]measure {
	t.Helper()
	path := filepath.Join(t.TempDir(), "harness.html")
	if err := os.WriteFile(path, harness(frames), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	out, err := runChromium(ctx, bin, "--window-size=1400,1000", "--dump-dom", "file://"+path)
	if err != nil {
		t.Fatalf("chromium: %v", err)
	}
	ms := map[string]measure{}
	for _, sub := range measureRE.FindAllSubmatch(out, -1) {
		var m measure
		if err := json.Unmarshal([]byte(html.UnescapeString(string(sub[2]))), &m); err != nil {
			t.Fatalf("%s: %v", sub[1], err)
		}
		ms[string(sub[1])] = m
	}
	for _, f := range frames {
		if _, ok := ms[f.ID]; !ok {
			t.Fatalf("%s: no measure in the dumped DOM:\n%s", f.ID, tail(string(out), 400))
		}
	}
	return ms
}

var measureRE = regexp.MustCompile(`<pre id="m-([a-z0-9-]+)">([^<]*)</pre>`)

// layoutDocs are the documents checked: the example org's page and
// digests (the goldens, kept current by cmd/cadence/internal/digest), and
// the hostile fixture's (a name of 200 unbroken characters, markup).
func layoutDocs(t *testing.T) map[string][]byte {
	t.Helper()
	docs := map[string][]byte{}
	for name, path := range map[string]string{
		"page-index":       "testdata/page/index.html",
		"page-manager-ana": "testdata/page/manager-ana.html",
		"page-manager-gus": "testdata/page/manager-gus.html",
		"digest-ana":       "testdata/digest/ana.html",
		"digest-gus":       "testdata/digest/gus.html",
		"digest-ivan":      "testdata/digest/ivan.html",
	} {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		docs[name] = b
	}
	snap := testSnapshot(t)
	long := strings.Repeat("W", 200)
	people := snap.Directory.People()
	var ps []cadence.Person
	for _, p := range people {
		q := *p
		if q.Email == "amy@example.com" {
			q.Name = long
		}
		ps = append(ps, q)
	}
	dir, err := cadence.NewDirectory(ps)
	if err != nil {
		t.Fatal(err)
	}
	s := *snap
	s.Directory = dir
	h := NewPageHandler(func() *cadence.Snapshot { return &s }, PageOptions{Links: []PageLink{{"metrics", "/metrics"}, {"report (JSON)", "/api/v1/report"}, {"readyz", "/readyz"}}})
	for name, path := range map[string]string{"hostile-index": "/", "hostile-manager": "/manager/ceo@example.com"} {
		_, body := get(t, h, path)
		docs[name] = []byte(body)
	}
	v, err := BuildManagerView(&s, nil, "ceo@example.com", ViewOptions{BaseURL: "https://cadence.example.com/"})
	if err != nil {
		t.Fatal(err)
	}
	if docs["hostile-digest"], err = RenderDigestHTML(v); err != nil {
		t.Fatal(err)
	}
	return docs
}

// TestLayoutNoHorizontalOverflow lays out the org-health page, managers'
// pages and digests in headless Chromium at 1280 and 390 pixels and fails
// when anything reaches past the right edge, the document scrolls
// sideways, or an element cuts or scrolls its content sideways. With
// -screenshots it also writes each as a PNG to testdata/screenshots/.
func TestLayoutNoHorizontalOverflow(t *testing.T) {
	bin := chromium(t)
	docs := layoutDocs(t)
	// The harness must see what it is for: a block wider than the
	// phone, and a table cut by its container.
	docs["selfcheck-wide"] = []byte(`<!DOCTYPE html><html><body><div style="width:700px">wide</div></body></html>`)
	docs["selfcheck-clipped"] = []byte(`<!DOCTYPE html><html><body><section style="overflow-x:auto"><table><tr><td style="white-space:nowrap">` +
		strings.Repeat("a figure that does not fit ", 60) + `</td></tr></table></section></body></html>`)
	var frames []frame
	for name, doc := range docs {
		if strings.Contains(strings.ToLower(string(doc)), "<script") {
			t.Errorf("%s has a script", name)
		}
		for _, width := range layoutWidths {
			frames = append(frames, frame{ID: fmt.Sprintf("%s-%d", name, width), Width: width, Doc: doc})
		}
	}
	ms := layoutMeasures(t, bin, frames)
	for _, f := range frames {
		m := ms[f.ID]
		bad := m.Width != f.Width || m.ScrollWidth > f.Width || len(m.Outside) > 0 || len(m.Clipped) > 0
		switch {
		case f.ID == "selfcheck-wide-390" || f.ID == "selfcheck-wide-1280":
			if (m.ScrollWidth > f.Width) != (f.Width == 390) {
				t.Errorf("%s: the harness misses a block wider than the frame: %+v", f.ID, m)
			}
		case strings.HasPrefix(f.ID, "selfcheck-clipped"):
			if len(m.Clipped) == 0 {
				t.Errorf("%s: the harness misses a table scrolling sideways: %+v", f.ID, m)
			}
		case bad:
			t.Errorf("%s: laid out %dpx wide, document %dpx wide; past the right edge: %q; cut or scrolling sideways: %q",
				f.ID, m.Width, m.ScrollWidth, first(m.Outside, 5), first(m.Clipped, 5))
		}
	}
	if !*screenshots {
		return
	}
	// -screenshots: the example org's page, Ana's page and her digest at
	// each width, as tall as they are.
	if err := os.MkdirAll("testdata/screenshots", 0o755); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for _, f := range frames {
		if !screenshotDocs[strings.TrimSuffix(strings.TrimSuffix(f.ID, "-390"), "-1280")] {
			continue
		}
		path := filepath.Join(dir, f.ID+".html")
		if err := os.WriteFile(path, f.Doc, 0o644); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		png := filepath.Join("testdata/screenshots", f.ID+".png")
		_, err := runChromium(ctx, bin, fmt.Sprintf("--window-size=%d,%d", f.Width, min(max(ms[f.ID].ScrollHeight, 600), 4000)), "--screenshot="+png, "file://"+path)
		cancel()
		if err != nil {
			t.Errorf("%s: screenshot: %v", f.ID, err)
		}
	}
}

// screenshotDocs are the documents -screenshots writes.
var screenshotDocs = map[string]bool{"page-index": true, "page-manager-ana": true, "digest-ana": true}

func first(s []string, n int) []string {
	if len(s) > n {
		return s[:n]
	}
	return s
}
