package report

import (
	"bytes"
	"encoding/json"
	"math"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cadence-dev/cadence/cadence"
)

func TestWriteJSONGolden(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteJSON(&buf, testSnapshot(t)); err != nil {
		t.Fatal(err)
	}
	golden(t, "report.golden.json", buf.Bytes())
}

func keysOf(m map[string]any) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

func wantKeys(t *testing.T, what string, m map[string]any, want ...string) {
	t.Helper()
	slices.Sort(want)
	if got := keysOf(m); !slices.Equal(got, want) {
		t.Errorf("%s keys = %v, want %v", what, got, want)
	}
}

// TestWriteJSONSchema checks SPEC's schema field for field on the decoded
// document, independent of the Go types.
func TestWriteJSONSchema(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteJSON(&buf, testSnapshot(t)); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	if !strings.HasSuffix(out, "}\n") || !strings.HasPrefix(out, "{\n  \"as_of\": ") {
		t.Errorf("not pretty-printed with 2-space indent and trailing newline:\n%s", out)
	}
	var doc map[string]any
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	wantKeys(t, "top", doc, "as_of", "pairs", "managers", "sources")
	if doc["as_of"] != "2026-11-16T12:00:00Z" {
		t.Errorf("as_of = %v", doc["as_of"])
	}
	pairs := doc["pairs"].([]any)
	if len(pairs) != 8 {
		t.Fatalf("%d pairs, want 8", len(pairs))
	}
	for i, p := range pairs {
		pm := p.(map[string]any)
		wantKeys(t, "pair", pm, "kind", "lead", "member", "rule", "required", "status", "flags",
			"last_held", "next_scheduled", "consecutive_cancellations", "window")
		wantKeys(t, "window", pm["window"].(map[string]any), "held", "cancelled", "declined", "excused", "rescheduled", "too_short")
		if _, ok := pm["flags"].([]any); !ok {
			t.Errorf("pair %d: flags = %#v, want an array", i, pm["flags"])
		}
	}
	// Order: direct, skip, peer; then lead, member.
	var order []string
	for _, p := range pairs {
		pm := p.(map[string]any)
		order = append(order, pm["kind"].(string)+" "+pm["lead"].(string)+" "+pm["member"].(string))
	}
	wantOrder := []string{
		"direct amy@example.com dan@example.com", "direct amy@example.com eve@example.com",
		"direct bob@example.com fay@example.com", "direct ceo@example.com amy@example.com",
		"direct ceo@example.com bob@example.com", "direct ceo@example.com gus@example.com",
		"skip ceo@example.com dan@example.com", "peer dan@example.com fay@example.com",
	}
	if !slices.Equal(order, wantOrder) {
		t.Errorf("pair order\n got %q\nwant %q", order, wantOrder)
	}
	bobfay := pairs[2].(map[string]any)
	if bobfay["next_scheduled"] != nil || bobfay["last_held"] != "2026-06-01T10:00:00Z" {
		t.Errorf("bob/fay times: last_held %v next_scheduled %v", bobfay["last_held"], bobfay["next_scheduled"])
	}
	gus := pairs[5].(map[string]any)
	if gus["last_held"] != nil {
		t.Errorf("gus last_held = %v, want null", gus["last_held"])
	}
	if f := pairs[4].(map[string]any)["flags"].([]any); len(f) != 2 || f[0] != "cancel_streak" || f[1] != "no_upcoming" {
		t.Errorf("ceo/bob flags = %v, want sorted [cancel_streak no_upcoming]", f)
	}
	if f := pairs[3].(map[string]any)["flags"].([]any); len(f) != 0 {
		t.Errorf("ceo/amy flags (nil in the snapshot) = %v, want []", f)
	}

	managers := doc["managers"].([]any)
	if len(managers) != 3 {
		t.Fatalf("%d managers", len(managers))
	}
	ceo := managers[2].(map[string]any)
	wantKeys(t, "manager", ceo, "manager", "direct", "org")
	direct := ceo["direct"].(map[string]any)
	wantKeys(t, "tally", direct, "pairs", "compliant", "ratio")
	if direct["ratio"] != 0.333333 {
		t.Errorf("ceo direct ratio = %v, want 0.333333", direct["ratio"])
	}
	if !strings.Contains(out, `"ratio": 0.333333`) {
		t.Errorf("ratio not written with 6 decimals")
	}

	sources := doc["sources"].([]any)
	if len(sources) != 3 {
		t.Fatalf("%d sources", len(sources))
	}
	for _, s := range sources {
		wantKeys(t, "source", s.(map[string]any), "name", "ok", "last_success", "error")
	}
	if s := sources[0].(map[string]any); s["ok"] != true || s["error"] != nil || s["last_success"] != "2026-11-16T11:55:00Z" {
		t.Errorf("ok source = %v", s)
	}
	if s := sources[1].(map[string]any); s["ok"] != false || !strings.HasPrefix(s["error"].(string), "calendar: bob.ics: line 12") {
		t.Errorf("failing source = %v", s)
	}
	if s := sources[2].(map[string]any); s["last_success"] != nil || s["error"] != "" {
		t.Errorf("never-succeeded source = %v", s)
	}
	if strings.ContainsRune(out, '\x1b') || strings.Contains(out, "<script>") {
		t.Errorf("raw ESC or HTML in JSON output")
	}
}

