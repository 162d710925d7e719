"""The publication guards: a run that would publish a much smaller table, or one whose input was largely
quarantined, is blocked by a check; the previous publication stays and the reason is in the check metadata."""

import json
from pathlib import Path

import dagster as dg
import pytest

from pipeline.definitions import build_definitions
from pipeline.settings import Settings
from tests.support import serve_as_live
from tests.test_bad_input import _break_jne


def _run(settings: Settings) -> dg.ExecuteInProcessResult:
    job = build_definitions(settings).resolve_job_def("transparency_job")
    with dg.DagsterInstance.ephemeral() as instance:
        return job.execute_in_process(partition_key="EG2026", instance=instance, raise_on_error=False)


def _check(result: dg.ExecuteInProcessResult, name: str) -> dg.AssetCheckEvaluation:
    evaluations = [
        e.event_specific_data for e in result.all_events if e.event_type_value == "ASSET_CHECK_EVALUATION"
    ]
    return next(e for e in evaluations if e.check_name == name)


@pytest.fixture
def first_publication(clean_env) -> Settings:
    settings = Settings.from_env()
    assert _run(settings).success
    return settings


def _current(settings: Settings) -> Path:
    return (settings.published_dir / "current").resolve()


def test_large_row_loss_blocks_publication(
    first_publication: Settings, recordings_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = _current(first_publication)
    page = recordings_copy / "jne" / "lists" / "0-1.json"
    doc = json.loads(page.read_text())
    doc.update(data=doc["data"][:10], count=10, totalPages=1)  # the presidential list shrinks to ten rows
    page.write_text(json.dumps(doc))
    with serve_as_live(monkeypatch, recordings_copy):
        result = _run(Settings.from_env())
    check = _check(result, "no_large_row_loss")
    assert not check.passed
    blocking = check.metadata["blocking_tables"].value
    assert blocking["candidates"] == pytest.approx(98 / 117, abs=0.01)
    assert "the previous publication stays" in check.description
    assert _current(first_publication) == before
    assert not any(
        e.step_key == "publication" for e in result.all_events if e.event_type_value == "STEP_START"
    )


def test_heavy_quarantine_blocks_publication(
    first_publication: Settings, recordings_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = _current(first_publication)
    _break_jne(recordings_copy)
    monkeypatch.setenv("PIPELINE_HV_MAX_AGE_HOURS", "0")  # the hojas de vida changed, not their list rows
    with serve_as_live(monkeypatch, recordings_copy):
        result = _run(Settings.from_env())
    check = _check(result, "quarantine_within_limit")
    assert not check.passed
    assert "stg_criminal_sentences" in check.metadata["blocking_tables"].value
    assert check.metadata["threshold"].value == 0.1
    assert _current(first_publication) == before


def test_guards_pass_on_a_clean_rerun(first_publication: Settings) -> None:
    result = _run(first_publication)
    assert result.success
    assert _check(result, "no_large_row_loss").passed and _check(result, "quarantine_within_limit").passed
