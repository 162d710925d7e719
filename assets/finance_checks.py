"""Blocking asset checks on the finance staged tables: each re-validated against its pandera schema, per
process, in front of the finance models (the same contract as assets/checks.py).

The table is read back through Arrow so DECIMAL columns come back as exact decimals; DuckDB's plain pandas
conversion turns them into floats, which the money columns would (rightly) refuse.
"""

import dagster as dg
import duckdb as ddb
import pandas as pd
import pandera.pandas as pa
import pyarrow

from assets.finance import FINANCE_SCHEMAS
from pipeline.resources import WarehouseResource
from pipeline.warehouse import ensure_table


def read_exact(conn: ddb.DuckDBPyConnection, table: str) -> pd.DataFrame:
    """A table as pandas with its DECIMAL columns kept as Arrow decimals (Python Decimal values)."""
    arrow = conn.sql(f'SELECT * FROM "{table}"').to_arrow_table()
    return arrow.to_pandas(types_mapper=lambda t: pd.ArrowDtype(t) if pyarrow.types.is_decimal(t) else None)


def _finance_check(table: str) -> dg.AssetChecksDefinition:
    @dg.asset_check(
        asset=table,
        name=f"{table}_matches_schema",
        blocking=True,
        description=f"All rows of {table} pass its pandera schema for their process.",
    )
    def _check(duckdb: WarehouseResource) -> dg.AssetCheckResult:
        with duckdb.get_connection() as conn:
            ensure_table(conn, table)
            ensure_table(conn, "quarantine")
            frame = read_exact(conn, table)
            quarantined = conn.execute(
                "SELECT count(*) FROM quarantine WHERE table_name = ?", [table]
            ).fetchone()[0]
        failures = []
        for process_code, rows in frame.groupby("process_code"):
            try:
                FINANCE_SCHEMAS[table](str(process_code)).validate(rows, lazy=True)
            except pa.errors.SchemaErrors as exc:
                failures.append(exc.failure_cases)
        meta = {"rows": len(frame), "quarantined_at_load": int(quarantined)}
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


finance_checks = [_finance_check(table) for table in FINANCE_SCHEMAS]
