package orgsim

import (
	"strings"
	"time"
)

//go:generate go run ../../cmd/cadence-orgsim --scenario example --out ../org --update-config ../../config.example.yaml --microsoft-out ../microsoft/dataset.json

// ExampleSeed is the seed of the shipped example org (UIDs, Meet links).
const ExampleSeed = 20260504

// ExampleFeedDir is where config.example.yaml (at the repository root)
// finds the shipped example org.
const ExampleFeedDir = "examples/org"

// builder holds helpers for hand-written scenarios.
type builder struct{ o *Org }

func date(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

func (b *builder) person(email, name, manager, title, zone string, prov Provider, hire, teamStart time.Time, aliases ...string) {
	dom := "@" + b.o.Domain
	p := &Person{Email: email + dom, Name: name, Title: title, Zone: mustZone(zone), Provider: prov, Hire: hire, TeamStart: teamStart}
	if manager != "" {
		p.Manager = manager + dom
	}
	for _, a := range aliases {
		p.Aliases = append(p.Aliases, a+dom)
	}
	b.o.AddPerson(p)
}

func (b *builder) p(short string) *Person { return b.o.Person(short + "@" + b.o.Domain) }

// guest is the invitation entry of a directory person; as overrides the
// address written (an alias).
func (b *builder) guest(short string, as ...string) Guest {
	p := b.p(short)
	g := Guest{Email: p.Email, Name: p.Name, Person: p.Email}
	if len(as) > 0 {
		g.Email = as[0] + "@" + b.o.Domain
	}
	return g
}

// at is a wall time in the organizer's zone.
func (b *builder) at(organizer string, y int, mo time.Month, d, h, mi int) time.Time {
	return time.Date(y, mo, d, h, mi, 0, 0, b.p(organizer).Zone)
}

// meeting creates (does not add) a meeting organized by org with guests
// (the organizer is listed first, as Google does).
func (b *builder) meeting(key, title, org string, start time.Time, dur time.Duration, guests ...Guest) *Meeting {
	op := b.p(org)
	m := &Meeting{Key: key, Title: title, Organizer: op.Email, OrgEmail: op.Email, Provider: op.Provider,
		Start: start, End: start.Add(dur)}
	m.Guests = append([]Guest{b.guest(org)}, guests...)
	m.Created = start.UTC().Add(-6*24*time.Hour - 3*time.Hour - 17*time.Minute).Truncate(time.Minute)
	if op.Provider == Google {
		m.Conference = "https://meet.google.com/" + meetCode(b.o.seed, key)
	} else {
		m.Location = "Microsoft Teams Meeting"
	}
	return m
}

func (b *builder) series(key, title, org string, start time.Time, dur time.Duration, freq Freq, interval int, guests ...Guest) *Meeting {
	m := b.meeting(key, title, org, start, dur, guests...)
	m.Recur = &Recur{Freq: freq, Interval: interval}
	return m
}

// oneOnOne is a recurring 1:1 titled "Org / Other".
func (b *builder) oneOnOne(org, other string, start time.Time, dur time.Duration, freq Freq, interval int, as ...string) *Meeting {
	title := first(b.p(org).Name) + " / " + first(b.p(other).Name)
	return b.series(org+"-"+other, title, org, start, dur, freq, interval, b.guest(other, as...))
}

func first(name string) string { return strings.Fields(name)[0] }

// ooo adds an all-day out-of-office block [from, to] (inclusive dates) to
// the owner's calendar: Google "Out of office", Outlook "Vacation" (OOF).
func (b *builder) ooo(owner string, from, to time.Time) *Meeting {
	p := b.p(owner)
	s := time.Date(from.Year(), from.Month(), from.Day(), 0, 0, 0, 0, p.Zone)
	e := time.Date(to.Year(), to.Month(), to.Day()+1, 0, 0, 0, 0, p.Zone)
	m := &Meeting{Key: owner + "-ooo-" + from.Format(dateFmt), Organizer: p.Email, OrgEmail: p.Email, Provider: p.Provider,
		Start: s, End: e, AllDay: true, OOO: true, OnlyInOwner: true,
		Created: s.UTC().Add(-20 * 24 * time.Hour)}
	m.Title = "Out of office"
	if p.Provider == Outlook {
		m.Title = "Vacation"
	}
	return b.o.AddMeeting(m)
}

// Example returns the shipped example org: 28 people in four levels,
// two thirds on Google Calendar and one third on Exchange, in four time
// zones, with every case examples/README.md lists. It is evaluated at
// 2026-11-23T09:00:00Z by the golden tests.
func Example() *Org {
	o := NewOrg("example.com", ExampleSeed, time.Date(2026, 11, 22, 6, 0, 0, 0, time.UTC))
	b := &builder{o: o}
	const (
		ber = "Europe/Berlin"
		nyc = "America/New_York"
		lax = "America/Los_Angeles"
		kol = "Asia/Kolkata"
	)
	var none time.Time
	// Level 1-2.
	b.person("ana", "Ana Alvarez", "", "CEO", ber, Google, date(2019, 3, 1), none)
	b.person("bo", "Bo Becker", "ana", "VP Engineering", nyc, Google, date(2020, 6, 15), none)
	b.person("chen", "Chen Li", "ana", "VP Sales", lax, Outlook, date(2021, 1, 11), none)
	b.person("dev", "Dev Patel", "ana", "Director of Product", kol, Google, date(2021, 9, 1), none)
	b.person("eva", "Eva Schmidt", "ana", "Director of People", ber, Google, date(2022, 2, 1), none)
	// Level 3: managers.
	b.person("fay", "Fay Fischer", "bo", "Engineering Manager, Platform", ber, Google, date(2021, 4, 12), none)
	b.person("gus", "Gus Green", "bo", "Engineering Manager, Apps", nyc, Google, date(2022, 8, 1), none)
	b.person("hana", "Hana Hall", "chen", "Sales Manager, West", lax, Outlook, date(2022, 3, 7), none)
	b.person("ivan", "Ivan Ivanov", "chen", "Sales Manager, East", nyc, Outlook, date(2023, 5, 2), none)
	b.person("jo", "Jo Joshi", "dev", "Lead Product Manager", kol, Google, date(2022, 11, 14), none)
	// Level 3-4: individual contributors.
	b.person("luis", "Luis López", "eva", "People Partner", ber, Google, date(2023, 11, 6), none)
	b.person("mia", "Mia Moreau", "eva", "Recruiter", ber, Google, date(2025, 6, 2), none)
	b.person("kai", "Kai Kowalski", "fay", "Software Engineer", ber, Google, date(2023, 1, 9), none)
	b.person("lena", "Lena Müller", "fay", "Software Engineer", ber, Google, date(2023, 6, 5), none)
	b.person("max", "Max Meyer", "fay", "Software Engineer", ber, Google, date(2026, 10, 5), none)
	b.person("nia", "Nia Nair", "fay", "Site Reliability Engineer", kol, Google, date(2024, 2, 19), none)
	b.person("omar", "Omar Haddad", "gus", "Software Engineer", nyc, Google, date(2023, 9, 11), none, "omar.haddad")
	b.person("pia", "Pia Park", "gus", "Software Engineer", nyc, Google, date(2024, 4, 8), none)
	b.person("quinn", "Quinn Quigley", "gus", "Software Engineer", lax, Google, date(2026, 9, 14), none)
	b.person("rui", "Rui Ramos", "gus", "Software Engineer", nyc, Google, date(2022, 5, 16), date(2026, 10, 12))
	b.person("sam", "Sam Sato", "hana", "Account Executive", lax, Outlook, date(2023, 2, 6), none)
	b.person("tara", "Tara Thompson", "hana", "Account Executive", lax, Outlook, date(2024, 7, 1), none)
	b.person("uma", "Uma Upadhyay", "hana", "Sales Engineer", kol, Outlook, date(2025, 1, 13), none)
	b.person("vic", "Vic Vega", "ivan", "Account Executive", nyc, Outlook, date(2024, 10, 7), none)
	b.person("wes", "Wes Wright", "ivan", "Account Executive", nyc, Outlook, date(2023, 8, 21), none, "wesley.wright")
	b.person("xena", "Xena Xu", "ivan", "Account Executive", lax, Outlook, date(2026, 11, 2), none)
	b.person("yara", "Yara Yılmaz", "jo", "Product Manager", ber, Google, date(2024, 5, 6), none)
	b.person("zoe", "Zoe Zimmer", "jo", "Product Designer", kol, Google, date(2025, 3, 3), none)
	b.p("uma").Broken = true

	const (
		m10 = 10 * time.Minute
		m25 = 25 * time.Minute
		m30 = 30 * time.Minute
		m45 = 45 * time.Minute
		h1  = time.Hour
	)

	// --- CEO and VPs -------------------------------------------------------
	// Weekly across Berlin/New York DST changes; "this and following" split
	// on 2 Nov to a new time (Google _R UID).
	ab := o.AddMeeting(b.oneOnOne("ana", "bo", b.at("ana", 2026, 5, 4, 16, 0), m30, Weekly, 1))
	abNew := o.Split(ab, b.at("ana", 2026, 11, 2, 16, 0), b.at("ana", 2026, 11, 2, 15, 0), b.at("ana", 2026, 11, 2, 15, 45))
	o.AddMeeting(abNew)
	// Google organizer, Exchange attendee: one cancelled instance shows as a
	// STATUS:CANCELLED override in ana's feed and "Canceled:" in chen's.
	ac := o.AddMeeting(b.oneOnOne("ana", "chen", b.at("ana", 2026, 5, 7, 17, 30), m30, Weekly, 2))
	ac.Patch(b.at("ana", 2026, 9, 24, 17, 30)).Cancelled = true
	o.AddMeeting(b.oneOnOne("ana", "dev", b.at("ana", 2026, 5, 6, 7, 0), m30, Weekly, 2))
	// An override at the same instant (agenda added): not a reschedule.
	ae := o.AddMeeting(b.oneOnOne("ana", "eva", b.at("ana", 2026, 5, 5, 10, 0), m45, Weekly, 2))
	pe := ae.Patch(b.at("ana", 2026, 10, 20, 10, 0))
	pe.Title, pe.Description = "Ana / Eva: budget review", "Agenda: 2027 headcount plan; offsite budget."
	// Monthly skip-level (first Thursday).
	o.AddMeeting(b.oneOnOne("ana", "fay", b.at("ana", 2026, 5, 7, 16, 0), m30, Monthly, 1))

	// --- Engineering (Bo) --------------------------------------------------
	o.AddMeeting(b.oneOnOne("bo", "fay", b.at("bo", 2026, 5, 6, 9, 0), m30, Weekly, 2))
	bg := o.AddMeeting(b.oneOnOne("bo", "gus", b.at("bo", 2026, 5, 5, 11, 0), m30, Weekly, 2))
	bg.Patch(b.at("bo", 2026, 9, 8, 11, 0)).Cancelled = true // RECURRENCE-ID + STATUS:CANCELLED
	mv := bg.Patch(b.at("bo", 2026, 10, 20, 11, 0))          // moved to the next day
	mv.Start, mv.End = b.at("bo", 2026, 10, 21, 11, 0), b.at("bo", 2026, 10, 21, 11, 30)
	o.AddMeeting(b.oneOnOne("bo", "kai", b.at("bo", 2026, 5, 14, 10, 0), m30, Monthly, 1)) // skip, 2nd Thursday

	// Fay's team (Berlin, Kolkata).
	room := Guest{Email: "room-berlin-4@resource.example.com", Name: "Berlin-4-Spree (6)", Kind: Room}
	fk := b.oneOnOne("fay", "kai", b.at("fay", 2026, 5, 11, 10, 30), m30, Weekly, 2)
	fk.Guests = append(fk.Guests, room)
	fk.Location = "Berlin-4-Spree (6)"
	o.AddMeeting(fk)
	fk.Patch(b.at("fay", 2026, 11, 9, 10, 30)).Declined = []string{room.Email} // the room declines: still held
	fl := o.AddMeeting(b.oneOnOne("fay", "lena", b.at("fay", 2026, 5, 12, 14, 0), m30, Weekly, 2))
	fl.Patch(b.at("fay", 2026, 10, 13, 14, 0)).Declined = []string{"lena@example.com"}
	fl.Patch(b.at("fay", 2026, 11, 10, 14, 0)).Declined = []string{"lena@example.com"}
	o.AddMeeting(b.oneOnOne("fay", "max", b.at("fay", 2026, 10, 8, 9, 30), m30, Weekly, 1)) // new hire: weekly
	fn := o.AddMeeting(b.oneOnOne("fay", "nia", b.at("fay", 2026, 5, 8, 8, 0), m30, Weekly, 2))
	fn.Exdates = append(fn.Exdates, b.at("fay", 2026, 11, 6, 8, 0)) // cancelled while nia is out: excused
	b.ooo("nia", date(2026, 11, 2), date(2026, 11, 6))
	// Rui moved from Fay to Gus on 12 Oct; Fay deleted "this and all
	// following" from 21 Oct: the series ends, the pair is now a peer pair.
	fr := o.AddMeeting(b.oneOnOne("fay", "rui", b.at("fay", 2026, 5, 6, 16, 0), m30, Weekly, 2))
	fr.Recur.Until = b.at("fay", 2026, 10, 20, 23, 59).Add(59 * time.Second)

	// Gus's team (New York, Los Angeles).
	gom := o.AddMeeting(b.oneOnOne("gus", "omar", b.at("gus", 2026, 5, 14, 10, 0), m30, Weekly, 2, "omar.haddad"))
	gom.Exdates = append(gom.Exdates, b.at("gus", 2026, 10, 29, 10, 0))
	gp := o.AddMeeting(b.oneOnOne("gus", "pia", b.at("gus", 2026, 5, 4, 13, 0), m30, Weekly, 2))
	for _, d := range []int{19, 33, 47} { // Oct 19, Nov 2, Nov 16: a streak of three
		gp.Patch(b.at("gus", 2026, 10, d, 13, 0)).Cancelled = true
	}
	o.AddMeeting(b.oneOnOne("gus", "quinn", b.at("gus", 2026, 9, 16, 12, 0), m30, Weekly, 1)) // new hire
	o.AddMeeting(b.oneOnOne("gus", "rui", b.at("gus", 2026, 10, 16, 11, 0), m30, Weekly, 1))  // new to the team
	// Peer 1:1s.
	o.AddMeeting(b.oneOnOne("fay", "gus", b.at("fay", 2026, 5, 19, 17, 0), m30, Weekly, 4))
	o.AddMeeting(b.oneOnOne("kai", "omar", b.at("kai", 2026, 5, 8, 15, 0), m25, Monthly, 1, "omar.haddad"))

	// --- Product (Dev, Kolkata) --------------------------------------------
	dj := b.oneOnOne("dev", "jo", b.at("dev", 2026, 5, 12, 15, 0), m30, Weekly, 2)
	dj.Guests = append(dj.Guests, Guest{Email: "fred@fireflies.ai", Name: "Fireflies.ai Notetaker", Kind: Bot})
	o.AddMeeting(dj)
	djx := b.meeting("dev-jo-roadmap", "Dev / Jo: roadmap deep dive", "dev", b.at("dev", 2026, 11, 12, 14, 0), h1, b.guest("jo"))
	djx.Cancelled, djx.Sequence = true, 1
	o.AddMeeting(djx)
	o.AddMeeting(b.oneOnOne("dev", "yara", b.at("dev", 2026, 5, 8, 13, 30), m30, Weekly, 4)) // skip
	o.AddMeeting(b.oneOnOne("jo", "yara", b.at("jo", 2026, 5, 13, 13, 30), m30, Weekly, 2))
	o.AddMeeting(b.oneOnOne("jo", "zoe", b.at("jo", 2026, 5, 25, 11, 0), m45, Weekly, 4)) // every 4 weeks: due
	o.AddMeeting(b.series("yara-zoe-partner", "Design partner sync", "yara", b.at("yara", 2026, 5, 7, 10, 0), m30, Weekly, 1,
		b.guest("zoe"), Guest{Email: "lee@partner.example.org", Name: "Lee Park", Kind: External}))

	// --- Sales (Chen, Exchange) --------------------------------------------
	o.AddMeeting(b.oneOnOne("chen", "hana", b.at("chen", 2026, 5, 11, 10, 0), m30, Weekly, 2))
	ci := b.oneOnOne("chen", "ivan", b.at("chen", 2026, 5, 6, 8, 0), m10, Weekly, 2) // 10 minutes: too short
	ci.Title = "Quick check-in"
	o.AddMeeting(ci)
	o.AddMeeting(b.oneOnOne("chen", "sam", b.at("chen", 2026, 5, 20, 9, 0), m30, Monthly, 1)) // skip, 3rd Wednesday
	hs := b.oneOnOne("hana", "sam", b.at("hana", 2026, 5, 5, 10, 0), m30, Weekly, 2)
	hs.Guests = append(hs.Guests, Guest{Email: "room-la-3@resource.example.com", Name: "LA-3 Sunset", Kind: Room})
	o.AddMeeting(hs)
	hs.Patch(b.at("hana", 2026, 10, 20, 10, 0)).Cancelled = true // EXDATE for hana, "Canceled:" for sam
	ht := o.AddMeeting(b.oneOnOne("hana", "tara", b.at("hana", 2026, 5, 7, 14, 0), m30, Weekly, 2))
	ht.Patch(b.at("hana", 2026, 10, 22, 14, 0)).Cancelled = true // tara on vacation: excused
	b.ooo("tara", date(2026, 10, 19), date(2026, 10, 23))
	o.AddMeeting(b.oneOnOne("hana", "uma", b.at("hana", 2026, 5, 4, 19, 30), m30, Weekly, 2)) // uma's feed is broken
	o.AddMeeting(b.oneOnOne("sam", "tara", b.at("sam", 2026, 5, 4, 12, 0), m30, Monthly, 1))  // peers, 1st Monday
	// Ivan never holds a 1:1 with vic.
	iw := o.AddMeeting(b.oneOnOne("ivan", "wes", b.at("ivan", 2026, 5, 7, 9, 0), m30, Weekly, 2, "wesley.wright"))
	for _, d := range []int{8, 22, 36, 50} { // Oct 8, Oct 22, Nov 5, Nov 19
		iw.Patch(b.at("ivan", 2026, 10, d, 9, 0)).Cancelled = true
	}
	o.AddMeeting(b.oneOnOne("ivan", "xena", b.at("ivan", 2026, 11, 3, 13, 0), m30, Weekly, 1)) // new hire

	// --- People (Eva) ------------------------------------------------------
	o.AddMeeting(b.oneOnOne("eva", "luis", b.at("eva", 2026, 5, 27, 11, 0), m45, Monthly, 1)) // monthly: overdue
	o.AddMeeting(b.oneOnOne("eva", "mia", b.at("eva", 2026, 5, 11, 11, 0), m30, Weekly, 2))

	// --- Group meetings ----------------------------------------------------
	team := func(key, title, org string, start time.Time, dur time.Duration, freq Freq, members ...string) *Meeting {
		var gs []Guest
		for _, mb := range members {
			gs = append(gs, b.guest(mb))
		}
		return o.AddMeeting(b.series(key, title, org, start, dur, freq, 1, gs...))
	}
	team("leadership", "Leadership team", "ana", b.at("ana", 2026, 5, 4, 17, 0), h1, Weekly, "bo", "chen", "dev", "eva")
	pt := team("platform-weekly", "Platform team weekly", "fay", b.at("fay", 2026, 5, 5, 11, 0), m45, Weekly, "kai", "lena", "max", "nia")
	pt.Guests = append(pt.Guests, room)
	team("apps-standup", "Apps standup", "gus", b.at("gus", 2026, 5, 6, 10, 0), m30, Weekly, "omar", "pia", "quinn", "rui")
	team("west-pipeline", "West sales pipeline", "hana", b.at("hana", 2026, 5, 4, 8, 0), m45, Weekly, "sam", "tara", "uma")
	team("east-pipeline", "East sales pipeline", "ivan", b.at("ivan", 2026, 5, 4, 9, 0), m45, Weekly, "vic", "wes", "xena")
	team("product-sync", "Product sync", "dev", b.at("dev", 2026, 5, 7, 14, 0), h1, Weekly, "jo", "yara", "zoe")
	team("people-weekly", "People team", "eva", b.at("eva", 2026, 5, 6, 9, 0), m30, Weekly, "luis", "mia")
	var all []string
	for _, p := range o.People[1:] {
		all = append(all, strings.SplitN(p.Email, "@", 2)[0])
	}
	team("all-hands", "All hands", "ana", b.at("ana", 2026, 5, 5, 17, 0), h1, Monthly, all...) // first Tuesday
	return o
}
