"""Helpers for tests that run the pipeline: serve recordings as a live site, run the job, query the result."""

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from pipeline.cli import materialize
from pipeline.http.replay import ReplayServer
from pipeline.settings import OFFLINE_PATHS, Settings

# The repository; its README's examples are held to what the pipeline really prints.
ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"


def reset_pipeline_env(monkeypatch: pytest.MonkeyPatch, data_dir: Path) -> None:
    """Drop every PIPELINE_* variable the caller's environment carries and point the data directory at
    `data_dir`, so a test's run starts from the documented defaults."""
    for key in list(os.environ):
        if key.startswith("PIPELINE_"):
            monkeypatch.delenv(key)
    monkeypatch.setenv("PIPELINE_DATA_DIR", str(data_dir))


@contextmanager
def serve_as_live(monkeypatch: pytest.MonkeyPatch, recordings: Path) -> Iterator[ReplayServer]:
    """Serve `recordings` on loopback and point every source's live base URL at it."""
    server = ReplayServer(recordings).start()
    monkeypatch.setenv("PIPELINE_MODE", "live")
    monkeypatch.setenv("PIPELINE_HTTP_RATE", "1000")
    monkeypatch.setenv("PIPELINE_HTTP_RETRIES", "0")
    monkeypatch.setenv("PIPELINE_RULINGS_PATH", str(recordings / "rulings" / "court_rulings.csv"))
    for source, path in OFFLINE_PATHS.items():
        monkeypatch.setenv(f"PIPELINE_{source.upper()}_URL", server.base_url + path)
    try:
        yield server
    finally:
        server.stop()


def run_pipeline(settings: Settings, processes: list[str]) -> bool:
    with dg.DagsterInstance.ephemeral() as instance:
        return materialize(processes, settings, instance)


def query(settings: Settings, sql: str, params: list | None = None) -> list[tuple]:
    with duckdb.connect(str(settings.database_path)) as conn:
        return conn.execute(sql, params or []).fetchall()
