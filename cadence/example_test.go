package cadence_test

import (
	"fmt"
	"strings"
	"time"

	"github.com/cadence-dev/cadence/cadence"
	"github.com/cadence-dev/cadence/calendar"
)

func Example() {
	const org = `email,name,manager_email,hire_date,team_start,aliases
ana@example.com,Ana Lima,,2019-04-01,,
bo@example.com,Bo Chen,ana@example.com,2021-06-14,,bo.chen@example.com
cy@example.com,Cy Diaz,ana@example.com,2026-03-02,,
`
	people, err := cadence.ParseDirectoryCSV(strings.NewReader(org), "org.csv")
	if err != nil {
		fmt.Println(err)
		return
	}
	dir, err := cadence.NewDirectory(people)
	if err != nil {
		fmt.Println(err)
		return
	}
	now := time.Date(2026, 4, 1, 12, 0, 0, 0, time.UTC)
	oneOnOne := func(uid string, start time.Time, who string, resp calendar.Response) calendar.Occurrence {
		return calendar.Occurrence{UID: uid, SeriesUID: uid, Start: start, OriginalStart: start,
			End: start.Add(30 * time.Minute), Status: calendar.StatusConfirmed,
			Organizer: "ana@example.com", Owner: "ana@example.com", Source: "ana",
			Attendees: []calendar.Attendee{{Email: who, Response: resp}}}
	}
	occs := []calendar.Occurrence{
		oneOnOne("b1", now.AddDate(0, 0, -20), "bo.chen@example.com", calendar.ResponseAccepted),
		oneOnOne("b2", now.AddDate(0, 0, -6), "bo.chen@example.com", calendar.ResponseDeclined),
		oneOnOne("c1", now.AddDate(0, 0, -2), "cy@example.com", calendar.ResponseAccepted),
		oneOnOne("c2", now.AddDate(0, 0, 5), "cy@example.com", calendar.ResponseAccepted),
	}
	opts := cadence.Options{
		Rules: cadence.DefaultRules(), Window: cadence.DefaultWindow,
		MaxDuration: cadence.DefaultMaxDuration, SkipLevels: cadence.DefaultSkipLevels,
	}
	snap := cadence.Evaluate(dir, occs, opts, now, nil)
	for _, p := range snap.Pairs {
		fmt.Printf("%s %s/%s rule=%s status=%s flags=%v declined=%d\n",
			p.Kind, p.Lead, p.Member, p.Rule, p.Status, p.Flags, p.Window.Declined)
	}
	for _, m := range snap.Managers {
		fmt.Printf("%s direct %d/%d = %v\n", m.Manager, m.Direct.Compliant, m.Direct.Pairs, m.Direct.Ratio)
	}
	// Output:
	// direct ana@example.com/bo@example.com rule=direct status=overdue flags=[no_upcoming] declined=1
	// direct ana@example.com/cy@example.com rule=new-hire status=ok flags=[] declined=0
	// ana@example.com direct 1/2 = 0.5
}
