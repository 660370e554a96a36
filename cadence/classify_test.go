package cadence

import (
	"reflect"
	"testing"
	"time"

	"github.com/cadence-dev/cadence/calendar"
)

func TestClassify(t *testing.T) {
	d := testDir(t)
	past := T.Add(-48 * time.Hour)
	h := time.Hour
	tests := []struct {
		name    string
		occ     calendar.Occurrence
		opts    func(*Options)
		kind    Kind
		lead    string
		member  string
		why     string // NotOneOnOne; "" when a 1:1
		part    []string
		exclude map[string]string
		hint    string
	}{
		{name: "direct", occ: mk("a", past, 30*time.Minute, e1, m1), kind: KindDirect, lead: m1, member: e1, part: []string{e1, m1}},
		{name: "alias and case map to primary", occ: mk("a", past, h, "MAILTO:VP.Alias@Example.com", "M1@Example.COM"),
			kind: KindDirect, lead: vp, member: m1, part: []string{m1, vp}},
		{name: "organizer listed as attendee too", occ: mk("a", past, h, m1, m1+":accepted", e2), kind: KindDirect, lead: m1, member: e2, part: []string{e2, m1}},
		{name: "skip", occ: mk("a", past, h, e1, vp), kind: KindSkip, lead: vp, member: e1, part: []string{e1, vp}},
		{name: "beyond skip depth is peer", occ: mk("a", past, h, e1, ceo), kind: KindPeer, lead: ceo, member: e1, part: []string{ceo, e1}},
		{name: "skip depth 3", occ: mk("a", past, h, e1, ceo), opts: func(o *Options) { o.SkipLevels = 3 },
			kind: KindSkip, lead: ceo, member: e1, part: []string{ceo, e1}},
		{name: "skip levels below 2: no skip", occ: mk("a", past, h, e1, vp), opts: func(o *Options) { o.SkipLevels = 1 },
			kind: KindPeer, lead: e1, member: vp, part: []string{e1, vp}},
		{name: "peer same manager", occ: mk("a", past, h, e2, e1), kind: KindPeer, lead: e1, member: e2, part: []string{e1, e2}},
		{name: "peer cross team", occ: mk("a", past, h, e3, e2), kind: KindPeer, lead: e2, member: e3, part: []string{e2, e3}},
		{name: "manager of another team is a peer", occ: mk("a", past, h, m2, e2), kind: KindPeer, lead: e2, member: m2, part: []string{e2, m2}},
		{name: "room excluded", occ: mk("a", past, h, m1, e1, "board@resource.example.com:room"),
			kind: KindDirect, lead: m1, member: e1, part: []string{e1, m1}, exclude: map[string]string{"board@resource.example.com": "room"}},
		{name: "ignored bot", occ: mk("a", past, h, m1, e1, "Notes@Otter.AI"),
			kind: KindDirect, lead: m1, member: e1, part: []string{e1, m1}, exclude: map[string]string{"notes@otter.ai": "ignored"}},
		{name: "external guest: not a 1:1", occ: mk("a", past, h, m1, e1, "guest@other.org"),
			why: "participant outside the directory: guest@other.org", part: []string{e1, "guest@other.org", m1}},
		{name: "three people", occ: mk("a", past, h, m1, e1, e2), why: "3 participants", part: []string{e1, e2, m1}},
		{name: "same person twice via alias", occ: mk("a", past, h, vp, "vp.alias@example.com"), why: "1 participant", part: []string{vp}},
		{name: "all-day", occ: with(mk("a", date(2026, 3, 30), 24*h, m1, e1), func(o *calendar.Occurrence) { o.AllDay = true }),
			why: "all-day", part: []string{e1, m1}},
		{name: "max_duration inclusive", occ: mk("a", past, 120*time.Minute, m1, e1), kind: KindDirect, lead: m1, member: e1, part: []string{e1, m1}},
		{name: "longer than max_duration", occ: mk("a", past, 121*time.Minute, m1, e1), why: "longer than max_duration 2h0m0s", part: []string{e1, m1}},
		{name: "out-of-office event", occ: with(mk("a", past, h, m1, e1), func(o *calendar.Occurrence) { o.OutOfOffice = true }),
			why: "out-of-office event", part: []string{e1, m1}},
		{name: "out-of-office title", occ: with(mk("a", past, h, m1, e1), func(o *calendar.Occurrence) { o.Title = " vacation " }),
			why: "out-of-office event", part: []string{e1, m1}},
		{name: "single participant, no hint", occ: with(mk("a", past, h, m1), func(o *calendar.Occurrence) { o.Title = "Focus time" }),
			why: "1 participant", part: []string{m1}},
		{name: "title hint by first names", occ: with(mk("a", past, h, m1), func(o *calendar.Occurrence) { o.Title = "mina/ELI" }),
			kind: KindDirect, lead: m1, member: e1, part: []string{m1}, hint: "{a} / {b}"},
		{name: "title hint by full name and email", occ: with(mk("a", past, h, m1), func(o *calendar.Occurrence) { o.Title = "e2@example.com <> Mina  Ueda" }),
			kind: KindDirect, lead: m1, member: e2, part: []string{m1}, hint: "{a} <> {b}"},
		{name: "title hint with one placeholder", occ: with(mk("a", past, h, m1), func(o *calendar.Occurrence) { o.Title = "1:1 with Ezra Bell" }),
			kind: KindPeer, lead: e3, member: m1, part: []string{m1}, hint: "1:1 with {b}"},
		{name: "title hint for owner's event without organizer", occ: with(mk("a", past, h, ""), func(o *calendar.Occurrence) { o.Owner = m2; o.Title = "Mateo / Ezra" }),
			kind: KindDirect, lead: m2, member: e3, part: nil, hint: "{a} / {b}"},
		{name: "title hint must name the participant", occ: with(mk("a", past, h, m1), func(o *calendar.Occurrence) { o.Title = "Eli / Emma" }),
			why: "1 participant", part: []string{m1}},
		{name: "ambiguous surname names nobody", occ: with(mk("a", past, h, m1), func(o *calendar.Occurrence) { o.Title = "Mina / Stone" }),
			why: "1 participant", part: []string{m1}},
		{name: "bare 1:1 names nobody", occ: with(mk("a", past, h, m1), func(o *calendar.Occurrence) { o.Title = "1:1" }),
			why: "1 participant", part: []string{m1}},
		{name: "title hint ignored with two participants", occ: with(mk("a", past, h, m1, e1, e2), func(o *calendar.Occurrence) { o.Title = "Mina / Ezra" }),
			why: "3 participants", part: []string{e1, e2, m1}},
		{name: "external only", occ: mk("a", past, h, "x@other.org", "y@other.org"), why: "participant outside the directory: x@other.org, y@other.org",
			part: []string{"x@other.org", "y@other.org"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := testOpts()
			if tt.opts != nil {
				tt.opts(&opts)
			}
			ex := Explain(d, []calendar.Occurrence{tt.occ}, opts, T)[0]
			if ex.NotOneOnOne != tt.why || ex.OneOnOne != (tt.why == "") {
				t.Fatalf("OneOnOne=%v NotOneOnOne=%q, want %q", ex.OneOnOne, ex.NotOneOnOne, tt.why)
			}
			if ex.Kind != tt.kind || ex.Lead != tt.lead || ex.Member != tt.member {
				t.Errorf("kind %q lead %q member %q, want %q %q %q", ex.Kind, ex.Lead, ex.Member, tt.kind, tt.lead, tt.member)
			}
			if len(ex.Participants) != 0 || len(tt.part) != 0 {
				if !reflect.DeepEqual(ex.Participants, tt.part) {
					t.Errorf("participants %v, want %v", ex.Participants, tt.part)
				}
			}
			if tt.exclude == nil {
				tt.exclude = map[string]string{}
			}
			if !reflect.DeepEqual(ex.Excluded, tt.exclude) {
				t.Errorf("excluded %v, want %v", ex.Excluded, tt.exclude)
			}
			if ex.TitleHint != tt.hint {
				t.Errorf("hint %q, want %q", ex.TitleHint, tt.hint)
			}
		})
	}
}

