"""Follow the money end to end: the whole graph against the recorded responses, then Claridad without a token
(skipped, the run succeeds) and from a browser's HAR export instead of the API."""

from __future__ import annotations

import json
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import dagster as dg
import pytest

from assets.finance import claridad_responses, stg_claridad
from pipeline.definitions import build_definitions
from pipeline.http.request import Request
from pipeline.resources import SourcesResource, WarehouseResource
from pipeline.settings import OFFLINE_CLARIDAD_TOKEN, RECORDINGS_DIR, Settings
from tests.support import query, reset_pipeline_env, run_pipeline, serve_as_live
from tests.test_finance_sources import har

FINANCE_TABLES = [
    "stg_declared_income",
    "stg_declared_assets",
    "stg_party_finance",
    "stg_contributions",
    "stg_candidate_finance",
    "stg_campaign_expenses",
    "declared_income",
    "declared_assets",
    "contributions",
    "campaign_expenses",
    "party_finance",
    "finance_summary",
    "finance_flags",
]
PERSONAL = ("direcc", "domi", "nacimiento", "telef", "celular", "correo", "mail", "sexo", "foto")


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    mp = pytest.MonkeyPatch()
    reset_pipeline_env(mp, tmp_path_factory.mktemp("finance") / "data")
    settings = Settings.from_env()
    assert run_pipeline(settings, ["EG2021", "EG2026"])
    yield settings
    mp.undo()


def test_every_finance_table_is_filled_for_both_processes(warehouse: Settings) -> None:
    for table in FINANCE_TABLES:
        processes = {row[0] for row in query(warehouse, f"SELECT DISTINCT process_code FROM {table}")}
        assert processes == {"EG2021", "EG2026"}, table
    assert query(warehouse, "SELECT count(*) FROM quarantine") == [(0,)]


def test_summary_has_one_row_per_candidacy_with_finance_data(warehouse: Settings) -> None:
    with_data = """
        SELECT candidacy_id FROM candidates c WHERE
               (process_code, id_hoja_vida) IN (SELECT (process_code, id_hoja_vida) FROM declared_income)
            OR (process_code, id_hoja_vida) IN (SELECT (process_code, id_hoja_vida) FROM declared_assets)
            OR (process_code, dni) IN (SELECT (process_code, dni) FROM stg_candidate_finance)
            OR (process_code, dni) IN (SELECT (process_code, dni) FROM campaign_expenses)
    """
    expected = sorted(row[0] for row in query(warehouse, with_data))
    assert sorted(row[0] for row in query(warehouse, "SELECT candidacy_id FROM finance_summary")) == expected
    assert query(warehouse, "SELECT process_code, count(*) FROM finance_summary GROUP BY 1 ORDER BY 1") == [
        ("EG2021", 26),  # 20 real candidacies of the capture, 6 invented
        ("EG2026", 8),
    ]


def test_real_eg2021_income_is_loaded_verbatim_and_nothing_is_claimed_beyond_it(warehouse: Settings) -> None:
    """idCandidato 162010 of ingresos_2019_raw.csv: S/ 12,000 of other private income in 2019."""
    assert query(
        warehouse,
        "SELECT full_name, year, private_other, total FROM declared_income WHERE id_hoja_vida = 134018",
    ) == [("HUGO FERMIN LEON SALINAS", 2019, 12000, 12000)]
    real = "FROM finance_summary WHERE process_code = 'EG2021' AND dni NOT LIKE '99%'"
    assert query(warehouse, f"SELECT count(*), count(declared_income), count(declared_assets) {real}") == [
        (20, 19, 0)
    ]
    assert query(warehouse, f"SELECT count(campaign_income), count(campaign_expenses) {real}") == [(0, 0)]
    # No consolidated hoja de vida or asset section is recorded for them: recorded failures, not "nothing".
    assert query(
        warehouse,
        "SELECT asset, count(*), min(status) FROM fetch_failures WHERE process_code = 'EG2021' "
        "GROUP BY 1 ORDER BY 1",
    ) == [("jne_finance_sections", 40, 404), ("jne_hojas_vida", 20, 404)]
    assert query(
        warehouse,
        "SELECT count(*) FROM criminal_records WHERE dni NOT LIKE '99%' AND process_code = 'EG2021'",
    ) == [(0,)]


