"""Build a publication and switch to it atomically.

A release is a directory (`releases/<timestamp>/`) holding a fresh DuckDB file with only the public tables,
Parquet and CSV exports, the data dictionary, the voters' web page and a manifest of every file with its
row count and sha256. It is built under a hidden name and renamed into place when complete; then the stable
paths (`transparency.duckdb`, `current`) are swapped with `os.replace`, which is atomic. A reader holding
the previous file open keeps reading it; nothing half-written is ever visible at a stable path.

A release records what it was built from (`publication_inputs`): the content of the published tables and
the publication code. A run with the same inputs keeps the current release instead of writing an identical
one (issue 6), so `published_at`, `data_as_of` and `changes` stay those of the last real change.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import duckdb

from pipeline.memo import files_fingerprint, inputs_fingerprint
from pipeline.publish import dictionary
from pipeline.publish.webpage import write_webpage
from pipeline.warehouse import SQL_DIR, ensure_table, sql_text, transaction

FRICTIONLESS_TYPES = {
    "VARCHAR": "string",
    "BIGINT": "integer",
    "INTEGER": "integer",
    "DOUBLE": "number",
    "BOOLEAN": "boolean",
    "DATE": "date",
    "TIMESTAMP WITH TIME ZONE": "datetime",
}


# What a release's content depends on besides the public tables: this package (code, dictionary, page
# template) and the SQL it runs.
PUBLISH_DIR = Path(__file__).parent
PUBLISH_SQL = ("web_findings", "entity_states", "changes", "history", "history_update", "publications")


@dataclass(frozen=True)
class Release:
    directory: Path
    database: Path
    manifest: dict
    changes: int


def _sql_string(text: str | Path) -> str:
    return "'" + str(text).replace("'", "''") + "'"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _select(table: dictionary.PublicTable) -> str:
    columns = ", ".join(f'"{c}"' for c in table.columns)
    return f'SELECT {columns} FROM main."{table.name}" ORDER BY ALL'


def compute_changes(conn: duckdb.DuckDBPyConnection, as_of: datetime) -> int:
    """Fill `changes` with what differs from the states recorded at the previous publication."""
    conn.execute(f"SET VARIABLE published_at = TIMESTAMPTZ {_sql_string(as_of.isoformat())}")
    for name in ("history", "entity_states", "changes"):
        conn.execute(sql_text(name))
    return conn.execute("SELECT count(*) FROM changes").fetchone()[0]


def _snapshot(conn: duckdb.DuckDBPyConnection, target: Path) -> None:
    conn.execute(f"ATTACH {_sql_string(target)} AS pub")
    try:
        for table in dictionary.public_tables():
            conn.execute(f'CREATE TABLE pub."{table.name}" AS {_select(table)}')
        for statement in dictionary.comment_statements("pub"):
            conn.execute(statement)
        conn.execute("CHECKPOINT pub")
    finally:
        conn.execute("DETACH pub")


def _exports(
    conn: duckdb.DuckDBPyConnection, directory: Path
) -> tuple[list[dict], dict[str, dict[str, str]]]:
    directory.mkdir()
    resources, types = [], {}
    for table in dictionary.public_tables():
        query = _select(table)
        rows = conn.execute(f"SELECT count(*) FROM ({query})").fetchone()[0]
        for extension, options in (
            ("parquet", "FORMAT parquet, COMPRESSION zstd"),
            ("csv", "FORMAT csv, HEADER"),
        ):
            target = directory / f"{table.name}.{extension}"
            conn.execute(f"COPY ({query}) TO {_sql_string(target)} ({options})")
            resources.append(
                {"name": table.name, "path": f"exports/{target.name}", "format": extension, "rows": rows}
            )
        described = conn.execute(f"DESCRIBE {query}").fetchall()
        types[table.name] = {name: FRICTIONLESS_TYPES.get(kind, "string") for name, kind, *_ in described}
    return resources, types


def _manifest(
    directory: Path, resources: list[dict], as_of: datetime, data_as_of: str | None, mode: str
) -> dict:
    rows = {(r["path"]): r["rows"] for r in resources}
    files = []
    for path in sorted(p for p in directory.rglob("*") if p.is_file()):
        relative = path.relative_to(directory).as_posix()
        files.append(
            {
                "path": relative,
                "bytes": path.stat().st_size,
                "sha256": _sha256(path),
                **({"rows": rows[relative]} if relative in rows else {}),
            }
        )
    return {"published_at": as_of.isoformat(), "data_as_of": data_as_of, "mode": mode, "files": files}


def _switch(root: Path, release: Path) -> None:
    """Point the stable names at the new release: hard-link the database, re-point `current`."""
    temp_db = root / ".transparency.duckdb.new"
    temp_db.unlink(missing_ok=True)
    os.link(release / "transparency.duckdb", temp_db)
    os.replace(temp_db, root / "transparency.duckdb")
    temp_link = root / ".current.new"
    temp_link.unlink(missing_ok=True)
    temp_link.symlink_to(Path("releases") / release.name, target_is_directory=True)
    os.replace(temp_link, root / "current")


def previous_row_counts(root: Path) -> dict[str, int] | None:
    """Rows per public table in the current publication (from its manifest); None before the first one."""
    manifest = root / "current" / "manifest.json"
    if not manifest.is_file():
        return None
    files = json.loads(manifest.read_text(encoding="utf-8"))["files"]
    return {Path(f["path"]).stem: f["rows"] for f in files if f["path"].endswith(".parquet")}


def _prune(root: Path, keep: int) -> list[Path]:
    current = (root / "current").resolve()
    releases = sorted(p for p in (root / "releases").iterdir() if p.is_dir() and not p.name.startswith("."))
    removed = [p for p in releases[:-keep] if p.resolve() != current] if keep > 0 else []
    for path in removed:
        shutil.rmtree(path)
    return removed


def release_inputs(conn: duckdb.DuckDBPyConnection, mode: str) -> str | None:
    """Fingerprint of what a release would hold: every public table but `changes` (derived from them and
    from `history`, which only publishing writes), what the web page reads, the code and the mode."""
    texts = [sql_text("web_findings"), sql_text("entity_states")] + [
        f'SELECT * FROM main."{t.name}"' for t in dictionary.public_tables() if t.name != "changes"
    ]
    code = [p for p in PUBLISH_DIR.rglob("*") if p.is_file() and "__pycache__" not in p.parts]
    code += [SQL_DIR / f"{name}.sql" for name in PUBLISH_SQL]
    return inputs_fingerprint(conn, texts, extra={"code": files_fingerprint(code), "mode": mode})


def kept_release(conn: duckdb.DuckDBPyConnection, root: Path, inputs: str | None) -> Release | None:
    """The current release, if it was built from `inputs` and is still in place at the stable paths."""
    ensure_table(conn, "publication_inputs")
    if inputs is None:
        return None
    row = conn.execute(
        "SELECT release_dir FROM publication_inputs WHERE fingerprint = ?", [inputs]
    ).fetchone()
    if not row:
        return None
    release, current, database = Path(row[0]), root / "current", root / "transparency.duckdb"
    manifest = release / "manifest.json"
    if not (
        current.is_dir()
        and current.resolve() == release.resolve()
        and manifest.is_file()
        and database.is_file()
        and os.path.samefile(database, release / "transparency.duckdb")
    ):
        return None
    changes = conn.execute(
        "SELECT changes FROM publications WHERE release_dir = ? ORDER BY published_at DESC LIMIT 1",
        [str(release)],
    ).fetchone()
    return Release(
        release, database, json.loads(manifest.read_text(encoding="utf-8")), changes[0] if changes else 0
    )


def publish(
    conn: duckdb.DuckDBPyConnection,
    root: Path,
    as_of: datetime,
    mode: str,
    keep: int = 7,
    *,
    inputs: str | None,
) -> Release:
    """Build a release from the warehouse models, switch to it, record it with `inputs` (`release_inputs`,
    computed by the caller that already needed it to decide whether to publish); the history is updated last,
    so a failed publication leaves both the previous release and the history as they were."""
    releases = root / "releases"
    releases.mkdir(parents=True, exist_ok=True)
    for stale in releases.glob(".*.partial"):  # left by a publication that was killed mid-way
        shutil.rmtree(stale, ignore_errors=True)
    stamp = as_of.strftime("%Y%m%dT%H%M%S%fZ")
    partial = releases / f".{stamp}.partial"
    final = releases / stamp
    partial.mkdir()
    try:
        changes = compute_changes(conn, as_of)
        _snapshot(conn, partial / "transparency.duckdb")
        resources, types = _exports(conn, partial / "exports")
        title = "Transparencia de candidaturas y congresistas del Perú"
        (partial / "datapackage.json").write_text(
            dictionary.datapackage(resources, types, title), encoding="utf-8"
        )
        (partial / "DICTIONARY.md").write_text(dictionary.markdown(), encoding="utf-8")
        write_webpage(conn, partial / "web", as_of, mode)
        fetched = conn.execute("SELECT max(fetched_at) FROM raw_responses").fetchone()[0]
        manifest = _manifest(partial, resources, as_of, fetched.isoformat() if fetched else None, mode)
        (partial / "manifest.json").write_text(
            json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8"
        )
        os.rename(partial, final)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    _switch(root, final)
    conn.execute(sql_text("publications"))
    ensure_table(conn, "publication_inputs")
    manifest_sha = _sha256(final / "manifest.json")
    with transaction(conn):  # recorded last: a crash before this publishes again next run
        conn.execute(sql_text("history_update"))
        conn.execute(
            "INSERT INTO publications VALUES (?, ?, ?, ?, ?)",
            [as_of, str(final), manifest_sha, len(dictionary.public_tables()), changes],
        )
        conn.execute("DELETE FROM publication_inputs")
        if inputs:
            conn.execute("INSERT INTO publication_inputs VALUES (?, ?, ?)", [str(final), inputs, as_of])
    _prune(root, keep)
    return Release(final, root / "transparency.duckdb", manifest, changes)