func TestGlob(t *testing.T) {
	tests := []struct {
		pat, s string
		want   bool
	}{
		{"Out of office", "OUT OF OFFICE", true},
		{"Out of office", "Out of office - Paris", false}, // whole title
		{"OOO *", "ooo - Paris/London", true},             // * crosses '/'
		{"OOO *", "OOO", false},
		{"PT?", "pto", true},
		{"[sS]ick*", "Sick leave", true},
		{"[!s]ick", "sick", false},
		{"*@otter.ai", "notes@OTTER.ai", true},
		{"*@otter.ai", "notes@otter.ai.evil.com", false},
		{"a.b", "aXb", false},  // '.' is literal
		{"bad[", "bad[", true}, // unclosed class: literal
	}
	for _, tt := range tests {
		if got := newGlob(tt.pat).match(tt.s); got != tt.want {
			t.Errorf("glob %q on %q = %v, want %v", tt.pat, tt.s, got, tt.want)
		}
	}
}

func TestOutcome(t *testing.T) {
	d := testDir(t)
	h := time.Hour
	start := time.Date(2026, 3, 25, 9, 0, 0, 0, time.UTC) // a week before T
	base := mk("1on1", start, 30*time.Minute, m2, e3)
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name        string
		occ         calendar.Occurrence
		extra       []calendar.Occurrence // other calendar entries (OOO)
		out         Outcome
		reason      string
		rescheduled bool
		tooShort    bool
		rule        string // default "direct"
	}{
		{name: "held", occ: base, out: OutcomeHeld, reason: "held"},
		{name: "cancelled by status", occ: cancel(base, calendar.CancelStatus), out: OutcomeCancelled, reason: "event cancelled (status cancelled)"},
		{name: "cancelled by EXDATE", occ: cancel(base, calendar.CancelExdate), out: OutcomeCancelled,
			reason: "instance removed from the series (EXDATE or deleted instance)"},
		{name: "cancelled by Outlook title prefix", occ: cancel(base, calendar.CancelTitlePrefix), out: OutcomeCancelled, reason: `title marked "Canceled:"`},
		{name: "vanished", occ: cancel(base, calendar.CancelVanished), out: OutcomeCancelled, reason: "vanished from the calendar after it was seen scheduled"},
		{name: "cancel reason without status still cancels", occ: with(base, func(o *calendar.Occurrence) { o.CancelReason = calendar.CancelTitlePrefix }),
			out: OutcomeCancelled, reason: `title marked "Canceled:"`},
		{name: "member declined", occ: mk("1on1", start, 30*time.Minute, m2, e3+":declined"), out: OutcomeDeclined, reason: "e3@example.com declined"},
		{name: "declined through an alias", occ: mk("1on1", start, 30*time.Minute, e3, "vp.alias@example.com:declined"),
			out: OutcomeDeclined, reason: "vp@example.com declined", rule: "skip"},
		{name: "cancelled beats declined", occ: cancel(mk("1on1", start, 30*time.Minute, m2, e3+":declined"), calendar.CancelStatus),
			out: OutcomeCancelled, reason: "event cancelled (status cancelled)"},
		{name: "room declining changes nothing", occ: mk("1on1", start, 30*time.Minute, m2, e3+":accepted", "room@example.com:room"),
			out: OutcomeHeld, reason: "held"},
		{name: "room declining, room spelled like nothing else", occ: with(base, func(o *calendar.Occurrence) {
			o.Attendees = append(o.Attendees, calendar.Attendee{Email: "r1@example.com", Resource: true, Response: calendar.ResponseDeclined})
		}), out: OutcomeHeld, reason: "held"},
		{name: "ignored bot declining changes nothing", occ: mk("1on1", start, 30*time.Minute, m2, e3, "bot@otter.ai:declined"), out: OutcomeHeld, reason: "held"},
		{name: "cancelled while member out of office (timed)", occ: cancel(base, calendar.CancelStatus),
			extra: []calendar.Occurrence{ooo(e3, start.Add(-h), start.Add(h), false)},
			out:   OutcomeExcused, reason: "event cancelled (status cancelled) while e3@example.com was out of office"},
		{name: "declined while lead on all-day vacation in alias-owned calendar", occ: mk("1on1", start, 30*time.Minute, m2, e3+":declined"),
			extra: []calendar.Occurrence{with(ooo("M2@example.com", date(2026, 3, 25), date(2026, 3, 26), true), func(o *calendar.Occurrence) { o.Title = "vacation" })},
			out:   OutcomeExcused, reason: "e3@example.com declined while m2@example.com was out of office"},
		{name: "Google outOfOffice event excuses", occ: cancel(base, calendar.CancelExdate),
			extra: []calendar.Occurrence{with(ooo(m2, start, start.Add(8*h), false), func(o *calendar.Occurrence) { o.Title = "Away"; o.OutOfOffice = true })},
			out:   OutcomeExcused, reason: "instance removed from the series (EXDATE or deleted instance) while m2@example.com was out of office"},
		{name: "OOO glob title excuses", occ: cancel(base, calendar.CancelStatus),
			extra: []calendar.Occurrence{with(ooo(e3, start, start.Add(8*h), false), func(o *calendar.Occurrence) { o.Title = "OOO - dentist" })},
			out:   OutcomeExcused, reason: "event cancelled (status cancelled) while e3@example.com was out of office"},
		{name: "OOO title must match whole title", occ: cancel(base, calendar.CancelStatus),
			extra: []calendar.Occurrence{with(ooo(e3, start, start.Add(8*h), false), func(o *calendar.Occurrence) { o.Title = "Vacation planning" })},
			out:   OutcomeCancelled, reason: "event cancelled (status cancelled)"},
		{name: "OOO ending when the 1:1 starts does not overlap", occ: cancel(base, calendar.CancelStatus),
			extra: []calendar.Occurrence{ooo(e3, start.Add(-8*h), start, false)},
			out:   OutcomeCancelled, reason: "event cancelled (status cancelled)"},
		{name: "OOO starting when the 1:1 ends does not overlap", occ: cancel(base, calendar.CancelStatus),
			extra: []calendar.Occurrence{ooo(e3, start.Add(30*time.Minute), start.Add(8*h), false)},
			out:   OutcomeCancelled, reason: "event cancelled (status cancelled)"},
		{name: "a cancelled OOO event excuses nothing", occ: cancel(base, calendar.CancelStatus),
			extra: []calendar.Occurrence{cancel(ooo(e3, start.Add(-h), start.Add(h), false), calendar.CancelStatus)},
			out:   OutcomeCancelled, reason: "event cancelled (status cancelled)"},
		{name: "someone else's OOO excuses nothing", occ: cancel(base, calendar.CancelStatus),
			extra: []calendar.Occurrence{ooo(e1, start.Add(-h), start.Add(h), false)},
			out:   OutcomeCancelled, reason: "event cancelled (status cancelled)"},
		{name: "held while out of office stays held", occ: base,
			extra: []calendar.Occurrence{ooo(e3, start.Add(-h), start.Add(h), false)},
			out:   OutcomeHeld, reason: "held"},
		{name: "future is scheduled", occ: mk("f", T.Add(time.Second), 30*time.Minute, m2, e3), out: OutcomeScheduled, reason: "scheduled"},
		{name: "start exactly at T is upcoming, not past", occ: mk("f", T, 30*time.Minute, m2, e3), out: OutcomeScheduled, reason: "scheduled"},
		{name: "future declined stays scheduled", occ: mk("f", T.Add(h), 30*time.Minute, m2, e3+":declined"), out: OutcomeScheduled, reason: "scheduled; e3@example.com declined"},
		{name: "declined at exactly T is upcoming", occ: mk("f", T, 30*time.Minute, m2, e3+":declined"), out: OutcomeScheduled, reason: "scheduled; e3@example.com declined"},
		{name: "zero-length 1:1 inside an OOO span is excused", occ: cancel(mk("z", start, 0, m2, e3), calendar.CancelStatus),
			extra: []calendar.Occurrence{ooo(e3, start, start.Add(h), false)},
			out:   OutcomeExcused, reason: "event cancelled (status cancelled) while e3@example.com was out of office"},
		{name: "future cancelled is cancelled", occ: cancel(mk("f", T.Add(h), 30*time.Minute, m2, e3), calendar.CancelStatus), out: OutcomeCancelled, reason: "event cancelled (status cancelled)"},
		{name: "moved instance: rescheduled and held at its new time", occ: with(base, func(o *calendar.Occurrence) {
			o.Start, o.End = start.Add(26*h), start.Add(26*h+30*time.Minute)
			o.Override = true
		}), out: OutcomeHeld, reason: "held; moved from 2026-03-25T09:00:00Z", rescheduled: true},
		{name: "moved and cancelled", occ: cancel(with(base, func(o *calendar.Occurrence) { o.Start = start.Add(h); o.End = start.Add(90 * time.Minute) }), calendar.CancelStatus),
			out: OutcomeCancelled, reason: "event cancelled (status cancelled); moved from 2026-03-25T09:00:00Z", rescheduled: true},
		{name: "same instant in another zone is not a move", occ: with(base, func(o *calendar.Occurrence) {
			o.OriginalStart = start.In(berlin)
			o.Override = true
		}), out: OutcomeHeld, reason: "held"},
		{name: "too short (strictly shorter than min_duration)", occ: mk("s", start, 19*time.Minute+59*time.Second, m2, e3),
			out: OutcomeHeld, reason: "held; 19m59s is shorter than min_duration 20m0s", tooShort: true},
		{name: "exactly min_duration is not too short", occ: mk("s", start, 20*time.Minute, m2, e3), out: OutcomeHeld, reason: "held"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			occs := append([]calendar.Occurrence{tt.occ}, tt.extra...)
			ex := Explain(d, occs, testOpts(), T)[0]
			if !ex.OneOnOne {
				t.Fatalf("not a 1:1: %s", ex.NotOneOnOne)
			}
			if ex.Outcome != tt.out || ex.Reason != tt.reason || ex.Rescheduled != tt.rescheduled || ex.TooShort != tt.tooShort {
				t.Errorf("outcome %q reason %q rescheduled %v too short %v\nwant    %q reason %q rescheduled %v too short %v",
					ex.Outcome, ex.Reason, ex.Rescheduled, ex.TooShort, tt.out, tt.reason, tt.rescheduled, tt.tooShort)
			}
			if tt.rule == "" {
				tt.rule = "direct"
			}
			if ex.Rule != tt.rule {
				t.Errorf("rule %q, want %q", ex.Rule, tt.rule)
			}
		})
	}
}

