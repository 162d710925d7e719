"""Run the Dagster job against a live-like site with faults injected (helpers for tests/test_fault_*.py).

One `FaultServer` per test session serves the recordings as the live site (every source's
PIPELINE_<SOURCE>_URL points at it) and answers the paths a test scripts with faults instead. One clean run
of EG2026 against it is made once per session and copied into each test's data directory, so a test starts
from "everything already loaded" and only pays for the runs it makes itself. The server keeps its port for the
whole session, so URLs in a test's tables equal those of the clean run and staged tables compare exactly.

HTTP settings are small so faults cost seconds: 2 retries (urllib3 backoff 0.5 s, then 1 s), a 2 s timeout,
no throttle to speak of. The publication guards (another suite's subject) are opened wide.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
import time
from collections import namedtuple
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from pipeline.cli import QUIET_CONSOLE
from pipeline.definitions import build_definitions
from pipeline.settings import OFFLINE_PATHS, RECORDINGS_DIR, Settings
from tests.http_faults import FaultServer, Received, Scripts, recordings_fallback, start_fault_server

PROCESS = "EG2026"
RETRIES = 2
TIMEOUT_S = 2.0
RUN_LIMIT_S = 120.0  # no run against the faulty site may take longer (a clean one takes ~5 s)
STAGED = [
    "stg_candidates",
    "stg_criminal_sentences",
    "stg_civil_sentences",
    "stg_legislators",
    "stg_court_rulings",
]
HV_PATH = "/jne/candidato/hoja-vida"
LIST_PATH = "/jne/candidato/avanzadaexporta"
SENADO_PATH = "/congreso/senado/senador/"
DIPUTADOS_PATH = "/congreso/diputados/diputado/"
# A candidate whose hoja de vida declares criminal and civil sentences (an invented person, DNI 99xxxxxx).
HV_WITH_SENTENCES = 990005
JNE_ASSETS = {"jne_candidate_lists", "stg_candidates", "jne_hojas_vida", "stg_hojas_vida"}
OTHER_ASSETS = {"court_rulings_file", "stg_court_rulings", "reference_tables"}


def hv_target(id_hoja_vida: int) -> str:
    return f"{HV_PATH}?IdHojaVida={id_hoja_vida}"


def list_body(id_tipo_eleccion: int, skip: int | None = None) -> dict:
    """JSON subset of one candidate-list request (for `When(..., body=...)`)."""
    body: dict = {"filter": {"idTipoEleccion": id_tipo_eleccion}}
    if skip is not None:
        body["skip"] = skip
    return body


def _env(server: FaultServer, data_dir: Path, retries: int, timeout_s: float) -> dict[str, str]:
    env = {
        "PIPELINE_MODE": "live",
        "PIPELINE_DATA_DIR": str(data_dir),
        "PIPELINE_HTTP_RATE": "1000",
        "PIPELINE_HTTP_RETRIES": str(retries),
        "PIPELINE_HTTP_TIMEOUT_S": str(timeout_s),
        "PIPELINE_HTTP_WORKERS": "4",
        # Every run re-checks every hoja de vida: a fault scripted on one must reach the pipeline.
        "PIPELINE_HV_MAX_AGE_HOURS": "0",
        "PIPELINE_RULINGS_PATH": str(RECORDINGS_DIR / "rulings" / "court_rulings.csv"),
        # The publication guards are tested elsewhere; here a fault must not be hidden behind them.
        "PIPELINE_GUARD_MAX_ROW_LOSS": "1",
        "PIPELINE_GUARD_MAX_QUARANTINE": "1",
    }
    for source, path in OFFLINE_PATHS.items():
        env[f"PIPELINE_{source.upper()}_URL"] = server.base_url + path
    return env


def _apply(mp: pytest.MonkeyPatch, env: dict[str, str]) -> None:
    for key in list(os.environ):
        if key.startswith("PIPELINE_"):
            mp.delenv(key)
    for var in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        mp.delenv(var, raising=False)
    mp.setenv("NO_PROXY", "127.0.0.1")
    mp.setenv("no_proxy", "127.0.0.1")
    for key, value in env.items():
        mp.setenv(key, value)


@cache
def shared_server() -> FaultServer:
    server = start_fault_server([], recordings_fallback(RECORDINGS_DIR))
    atexit.register(server.stop)
    return server


@cache
def clean_template() -> Path:
    """Data directory of one clean EG2026 run against the shared server (made once per session)."""
    root = Path(tempfile.mkdtemp(prefix="fault-clean-"))
    atexit.register(shutil.rmtree, root, ignore_errors=True)
    server = shared_server()
    server.heal()
    with pytest.MonkeyPatch.context() as mp:
        _apply(mp, _env(server, root / "data", RETRIES, TIMEOUT_S))
        result = run_job(Settings.from_env())
    assert result.success, f"the clean run failed: {failures(result)}"
    return root / "data"


def run_job(settings: Settings, process: str = PROCESS) -> dg.ExecuteInProcessResult:
    job = build_definitions(settings).resolve_job_def("transparency_job")
    with dg.DagsterInstance.ephemeral() as instance:
        return job.execute_in_process(
            partition_key=process, instance=instance, raise_on_error=False, run_config=QUIET_CONSOLE
        )


def failures(result: dg.ExecuteInProcessResult) -> dict[str, str]:
    """Failed step -> its message (a dg.Failure's description, or the exception's message)."""
    out = {}
    for event in result.all_events:
        if event.event_type_value != "STEP_FAILURE":
            continue
        data = event.step_failure_data
        user = data.user_failure_data
        if user and user.description:
            out[event.step_key] = user.description
        else:  # an exception: its message, and the cause's (the user code's own error)
            cause = data.error.cause
            out[event.step_key] = data.error.message + (f" <- {cause.message}" if cause else "")
    return out


def succeeded(result: dg.ExecuteInProcessResult) -> set[str]:
    """Steps that succeeded, and the assets materialized (the SQL models share the step `sql_models`)."""
    steps = {e.step_key for e in result.all_events if e.event_type_value == "STEP_SUCCESS"}
    return steps | {e.asset_key.to_user_string() for e in result.get_asset_materialization_events()}


def query(settings: Settings, sql: str, params: list | None = None) -> list[tuple]:
    with duckdb.connect(str(settings.database_path), read_only=True) as conn:
        return conn.execute(sql, params or []).fetchall()


def staged(settings: Settings, tables: list[str] | None = None) -> dict[str, list[tuple]]:
    """Every staged table's rows (named tuples), sorted: what 'nothing already loaded is lost' compares."""
    out = {}
    with duckdb.connect(str(settings.database_path), read_only=True) as conn:
        for table in tables or STAGED:
            cursor = conn.execute(f'SELECT * FROM "{table}"')
            row_type = namedtuple(table, [d[0] for d in cursor.description])  # noqa: PYI024
            out[table] = sorted((row_type(*row) for row in cursor.fetchall()), key=repr)
    return out


