package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// TestDemoAnyDate runs the README's demo command (no --at) with the clock
// years after the example org was recorded: config.example.yaml's
// evaluate_at pins the evaluation, so the headline findings are there on
// any date.
func TestDemoAnyDate(t *testing.T) {
	for _, now := range []time.Time{
		time.Date(2031, 6, 2, 15, 4, 5, 0, time.FixedZone("X", 5*3600)),
		time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC), // ten days after: the streaks had faded
	} {
		var out, errb bytes.Buffer
		env := Env{Stdout: &out, Stderr: &errb, Now: func() time.Time { return now }}
		if err := RunEnv(context.Background(), []string{"report", "--config", exampleConfig, "--format", "json"}, env); err != nil {
			t.Fatalf("%s: %v\n%s", now, err, errb.String())
		}
		var doc struct {
			AsOf  string `json:"as_of"`
			Pairs []struct {
				Lead, Member, Status string
				Flags                []string
				Window               struct{ Excused, Declined int }
			} `json:"pairs"`
		}
		if err := json.Unmarshal(out.Bytes(), &doc); err != nil {
			t.Fatal(err)
		}
		if doc.AsOf != "2026-11-23T09:00:00Z" {
			t.Errorf("%s: as_of %s, want the example org's evaluate_at", now, doc.AsOf)
		}
		streaks, excused, declined := 0, 0, 0
		status := map[string]string{}
		for _, p := range doc.Pairs {
			status[p.Lead+">"+p.Member] = p.Status
			for _, f := range p.Flags {
				if f == "cancel_streak" {
					streaks++
				}
			}
			excused += p.Window.Excused
			declined += p.Window.Declined
		}
		if streaks != 2 || excused == 0 || declined == 0 {
			t.Errorf("%s: %d cancellation streaks (want 2), %d excused, %d declined", now, streaks, excused, declined)
		}
		for pair, want := range map[string]string{
			"ivan@example.com>vic@example.com":  "never",
			"gus@example.com>pia@example.com":   "overdue",
			"ivan@example.com>wes@example.com":  "overdue",
			"fay@example.com>lena@example.com":  "overdue",
			"jo@example.com>zoe@example.com":    "due",
			"ana@example.com>bo@example.com":    "ok",
			"hana@example.com>tara@example.com": "ok",
		} {
			if status[pair] != want {
				t.Errorf("%s: %s is %q, want %q", now, pair, status[pair], want)
			}
		}
		if !strings.Contains(errb.String(), "evaluate_at") {
			t.Errorf("%s: stderr does not say the time is pinned:\n%s", now, errb.String())
		}
	}

	// The text report (the README's exact command) says it too, and --at
	// still wins.
	var out, errb bytes.Buffer
	env := Env{Stdout: &out, Stderr: &errb, Now: func() time.Time { return time.Date(2031, 6, 2, 0, 0, 0, 0, time.UTC) }}
	if err := RunEnv(context.Background(), []string{"report", "--config", exampleConfig}, env); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"as of 2026-11-23 09:00 UTC", "cancel_streak", "never", "overdue"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("text demo lacks %q", want)
		}
	}
	out.Reset()
	errb.Reset()
	if err := RunEnv(context.Background(), []string{"report", "--config", exampleConfig, "--at", "2026-11-30T09:00:00Z", "--format", "json"}, env); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), `"as_of": "2026-11-30T09:00:00Z"`) || strings.Contains(errb.String(), "evaluate_at") {
		t.Errorf("--at does not override evaluate_at:\n%.200s\n%s", out.String(), errb.String())
	}
}