func TestExplainParallelAndNoRule(t *testing.T) {
	d := testDir(t)
	opts := testOpts()
	opts.Rules = opts.Rules[:2] // no skip or peer rule
	occs := []calendar.Occurrence{
		mk("a", T.Add(-time.Hour), 30*time.Minute, e1, e2),
		mk("b", T.Add(-time.Hour), 30*time.Minute, e1, "x@other.org"),
		mk("c", T.Add(-time.Hour), 30*time.Minute, m1, e1),
	}
	ex := Explain(d, occs, opts, T)
	if len(ex) != 3 {
		t.Fatalf("%d explanations for 3 occurrences", len(ex))
	}
	if ex[0].Rule != "" || ex[0].Reason != "held; no policy rule matches this pair, so it is not evaluated" {
		t.Errorf("peer without rule: %+v", ex[0])
	}
	if ex[1].OneOnOne || ex[1].Outcome != "" {
		t.Errorf("external meeting: %+v", ex[1])
	}
	if ex[2].Rule != "new-hire" || ex[2].Outcome != OutcomeHeld {
		t.Errorf("new hire 1:1: %+v", ex[2])
	}
}

func TestTitleHintAmbiguousName(t *testing.T) {
	d, err := NewDirectory([]Person{
		{Email: "lead@example.com", Name: "Lee Dunn"},
		{Email: "alex.a@example.com", Name: "Alex Abel", Manager: "lead@example.com"},
		{Email: "alex.b@example.com", Name: "Alex Brook", Manager: "lead@example.com"},
	})
	if err != nil {
		t.Fatal(err)
	}
	occ := func(title string) calendar.Occurrence {
		return with(mk("x", T.Add(-time.Hour), 30*time.Minute, "lead@example.com"), func(o *calendar.Occurrence) { o.Title = title })
	}
	ex := Explain(d, []calendar.Occurrence{occ("Lee / Alex"), occ("Lee / Alex Brook")}, testOpts(), T)
	if ex[0].OneOnOne || ex[0].NotOneOnOne != "1 participant" {
		t.Errorf("an ambiguous first name named someone: %+v", ex[0])
	}
	if !ex[1].OneOnOne || ex[1].Member != "alex.b@example.com" {
		t.Errorf("a full name did not name its person: %+v", ex[1])
	}
}

