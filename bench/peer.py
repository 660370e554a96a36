#!/usr/bin/python3
"""The peer of cadence's ingest+expand: python3-recurring-ical-events.

Reads every *.ics file of FEEDS_DIR, parses it with icalendar and expands
its events between FROM and TO (RFC 3339 UTC instants) with
recurring_ical_events, the way cadence's ParseICS+Expand does over the same
window. Prints one JSON object: files, bytes, events, occurrences, seconds
(parse+expand wall time, reading included), occurrences_per_second.

    /usr/bin/python3 bench/peer.py DIR/feeds 2025-10-01T00:00:00Z 2027-02-01T00:00:00Z
"""

import datetime
import json
import os
import sys
import time

import icalendar
import recurring_ical_events


def instant(s):
    return datetime.datetime.strptime(s, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=datetime.timezone.utc)


def main(argv):
    if len(argv) != 4:
        sys.stderr.write("usage: peer.py FEEDS_DIR FROM TO\n")
        return 2
    feeds, start, end = argv[1], instant(argv[2]), instant(argv[3])
    names = sorted(n for n in os.listdir(feeds) if n.endswith(".ics"))
    if not names:
        sys.stderr.write("peer.py: no .ics files in %s\n" % feeds)
        return 1
    total_bytes = events = occurrences = 0
    t0 = time.perf_counter()
    for name in names:
        with open(os.path.join(feeds, name), "rb") as f:
            data = f.read()
        total_bytes += len(data)
        try:
            cal = icalendar.Calendar.from_ical(data)
        except ValueError:
            continue  # a broken feed (HTML error page): cadence skips it too
        events += sum(1 for _ in cal.walk("VEVENT"))
        occurrences += len(recurring_ical_events.of(cal).between(start, end))
    seconds = time.perf_counter() - t0
    json.dump({
        "files": len(names), "bytes": total_bytes, "events": events,
        "occurrences": occurrences, "seconds": seconds,
        "occurrences_per_second": occurrences / seconds if seconds > 0 else 0,
    }, sys.stdout)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
