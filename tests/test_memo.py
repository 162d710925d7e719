"""Reruns keep what they built only when its inputs are provably the same (issue 6): content fingerprints,
the tables a model reads, the model memo, reused check results and a kept publication."""

import shutil
from pathlib import Path

import dagster as dg
import duckdb
import pandas as pd
import pytest

from assets import models
from assets.checks import SchemaCheck, _read_pandas, schema_checks_step
from assets.models import MODELS, sql_models
from assets.publish import publication
from pipeline import memo
from pipeline.memo import TableFingerprints, build_unless_unchanged, table_fingerprint, tables_read
from pipeline.resources import PublicationResource, WarehouseResource
from pipeline.settings import Settings
from pipeline.warehouse import sql_text
from tests.support import reset_pipeline_env, run_pipeline

ROWS = """
CREATE OR REPLACE TABLE t AS SELECT * FROM (VALUES
    (1, 'a', 1.50::DECIMAL(12, 2), TIMESTAMP '2024-01-01 10:00:00', [1, 2], NULL::VARCHAR),
    (2, 'b', 2.25::DECIMAL(12, 2), TIMESTAMP '2024-01-02 10:00:00', [3], 'x'),
    (3, 'c', 0.00::DECIMAL(12, 2), NULL, NULL, 'y')
) v(id, name, amount, seen, items, note)
"""


@pytest.fixture
def conn(tmp_path: Path) -> duckdb.DuckDBPyConnection:
    with duckdb.connect(str(tmp_path / "w.duckdb")) as connection:
        connection.execute(ROWS)
        yield connection


@pytest.mark.parametrize(
    "change",
    [
        "UPDATE t SET id = 4 WHERE id = 3",
        "UPDATE t SET name = 'B' WHERE id = 2",
        "UPDATE t SET amount = 1.51 WHERE id = 1",
        "UPDATE t SET seen = TIMESTAMP '2024-01-01 10:00:00.000001' WHERE id = 1",
        "UPDATE t SET seen = TIMESTAMP '2024-01-01 10:00:00' WHERE id = 3",  # NULL -> value
        "UPDATE t SET note = NULL WHERE id = 2",  # value -> NULL
        "UPDATE t SET items = [2, 1] WHERE id = 1",
        "UPDATE t SET name = 'a' WHERE id = 2",  # now two rows share a value
        "INSERT INTO t SELECT * FROM t WHERE id = 1",  # a duplicated row must not cancel out
        "DELETE FROM t WHERE id = 2",
        "ALTER TABLE t ADD COLUMN extra INTEGER",
        "ALTER TABLE t ALTER amount TYPE DECIMAL(14, 2)",
    ],
)
def test_any_change_changes_the_fingerprint(conn: duckdb.DuckDBPyConnection, change: str) -> None:
    before = table_fingerprint(conn, "t")
    conn.execute(change)
    assert table_fingerprint(conn, "t") != before


def test_fingerprint_ignores_row_order_and_rewrites(conn: duckdb.DuckDBPyConnection) -> None:
    before = table_fingerprint(conn, "t")
    conn.execute("CREATE OR REPLACE TABLE t AS SELECT * FROM t ORDER BY id DESC")
    assert table_fingerprint(conn, "t") == before
    conn.execute("INSERT INTO t SELECT * FROM t WHERE id = 1")
    conn.execute("INSERT INTO t SELECT * FROM t WHERE id = 1")
    doubled = table_fingerprint(conn, "t")
    conn.execute("DELETE FROM t WHERE id = 1")
    conn.execute(ROWS)
    conn.execute("INSERT INTO t SELECT * FROM t WHERE id = 1")
    assert table_fingerprint(conn, "t") not in {before, doubled}  # two copies of the row, not three


def _staged_tables(conn: duckdb.DuckDBPyConnection) -> None:
    """Empty staged tables, so the model SQL's names resolve to existing tables."""
    for table in ("stg_candidates", "stg_criminal_sentences", "quarantine"):
        conn.execute(sql_text(table))
    conn.execute(sql_text("macros"))