// An all-day out-of-office day is a floating date in its owner's zone (the
// calendar package builds it so); overlap is decided on instants.
func TestAllDayOOOInOwnerZone(t *testing.T) {
	d := testDir(t)
	tokyo := time.FixedZone("JST", 9*3600)
	day := ooo(e3, time.Date(2026, 3, 25, 0, 0, 0, 0, tokyo), time.Date(2026, 3, 26, 0, 0, 0, 0, tokyo), true)
	inside := cancel(mk("in", time.Date(2026, 3, 25, 9, 0, 0, 0, time.UTC), 30*time.Minute, m2, e3), calendar.CancelStatus)  // 18:00 JST
	after := cancel(mk("out", time.Date(2026, 3, 25, 15, 0, 0, 0, time.UTC), 30*time.Minute, m2, e3), calendar.CancelStatus) // 00:00 JST next day
	ex := Explain(d, []calendar.Occurrence{inside, after, day}, testOpts(), T)
	if ex[0].Outcome != OutcomeExcused || ex[1].Outcome != OutcomeCancelled {
		t.Fatalf("outcomes %q %q, want excused cancelled", ex[0].Outcome, ex[1].Outcome)
	}
	if ex[2].OneOnOne || ex[2].NotOneOnOne != "out-of-office event" {
		t.Errorf("OOO day: %+v", ex[2])
	}
}

// TestCheckGlob: the configuration refuses exactly the globs the matcher
// cannot read, and what it accepts matches as documented.
func TestCheckGlob(t *testing.T) {
	for _, tt := range []struct {
		pat  string
		ok   bool
		s    string
		want bool
	}{
		{"*@otter.ai", true, "Bot@Otter.AI", true},
		{"OOO *", true, "ooo mon/tue", true}, // '*' crosses '/', unlike path.Match
		{"[PTO]", true, "t", true},
		{"[!a-c]x", true, "dx", true},
		{`a\*b`, true, "a*b", true},
		{`a\*b`, true, "axb", false},
		{"[a-@fireflies.ai", false, "", false},
		{`bot\`, false, "", false},
		{"Vacation [", false, "", false},
		{"[z-a]", false, "", false},
	} {
		err := CheckGlob(tt.pat)
		if (err == nil) != tt.ok {
			t.Errorf("CheckGlob(%q) = %v, want ok %v", tt.pat, err, tt.ok)
			continue
		}
		if tt.ok {
			if got := newGlob(tt.pat).match(tt.s); got != tt.want {
				t.Errorf("%q matches %q: %v, want %v", tt.pat, tt.s, got, tt.want)
			}
		}
	}
}
