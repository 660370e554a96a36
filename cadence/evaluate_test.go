package cadence

import (
	"reflect"
	"testing"
	"time"

	"github.com/cadence-dev/cadence/calendar"
)

const dayD = 24 * time.Hour

func held(lead, member string, at time.Time) calendar.Occurrence {
	return mk("h-"+lead+member+at.Format(time.RFC3339), at, 30*time.Minute, lead, member)
}

func TestStatusBoundaries(t *testing.T) {
	d := testDir(t)
	// m2/e3 falls under the "direct" rule: every 14d, grace 3d.
	tests := []struct {
		name     string
		lastHeld time.Duration // before T
		want     Status
	}{
		{"held a day ago", dayD, StatusOK},
		{"exactly every", 14 * dayD, StatusOK},
		{"just past every", 14*dayD + time.Second, StatusDue},
		{"exactly every+grace", 17 * dayD, StatusDue},
		{"just past every+grace", 17*dayD + time.Second, StatusOverdue},
		{"exactly at window start", 90 * dayD, StatusOverdue},
		{"just before the window: never, last_held kept", 90*dayD + time.Second, StatusNever},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := Evaluate(d, []calendar.Occurrence{held(m2, e3, T.Add(-tt.lastHeld))}, testOpts(), T, nil)
			p := findPair(t, s, m2, e3)
			if p.Rule != "direct" || p.Status != tt.want {
				t.Fatalf("rule %q status %q, want direct %q", p.Rule, p.Status, tt.want)
			}
			if p.LastHeld == nil || !p.LastHeld.Equal(T.Add(-tt.lastHeld)) {
				t.Errorf("last_held %v", p.LastHeld)
			}
			wantHeld := 1
			if tt.want == StatusNever {
				wantHeld = 0
			}
			if p.Window.Held != wantHeld {
				t.Errorf("window held %d, want %d", p.Window.Held, wantHeld)
			}
			if p.Interval != 14*dayD || p.Grace != 3*dayD || p.MaxConsecutive != 3 || !p.Required {
				t.Errorf("rule figures %v %v %d %v", p.Interval, p.Grace, p.MaxConsecutive, p.Required)
			}
		})
	}
}

func TestNeverWithoutOccurrences(t *testing.T) {
	s := Evaluate(testDir(t), nil, testOpts(), T, nil)
	p := findPair(t, s, m2, e3)
	want := Pair{Kind: KindDirect, Lead: m2, Member: e3, Rule: "direct", Required: true, Status: StatusNever,
		Flags: []string{FlagNoUpcoming}, Interval: 14 * dayD, Grace: 3 * dayD, MaxConsecutive: 3}
	if !reflect.DeepEqual(*p, want) {
		t.Fatalf("got  %+v\nwant %+v", *p, want)
	}
}

func TestWindowCounts(t *testing.T) {
	d := testDir(t)
	berlin, _ := time.LoadLocation("Europe/Berlin")
	var occs []calendar.Occurrence
	// A weekly 09:00 Berlin series across the DST change of 2026-03-29:
	// instants move by an hour in UTC but nothing is rescheduled.
	for _, day := range []int{20, 27} {
		occs = append(occs, mk("w", time.Date(2026, 3, day, 9, 0, 0, 0, berlin), 30*time.Minute, m2, e3))
	}
	occs[1].SeriesUID, occs[1].UID = "w2", "w2"
	occs = append(occs,
		mk("short", T.Add(-3*dayD), 10*time.Minute, m2, e3),
		with(mk("moved", T.Add(-40*dayD), 30*time.Minute, m2, e3), func(o *calendar.Occurrence) {
			o.Start, o.End = o.Start.Add(dayD), o.End.Add(dayD)
		}),
		cancel(mk("c", T.Add(-10*dayD), 30*time.Minute, m2, e3), calendar.CancelExdate),
		mk("dec", T.Add(-11*dayD), 30*time.Minute, m2, e3+":declined"),
		cancel(mk("exc", T.Add(-12*dayD), 30*time.Minute, m2, e3), calendar.CancelStatus),
		ooo(e3, T.Add(-13*dayD), T.Add(-11*dayD-time.Hour), false),
		mk("old", T.Add(-100*dayD), 30*time.Minute, m2, e3),                             // before the window
		cancel(mk("atT", T, 30*time.Minute, m2, e3), calendar.CancelStatus),             // start == T: in the window
		mk("next", T.Add(7*dayD), 30*time.Minute, m2, e3),                               // future
		cancel(mk("nextc", T.Add(dayD), 30*time.Minute, m2, e3), calendar.CancelStatus), // future, cancelled
		with(mk("room", T.Add(-20*dayD), 30*time.Minute, m2, e3, "r@example.com:room"), func(o *calendar.Occurrence) {
			o.Attendees[1].Response = calendar.ResponseDeclined
		}),
	)
	s := Evaluate(d, occs, testOpts(), T, nil)
	p := findPair(t, s, m2, e3)
	want := Counts{Held: 5, Cancelled: 2, Declined: 1, Excused: 1, Rescheduled: 1, TooShort: 1}
	if p.Window != want {
		t.Errorf("window %+v, want %+v", p.Window, want)
	}
	if !p.LastHeld.Equal(T.Add(-3 * dayD)) {
		t.Errorf("last_held %v", p.LastHeld)
	}
	if p.NextScheduled == nil || !p.NextScheduled.Equal(T.Add(7*dayD)) {
		t.Errorf("next_scheduled %v, want the first non-cancelled future one", p.NextScheduled)
	}
	if len(p.Occurrences) != len(occs)-1 {
		t.Errorf("%d occurrences kept, want %d", len(p.Occurrences), len(occs)-1)
	}
	for i := 1; i < len(p.Occurrences); i++ {
		if p.Occurrences[i].Start.Before(p.Occurrences[i-1].Start) {
			t.Errorf("occurrences not oldest first at %d", i)
		}
	}
	// Streak counts back from T over start < T: the cancellation at T and
	// the future one do not count; the newest past one is held.
	if p.ConsecutiveCancellations != 0 || p.Status != StatusOK {
		t.Errorf("streak %d status %s", p.ConsecutiveCancellations, p.Status)
	}
}

