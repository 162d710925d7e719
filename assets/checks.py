"""Asset checks: every staged table re-validated against its pandera schema, blocking the models behind it.

Invalid rows were already quarantined at load, so a failure here means the table itself is wrong (a loader
bug, or rows left by an older version): the models must not be built from it. The metadata carries the
failure counts and samples, plus how many rows the table sent to quarantine.

A result is reused while the table's content, the schemas and checking code, and the day are the same
(issue 6): a failure as much as a pass, so a failing table keeps failing until it or its schema changes.
"""

from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

import dagster as dg
import duckdb as ddb
import pandas as pd
import pandera.pandas as pa
import pyarrow

from assets.partitions import DUCKDB_POOL
from assets.staged import SCHEMAS
from pipeline.incremental import parser_fingerprint
from pipeline.memo import check_key, files_fingerprint, store_check, stored_check
from pipeline.resources import WarehouseResource
from pipeline.validate import validate
from pipeline.warehouse import ensure_table, thread_cursors, transaction

Reader = Callable[[ddb.DuckDBPyConnection, str], pd.DataFrame]
# Validates a whole table; returns pandera's failure cases, one frame per failed validation.
Validator = Callable[[pd.DataFrame], list[pd.DataFrame]]
# Where the schemas and the checking code live, besides what parser_fingerprint() covers.
CHECK_CODE = [
    Path(__file__).parent / name for name in ("checks.py", "finance_checks.py", "staged.py", "finance.py")
]


def _read_pandas(conn: ddb.DuckDBPyConnection, table: str) -> pd.DataFrame:
    """The frame DuckDB's fetchdf() gives, read in one scan through Arrow. Text columns holding a value are
    converted by Arrow, into the Arrow string type the schemas coerce text to (without a Python object per
    value, and with nothing left for the coercion to convert: stg_candidates at 150,000 rows read and checked
    in 0.19 s instead of 0.27 s); the others by DuckDB, whose dtypes depend on the values (an all-null text
    column is `object`, a boolean with nulls `boolean`)."""
    arrow = conn.sql(f'SELECT * FROM "{table}"').to_arrow_table()
    text = [
        field.name
        for field in arrow.schema
        if (pyarrow.types.is_string(field.type) or pyarrow.types.is_large_string(field.type))
        and arrow[field.name].null_count < arrow.num_rows
    ]
    rest = [name for name in arrow.column_names if name not in text]
    parts = [arrow.select(text).to_pandas(types_mapper=_ARROW_TEXT.get)] if text else []
    if rest:
        parts.append(conn.from_arrow(arrow.select(rest)).fetchdf())
    return pd.concat(parts, axis=1)[arrow.column_names]


_ARROW_TEXT = {kind: pd.StringDtype("pyarrow") for kind in (pyarrow.string(), pyarrow.large_string())}


def validate_with(schema: pa.DataFrameSchema) -> Validator:
    """A frame's failures against `schema`: pandera's failure cases, or none."""

    def failures(frame: pd.DataFrame) -> list[pd.DataFrame]:
        try:
            validate(schema, frame)
        except pa.errors.SchemaErrors as exc:
            return [exc.failure_cases]
        return []

    return failures


def _checking_version() -> str:
    return f"{parser_fingerprint()} {files_fingerprint(CHECK_CODE)} {version('pandera')} {version('pandas')}"


@dataclass(frozen=True)
class SchemaCheck:
    """A blocking check that `table`, as loaded, passes its schema (`validate`); metadata: rows, quarantine,
    failures."""

    table: str
    validate: Validator
    read: Reader = _read_pandas
    description: str | None = None

    @property
    def key(self) -> dg.AssetCheckKey:
        return dg.AssetCheckKey(dg.AssetKey(self.table), f"{self.table}_matches_schema")

    def spec(self) -> dg.AssetCheckSpec:
        return dg.AssetCheckSpec(
            self.key.name,
            asset=self.table,
            blocking=True,
            description=self.description or f"All rows of {self.table} pass its pandera schema.",
        )

    def run(self, conn: ddb.DuckDBPyConnection) -> dg.AssetCheckResult:
        name, table = self.key.name, self.table
        ensure_table(conn, table)
        ensure_table(conn, "quarantine")
        quarantined = conn.execute(
            "SELECT count(*) FROM quarantine WHERE table_name = ?", [table]
        ).fetchone()[0]
        with transaction(conn):  # the key hashes the very rows that are read
            key = check_key(conn, name, table, _checking_version())
            stored = stored_check(conn, name, key)
            frame = None if stored else self.read(conn, table)
        if stored:  # quarantine rows are not part of the table: counted fresh
            return self._result(
                stored.passed,
                {**stored.metadata, "quarantined_at_load": int(quarantined)},
                reused_from=stored.checked_at.isoformat(),
            )
        meta = {"rows": len(frame)}
        failures = self.validate(frame)
        if failures:
            cases = pd.concat(failures, ignore_index=True)
            meta |= {"failures": len(cases), "failure_sample": cases.head(10).to_markdown(index=False)}
        store_check(conn, name, key, not failures, meta)
        return self._result(not failures, {**meta, "quarantined_at_load": int(quarantined)})

    def _result(self, passed: bool, metadata: dict, reused_from: str | None = None) -> dg.AssetCheckResult:
        """Stored metadata is plain JSON; the failure sample is shown as markdown."""
        if "failure_sample" in metadata:
            metadata = {**metadata, "failure_sample": dg.MetadataValue.md(metadata["failure_sample"])}
        if reused_from:
            metadata = {**metadata, "reused_from": reused_from}
        return dg.AssetCheckResult(
            asset_key=self.key.asset_key, check_name=self.key.name, passed=passed, metadata=metadata
        )


def schema_checks_step(name: str, checks: Sequence[SchemaCheck]) -> dg.AssetChecksDefinition:
    """Several schema checks as one step on one connection: a step of its own per check cost about 40 ms
    each in opening and closing the warehouse. Each check is still its own blocking check, shown and
    run (can_subset) on its own in the UI."""
    by_key = {check.key: check for check in checks}

    @dg.multi_asset_check(
        specs=[check.spec() for check in checks], name=name, can_subset=True, pool=DUCKDB_POOL
    )
    def _checks(
        context: dg.AssetCheckExecutionContext, duckdb: WarehouseResource
    ) -> Iterator[dg.AssetCheckResult]:
        selected = [check for key, check in by_key.items() if key in context.selected_asset_check_keys]
        with duckdb.get_connection() as conn:
            # Created here, before the threads: two creating one table at once would conflict.
            for table in ("quarantine", "check_results", *(check.table for check in selected)):
                ensure_table(conn, table)
            yield from _side_by_side(conn, selected)

    return _checks


# Checks run at once, each on a cursor of its own: DuckDB reads a table and Arrow checks its text without
# the GIL, so one check's reading overlaps another's pandera (the ten staged checks at 150,000 rows: about
# 0.1 s less than one after another).
CHECK_THREADS = 2


def _side_by_side(
    conn: ddb.DuckDBPyConnection, checks: Sequence[SchemaCheck]
) -> Iterator[dg.AssetCheckResult]:
    """Each check's result, in the order of `checks`, CHECK_THREADS checks running at a time."""
    with (
        thread_cursors(conn) as cursor,
        ThreadPoolExecutor(CHECK_THREADS, thread_name_prefix="schema-check") as pool,
    ):
        yield from pool.map(lambda check: check.run(cursor()), checks)


SCHEMA_CHECKS = [SchemaCheck(table, validate_with(schema)) for table, schema in SCHEMAS.items()]
