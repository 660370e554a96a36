package cadence

import (
	"fmt"
	"testing"
	"time"

	"github.com/cadence-dev/cadence/calendar"
)

// genOrg builds an org of n people (span 8) and about a year of calendar
// data ending at T: a biweekly 30-minute direct 1:1 per report (every 10th
// cancelled, every 13th declined, every 17th moved, a quarter of the future
// ones scheduled), monthly skip-level 1:1s for one report in four, peer 1:1s
// for one person in three, a week of vacation per person, and a group
// meeting per manager per week.
func genOrg(tb testing.TB, n int) (*Directory, []calendar.Occurrence) {
	tb.Helper()
	email := func(i int) string { return fmt.Sprintf("p%05d@example.com", i) }
	people := make([]Person, n)
	for i := range people {
		people[i] = Person{Email: email(i), Name: fmt.Sprintf("Person %d", i), HireDate: T.AddDate(0, 0, -30-(i*7)%2000)}
		if i > 0 {
			people[i].Manager = email((i - 1) / 8)
		}
	}
	dir, err := NewDirectory(people)
	if err != nil {
		tb.Fatal(err)
	}
	start := T.AddDate(-1, 0, 0)
	var occs []calendar.Occurrence
	add := func(uid string, at time.Time, d time.Duration, org string, atts ...string) *calendar.Occurrence {
		occs = append(occs, mk(uid, at, d, org, atts...))
		return &occs[len(occs)-1]
	}
	for i := 1; i < n; i++ {
		mgr := email((i - 1) / 8)
		base := start.Add(time.Duration(i%5)*24*time.Hour + time.Duration(9+i%8)*time.Hour)
		for k := 0; k < 28; k++ {
			at := base.Add(time.Duration(k) * 14 * 24 * time.Hour)
			o := add(fmt.Sprintf("d%d-%d", i, k), at, 30*time.Minute, mgr, email(i))
			switch {
			case k%10 == 3:
				o.Status, o.CancelReason = calendar.StatusCancelled, calendar.CancelStatus
			case k%13 == 5:
				o.Attendees[0].Response = calendar.ResponseDeclined
			case k%17 == 7:
				o.Start, o.End = o.Start.Add(24*time.Hour), o.End.Add(24*time.Hour)
			}
		}
		if i%4 == 0 && i > 8 {
			skip := email(((i-1)/8 - 1) / 8)
			for k := 0; k < 12; k++ {
				add(fmt.Sprintf("s%d-%d", i, k), base.Add(time.Duration(k)*30*24*time.Hour+2*time.Hour), 45*time.Minute, skip, email(i))
			}
		}
		if i%3 == 0 && i+1 < n {
			for k := 0; k < 12; k++ {
				add(fmt.Sprintf("p%d-%d", i, k), base.Add(time.Duration(k)*30*24*time.Hour+4*time.Hour), 30*time.Minute, email(i), email(i+1))
			}
		}
		v := start.AddDate(0, 0, (i*37)%365)
		o := ooo(email(i), v, v.AddDate(0, 0, 7), true)
		occs = append(occs, o)
	}
	for m := 0; m*8+1 < n; m++ {
		for k := 0; k < 52; k++ {
			atts := []string{}
			for r := m*8 + 1; r <= m*8+8 && r < n; r++ {
				atts = append(atts, email(r))
			}
			add(fmt.Sprintf("g%d-%d", m, k), start.Add(time.Duration(k)*7*24*time.Hour+15*time.Hour), time.Hour, email(m), atts...)
		}
	}
	return dir, occs
}

func BenchmarkEvaluate(b *testing.B) {
	for _, n := range []int{1000, 10000} {
		b.Run(fmt.Sprintf("people=%d", n), func(b *testing.B) {
			dir, occs := genOrg(b, n)
			opts := testOpts()
			var pairs int
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				s := Evaluate(dir, occs, opts, T, nil)
				pairs = len(s.Pairs)
			}
			b.ReportMetric(float64(pairs), "pairs")
			b.ReportMetric(float64(len(occs)), "occurrences")
			b.ReportMetric(float64(pairs)*float64(b.N)/b.Elapsed().Seconds(), "pairs/s")
		})
	}
}

// TestGeneratedOrg checks the benchmark's data is what it claims, so the
// figures measure real work.
func TestGeneratedOrg(t *testing.T) {
	dir, occs := genOrg(t, 1000)
	s := Evaluate(dir, occs, testOpts(), T, nil)
	kinds := map[Kind]int{}
	status := map[Status]int{}
	for _, p := range s.Pairs {
		kinds[p.Kind]++
		status[p.Status]++
	}
	if kinds[KindDirect] != 999 || kinds[KindSkip] == 0 || kinds[KindPeer] == 0 {
		t.Errorf("kinds %v", kinds)
	}
	if status[StatusOK]+status[StatusDue] == 0 || len(s.Managers) != 125 {
		t.Errorf("status %v managers %d", status, len(s.Managers))
	}
}
