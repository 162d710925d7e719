-- Curated court rulings. A ruling about a DNI with no candidacy, or whose crime text names crimes of several
-- categories, is kept and sent to review.
CREATE OR REPLACE TABLE court_rulings AS
SELECT
    r.* EXCLUDE (sentence_served, crime_also_named),
    CASE r.sentence_served WHEN 'yes' THEN TRUE WHEN 'no' THEN FALSE END AS served,
    nullif(concat_ws('; ',
        CASE WHEN NOT EXISTS (SELECT 1 FROM stg_candidates c WHERE c.dni = r.dni)
             THEN 'el DNI no corresponde a ninguna candidatura cargada' END,
        CASE WHEN r.crime_also_named IS NOT NULL
             THEN format('el delito nombra otras categorias ({}) ademas de {}', r.crime_also_named, r.crime_category)
        END), '') AS review_reasons
FROM stg_court_rulings r;
