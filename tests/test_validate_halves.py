"""Large frames validated as two halves of their columns on two threads (`pipeline.validate.validate`):
what passes, and what pandera reports, must be what the whole schema gives."""

import pandas as pd
import pandera.pandas as pa
import pytest

from pipeline import validate as validate_module
from pipeline.schemas import candidates, court_rulings, declared_income
from pipeline.schemas.common import NAME_MAX
from pipeline.validate import _halves, validate
from tests.test_validate import row

# A value each column of stg_candidates refuses (invented).
REFUSED = {
    "source_url": " ",
    "archive_sha256": "b" * 63,
    "process_code": "",
    "office": " ",
    "district": "LIMA\ufffd",
    "id_hoja_vida": 0,
    "dni": "9900001",
    "nombres": "",
    "apellido_paterno": "X" * (NAME_MAX + 1),
    "apellido_materno": "\ufffd",
    "full_name": " ",
    "party_id": "partido",
    "party_name": "",
    "list_position": -1,
    "status": "DESCONOCIDO",
}


@pytest.fixture(autouse=True)
def _in_halves(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(validate_module, "SPLIT_MIN_ROWS", 1)


def _failures(schema: pa.DataFrameSchema, frame: pd.DataFrame, check: object) -> pd.DataFrame:
    with pytest.raises(pa.errors.SchemaErrors) as raised:
        check(schema, frame.copy())
    return raised.value.failure_cases


def _whole(schema: pa.DataFrameSchema, frame: pd.DataFrame) -> pd.DataFrame:
    return schema.validate(frame, lazy=True)


def test_the_halves_share_out_every_column_and_keep_the_unique_rule_whole() -> None:
    for schema in (candidates.schema, declared_income.schema_for("EG2026")):
        first, second = _halves(schema)
        assert sorted([*first.columns, *second.columns]) == sorted(schema.columns)
        assert not set(first.columns) & set(second.columns)
        assert set(schema.unique) <= set(first.columns)
        assert first.unique == schema.unique and second.unique is None


def test_a_schema_with_checks_across_columns_is_validated_whole() -> None:
    assert court_rulings.schema.checks
    assert _halves(court_rulings.schema) is None


def test_valid_rows_come_out_as_the_whole_schema_makes_them() -> None:
    frame = pd.DataFrame(
        [row(), row(id_hoja_vida=2, district="LIMA", list_position=None), row(id_hoja_vida=3, party_id=7)],
        dtype=object,
    )
    pd.testing.assert_frame_equal(validate(candidates.schema, frame.copy()), _whole(candidates.schema, frame))


@pytest.mark.parametrize("column", list(candidates.schema.columns))
def test_a_value_refused_in_either_half_is_reported_as_the_whole_schema_reports_it(column: str) -> None:
    frame = pd.DataFrame([row(), row(**{"id_hoja_vida": 2, column: REFUSED[column]})], dtype=object)
    pd.testing.assert_frame_equal(
        _failures(candidates.schema, frame, validate), _failures(candidates.schema, frame, _whole)
    )


def test_repeated_keys_are_reported_as_the_whole_schema_reports_them() -> None:
    frame = pd.DataFrame([row(), row(), row(id_hoja_vida=2)], dtype=object)
    pd.testing.assert_frame_equal(
        _failures(candidates.schema, frame, validate), _failures(candidates.schema, frame, _whole)
    )
