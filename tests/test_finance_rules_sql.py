"""The finance models, table-driven: each case validates a few staged rows with their pandera schemas, loads
them into an in-memory DuckDB, builds every model from sql/ as the assets do, and checks the flags, the review
queue and the sums. Money stays exact from the parsed response to the SQL sum."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import duckdb
import pandas as pd
import pytest

from assets.finance import FINANCE_SCHEMAS
from assets.models import MODELS
from pipeline import staging
from pipeline.campaigns import get_campaign
from pipeline.http.request import Fetched
from pipeline.reference import crime_categories_table, processes_table, rule_tables
from pipeline.sources import claridad
from pipeline.validate import split_valid
from pipeline.warehouse import build_model, ensure_table, replace_rows, sql_text
from tests.test_rules_sql import candidacy, declared

SHA = "d" * 64
SOURCE = {"source_url": "http://claridad.test/x", "archive_sha256": SHA}
PARTY = {"party_ruc": "20999000029", "party_name": "ALIANZA EJEMPLO"}
PERSON_DNI = "99111111"  # the candidacy of tests/test_rules_sql.py: ELENA PRUEBA SIMULADO


def _staged(table: str, rows: list[dict[str, Any]], process: str = "EG2026") -> pd.DataFrame:
    schema = FINANCE_SCHEMAS[table](process)
    frame = pd.DataFrame(
        [{**SOURCE, "process_code": process, **r} for r in rows], columns=list(schema.columns)
    )
    out = split_valid(frame, schema, table)
    assert out.quarantine.empty, out.quarantine[["check_name", "column_name", "failure_value"]]
    return out.valid


def _warehouse(
    finance: dict[str, list[dict[str, Any]]],
    criminal: list[dict[str, Any]] = (),
    review_above: str = "1000000",
    max_ratio: str = "10",
    process: str = "EG2026",
) -> duckdb.DuckDBPyConnection:
    conn = duckdb.connect()
    conn.execute(sql_text("macros"))
    rules, categories = rule_tables()
    for name, frame in {
        "rules": rules,
        "rule_crime_categories": categories,
        "processes": processes_table(),
        "crime_categories": crime_categories_table(),
    }.items():
        conn.execute(sql_text(name))
        replace_rows(conn, name, frame, {})
    conn.execute(sql_text("finance_parameters"))
    params = pd.DataFrame(
        [
            {
                "name": "review_above_pen",
                "value": Decimal(review_above),
                "unit": "PEN",
                "setting": "s",
                "description": "d",
            },
            {
                "name": "max_ratio",
                "value": Decimal(max_ratio),
                "unit": "ratio",
                "setting": "s",
                "description": "d",
            },
        ]
    )
    replace_rows(conn, "finance_parameters", params, {})
    staged = {
        "stg_candidates": pd.DataFrame([candidacy(process)]),
        "stg_criminal_sentences": pd.DataFrame(list(criminal)),
        **{table: _staged(table, rows, process) for table, rows in finance.items()},
    }
    for table in (
        "stg_civil_sentences",
        "stg_court_rulings",
        "stg_legislators",
        "raw_responses",
        "quarantine",
    ):
        ensure_table(conn, table)
    for table in FINANCE_SCHEMAS:
        ensure_table(conn, table)
    for table, frame in staged.items():
        replace_rows(conn, table, frame, {})
    for name, _, _ in MODELS:
        build_model(conn, name)
    return conn


def contribution(**overrides: Any) -> dict[str, Any]:
    return {
        **PARTY,
        "contributor_document": "99222222",
        "contributor_name": "ROSA MARIA PRUEBA INVENTADO",
        "contributor_kind": "person",
        "contribution_type": "F",
        "contribution_date": pd.Timestamp("2026-01-10"),
        "amount": Decimal("1000.00"),
        "election_year": "2026",
        **overrides,
    }


def income(total: str, item: int = 1) -> dict[str, Any]:
    zero = Decimal("0")
    return {
        "id_hoja_vida": 1,
        "item_id": item,
        "year": "2025",
        "public_salary": zero,
        "private_salary": Decimal(total),
        "public_rent": zero,
        "private_rent": zero,
        "public_other": zero,
        "private_other": zero,
    }


def party(**amounts: str) -> dict[str, Any]:
    values = {k: Decimal(amounts.get(k, "0")) for k in ("cash", "in_kind", "activities", "other")}
    return {
        **PARTY,
        **values,
        "total": Decimal(amounts["total"]) if "total" in amounts else sum(values.values()),
    }


def flags(conn: duckdb.DuckDBPyConnection) -> list[tuple]:
    return conn.execute(
        "SELECT flag_kind, rule_id, unverified, amount FROM finance_flags ORDER BY ALL"
    ).fetchall()


# --- contributions by convicted people ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("record", "expected"),
    [
        (declared("ROBO AGRAVADO", "2024-03-15"), 1),
        (declared("ROBO AGRAVADO", "2024-03-15", review="declarada 2 veces"), 0),  # a record in review
        (declared("ROBO AGRAVADO", "2024-03-15", outcome="acquitted", modality=None), 0),
    ],
    ids=["convicted", "record in review", "acquitted"],
)
def test_contribution_from_a_person_with_a_declared_conviction(record: dict, expected: int) -> None:
    conn = _warehouse({"stg_contributions": [contribution(contributor_document=PERSON_DNI)]}, [record])
    rows = conn.execute(
        "SELECT rule_citation, finding_es, related_source_url FROM finance_flags "
        "WHERE flag_kind = 'contributor_convicted'"
    ).fetchall()
    assert len(rows) == expected
    if expected:
        citation, finding, related = rows[0]
        assert citation.startswith("Ley 28094") and related == "http://jne/hv"
        assert finding == (
            "Aporte de S/ 1,000.00 en efectivo del 10/01/2026 a ALIANZA EJEMPLO: el DNI del aportante "
            "corresponde a ELENA PRUEBA SIMULADO, quien declaró en su hoja de vida presentada al JNE una "
            "sentencia condenatoria por ROBO AGRAVADO (expediente 77-2010, 15/03/2024)."
        )


# --- unidentified contributors ------------------------------------------------------------------------------


def test_contribution_with_no_document_and_no_name_is_flagged() -> None:
    anonymous = contribution(contributor_document=None, contributor_name=None, contributor_kind=None)
    named_only = contribution(
        contributor_document=None, contributor_name="COLECTA MUESTRA", amount=Decimal("5")
    )
    conn = _warehouse({"stg_contributions": [anonymous, named_only]})
    assert flags(conn) == [
        ("unidentified_contributor", "finance_unidentified_contributor", False, Decimal("1000.00"))
    ]


# --- cash above one UIT -------------------------------------------------------------------------------------

CASH_CASES = [
    ("cash above 1 UIT of 2026", "EG2026", contribution(amount=Decimal("5500.01")), "S/ 5,500.00 en 2026"),
    ("cash at exactly 1 UIT", "EG2026", contribution(amount=Decimal("5500.00")), None),
    (
        "cash above 1 UIT of 2025",
        "EG2026",
        contribution(contribution_date=pd.Timestamp("2025-12-01"), amount=Decimal("5400")),
        "S/ 5,350.00 en 2025",
    ),
    ("in kind, however large", "EG2026", contribution(contribution_type="E", amount=Decimal("90000")), None),
    (
        "cash above 1 UIT of 2021",
        "EG2021",
        contribution(contribution_date=pd.Timestamp("2021-02-01"), amount=Decimal("4400.50")),
        "S/ 4,400.00 en 2021",
    ),
]


@pytest.mark.parametrize(("case", "process", "row", "limit_text"), CASH_CASES, ids=[c[0] for c in CASH_CASES])
def test_cash_contributions_above_one_uit(case: str, process: str, row: dict, limit_text: str | None) -> None:
    conn = _warehouse({"stg_contributions": [row]}, process=process)
    rows = conn.execute("SELECT unverified, rule_status, finding_es FROM finance_flags").fetchall()
    if limit_text is None:
        assert rows == []
        return
    ((unverified, status, finding),) = rows
    assert unverified and status == "unverified"  # the limit and the UIT values are not verified in force
    assert limit_text in finding and finding.endswith("Límite y valor de la UIT por verificar.")


# --- party totals against their detail ----------------------------------------------------------------------


def test_party_totals_reconcile_exactly_with_their_detail() -> None:
    detail = [
        contribution(amount=Decimal("100.10")),
        contribution(contributor_document="99333333", amount=Decimal("200.20")),
        contribution(contribution_type="A", contributor_document="99444444", amount=Decimal("0.01")),
    ]
    assert 100.10 + 200.20 != 300.30  # what a float sum would get wrong
    conn = _warehouse(
        {"stg_party_finance": [party(cash="300.30", activities="0.01")], "stg_contributions": detail}
    )
    assert conn.execute(
        "SELECT reported_total, detail_total, total_difference, reconciles FROM party_finance"
    ).fetchall() == [(Decimal("300.31"), Decimal("300.31"), Decimal("0.00"), True)]
    assert flags(conn) == []


def test_a_party_whose_totals_differ_reports_the_difference() -> None:
    detail = [
        contribution(amount=Decimal("3500")),
        contribution(contribution_type="E", amount=Decimal("8500")),
    ]
    conn = _warehouse(
        {"stg_party_finance": [party(cash="4000", in_kind="8500")], "stg_contributions": detail}
    )
    assert flags(conn) == [
        ("party_total_mismatch", "finance_party_report_mismatch", False, Decimal("500.00"))
    ]
    assert conn.execute("SELECT finding_es FROM finance_flags").fetchone()[0] == (
        "ONPE Claridad informa para ALIANZA EJEMPLO en EG2026 aportes por S/ 12,500.00, pero el detalle de "
        "aportes que publica suma S/ 12,000.00: diferencia de S/ 500.00 (efectivo: S/ 500.00)."
    )


def test_a_total_that_is_not_the_sum_of_its_types_is_reported_too() -> None:
    conn = _warehouse(
        {"stg_party_finance": [party(cash="1000", total="1500")], "stg_contributions": [contribution()]}
    )
    assert conn.execute(
        "SELECT cash_difference, total_difference, reconciles FROM party_finance"
    ).fetchall() == [(Decimal("0.00"), Decimal("500.00"), False)]


# --- campaign money out of proportion to declared income ----------------------------------------------------


def roll(total: str) -> dict[str, Any]:
    return {
        "dni": PERSON_DNI,
        "full_name": "ELENA PRUEBA SIMULADO",
        "party_name": PARTY["party_name"],
        "department": "CUSCO",
        "total_income": Decimal(total),
    }


@pytest.mark.parametrize(
    ("campaign", "max_ratio", "flagged"),
    [("480000", "10", True), ("200000", "10", False), ("200000", "5", True), ("240000", "10", True)],
    ids=["20x", "8.33x", "8.33x with threshold 5", "exactly 10x"],
)
def test_campaign_money_against_declared_income(campaign: str, max_ratio: str, flagged: bool) -> None:
    conn = _warehouse(
        {"stg_declared_income": [income("24000")], "stg_candidate_finance": [roll(campaign)]},
        max_ratio=max_ratio,
    )
    rows = conn.execute("SELECT flag_kind, candidacy_id, finding_es FROM finance_flags").fetchall()
    assert len(rows) == flagged
    if flagged:
        ratio = f"{Decimal(campaign) / Decimal('24000'):.2f}"
        assert rows[0][0] == "campaign_out_of_proportion" and rows[0][1] is not None
        assert f"es {ratio} veces el ingreso anual declarado" in rows[0][2]


def test_expenses_count_as_campaign_money_and_no_income_means_no_ratio() -> None:
    expense = {
        "dni": PERSON_DNI,
        "candidate_name": "ELENA PRUEBA SIMULADO",
        "party_name": PARTY["party_name"],
        "expense_date": pd.Timestamp("2026-02-01"),
        "platform": None,
        "provider_document": "20999000071",
        "receipt_type": "FACTURA",
        "receipt_number": "F001-1",
        "amount": Decimal("300000"),
        "concept": "ALQUILER",
    }
    conn = _warehouse({"stg_declared_income": [income("24000")], "stg_campaign_expenses": [expense]})
    assert conn.execute("SELECT campaign_money, expenses_ratio FROM finance_summary").fetchall() == [
        (Decimal("300000.00"), Decimal("12.50"))
    ]
    assert [f[0] for f in flags(conn)] == ["campaign_out_of_proportion"]
    conn = _warehouse({"stg_campaign_expenses": [expense]})
    assert conn.execute("SELECT declared_income, campaign_money_ratio FROM finance_summary").fetchall() == [
        (None, None)
    ]
    assert flags(conn) == []


# --- implausible amounts: review, not sums ------------------------------------------------------------------


def test_implausible_amounts_go_to_review_and_out_of_the_sums() -> None:
    big = contribution(contributor_document="99555555", amount=Decimal("2500000"))
    conn = _warehouse(
        {
            "stg_declared_income": [income("36000", 1), income("95000000", 2)],
            "stg_contributions": [big],
        }
    )
    review = conn.execute("SELECT item_kind, reasons FROM review_queue ORDER BY reasons").fetchall()
    threshold = "alcanza el umbral de revisión (S/ 1,000,000.00): posible error de unidades"
    assert review == [
        ("finance_amount", f"aporte de S/ 2,500,000.00 {threshold}"),
        ("finance_amount", f"un importe declarado (S/ 95,000,000.00) {threshold}"),
    ]
    assert conn.execute("SELECT declared_income, items_in_review FROM finance_summary").fetchall() == [
        (Decimal("36000.00"), 1)
    ]
    assert flags(conn) == []  # a cash contribution in review raises no cash flag


# --- money end to end: a Claridad answer with 0.10 and 0.20 -------------------------------------------------


def test_point_one_plus_point_two_is_point_three_end_to_end() -> None:
    """From the response bytes through parsing, validation, DuckDB and the SQL sum: exact, no float drift."""
    campaign = get_campaign("EG2026")
    now = datetime.now(UTC)
    org = json.dumps(
        {
            "data": [
                {
                    "ruc": PARTY["party_ruc"],
                    "organizacion": PARTY["party_name"],
                    "proceso": "EG2026",
                    "efectivo": 0.30,
                    "especie": 0,
                    "actividad": 0,
                    "otros": 0,
                    "total": 0.30,
                }
            ]
        }
    ).encode()
    detail = json.dumps(
        {
            "data": {
                "listaAportantes": [
                    {
                        "dni": "99222222",
                        "apellidos": "PRUEBA",
                        "nombres": "ROSA",
                        "tipoAporte": "F",
                        "fechaAporte": "10/01/2026",
                        "monto": 0.10,
                    },
                    {
                        "dni": "99333333",
                        "apellidos": "MUESTRA",
                        "nombres": "LUIS",
                        "tipoAporte": "F",
                        "fechaAporte": "11/01/2026",
                        "monto": 0.20,
                    },
                ]
            },
            "total": 2,
            "pages": 1,
        }
    ).encode()
    responses = [
        Fetched(claridad.org_request("http://c", "t", 0), 200, SHA, org, "application/json", now, 0),
        Fetched(
            claridad.detail_request(
                "http://c",
                "t",
                {"ruc": PARTY["party_ruc"], "organizacion": PARTY["party_name"], "proceso": "EG2026"},
                1,
                500,
            ),
            200,
            SHA,
            detail,
            "application/json",
            now,
            0,
        ),
    ]
    conn = duckdb.connect()
    conn.execute(sql_text("macros"))
    for table in ("stg_party_finance", "stg_contributions"):
        schema = FINANCE_SCHEMAS[table]("EG2026")
        parsed = staging.claridad_table(table, responses, campaign, list(schema.columns))
        replace_rows(conn, table, split_valid(parsed.rows, schema, table).valid, {})
    ensure_table(conn, "quarantine")
    build_model(conn, "party_finance")
    assert conn.execute("SELECT detail_total, reported_total, reconciles FROM party_finance").fetchall() == [
        (Decimal("0.30"), Decimal("0.30"), True)
    ]
    assert conn.execute(
        "SELECT sum(amount) = 0.30, typeof(sum(amount)) FROM stg_contributions"
    ).fetchone() == (
        True,
        "DECIMAL(38,2)",
    )
    assert 0.10 + 0.20 != 0.30
