package e2e_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// A small org for the alert test: Bea manages Lee, Lee manages Max. Lee's
// calendar (the only feed) holds a weekly 1:1 with Bea (always held) and
// a weekly 1:1 with Max, whose most recent occurrences the test cancels.
const (
	boss   = "boss@example.com"
	lead   = "lead@example.com"
	member = "member@example.com"

	peopleCSV = `email,name,manager_email,hire_date
boss@example.com,Bea Boss,,2020-01-06
lead@example.com,Lee Lead,boss@example.com,2020-01-06
member@example.com,Max Member,lead@example.com,2020-01-06
`
	// maxStreak is the rule's max_consecutive_cancellations below.
	maxStreak = 3
	orgConfig = `timezone: UTC
directory:
  csv: people.csv
sources:
  ics:
    - name: lee
      owner: lead@example.com
      path: lee.ics   # never read: the test's Fetch serves the body
serve:
  state_path: state.db
policies:
  - name: direct
    match: {kind: [direct]}
    every: 14d
    grace: 3d
    min_duration: 20m
    required: true
    max_consecutive_cancellations: 3
`
)

// leeFeed is Lee's calendar at now: the weekly 1:1 with Max (its last
// occurrence 3 hours ago) with its cancelled most recent occurrences
// removed by EXDATE; with catchUp, a single 1:1 with Max held an hour ago.
func leeFeed(now time.Time, cancelled int, catchUp bool) string {
	ts := func(t time.Time) string { return t.UTC().Format("20060102T150405Z") }
	var b strings.Builder
	b.WriteString("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//cadence e2e//EN\r\n")
	event := func(uid, summary string, start time.Time, rrule string, exdates []time.Time, with string) {
		fmt.Fprintf(&b, "BEGIN:VEVENT\r\nUID:%s\r\nDTSTAMP:%s\r\nDTSTART:%s\r\nDTEND:%s\r\nSUMMARY:%s\r\n",
			uid, ts(now), ts(start), ts(start.Add(30*time.Minute)), summary)
		if rrule != "" {
			fmt.Fprintf(&b, "RRULE:%s\r\n", rrule)
		}
		for _, x := range exdates {
			fmt.Fprintf(&b, "EXDATE:%s\r\n", ts(x))
		}
		fmt.Fprintf(&b, "ORGANIZER:mailto:%s\r\nATTENDEE;PARTSTAT=ACCEPTED:mailto:%s\r\nATTENDEE;PARTSTAT=ACCEPTED:mailto:%s\r\nEND:VEVENT\r\n", lead, lead, with)
	}
	week := 7 * 24 * time.Hour
	event("bea-lee@e2e", "Bea / Lee", now.Add(-10*week-time.Hour), "FREQ=WEEKLY", nil, boss)
	last := now.Add(-3 * time.Hour) // the latest past occurrence of Lee / Max
	var ex []time.Time
	for i := range cancelled {
		ex = append(ex, last.Add(-time.Duration(i)*week))
	}
	event("lee-max@e2e", "Lee / Max", last.Add(-10*week), "FREQ=WEEKLY", ex, member)
	if catchUp {
		event("lee-max-catch-up@e2e", "Lee / Max catch-up", now.Add(-time.Hour), "", nil, member)
	}
	b.WriteString("END:VCALENDAR\r\n")
	return b.String()
}