func TestReadJSONRoundTrip(t *testing.T) {
	snap := testSnapshot(t)
	var buf bytes.Buffer
	if err := WriteJSON(&buf, snap); err != nil {
		t.Fatal(err)
	}
	got, err := ReadJSON(&buf)
	if err != nil {
		t.Fatal(err)
	}
	want, err := FromSnapshot(snap)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("round trip differs:\n got %+v\nwant %+v", got, want)
	}
	if got.Pairs[5].Member != "gus@example.com" || got.Pairs[5].LastHeld != nil || got.Pairs[0].NextScheduled == nil ||
		!got.Pairs[0].NextScheduled.Equal(utc("2026-11-17T09:00:00Z")) {
		t.Errorf("decoded pairs wrong: %+v", got.Pairs[0])
	}
}

func TestReadJSONErrors(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"unknown field", `{"as_of":"2026-01-01T00:00:00Z","pairs":[],"managers":[],"sources":[],"extra":1}`, `unknown field "extra"`},
		{"trailing", `{"as_of":"2026-01-01T00:00:00Z","pairs":[],"managers":[],"sources":[]} {}`, "trailing data"},
		{"bad type", `{"as_of":"2026-01-01T00:00:00Z","pairs":[{"required":"yes"}]}`, "required"},
		{"bad time", `{"as_of":"yesterday"}`, "yesterday"},
		{"empty", ``, "EOF"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ReadJSON(strings.NewReader(tc.in))
			if err == nil || !strings.HasPrefix(err.Error(), "report: ") || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want report: ... %s", err, tc.want)
			}
		})
	}
}

func TestWriteJSONDeterministicAndUTC(t *testing.T) {
	a := testSnapshot(t)
	b := testSnapshot(t)
	slices.Reverse(b.Pairs)
	slices.Reverse(b.Managers)
	est := time.FixedZone("EST", -5*3600)
	b.AsOf = b.AsOf.In(est)
	lh := b.Pairs[0].LastHeld.In(est) // peer pair after the reverse
	b.Pairs[0].LastHeld = &lh
	var x, y bytes.Buffer
	if err := WriteJSON(&x, a); err != nil {
		t.Fatal(err)
	}
	if err := WriteJSON(&y, b); err != nil {
		t.Fatal(err)
	}
	if x.String() != y.String() {
		t.Errorf("output depends on input order or zone:\n%s\n---\n%s", x.String(), y.String())
	}
	if strings.Contains(y.String(), "-05:00") {
		t.Errorf("a time was not converted to UTC")
	}
}

func TestWriteJSONErrors(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteJSON(&buf, nil); err == nil || err.Error() != "report: nil snapshot" {
		t.Errorf("nil snapshot: err = %v", err)
	}
	s := testSnapshot(t)
	s.Managers[1].Org.Ratio = math.NaN()
	err := WriteJSON(&buf, s)
	if err == nil || !strings.HasPrefix(err.Error(), "report: ") || !strings.Contains(err.Error(), "bob@example.com") || !strings.Contains(err.Error(), "org") {
		t.Errorf("NaN ratio: err = %v", err)
	}
	if buf.Len() != 0 {
		t.Errorf("partial output written on error: %q", buf.String())
	}
	if err := WriteJSON(failWriter{}, testSnapshot(t)); err == nil || !strings.HasPrefix(err.Error(), "report: ") {
		t.Errorf("failing writer: err = %v", err)
	}
}

func TestWriteJSONEmptySnapshot(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteJSON(&buf, &cadence.Snapshot{AsOf: utc("2026-01-01T00:00:00Z")}); err != nil {
		t.Fatal(err)
	}
	want := "{\n  \"as_of\": \"2026-01-01T00:00:00Z\",\n  \"pairs\": [],\n  \"managers\": [],\n  \"sources\": []\n}\n"
	if buf.String() != want {
		t.Errorf("got\n%s\nwant\n%s", buf.String(), want)
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errWrite }

var errWrite = &writeErr{}

type writeErr struct{}

func (*writeErr) Error() string { return "disk full" }
