-- Every finding shown on the voters' page, in one shape: the empty-seat flags, the candidacy bans, the
-- convictions missing from a hoja de vida, and the convictions candidates declared themselves (records under
-- review are not findings). Party, office and district are the JNE's spelling, so the page's filters group
-- them. No DNI: people are named as the sources name them.
CREATE OR REPLACE VIEW web_findings AS
SELECT 'empty_seat' AS kind, f.status, f.process_code, f.full_name, coalesce(c.party_name, upper(f.party)) AS party,
       coalesce(c.office, upper(f.chamber)) AS office, coalesce(c.district, upper(strip_accents(f.district))) AS district,
       f.finding_es, f.rule_id, f.rule_citation, f.case_number, f.court, f.ruling_date AS judgment_date,
       f.evidence_url, c.id_hoja_vida, f.archive_sha256
FROM empty_seat_flags f
JOIN legislators l USING (legislator_id)
LEFT JOIN candidates c ON c.candidacy_id = l.candidacy_id
UNION ALL
SELECT 'candidacy_ban', b.list_status, b.process_code, b.full_name, b.party_name, b.office, b.district,
       b.finding_es, b.rule_id, b.rule_citation, b.case_number, b.court, b.ruling_date,
       CASE WHEN b.evidence_url LIKE 'https://%' THEN b.evidence_url END, NULL, b.archive_sha256
FROM candidacy_bans b
UNION ALL
SELECT 'undeclared_conviction', NULL, u.process_code, u.full_name, u.party_name, u.office, NULL,
       u.finding_es, u.rule_id, u.rule_citation, u.case_number, u.court, u.ruling_date, u.evidence_url,
       u.id_hoja_vida, u.archive_sha256
FROM undeclared_convictions u
UNION ALL
SELECT 'declared_conviction', r.outcome, r.process_code, r.full_name, c.party_name, c.office, c.district,
       format('Declaró en su hoja de vida una condena por {} ({}; modalidad: {}; {}), {}, expediente {}, de fecha {}.',
              r.crime_text, r.ruling_text, coalesce(r.modality, 'no indicada'),
              CASE WHEN r.served THEN 'pena cumplida' WHEN r.served = FALSE THEN 'pena no cumplida'
                   ELSE 'cumplimiento no indicado' END,
              r.court, r.case_number, fecha_es(r.sentence_date)),
       'disclosure_ley28094_art23', ru.citation, r.case_number, r.court, r.sentence_date,
       CASE WHEN r.source_url LIKE 'https://%' THEN r.source_url END, r.id_hoja_vida, r.archive_sha256
FROM criminal_records r
JOIN rules ru ON ru.id = 'disclosure_ley28094_art23'
LEFT JOIN (SELECT process_code, id_hoja_vida, any_value(party_name) AS party_name, string_agg(DISTINCT office, ', ') AS office,
                  any_value(district) AS district FROM candidates GROUP BY ALL) c USING (process_code, id_hoja_vida)
WHERE r.outcome = 'convicted' AND r.review_reasons IS NULL;
