-- Microsoft Graph sync state: one row per mailbox (the delta link of the
-- calendarView delta round and the window it covers), and the mailbox's
-- items: the instances of the window (kind 'event') and the series
-- masters they belong to (kind 'master'), as trimmed Graph event JSON.
CREATE TABLE microsoft_mailboxes (
    mailbox      TEXT PRIMARY KEY,
    delta_link   TEXT NOT NULL,
    window_start TEXT NOT NULL,  -- RFC 3339, UTC
    window_end   TEXT NOT NULL,  -- RFC 3339, UTC
    updated_at   TEXT NOT NULL   -- RFC 3339, UTC
);

CREATE TABLE microsoft_items (
    mailbox TEXT NOT NULL REFERENCES microsoft_mailboxes(mailbox) ON DELETE CASCADE,
    kind    TEXT NOT NULL CHECK (kind IN ('event', 'master')),
    item_id TEXT NOT NULL,
    json    TEXT NOT NULL,
    PRIMARY KEY (mailbox, kind, item_id)
) WITHOUT ROWID;
