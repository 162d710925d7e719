-- Requests of each asset's latest run that did not return 200 (or 304 to a conditional request): retried
-- on the next run, never silently lost.
CREATE OR REPLACE VIEW fetch_failures AS
WITH latest AS (
    SELECT asset, process_code, arg_max(run_id, fetched_at) AS run_id FROM raw_responses GROUP BY ALL
)
SELECT r.asset, r.process_code, r.source, r.method, r.url, r.status, r.error, r.fetched_at, r.sha256, r.run_id
FROM raw_responses r JOIN latest USING (asset, process_code, run_id)
WHERE r.error IS NOT NULL OR r.status NOT IN (200, 304);