// TestAlertsEndToEnd: cadence serve, Debian's Prometheus with the shipped
// rules, and Debian's Alertmanager delivering to a webhook. A pair crossing
// its rule's max_consecutive_cancellations fires
// CadenceOneOnOneCancelledRepeatedly with the labels a router needs;
// stopping cadence fires CadenceDown (and does not resolve the pair's
// alert); cadence back with the pair's 1:1 held resolves both.
//
// Prometheus runs on wall time and the daemon on a fake clock started at
// the wall time, so CadenceEvaluationStale and the source alerts stay
// quiet. The test's copy of the rules evaluates every second and shortens
// every `for` to 1s (CadenceAbsent's to 1h: before the first scrape up{}
// is absent); the promtool tests keep the shipped durations.
func TestAlertsEndToEnd(t *testing.T) {
	binary(t, "prometheus", "prometheus")
	binary(t, "prometheus-alertmanager", "alertmanager", "prometheus-alertmanager")
	began := time.Now()

	dir := t.TempDir()
	for name, data := range map[string]string{"people.csv": peopleCSV, "cadence.yaml": orgConfig} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cfgPath := filepath.Join(dir, "cadence.yaml")
	now := time.Now().UTC().Truncate(time.Second)
	clock := &fakeClock{now: now}
	var fs feeds
	fs.set("lee", leeFeed(now, maxStreak-1, false))
	addr := freeAddr(t)
	cadence := startCadence(t, cfgPath, addr, clock, fs.fetch)

	hook := newWebhook(t)
	am := startAlertmanager(t, hook.srv.URL)
	rules, alerts := shippedRules(t, func(alert, orig string) string {
		if alert == "CadenceAbsent" {
			return "1h"
		}
		return "1s"
	})
	prom := startPrometheus(t, addr, am, rules, alerts)
	setup := time.Since(began)

	pair := fmt.Sprintf(`{job="cadence",instance=%q,kind="direct",lead=%q,member=%q}`, addr, lead, member)
	pairLabels := map[string]string{"alertname": "CadenceOneOnOneCancelledRepeatedly", "kind": "direct", "lead": lead, "member": member}

	// 1. Two cancellations in a row, under the rule's threshold of 3: the
	// streak is scraped, the alert rule evaluated after it, no alert.
	prom.waitValue(t, 20*time.Second, "cadence_pair_max_consecutive_cancellations"+pair, maxStreak)
	prom.waitValue(t, 20*time.Second, "cadence_pair_consecutive_cancellations"+pair, maxStreak-1)
	seen := time.Now()
	waitFor(t, 20*time.Second, "CadenceOneOnOneCancelledRepeatedly evaluated after the streak of 2 was scraped", func() (bool, string) {
		return prom.ruleEvaluatedAfter("CadenceOneOnOneCancelledRepeatedly", seen.Add(time.Second))
	})
	if out := prom.mustQuery(t, `ALERTS{alertname="CadenceOneOnOneCancelledRepeatedly"}`); len(out) != 0 {
		t.Fatalf("below the threshold (streak %d of %d), the alert is already %v", maxStreak-1, maxStreak, out)
	}

	// 2. The next occurrence is cancelled too (the feed changes, the
	// daemon syncs and evaluates as its intervals pass): the streak
	// reaches the threshold and the alert reaches the webhook.
	fs.set("lee", leeFeed(now, maxStreak, false))
	clock.fire()
	fired := hook.waitNotified(t, 30*time.Second, "firing", pairLabels)
	for k, want := range map[string]string{
		"severity": "warning",
		"job":      "cadence",
		"instance": addr,
		"rule":     "direct",
		"chain":    "/" + boss + "/" + lead + "/",
	} {
		if got := fired.Labels[k]; got != want {
			t.Errorf("firing CadenceOneOnOneCancelledRepeatedly: label %s = %q, want %q (labels %v)", k, got, want, fired.Labels)
		}
	}
	wantSummary := fmt.Sprintf("direct 1:1 %s / %s cancelled %d times in a row", lead, member, maxStreak)
	if got := fired.Annotations["summary"]; got != wantSummary {
		t.Errorf("summary %q, want %q", got, wantSummary)
	}
	if got := fired.Annotations["description"]; !strings.Contains(got, fmt.Sprintf("(threshold %d)", maxStreak)) {
		t.Errorf("description %q does not give the rule's threshold", got)
	}
	firedAt := time.Since(began)

	// 3. cadence stops: CadenceDown fires. The pair's alert does not
	// resolve (its series are stale, the rule reads their last values).
	cadence.stop(t)
	down := map[string]string{"alertname": "CadenceDown", "job": "cadence", "instance": addr, "severity": "critical"}
	hook.waitNotified(t, 30*time.Second, "firing", down)
	if got := hook.find("resolved", pairLabels); len(got) != 0 {
		t.Errorf("cadence down resolved the pair's alert: %v", got)
	}
	as, err := prom.alerts()
	if err != nil {
		t.Fatal(err)
	}
	stillFiring := false
	for _, a := range as {
		if a.Labels["alertname"] == pairLabels["alertname"] && a.Labels["member"] == member && a.State == "firing" {
			stillFiring = true
		}
	}
	if !stillFiring {
		t.Errorf("while cadence is down, Prometheus no longer fires the pair's alert: %v", as)
	}
	downAt := time.Since(began)

	// 4. cadence comes back (same port and state) and the pair has held a
	// catch-up 1:1: the streak is 0, both alerts resolve.
	fs.set("lee", leeFeed(now, maxStreak, true))
	startCadence(t, cfgPath, addr, clock, fs.fetch)
	hook.waitNotified(t, 30*time.Second, "resolved", pairLabels)
	hook.waitNotified(t, 30*time.Second, "resolved", down)
	t.Logf("setup %v, streak alert at the webhook %v, CadenceDown %v, both resolved %v (total)",
		setup.Round(time.Millisecond), firedAt.Round(time.Millisecond), downAt.Round(time.Millisecond), time.Since(began).Round(time.Millisecond))
}
