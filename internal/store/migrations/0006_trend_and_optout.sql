-- compliance_weekly: each manager's compliance, once per ISO week (the
-- org-health page's 12-week trend). The daemon writes the week's row at
-- its first evaluation of the week and never changes it; weeks before it
-- ran, or while it was down, are reconstructed from the calendars
-- (reconstructed = 1).
CREATE TABLE compliance_weekly (
    manager          TEXT NOT NULL,
    iso_week         TEXT NOT NULL,   -- e.g. 2026-W48, in the page's zone
    direct_pairs     INTEGER NOT NULL,
    direct_compliant INTEGER NOT NULL,
    org_pairs        INTEGER NOT NULL,
    org_compliant    INTEGER NOT NULL,
    reconstructed    INTEGER NOT NULL DEFAULT 0,
    recorded_at      TEXT NOT NULL,   -- RFC 3339, UTC
    PRIMARY KEY (manager, iso_week)
) WITHOUT ROWID;
CREATE INDEX compliance_weekly_week ON compliance_weekly (iso_week);

-- digest_optout: recipients who unsubscribed with the digest's one-click
-- link (List-Unsubscribe, RFC 8058); never sent to again, on top of the
-- configuration's digest.opt_out. `cadence digest --resubscribe EMAIL`
-- deletes a row.
CREATE TABLE digest_optout (
    recipient  TEXT PRIMARY KEY,   -- primary email, lower case
    at         TEXT NOT NULL       -- RFC 3339, UTC
) WITHOUT ROWID;

-- secrets: keys cadence makes for itself (the HMAC key of the digest's
-- unsubscribe links), created at first use.
CREATE TABLE secrets (
    name   TEXT PRIMARY KEY,
    value  BLOB NOT NULL
) WITHOUT ROWID;
