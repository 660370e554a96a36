-- The daemon's state (cadence serve).
-- ics_feeds: each ICS source's validators and last good body (the feed as
-- fetched; parsed again on load so time zones, VTIMEZONE definitions
-- included, come back exactly), so a restart sends conditional requests and
-- a failing feed keeps serving its last good data.
CREATE TABLE ics_feeds (
    name          TEXT PRIMARY KEY,
    source        TEXT NOT NULL,  -- the definition (owner|path|url|zone) the data came from
    etag          TEXT NOT NULL DEFAULT '',
    last_modified TEXT NOT NULL DEFAULT '',
    body          BLOB NOT NULL,
    last_success  TEXT NOT NULL   -- RFC 3339, UTC
);

-- occurrence_history: every occurrence the daemon has seen (JSON of
-- calendar.Seen), so a feed that later drops old events, or silently
-- deletes an instance, does not erase history.
CREATE TABLE occurrence_history (
    series_uid     TEXT NOT NULL,
    original_start INTEGER NOT NULL,  -- Unix seconds
    json           TEXT NOT NULL,
    PRIMARY KEY (series_uid, original_start)
) WITHOUT ROWID;

-- digest_log: one row per (ISO week, recipient) so the weekly digest is sent
-- exactly once across crashes and restarts.
CREATE TABLE digest_log (
    iso_week    TEXT NOT NULL,   -- e.g. 2026-W48
    recipient   TEXT NOT NULL,
    message_id  TEXT NOT NULL,
    state       TEXT NOT NULL,   -- pending, sent, failed
    attempts    INTEGER NOT NULL DEFAULT 0,
    last_error  TEXT NOT NULL DEFAULT '',
    updated_at  TEXT NOT NULL,
    PRIMARY KEY (iso_week, recipient)
) WITHOUT ROWID;