func TestNextScheduledAtT(t *testing.T) {
	s := Evaluate(testDir(t), []calendar.Occurrence{mk("x", T, 30*time.Minute, m2, e3)}, testOpts(), T, nil)
	p := findPair(t, s, m2, e3)
	if p.NextScheduled == nil || !p.NextScheduled.Equal(T) || p.Window.Held != 0 || p.LastHeld != nil {
		t.Fatalf("an occurrence at exactly T is upcoming: next %v held %d last %v", p.NextScheduled, p.Window.Held, p.LastHeld)
	}
}

func TestStreak(t *testing.T) {
	d := testDir(t)
	wk := func(n int) time.Time { return T.Add(-time.Duration(n) * 7 * dayD) }
	c := func(n int) calendar.Occurrence {
		return cancel(mk("s", wk(n), 30*time.Minute, m2, e3), calendar.CancelStatus)
	}
	dec := func(n int) calendar.Occurrence { return mk("s", wk(n), 30*time.Minute, m2, e3+":declined") }
	h := func(n int) calendar.Occurrence { return mk("s", wk(n), 30*time.Minute, m2, e3) }
	away := func(n int) calendar.Occurrence { return ooo(m2, wk(n).Add(-time.Hour), wk(n).Add(time.Hour), false) }
	uniq := func(occs ...calendar.Occurrence) []calendar.Occurrence {
		for i := range occs {
			occs[i].UID += occs[i].Start.Format(time.RFC3339)
			occs[i].SeriesUID = occs[i].UID
		}
		return occs
	}
	tests := []struct {
		name   string
		occs   []calendar.Occurrence
		max    int
		streak int
		flags  []string
	}{
		{"none", uniq(h(1), h(2)), 3, 0, []string{FlagNoUpcoming}},
		{"cancelled and declined count, held stops", uniq(c(1), dec(2), h(3), c(4)), 3, 2, []string{FlagNoUpcoming}},
		{"excused neither counts nor breaks", uniq(c(1), c(2), away(2), dec(3), h(4)), 3, 2, []string{FlagNoUpcoming}},
		{"threshold reached", uniq(c(1), c(2), away(2), dec(3), c(4), h(5)), 3, 3, []string{FlagCancelStreak, FlagNoUpcoming}},
		{"threshold 4 not reached", uniq(c(1), c(2), dec(3), h(4)), 4, 3, []string{FlagNoUpcoming}},
		{"threshold 0 disables the flag", uniq(c(1), c(2), dec(3), h(4)), 0, 3, []string{FlagNoUpcoming}},
		{"streak looks past the window", uniq(c(1), c(5), c(10), c(13), c(14), c(15), h(16)), 3, 6, []string{FlagCancelStreak, FlagNoUpcoming}},
		{"future ones do not count", uniq(c(-1), c(-2), h(1)), 3, 0, []string{FlagNoUpcoming}},
		{"future scheduled clears no_upcoming", uniq(c(1), c(2), c(3), h(-1)), 3, 3, []string{FlagCancelStreak}},
		{"future declined is still scheduled", uniq(h(1), dec(-1)), 3, 0, []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := testOpts()
			opts.Rules[1].MaxConsecutiveCancellations = tt.max
			p := findPair(t, Evaluate(d, tt.occs, opts, T, nil), m2, e3)
			if p.ConsecutiveCancellations != tt.streak || !reflect.DeepEqual(p.Flags, tt.flags) {
				t.Errorf("streak %d flags %v, want %d %v", p.ConsecutiveCancellations, p.Flags, tt.streak, tt.flags)
			}
			if p.MaxConsecutive != tt.max {
				t.Errorf("max %d", p.MaxConsecutive)
			}
		})
	}
}