def test_comments_before_a_statement_do_not_hide_its_query(conn: duckdb.DuckDBPyConnection) -> None:
    """A model file opens with comments: what the query reads is found, not every word the file names (the
    table it creates among them, whatever DuckDB's statement splitter keeps of the comments)."""
    conn.execute("CREATE TABLE src AS SELECT 1 AS x")
    conn.execute("CREATE TABLE made AS SELECT 1 AS x")
    sql = (
        "-- made: one row per src (a comment naming the table made)\n/* and a block\ncomment */\n"
        "CREATE OR REPLACE TABLE made AS SELECT x FROM src;\n-- between statements, naming made\n"
        "CREATE OR REPLACE MACRO from_src(v) AS (SELECT count(*) FROM src WHERE x = v);"
    )
    assert tables_read(conn, sql) == {'"src"'}


def test_tables_read_by_model_sql_are_found(conn: duckdb.DuckDBPyConnection) -> None:
    _staged_tables(conn)
    for name in ("criminal_records", "court_rulings", "convictions"):
        conn.execute(f"CREATE TABLE IF NOT EXISTS {name} AS SELECT 1 AS x")
    assert {'"stg_candidates"', '"stg_criminal_sentences"'} <= tables_read(conn, sql_text("criminal_records"))
    conn.execute("DROP TABLE convictions")
    conn.execute("CREATE VIEW convictions AS SELECT * FROM criminal_records")
    # review_queue reads models that do not exist here: what it reads cannot be told, so it is rebuilt
    assert tables_read(conn, sql_text("review_queue")) is None
    for name in ("legislators", "declared_income", "declared_assets", "contributions", "campaign_expenses"):
        conn.execute(f"CREATE TABLE {name} AS SELECT 1 AS x")
    for name in ("candidates", "processes"):
        conn.execute(f"CREATE TABLE IF NOT EXISTS {name} AS SELECT 1 AS x")
    read = tables_read(conn, sql_text("review_queue"))
    assert {'"criminal_records"', '"court_rulings"', '"convictions"', '"legislators"'} <= read  # view by name
    conn.execute("CREATE TABLE rules AS SELECT 1 AS id")
    assert tables_read(conn, "CREATE OR REPLACE MACRO r(x) AS (SELECT count(*) FROM rules WHERE id = x)") == {
        '"rules"'
    }
    assert tables_read(conn, "CREATE OR REPLACE TABLE f AS SELECT * FROM read_csv('x.csv')") is None


def _model(conn: duckdb.DuckDBPyConnection, sql: str) -> bool:
    """Build model `m` unless unchanged; True when it was kept."""
    return build_unless_unchanged(conn, "m", [sql], lambda: conn.execute(sql)) is not None


def test_model_is_kept_until_an_input_or_its_sql_changes(conn: duckdb.DuckDBPyConnection) -> None:
    conn.execute("CREATE VIEW v AS SELECT * FROM t WHERE id < 3")
    sql = "CREATE OR REPLACE TABLE m AS SELECT id, name FROM v"
    assert not _model(conn, sql)
    conn.execute("INSERT INTO m VALUES (99, 'sentinel')")  # still there only if m was not rebuilt
    assert _model(conn, sql)
    assert conn.execute("SELECT count(*) FROM m WHERE id = 99").fetchone() == (1,)

    conn.execute("UPDATE t SET name = 'changed' WHERE id = 2")  # through the view
    assert not _model(conn, sql)
    assert conn.execute("SELECT name FROM m ORDER BY id").fetchall() == [("a",), ("changed",)]
    assert _model(conn, sql)

    conn.execute("CREATE OR REPLACE VIEW v AS SELECT * FROM t")  # the view's definition changes
    assert not _model(conn, sql)
    assert conn.execute("SELECT count(*) FROM m").fetchone() == (3,)

    assert not _model(conn, sql + " WHERE id > 1")  # the SQL changes
    assert conn.execute("SELECT count(*) FROM m").fetchone() == (2,)
    conn.execute("DROP TABLE m")  # the model is gone: built again
    assert not _model(conn, sql + " WHERE id > 1")


