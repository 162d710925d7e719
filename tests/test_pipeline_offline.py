"""The whole graph, materialized against recorded responses into a temporary DuckDB: exact flags."""

import dagster as dg
import pytest

from pipeline.cli import materialize, summary
from pipeline.settings import Settings
from tests.support import README, query, reset_pipeline_env, run_pipeline, serve_as_live


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    mp = pytest.MonkeyPatch()
    reset_pipeline_env(mp, tmp_path_factory.mktemp("offline") / "data")
    settings = Settings.from_env()
    assert run_pipeline(settings, ["EG2021", "EG2026"])
    yield settings
    mp.undo()


def test_every_archive_segment_is_closed_with_its_texts(warehouse: Settings) -> None:
    segments = warehouse.archive_dir / "segments"
    assert list(segments.glob("*.gz")) and not list(segments.glob("*.part"))
    assert {p.stem for p in segments.glob("*.texts")} == {p.stem for p in segments.glob("*.gz")}


def test_empty_seat_flags_have_the_expected_statuses(warehouse: Settings) -> None:
    rows = query(warehouse, "SELECT dni, status, rule_id, crime_category FROM empty_seat_flags ORDER BY dni")
    assert rows == [
        ("99000001", "empty_seat", "empty_seat_art15a", "drug_trafficking"),
        ("99000002", "pending", "empty_seat_art15a", "terrorism"),
        ("99000003", "accesitario_replaces", "accesitario_art25", "corruption"),
    ]


def test_acquitted_legislator_has_no_flag_and_peculado_is_never_empty_seat(warehouse: Settings) -> None:
    assert query(warehouse, "SELECT count(*) FROM empty_seat_flags WHERE dni = '99000004'") == [(0,)]
    assert query(
        warehouse,
        "SELECT count(*) FROM empty_seat_flags WHERE crime_category = 'corruption' AND status <> "
        "'accesitario_replaces'",
    ) == [(0,)]


def test_every_flag_cites_its_rule_and_evidence(warehouse: Settings) -> None:
    rows = query(
        warehouse, "SELECT rule_citation, evidence_url, archive_sha256, finding_es FROM empty_seat_flags"
    )
    for citation, evidence, sha, finding in rows:
        assert citation.startswith("Reglamento del Congreso, art.")
        assert evidence.startswith("https://")
        assert len(sha) == 64
        assert "art. 15-A" in finding


def test_real_declared_sentences_are_read_from_all_fields(warehouse: Settings) -> None:
    outcomes = dict(
        query(warehouse, "SELECT record_id, outcome FROM criminal_records WHERE id_hoja_vida < 990000")
    )
    assert outcomes["hv-EG2026-136011"] == "acquitted"  # HOMICIDIO CALIFICADO, ABSUELTO, EFECTIVA
    assert outcomes["hv-EG2026-136054"] == "dismissed"  # SOBRESEIDA
    assert outcomes["hv-EG2026-136055"] == "acquitted"  # ABSUELTO, other modality "ABSUELTO ARCHIVADO"
    for item in ("136006", "136007", "136008"):  # DIFAMACION, RESERVA DE FALLO
        assert outcomes[f"hv-EG2026-{item}"] == "reserva_de_fallo"
    assert outcomes["hv-EG2026-136335"] == "convicted"  # PECULADO, SUSPENDIDA, served and rehabilitated
    assert len(outcomes) == 10  # every real declared sentence, each once


def test_contradictory_records_sit_in_review_not_in_flags(warehouse: Settings) -> None:
    review = {row[0] for row in query(warehouse, "SELECT item_id FROM review_queue")}
    assert "hv-EG2026-136011" in review  # acquittal declared with an EFECTIVA modality
    assert {"hv-EG2026-136244", "hv-EG2026-136245"} <= review  # comment: annulled / acquitted on cassation
    assert {"hv-EG2026-9900131", "hv-EG2026-9900132"} <= review  # declared twice
    assert "hv-EG2026-9900141" in review  # fields filled with "0"
    banned = {row[0] for row in query(warehouse, "SELECT record_id FROM candidacy_bans")}
    assert not banned & review


def test_candidacy_bans_apply_only_to_unserved_intentional_convictions(warehouse: Settings) -> None:
    rows = query(warehouse, "SELECT dni, rule_id FROM candidacy_bans ORDER BY dni, rule_id")
    assert rows == [("99000010", "ban_const_art34a"), ("99000010", "ban_ley30717")]
    # HOMICIDIO CULPOSO (negligent) and served, rehabilitated convictions raise no ban.
    assert query(warehouse, "SELECT count(*) FROM candidacy_bans WHERE dni IN ('99000013', '99000005')") == [
        (0,)
    ]


def test_undeclared_conviction_is_found(warehouse: Settings) -> None:
    assert query(warehouse, "SELECT dni, ruling_id FROM undeclared_convictions") == [("99000011", "demo-005")]


