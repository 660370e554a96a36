package report

import (
	goldenpkg "github.com/cadence-dev/cadence/internal/golden"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/cadence-dev/cadence/cadence"
)

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	goldenpkg.Check(t, filepath.Join("testdata", name), got)
}

func utc(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t.UTC()
}

func tp(s string) *time.Time {
	t := utc(s)
	return &t
}

func day(s string) time.Time {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return t
}

// hostileName (Bob's name) carries an ANSI escape, a newline, a bidi override, an
// invalid UTF-8 byte and markdown/HTML specials.
const hostileName = "Bob \x1b[31mRed\x1b[0m\nrm -rf | *bold* <b>x</b> [l](http://e) \u202egnp.exe \xff"

func testDirectory(t testing.TB) *cadence.Directory {
	t.Helper()
	people := []cadence.Person{
		{Email: "ceo@example.com", Name: "Cora Chief", HireDate: day("2015-01-05"), ID: "u-100"},
		{Email: "amy@example.com", Name: "Amy Adams", Manager: "ceo@example.com", HireDate: day("2018-03-01"), ID: "u-200"},
		{Email: "bob@example.com", Name: hostileName, Manager: "ceo@example.com", HireDate: day("2019-06-10")},
		{Email: "gus@example.com", Name: "Gus Green", Manager: "ceo@example.com", HireDate: day("2026-10-01"), ID: "u-400"},
		{Email: "dan@example.com", Name: "Dan Diaz", Manager: "amy@example.com", HireDate: day("2020-01-15"), ID: "u-500"},
		{Email: "eve@example.com", Name: "Eve Evans", Manager: "amy@example.com", HireDate: day("2021-02-01"), ID: "u-600"},
		{Email: "fay@example.com", Name: "Fay Fox", Manager: "bob@example.com", HireDate: day("2022-09-01"), ID: "u-700"},
		{Email: "zed@example.com", Name: "Zed Solo", HireDate: day("2023-01-01")},
	}
	d, err := cadence.NewDirectory(people)
	if err != nil {
		t.Fatalf("NewDirectory: %v", err)
	}
	return d
}

const (
	d14 = 14 * 24 * time.Hour
	d7  = 7 * 24 * time.Hour
	d30 = 30 * 24 * time.Hour
	d3  = 3 * 24 * time.Hour
	d2  = 2 * 24 * time.Hour
)

