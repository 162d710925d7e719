"""The publication: a read-only snapshot, exports, dictionary, history, atomic switch, retention."""

import csv
import hashlib
import json
import re
from datetime import UTC, datetime, timedelta

import duckdb
import pytest

from pipeline.publish import dictionary, release
from pipeline.settings import Settings
from tests.support import README, reset_pipeline_env, run_pipeline


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    mp = pytest.MonkeyPatch()
    reset_pipeline_env(mp, tmp_path_factory.mktemp("pub") / "data")
    mp.setenv("PIPELINE_PUBLISH_KEEP", "2")
    settings = Settings.from_env()
    assert run_pipeline(settings, ["EG2021", "EG2026"])
    yield settings
    mp.undo()


def _readme_queries() -> list[str]:
    section = (
        README.read_text(encoding="utf-8").split("## Querying the publication", 1)[1].split("\n## ", 1)[0]
    )
    statements = []
    for block in re.findall(r"```sql\n(.*?)```", section, flags=re.S):
        for statement in block.split(";"):
            lines = [
                line for line in statement.splitlines() if line.strip() and not line.strip().startswith("--")
            ]
            if lines:
                statements.append("\n".join(lines))
    return statements


def test_readme_queries_run_against_the_published_file(published: Settings) -> None:
    queries = _readme_queries()
    assert len(queries) >= 4
    with duckdb.connect(str(published.published_dir / "transparency.duckdb"), read_only=True) as conn:
        for query in queries:
            conn.execute(query).fetchall()
        flags = conn.execute("SELECT count(*) FROM empty_seat_flags").fetchone()[0]
    assert flags == 3


def test_every_public_table_and_column_is_commented_and_in_the_dictionary(published: Settings) -> None:
    current = published.published_dir / "current"
    doc = (current / "DICTIONARY.md").read_text(encoding="utf-8")
    package = json.loads((current / "datapackage.json").read_text(encoding="utf-8"))
    described = {(r["name"], f["name"]) for r in package["resources"] for f in r["schema"]["fields"]}
    with duckdb.connect(str(current / "transparency.duckdb"), read_only=True) as conn:
        tables = conn.execute("SELECT table_name, comment FROM duckdb_tables() WHERE NOT internal").fetchall()
        columns = conn.execute(
            "SELECT table_name, column_name, comment FROM duckdb_columns() WHERE NOT internal"
        ).fetchall()
    assert {t for t, _ in tables} == {t.name for t in dictionary.public_tables()}
    assert all(comment and " / " in comment for _, comment in tables)
    for table, column, comment in columns:
        assert comment, f"{table}.{column} has no comment"
        assert f"`{column}`" in doc and (table, column) in described


def test_no_published_file_carries_personal_data_columns(published: Settings) -> None:
    current = published.published_dir / "current"
    markers = dictionary.FORBIDDEN_COLUMN_MARKERS
    with duckdb.connect(str(current / "transparency.duckdb"), read_only=True) as conn:
        names = [
            c
            for (c,) in conn.execute("SELECT column_name FROM duckdb_columns() WHERE NOT internal").fetchall()
        ]
        for parquet in (current / "exports").glob("*.parquet"):
            names += [r[0] for r in conn.execute(f"DESCRIBE SELECT * FROM '{parquet}'").fetchall()]
    for path in (current / "exports").glob("*.csv"):
        with path.open(encoding="utf-8") as handle:
            names += next(csv.reader(handle))
    bundle = json.loads(
        (current / "web" / "data.js").read_text(encoding="utf-8").split("=", 1)[1].rstrip(";\n")
    )
    names += [k for finding in bundle["findings"] for k in finding]
    assert names and not [n for n in names if any(m in n.lower() for m in markers)]
    assert not re.search(r"\b99\d{6}\b", (current / "web" / "data.js").read_text())  # no DNI, even invented


def test_manifest_lists_every_file_with_rows_and_hash(published: Settings) -> None:
    current = published.published_dir / "current"
    manifest = json.loads((current / "manifest.json").read_text(encoding="utf-8"))
    listed = {f["path"]: f for f in manifest["files"]}
    on_disk = {p.relative_to(current).as_posix() for p in current.rglob("*") if p.is_file()} - {
        "manifest.json"
    }
    assert set(listed) == on_disk
    for path, entry in listed.items():
        assert hashlib.sha256((current / path).read_bytes()).hexdigest() == entry["sha256"]
    with duckdb.connect() as conn:
        rows = conn.execute(
            f"SELECT count(*) FROM '{current / 'exports' / 'candidates.parquet'}'"
        ).fetchone()[0]
    assert listed["exports/candidates.parquet"]["rows"] == rows == 143  # with the 20 real EG2021 finance rows
    assert manifest["data_as_of"] and manifest["mode"] == "offline"


def test_reader_keeps_its_file_while_a_new_publication_lands(published: Settings) -> None:
    stable = published.published_dir / "transparency.duckdb"
    reader = duckdb.connect(str(stable), read_only=True)
    before = stable.stat().st_ino
    with duckdb.connect(str(published.database_path)) as conn:
        new = release.publish(
            conn,
            published.published_dir,
            datetime.now(UTC),
            "offline",
            keep=2,
            inputs=release.release_inputs(conn, "offline"),
        )
    assert reader.execute("SELECT count(*) FROM empty_seat_flags").fetchone() == (3,)  # no lock error
    reader.close()
    assert stable.stat().st_ino != before and new.directory.name in str(
        (published.published_dir / "current").resolve()
    )
    with duckdb.connect(str(stable), read_only=True) as fresh:
        assert fresh.execute("SELECT count(*) FROM empty_seat_flags").fetchone() == (3,)
    assert len(list((published.published_dir / "releases").iterdir())) == 2  # retention


def test_failed_publication_leaves_the_previous_one(
    published: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    current_before = (published.published_dir / "current").resolve()
    db_before = (published.published_dir / "transparency.duckdb").stat().st_ino

    def broken(*args, **kwargs):
        raise RuntimeError("disk full while writing the web page")

    monkeypatch.setattr(release, "write_webpage", broken)
    with duckdb.connect(str(published.database_path)) as conn, pytest.raises(RuntimeError, match="disk full"):
        release.publish(
            conn,
            published.published_dir,
            datetime.now(UTC),
            "offline",
            keep=2,
            inputs=release.release_inputs(conn, "offline"),
        )
    assert (published.published_dir / "current").resolve() == current_before
    assert (published.published_dir / "transparency.duckdb").stat().st_ino == db_before
    assert not [p for p in (published.published_dir / "releases").iterdir() if p.name.startswith(".")]


def test_changes_since_previous_publication(published: Settings) -> None:
    with duckdb.connect(str(published.database_path)) as conn:
        conn.execute(
            "UPDATE candidates SET status = 'EXCLUSION' WHERE full_name = 'ANA LUCIA EJEMPLO PRUEBA'"
        )
        conn.execute("DELETE FROM candidacy_bans")
        new = release.publish(
            conn,
            published.published_dir,
            datetime.now(UTC) + timedelta(seconds=1),
            "offline",
            2,
            inputs=release.release_inputs(conn, "offline"),
        )
    assert new.changes == 3
    with duckdb.connect(str(new.database), read_only=True) as pub:
        rows = pub.execute(
            "SELECT entity_kind, change, old_state, new_state FROM changes ORDER BY ALL"
        ).fetchall()
    assert rows == [
        ("candidacy", "changed", "INSCRITO", "EXCLUSION"),
        ("candidacy_ban", "disappeared", "vigente", None),
        ("candidacy_ban", "disappeared", "vigente", None),
    ]