def test_legislators_are_matched_or_kept_unmatched(warehouse: Settings) -> None:
    rows = dict(
        query(warehouse, "SELECT full_name, match_method FROM legislators WHERE process_code = 'EG2026'")
    )
    assert rows.pop("Rosa Elvira Simulado Demostrativo") == "unmatched"
    assert set(rows.values()) == {"name_party_district"} and len(rows) == 5


def test_legacy_api_process_loads_through_the_same_pipeline(warehouse: Settings) -> None:
    """EG2021 comes from the legacy JNE API and the unicameral Congress pages."""
    matched = query(
        warehouse,
        "SELECT count(*) FROM legislators WHERE process_code = 'EG2021' "
        "AND match_method = 'name_party_district' AND dni LIKE '99%'",
    )
    assert matched == [(3,)]
    assert query(
        warehouse, "SELECT crime_text, outcome, served FROM criminal_records WHERE process_code = 'EG2021'"
    ) == [("HURTO AGRAVADO", "convicted", True)]
    assert query(warehouse, "SELECT count(*) FROM empty_seat_flags WHERE process_code = 'EG2021'") == [(0,)]


def test_candidates_and_failures_are_accounted_for(warehouse: Settings) -> None:
    assert query(warehouse, "SELECT count(*) FROM candidates WHERE process_code = 'EG2026'") == [(117,)]
    assert query(warehouse, "SELECT count(*) FROM candidates WHERE dni = '06246968'") == [
        (1,)
    ]  # leading zero
    # Three real presidential-list rows have no recorded hoja de vida: each is a recorded failure, not a gap.
    eg2026 = "SELECT count(*), min(status) FROM fetch_failures WHERE process_code = 'EG2026'"
    assert query(warehouse, eg2026) == [(3, 404)]  # EG2021's are in tests/test_finance_offline.py
    assert query(warehouse, "SELECT count(*) FROM quarantine") == [(0,)]


def test_rerun_replaces_instead_of_duplicating(warehouse: Settings) -> None:
    # Offline URLs carry the replay server's random port, so compare everything but URLs.
    tables = ["candidates", "criminal_records", "empty_seat_flags", "candidacy_bans", "review_queue"]

    def snapshot() -> dict[str, list[tuple]]:
        return {
            t: sorted(query(warehouse, f"SELECT COLUMNS(lambda c: c NOT LIKE '%url') FROM {t}"))
            for t in tables
        }

    before = snapshot()
    assert run_pipeline(warehouse, ["EG2021", "EG2026"])
    assert snapshot() == before


def test_same_code_crawls_any_server_configured_as_live(
    clean_env, recordings_copy, monkeypatch: pytest.MonkeyPatch
) -> None:
    with serve_as_live(monkeypatch, recordings_copy):
        settings = Settings.from_env()
        assert settings.mode == "live"
        assert run_pipeline(settings, ["EG2026"])
        urls = {
            row[0]
            for row in query(
                settings,
                "SELECT DISTINCT split_part(url, '/', 3) FROM raw_responses WHERE source <> 'curated'",
            )
        }
        assert len(urls) == 1 and urls.pop().startswith("127.0.0.1:")
        assert query(settings, "SELECT count(*) FROM empty_seat_flags") == [(3,)]


def test_rerun_with_nothing_changed_keeps_models_and_publication(warehouse: Settings) -> None:
    """Issue 6: no model whose inputs are byte-identical is rebuilt and no new release is written. The
    Claridad tables carry each offline run's replay port in their URLs, so finance models rebuild offline."""
    core = {"candidates", "criminal_records", "civil_records", "court_rulings", "legislators", "convictions"}
    core |= {"empty_seat_flags", "candidacy_bans", "undeclared_convictions", "publication"}
    current = (warehouse.published_dir / "current").resolve()
    manifest = (current / "manifest.json").read_text(encoding="utf-8")
    with dg.DagsterInstance.ephemeral() as instance:
        assert materialize(["EG2026"], warehouse, instance)
        records = instance.get_records_for_run(
            instance.get_runs(limit=1)[0].run_id, of_type=dg.DagsterEventType.ASSET_MATERIALIZATION
        ).records
    unchanged = {
        m.asset_key.to_user_string(): m.metadata["unchanged"].value
        for m in (r.event_log_entry.dagster_event.event_specific_data.materialization for r in records)
        if "unchanged" in m.metadata
    }
    assert core <= unchanged.keys() and all(unchanged[name] for name in core)
    assert (warehouse.published_dir / "current").resolve() == current
    assert (current / "manifest.json").read_text(encoding="utf-8") == manifest


def test_readme_shows_the_summary_the_offline_run_prints(warehouse: Settings) -> None:
    """The README's example of command 1's output is this run's: every count and every flag line."""
    example = README.read_text(encoding="utf-8").split("Command 1 prints a summary", 1)[1].split("```", 2)[1]

    def shown(text: str) -> list[str]:  # the lines after `warehouse:` (its path differs per machine)
        return [line.rstrip() for line in text.split("warehouse:", 1)[1].splitlines()[1:] if line.strip()]

    assert shown(example) == shown(summary(warehouse))
