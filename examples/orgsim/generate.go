package orgsim

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"
)

// Config drives the random generator.
type Config struct {
	People int       // number of people, >= 2
	Months int       // months of history from Start, >= 1
	Seed   uint64    // same seed, same bytes
	Start  time.Time // first day of data (a date; the time of day is ignored)
	Domain string    // default "example.com"
	// Broken is the number of feeds written as garbage (an HTML error page).
	Broken int
}

// End is the instant the generated org is "as of": Start + Months.
// New hires are hired within the 90 days before it; the data continues
// past it (open-ended series).
func (c Config) End() time.Time {
	s := c.Start
	return time.Date(s.Year(), s.Month()+time.Month(c.Months), s.Day(), 0, 0, 0, 0, time.UTC)
}

var firstNames = []string{
	"Ada", "Ben", "Cara", "Dan", "Eli", "Fatima", "Gita", "Hugo", "Ines", "Jamal", "Kenji", "Lara", "Mateo", "Nadia", "Olga", "Paul",
	"Qi", "Rosa", "Sven", "Tomás", "Ulla", "Vera", "Wei", "Ximena", "Yusuf", "Zara", "Aarav", "Björn", "Chloé", "Diego", "Emeka", "Freya",
}

var lastNames = []string{
	"Adams", "Bauer", "Costa", "Dubois", "Eriksen", "Fernández", "García", "Hoffmann", "Iyer", "Jensen", "Kim", "Larsen", "Mehta", "Novak",
	"Okafor", "Petrov", "Quinn", "Rossi", "Suzuki", "Tanaka", "Ueda", "Varga", "Weber", "Xu", "Yamamoto", "Zhang", "Nguyen", "Singh",
	"Kowalski", "Haddad", "Schmidt", "Silva", "Reddy", "Müller", "O'Brien", "Smith", "Lee", "Khan", "Ivanova", "Papadopoulos",
}

// asciiFold maps the accented letters of the name lists to ASCII for emails.
var asciiFold = strings.NewReplacer("á", "a", "é", "e", "ö", "o", "ü", "u", "ñ", "n", "'", "", "ó", "o", "ø", "o", "í", "i")

// Generate builds a random org. It is linear in People * Months.
func Generate(cfg Config) (*Org, error) {
	if cfg.People < 2 {
		return nil, errors.New("orgsim: --people must be at least 2")
	}
	if cfg.Months < 1 {
		return nil, errors.New("orgsim: --months must be at least 1")
	}
	if cfg.Broken < 0 || cfg.Broken > cfg.People {
		return nil, fmt.Errorf("orgsim: broken feeds %d out of range 0..%d", cfg.Broken, cfg.People)
	}
	if cfg.Start.IsZero() {
		return nil, errors.New("orgsim: start date is required")
	}
	if cfg.Domain == "" {
		cfg.Domain = "example.com"
	}
	cfg.Start = time.Date(cfg.Start.Year(), cfg.Start.Month(), cfg.Start.Day(), 0, 0, 0, 0, time.UTC)
	end := cfg.End()
	r := rand.New(rand.NewPCG(cfg.Seed, 0x6f726773696d))
	o := NewOrg(cfg.Domain, cfg.Seed, end.Add(-18*time.Hour))
	g := &gen{o: o, r: r, cfg: cfg, end: end, ooo: map[string][][2]time.Time{}}
	g.people()
	g.meetings()
	return o, nil
}

type gen struct {
	o   *Org
	r   *rand.Rand
	cfg Config
	end time.Time
	ooo map[string][][2]time.Time // person -> out-of-office blocks [from, to)
}