// testSnapshot is a hand-built snapshot covering every status, every flag,
// every kind, null and non-null times, an unrounded ratio, a failing source
// with a hostile error and one that never succeeded.
func testSnapshot(t testing.TB) *cadence.Snapshot {
	pc := func(kv ...any) map[cadence.PairCountKey]int {
		m := map[cadence.PairCountKey]int{}
		for i := 0; i < len(kv); i += 4 {
			m[cadence.PairCountKey{Scope: kv[i].(string), Kind: kv[i+1].(cadence.Kind), Status: kv[i+2].(cadence.Status)}] = kv[i+3].(int)
		}
		return m
	}
	D, S, P := cadence.KindDirect, cadence.KindSkip, cadence.KindPeer
	return &cadence.Snapshot{
		AsOf:      utc("2026-11-16T12:00:00Z"),
		Directory: testDirectory(t),
		Pairs: []cadence.Pair{
			{Kind: D, Lead: "amy@example.com", Member: "dan@example.com", Rule: "direct", Required: true,
				Status: cadence.StatusDue, Flags: []string{cadence.FlagTooShort},
				LastHeld: tp("2026-10-31T09:00:00Z"), NextScheduled: tp("2026-11-17T09:00:00Z"),
				Window:   cadence.Counts{Held: 4, TooShort: 3, Cancelled: 1},
				Interval: d14, Grace: d3, MaxConsecutive: 3},
			{Kind: D, Lead: "amy@example.com", Member: "eve@example.com", Rule: "direct", Required: true,
				Status: cadence.StatusOK, Flags: []string{},
				LastHeld: tp("2026-11-13T15:30:00Z"), NextScheduled: tp("2026-11-27T15:30:00Z"),
				Window:   cadence.Counts{Held: 5, Excused: 2, Rescheduled: 1},
				Interval: d14, Grace: d3, MaxConsecutive: 3},
			{Kind: D, Lead: "bob@example.com", Member: "fay@example.com", Rule: "direct", Required: true,
				Status: cadence.StatusNever, Flags: []string{cadence.FlagNoUpcoming},
				LastHeld: tp("2026-06-01T10:00:00Z"),
				Interval: d14, Grace: d3, MaxConsecutive: 3},
			{Kind: D, Lead: "ceo@example.com", Member: "amy@example.com", Rule: "direct", Required: true,
				Status:   cadence.StatusOK,
				LastHeld: tp("2026-11-10T14:00:00Z"), NextScheduled: tp("2026-11-24T14:00:00Z"),
				Window:   cadence.Counts{Held: 6, Rescheduled: 1},
				Interval: d14, Grace: d3, MaxConsecutive: 3},
			{Kind: D, Lead: "ceo@example.com", Member: "bob@example.com", Rule: "direct", Required: true,
				Status: cadence.StatusOverdue, Flags: []string{cadence.FlagNoUpcoming, cadence.FlagCancelStreak},
				LastHeld:                 tp("2026-10-20T16:00:00Z"),
				ConsecutiveCancellations: 3,
				Window:                   cadence.Counts{Held: 3, Cancelled: 2, Declined: 1},
				Interval:                 d14, Grace: d3, MaxConsecutive: 3},
			{Kind: D, Lead: "ceo@example.com", Member: "gus@example.com", Rule: "new-hire", Required: true,
				Status: cadence.StatusNever, NextScheduled: tp("2026-11-18T09:30:00Z"),
				Interval: d7, Grace: d2, MaxConsecutive: 3},
			{Kind: S, Lead: "ceo@example.com", Member: "dan@example.com", Rule: "skip",
				Status: cadence.StatusOK, Flags: []string{cadence.FlagNoUpcoming},
				LastHeld: tp("2026-11-02T11:00:00Z"),
				Window:   cadence.Counts{Held: 2},
				Interval: d30, Grace: d7, MaxConsecutive: 3},
			{Kind: P, Lead: "dan@example.com", Member: "fay@example.com", Rule: "peer",
				Status: cadence.StatusOverdue, Flags: []string{cadence.FlagCancelStreak},
				LastHeld: tp("2026-09-01T13:00:00Z"), NextScheduled: tp("2026-12-01T13:00:00Z"),
				ConsecutiveCancellations: 4,
				Window:                   cadence.Counts{Held: 1, Cancelled: 4},
				Interval:                 d30, Grace: d7, MaxConsecutive: 3},
		},
		Managers: []cadence.Manager{
			{Manager: "amy@example.com",
				Direct: cadence.Tally{Pairs: 2, Compliant: 2, Ratio: 1},
				Org:    cadence.Tally{Pairs: 2, Compliant: 2, Ratio: 1},
				PairCounts: pc("direct", D, cadence.StatusOK, 1, "direct", D, cadence.StatusDue, 1,
					"org", D, cadence.StatusOK, 1, "org", D, cadence.StatusDue, 1)},
			{Manager: "bob@example.com",
				Direct:     cadence.Tally{Pairs: 1, Compliant: 0, Ratio: 0},
				Org:        cadence.Tally{Pairs: 1, Compliant: 0, Ratio: 0},
				PairCounts: pc("direct", D, cadence.StatusNever, 1, "org", D, cadence.StatusNever, 1)},
			{Manager: "ceo@example.com",
				Direct: cadence.Tally{Pairs: 3, Compliant: 1, Ratio: 1.0 / 3},
				Org:    cadence.Tally{Pairs: 6, Compliant: 3, Ratio: 0.5},
				PairCounts: pc("direct", D, cadence.StatusOK, 1, "direct", D, cadence.StatusOverdue, 1, "direct", D, cadence.StatusNever, 1,
					"org", D, cadence.StatusOK, 2, "org", D, cadence.StatusDue, 1, "org", D, cadence.StatusOverdue, 1, "org", D, cadence.StatusNever, 2,
					"org", S, cadence.StatusOK, 1)},
		},
		Sources: []cadence.SourceStatus{
			{Name: "ceo-google", OK: true, LastSuccess: tp("2026-11-16T11:55:00Z")},
			{Name: "bob.ics", OK: false, LastSuccess: tp("2026-11-10T08:00:00Z"),
				Error: "calendar: bob.ics: line 12: DTSTART: bad time \"x\"\n\x1b[2Jpwned | *bold* <script>"},
			{Name: "new-feed", OK: false, Error: ""},
		},
	}
}

func readFile(path string) ([]byte, error) { return os.ReadFile(path) }
