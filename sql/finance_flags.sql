-- One row per finance finding, each with its rule (citation and review status), a neutral Spanish finding and
-- its evidence: the source URL and archive hash of the bytes it came from, plus the related document when the
-- finding joins two sources. `amount` is the money the finding is about. Kinds:
--   contributor_convicted       a contribution whose contributor DNI is that of a person who declared a
--                               conviction in a hoja de vida (records in review excluded)
--   unidentified_contributor    a contribution with neither document nor name
--   cash_above_limit            a cash contribution above 1 UIT of its year; `unverified` while the limit or the
--                               UIT value is not verified (rules with status 'unverified')
--   party_total_mismatch        Claridad's totals for a party differ from the sum of the detail it publishes
--   campaign_out_of_proportion  campaign money at least finance_parameters.max_ratio times the declared income
-- Amounts in review (likely unit errors) raise no flag.
CREATE OR REPLACE TABLE finance_flags AS
WITH ok AS (
    SELECT * FROM contributions WHERE review_reasons IS NULL
), convicted AS (
    SELECT c.*, r.record_id AS conviction_id, r.full_name AS convicted_name, r.crime_text, r.case_number,
        r.sentence_date, r.source_url AS hv_url, r.archive_sha256 AS hv_sha256
    FROM ok c JOIN criminal_records r ON r.dni = c.contributor_document
    WHERE r.outcome = 'convicted' AND r.review_reasons IS NULL
), cash AS (
    SELECT c.*, l.value * u.value AS limit_pen, year(c.contribution_date) AS uit_year,
        l.status = 'unverified' OR u.status = 'unverified' AS limit_unverified
    FROM ok c
    JOIN rules l ON l.id = 'finance_cash_above_1uit' AND c.contribution_date >= l.valid_from
        AND (l.valid_to IS NULL OR c.contribution_date <= l.valid_to)
    JOIN rules u ON u.kind = 'reference_value' AND u.value_unit = 'PEN' AND starts_with(u.id, 'uit_')
        AND c.contribution_date BETWEEN u.valid_from AND u.valid_to
    WHERE c.contribution_type = 'F' AND c.amount > l.value * u.value
), ratio AS (
    SELECT any_value(value) AS max_ratio FROM finance_parameters WHERE name = 'max_ratio'
), flags AS (
    SELECT 'contributor_convicted' AS flag_kind, 'finance_contributor_convicted' AS rule_id, process_code,
        NULL AS candidacy_id, party_ruc, party_name, contributor_document AS dni, convicted_name AS subject_name,
        amount, FALSE AS unverified,
        format('Aporte de {} {} del {} a {}: el DNI del aportante corresponde a {}, quien declaró en su hoja de '
            || 'vida presentada al JNE una sentencia condenatoria por {} (expediente {}, {}).',
            soles(amount), contribution_type_es, fecha_es(contribution_date), party_name, convicted_name,
            crime_text, coalesce(case_number, 'sin número'), coalesce(fecha_es(sentence_date), 'sin fecha'))
            AS finding_es,
        contribution_id AS record_id, concat(contribution_id, '|', conviction_id) AS flag_key, source_url,
        archive_sha256, hv_url AS related_source_url, hv_sha256 AS related_archive_sha256
    FROM convicted
    UNION ALL
    SELECT 'unidentified_contributor', 'finance_unidentified_contributor', process_code, NULL, party_ruc,
        party_name, NULL, NULL, amount, FALSE,
        format('Aporte de {} {} del {} a {} registrado en ONPE Claridad sin documento ni nombre del aportante.',
            soles(amount), contribution_type_es, fecha_es(contribution_date), party_name),
        contribution_id, contribution_id, source_url, archive_sha256, NULL, NULL
    FROM ok WHERE contributor_document IS NULL AND contributor_name IS NULL
    UNION ALL
    SELECT 'cash_above_limit', 'finance_cash_above_1uit', process_code, NULL, party_ruc, party_name,
        contributor_document, contributor_name, amount, limit_unverified,
        format('Aporte en efectivo de {} del {} de {} a {}, mayor a una UIT ({} en {}), monto desde el cual la ley '
            || 'exige canalizar el aporte por el sistema financiero.{}',
            soles(amount), fecha_es(contribution_date), coalesce(contributor_name, 'aportante sin nombre'),
            party_name, soles(limit_pen), uit_year,
            CASE WHEN limit_unverified THEN ' Límite y valor de la UIT por verificar.' ELSE '' END),
        contribution_id, contribution_id, source_url, archive_sha256, NULL, NULL
    FROM cash
    UNION ALL
    SELECT 'party_total_mismatch', 'finance_party_report_mismatch', process_code, NULL, party_ruc, party_name,
        NULL, NULL, total_difference, FALSE,
        format('ONPE Claridad informa para {} en {} aportes por {}, pero el detalle de aportes que publica suma {}: '
            || 'diferencia de {} ({}).',
            party_name, process_code, soles(reported_total), soles(detail_total), soles(total_difference),
            concat_ws('; ',
                CASE WHEN cash_difference <> 0 THEN 'efectivo: ' || soles(cash_difference) END,
                CASE WHEN in_kind_difference <> 0 THEN 'especie: ' || soles(in_kind_difference) END,
                CASE WHEN activities_difference <> 0 THEN 'actividades: ' || soles(activities_difference) END,
                CASE WHEN other_difference <> 0 THEN 'otros: ' || soles(other_difference) END)),
        concat('party-', process_code, '-', party_ruc), concat('party-', process_code, '-', party_ruc),
        source_url, archive_sha256, NULL, NULL
    FROM party_finance WHERE NOT reconciles
    UNION ALL
    SELECT 'campaign_out_of_proportion', 'finance_campaign_out_of_proportion', s.process_code, s.candidacy_id,
        NULL, s.party_name, s.dni, s.full_name, s.campaign_money, FALSE,
        format('El dinero de campaña informado a la ONPE ({}) es {} veces el ingreso anual declarado en la hoja de '
            || 'vida presentada al JNE ({} en {}).',
            soles(s.campaign_money), format('{:.2f}', s.campaign_money_ratio), soles(s.declared_income),
            s.income_year),
        s.candidacy_id, s.candidacy_id, s.claridad_source_url, s.claridad_archive_sha256, s.income_source_url,
        s.income_archive_sha256
    FROM finance_summary s CROSS JOIN ratio
    WHERE s.campaign_money_ratio >= ratio.max_ratio
)
SELECT
    md5(concat_ws('|', f.flag_kind, f.flag_key)) AS flag_id, f.flag_kind, f.rule_id,
    r.citation AS rule_citation, r.status AS rule_status, f.unverified, f.process_code, f.candidacy_id,
    f.party_ruc, f.party_name, f.dni, f.subject_name, f.amount, f.finding_es, f.record_id, f.source_url,
    f.archive_sha256, f.related_source_url, f.related_archive_sha256
FROM flags f JOIN rules r ON r.id = f.rule_id;
