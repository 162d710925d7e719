"""Bad input never crashes a run and is never silently dropped: each case ends in a quarantined row naming
the failing check, the source URL and the archived bytes, or in a clear error naming what is wrong."""

import json
from pathlib import Path

import dagster as dg
import pytest

from pipeline.cli import materialize
from pipeline.settings import Settings
from tests.support import query, run_pipeline, serve_as_live

BAD_ROWS = [  # invented people, added to the Lima deputies list
    {"txDocId": "1234", "idHojaVida": 990101, "txNom": "DNI CORTO", "why": "dni"},
    {"txDocId": None, "idHojaVida": 990102, "txNom": "SIN DNI", "why": "dni"},
    {"txDocId": "99000102", "idHojaVida": "abc", "txNom": "ID NO NUMERICO", "why": "id_hoja_vida"},
    {
        "txDocId": "99000103",
        "idHojaVida": 990103,
        "txNom": "ESTADO RARO",
        "txEstCand": "EN EVALUACION",
        "why": "status",
    },
]


def _edit_json(path: Path, edit) -> None:
    doc = json.loads(path.read_text(encoding="utf-8"))
    edit(doc)
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")


def _break_jne(rec: Path) -> None:
    def add_rows(doc: dict) -> None:
        for bad in BAD_ROWS:
            row = {
                "idOrgPol": 99002,
                "txApePat": "PRUEBA",
                "txApeMat": "INVALIDA",
                "txOrgPol": "ALIANZA EJEMPLO",
                "txEstCand": "INSCRITO",
                "nuPos": 9,
                **{k: v for k, v in bad.items() if k != "why"},
            }
            doc["data"].append(row)

    _edit_json(rec / "jne" / "lists" / "2-1.json", add_rows)
    hv = rec / "jne" / "hoja-vida"
    (hv / "990002.json").write_text(
        '{"datoGeneral": {"idHojaVida": 990002}, "sentenciaPenal": [', encoding="utf-8"
    )
    _edit_json(hv / "990004.json", lambda d: d.pop("sentenciaPenal"))

    def future_and_duplicate(doc: dict) -> None:
        doc["sentenciaPenal"][0]["feSentenciaPenal"] = "01/01/2099"
        doc["sentenciaObliga"].append(dict(doc["sentenciaObliga"][0]))  # same item id twice

    _edit_json(hv / "990005.json", future_and_duplicate)
    _edit_json(hv / "990010.json", lambda d: d["sentenciaPenal"][0].update(feSentenciaPenal="31/02/2020"))


