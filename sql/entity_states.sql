-- What the history tracks between publications: each entity's key and a state string; a change of state, an
-- appearance or a disappearance is a change worth telling readers about.
CREATE OR REPLACE VIEW entity_states AS
SELECT 'candidacy' AS entity_kind, candidacy_id AS entity_key, status AS state FROM candidates
UNION ALL
SELECT 'criminal_record', record_id,
       concat_ws(' | ', outcome, crime_text, ruling_text, modality, coalesce(review_reasons, 'sin revision'))
FROM criminal_records
UNION ALL
SELECT 'empty_seat_flag', concat(legislator_id, '/', ruling_id), status FROM empty_seat_flags
UNION ALL
SELECT 'candidacy_ban', concat(candidacy_id, '/', rule_id, '/', record_id), 'vigente' FROM candidacy_bans;
