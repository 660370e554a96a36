-- ics_feeds.quarantined: why a stored body was set aside (it failed to
-- parse, or exceeded a limit, when the daemon restored it). A quarantined
-- body is kept for inspection but never parsed again at start-up, so a
-- poisoned body cannot make every restart slow or crash; the next good
-- fetch of the feed replaces it and clears the mark.
ALTER TABLE ics_feeds ADD COLUMN quarantined TEXT NOT NULL DEFAULT '';
