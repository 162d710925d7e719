"""Splitting staged rows into valid rows and quarantine rows, one per failed check."""

import pandas as pd
import pytest

from pipeline.schemas import candidates
from pipeline.validate import QUARANTINE_COLUMNS, split_valid

SHA = "a" * 64


def row(**overrides) -> dict:
    base = {
        "process_code": "EG2026",
        "office": "SENADO",
        "district": None,
        "id_hoja_vida": 1,
        "dni": "99000001",
        "nombres": "ANA",
        "apellido_paterno": "EJEMPLO",
        "apellido_materno": "PRUEBA",
        "full_name": "ANA EJEMPLO PRUEBA",
        "party_id": 99001,
        "party_name": "PARTIDO DEMOSTRATIVO NACIONAL",
        "list_position": 1,
        "status": "INSCRITO",
        "source_url": "http://jne/list",
        "archive_sha256": SHA,
    }
    return {**base, **overrides}


def test_valid_rows_pass_coerced() -> None:
    out = split_valid(pd.DataFrame([row(id_hoja_vida="7")]), candidates.schema, "stg_candidates")
    assert out.quarantine.empty
    assert out.valid["id_hoja_vida"].tolist() == [7]


def test_each_failure_names_table_check_value_and_provenance() -> None:
    frame = pd.DataFrame([row(), row(id_hoja_vida=2, dni="12ab5678", source_url="http://jne/p2")])
    out = split_valid(frame, candidates.schema, "stg_candidates")
    assert out.valid["dni"].tolist() == ["99000001"]
    assert list(out.quarantine.columns) == QUARANTINE_COLUMNS
    q = out.quarantine.iloc[0]
    assert (q.table_name, q.column_name, q.failure_value, q.source_url, q.archive_sha256) == (
        "stg_candidates",
        "dni",
        "12ab5678",
        "http://jne/p2",
        SHA,
    )
    assert '"dni": "12ab5678"' in q.record


def test_uncoercible_value_is_quarantined_and_the_rest_still_validates() -> None:
    # "abc" cannot become an integer: pandera reports it on the row, then its range check cannot run on the
    # column; a second pass without the row settles the rest.
    frame = pd.DataFrame(
        [row(id_hoja_vida="abc"), row(id_hoja_vida=3, list_position=-1), row(id_hoja_vida=4)]
    )
    out = split_valid(frame, candidates.schema, "stg_candidates")
    assert out.valid["id_hoja_vida"].tolist() == [4]
    assert set(out.quarantine["column_name"]) == {"id_hoja_vida", "list_position"}


def test_duplicate_keeps_the_first_and_quarantines_the_rest() -> None:
    out = split_valid(pd.DataFrame([row(), row(), row()]), candidates.schema, "stg_candidates")
    assert len(out.valid) == 1
    assert out.quarantine["record"].nunique() == 1 and len(out.quarantine) >= 2


def test_missing_column_fails_the_whole_batch_with_a_clear_error() -> None:
    frame = pd.DataFrame([row()]).drop(columns=["status"])
    with pytest.raises(ValueError, match="stg_candidates: validation failed for the whole batch"):
        split_valid(frame, candidates.schema, "stg_candidates")
