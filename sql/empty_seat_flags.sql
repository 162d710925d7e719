-- One row per sitting legislator and conviction handed down during the term (Reglamento del Congreso
-- arts. 15-A and 25). A firm conviction for one of the four art. 15-A crimes -> 'empty_seat'; a non-firm one
-- -> 'pending'; a firm conviction for any other crime -> 'accesitario_replaces'. Acquittals, dismissals,
-- rulings in review and legislators matched with less than name + party confidence raise no flag.
-- Sentences declared in the hoja de vida predate the term and never trigger this rule.
CREATE OR REPLACE TABLE empty_seat_flags AS
WITH leg AS (
    SELECT l.*, p.term_start, p.term_end FROM legislators l JOIN processes p USING (process_code)
    WHERE l.match_method IN ('name_party_district', 'name_party')
), conv AS (
    SELECT r.*, rc.rule_id IS NOT NULL AS art15a_crime
    FROM court_rulings r
    LEFT JOIN rule_crime_categories rc ON rc.rule_id = 'empty_seat_art15a' AND rc.crime_category = r.crime_category
    WHERE r.outcome = 'convicted' AND r.review_reasons IS NULL
), flagged AS (
    SELECT leg.*, conv.* EXCLUDE (dni, source_url, archive_sha256, review_reasons),
        conv.source_url AS ruling_source_url, conv.archive_sha256 AS ruling_archive_sha256,
        CASE WHEN conv.art15a_crime AND conv.firm THEN 'empty_seat'
             WHEN conv.art15a_crime THEN 'pending'
             ELSE 'accesitario_replaces' END AS status,
        CASE WHEN conv.art15a_crime THEN 'empty_seat_art15a' ELSE 'accesitario_art25' END AS rule_id
    FROM leg JOIN conv ON conv.dni = leg.dni
        AND conv.ruling_date BETWEEN leg.term_start AND leg.term_end
    WHERE conv.art15a_crime OR conv.firm
)
SELECT
    f.legislator_id, f.process_code, f.chamber, f.period, f.full_name, f.party, f.district, f.dni,
    f.match_method, f.match_confidence,
    f.ruling_id, f.case_number, f.court, f.ruling_date, f.crime, f.crime_category, f.instance, f.firm,
    f.modality, f.sentence_text, f.status, f.rule_id, ru.citation AS rule_citation,
    CASE f.status
        WHEN 'empty_seat' THEN format(
            'Condena firme dictada {} el {} por {} ({}, expediente {}). Supuesto del art. 15-A del Reglamento '
            || 'del Congreso: el escaño queda vacío y no lo ocupa el accesitario.',
            instance_es(f.instance), fecha_es(f.ruling_date), f.crime, f.court, f.case_number)
        WHEN 'pending' THEN format(
            'Condena no firme dictada {} el {} por {} ({}, expediente {}). Si queda firme, se aplicaría el '
            || 'art. 15-A del Reglamento del Congreso (escaño vacío).',
            instance_es(f.instance), fecha_es(f.ruling_date), f.crime, f.court, f.case_number)
        ELSE format(
            'Condena firme dictada {} el {} por {} ({}, expediente {}; modalidad: {}). Delito no comprendido '
            || 'en el art. 15-A: corresponde el reemplazo por el accesitario (art. 25 del Reglamento del Congreso).',
            instance_es(f.instance), fecha_es(f.ruling_date), f.crime, f.court, f.case_number,
            coalesce(f.modality, 'no indicada'))
    END AS finding_es,
    f.evidence_url, f.retrieved_date, f.ruling_source_url AS source_url, f.ruling_archive_sha256 AS archive_sha256
FROM flagged f
JOIN rules ru ON ru.id = f.rule_id
    AND f.ruling_date >= ru.valid_from AND (ru.valid_to IS NULL OR f.ruling_date <= ru.valid_to);
