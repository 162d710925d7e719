"""Input fingerprints, and the record of what each model was last built from (issue 6).

A rerun may keep a model, a check result or a publication only when it can prove that its inputs are the
ones it was made from: the SQL or code that makes it and the content of every table it reads. Content is
hashed inside DuckDB (order-independent, duplicate rows counted, schema included), so a table rewritten
with the same rows fingerprints the same, and any changed value does not. Anything not proven equal is
rebuilt.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb

from pipeline.warehouse import ensure_table, transaction

# Bump to invalidate every stored fingerprint (e.g. when the way content is hashed changes).
FINGERPRINT_VERSION = "1"
# The query of `CREATE ... TABLE|VIEW name AS <query>`, and the body of `CREATE ... MACRO name(args) AS ...`.
_CREATE_AS = re.compile(
    r"CREATE\s+(?:OR\s+REPLACE\s+)?(?:TEMP(?:ORARY)?\s+)?(?:TABLE|VIEW)\s+(?:IF\s+NOT\s+EXISTS\s+)?"
    r"[\w.\"]+\s+AS\s+(?P<query>.*)",
    re.IGNORECASE | re.DOTALL,
)
_MACRO = re.compile(
    r"CREATE\s+(?:OR\s+REPLACE\s+)?(?:TEMP(?:ORARY)?\s+)?MACRO\s+[\w.\"]+\s*\([^)]*\)\s+AS\s+"
    r"(?P<table>TABLE\s+)?(?P<body>.*)",
    re.IGNORECASE | re.DOTALL,
)
# What comes before a statement: `_parse_statement` skips it before matching the patterns above (DuckDB 2.0.1
# keeps these comments in the text `extract_statements` gives; 2.0.0 began it at the statement itself).
_LEADING_COMMENTS = re.compile(r"(?:\s+|--[^\n]*|/\*.*?\*/)*", re.DOTALL)
# Table functions that read nothing outside the query; any other (read_csv, a file...) cannot be proven
# unchanged, so a statement using one is always rebuilt.
_PURE_TABLE_FUNCTIONS = {"range", "generate_series", "unnest"}


def _sha256(value: object) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, default=str).encode()).hexdigest()


def quoted(name: str) -> str:
    """A plain table name as a SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


def table_fingerprint(conn: duckdb.DuckDBPyConnection, table: str) -> str:
    """Column names and types, row count and two sums of row hashes of `table`, an existing table or view
    (its output) as a SQL reference. A sum, unlike bit_xor, does not cancel duplicate rows; the second sum
    re-hashes each row hash so that no two multisets of rows meet by arithmetic accident."""
    columns = conn.execute(f"DESCRIBE SELECT * FROM {table}").fetchall()
    count, first, second = conn.execute(
        "SELECT count(*), sum(h::HUGEINT), sum(hash(h)::HUGEINT) "
        f"FROM (SELECT hash(t) AS h FROM {table} AS t)"
    ).fetchone()
    return _sha256([[name, kind] for name, kind, *_ in columns] + [count, str(first), str(second)])


@dataclass
class _Parsed:
    tables: set[tuple[str, ...]]  # (catalog, schema, name) as written, empty parts left out
    ctes: set[str]
    impure: bool = False  # calls a table function that may read a file
    words: set[str] | None = None  # all its words, when the parser cannot serialize it (DDL without a query)


def _walk(node: object, into: _Parsed) -> _Parsed:
    if isinstance(node, list):
        for child in node:
            _walk(child, into)
    elif isinstance(node, dict):
        if node.get("type") == "BASE_TABLE":
            parts = (node.get("catalog_name"), node.get("schema_name"), node["table_name"])
            into.tables.add(tuple(part for part in parts if part))
        elif node.get("type") == "TABLE_FUNCTION":
            function = node.get("function", {}).get("function_name", "")
            into.impure |= function.lower() not in _PURE_TABLE_FUNCTIONS
        for entry in node.get("cte_map", {}).get("map", []):
            into.ctes.add(entry["key"].lower())
        for child in node.values():
            _walk(child, into)
    return into


def _catalog(conn: duckdb.DuckDBPyConnection) -> set[tuple[str, ...]]:
    """Every table and view as the names a query may use: name alone in the current schema, schema.name,
    and catalog.schema.name (lower case)."""
    rows = conn.execute(
        "SELECT database_name, schema_name, table_name FROM duckdb_tables() "
        "UNION ALL SELECT database_name, schema_name, view_name FROM duckdb_views() WHERE NOT internal"
    ).fetchall()
    database, schema = conn.execute("SELECT current_database(), current_schema()").fetchone()
    names: set[tuple[str, ...]] = set()
    for catalog, space, name in rows:
        names |= {(catalog.lower(), space.lower(), name.lower()), (space.lower(), name.lower())}
        if (catalog, space) == (database, schema):
            names.add((name.lower(),))
    return names


