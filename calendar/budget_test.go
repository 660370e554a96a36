package calendar_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/cadence-dev/cadence/calendar"
	"github.com/cadence-dev/cadence/internal/hostile"
)

var (
	pair = hostile.Pair{Lead: "ana@example.com", Member: "bo@example.com"}
	// a window of 400 days back, as an evaluation's
	budgetWindow = calendar.Window{From: time.Date(2025, 11, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 12, 5, 0, 0, 0, 0, time.UTC)}
)

func parse(t *testing.T, opts calendar.ParseOptions, feeds ...[]byte) *calendar.Feed {
	t.Helper()
	if opts.Name == "" {
		opts.Name = "evil"
	}
	f, err := calendar.ParseICS(bytes.NewReader(bytes.Join(feeds, nil)), opts)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

type exceeded struct {
	err    *calendar.BudgetError
	series []string
}

func expand(f *calendar.Feed, opts calendar.ExpandOptions) ([]calendar.Occurrence, []exceeded) {
	var got []exceeded
	opts.Exceeded = func(err *calendar.BudgetError, series []string) { got = append(got, exceeded{err, series}) }
	occs, _ := calendar.Expand(f.Events, budgetWindow, opts)
	return occs, got
}

func countUID(occs []calendar.Occurrence, uid string) int {
	n := 0
	for _, o := range occs {
		if o.UID == uid {
			n++
		}
	}
	return n
}

// The expansion blow-up: 100 series of one instance a minute. Every one
// is dropped by the series limit, named, and the ordinary weekly 1:1
// beside them keeps all its occurrences.
func TestHostileSeriesLimit(t *testing.T) {
	f := parse(t, calendar.ParseOptions{}, hostile.MinuteSeries(100, pair, "20260101"), hostile.Weekly("good@x", pair, "20260105"))
	occs, ex := expand(f, calendar.ExpandOptions{})
	if n := countUID(occs, "good@x"); n != 48 {
		t.Errorf("good series: %d occurrences, want 48", n)
	}
	if len(occs) != 48 {
		t.Errorf("%d occurrences in all, want only the good series' 48", len(occs))
	}
	if len(ex) != 1 || ex[0].err.Limit != "series_occurrences" || len(ex[0].series) != 100 {
		t.Fatalf("exceeded = %+v, want one series_occurrences error for 100 series", ex)
	}
	want := "calendar: feed evil: UID minute-0@hostile: series_occurrences limit of 10000 exceeded; 100 series dropped (the first named)"
	if got := ex[0].err.Error(); got != want {
		t.Errorf("error:\n got %s\nwant %s", got, want)
	}
	if !errors.Is(ex[0].err, calendar.ErrBudget) {
		t.Error("a BudgetError is not ErrBudget")
	}
}

// Without Exceeded the errors come back among the warnings.
func TestHostileSeriesLimitWarns(t *testing.T) {
	f := parse(t, calendar.ParseOptions{}, hostile.HourlySeries(1, pair, "20260101"))
	occs, warns := calendar.Expand(f.Events, budgetWindow, calendar.ExpandOptions{Limits: calendar.Limits{SeriesOccurrences: 100}})
	if len(occs) != 0 || len(warns) != 1 || !strings.Contains(warns[0], "UID hourly-0@hostile: series_occurrences limit of 100 exceeded") {
		t.Errorf("occs %d, warnings %q", len(occs), warns)
	}
}

// Ordinary daily series, many of them: the feed limit keeps what fits
// and drops the rest, the good series first in the feed included.
func TestHostileFeedLimit(t *testing.T) {
	f := parse(t, calendar.ParseOptions{}, hostile.Weekly("good@x", pair, "20260105"), hostile.DailySeries(10, pair, "20261101"))
	occs, ex := expand(f, calendar.ExpandOptions{Limits: calendar.Limits{FeedOccurrences: 48 + 3*34}})
	if n := countUID(occs, "good@x"); n != 48 {
		t.Errorf("good series: %d occurrences, want 48", n)
	}
	if len(occs) != 48+3*34 {
		t.Errorf("%d occurrences, want %d", len(occs), 48+3*34)
	}
	if len(ex) != 1 || ex[0].err.Limit != "feed_occurrences" || ex[0].err.UID != "daily-3@hostile" || len(ex[0].series) != 7 {
		t.Fatalf("exceeded = %+v", ex)
	}
}

// The evaluation's budget is shared by the calendars expanded with it.
func TestHostileEvaluationLimit(t *testing.T) {
	f := parse(t, calendar.ParseOptions{}, hostile.Weekly("good@x", pair, "20260105"))
	b := &calendar.EvaluationBudget{Limit: 100, Left: 100}
	for i, want := range []int{48, 48, 0} {
		occs, ex := expand(f, calendar.ExpandOptions{Evaluation: b})
		if len(occs) != want {
			t.Errorf("call %d: %d occurrences, want %d", i, len(occs), want)
		}
		if (want == 0) != (len(ex) == 1 && ex[0].err.Limit == "evaluation_occurrences") {
			t.Errorf("call %d: exceeded %+v", i, ex)
		}
	}
	if b.Left != 4 {
		t.Errorf("left %d, want 4", b.Left)
	}
}

// The VTIMEZONE bomb: zones built from rules since 1601 until the feed's
// transition budget is spent; the rest fall back to the feed's zone, and
// the feed says so once.
func TestHostileZoneTransitionLimit(t *testing.T) {
	f := parse(t, calendar.ParseOptions{Limits: calendar.Limits{ZoneTransitions: 3000}}, hostile.ZoneBomb(20, 4, pair, "20260105"))
	if len(f.Events) != 20 {
		t.Fatalf("%d events, want 20", len(f.Events))
	}
	if len(f.Exceeded) != 1 {
		t.Fatalf("exceeded = %v", f.Exceeded)
	}
	e := f.Exceeded[0]
	if e.Limit != "zone_transitions" || e.Feed != "evil" || e.UID == "" || !strings.Contains(e.Dropped, "time zones not built") {
		t.Errorf("exceeded: %v", e)
	}
}

// A parse that outlives its time budget fails as a whole, naming the
// event it stopped at; the clock is the injected one.
func TestHostileParseTimeLimit(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	clock := func() time.Time { now = now.Add(time.Second); return now }
	_, err := calendar.ParseICS(bytes.NewReader(hostile.DailySeries(10, pair, "20260101")),
		calendar.ParseOptions{Name: "slow", Limits: calendar.Limits{ParseTime: 5 * time.Second}, Now: clock})
	var be *calendar.BudgetError
	if !errors.As(err, &be) || be.Limit != "parse_time" || be.UID != "daily-5@hostile" {
		t.Fatalf("err = %v", err)
	}
	if want := "calendar: feed slow: UID daily-5@hostile: parse_time limit of 5s exceeded; feed not read (stopped at the VEVENT at line 59)"; err.Error() != want {
		t.Errorf("error:\n got %s\nwant %s", err, want)
	}
}
