package report_test

import (
	"os"
	"time"

	"github.com/cadence-dev/cadence/cadence"
	"github.com/cadence-dev/cadence/report"
)

func ExampleWriteJSON() {
	asOf := time.Date(2026, 11, 16, 12, 0, 0, 0, time.UTC)
	held := time.Date(2026, 11, 10, 14, 0, 0, 0, time.FixedZone("CET", 3600)) // written in UTC
	snap := &cadence.Snapshot{
		AsOf: asOf,
		Pairs: []cadence.Pair{{
			Kind: cadence.KindDirect, Lead: "amy@example.com", Member: "dan@example.com",
			Rule: "direct", Required: true, Status: cadence.StatusOK,
			Flags:    []string{cadence.FlagNoUpcoming},
			LastHeld: &held,
			Window:   cadence.Counts{Held: 6, Cancelled: 1},
		}},
		Managers: []cadence.Manager{{
			Manager: "amy@example.com",
			Direct:  cadence.Tally{Pairs: 1, Compliant: 1, Ratio: 1},
			Org:     cadence.Tally{Pairs: 3, Compliant: 2, Ratio: 2.0 / 3},
		}},
		Sources: []cadence.SourceStatus{{Name: "amy.ics", OK: false, Error: "calendar: amy.ics: HTTP 404"}},
	}
	if err := report.WriteJSON(os.Stdout, snap); err != nil {
		panic(err)
	}
	// Output:
	// {
	//   "as_of": "2026-11-16T12:00:00Z",
	//   "pairs": [
	//     {
	//       "kind": "direct",
	//       "lead": "amy@example.com",
	//       "member": "dan@example.com",
	//       "rule": "direct",
	//       "required": true,
	//       "status": "ok",
	//       "flags": [
	//         "no_upcoming"
	//       ],
	//       "last_held": "2026-11-10T13:00:00Z",
	//       "next_scheduled": null,
	//       "consecutive_cancellations": 0,
	//       "window": {
	//         "held": 6,
	//         "cancelled": 1,
	//         "declined": 0,
	//         "excused": 0,
	//         "rescheduled": 0,
	//         "too_short": 0
	//       }
	//     }
	//   ],
	//   "managers": [
	//     {
	//       "manager": "amy@example.com",
	//       "direct": {
	//         "pairs": 1,
	//         "compliant": 1,
	//         "ratio": 1
	//       },
	//       "org": {
	//         "pairs": 3,
	//         "compliant": 2,
	//         "ratio": 0.666667
	//       }
	//     }
	//   ],
	//   "sources": [
	//     {
	//       "name": "amy.ics",
	//       "ok": false,
	//       "last_success": null,
	//       "error": "calendar: amy.ics: HTTP 404"
	//     }
	//   ]
	// }
}