func (g *gen) people() {
	zones := Zones()
	used := make(map[string]bool, g.cfg.People*2)
	type slot struct {
		email string
		left  int
	}
	var queue []slot // managers with free span, breadth first
	qi := 0
	for i := 0; i < g.cfg.People; i++ {
		fn := firstNames[g.r.IntN(len(firstNames))]
		ln := lastNames[g.r.IntN(len(lastNames))]
		local := strings.ToLower(asciiFold.Replace(fn + "." + ln))
		base := local
		for n := 2; used[local]; n++ {
			local = fmt.Sprintf("%s%d", base, n)
		}
		used[local] = true
		p := &Person{Email: local + "@" + g.cfg.Domain, Name: fn + " " + ln}
		var mgr *Person
		if i > 0 {
			for queue[qi].left == 0 {
				qi++
			}
			queue[qi].left--
			mgr = g.o.Person(queue[qi].email)
			p.Manager = mgr.Email
		}
		// Zone and provider mostly follow the manager's.
		if mgr != nil && g.r.IntN(10) < 7 {
			p.Zone = mgr.Zone
		} else {
			p.Zone = mustZone(zones[g.r.IntN(len(zones))])
		}
		switch {
		case mgr != nil && g.r.IntN(100) < 85:
			p.Provider = mgr.Provider
		case g.r.IntN(3) == 0:
			p.Provider = Outlook
		default:
			p.Provider = Google
		}
		// Hire dates: 15% in the last 90 days, the rest up to six years back.
		if i > 0 && g.r.IntN(100) < 15 {
			p.Hire = g.end.AddDate(0, 0, -1-g.r.IntN(89))
		} else {
			p.Hire = g.end.AddDate(0, 0, -90-g.r.IntN(6*365))
		}
		if g.r.IntN(100) < 5 && g.end.Sub(p.Hire) > 200*24*time.Hour {
			p.TeamStart = g.end.AddDate(0, 0, -1-g.r.IntN(120))
		}
		if g.r.IntN(10) == 0 {
			a := strings.ToLower(asciiFold.Replace(fn[:1] + ln))
			for n := 2; used[a]; n++ {
				a = fmt.Sprintf("%s%d", strings.ToLower(asciiFold.Replace(fn[:1]+ln)), n)
			}
			used[a] = true
			p.Aliases = []string{a + "@" + g.cfg.Domain}
		}
		g.o.AddPerson(p)
		queue = append(queue, slot{email: p.Email, left: 3 + g.r.IntN(6)})
	}
	for _, i := range g.r.Perm(g.cfg.People)[:g.cfg.Broken] {
		g.o.People[i].Broken = true
	}
}

func (g *gen) guest(p *Person) Guest {
	gs := Guest{Email: p.Email, Name: p.Name, Person: p.Email}
	if len(p.Aliases) > 0 && g.r.IntN(2) == 0 {
		gs.Email = p.Aliases[0]
	}
	return gs
}

// slotAfter returns a working-hours start in p's zone on or after day.
func (g *gen) slotAfter(p *Person, day time.Time) time.Time {
	d := day.AddDate(0, 0, g.r.IntN(7))
	for d.Weekday() == time.Saturday || d.Weekday() == time.Sunday {
		d = d.AddDate(0, 0, 1)
	}
	return time.Date(d.Year(), d.Month(), d.Day(), 9+g.r.IntN(8), 30*g.r.IntN(2), 0, 0, p.Zone)
}

func (g *gen) newMeeting(key, title string, org *Person, start time.Time, dur time.Duration, guests []Guest) *Meeting {
	m := &Meeting{Key: key, Title: title, Organizer: org.Email, OrgEmail: org.Email, Provider: org.Provider,
		Start: start, End: start.Add(dur), Guests: append([]Guest{{Email: org.Email, Name: org.Name, Person: org.Email}}, guests...)}
	m.Created = start.UTC().Add(-time.Duration(1+g.r.IntN(14*24)) * time.Hour).Truncate(time.Minute)
	if org.Provider == Google {
		m.Conference = "https://meet.google.com/" + meetCode(g.o.seed, key)
	} else {
		m.Location = "Microsoft Teams Meeting"
	}
	return m
}