@dataclass(frozen=True)
class Observation:
    """What one run did and left behind, captured right after it (the next run overwrites the tables)."""

    success: bool
    failures: dict[str, str]
    succeeded: set[str]
    staged: dict[str, list[tuple]]
    fetch_failures: list[tuple]  # (asset, url, status, error) of each asset's latest run
    quarantine: list[tuple]  # (table, check, column, value, source_url, archive_sha256, record)
    requests: list[Received]
    elapsed_s: float
    extra: dict = field(default_factory=dict)  # whatever else a test measures around the run

    def requests_to(self, target: str) -> list[Received]:
        return [r for r in self.requests if (r.target if "?" in target else r.path) == target]

    def fetch_failure(self, url_suffix: str) -> tuple | None:
        found = [f for f in self.fetch_failures if f[1].endswith(url_suffix)]
        return found[0] if found else None

    def quarantined(self, table: str, check: str | None = None) -> list[tuple]:
        return [q for q in self.quarantine if q[0] == table and (check is None or q[1] == check)]


@dataclass
class Site:
    """A test's view of the faulty site: the server, the settings pointing at it, and its data directory."""

    server: FaultServer
    settings: Settings
    monkeypatch: pytest.MonkeyPatch
    data_dir: Path

    def fault(self, scripts: Scripts) -> None:
        self.server.set_scripts(scripts)

    def heal(self) -> None:
        self.server.heal()

    def configure(self, **env: str) -> Settings:
        """Change PIPELINE_* settings (e.g. PIPELINE_HTTP_TIMEOUT_S) for the next runs."""
        for key, value in env.items():
            self.monkeypatch.setenv(key, value)
        self.settings = Settings.from_env()
        return self.settings

    def run(self, process: str = PROCESS) -> dg.ExecuteInProcessResult:
        return run_job(self.settings, process)

    def observe_run(self, process: str = PROCESS) -> Observation:
        """Run the job and capture what it did (requests seen by the server since the last fault/heal)."""
        started = time.monotonic()
        result = self.run(process)
        elapsed = time.monotonic() - started
        assert not self.server.over_cap, f"runaway request loop: over {self.server.max_requests} requests"
        assert elapsed < RUN_LIMIT_S, f"the run took {elapsed:.0f} s against the faulty site"
        return Observation(
            success=result.success,
            failures=failures(result),
            succeeded=succeeded(result),
            staged=self.staged(),
            fetch_failures=self.query(
                "SELECT asset, url, status, error FROM fetch_failures WHERE process_code = ? ORDER BY ALL",
                [process],
            ),
            quarantine=self.query(
                "SELECT table_name, check_name, column_name, failure_value, source_url, archive_sha256, "
                "record FROM quarantine ORDER BY ALL"
            ),
            requests=list(self.server.received),
            elapsed_s=elapsed,
        )

    def query(self, sql: str, params: list | None = None) -> list[tuple]:
        return query(self.settings, sql, params)

    def staged(self, tables: list[str] | None = None) -> dict[str, list[tuple]]:
        return staged(self.settings, tables)


