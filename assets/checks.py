"""Asset checks: every staged table re-validated against its pandera schema, blocking the models behind it.

Invalid rows were already quarantined at load, so a failure here means the table itself is wrong (a loader
bug, or rows left by an older version): the models must not be built from it. The metadata carries the
failure counts and samples, plus how many rows the table sent to quarantine.
"""

from collections.abc import Callable

import dagster as dg
import duckdb as ddb
import pandas as pd
import pandera.pandas as pa

from assets.staged import SCHEMAS
from pipeline.resources import WarehouseResource
from pipeline.warehouse import ensure_table

Reader = Callable[[ddb.DuckDBPyConnection, str], pd.DataFrame]
# Validates a whole table; returns pandera's failure cases, one frame per failed validation.
Validator = Callable[[pd.DataFrame], list[pd.DataFrame]]


def _read_pandas(conn: ddb.DuckDBPyConnection, table: str) -> pd.DataFrame:
    return conn.execute(f'SELECT * FROM "{table}"').fetchdf()


def _validate_with(schema: pa.DataFrameSchema) -> Validator:
    def validate(frame: pd.DataFrame) -> list[pd.DataFrame]:
        try:
            schema.validate(frame, lazy=True)
        except pa.errors.SchemaErrors as exc:
            return [exc.failure_cases]
        return []

    return validate


def schema_check(
    table: str, validate: Validator, read: Reader = _read_pandas, description: str | None = None
) -> dg.AssetChecksDefinition:
    """A blocking check that `table`, as loaded, passes its schema; metadata: rows, quarantine, failures."""

    @dg.asset_check(
        asset=table,
        name=f"{table}_matches_schema",
        blocking=True,
        description=description or f"All rows of {table} pass its pandera schema.",
    )
    def _check(duckdb: WarehouseResource) -> dg.AssetCheckResult:
        with duckdb.get_connection() as conn:
            ensure_table(conn, table)
            ensure_table(conn, "quarantine")
            frame = read(conn, table)
            quarantined = conn.execute(
                "SELECT count(*) FROM quarantine WHERE table_name = ?", [table]
            ).fetchone()[0]
        meta = {"rows": len(frame), "quarantined_at_load": int(quarantined)}
        failures = validate(frame)
        if failures:
            cases = pd.concat(failures, ignore_index=True)
            return dg.AssetCheckResult(
                passed=False,
                metadata={
                    **meta,
                    "failures": len(cases),
                    "failure_sample": dg.MetadataValue.md(cases.head(10).to_markdown(index=False)),
                },
            )
        return dg.AssetCheckResult(passed=True, metadata=meta)

    return _check


schema_checks = [schema_check(table, _validate_with(schema)) for table, schema in SCHEMAS.items()]
