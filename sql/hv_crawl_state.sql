-- The crawler's memory of each hoja de vida (issue 6): the body in force, how the server labelled it, and
-- the list row it was fetched for. A run asks again only for what is new, changed, failed, unreadable or
-- older than PIPELINE_HV_MAX_AGE_HOURS. Replaced per process by `jne_hojas_vida`.
CREATE TABLE IF NOT EXISTS hv_crawl_state (
    process_code     VARCHAR NOT NULL,
    id_hoja_vida     BIGINT NOT NULL,
    list_fingerprint VARCHAR,      -- md5 of the candidate's list rows when the body was last checked
    method           VARCHAR NOT NULL,
    url              VARCHAR NOT NULL,
    sha256           VARCHAR,      -- archive reference of the body in force (NULL: never fetched)
    etag             VARCHAR,
    last_modified    VARCHAR,
    last_status      INTEGER,      -- 200, 304 (unchanged), another status, or NULL (network error)
    last_error       VARCHAR,
    checked_at       TIMESTAMPTZ   -- when the body in force was last fetched or confirmed unchanged
);