def test_models_of_one_step_see_what_the_step_rebuilt(conn: duckdb.DuckDBPyConnection, monkeypatch) -> None:
    """Models built in one step share their input fingerprints (`TableFingerprints`), yet one that reads a
    table, or a view over it, rebuilt earlier in the same step sees the new content. Here b reads the view w
    over a, and e reads a, before a is rebuilt; c and d read a and w after."""
    conn.execute("CREATE TABLE a AS SELECT id, name FROM t")
    conn.execute("CREATE VIEW w AS SELECT * FROM a WHERE id > 1")
    models = {
        "b": "CREATE OR REPLACE TABLE b AS SELECT count(*) AS n FROM w",
        "e": "CREATE OR REPLACE TABLE e AS SELECT min(id) AS low FROM a",
        "a": "CREATE OR REPLACE TABLE a AS SELECT id, name FROM t",
        "c": "CREATE OR REPLACE TABLE c AS SELECT max(id) AS top FROM a",
        "d": "CREATE OR REPLACE TABLE d AS SELECT count(*) AS n FROM w",
    }
    hashed: list[str] = []
    monkeypatch.setattr(
        memo, "table_fingerprint", lambda c, table: hashed.append(table) or table_fingerprint(c, table)
    )

    def step() -> dict[str, bool]:
        """Each model, in order, on one connection and one TableFingerprints: True when kept."""
        fingerprints = TableFingerprints()
        kept = {}
        for name, sql in models.items():
            build = lambda sql=sql: conn.execute(sql)  # noqa: E731
            kept[name] = build_unless_unchanged(conn, name, [sql], build, fingerprints) is not None
        return kept

    assert step() == dict.fromkeys(models, False)
    hashed.clear()
    assert step() == dict.fromkeys(models, True)
    assert sorted(hashed) == ['"a"', '"t"', '"w"']  # each input hashed once in the step
    conn.execute("UPDATE t SET id = 7 WHERE id = 1")
    assert step() == {"b": True, "e": True, "a": False, "c": False, "d": False}
    assert conn.execute("SELECT (SELECT top FROM c), (SELECT n FROM d)").fetchone() == (7, 3)


def test_a_failed_build_keeps_no_record(conn: duckdb.DuckDBPyConnection) -> None:
    sql = "CREATE OR REPLACE TABLE m AS SELECT id FROM t"
    assert not _model(conn, sql)
    conn.execute("UPDATE t SET id = 7 WHERE id = 1")

    def fail() -> None:
        conn.execute(sql)
        raise RuntimeError("killed mid-build")

    with pytest.raises(RuntimeError):
        build_unless_unchanged(conn, "m", [sql], fail)
    assert conn.execute("SELECT max(id) FROM m").fetchone() == (3,)  # rolled back
    assert not _model(conn, sql)  # so the change is built next time
    assert conn.execute("SELECT max(id) FROM m").fetchone() == (7,)


def _no_negative_ids(frame: pd.DataFrame) -> list[pd.DataFrame]:
    bad = frame[frame["id"] < 0]
    return [pd.DataFrame({"id": bad["id"], "failure": "negative"})] if len(bad) else []