def _ref(parts: tuple[str, ...]) -> str:
    return ".".join(quoted(part) for part in parts)


# What the statements of each SQL text name, by text. Kept for the process: parsing does not look at the
# catalog, and every model step would otherwise parse the shared macros again (about 10 ms a time).
_PARSED: dict[str, tuple[_Parsed, ...]] = {}


def _parse(conn: duckdb.DuckDBPyConnection, sql: str) -> tuple[_Parsed, ...]:
    """What each statement of `sql` names, from DuckDB's parser alone; the catalog is not consulted."""
    if sql not in _PARSED:
        _PARSED[sql] = tuple(_parse_statement(conn, s.query) for s in conn.extract_statements(sql))
    return _PARSED[sql]


def _parse_statement(conn: duckdb.DuckDBPyConnection, statement: str) -> _Parsed:
    """The parser reads queries: a CREATE ... AS is parsed by its query, a macro by its body."""
    statement = statement[_LEADING_COMMENTS.match(statement).end() :]
    create, macro = _CREATE_AS.match(statement), _MACRO.match(statement)
    if create:
        query = create["query"]
    elif macro:
        query = macro["body"] if macro["table"] else f"SELECT {macro['body']}"
    else:
        query = statement
    serialized = json.loads(conn.execute("SELECT json_serialize_sql(?)", [query]).fetchone()[0])
    if serialized["error"]:
        return _Parsed(set(), set(), words={word.lower() for word in re.findall(r"\w+", statement)})
    return _walk(serialized["statements"], _Parsed(set(), set()))


def tables_read(
    conn: duckdb.DuckDBPyConnection, sql: str, catalog: set[tuple[str, ...]] | None = None
) -> set[str] | None:
    """Tables and views the statements of `sql` read, as SQL references, from DuckDB's own parser; None
    when that cannot be told (a name that is neither a table, a view nor a CTE, such as a file, or a
    table function that may read one). A view counts as itself: its output covers its definition and
    inputs. What the parser cannot serialize (DDL without a query) counts every table and view it names.

    Not get_table_names(): DuckDB 2.0's name-extracting binder fails on USING joins over CTEs and
    subqueries, and it reports the tables under a view instead of the view. `catalog`: `_catalog(conn)`,
    when the caller keeps it."""
    catalog, names = catalog if catalog is not None else _catalog(conn), set()
    for parsed in _parse(conn, sql):
        if parsed.words is not None:
            names |= {_ref(key) for key in catalog if len(key) == 1 and key[0] in parsed.words}
            continue
        if parsed.impure:
            return None
        for parts in parsed.tables:
            key = tuple(part.lower() for part in parts)
            if key in catalog:
                names.add(_ref(parts))
            elif len(key) != 1 or key[0] not in parsed.ctes:
                return None
    return names


class TableFingerprints:
    """The catalog and the table fingerprints the models of one step read, each found once until something
    is built: the models of one step read the same inputs (stg_candidates, candidates...) over and over.
    Shared by the cursors of a step that builds models side by side (`pipeline.model_graph`), each reading
    through its own `reader`.

    Sound only while the step's models are the only writers (one step holds the warehouse, and DuckDB's file
    lock keeps other processes out) and `built` is told, once committed, of every object they write."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        # _CATALOG: the catalog; a table's SQL reference: its fingerprint
        self._found: dict[str, Any] = {}
        self._generation = 0  # objects built so far

    def reader(self, conn: duckdb.DuckDBPyConnection) -> FingerprintReader:
        """What `conn` reads through this cache, in a transaction it begins after this call."""
        with self._lock:
            return FingerprintReader(self, conn, self._generation)

    def built(self, conn: duckdb.DuckDBPyConnection, name: str) -> None:
        """`name` was written and committed: the catalog goes, with its fingerprint and every view's (a
        view's output follows its inputs)."""
        views = {row[0].lower() for row in conn.execute(_VIEWS).fetchall()}
        gone = views | {name.lower()}
        with self._lock:
            self._found = {
                key: value
                for key, value in self._found.items()
                if key != _CATALOG and _name_of(key) not in gone
            }
            self._generation += 1

    def found(self, key: str, generation: int, find: Callable[[], Any]) -> Any:
        """What `key` names, from the cache, or `find()` kept only while nothing was built since
        `generation` (a commit after a transaction's snapshot began is not in what it reads)."""
        with self._lock:
            if key in self._found and self._generation == generation:
                return self._found[key]
        value = find()
        with self._lock:
            if self._generation == generation:
                self._found[key] = value
        return value


_CATALOG = ""  # the catalog's key among the fingerprints (no SQL reference is empty)


@dataclass
class FingerprintReader:
    """One transaction's reads through a `TableFingerprints`: it takes what the cache holds, and adds what it
    finds itself only while nothing has been built since the reader was made."""

    cache: TableFingerprints
    conn: duckdb.DuckDBPyConnection
    generation: int

    @property
    def catalog(self) -> set[tuple[str, ...]]:
        return self.cache.found(_CATALOG, self.generation, lambda: _catalog(self.conn))

    def of(self, table: str) -> str:
        return self.cache.found(table, self.generation, lambda: table_fingerprint(self.conn, table))


