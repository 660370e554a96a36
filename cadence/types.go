// Package cadence is the domain: the directory (org chart), classification of
// occurrences into 1:1s, policies, and evaluation into an immutable Snapshot.
// It is pure: no I/O, no wall clock; "now" is always an argument.
//
// Errors returned by this package start with "cadence: ".
package cadence

import (
	"time"

	"github.com/cadence-dev/cadence/calendar"
)

// Kind of a pair.
type Kind string

const (
	KindDirect Kind = "direct"
	KindSkip   Kind = "skip"
	KindPeer   Kind = "peer"
)

// Outcome of one occurrence.
type Outcome string

const (
	OutcomeHeld      Outcome = "held"
	OutcomeCancelled Outcome = "cancelled"
	OutcomeDeclined  Outcome = "declined"
	OutcomeExcused   Outcome = "excused"
	OutcomeScheduled Outcome = "scheduled" // in the future (start >= T), not cancelled
)

// Status of a pair at time T.
type Status string

const (
	StatusOK      Status = "ok"
	StatusDue     Status = "due"
	StatusOverdue Status = "overdue"
	StatusNever   Status = "never"
)

// Flags beside the status.
const (
	FlagCancelStreak = "cancel_streak"
	FlagNoUpcoming   = "no_upcoming"
	FlagTooShort     = "too_short"
)

// Person is one directory entry. Emails are lower-case primaries.
type Person struct {
	Email     string
	Name      string
	Manager   string // primary email of the manager; "" for the root(s)
	HireDate  time.Time
	TeamStart time.Time // zero when not given
	Aliases   []string
	// ID is an opaque directory id (Google Workspace user id, or the CSV's
	// optional id); may be empty.
	ID string
	// Title and Department are informative (Google Workspace organizations).
	Title      string
	Department string
	// Pos names where the entry was read ("org.csv:12"), for error messages.
	Pos string
}

// Match is the condition of a policy rule. Empty fields match anything.
type Match struct {
	Kinds       []Kind
	TenureUnder time.Duration // 0 = no condition
	ReportsOver int           // -1 or 0 = no condition; matches when the lead has more than N direct reports
	// Pairs lists explicit pairs (either order) by email; a rule listing
	// pairs matches only those pairs.
	Pairs [][2]string
}

// Rule is one policy rule.
type Rule struct {
	Name                        string
	Match                       Match
	Every                       time.Duration
	Grace                       time.Duration
	MinDuration                 time.Duration
	Required                    bool
	MaxConsecutiveCancellations int
}

// Options drive classification and evaluation. Build them with defaults
// filled in (the config package does); Evaluate does not default anything.
type Options struct {
	Rules       []Rule
	Window      time.Duration // look-back window, default 90 days
	MaxDuration time.Duration // inclusive, default 120m
	SkipLevels  int           // 2 = manager's manager only (default)
	// IgnoredAttendees are globs (CheckGlob syntax, case-insensitive) of
	// addresses that are not participants (note-taker bots).
	IgnoredAttendees []string
	// OOOPatterns match a whole title case-insensitively, or as a glob when
	// the pattern contains * ? or [.
	OOOPatterns []string
	// TitleHints are patterns that make an event with a single listed
	// participant a 1:1 with the person the title names. See classify.go.
	TitleHints []string
}

// Counts in the look-back window.
type Counts struct {
	Held        int `json:"held"`
	Cancelled   int `json:"cancelled"`
	Declined    int `json:"declined"`
	Excused     int `json:"excused"`
	Rescheduled int `json:"rescheduled"`
	TooShort    int `json:"too_short"`
}

// PairOccurrence is one classified occurrence of a pair, kept in the
// snapshot for views (cadence strip, explanations).
type PairOccurrence struct {
	Key           calendar.Key
	Start         time.Time
	OriginalStart time.Time
	End           time.Time
	Outcome       Outcome
	Rescheduled   bool
	TooShort      bool
	// Reason says in words what decided the outcome ("STATUS:CANCELLED",
	// "bob@x declined", "cancelled while alice@x out of office", ...).
	Reason string
	Source string
}

// Pair is the evaluated status of one pair.
type Pair struct {
	Kind                     Kind
	Lead                     string
	Member                   string
	Rule                     string
	Required                 bool
	Status                   Status
	Flags                    []string // sorted
	LastHeld                 *time.Time
	NextScheduled            *time.Time
	ConsecutiveCancellations int
	Window                   Counts
	Interval                 time.Duration
	Grace                    time.Duration
	MaxConsecutive           int
	// Occurrences, oldest first, past and future, as far as known.
	Occurrences []PairOccurrence
}

// Tally is a compliance figure.
type Tally struct {
	Pairs     int     `json:"pairs"`
	Compliant int     `json:"compliant"`
	Ratio     float64 `json:"ratio"`
}

// Manager is the compliance of one manager (a person with reports).
type Manager struct {
	Manager string
	Direct  Tally
	Org     Tally
	// Counts by scope ("direct", "org"), kind and status, for
	// cadence_manager_pairs.
	PairCounts map[PairCountKey]int
}

// PairCountKey indexes Manager.PairCounts.
type PairCountKey struct {
	Scope  string // "direct" or "org"
	Kind   Kind
	Status Status
}

// SourceStatus is the health of one calendar source, carried into the
// snapshot so reports can show it.
type SourceStatus struct {
	Name        string
	OK          bool
	LastSuccess *time.Time
	Error       string
	// Warning is a problem that does not stop the source but limits what
	// it can show (a feed without any attendee or organizer).
	Warning string
	// NoAttendees: the source has events but no attendee or organizer on
	// any of them, so it cannot show a 1:1.
	NoAttendees bool
}

// Snapshot is the immutable result of one evaluation. Do not modify it after
// Evaluate returns; share it freely between goroutines.
type Snapshot struct {
	AsOf     time.Time
	Pairs    []Pair    // sorted by kind (direct, skip, peer), lead, member
	Managers []Manager // sorted by manager email
	Sources  []SourceStatus
	// Directory used for the evaluation (for grouping views by subtree).
	Directory *Directory
}

// Explanation says how cadence read one occurrence: who the participants
// are, whether it is a 1:1 and of which kind, and what decided its outcome.
// It answers "why does cadence think my 1:1 was cancelled?".
type Explanation struct {
	// Participants after alias resolution, minus rooms and ignored
	// addresses (sorted primary emails; external addresses kept as written).
	Participants []string
	// Excluded lists addresses dropped and why ("room", "ignored"). People
	// outside the directory are not dropped: they stay in Participants and
	// make the occurrence not a 1:1 (NotOneOnOne names them).
	Excluded map[string]string
	// OneOnOne is true when the occurrence is a 1:1 (SPEC "What counts as a
	// 1:1"); NotOneOnOne says why not ("all-day", "3 participants",
	// "longer than max_duration 2h0m0s", "out-of-office event", ...).
	OneOnOne    bool
	NotOneOnOne string
	Kind        Kind
	Lead        string
	Member      string
	// Outcome and Reason (see PairOccurrence). Outcome is empty when the
	// occurrence is not a 1:1.
	Outcome     Outcome
	Reason      string
	Rescheduled bool
	TooShort    bool
	Rule        string
	// TitleHint is the Options.TitleHints pattern that made a single-
	// participant occurrence a 1:1 ("" when none did).
	TitleHint string
}