@contextmanager
def open_site(tmp_dir: Path, monkeypatch: pytest.MonkeyPatch | None = None) -> Iterator[Site]:
    """EG2026 already loaded cleanly into `tmp_dir`/data; the shared server, healed. Usable from a fixture of
    any scope (without a monkeypatch, the environment is restored on exit)."""
    template = clean_template()
    server = shared_server()
    data_dir = tmp_dir / "data"
    shutil.copytree(template, data_dir, symlinks=True)
    with pytest.MonkeyPatch.context() as own:
        mp = monkeypatch or own
        _apply(mp, _env(server, data_dir, RETRIES, TIMEOUT_S))
        server.heal()
        try:
            yield Site(server, Settings.from_env(), mp, data_dir)
        finally:
            server.heal()


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Site]:
    """EG2026 already loaded cleanly into this test's data directory; the shared server, healed."""
    with open_site(tmp_path, monkeypatch) as opened:
        yield opened


def lost_rows(before: dict[str, list[tuple]], after: dict[str, list[tuple]]) -> dict[str, int]:
    """Per staged table, how many rows loaded before are missing after (0 everywhere: nothing lost)."""
    return {table: len(set(rows) - set(after.get(table, []))) for table, rows in before.items()}


@dataclass(frozen=True)
class Scenario:
    """A clean load, then a run against the faulty site, then a run once the site has recovered."""

    before: dict[str, list[tuple]]
    faulted: Observation
    healed: Observation


def fault_then_heal(site: Site, scripts: Scripts) -> Scenario:
    before = site.staged()
    site.fault(scripts)
    faulted = site.observe_run()
    site.heal()
    healed = site.observe_run()
    return Scenario(before, faulted, healed)


def hv_sentences(staged_tables: dict[str, list[tuple]], table: str, id_hoja_vida: int) -> list[tuple]:
    """Rows of a staged sentence table for one hoja de vida."""
    return [row for row in staged_tables[table] if row.id_hoja_vida == id_hoja_vida]


def assert_partition_survives_one_hv_failure(obs: Observation, id_hoja_vida: int) -> None:
    """The run succeeds; the candidate's failure is recorded; every other candidate still loads."""
    assert obs.success, f"one hoja de vida failing must not fail the partition: {obs.failures}"
    assert not obs.failures
    assert {"jne_hojas_vida", "stg_hojas_vida", "criminal_records", "publication"} <= obs.succeeded
    assert obs.staged["stg_candidates"], "candidates must still be loaded"
    other = [row for row in obs.staged["stg_criminal_sentences"] if row.id_hoja_vida != id_hoja_vida]
    assert other, "the other candidates' sentences must still be loaded"


def assert_recovers_next_run(scenario: Scenario, target: str) -> None:
    """Once the server recovers, the next run asks for the hoja de vida again and loads it, exactly once."""
    healed = scenario.healed
    assert healed.success, healed.failures
    assert healed.requests_to(target), "the next run did not fetch the failed hoja de vida again"
    assert healed.fetch_failure(target.split("/jne", 1)[1]) is None
    assert healed.staged == scenario.before, "after recovery the staged tables must equal the clean load"
    for table in ("stg_criminal_sentences", "stg_civil_sentences"):
        keys = [(row.process_code, row.item_id) for row in healed.staged[table]]
        assert len(keys) == len(set(keys)), f"{table}: a sentence loaded twice"
