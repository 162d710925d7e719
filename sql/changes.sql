-- Changes since the previous publication: compare the entities now with the states present in `history`.
-- Run before history_update.sql, with the variable published_at set.
CREATE OR REPLACE TABLE changes AS
WITH now AS (SELECT * FROM entity_states), before AS (SELECT * FROM history WHERE present)
SELECT coalesce(n.entity_kind, b.entity_kind) AS entity_kind, coalesce(n.entity_key, b.entity_key) AS entity_key,
       CASE WHEN b.entity_key IS NULL THEN 'appeared' WHEN n.entity_key IS NULL THEN 'disappeared'
            ELSE 'changed' END AS change,
       b.state AS old_state, n.state AS new_state,
       coalesce(b.first_seen, getvariable('published_at')) AS first_seen,
       CASE WHEN n.entity_key IS NULL THEN b.last_seen ELSE getvariable('published_at') END AS last_seen
FROM now n FULL OUTER JOIN before b USING (entity_kind, entity_key)
WHERE b.entity_key IS NULL OR n.entity_key IS NULL OR n.state <> b.state;