def test_an_implausible_real_amount_goes_to_review_not_into_the_sums(warehouse: Settings) -> None:
    rows = query(
        warehouse,
        "SELECT process_code, item_id, reasons FROM review_queue WHERE item_kind = 'finance_amount' "
        "ORDER BY 1",
    )
    assert [(r[0], r[1]) for r in rows] == [
        ("EG2021", "inc-EG2021-134315-132828"),  # S/ 2,839,058 declared by a real candidate: check units
        ("EG2026", "inc-EG2026-990002-9900021"),  # the invented 95 million
    ]
    assert all("posible error de unidades" in r[2] for r in rows)
    assert query(
        warehouse, "SELECT declared_income, items_in_review FROM finance_summary WHERE id_hoja_vida = 134315"
    ) == [(None, 1)]


def test_each_flag_kind_appears_and_is_right(warehouse: Settings) -> None:
    rows = query(
        warehouse,
        "SELECT flag_kind, process_code, coalesce(dni, party_ruc), amount, unverified FROM finance_flags "
        "ORDER BY ALL",
    )
    assert rows == [
        ("campaign_out_of_proportion", "EG2026", "99000004", 480000, False),
        ("cash_above_limit", "EG2026", "20999000061", 12000, True),
        ("cash_above_limit", "EG2026", "99000002", 6000, True),
        ("contributor_convicted", "EG2021", "99210001", 1500, False),
        ("contributor_convicted", "EG2026", "99000010", 2000, False),
        ("party_total_mismatch", "EG2026", "20999000011", 500, False),
        ("unidentified_contributor", "EG2026", "20999000011", 500, False),
    ]
    # 99000013 also gave money, but his only declared conviction is in review: no flag.
    assert query(warehouse, "SELECT count(*) FROM contributions WHERE contributor_document = '99000013'") == [
        (1,)
    ]
    for citation, status, finding, url, sha in query(
        warehouse,
        "SELECT rule_citation, rule_status, finding_es, source_url, archive_sha256 FROM finance_flags",
    ):
        assert citation and status and finding.endswith(".") and url.startswith("http") and len(sha) == 64


def test_reconciliation_is_exact_on_clean_parties_and_reports_the_inconsistent_one(
    warehouse: Settings,
) -> None:
    assert query(
        warehouse,
        "SELECT process_code, party_name, detail_rows, total_difference, reconciles FROM party_finance "
        "ORDER BY 1, 2",
    ) == [
        ("EG2021", "ALIANZA EJEMPLO", 2, 0, True),
        ("EG2021", "PARTIDO DEMOSTRATIVO NACIONAL", 521, 0, True),  # two pages, 520 raffle rows of 10.10 ...
        ("EG2026", "ALIANZA EJEMPLO", 7, 0, True),
        ("EG2026", "PARTIDO DEMOSTRATIVO NACIONAL", 3, 500, False),
    ]
    assert query(
        warehouse,
        "SELECT typeof(detail_total), detail_total = 14630.00 FROM party_finance WHERE detail_rows = 521",
    ) == [("DECIMAL(38,2)", True)]


def test_no_personal_data_column_or_value_in_any_finance_table(warehouse: Settings) -> None:
    columns = query(
        warehouse,
        "SELECT table_name, column_name FROM information_schema.columns "
        f"WHERE table_name IN {tuple(FINANCE_TABLES)}",
    )
    assert len({t for t, _ in columns}) == len(FINANCE_TABLES)
    assert [(t, c) for t, c in columns if any(p in c.lower() for p in PERSONAL)] == []
    # The recordings hold invented addresses (legacy and current real-estate items); none comes through.
    for table in FINANCE_TABLES:
        assert query(
            warehouse, f"SELECT count(*) FROM {table} t WHERE contains(t::VARCHAR, 'DIRECCION')"
        ) == [(0,)]


def test_the_claridad_token_is_never_recorded(warehouse: Settings) -> None:
    # EG2021: parties, three detail pages, roll, expenses; EG2026: parties, two detail pages, roll, expenses
    assert query(warehouse, "SELECT count(*) FROM raw_responses WHERE source = 'claridad'") == [(11,)]
    assert query(
        warehouse,
        "SELECT count(*) FROM raw_responses WHERE contains(coalesce(request_body, ''), ?)",
        [OFFLINE_CLARIDAD_TOKEN],
    ) == [(0,)]


