"""Loading into DuckDB: table DDL and model SQL come from `sql/`, one file per table.

Loads replace a whole partition inside one transaction (delete, then insert), so a re-run replaces
instead of duplicating, and a failed load leaves the previous rows in place.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pandas as pd

SQL_DIR = Path(__file__).resolve().parents[1] / "sql"


def sql_text(name: str) -> str:
    path = SQL_DIR / f"{name}.sql"
    if not path.is_file():
        raise FileNotFoundError(f"no SQL file for {name!r} (expected {path})")
    return path.read_text(encoding="utf-8")


def ensure_table(conn: duckdb.DuckDBPyConnection, table: str) -> None:
    """Run the table's CREATE TABLE IF NOT EXISTS file."""
    conn.execute(sql_text(table))


@contextmanager
def transaction(conn: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """Everything inside commits together or not at all."""
    conn.execute("BEGIN TRANSACTION")
    try:
        yield
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise


@contextmanager
def threads_shared(conn: duckdb.DuckDBPyConnection, queries: int) -> Iterator[None]:
    """DuckDB's threads shared out among `queries` run at once on cursors of `conn`: each query gets its share
    (at least one) instead of all of them, so the queries do not outnumber the cores (the SQL models two at a
    time at 150,000 candidates, on 2 cores: 1.26-1.35 s with two threads a query, 1.17-1.23 s with one).
    The setting is the database's: every connection to it in this process has the share until the exit."""
    threads = conn.execute("SELECT current_setting('threads')").fetchone()[0]
    share = max(1, threads // max(1, queries))
    if share == threads:
        yield
        return
    conn.execute(f"SET threads = {share}")
    try:
        yield
    finally:
        conn.execute(f"SET threads = {threads}")


@contextmanager
def thread_cursors(conn: duckdb.DuckDBPyConnection) -> Iterator[Callable[[], duckdb.DuckDBPyConnection]]:
    """A function giving each thread that calls it a cursor of its own on `conn` (DuckDB runs one
    connection's statements one at a time; a cursor is another connection to the same database, in its own
    transactions), every cursor closed on exit."""
    local = threading.local()
    cursors: list[duckdb.DuckDBPyConnection] = []

    def cursor() -> duckdb.DuckDBPyConnection:
        mine = getattr(local, "cursor", None)
        if mine is None:
            mine = local.cursor = conn.cursor()
            cursors.append(mine)
        return mine

    try:
        yield cursor
    finally:
        for mine in cursors:
            mine.close()


def insert_rows(conn: duckdb.DuckDBPyConnection, table: str, df: pd.DataFrame) -> None:
    """Insert a DataFrame in bulk, matching columns by name."""
    if df.empty:
        return
    conn.register("_incoming", df)
    try:
        conn.execute(f'INSERT INTO "{table}" BY NAME SELECT * FROM _incoming')
    finally:
        conn.unregister("_incoming")


def replace_rows(
    conn: duckdb.DuckDBPyConnection, table: str, df: pd.DataFrame, where: dict[str, object]
) -> None:
    """Atomically replace the rows of `table` matching `where` (column = value) with `df`."""
    ensure_table(conn, table)
    clause = " AND ".join(f'"{column}" = ?' for column in where) or "TRUE"
    with transaction(conn):
        conn.execute(f'DELETE FROM "{table}" WHERE {clause}', list(where.values()))
        insert_rows(conn, table, df)


def append_rows(conn: duckdb.DuckDBPyConnection, table: str, df: pd.DataFrame) -> None:
    ensure_table(conn, table)
    insert_rows(conn, table, df)


def build_model(conn: duckdb.DuckDBPyConnection, name: str) -> int:
    """Run a model's CREATE OR REPLACE file and return its row count."""
    conn.execute(sql_text(name))
    return conn.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0]


def preview_markdown(conn: duckdb.DuckDBPyConnection, table: str, limit: int = 5) -> str:
    df = conn.execute(f'SELECT * FROM "{table}" LIMIT {int(limit)}').fetchdf()
    return df.to_markdown(index=False) if not df.empty else "(empty)"
