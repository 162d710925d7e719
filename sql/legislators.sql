-- Roster rows matched to JNE candidacies of the process that elected them. Rosters carry no DNI, so this is
-- entity resolution: same name tokens (accents, case and order ignored) and same office, then party and
-- district raise the confidence. Unmatched and ambiguous legislators are kept, never dropped.
CREATE OR REPLACE TABLE legislators AS
WITH l AS (
    SELECT *, md5(concat_ws('|', process_code, chamber, full_name)) AS legislator_id,
           name_key(full_name) AS nk, norm_text(party) AS pk, norm_text(district) AS dk
    FROM stg_legislators
), c AS (
    -- every candidacy costs a name key, computed here once: written in the join's condition, DuckDB 2.0
    -- computed it twice per row (0.3 s instead of 0.15 s at 150,000 candidacies)
    SELECT process_code, office, candidacy_id, dni, id_hoja_vida, party_name, district,
           name_key(full_name) AS nk
    FROM candidates
), named AS (
    -- party and district are normalised for the matched pairs only
    SELECT l.legislator_id, l.pk, l.dk, c.candidacy_id, c.dni, c.id_hoja_vida,
           norm_text(c.party_name) AS c_pk, norm_text(c.district) AS c_dk
    FROM l JOIN c ON l.process_code = c.process_code AND l.office = c.office AND l.nk = c.nk
), pairs AS (
    SELECT legislator_id, candidacy_id, dni, id_hoja_vida,
        CASE WHEN pk = c_pk AND (c_dk = '' OR c_dk = dk) THEN 'name_party_district'
             WHEN pk = c_pk THEN 'name_party' ELSE 'name_only' END AS method,
        CASE WHEN pk = c_pk AND (c_dk = '' OR c_dk = dk) THEN 1.0
             WHEN pk = c_pk THEN 0.9 ELSE 0.6 END AS confidence
    FROM named
), best AS (
    SELECT p.* FROM pairs p
    QUALIFY p.confidence = max(p.confidence) OVER (PARTITION BY p.legislator_id)
), resolved AS (
    SELECT legislator_id, count(DISTINCT dni) AS n, any_value(dni) AS dni, any_value(candidacy_id) AS candidacy_id,
           any_value(id_hoja_vida) AS id_hoja_vida, any_value(method) AS method, max(confidence) AS confidence
    FROM best GROUP BY legislator_id
)
SELECT
    l.legislator_id, l.process_code, l.chamber, l.office, l.period, l.full_name, l.party, l.parliamentary_group,
    l.district, l.condition, l.profile_url,
    CASE WHEN r.n = 1 THEN r.dni END AS dni,
    CASE WHEN r.n = 1 THEN r.candidacy_id END AS candidacy_id,
    CASE WHEN r.n = 1 THEN r.id_hoja_vida END AS id_hoja_vida,
    CASE WHEN r.n IS NULL THEN 'unmatched' WHEN r.n > 1 THEN 'ambiguous' ELSE r.method END AS match_method,
    CASE WHEN r.n = 1 THEN r.confidence ELSE 0.0 END AS match_confidence,
    l.source_url, l.archive_sha256
FROM l LEFT JOIN resolved r USING (legislator_id);
