-- One row per party and process: the contribution totals ONPE Claridad publishes, next to the sum of the
-- contribution detail it publishes for the same party, by type, and the differences. Exact decimal arithmetic:
-- a party whose detail adds up reconciles to the céntimo. Detail rows quarantined at load are counted, since
-- they explain part of a difference.
CREATE OR REPLACE TABLE party_finance AS
WITH detail AS (
    SELECT process_code, party_ruc,
        coalesce(sum(amount) FILTER (WHERE contribution_type = 'F'), 0) AS detail_cash,
        coalesce(sum(amount) FILTER (WHERE contribution_type = 'E'), 0) AS detail_in_kind,
        coalesce(sum(amount) FILTER (WHERE contribution_type = 'A'), 0) AS detail_activities,
        coalesce(sum(amount) FILTER (WHERE contribution_type = 'O'), 0) AS detail_other,
        sum(amount) AS detail_total,
        count(*) AS detail_rows
    FROM stg_contributions GROUP BY ALL
), quarantined AS (
    SELECT process_code, json_extract_string(record, '$.party_ruc') AS party_ruc, count(*) AS quarantined_rows
    FROM quarantine WHERE table_name = 'stg_contributions' GROUP BY ALL
), compared AS (
    SELECT p.process_code, p.party_ruc, p.party_name,
        p.cash AS reported_cash, p.in_kind AS reported_in_kind, p.activities AS reported_activities,
        p.other AS reported_other, p.total AS reported_total,
        coalesce(d.detail_cash, 0) AS detail_cash, coalesce(d.detail_in_kind, 0) AS detail_in_kind,
        coalesce(d.detail_activities, 0) AS detail_activities, coalesce(d.detail_other, 0) AS detail_other,
        coalesce(d.detail_total, 0) AS detail_total,
        coalesce(d.detail_rows, 0) AS detail_rows, coalesce(q.quarantined_rows, 0) AS quarantined_detail_rows,
        p.source_url, p.archive_sha256
    FROM stg_party_finance p
    LEFT JOIN detail d ON d.process_code = p.process_code AND d.party_ruc = p.party_ruc
    LEFT JOIN quarantined q ON q.process_code = p.process_code AND q.party_ruc = p.party_ruc
)
SELECT
    process_code, party_ruc, party_name,
    reported_cash, reported_in_kind, reported_activities, reported_other, reported_total,
    detail_cash, detail_in_kind, detail_activities, detail_other, detail_total,
    reported_cash - detail_cash AS cash_difference,
    reported_in_kind - detail_in_kind AS in_kind_difference,
    reported_activities - detail_activities AS activities_difference,
    reported_other - detail_other AS other_difference,
    reported_total - detail_total AS total_difference,
    reported_cash = detail_cash AND reported_in_kind = detail_in_kind AND reported_activities = detail_activities
        AND reported_other = detail_other AND reported_total = detail_total AS reconciles,
    detail_rows, quarantined_detail_rows, source_url, archive_sha256
FROM compared;
