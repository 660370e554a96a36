package bench

import (
	"bytes"
	"encoding/json"
	"os"
	"reflect"
	"testing"
	"time"

	"github.com/cadence-dev/cadence/cadence"
	"github.com/cadence-dev/cadence/calendar"
)

// TestRelevanceChangesNothing checks cadence.Relevance on generated orgs:
// evaluating only the series it keeps gives the very snapshot of
// evaluating everything, at the org's end and a week and a month earlier,
// while leaving most occurrences unexpanded.
func TestRelevanceChangesNothing(t *testing.T) {
	for _, seed := range []uint64{1, 2, 3} {
		o, err := Generate(t.TempDir(), 300, 4, seed)
		if err != nil {
			t.Fatal(err)
		}
		var events [][]calendar.Event
		var zones []*time.Location
		for _, f := range o.Feeds {
			data, err := os.ReadFile(f.Path)
			if err != nil {
				t.Fatal(err)
			}
			feed, err := calendar.ParseICS(bytes.NewReader(data), calendar.ParseOptions{Name: f.Name, Owner: f.Owner, Zone: f.Zone})
			if err != nil {
				t.Fatal(err)
			}
			events = append(events, feed.Events)
			zones = append(zones, f.Zone)
		}
		copies := 0
		expand := func(evs [][]calendar.Event) []calendar.Occurrence {
			var all []calendar.Occurrence
			for i, e := range evs {
				occs, _ := calendar.Expand(e, o.Window, calendar.ExpandOptions{Zone: zones[i]})
				all = append(all, occs...)
			}
			copies = len(all)
			return calendar.Dedup(all)
		}
		opts := Options()
		full := expand(events)
		fullCopies := copies
		keep, removed := cadence.NewRelevance(o.Directory, opts).Series(events)
		kept := make([][]calendar.Event, len(events))
		for i, evs := range events {
			kept[i] = cadence.KeepSeries(evs, keep)
		}
		some := expand(kept)
		t.Logf("seed %d: kept %d of %d expanded copies, %d of %d occurrences; %d series removed", seed, copies, fullCopies, len(some), len(full), len(removed))
		if len(removed) == 0 || copies == fullCopies {
			t.Errorf("seed %d: the filter removed nothing", seed)
		}
		for _, now := range []time.Time{o.Now, o.Now.AddDate(0, 0, -7), o.Now.AddDate(0, -1, 0)} {
			want := cadence.Evaluate(o.Directory, full, opts, now, nil)
			got := cadence.Evaluate(o.Directory, some, opts, now, nil)
			if len(want.Pairs) == 0 {
				t.Fatalf("seed %d: no pairs evaluated", seed)
			}
			if !reflect.DeepEqual(got, want) {
				wj, _ := json.Marshal(want)
				gj, _ := json.Marshal(got)
				t.Errorf("seed %d at %s: filtered evaluation differs (%d vs %d bytes of JSON)", seed, now, len(gj), len(wj))
				for i := range want.Pairs {
					if i >= len(got.Pairs) || !reflect.DeepEqual(got.Pairs[i], want.Pairs[i]) {
						t.Errorf("first differing pair %d: %+v", i, want.Pairs[i])
						break
					}
				}
			}
		}
	}
}
