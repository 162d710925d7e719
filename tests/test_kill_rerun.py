"""A run killed with SIGKILL at any point (during fetch, during load, during publish), followed by a new run,
ends in the same tables and publication as an uninterrupted run: loads are transactional, the archive is
written atomically, and a publication is switched in only when complete."""

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

TABLES = [
    "stg_candidates",
    "stg_criminal_sentences",
    "stg_civil_sentences",
    "stg_legislators",
    "stg_court_rulings",
    "candidates",
    "criminal_records",
    "legislators",
    "empty_seat_flags",
    "candidacy_bans",
    "review_queue",
]
# Lines the run logs as it enters each phase; the kill lands right after.
KILL_POINTS = {
    "fetch": "fetching",  # jne_hojas_vida, before its requests (paced to last a few seconds)
    "load": "parsing",  # stg_hojas_vida, parsing and loading the sentence and declaration tables
    "publish": "publishing to",  # publication, building the release
}


def _env(data_dir: Path, rate: str = "200") -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PIPELINE_", "DAGSTER_HOME"))}
    env.update(PIPELINE_DATA_DIR=str(data_dir), PIPELINE_HTTP_RATE=rate)
    return env


def _command() -> list[str]:
    return [sys.executable, "-m", "pipeline.cli", "materialize", "--process", "EG2026"]


def _run(data_dir: Path) -> None:
    done = subprocess.run(_command(), env=_env(data_dir), capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]


def _run_and_kill(data_dir: Path, marker: str) -> None:
    # Paced fetching (about 3 s of hojas de vida), so the kill at "fetching" lands mid-crawl.
    proc = subprocess.Popen(
        _command(), env=_env(data_dir, rate="40"), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    try:
        for line in proc.stdout:
            if marker in line:
                os.kill(proc.pid, signal.SIGKILL)
                break
        else:
            pytest.fail(f"the run ended without logging {marker!r}")
    finally:
        proc.stdout.close()
        proc.wait(timeout=60)
    assert proc.returncode == -signal.SIGKILL


def _snapshot(data_dir: Path) -> dict[str, list[tuple]]:
    with duckdb.connect(str(data_dir / "warehouse.duckdb"), read_only=True) as conn:
        return {
            table: sorted(
                conn.execute(f"SELECT COLUMNS(lambda c: c NOT LIKE '%url') FROM {table}").fetchall()
            )
            for table in TABLES
        }


def _published(data_dir: Path) -> dict[str, list[tuple]]:
    current = data_dir / "published" / "current"
    manifest = json.loads((current / "manifest.json").read_text())
    out = {}
    with duckdb.connect() as conn:
        for entry in manifest["files"]:
            path = current / entry["path"]
            if path.suffix == ".parquet" and path.stem != "changes":
                rows = conn.execute(f"SELECT COLUMNS(lambda c: c NOT LIKE '%url') FROM '{path}'").fetchall()
                assert len(rows) == entry["rows"]
                out[path.stem] = sorted(rows, key=repr)
    return out


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data_dir = tmp_path_factory.mktemp("reference") / "data"
    _run(data_dir)
    return data_dir


@pytest.mark.parametrize("point", list(KILL_POINTS))
def test_killed_run_then_rerun_matches_an_uninterrupted_run(
    reference: Path, tmp_path: Path, point: str
) -> None:
    data_dir = tmp_path / "data"
    _run_and_kill(data_dir, KILL_POINTS[point])
    _run(data_dir)
    assert _snapshot(data_dir) == _snapshot(reference)
    assert _published(data_dir) == _published(reference)
    leftovers = [p.name for p in (data_dir / "published" / "releases").iterdir() if p.name.startswith(".")]
    assert leftovers == []
