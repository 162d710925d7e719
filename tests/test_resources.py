"""The warehouse resource keeps its database open while it is set up (a run, or a step), then closes it."""

from pathlib import Path

import dagster as dg
import duckdb

from pipeline.resources import WarehouseResource


def _databases(conn: duckdb.DuckDBPyConnection) -> set[str]:
    return {name for (name,) in conn.execute("SELECT database_name FROM duckdb_databases()").fetchall()}


def test_the_warehouse_stays_open_while_set_up_and_is_closed_after(tmp_path: Path) -> None:
    database = tmp_path / "data" / "warehouse.duckdb"
    with dg.build_resources({"duckdb": WarehouseResource(database=str(database))}) as resources:
        with resources.duckdb.get_connection() as conn:
            conn.execute("CREATE TABLE t AS SELECT 1 AS x")
            conn.execute("ATTACH ':memory:' AS probe")  # attachments belong to the open database
        with resources.duckdb.get_connection() as conn:
            assert "probe" in _databases(conn)  # the same database, not the file opened again
            assert conn.execute("SELECT x FROM t").fetchall() == [(1,)]
    # Torn down: the file is closed (so it opens read-only, which an open read-write database refuses) and
    # holds what was written.
    with duckdb.connect(str(database), read_only=True) as conn:
        assert "probe" not in _databases(conn)
        assert conn.execute("SELECT x FROM t").fetchall() == [(1,)]