def test_check_results_are_reused_for_the_same_content_only(tmp_path: Path) -> None:
    database = str(tmp_path / "w.duckdb")
    with duckdb.connect(database) as setup:
        setup.execute(sql_text("stg_candidates"))
        setup.execute(
            "INSERT INTO stg_candidates (process_code, office, id_hoja_vida, dni, full_name, status, "
            "source_url, archive_sha256) SELECT 'EG2026', 'X', id, '1', 'N', 'S', 'u', 'h' "
            "FROM (VALUES (-1), (2)) v(id)"
        )
    resource = WarehouseResource(database=database)
    step = schema_checks_step(
        "candidates_check",
        [SchemaCheck("stg_candidates", lambda f: _no_negative_ids(f.rename(columns={"id_hoja_vida": "id"})))],
    )

    def run() -> dg.AssetCheckResult:
        (result,) = step(dg.build_asset_check_context(), duckdb=resource)
        return result

    first, second = run(), run()
    assert not first.passed and "reused_from" not in first.metadata
    assert not second.passed and "reused_from" in second.metadata  # a failure stays a failure
    assert second.metadata["failures"].value == first.metadata["failures"].value == 1
    assert second.metadata["failure_sample"] == first.metadata["failure_sample"]
    with duckdb.connect(database) as edit:
        edit.execute("UPDATE stg_candidates SET id_hoja_vida = 1 WHERE id_hoja_vida = -1")
    fixed, again = run(), run()
    assert fixed.passed and "reused_from" not in fixed.metadata
    assert again.passed and "reused_from" in again.metadata
    with duckdb.connect(database) as edit:
        edit.execute("UPDATE stg_candidates SET id_hoja_vida = -5 WHERE id_hoja_vida = 2")
    broken = run()
    assert not broken.passed and "reused_from" not in broken.metadata


MIXED = """
CREATE TABLE mixed AS SELECT * FROM (VALUES
    ('a', NULL::VARCHAR, DATE '2024-01-02', TRUE, 1, ['x'], 1.50::DECIMAL(12, 2),
     TIMESTAMPTZ '2024-01-01 10:00+00'),
    (NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)
) v(text, all_null, day, flag, n, items, amount, seen)
"""


@pytest.mark.parametrize("where", ["", "WHERE n = 1", "WHERE false"])
def test_a_check_reads_a_table_as_duckdb_converts_it(conn: duckdb.DuckDBPyConnection, where: str) -> None:
    """Text through Arrow, in the schemas' Arrow string type, the rest through DuckDB: the same values as
    fetchdf(), and its dtypes but for text (an all-null text column stays `object`, a boolean with nulls
    `boolean`, a date `datetime64`)."""
    conn.execute(MIXED)
    conn.execute(f"CREATE TABLE checked AS SELECT * FROM mixed {where}")
    expected = conn.execute("SELECT * FROM checked").fetchdf()
    if where != "WHERE false":  # a text column with a value
        expected["text"] = expected["text"].astype(pd.StringDtype("pyarrow"))
    pd.testing.assert_frame_equal(_read_pandas(conn, "checked"), expected, check_exact=True)


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    mp = pytest.MonkeyPatch()
    reset_pipeline_env(mp, tmp_path_factory.mktemp("memo") / "data")
    settings = Settings.from_env()
    assert run_pipeline(settings, ["EG2026"])
    yield settings
    mp.undo()


def _publish(settings: Settings) -> dg.MaterializeResult:
    return publication(
        dg.build_asset_context(),
        duckdb=WarehouseResource(database=str(settings.database_path)),
        publication=PublicationResource(root=str(settings.published_dir)),
    )


def test_publication_is_kept_until_a_public_row_changes(published: Settings) -> None:
    releases = published.published_dir / "releases"
    current = (published.published_dir / "current").resolve()
    kept = _publish(published)
    assert kept.metadata["unchanged"] is True
    assert sorted(releases.iterdir()) == [current]
    with duckdb.connect(str(published.database_path)) as conn:
        conn.execute(
            "UPDATE candidates SET status = 'cambiado' WHERE rowid = (SELECT min(rowid) FROM candidates)"
        )
    changed = _publish(published)
    assert changed.metadata["unchanged"] is False and len(list(releases.iterdir())) == 2
    assert _publish(published).metadata["unchanged"] is True
    assert len(list(releases.iterdir())) == 2


def test_a_deleted_release_is_published_again(published: Settings) -> None:
    shutil.rmtree((published.published_dir / "current").resolve())
    assert _publish(published).metadata["unchanged"] is False
    assert (published.published_dir / "current" / "manifest.json").is_file()