func TestTooShortFlag(t *testing.T) {
	d := testDir(t)
	mkd := func(days int, mins time.Duration) calendar.Occurrence {
		return mk("t"+time.Duration(days).String(), T.Add(-time.Duration(days)*dayD), mins*time.Minute, m2, e3)
	}
	tests := []struct {
		name  string
		occs  []calendar.Occurrence
		flags []string
	}{
		{"two of three short", []calendar.Occurrence{mkd(1, 10), mkd(2, 19), mkd(3, 30)}, []string{FlagNoUpcoming, FlagTooShort}},
		{"exactly half is not more than half", []calendar.Occurrence{mkd(1, 10), mkd(2, 30)}, []string{FlagNoUpcoming}},
		{"short ones before the window do not count", []calendar.Occurrence{mkd(1, 30), mkd(95, 10), mkd(96, 10)}, []string{FlagNoUpcoming}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := findPair(t, Evaluate(d, tt.occs, testOpts(), T, nil), m2, e3)
			if !reflect.DeepEqual(p.Flags, tt.flags) {
				t.Errorf("flags %v, want %v", p.Flags, tt.flags)
			}
		})
	}
}

func TestPolicyMatching(t *testing.T) {
	d := testDir(t)
	bigTeam := Rule{Name: "big-team", Match: Match{Kinds: []Kind{KindDirect}, ReportsOver: 1}, Every: 10 * dayD, Required: true}
	buddies := Rule{Name: "buddies", Match: Match{Pairs: [][2]string{{"E3@example.com", "mailto:e2@example.com"}}}, Every: 60 * dayD}
	tests := []struct {
		name  string
		rules []Rule
		now   time.Time
		want  map[[2]string]string // pair -> rule
	}{
		{"defaults: tenure from hire date and from team start", DefaultRules(), T, map[[2]string]string{
			{m1, e1}: "new-hire", {m1, e2}: "new-hire", {m2, e3}: "direct", {vp, m1}: "direct"}},
		{"order matters", []Rule{DefaultRules()[1], DefaultRules()[0]}, T, map[[2]string]string{
			{m1, e1}: "direct", {m1, e2}: "direct"}},
		// e1 was hired 2026-02-01: 90 days later at 00:00 UTC the tenure is
		// no longer under 90 days.
		{"tenure exactly 90 days", DefaultRules(), date(2026, 5, 2), map[[2]string]string{{m1, e1}: "direct"}},
		{"tenure a second under 90 days", DefaultRules(), date(2026, 5, 2).Add(-time.Second), map[[2]string]string{{m1, e1}: "new-hire"}},
		{"reports_over", append([]Rule{bigTeam}, DefaultRules()...), T, map[[2]string]string{
			{m1, e1}: "big-team", {m2, e3}: "direct", {vp, m1}: "big-team", {ceo, cto}: "big-team"}},
		{"explicit pairs, either order, aliases", append([]Rule{buddies}, DefaultRules()...), T, map[[2]string]string{
			{e2, e3}: "buddies", {m2, e3}: "direct"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := testOpts()
			opts.Rules = tt.rules
			s := Evaluate(d, nil, opts, tt.now, nil)
			for pr, rule := range tt.want {
				if p := findPair(t, s, pr[0], pr[1]); p.Rule != rule {
					t.Errorf("%s/%s rule %q, want %q", pr[0], pr[1], p.Rule, rule)
				}
			}
		})
	}
}

