"""Models built side by side (`pipeline.model_graph`): each after the models it reads, on its own cursor, a
failure stopping what has not started."""

import threading
import time
from pathlib import Path

import duckdb
import pytest

from pipeline.model_graph import build_in_order
from pipeline.warehouse import thread_cursors, threads_shared

# a and b read nothing, c reads a, d reads b and c; e is read by no one and reads a table outside the graph.
READS = {"a": [], "b": [], "c": ["a"], "d": ["b", "c"], "e": ["stg_outside"]}


@pytest.fixture
def conn(tmp_path: Path) -> duckdb.DuckDBPyConnection:
    with duckdb.connect(str(tmp_path / "w.duckdb")) as connection:
        connection.execute("CREATE TABLE stg_outside AS SELECT * FROM range(5) r(i)")
        yield connection


def test_models_wait_for_what_they_read_and_run_side_by_side(conn: duckdb.DuckDBPyConnection) -> None:
    """a and b meet at a barrier, so they must run at the same time; c and d must see what they read."""
    together = threading.Barrier(2, timeout=10)
    spans: dict[str, tuple[float, float]] = {}
    sql = {
        "a": "CREATE TABLE a AS SELECT i FROM stg_outside WHERE i < 3",
        "b": "CREATE TABLE b AS SELECT 10 AS i",
        "c": "CREATE TABLE c AS SELECT sum(i) AS i FROM a",
        "d": "CREATE TABLE d AS SELECT (SELECT i FROM b) + (SELECT i FROM c) AS i",
        "e": "CREATE TABLE e AS SELECT count(*) AS i FROM stg_outside",
    }

    def build(cursor: duckdb.DuckDBPyConnection, name: str) -> str:
        assert cursor is not conn
        start = time.monotonic()
        if name in ("a", "b"):
            together.wait()
        cursor.execute(sql[name])
        spans[name] = (start, time.monotonic())
        return name

    built = list(build_in_order(conn, READS, build, threads=2))
    assert sorted(built) == sorted(READS)
    for name, inputs in READS.items():
        for read in inputs:
            if read in READS:
                assert spans[read][1] <= spans[name][0], f"{name} started before {read} was built"
    assert conn.execute("SELECT i FROM d").fetchone() == (13,)  # 10 + (0 + 1 + 2)


def test_one_thread_builds_one_model_at_a_time(conn: duckdb.DuckDBPyConnection) -> None:
    running, most = [0], [0]
    lock = threading.Lock()

    def build(cursor: duckdb.DuckDBPyConnection, name: str) -> str:
        with lock:
            running[0] += 1
            most[0] = max(most[0], running[0])
        time.sleep(0.01)
        with lock:
            running[0] -= 1
        return name

    assert sorted(build_in_order(conn, READS, build, threads=1)) == sorted(READS)
    assert most[0] == 1


def test_a_failed_model_stops_what_reads_it_and_what_has_not_started(conn: duckdb.DuckDBPyConnection) -> None:
    """a fails while b runs: b still finishes and is reported; c and d (which read a) and e never start."""
    b_started = threading.Event()
    started: list[str] = []

    def build(cursor: duckdb.DuckDBPyConnection, name: str) -> str:
        started.append(name)
        if name == "a":
            assert b_started.wait(10)
            raise RuntimeError("model a: Binder Error")
        if name == "b":
            b_started.set()
            time.sleep(0.2)  # still running when a fails
        return name

    built = []
    with pytest.raises(RuntimeError, match="model a"):
        for name in build_in_order(conn, {k: READS[k] for k in ("a", "b", "c", "d", "e")}, build, threads=2):
            built.append(name)
    assert built == ["b"]
    assert sorted(started) == ["a", "b"]


def test_each_thread_gets_a_cursor_of_its_own_closed_on_exit(conn: duckdb.DuckDBPyConnection) -> None:
    with thread_cursors(conn) as cursor:
        mine = cursor()
        assert cursor() is mine and mine is not conn
        others: list[duckdb.DuckDBPyConnection] = []
        thread = threading.Thread(target=lambda: others.append(cursor()))
        thread.start()
        thread.join()
        assert others[0] is not mine
        assert mine.execute("SELECT count(*) FROM stg_outside").fetchone() == (5,)
    for closed in (mine, others[0]):
        with pytest.raises(duckdb.ConnectionException):
            closed.execute("SELECT 1")


def test_the_head_of_the_longest_chain_starts_first(conn: duckdb.DuckDBPyConnection) -> None:
    """z and b are ready at once; b heads b -> c -> d, so it starts first, then c (a chain of two) before z,
    then z before d (chains of one, in the order given). With z first, a last thread would wait on c and d."""
    reads = {"z": [], "b": [], "c": ["b"], "d": ["c"]}
    started: list[str] = []

    def build(cursor: duckdb.DuckDBPyConnection, name: str) -> str:
        started.append(name)
        return name

    assert list(build_in_order(conn, reads, build, threads=1)) == ["b", "c", "z", "d"]
    assert started == ["b", "c", "z", "d"]


def _threads(conn: duckdb.DuckDBPyConnection) -> int:
    return conn.execute("SELECT current_setting('threads')").fetchone()[0]


def test_queries_run_at_once_share_duckdbs_threads_until_the_exit(conn: duckdb.DuckDBPyConnection) -> None:
    conn.execute("SET threads = 4")
    with threads_shared(conn, 2):
        assert _threads(conn) == 2
        with thread_cursors(conn) as cursor:
            assert _threads(cursor()) == 2  # the database's setting: its cursors share it
    assert _threads(conn) == 4
    with pytest.raises(RuntimeError), threads_shared(conn, 8):
        assert _threads(conn) == 1  # never below one
        raise RuntimeError("a model failed")
    assert _threads(conn) == 4
    with threads_shared(conn, 1):
        assert _threads(conn) == 4
