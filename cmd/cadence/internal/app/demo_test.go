package app_test

import (
	"bytes"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cadence-dev/cadence/report"
)

// TestServeDemoAnyDate: `cadence serve --config config.example.yaml` with
// the clock years after the example org was recorded still serves its
// findings (evaluate_at), on the page and in the API.
func TestServeDemoAnyDate(t *testing.T) {
	clock := &fakeClock{now: time.Date(2031, 3, 17, 8, 0, 0, 0, time.UTC)}
	a, _ := startApp(t, exampleConfig, filepath.Join(t.TempDir(), "state.db"), clock, nil)
	defer stop(t, a)
	base := "http://" + a.Addr()
	code, body := get(t, base+"/api/v1/report")
	if code != 200 {
		t.Fatalf("/api/v1/report: %d", code)
	}
	rep, err := report.ReadJSON(bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if got := rep.AsOf.UTC(); !got.Equal(time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)) {
		t.Errorf("as_of %s, want evaluate_at", got)
	}
	streaks, never := 0, 0
	for _, p := range rep.Pairs {
		if slices.Contains(p.Flags, "cancel_streak") {
			streaks++
		}
		if p.Status == "never" {
			never++
		}
	}
	if streaks != 2 || never == 0 {
		t.Errorf("%d streaks, %d never: the demo faded", streaks, never)
	}
	if _, page := get(t, base+"/"); !strings.Contains(string(page), "Ivan Ivanov") {
		t.Error("the page does not name the findings")
	}
}