func TestTenureReadAsUTCDate(t *testing.T) {
	tokyo := time.FixedZone("JST", 9*3600)
	people := []Person{
		{Email: "boss@example.com", HireDate: date(2010, 1, 1)},
		// 2026-02-01 00:00 in Tokyo is 2026-01-31 15:00 UTC; tenure counts
		// from 2026-02-01 00:00 UTC.
		{Email: "new@example.com", Manager: "boss@example.com", HireDate: time.Date(2026, 2, 1, 0, 0, 0, 0, tokyo)},
	}
	d, err := NewDirectory(people)
	if err != nil {
		t.Fatal(err)
	}
	s := Evaluate(d, nil, testOpts(), date(2026, 5, 2).Add(-time.Second), nil)
	if p := findPair(t, s, "boss@example.com", "new@example.com"); p.Rule != "new-hire" {
		t.Fatalf("rule %q, want new-hire", p.Rule)
	}
}

func TestWhichPairs(t *testing.T) {
	d := testDir(t)
	occs := []calendar.Occurrence{
		held(e1, vp, T.Add(-10*dayD)),    // skip in the window
		held(e3, vp, T.Add(-100*dayD)),   // skip before the window
		held(e2, e1, T.Add(89*dayD)),     // peer, future, within T+window
		held(e3, e2, T.Add(91*dayD)),     // peer beyond T+window
		held(cto, m1, T.Add(-90*dayD)),   // peer exactly at T-window
		held(cto, e3, T.Add(-200*dayD)),  // peer long ago
		held(m1, e1, T.Add(-300*dayD)),   // direct, long ago
		held(ceo, cto, T.Add(-500*dayD)), // direct, long ago
	}
	list := func(s *Snapshot) [][3]string {
		var out [][3]string
		for _, p := range s.Pairs {
			out = append(out, [3]string{string(p.Kind), p.Lead, p.Member})
		}
		return out
	}
	directs := [][3]string{{"direct", ceo, cto}, {"direct", ceo, vp}, {"direct", m1, e1}, {"direct", m1, e2},
		{"direct", m2, e3}, {"direct", vp, m1}, {"direct", vp, m2}}
	tests := []struct {
		name  string
		rules func([]Rule) []Rule
		want  [][3]string
	}{
		{"defaults", func(r []Rule) []Rule { return r },
			append(append([][3]string{}, directs...), [3]string{"skip", vp, e1}, [3]string{"peer", cto, m1}, [3]string{"peer", e1, e2})},
		{"required skip rule covers every skip pair", func(r []Rule) []Rule { r[2].Required = true; return r },
			append(append([][3]string{}, directs...), [3]string{"skip", ceo, m1}, [3]string{"skip", ceo, m2},
				[3]string{"skip", vp, e1}, [3]string{"skip", vp, e2}, [3]string{"skip", vp, e3},
				[3]string{"peer", cto, m1}, [3]string{"peer", e1, e2})},
		{"required peer rule covers peers met long ago", func(r []Rule) []Rule { r[3].Required = true; return r },
			append(append([][3]string{}, directs...), [3]string{"skip", vp, e1}, [3]string{"peer", cto, e3},
				[3]string{"peer", cto, m1}, [3]string{"peer", e1, e2}, [3]string{"peer", e2, e3})},
		{"no rule, no evaluation", func(r []Rule) []Rule { return r[:2] }, directs},
		{"listed pair without occurrences", func(r []Rule) []Rule {
			return append(r[:2], Rule{Name: "pairs", Match: Match{Pairs: [][2]string{{m2, "vp.alias@example.com"}, {e3, "nobody@example.com"}, {e3, e3}, {e2, ceo}}}})
		}, append(append([][3]string{}, directs...), [3]string{"peer", ceo, e2})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := testOpts()
			opts.Rules = tt.rules(DefaultRules())
			got := list(Evaluate(d, occs, opts, T, nil))
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("pairs\n got %v\nwant %v", got, tt.want)
			}
		})
	}
}