def test_selected_models_alone_are_built_in_their_step(published: Settings) -> None:
    """The SQL models share one step (`sql_models`); a subset selected, as in the UI, builds those only, in
    dependency order (candidacy_bans reads candidates), and leaves the others as they were."""
    with duckdb.connect(str(published.database_path)) as conn:
        conn.execute("DROP TABLE candidacy_bans")
        conn.execute("DROP TABLE candidates")
        conn.execute("INSERT INTO review_queue (item_kind) VALUES ('sentinel')")
    selected = ["candidacy_bans", "candidates"]
    with dg.DagsterInstance.ephemeral() as instance:
        result = dg.materialize(
            [sql_models],
            selection=selected,
            resources={"duckdb": WarehouseResource(database=str(published.database_path))},
            instance=instance,
        )
    built = sorted(e.asset_key.to_user_string() for e in result.get_asset_materialization_events())
    assert result.success and built == sorted(selected)
    with duckdb.connect(str(published.database_path)) as conn:
        counts = conn.execute(
            "SELECT (SELECT count(*) FROM candidates), (SELECT count(*) FROM candidacy_bans), "
            "(SELECT count(*) FROM review_queue WHERE item_kind = 'sentinel')"
        ).fetchone()
        conn.execute("DELETE FROM review_queue WHERE item_kind = 'sentinel'")
    assert counts[0] > 0 and counts[1] > 0 and counts[2] == 1


def test_every_model_a_model_reads_is_declared_upstream(published: Settings) -> None:
    """`sql_models` builds a model once its declared upstream models are built: those must include every
    model its SQL reads (which is also what the lineage in the UI shows)."""
    models = {name for name, _, _ in MODELS}
    with duckdb.connect(str(published.database_path), read_only=True) as conn:
        for name, deps, _ in MODELS:
            read = tables_read(conn, sql_text(name))
            assert read is not None, name
            assert {memo._name_of(ref) for ref in read} & models <= set(deps), name


def _build_models(settings: Settings, threads: int) -> dict[str, str]:
    """Every model built anew (none kept), `threads` at a time; each model's content fingerprint."""
    with duckdb.connect(str(settings.database_path)) as conn:
        conn.execute("DELETE FROM model_inputs")
    resource = WarehouseResource(database=str(settings.database_path), model_threads=threads)
    with dg.DagsterInstance.ephemeral() as instance:
        result = dg.materialize([sql_models], resources={"duckdb": resource}, instance=instance)
    assert result.success
    unchanged = [
        e.materialization.metadata["unchanged"].value for e in result.get_asset_materialization_events()
    ]
    assert len(unchanged) == len(MODELS) and not any(unchanged)
    with duckdb.connect(str(settings.database_path), read_only=True) as conn:
        return {name: table_fingerprint(conn, f'"{name}"') for name, _, _ in MODELS}


def test_models_built_side_by_side_equal_models_built_one_by_one(published: Settings) -> None:
    assert _build_models(published, threads=2) == _build_models(published, threads=1)


def test_models_built_side_by_side_share_duckdbs_threads(
    published: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two models at a time, each with half of DuckDB's threads (at least one); all of them again after."""
    seen: list[int] = []
    build_model = models.build_model

    def spy(conn: duckdb.DuckDBPyConnection, name: str) -> int:
        seen.append(conn.execute("SELECT current_setting('threads')").fetchone()[0])
        return build_model(conn, name)

    monkeypatch.setattr(models, "build_model", spy)
    with duckdb.connect(str(published.database_path)) as conn:
        threads = conn.execute("SELECT current_setting('threads')").fetchone()[0]
    _build_models(published, threads=2)
    assert len(seen) == len(MODELS) and set(seen) == {max(1, threads // 2)}
    seen.clear()
    _build_models(published, threads=1)
    assert set(seen) == {threads}
