"""Each finance schema's rejections: a valid row loads (money as exact decimals), and each bad value ends in a
quarantine row naming the table, the check, the column and the value as sent."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pandas as pd
import pytest

from assets.finance import FINANCE_SCHEMAS
from pipeline.schemas.finance_checks import MONEY
from pipeline.validate import split_valid

SHA = "c" * 64
PROVENANCE = {"source_url": "http://test/source", "archive_sha256": SHA}
VALID: dict[str, dict[str, Any]] = {
    "stg_declared_income": {
        "process_code": "EG2026",
        "id_hoja_vida": 990001,
        "item_id": 1,
        "year": "2024",
        **dict.fromkeys(
            ["public_salary", "private_salary", "public_rent", "private_rent", "public_other"], Decimal("0")
        ),
        "private_other": Decimal("1200.50"),
    },
    "stg_declared_assets": {
        "process_code": "EG2026",
        "id_hoja_vida": 990001,
        "item_id": 2,
        "asset_kind": "vehicle",
        "asset_type": "AUTOMOVIL",
        "registry_entry": None,
        "plate": "ZZZ-001",
        "description": None,
        "value": Decimal("35000"),
        "comment": None,
    },
    "stg_party_finance": {
        "process_code": "EG2026",
        "party_ruc": "20999000029",
        "party_name": "ALIANZA EJEMPLO",
        **dict.fromkeys(["cash", "in_kind", "activities", "other", "total"], Decimal("10.00")),
    },
    "stg_contributions": {
        "process_code": "EG2026",
        "party_ruc": "20999000029",
        "party_name": "ALIANZA EJEMPLO",
        "contributor_document": "99000001",
        "contributor_name": "ANA LUCIA EJEMPLO PRUEBA",
        "contributor_kind": "person",
        "contribution_type": "F",
        "contribution_date": pd.Timestamp("2026-01-10"),
        "amount": Decimal("100.10"),
        "election_year": "2026",
    },
    "stg_candidate_finance": {
        "process_code": "EG2026",
        "dni": "99000001",
        "full_name": "ANA LUCIA EJEMPLO PRUEBA",
        "party_name": "PARTIDO DEMOSTRATIVO NACIONAL",
        "department": "LIMA",
        "total_income": Decimal("25000"),
    },
    "stg_campaign_expenses": {
        "process_code": "EG2026",
        "dni": "99000001",
        "candidate_name": "ANA LUCIA EJEMPLO PRUEBA",
        "party_name": "PARTIDO DEMOSTRATIVO NACIONAL",
        "expense_date": pd.Timestamp("2026-02-12"),
        "platform": "FACEBOOK",
        "provider_document": "20999000099",
        "receipt_type": "FACTURA",
        "receipt_number": "F002-000077",
        "amount": Decimal("9000"),
        "concept": "PUBLICIDAD",
    },
}

# table, column, bad value, words the quarantined check (its error text) must contain
REJECTIONS = [
    ("stg_declared_income", "private_other", Decimal("-1"), "must not be negative"),
    ("stg_declared_income", "private_other", Decimal("1.005"), "coerce_dtype"),  # three decimals: not exact
    ("stg_declared_income", "private_other", "1,200.50", "coerce_dtype"),
    ("stg_declared_income", "private_other", None, "not_nullable"),
    ("stg_declared_income", "year", "1999", "decade before the election"),  # the typo real EG2021 rows carry
    ("stg_declared_income", "id_hoja_vida", 0, "greater_than"),
    ("stg_declared_assets", "asset_kind", "yate", "isin"),
    ("stg_declared_assets", "value", "mucho", "coerce_dtype"),
    ("stg_party_finance", "party_ruc", "2099900002", "RUC must be 11 digits"),
    ("stg_party_finance", "total", Decimal("-5"), "must not be negative"),
    ("stg_contributions", "contributor_document", "9900001", "8-digit DNI or an 11-digit RUC"),
    ("stg_contributions", "contributor_document", "209990000291", "8-digit DNI or an 11-digit RUC"),
    ("stg_contributions", "contribution_type", "X", "isin"),
    ("stg_contributions", "contribution_date", pd.Timestamp("2099-01-01"), "date is in the future"),
    (
        "stg_contributions",
        "contribution_date",
        pd.Timestamp("2024-01-01"),
        "outside the EG2026 campaign window",
    ),
    ("stg_contributions", "contribution_date", "31/02/2026", "coerce_dtype"),
    ("stg_contributions", "amount", "abc", "coerce_dtype"),
    ("stg_candidate_finance", "dni", "9900001", "DNI must be 8 digits"),
    ("stg_candidate_finance", "total_income", Decimal("-1"), "must not be negative"),
    (
        "stg_campaign_expenses",
        "expense_date",
        pd.Timestamp("2026-09-01"),
        "outside the EG2026 campaign window",
    ),
    ("stg_campaign_expenses", "provider_document", "RUC-1", "8-digit DNI or an 11-digit RUC"),
    ("stg_campaign_expenses", "dni", None, "not_nullable"),
]


def _frame(table: str, *rows: dict[str, Any]) -> pd.DataFrame:
    columns = list(FINANCE_SCHEMAS[table]("EG2026").columns)
    return pd.DataFrame([{**PROVENANCE, **row} for row in rows], columns=columns)


@pytest.mark.parametrize("table", list(VALID))
def test_a_valid_row_loads_with_exact_money(table: str) -> None:
    out = split_valid(_frame(table, VALID[table]), FINANCE_SCHEMAS[table]("EG2026"), table)
    assert out.quarantine.empty and len(out.valid) == 1
    money = [c for c, dtype in out.valid.dtypes.items() if dtype == MONEY]
    assert money and all(isinstance(out.valid[c].iloc[0], Decimal) for c in money)


@pytest.mark.parametrize(
    ("table", "column", "value", "check"), REJECTIONS, ids=[f"{r[0]}.{r[1]}={r[2]!s}" for r in REJECTIONS]
)
def test_bad_value_is_quarantined_with_its_check(table: str, column: str, value: Any, check: str) -> None:
    good, bad = VALID[table], {**VALID[table], column: value}
    out = split_valid(_frame(table, good, bad), FINANCE_SCHEMAS[table]("EG2026"), table)
    assert len(out.valid) == 1
    rows = out.quarantine[out.quarantine["column_name"] == column]
    assert not rows.empty, out.quarantine[["check_name", "column_name"]]
    assert any(check in name for name in rows["check_name"]), list(rows["check_name"])
    assert set(rows["table_name"]) == {table} and set(rows["archive_sha256"]) == {SHA}


@pytest.mark.parametrize(
    ("table", "key_change"),
    [
        ("stg_declared_income", {}),
        ("stg_declared_assets", {}),
        ("stg_party_finance", {}),
        ("stg_contributions", {}),  # the same contribution twice: a page read twice, not two contributions
        ("stg_candidate_finance", {"full_name": "OTRO NOMBRE"}),
        ("stg_campaign_expenses", {}),
    ],
)
def test_duplicate_keys_are_quarantined_and_the_first_copy_loads(table: str, key_change: dict) -> None:
    row = VALID[table]
    out = split_valid(_frame(table, row, {**row, **key_change}), FINANCE_SCHEMAS[table]("EG2026"), table)
    assert len(out.valid) == 1
    assert out.quarantine["check_name"].str.contains("unique").all() and not out.quarantine.empty


def test_the_same_contribution_in_another_party_or_document_is_not_a_duplicate() -> None:
    row = VALID["stg_contributions"]
    rows = [
        row,
        {**row, "party_ruc": "20999000011"},
        {**row, "contributor_document": None, "contributor_name": None},
    ]
    out = split_valid(_frame("stg_contributions", *rows), FINANCE_SCHEMAS["stg_contributions"]("EG2026"), "x")
    assert out.quarantine.empty and len(out.valid) == 3


def test_windows_follow_the_process() -> None:
    """A 2021 date is inside EG2021's campaign and outside EG2026's."""
    row = {
        **VALID["stg_contributions"],
        "process_code": "EG2021",
        "contribution_date": pd.Timestamp("2021-01-10"),
    }
    out = split_valid(_frame("stg_contributions", row), FINANCE_SCHEMAS["stg_contributions"]("EG2021"), "x")
    assert out.quarantine.empty
    out = split_valid(_frame("stg_contributions", row), FINANCE_SCHEMAS["stg_contributions"]("EG2026"), "x")
    assert list(out.quarantine["check_name"]) == [
        "date outside the EG2026 campaign window (2025-03-26 to 2026-06-07)"
    ]
