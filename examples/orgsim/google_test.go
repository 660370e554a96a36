package orgsim_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http/httptest"
	"sort"
	"strings"
	"testing"

	"github.com/cadence-dev/cadence/calendar"
	"github.com/cadence-dev/cadence/calendar/google"
	"github.com/cadence-dev/cadence/calendar/google/fakegoogle"
	"github.com/cadence-dev/cadence/examples/orgsim"
)

// occKey summarizes an occurrence for comparing two sources of one feed.
func occSummary(o calendar.Occurrence) string {
	var declined []string
	for _, a := range o.Attendees {
		if a.Response == calendar.ResponseDeclined {
			declined = append(declined, a.Email)
		}
	}
	sort.Strings(declined)
	return fmt.Sprintf("%s %s start=%s end=%s cancelled=%v declined=%v",
		o.UID, o.OriginalStart.UTC().Format("20060102T150405"), o.Start.UTC().Format("20060102T150405"),
		o.End.UTC().Format("20060102T150405"), o.Cancelled(), declined)
}

// TestGoogleDatasetMatchesFeeds loads the org's Google dataset (as JSON)
// into the fake Google server, syncs every calendar through the Google
// source, and checks each Google-hosted person's occurrences equal those of
// their ICS feed: the same meetings, moves, cancellations and declines.
// A deleted (cancelled) single meeting is in events.list (showDeleted) as
// status cancelled, as it is STATUS:CANCELLED in the feed; only the API
// tells out-of-office blocks (eventType) apart.
func TestGoogleDatasetMatchesFeeds(t *testing.T) {
	cfg := orgsim.Config{People: 80, Months: 6, Seed: 11, Start: start, Broken: 1}
	org, dir := generate(t, cfg)
	feeds := parseFeeds(t, org, dir)

	var buf bytes.Buffer
	if err := org.WriteGoogleDataset(&buf); err != nil {
		t.Fatal(err)
	}
	fake := fakegoogle.New()
	if err := fake.LoadDataset(&buf, "dataset"); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(fake)
	defer srv.Close()
	syncer, err := google.New(google.Config{Endpoint: fakegoogle.CalendarEndpoint(srv.URL), PerUserPerMinute: -1, PerProjectPerMinute: -1}, google.NewMemoryStore())
	if err != nil {
		t.Fatal(err)
	}
	var cals []google.Calendar
	for _, p := range org.People {
		cals = append(cals, google.Calendar{ID: p.Email, Name: p.Feed, Owner: p.Email, Zone: p.Zone})
	}
	w := calendar.Window{From: start.AddDate(0, 0, -7), To: cfg.End().AddDate(0, 0, 60)}
	deleted := map[string]bool{}
	for _, m := range org.Meetings {
		if m.Cancelled {
			deleted[m.UID] = true
		}
	}
	compared, occs := 0, 0
	kinds := map[string]int{}
	for i, res := range syncer.SyncAll(context.Background(), cals) {
		p := org.People[i]
		if res.Err != nil {
			t.Fatalf("sync %s: %v", p.Email, res.Err)
		}
		if len(res.Feed.Warnings) > 0 {
			t.Errorf("%s: conversion warnings: %v", p.Email, res.Feed.Warnings)
		}
		if p.Provider != orgsim.Google || p.Broken {
			continue // Exchange exports differ by design (no cancelled organizer copy)
		}
		gOccs, _ := calendar.Expand(res.Feed.Events, w, calendar.ExpandOptions{Zone: p.Zone})
		iOccs, _ := calendar.Expand(feeds[p.Email].Events, w, calendar.ExpandOptions{Zone: p.Zone})
		var gs, is []string
		for _, o := range gOccs {
			gs = append(gs, occSummary(o))
			switch {
			case o.Cancelled():
				kinds["cancelled"]++
			case o.Moved():
				kinds["moved"]++
			case o.OutOfOffice:
				kinds["ooo"]++
			}
			if strings.Contains(o.UID, "_R") {
				kinds["split"]++
			}
		}
		for _, o := range iOccs {
			if deleted[o.UID] {
				kinds["deleted"]++
			}
			is = append(is, occSummary(o))
		}
		sort.Strings(gs)
		sort.Strings(is)
		if strings.Join(gs, "\n") != strings.Join(is, "\n") {
			t.Errorf("%s: Google and ICS occurrences differ:\ngoogle:\n%s\nics:\n%s", p.Email, strings.Join(gs, "\n"), strings.Join(is, "\n"))
			continue
		}
		compared++
		occs += len(gs)
	}
	if compared < 20 || occs < 500 {
		t.Fatalf("compared %d calendars, %d occurrences: too few", compared, occs)
	}
	if len(deleted) == 0 {
		t.Error("the org has no cancelled meeting")
	}
	for _, k := range []string{"cancelled", "deleted", "moved", "ooo", "split"} {
		if kinds[k] == 0 {
			t.Errorf("no %s occurrence compared (%v)", k, kinds)
		}
	}
}
