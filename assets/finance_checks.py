"""Blocking asset checks on the finance staged tables: each re-validated against its pandera schema, per
process, in front of the finance models (the same contract as assets/checks.py).

The table is read back through Arrow so DECIMAL columns come back as exact decimals; DuckDB's plain pandas
conversion turns them into floats, which the money columns would (rightly) refuse.
"""

import duckdb as ddb
import pandas as pd
import pyarrow

from assets.checks import SchemaCheck, Validator, validate_with
from assets.finance import FINANCE_SCHEMAS


def read_exact(conn: ddb.DuckDBPyConnection, table: str) -> pd.DataFrame:
    """A table as pandas with its DECIMAL columns kept as Arrow decimals (Python Decimal values)."""
    arrow = conn.sql(f'SELECT * FROM "{table}"').to_arrow_table()
    return arrow.to_pandas(types_mapper=lambda t: pd.ArrowDtype(t) if pyarrow.types.is_decimal(t) else None)


def _validate_per_process(table: str) -> Validator:
    """Each process's rows against the table's schema for that process (`checks.validate_with`)."""

    def failures(frame: pd.DataFrame) -> list[pd.DataFrame]:
        return [
            cases
            for process_code, rows in frame.groupby("process_code")
            for cases in validate_with(FINANCE_SCHEMAS[table](str(process_code)))(rows)
        ]

    return failures


FINANCE_CHECKS = [
    SchemaCheck(
        table,
        _validate_per_process(table),
        read=read_exact,
        description=f"All rows of {table} pass its pandera schema for their process.",
    )
    for table in FINANCE_SCHEMAS
]
