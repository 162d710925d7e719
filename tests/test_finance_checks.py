"""The finance schema checks validate each process's rows against that process's schema (invented rows)."""

from decimal import Decimal

import pandas as pd

from assets.finance_checks import _validate_per_process
from pipeline.schemas.declared_income import AMOUNTS


def _income(process_code: str, year: int, id_hoja_vida: int) -> dict:
    return {
        "source_url": f"https://example.test/hoja-vida?IdHojaVida={id_hoja_vida}",
        "archive_sha256": "c" * 64,
        "process_code": process_code,
        "id_hoja_vida": id_hoja_vida,
        "item_id": 1,
        "year": year,
        **{column: Decimal("1200.50") for column in AMOUNTS},
    }


def _frame(*rows: dict) -> pd.DataFrame:
    frame = pd.DataFrame(list(rows))
    return frame.astype({"id_hoja_vida": "Int64", "item_id": "Int64", "year": "Int64"})


def test_each_process_is_judged_by_its_own_election_year() -> None:
    failures = _validate_per_process("stg_declared_income")
    assert failures(_frame(_income("EG2026", 2025, 1), _income("EG2021", 2020, 2))) == []
    (cases,) = failures(_frame(_income("EG2026", 2025, 1), _income("EG2021", 2025, 2)))
    assert list(cases["check"]) == ["income year must be in the decade before the election"]
    assert list(cases["column"]) == ["year"] and list(cases["failure_case"]) == [2025]