def test_finance_limits_are_rules_with_citation_value_and_status(warehouse: Settings) -> None:
    assert query(
        warehouse,
        "SELECT id, value, value_unit, status FROM rules "
        "WHERE id = 'finance_cash_above_1uit' OR id LIKE 'uit_%' ORDER BY id",
    ) == [
        ("finance_cash_above_1uit", 1, "UIT", "unverified"),
        ("uit_2020", 4300, "PEN", "unverified"),
        ("uit_2021", 4400, "PEN", "unverified"),
        ("uit_2025", 5350, "PEN", "unverified"),
        ("uit_2026", 5500, "PEN", "unverified"),
    ]


# --- Claridad without a token, and from an export -----------------------------------------------------------


def test_without_token_or_export_claridad_is_skipped_and_the_run_succeeds(
    clean_env, recordings_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with serve_as_live(monkeypatch, recordings_copy):
        settings = Settings.from_env()
        job = build_definitions(settings).resolve_job_def("transparency_job")
        with dg.DagsterInstance.ephemeral() as instance:
            result = job.execute_in_process(partition_key="EG2021", instance=instance, raise_on_error=False)
            logs = [r.user_message for r in instance.all_logs(result.run_id)]
    assert result.success
    skipped = {
        e.asset_key.to_user_string(): e.step_materialization_data.materialization.metadata
        for e in result.get_asset_materialization_events()
        if "skipped" in e.step_materialization_data.materialization.metadata
    }
    assert set(skipped) == {
        "claridad_responses",
        "stg_party_finance",
        "stg_contributions",
        "stg_candidate_finance",
        "stg_campaign_expenses",
    }
    assert all(meta["skipped"].value is True for meta in skipped.values())
    assert any("ONPE Claridad skipped for EG2021" in m and "PIPELINE_CLARIDAD_TOKEN" in m for m in logs)
    assert query(settings, "SELECT count(*) FROM raw_responses WHERE source LIKE 'claridad%'") == [(0,)]
    assert query(settings, "SELECT count(*) FROM stg_contributions") == [(0,)]
    assert query(settings, "SELECT count(*) FROM declared_income")[0][0] == 26  # the rest of finance went on
    assert query(settings, "SELECT count(*) FROM finance_summary")[0][0] == 26


def _recorded_claridad() -> list[tuple[Request, bytes]]:
    index = json.loads((RECORDINGS_DIR / "claridad" / "index.json").read_text(encoding="utf-8"))
    return [
        (
            Request("POST", "/claridad" + r["path"], json_body=r["body"]),
            (RECORDINGS_DIR / "claridad" / r["file"]).read_bytes(),
        )
        for r in index["routes"]
    ]


def test_a_har_export_is_read_instead_of_the_api(
    clean_env, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    export = tmp_path / "claridad.har"
    export.write_bytes(har(_recorded_claridad()))
    monkeypatch.setenv("PIPELINE_MODE", "live")
    monkeypatch.setenv("PIPELINE_CLARIDAD_URL", "http://127.0.0.1:9/nothing-listens-here")
    monkeypatch.setenv("PIPELINE_CLARIDAD_EXPORT", str(export))
    settings = Settings.from_env()
    resources = {
        "sources": SourcesResource.from_settings(settings),
        "duckdb": WarehouseResource(database=str(settings.database_path)),
    }
    result = dg.materialize([claridad_responses, stg_claridad], partition_key="EG2026", resources=resources)
    assert result.success
    assert query(settings, "SELECT DISTINCT source FROM raw_responses") == [("claridad_export",)]
    assert query(
        settings, "SELECT count(*) FROM raw_responses WHERE contains(request_body, 'SESSION-SECRET')"
    ) == [(0,)]
    # both EG2026 parties' detail (the EG2021 answers in the same export belong to the other partition)
    assert query(settings, "SELECT count(*), sum(amount) FROM stg_contributions") == [
        (10, Decimal("34600.30"))
    ]
    assert query(settings, "SELECT count(*) FROM stg_party_finance") == [(2,)]
