"""Incremental runs (issue 6): a run asks only for the hojas de vida that may have changed, and parses only
the bodies it has not parsed yet.

Against the benchmark's JNE look-alike (an invented election, invented people; ETag / Last-Modified / 304),
every other source at the bundled recordings. The server counts what it answered: `hv_200` bodies sent,
`hv_304` conditional re-checks answered "not modified".
"""

from __future__ import annotations

import gc
import re
import threading
from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import duckdb
import pandas as pd
import pyarrow as pa
import pytest

from assets import staged as staged_assets
from benchmarks.generate import generate
from benchmarks.server import BenchServer, Election
from pipeline import incremental, staging
from pipeline.definitions import build_definitions
from pipeline.settings import RECORDINGS_DIR, Settings
from tests.fault_pipeline import staged
from tests.support import query, serve_as_live

CANDIDATES = 240
PROCESS = "EG2026"


@pytest.fixture(scope="module")
def election(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("election")
    generate(out, candidates=CANDIDATES, seed=11)
    return out


@pytest.fixture
def jne(election: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[BenchServer]:
    httpd = BenchServer(Election(election), latency_s=0.0)
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    with serve_as_live(monkeypatch, RECORDINGS_DIR):
        monkeypatch.setenv("PIPELINE_JNE_URL", httpd.base_url + "/api/v1")
        monkeypatch.setenv("PIPELINE_DATA_DIR", str(tmp_path / "data"))
        monkeypatch.setenv("PIPELINE_JNE_PAGE_SIZE", "100")
        try:
            yield httpd
        finally:
            httpd.shutdown()
            httpd.server_close()


def _run(server: BenchServer) -> tuple[dict[str, int], dict[str, dict]]:
    """One run of the job; what the JNE server answered, and each asset's materialization metadata."""
    server.stats.clear()
    job = build_definitions(Settings.from_env()).resolve_job_def("transparency_job")
    with dg.DagsterInstance.ephemeral() as instance:
        result = job.execute_in_process(partition_key=PROCESS, instance=instance, raise_on_error=False)
    assert result.success
    metadata = {
        event.asset_key.to_user_string(): {
            k: v.value for k, v in event.step_materialization_data.materialization.metadata.items()
        }
        for event in result.get_asset_materialization_events()
    }
    return dict(server.stats), metadata


def _loaded_then_rules_changed(jne: BenchServer, monkeypatch: pytest.MonkeyPatch) -> dict[str, list[tuple]]:
    """One run, then the parsers' fingerprint changed, so the next run parses every body again; the staged
    tables as the first run left them."""
    _run(jne)
    before = staged(Settings.from_env())
    monkeypatch.setattr(incremental, "parser_fingerprint", lambda: "rules changed")
    return before


def test_second_run_with_nothing_changed_fetches_and_parses_no_hoja_de_vida(jne: BenchServer) -> None:
    first, first_meta = _run(jne)
    settings = Settings.from_env()
    before = staged(settings)
    assert first.get("hv_200") == CANDIDATES
    assert first_meta["stg_criminal_sentences"]["parsed_now"] == CANDIDATES

    second, second_meta = _run(jne)

    assert second.get("hv_200", 0) == 0 and second.get("hv_304", 0) == 0
    assert second.get("list_200", 0) == first.get("list_200")  # the lists are asked every run
    assert second_meta["jne_hojas_vida"]["kept_without_request"] == CANDIDATES
    for asset in ("stg_criminal_sentences", "stg_civil_sentences", "stg_declared_income"):
        assert second_meta[asset]["parsed_now"] == 0
    assert first_meta["stg_candidates"]["unchanged"] is False
    assert second_meta["stg_candidates"]["unchanged"] is True
    assert staged(settings) == before


def test_a_new_parser_version_parses_every_body_again_without_fetching(
    jne: BenchServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = _loaded_then_rules_changed(jne, monkeypatch)

    stats, metadata = _run(jne)

    assert stats.get("hv_200", 0) == 0
    assert metadata["stg_criminal_sentences"]["parsed_now"] == CANDIDATES
    assert metadata["stg_declared_assets"]["parsed_now"] == CANDIDATES
    assert metadata["stg_candidates"]["unchanged"] is False
    assert staged(Settings.from_env()) == before


def test_expired_bodies_are_rechecked_and_only_changed_ones_parsed(jne: BenchServer) -> None:
    _run(jne)
    settings = Settings.from_env()
    changed = jne.election.mutate(5, seed=2)
    assert changed > 0

    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("PIPELINE_HV_MAX_AGE_HOURS", "0")
        stats, metadata = _run(jne)

    assert stats.get("hv_200") == changed
    assert stats.get("hv_304") == CANDIDATES - changed
    assert metadata["jne_hojas_vida"]["not_modified"] == CANDIDATES - changed
    assert metadata["stg_criminal_sentences"]["parsed_now"] == changed
    in_force = query(
        settings, "SELECT count(DISTINCT sha256) FROM hv_crawl_state WHERE process_code = ?", [PROCESS]
    )
    assert in_force == [(CANDIDATES,)]


def test_a_changed_list_row_rechecks_that_hoja_de_vida_only(jne: BenchServer) -> None:
    _run(jne)
    _, rows = jne.election.lists[0]
    rows[0] = re.sub(rb'"txEstCand":"[^"]*"', b'"txEstCand":"EXCLUSION"', rows[0])

    stats, metadata = _run(jne)

    assert stats.get("hv_200", 0) + stats.get("hv_304", 0) == 1
    assert metadata["jne_hojas_vida"]["by_reason"] == {"fresh": CANDIDATES - 1, "list_changed": 1}


def test_pending_finds_each_assets_work_in_one_pass(tmp_path: Path) -> None:
    """Two staging assets read the same bodies: the union of what either must parse comes in sha256 order,
    and each asset gets its own share (a new body, another parser version, nothing parsed yet) and its own
    hojas de vida no longer listed."""
    import duckdb

    from pipeline.warehouse import ensure_table

    parser = incremental.parser_fingerprint()
    with duckdb.connect(str(tmp_path / "w.duckdb")) as conn:
        for table in ("hv_crawl_state", "hv_parsed"):
            ensure_table(conn, table)
        state = [(1, "c" * 64), (2, "a" * 64), (3, "b" * 64), (4, None)]  # 4: never fetched
        for hv_id, sha in [*state, (5, "d" * 64)]:
            code = PROCESS if hv_id != 5 else "EG2021"  # another process's body: not this one's work
            conn.execute(
                "INSERT INTO hv_crawl_state (process_code, id_hoja_vida, method, url, sha256) "
                "VALUES (?, ?, ?, ?, ?)",
                [code, hv_id, "GET", f"http://jne/hv/{hv_id}", sha],
            )
        parsed = [
            ("sentences", 1, "c" * 64, parser),  # in force: nothing to do
            ("sentences", 2, "0" * 64, parser),  # an older body: parse the new one
            ("sentences", 3, "b" * 64, "older parser"),  # parsed by other code: again
            ("declarations", 1, "c" * 64, parser),
            ("declarations", 2, "a" * 64, parser),
            ("declarations", 9, "e" * 64, parser),  # no longer listed
        ]  # declarations never parsed 3
        for asset, hv_id, sha, by in parsed:
            conn.execute("INSERT INTO hv_parsed VALUES (?, ?, ?, ?, ?)", [asset, PROCESS, hv_id, sha, by])
        to_parse, work = incremental.pending(conn, ["sentences", "declarations"], PROCESS)
    assert list(to_parse.columns) == ["id_hoja_vida", "method", "url", "sha256"]
    assert list(to_parse["id_hoja_vida"]) == [2, 3]  # sha256 aaa..., bbb...
    assert list(work["sentences"].to_parse["id_hoja_vida"]) == [2, 3]
    assert list(work["declarations"].to_parse["id_hoja_vida"]) == [3]
    assert (work["sentences"].removed, work["declarations"].removed) == ([], [9])
    assert work["sentences"].current == work["declarations"].current == 3


def _batches(made_on: list[str], closed: list[bool], fail_at: int | None = None) -> Iterator[int]:
    try:
        for n in range(5):
            made_on.append(threading.current_thread().name)
            if n == fail_at:
                raise ValueError(f"batch {n} is damaged")
            yield n
    finally:
        closed.append(True)


def test_texts_read_ahead_come_in_order_from_one_other_thread_and_errors_reach_the_caller() -> None:
    made_on: list[str] = []
    closed: list[bool] = []
    assert list(incremental._ahead(_batches(made_on, closed))) == [0, 1, 2, 3, 4]
    assert len(set(made_on)) == 1 and made_on[0] != threading.current_thread().name
    assert closed == [True]
    got: list[int] = []
    with pytest.raises(ValueError, match="batch 2 is damaged"):
        got.extend(incremental._ahead(_batches([], [], fail_at=2)))
    assert got == [0, 1]


def test_texts_read_ahead_stop_when_the_caller_stops() -> None:
    made_on: list[str] = []
    closed: list[bool] = []
    batches = _batches(made_on, closed)  # held here: only an explicit close finishes it
    ahead = incremental._ahead(batches)
    assert next(ahead) == 0
    ahead.close()
    assert closed == [True]  # the reader's own cleanup (DuckDB's connection) ran
    assert len(made_on) <= 2  # at most the batch being made ahead
    assert not [t for t in threading.enumerate() if t.name.startswith("texts")]


def test_texts_come_first_alone_then_gathered_up_to_the_batch_size() -> None:
    """The bulk reader starts on DuckDB's first vector of texts; the others come in batches of at most
    `size` rows, a vector larger than that on its own, and none is lost or reordered."""
    vectors = [
        pa.record_batch({"row": list(range(start, start + n))}) for start, n in _spans([3, 4, 4, 2, 9, 1])
    ]
    gathered = list(incremental._gathered(vectors, 8))
    assert [[len(v) for v in batches] for batches in gathered] == [[3], [4, 4], [2], [9], [1]]
    assert [row for batches in gathered for v in batches for row in v.column("row").to_pylist()] == list(
        range(23)
    )
    assert list(incremental._gathered([], 8)) == []


def _spans(lengths: list[int]) -> list[tuple[int, int]]:
    starts = [sum(lengths[:i]) for i in range(len(lengths))]
    return list(zip(starts, lengths, strict=True))


def test_a_group_that_fails_to_commit_rolls_the_next_back_and_leaves_the_rows_before(
    jne: BenchServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The next group is validated and written while one commits, but committed only once that one did: when
    the first fails, the next, already writing, rolls back."""
    before = _loaded_then_rules_changed(jne, monkeypatch)
    commit, committed = incremental.commit, []

    def failing_first(conn, group, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
        committed.append(group)
        if len(committed) == 1:
            raise RuntimeError(f"disk full while committing {group}")
        return commit(conn, group, *args, **kwargs)

    monkeypatch.setattr(incremental, "commit", failing_first)
    failure = _failed_step()
    assert failure.step_key == "stg_hojas_vida" and "disk full" in str(failure.event_specific_data.error)
    assert committed == ["stg_sentences", "stg_declarations"]  # both began; the second rolled back
    gc.collect()  # the failed step's traceback held its warehouse connection
    assert staged(Settings.from_env()) == before
    with duckdb.connect(str(Settings.from_env().database_path), read_only=True) as conn:
        marks = conn.execute("SELECT count(*) FROM hv_parsed WHERE parser = 'rules changed'").fetchone()
    assert marks == (0,)


def test_a_table_that_fails_validation_rolls_back_its_group_after_a_table_of_it_was_written(
    jne: BenchServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A group's tables are written while the next is validated: when the declared assets fail after the
    declared income (and the group's `hv_parsed` marks) were written, the declarations group rolls back,
    while the sentences group, committed before, stays committed."""
    before = _loaded_then_rules_changed(jne, monkeypatch)
    validated, handed = staged_assets.validated, []

    def failing_assets(context, table, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
        handed.append(table)
        if table == "stg_declared_assets":
            raise ValueError("stg_declared_assets: validation failed for the whole batch")
        return validated(context, table, *args, **kwargs)

    monkeypatch.setattr(staged_assets, "validated", failing_assets)
    failure = _failed_step()
    assert failure.step_key == "stg_hojas_vida"
    assert "stg_declared_assets: validation failed" in str(failure.event_specific_data.error)
    assert handed[-2:] == ["stg_declared_income", "stg_declared_assets"]
    gc.collect()  # the failed step's traceback held its warehouse connection
    parsers = dict(
        query(Settings.from_env(), "SELECT asset, list(DISTINCT parser) FROM hv_parsed GROUP BY asset")
    )
    assert parsers["stg_sentences"] == ["rules changed"]
    assert parsers["stg_declarations"] != ["rules changed"]
    assert staged(Settings.from_env()) == before


def _failed_step() -> dg.DagsterEvent:
    """Run the job once more, which must fail; the failure event of the step that failed."""
    job = build_definitions(Settings.from_env()).resolve_job_def("transparency_job")
    with dg.DagsterInstance.ephemeral() as instance:
        result = job.execute_in_process(partition_key=PROCESS, instance=instance, raise_on_error=False)
    assert not result.success
    return next(e for e in result.all_events if e.is_step_failure)


def test_a_group_handed_fewer_tables_than_it_commits_writes_nothing() -> None:
    """`hv_parsed` is written first in a group's transaction: were a table never handed over, it would claim
    rows that are not there, so the transaction rolls back instead."""
    conn = duckdb.connect()
    sha = "9" * 64
    work = incremental.Pending(
        current=1,
        to_parse=pd.DataFrame({"id_hoja_vida": [99000001], "method": ["GET"], "url": ["u"], "sha256": [sha]}),
        removed=[],
    )
    none = staging.Parsed(pd.DataFrame(), pd.DataFrame({"check_name": [], "archive_sha256": []}))
    tables = ["stg_declared_income", "stg_declared_assets"]
    with pytest.raises(RuntimeError, match="expected tables"):
        incremental.commit(conn, "stg_declarations", PROCESS, work, tables, iter([]), {"x": none})
    assert conn.execute("SELECT count(*) FROM hv_parsed").fetchone() == (0,)
