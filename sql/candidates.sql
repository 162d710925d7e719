-- One row per candidacy (person x process x office x district) with its JNE list status.
CREATE OR REPLACE TABLE candidates AS
SELECT
    md5(concat_ws('|', process_code, office, coalesce(district, ''), id_hoja_vida)) AS candidacy_id,
    process_code, office, district, id_hoja_vida, dni, full_name, nombres, apellido_paterno, apellido_materno,
    party_id, party_name, list_position, status, source_url, archive_sha256
FROM stg_candidates;
