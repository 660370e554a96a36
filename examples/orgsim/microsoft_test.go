package orgsim_test

import (
	"bytes"
	"context"
	"net/http/httptest"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/cadence-dev/cadence/calendar"
	"github.com/cadence-dev/cadence/calendar/microsoft"
	"github.com/cadence-dev/cadence/calendar/microsoft/fakegraph"
	"github.com/cadence-dev/cadence/examples/orgsim"
)

type fixedClock struct{ t time.Time }

func (c fixedClock) Now() time.Time                                   { return c.t }
func (c fixedClock) Sleep(ctx context.Context, _ time.Duration) error { return ctx.Err() }

// TestMicrosoftDatasetMatchesFeeds loads a generated org's Graph dataset
// (as JSON) into the fake Graph server, syncs every mailbox through the
// Microsoft source and checks each person's occurrences equal those of
// their ICS feed: the same meetings, moves, cancellations (absent
// occurrences in the organizer's mailbox, "Canceled:" copies in the
// attendees'), declines and split series. Series on a fifth weekday, which
// Graph's patterns cannot express, are left out, and so are the meetings a
// Google-hosted organizer cancelled (kept in a Google export, gone from an
// Exchange mailbox).
func TestMicrosoftDatasetMatchesFeeds(t *testing.T) {
	cfg := orgsim.Config{People: 80, Months: 6, Seed: 11, Start: start, Broken: 1}
	org, dir := generate(t, cfg)
	feeds := parseFeeds(t, org, dir)

	var buf bytes.Buffer
	if err := org.WriteMicrosoftDataset(&buf); err != nil {
		t.Fatal(err)
	}
	fake := fakegraph.New()
	if err := fake.LoadDataset(&buf, "dataset"); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(fake)
	defer srv.Close()
	now := cfg.End()
	syncer, err := microsoft.New(microsoft.Config{Endpoint: fakegraph.Endpoint(srv.URL), Clock: fixedClock{now}, RequestsPer10Min: -1}, microsoft.NewMemoryStore())
	if err != nil {
		t.Fatal(err)
	}
	fifth := map[string]bool{}
	for _, m := range org.Meetings {
		if m.Recur != nil && m.Recur.Freq == orgsim.Monthly && m.Start.Day() > 28 {
			fifth[calendar.SeriesUID(m.UID)] = true
		}
	}
	var boxes []microsoft.Mailbox
	for _, p := range org.People {
		boxes = append(boxes, microsoft.Mailbox{ID: p.Email, Name: p.Feed, Owner: p.Email, Zone: p.Zone})
	}
	w := calendar.Window{From: start.AddDate(0, 0, -7), To: now.AddDate(0, 0, 60)}
	compared, occs := 0, 0
	kinds := map[string]int{}
	for i, res := range syncer.SyncAll(context.Background(), boxes) {
		p := org.People[i]
		if p.Broken {
			if res.Err == nil || !strings.Contains(res.Err.Error(), "403") {
				t.Errorf("%s (broken): err %v, want 403", p.Email, res.Err)
			}
			continue
		}
		if res.Err != nil {
			t.Fatalf("sync %s: %v", p.Email, res.Err)
		}
		if len(res.Feed.Warnings) > 0 {
			t.Errorf("%s: conversion warnings: %v", p.Email, res.Feed.Warnings)
		}
		// A Google export keeps a meeting its organizer cancelled in the
		// organizer's feed (STATUS:CANCELLED); Exchange drops it.
		skip := map[string]bool{}
		for k := range fifth {
			skip[k] = true
		}
		if p.Provider == orgsim.Google {
			for _, m := range org.Meetings {
				if m.Cancelled && m.Organizer == p.Email {
					skip[m.UID] = true
				}
			}
		}
		gOccs, _ := calendar.Expand(res.Feed.Events, w, calendar.ExpandOptions{Zone: p.Zone})
		iOccs, _ := calendar.Expand(feeds[p.Email].Events, w, calendar.ExpandOptions{Zone: p.Zone})
		var gs, is []string
		for _, o := range gOccs {
			if skip[o.SeriesUID] {
				continue
			}
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
			for _, a := range o.Attendees {
				if a.Response == calendar.ResponseDeclined {
					kinds["declined"]++
				}
			}
		}
		for _, o := range iOccs {
			if !skip[o.SeriesUID] {
				is = append(is, occSummary(o))
			}
		}
		sort.Strings(gs)
		sort.Strings(is)
		if strings.Join(gs, "\n") != strings.Join(is, "\n") {
			t.Errorf("%s: Graph and ICS occurrences differ:\ngraph:\n%s\nics:\n%s", p.Email, strings.Join(gs, "\n"), strings.Join(is, "\n"))
			continue
		}
		compared++
		occs += len(gs)
	}
	if compared < 60 || occs < 2000 {
		t.Fatalf("compared %d mailboxes, %d occurrences: too few", compared, occs)
	}
	for _, k := range []string{"cancelled", "moved", "declined", "ooo", "split"} {
		if kinds[k] == 0 {
			t.Errorf("no %s occurrence compared (%v)", k, kinds)
		}
	}
	t.Logf("compared %d mailboxes, %d occurrences (%v); %d fifth-weekday series left out", compared, occs, kinds, len(fifth))
}
