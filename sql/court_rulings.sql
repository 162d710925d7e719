-- Curated court rulings, with the person's candidacies found by DNI. A ruling about a DNI with no candidacy
-- is kept and sent to review.
CREATE OR REPLACE TABLE court_rulings AS
SELECT
    r.* EXCLUDE (sentence_served),
    CASE r.sentence_served WHEN 'yes' THEN TRUE WHEN 'no' THEN FALSE END AS served,
    CASE WHEN NOT EXISTS (SELECT 1 FROM stg_candidates c WHERE c.dni = r.dni)
         THEN 'el DNI no corresponde a ninguna candidatura cargada' END AS review_reasons
FROM stg_court_rulings r;
