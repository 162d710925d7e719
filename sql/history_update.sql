-- Fold the changes just computed into `history` (variable published_at set): close what disappeared or changed,
-- add what appeared or changed, and mark everything still present as seen now.
UPDATE history SET present = FALSE
WHERE present AND (entity_kind, entity_key) IN (
    SELECT (entity_kind, entity_key) FROM changes WHERE change IN ('disappeared', 'changed'));
UPDATE history SET last_seen = getvariable('published_at') WHERE present;
INSERT INTO history
SELECT entity_kind, entity_key, new_state, getvariable('published_at'), getvariable('published_at'), TRUE
FROM changes WHERE change IN ('appeared', 'changed');