func TestCompliance(t *testing.T) {
	d := testDir(t)
	occs := []calendar.Occurrence{
		held(m1, e1, T.Add(-2*dayD)),  // new-hire, ok
		held(m1, e2, T.Add(-20*dayD)), // new-hire, overdue
		held(m2, e3, T.Add(-15*dayD)), // direct, due
		held(vp, m1, T.Add(-1*dayD)),  // direct, ok
		held(ceo, vp, T.Add(-16*dayD)),
		held(vp, e1, T.Add(-3*dayD)), // skip, ok, not required
		held(e1, e2, T.Add(-5*dayD)), // peer, lead e1, not required
	}
	s := Evaluate(d, occs, testOpts(), T, nil)
	got := map[string]Manager{}
	var names []string
	for _, m := range s.Managers {
		got[m.Manager] = m
		names = append(names, m.Manager)
	}
	if want := []string{ceo, m1, m2, vp}; !reflect.DeepEqual(names, want) {
		t.Fatalf("managers %v, want %v", names, want)
	}
	tally := func(p, c int, r float64) Tally { return Tally{Pairs: p, Compliant: c, Ratio: r} }
	wantT := map[string][2]Tally{
		m1:  {tally(2, 1, 0.5), tally(2, 1, 0.5)},
		m2:  {tally(1, 1, 1), tally(1, 1, 1)},
		vp:  {tally(2, 1, 0.5), tally(5, 3, 0.6)},
		ceo: {tally(2, 1, 0.5), tally(7, 4, 0.571429)},
	}
	for m, w := range wantT {
		if got[m].Direct != w[0] || got[m].Org != w[1] {
			t.Errorf("%s direct %+v org %+v, want %+v %+v", m, got[m].Direct, got[m].Org, w[0], w[1])
		}
	}
	wantVP := map[PairCountKey]int{
		{"direct", KindDirect, StatusOK}: 1, {"direct", KindDirect, StatusNever}: 1,
		{"org", KindDirect, StatusOK}: 2, {"org", KindDirect, StatusNever}: 1, {"org", KindDirect, StatusOverdue}: 1,
		{"org", KindDirect, StatusDue}: 1, {"org", KindSkip, StatusOK}: 1, {"org", KindPeer, StatusOK}: 1,
	}
	if !reflect.DeepEqual(got[vp].PairCounts, wantVP) {
		t.Errorf("vp pair counts\n got %v\nwant %v", got[vp].PairCounts, wantVP)
	}

	// Without required pairs a manager's ratio is 1 with 0 pairs.
	opts := testOpts()
	for i := range opts.Rules {
		opts.Rules[i].Required = false
	}
	s = Evaluate(d, occs, opts, T, nil)
	for _, m := range s.Managers {
		if m.Direct != tally(0, 0, 1) || m.Org != tally(0, 0, 1) {
			t.Errorf("%s without required pairs: %+v %+v", m.Manager, m.Direct, m.Org)
		}
	}
}

func TestDuplicateCopiesCountOnce(t *testing.T) {
	d := testDir(t)
	start := T.Add(-2 * dayD)
	orgCopy := mk("dup", start, 30*time.Minute, m2, e3+":declined")
	attCopy := with(mk("dup", start, 30*time.Minute, m2, e3), func(o *calendar.Occurrence) { o.Owner = e3; o.Source = "feed-e3" })
	for _, occs := range [][]calendar.Occurrence{{attCopy, orgCopy}, {orgCopy, attCopy}} {
		p := findPair(t, Evaluate(d, occs, testOpts(), T, nil), m2, e3)
		if p.Window != (Counts{Declined: 1}) || len(p.Occurrences) != 1 || p.Occurrences[0].Source != "feed-m2" {
			t.Errorf("window %+v occurrences %+v", p.Window, p.Occurrences)
		}
	}
}

func TestSnapshotDeterministicAndIndependent(t *testing.T) {
	d := testDir(t)
	last := T.Add(-time.Hour)
	mkInputs := func() ([]calendar.Occurrence, []SourceStatus) {
		occs := []calendar.Occurrence{held(m1, e1, T.Add(-2*dayD)), held(e1, e2, T.Add(-5*dayD)), held(vp, e1, T.Add(dayD))}
		lt := last
		return occs, []SourceStatus{{Name: "a", OK: true, LastSuccess: &lt}, {Name: "b", Error: "calendar: b: boom"}}
	}
	occs, src := mkInputs()
	s1 := Evaluate(d, occs, testOpts(), T, src)
	occs2, src2 := mkInputs()
	s2 := Evaluate(d, occs2, testOpts(), T, src2)
	if !reflect.DeepEqual(s1, s2) {
		t.Fatal("two evaluations of the same input differ")
	}
	// Changing the inputs afterwards does not change the snapshot.
	*src[0].LastSuccess = T
	src[1].Error = "changed"
	for i := range occs {
		occs[i].Start = T
		occs[i].Attendees[0].Email = "changed@example.com"
	}
	if !reflect.DeepEqual(s1, s2) {
		t.Fatal("snapshot shares memory with its inputs")
	}
	if !s1.AsOf.Equal(T) || s1.Directory != d || len(s1.Sources) != 2 || !s1.Sources[0].LastSuccess.Equal(last) {
		t.Errorf("as_of %v sources %+v", s1.AsOf, s1.Sources)
	}
}