func (g *gen) away(email string, t time.Time) bool {
	for _, b := range g.ooo[email] {
		if !t.Before(b[0]) && t.Before(b[1]) {
			return true
		}
	}
	return false
}

func (g *gen) meetings() {
	o, r := g.o, g.r
	start := g.cfg.Start
	// Out of office blocks first, so 1:1s can be cancelled around them.
	for _, p := range o.People {
		if r.IntN(2) == 0 {
			continue
		}
		from := start.AddDate(0, 0, r.IntN(max(1, int(g.end.Sub(start).Hours()/24))))
		to := from.AddDate(0, 0, 2+r.IntN(6))
		m := &Meeting{Key: p.Feed + "-ooo", Organizer: p.Email, OrgEmail: p.Email, Provider: p.Provider, AllDay: true, OOO: true, OnlyInOwner: true,
			Start: time.Date(from.Year(), from.Month(), from.Day(), 0, 0, 0, 0, p.Zone),
			End:   time.Date(to.Year(), to.Month(), to.Day(), 0, 0, 0, 0, p.Zone), Title: "Out of office"}
		if p.Provider == Outlook {
			m.Title = "Vacation"
		}
		m.Created = m.Start.UTC().AddDate(0, 0, -14)
		o.AddMeeting(m)
		g.ooo[p.Email] = append(g.ooo[p.Email], [2]time.Time{m.Start, m.End})
	}
	reports := map[string][]*Person{}
	for _, p := range o.People {
		if p.Manager != "" {
			reports[p.Manager] = append(reports[p.Manager], p)
		}
	}
	bots := []Guest{{Email: "fred@fireflies.ai", Name: "Fireflies.ai Notetaker", Kind: Bot}, {Email: "otterpilot@otter.ai", Name: "Otter.ai", Kind: Bot}}
	for _, p := range o.People {
		if p.Manager == "" {
			continue
		}
		mgr := o.Person(p.Manager)
		// Direct 1:1.
		tenure := p.Hire
		if !p.TeamStart.IsZero() {
			tenure = p.TeamStart
		}
		newHire := g.end.Sub(tenure) < 90*24*time.Hour
		if newHire || r.IntN(100) >= 4 { // 4% of managers never meet a report
			freq, interval := Weekly, 2
			switch x := r.IntN(100); {
			case newHire || x < 10:
				interval = 1
			case x < 15:
				freq, interval = Monthly, 1
			}
			first := start
			if tenure.After(first) {
				first = tenure.AddDate(0, 0, 1)
			}
			org, other := mgr, p
			if r.IntN(10) == 0 {
				org, other = p, mgr
			}
			dur := 30 * time.Minute
			switch x := r.IntN(100); {
			case x < 8:
				dur = 10 * time.Minute
			case x < 15:
				dur = 45 * time.Minute
			case x < 20:
				dur = time.Hour
			}
			title := strings.Fields(org.Name)[0] + " / " + strings.Fields(other.Name)[0]
			m := g.newMeeting(p.Feed+"-1on1", title, org, g.slotAfter(org, first), dur, []Guest{g.guest(other)})
			m.Recur = &Recur{Freq: freq, Interval: interval}
			if r.IntN(20) == 0 {
				m.Guests = append(m.Guests, bots[r.IntN(len(bots))])
			}
			if r.IntN(30) == 0 {
				m.Guests = append(m.Guests, Guest{Email: "guest" + fmt.Sprint(r.IntN(100)) + "@partner.example.org", Kind: External})
			}
			var split *Meeting
			switch x := r.IntN(100); {
			case x < 5 && m.Start.Before(g.end): // cut short
				m.Recur.Until = m.Start.Add(time.Duration(r.Int64N(int64(g.end.Sub(m.Start)) + 1)))
			case x < 9 && org.Provider == Google: // moved "this and following": the series is split
				if occ := m.Occurrences(g.end); len(occ) >= 4 {
					at := occ[len(occ)/2]
					ns := at.Add(time.Duration(1+r.IntN(3)) * time.Hour)
					split = o.Split(m, at, ns, ns.Add(dur))
				}
			}
			g.patch(m)
			o.AddMeeting(m)
			if split != nil {
				g.patch(split)
				o.AddMeeting(split)
			}
		}
		// An ad-hoc single 1:1 for some; a third of those cancelled.
		if r.IntN(100) < 8 {
			at := g.slotAfter(mgr, start.AddDate(0, 0, r.IntN(max(1, int(g.end.Sub(start).Hours()/24)))))
			m := g.newMeeting(p.Feed+"-adhoc", "Catch-up: "+strings.Fields(mgr.Name)[0]+" / "+strings.Fields(p.Name)[0], mgr, at, 30*time.Minute, []Guest{g.guest(p)})
			if r.IntN(3) == 0 {
				m.Cancelled, m.Sequence = true, 1
			}
			o.AddMeeting(m)
		}
		// Monthly skip-level for some.
		if mgr.Manager != "" && r.IntN(100) < 30 {
			skip := o.Person(mgr.Manager)
			m := g.newMeeting(p.Feed+"-skip", "Skip-level: "+strings.Fields(skip.Name)[0]+" / "+strings.Fields(p.Name)[0], skip, g.slotAfter(skip, start), 30*time.Minute, []Guest{g.guest(p)})
			m.Recur = &Recur{Freq: Monthly, Interval: 1}
			g.patch(m)
			o.AddMeeting(m)
		}
		// A peer 1:1 with a sibling, every four weeks.
		if sib := reports[p.Manager]; len(sib) > 1 && r.IntN(100) < 15 {
			q := sib[r.IntN(len(sib))]
			if q != p {
				m := g.newMeeting(p.Feed+"-peer-"+q.Feed, strings.Fields(p.Name)[0]+" <> "+strings.Fields(q.Name)[0], p, g.slotAfter(p, start), 30*time.Minute, []Guest{g.guest(q)})
				m.Recur = &Recur{Freq: Weekly, Interval: 4}
				g.patch(m)
				o.AddMeeting(m)
			}
		}
	}
	// Team meetings for managers of three or more.
	for _, p := range o.People {
		rs := reports[p.Email]
		if len(rs) < 3 {
			continue
		}
		var gs []Guest
		for _, q := range rs {
			gs = append(gs, g.guest(q))
		}
		if r.IntN(3) == 0 {
			gs = append(gs, Guest{Email: "room-" + p.Feed + "@resource." + g.cfg.Domain, Name: "Room " + p.Feed, Kind: Room})
		}
		m := g.newMeeting(p.Feed+"-team", "Team sync", p, g.slotAfter(p, start), 45*time.Minute, gs)
		m.Recur = &Recur{Freq: Weekly, Interval: 1}
		o.AddMeeting(m)
	}
}

// patch sprinkles cancellations, declines and moves over the series' past
// instances; instances during an out-of-office block are mostly cancelled.
// Declines come from the invited person (Guests[1]).
func (g *gen) patch(m *Meeting) {
	r := g.r
	a, b, bWritten := m.Organizer, m.Guests[1].Person, m.Guests[1].Email
	for _, t := range m.Occurrences(g.end) {
		switch x := r.IntN(100); {
		case (g.away(a, t) || g.away(b, t)) && x < 70:
			m.Exdates = append(m.Exdates, t)
		case x < 3:
			m.Exdates = append(m.Exdates, t)
		case x < 6:
			m.Patch(t).Cancelled = true
		case x < 9:
			m.Patch(t).Declined = []string{bWritten}
		case x < 12:
			p := m.Patch(t)
			p.Start = t.Add(time.Duration(1+r.IntN(48)) * time.Hour)
			p.End = p.Start.Add(m.End.Sub(m.Start))
		case x < 13:
			m.Patch(t).Description = "Agenda: see notes."
		}
	}
}