_VIEWS = "SELECT view_name FROM duckdb_views() WHERE NOT internal"


def _name_of(ref: str) -> str:
    """The object's own name (lower case) in a reference `_ref` wrote."""
    return re.findall(r'"((?:[^"]|"")*)"', ref)[-1].replace('""', '"').lower()


def inputs_fingerprint(
    conn: duckdb.DuckDBPyConnection,
    texts: list[str],
    extra: object = None,
    known: FingerprintReader | None = None,
) -> str | None:
    """sha256 over `texts` (SQL), `extra` (e.g. code), and the content of every table and view they read;
    None when what they read cannot be told (always rebuild). `known`: fingerprints shared with other models
    of the step."""
    known = known if known is not None else TableFingerprints().reader(conn)
    read = [tables_read(conn, text, known.catalog) for text in texts]
    if None in read:
        return None
    return _sha256(
        {
            "version": FINGERPRINT_VERSION,
            "duckdb": duckdb.__version__,
            "texts": texts,
            "extra": extra,
            "tables": {table: known.of(table) for table in sorted(set().union(*read))},
        }
    )


def files_fingerprint(paths: list[Path]) -> str:
    """sha256 over the names and bytes of `paths` (code and configuration)."""
    digest = hashlib.sha256()
    for path in sorted(paths):
        digest.update(path.as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


@dataclass(frozen=True)
class Built:
    fingerprint: str
    built_at: datetime


def _last_built(conn: duckdb.DuckDBPyConnection, model: str) -> Built | None:
    """What `model` was last built from, if that was recorded and the object still exists."""
    row = conn.execute(
        "SELECT m.fingerprint, m.built_at FROM model_inputs m WHERE m.model = ? AND m.model IN ("
        "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() "
        "UNION ALL SELECT view_name FROM duckdb_views() WHERE database_name = current_database())",
        [model],
    ).fetchone()
    return Built(*row) if row else None


def build_unless_unchanged(
    conn: duckdb.DuckDBPyConnection,
    model: str,
    texts: list[str],
    build: Callable[[], object],
    fingerprints: TableFingerprints | None = None,
) -> Built | None:
    """Run `build` unless `model` exists and was last built from the same inputs (`texts` and what they
    read); returns the record it was kept by, or None when it was built now. Fingerprint, build and record
    share one transaction: the inputs hashed are the ones built from, and a crash leaves the previous
    object with its previous record, never a new record on an old object. `fingerprints`: what the step's
    models already hashed (several models in one step)."""
    ensure_table(conn, "model_inputs")
    known = fingerprints.reader(conn) if fingerprints is not None else None
    built = False
    try:
        with transaction(conn):
            fingerprint = inputs_fingerprint(conn, texts, known=known)
            last = _last_built(conn, model)
            if fingerprint and last and last.fingerprint == fingerprint:
                return last
            built = True
            build()
            conn.execute("DELETE FROM model_inputs WHERE model = ?", [model])
            if fingerprint:
                conn.execute(
                    "INSERT INTO model_inputs VALUES (?, ?, ?)", [model, fingerprint, datetime.now(UTC)]
                )
    finally:
        if built and fingerprints is not None:  # committed or rolled back: either way, hashed anew
            fingerprints.built(conn, model)
    return None


@dataclass(frozen=True)
class CheckResult:
    passed: bool
    metadata: dict
    checked_at: datetime


def check_key(conn: duckdb.DuckDBPyConnection, check: str, table: str, version: str) -> str:
    """What a check's result depends on: the table's content, `version` (schemas and checking code) and the
    day, in UTC and local time (a schema's date check compares with the local today when it runs)."""
    days = [datetime.now(UTC).date(), datetime.now().date()]
    return _sha256([FINGERPRINT_VERSION, check, table_fingerprint(conn, quoted(table)), version, days])


def stored_check(conn: duckdb.DuckDBPyConnection, check: str, key: str) -> CheckResult | None:
    ensure_table(conn, "check_results")
    row = conn.execute(
        "SELECT passed, metadata, checked_at FROM check_results WHERE check_name = ? AND key = ?",
        [check, key],
    ).fetchone()
    return CheckResult(row[0], json.loads(row[1]), row[2]) if row else None


def store_check(conn: duckdb.DuckDBPyConnection, check: str, key: str, passed: bool, metadata: dict) -> None:
    """Keep only the latest result of each check."""
    ensure_table(conn, "check_results")
    with transaction(conn):
        conn.execute("DELETE FROM check_results WHERE check_name = ?", [check])
        conn.execute(
            "INSERT INTO check_results VALUES (?, ?, ?, ?, ?)",
            [check, key, passed, json.dumps(metadata), datetime.now(UTC)],
        )
