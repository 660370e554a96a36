-- Placeholder: number 0004 belongs to another branch's migration (the
-- feed-secrets change of issue 11). It keeps the numbering without a gap
-- until that migration is merged; delete this file then.
SELECT 1;
