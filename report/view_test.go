package report

import (
	"strings"
	"testing"

	"github.com/cadence-dev/cadence/cadence"
	"github.com/cadence-dev/cadence/calendar"
)

func TestWorstFirst(t *testing.T) {
	p := func(member string, st cadence.Status, streak int, last string) cadence.Pair {
		x := cadence.Pair{Lead: "l@x", Member: member, Status: st, ConsecutiveCancellations: streak}
		if last != "" {
			x.LastHeld = tp(last)
		}
		return x
	}
	ps := []cadence.Pair{
		p("ok-a", cadence.StatusOK, 0, "2026-11-10T00:00:00Z"),
		p("due", cadence.StatusDue, 0, "2026-11-01T00:00:00Z"),
		p("overdue-new", cadence.StatusOverdue, 1, "2026-10-20T00:00:00Z"),
		p("overdue-old", cadence.StatusOverdue, 1, "2026-09-01T00:00:00Z"),
		p("overdue-streak", cadence.StatusOverdue, 5, "2026-10-25T00:00:00Z"),
		p("never-held-old", cadence.StatusNever, 0, "2026-01-01T00:00:00Z"),
		p("never-b", cadence.StatusNever, 0, ""),
		p("never-a", cadence.StatusNever, 0, ""),
		p("weird", cadence.Status("unknown"), 0, ""),
		p("ok-streak", cadence.StatusOK, 2, "2026-11-10T00:00:00Z"),
	}
	worstFirst(ps)
	var got []string
	for _, x := range ps {
		got = append(got, x.Member)
	}
	want := "weird never-a never-b never-held-old overdue-streak overdue-old overdue-new due ok-streak ok-a"
	if strings.Join(got, " ") != want {
		t.Errorf("order\n got %s\nwant %s", strings.Join(got, " "), want)
	}
}

func TestSummaries(t *testing.T) {
	v := &view{sources: []cadence.SourceStatus{{Name: "a", OK: true}, {Name: "b", OK: true}}}
	if got := sourcesSummary(v); got != "sources: all 2 ok" {
		t.Errorf("sourcesSummary = %q", got)
	}
	asOf := utc("2026-11-16T23:30:00Z")
	for _, tc := range []struct{ got, want string }{
		{lastHeldText(tp("2026-11-16T00:10:00Z"), asOf), "2026-11-16 (today)"},
		{lastHeldText(tp("2026-11-15T23:59:00Z"), asOf), "2026-11-15 (1 day ago)"},
		{lastHeldText(tp("2026-11-17T01:00:00Z"), asOf), "2026-11-17"},
		{nextText(tp("2026-11-16T23:45:00Z"), asOf), "2026-11-16 23:45 (today)"},
		{nextText(tp("2026-11-17T00:15:00Z"), asOf), "2026-11-17 00:15 (in 1 day)"},
		{nextText(tp("2026-11-01T00:15:00Z"), asOf), "2026-11-01 00:15"},
		{cancelReasonText(calendar.CancelStatus), "status cancelled"},
		{cancelReasonText(calendar.CancelTitlePrefix), `title starts with "Canceled:"`},
		{cancelReasonText(calendar.CancelVanished), "vanished from the calendar since an earlier read"},
		{cancelReasonText("odd\x1b"), `odd\x1b`},
	} {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
}
