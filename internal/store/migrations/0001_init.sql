-- Google Calendar sync state: one row per calendar (sync token, zone) and
-- the calendar's event set (trimmed Calendar v3 JSON, by event id).
CREATE TABLE google_calendars (
    calendar_id TEXT PRIMARY KEY,
    sync_token  TEXT NOT NULL,
    time_zone   TEXT NOT NULL DEFAULT '',
    updated_at  TEXT NOT NULL  -- RFC 3339, UTC
);

CREATE TABLE google_events (
    calendar_id TEXT NOT NULL REFERENCES google_calendars(calendar_id) ON DELETE CASCADE,
    event_id    TEXT NOT NULL,
    json        TEXT NOT NULL,
    PRIMARY KEY (calendar_id, event_id)
) WITHOUT ROWID;
