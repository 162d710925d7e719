-- One row per candidacy, ban rule and conviction that triggers it, judged at the process's election date with
-- the rules in force on that date. Art. 34-A: a conviction (first instance or firm) for an intentional crime
-- whose sentence is not served. Ley 30717: a firm conviction to prison (effective or suspended) for an
-- intentional crime, not served; its "even if rehabilitated" clause only for processes before Dec 2022.
-- Negligent (culposo) crimes, reservas de fallo, acquittals and records in review never trigger a ban; a
-- conviction whose compliance is unknown goes to review_queue instead.
CREATE OR REPLACE TABLE candidacy_bans AS
WITH judged AS (
    SELECT c.candidacy_id, c.process_code, c.office, c.district, c.dni, c.full_name, c.party_name,
           c.status AS list_status, p.election_date, v.*  EXCLUDE (dni)
    FROM candidates c
    JOIN processes p USING (process_code)
    JOIN convictions v ON v.dni = c.dni AND v.ruling_date <= p.election_date
    WHERE NOT v.crime_negligent
), applied AS (
    SELECT j.*, r.id AS rule_id, r.citation AS rule_citation
    FROM judged j
    JOIN rules r ON r.kind = 'candidacy_ban'
        AND j.election_date >= r.valid_from AND (r.valid_to IS NULL OR j.election_date <= r.valid_to)
    WHERE (r.id = 'ban_const_art34a' AND j.served = FALSE)
       OR (r.id = 'ban_ley30717' AND j.firm AND j.modality IN ('EFECTIVA', 'SUSPENDIDA') AND j.served = FALSE)
       OR (r.id = 'ban_ley30717_rehabilitated' AND j.firm AND EXISTS (
               SELECT 1 FROM rule_crime_categories rc WHERE rc.rule_id = r.id AND rc.crime_category = j.crime_category))
)
SELECT
    candidacy_id, process_code, office, district, dni, full_name, party_name, list_status, rule_id, rule_citation,
    record_id, evidence_kind, crime, crime_category, firm, instance, modality, served, ruling_date, case_number,
    court,
    format('{} por {} ({}, expediente {}, {}){}, según {}.',
        CASE WHEN firm THEN 'Condena firme' ELSE 'Condena no firme dictada ' || instance_es(instance) END,
        crime, court, case_number, fecha_es(ruling_date),
        CASE WHEN served = FALSE THEN '; pena no cumplida' ELSE '' END,
        CASE evidence_kind WHEN 'hoja_de_vida' THEN 'la hoja de vida presentada al JNE'
                           ELSE 'el registro de fallos judiciales' END) AS finding_es,
    evidence_url, source_url, archive_sha256
FROM applied;