@pytest.fixture
def broken_run(clean_env, recordings_copy: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    _break_jne(recordings_copy)
    # This module is about quarantining; the guard that then blocks publication is tested on its own.
    monkeypatch.setenv("PIPELINE_GUARD_MAX_QUARANTINE", "1")
    with serve_as_live(monkeypatch, recordings_copy):
        settings = Settings.from_env()
        assert run_pipeline(settings, ["EG2026"]), "bad records must not fail the run"
    return settings


def test_invalid_candidate_rows_are_quarantined_with_their_check(broken_run: Settings) -> None:
    rows = query(
        broken_run,
        "SELECT column_name, check_name, failure_value, source_url, archive_sha256 "
        "FROM quarantine WHERE table_name = 'stg_candidates' ORDER BY column_name, check_name",
    )
    assert {r[0] for r in rows} == {"dni", "id_hoja_vida", "status"}
    checks = {(r[0], r[1]) for r in rows}
    assert ("dni", "not_nullable") in checks
    assert ("dni", "DNI must be 8 digits, kept as text") in checks
    assert any(c == "status" and "isin" in k for c, k in checks)
    for _, _, _, url, sha in rows:
        assert url.endswith("/jne/candidato/avanzadaexporta") and len(sha) == 64


def test_nothing_is_silently_dropped(broken_run: Settings) -> None:
    loaded = query(broken_run, "SELECT count(*) FROM stg_candidates")[0][0]
    quarantined = query(
        broken_run, "SELECT count(DISTINCT record) FROM quarantine WHERE table_name = 'stg_candidates'"
    )[0][0]
    assert quarantined == len(BAD_ROWS)
    assert loaded + quarantined == 117 + len(BAD_ROWS)


def test_unparseable_hojas_de_vida_are_quarantined_with_the_reason(broken_run: Settings) -> None:
    rows = query(
        broken_run,
        "SELECT table_name, failure_value, source_url, archive_sha256 FROM quarantine "
        "WHERE check_name = 'parse' ORDER BY source_url, table_name",
    )
    by_url = {}
    for table, reason, url, sha in rows:
        by_url.setdefault(url.rsplit("=", 1)[1], set()).add(table)
        assert len(sha) == 64
        if url.endswith("=990002"):
            assert "not valid JSON" in reason
        else:
            assert "lacks the 'sentenciaPenal' list" in reason
    # Invalid JSON fails every table read from it; a missing sentence section fails only the sentence tables.
    sentences = {"stg_criminal_sentences", "stg_civil_sentences"}
    assert by_url == {
        "990002": sentences | {"stg_declared_income", "stg_declared_assets"},
        "990004": sentences,
    }


def test_future_impossible_and_duplicate_records_are_quarantined(broken_run: Settings) -> None:
    rows = set(
        query(
            broken_run,
            "SELECT table_name, column_name, check_name FROM quarantine WHERE check_name <> 'parse'",
        )
    )
    assert ("stg_criminal_sentences", "sentence_date", "date is in the future") in rows
    assert ("stg_criminal_sentences", "sentence_date", "not_nullable") in rows  # 31/02/2020
    assert any(t == "stg_civil_sentences" and "uniqueness" in c for t, _, c in rows)
    # The first copy of the duplicated judgment still loads.
    assert query(broken_run, "SELECT count(*) FROM stg_civil_sentences WHERE item_id = 9900052") == [(1,)]


def test_changed_roster_layout_fails_its_asset_and_keeps_previous_rows(
    clean_env, recordings_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = Settings.from_env()
    assert run_pipeline(settings, ["EG2026"])
    before = query(settings, "SELECT count(*) FROM stg_legislators")[0][0]
    page = recordings_copy / "congreso" / "senado" / "senador" / "index.html"
    page.write_text("<html><body><div class='nuevo-diseno'>Senadores</div></body></html>", encoding="utf-8")
    with serve_as_live(monkeypatch, recordings_copy):
        live = Settings.from_env()
        job = (
            __import__("pipeline.definitions", fromlist=["x"])
            .build_definitions(live)
            .resolve_job_def("transparency_job")
        )
        with dg.DagsterInstance.ephemeral() as instance:
            result = job.execute_in_process(partition_key="EG2026", instance=instance, raise_on_error=False)
    assert not result.success
    failures = [e for e in result.all_events if e.event_type_value == "STEP_FAILURE"]
    assert [e.step_key for e in failures] == ["stg_legislators"]
    message = failures[0].step_failure_data.user_failure_data.description
    assert "senado/senador" in message and "data-congresista-app" in message
    assert query(live, "SELECT count(*) FROM stg_legislators")[0][0] == before  # nothing lost
    assert query(live, "SELECT count(*) FROM stg_candidates")[0][0] == 117  # the other sources completed


def test_unreachable_source_fails_only_its_assets_naming_the_url(
    clean_env, recordings_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with serve_as_live(monkeypatch, recordings_copy):
        monkeypatch.setenv("PIPELINE_JNE_URL", "http://127.0.0.1:9/api/v1")  # discard port: nothing listens
        settings = Settings.from_env()
        with dg.DagsterInstance.ephemeral() as instance:
            ok = materialize(["EG2026"], settings, instance)
    assert not ok
    assert query(settings, "SELECT count(*) FROM stg_legislators") == [(6,)]
    assert query(settings, "SELECT count(*) FROM stg_court_rulings") == [(5,)]
    errors = query(settings, "SELECT url, error FROM raw_responses WHERE source = 'jne'")
    assert errors and all(
        u.startswith("http://127.0.0.1:9/api/v1/") and "ConnectionError" in e for u, e in errors
    )
