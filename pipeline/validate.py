"""Split a staged DataFrame into rows that pass its pandera schema and quarantine rows saying why.

Validation is lazy (every failure reported, not the first). A failure pandera cannot pin to a row (a check
that errors on a column holding an uncoercible value) is resolved by validating again without the rows
already known to be bad; a failure that survives that is a schema problem of the whole batch and raises.
Numbers with a fraction in integer columns are found before pandera runs, and integers sent as digits are
read as integers there (see `_fractions`).
"""

from __future__ import annotations

import json
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import numpy as np
import pandas as pd
import pandera.pandas as pa
import pyarrow

QUARANTINE_COLUMNS = [
    "table_name",
    "process_code",
    "check_name",
    "column_name",
    "failure_value",
    "source_url",
    "archive_sha256",
    "record",
    "quarantined_at",
]
INTEGER_CHECK = "integer"
# Characters of one value a quarantine row keeps: enough to see why it failed. The archived bytes (source_url,
# archive_sha256) hold the rest, so a megabyte value is not copied into the warehouse again.
QUARANTINE_VALUE_CHARS = 2_000


@dataclass
class ValidationOutcome:
    valid: pd.DataFrame
    quarantine: pd.DataFrame


def _shown(value: Any) -> str:
    """A value as a quarantine row shows it: whole, or its first QUARANTINE_VALUE_CHARS and its length."""
    text = str(value)
    if len(text) <= QUARANTINE_VALUE_CHARS:
        return text
    return f"{text[:QUARANTINE_VALUE_CHARS]}... ({len(text)} characters)"


def _record_json(row: pd.Series) -> str:
    return json.dumps({k: (None if pd.isna(v) else _shown(v)) for k, v in row.items()}, ensure_ascii=False)


def quarantine_rows(
    table: str, rows: pd.DataFrame, check: str, column: str | None, values: list[Any] | None = None
) -> pd.DataFrame:
    """Quarantine rows for one reason (also used for whole responses that could not be parsed)."""
    now = datetime.now(UTC)
    out = []
    for i, (_, row) in enumerate(rows.iterrows()):
        value = values[i] if values is not None else (row.get(column) if column else None)
        out.append(
            {
                "table_name": table,
                "process_code": row.get("process_code"),
                "check_name": check,
                "column_name": column,
                "failure_value": None
                if value is None or (not isinstance(value, str) and pd.isna(value))
                else _shown(value),
                "source_url": row.get("source_url"),
                "archive_sha256": row.get("archive_sha256"),
                "record": _record_json(row),
                "quarantined_at": now,
            }
        )
    return pd.DataFrame(out, columns=QUARANTINE_COLUMNS)


def split_valid(
    df: pd.DataFrame, schema: pa.DataFrameSchema, table: str, max_passes: int = 3
) -> ValidationOutcome:
    """Validate lazily: the valid rows (coerced to the schema's types), and a quarantine row per failure."""
    shown, quarantined = _fractions(_as_text(df.reset_index(drop=True), schema), schema, table)
    remaining = _as_decimals(shown, schema)  # `shown` keeps the amounts as sent, for quarantine rows
    for _ in range(max_passes):
        try:
            valid = validate(schema, remaining)
        except pa.errors.SchemaErrors as exc:
            cases = exc.failure_cases
            pinned = cases[cases["index"].notna()]
            if pinned.empty:
                raise ValueError(
                    f"{table}: validation failed for the whole batch, not for particular rows: "
                    + "; ".join(sorted(set(cases["check"].astype(str))))
                ) from exc
            for _, case in pinned.iterrows():
                row = shown.loc[[int(case["index"])]]
                quarantined.append(
                    quarantine_rows(table, row, str(case["check"]), case["column"], [case["failure_case"]])
                )
            bad = sorted({int(i) for i in pinned["index"]})
            remaining = remaining.drop(index=bad).reset_index(drop=True)
            shown = shown.drop(index=bad).reset_index(drop=True)
            continue
        return ValidationOutcome(valid=valid, quarantine=_concat(quarantined))
    raise ValueError(f"{table}: validation did not settle after {max_passes} passes")


# A frame of at least this many rows is validated as two sets of its columns at once, on two threads: pandera
# checks text with pyarrow's compute functions, which release the GIL. stg_candidates, whole against halves:
# 0.16-0.21 s against 0.12-0.15 s at 150,000 rows, 76 against 56 ms at 50,000, 39 ms either way at 20,000,
# 31 against 36 ms at 10,000 (the second thread costs more than it saves).
SPLIT_MIN_ROWS = 20_000


def validate(schema: pa.DataFrameSchema, df: pd.DataFrame) -> pd.DataFrame:
    """What `schema.validate(df, lazy=True)` returns or raises. A large frame is validated as two sets of
    columns on two threads when the schema checks each column on its own (`_halves`); if either set fails,
    the whole frame is validated again, so a failure is reported exactly as pandera reports it."""
    halves = _halves(schema) if len(df) >= SPLIT_MIN_ROWS else None
    if halves is None:
        return schema.validate(df, lazy=True)
    first, second = halves
    theirs = [name for name in df.columns if name in second.columns]
    mine = [name for name in df.columns if name not in second.columns]
    try:
        with ThreadPoolExecutor(1, thread_name_prefix="validate") as pool:
            other = pool.submit(second.validate, df[theirs], lazy=True)
            valid = [first.validate(df[mine], lazy=True), other.result()]
    except Exception:  # noqa: BLE001 - the whole frame's validation says what is wrong, as it always did
        return schema.validate(df, lazy=True)
    return pd.concat(valid, axis=1)[list(df.columns)]


def _halves(schema: pa.DataFrameSchema) -> tuple[pa.DataFrameSchema, pa.DataFrameSchema] | None:
    """Two schemas that together check what `schema` checks, when each of its checks reads one column: the
    first has the columns of its `unique` rule and about half the others, the second the rest. None for a
    schema that checks the frame as a whole (its own checks, parsers, index, strict or ordered columns,
    columns named by pattern, checks grouped by another column) or has fewer than two columns."""
    columns = schema.columns
    whole = (
        schema.checks
        or schema.parsers
        or schema.index is not None
        or schema.strict
        or schema.ordered
        or schema.add_missing_columns
        or schema.drop_invalid_rows
        or any(c.regex or c.parsers or any(check.groupby for check in c.checks) for c in columns.values())
    )
    unique = list(schema.unique or [])
    rest = [name for name in columns if name not in unique]
    second = rest[1::2] if len(unique) < len(columns) / 2 else rest
    if whole or not second or len(second) == len(columns):
        return None
    second_half = schema.select_columns(second)  # a copy: about 2 ms a call, so not worth keeping
    second_half.unique = None
    return schema.remove_columns(second), second_half


def _as_text(df: pd.DataFrame, schema: pa.DataFrameSchema) -> pd.DataFrame:
    """Text columns of Python strings (as parsers give them) in the schema's Arrow string type, made by Arrow
    in one pass: pandera's coercion converts and checks each value in Python (stg_candidates at 150,000 rows:
    0.43-0.59 s validated, 0.35-0.39 s typed first). A column holding anything but text and nulls is left
    to pandera, which coerces or quarantines it as before."""
    for name, column in schema.columns.items():
        if name not in df or df[name].dtype != object or not isinstance(column.dtype.type, pd.StringDtype):
            continue
        if column.dtype.type.storage != "pyarrow" or pd.api.types.infer_dtype(df[name]) not in _TEXT:
            continue  # infer_dtype: every value a str (Arrow would also take bytes), told in C
        try:
            text = pyarrow.array(df[name].to_numpy(), pyarrow.string(), from_pandas=True)
        except UnicodeEncodeError:  # a lone surrogate: pandera's to judge
            continue
        df[name] = pd.Series(pd.arrays.ArrowStringArray(text), index=df.index, name=name)
    return df


_TEXT = ("string", "empty")


def _as_decimals(df: pd.DataFrame, schema: pa.DataFrameSchema) -> pd.DataFrame:
    """`df` with its amounts (object columns for an Arrow decimal column) already in that type, converted by
    the coercion pandera would run (`astype`) but once per distinct object: readers share one object per
    distinct amount, and pandera's coercion converted the million amounts of 150,000 hojas de vida value by
    value (about 0.15 s). Objects, not values, are told apart, so each value is converted exactly as it would
    have been (1.5 and 1.50, or 1 and True, are not merged). A column the coercion refuses is left to
    pandera, which quarantines the values as sent."""
    typed = {}
    for name, column in schema.columns.items():
        kind = column.dtype.type if column.dtype is not None else None
        if name not in df or df[name].dtype != object or not len(df) or not isinstance(kind, pd.ArrowDtype):
            continue
        if not pyarrow.types.is_decimal(kind.pyarrow_dtype):
            continue
        values = df[name].to_numpy()
        codes, _ = pd.factorize(np.fromiter(map(id, values), dtype=np.int64, count=len(values)))
        first = np.empty(codes.max() + 1, dtype=np.int64)  # where each distinct object is first
        first[codes[::-1]] = np.arange(len(codes) - 1, -1, -1)
        try:
            distinct = pd.Series(values[first], dtype=object).astype(kind)
        except Exception:  # noqa: BLE001 - pandera's own coercion meets the same value and reports it
            continue
        exact = pyarrow.array(distinct).take(pyarrow.array(codes))
        typed[name] = pd.Series(pd.arrays.ArrowExtensionArray(exact), index=df.index, name=name)
    return df.assign(**typed) if typed else df


def _fractions(
    df: pd.DataFrame, schema: pa.DataFrameSchema, table: str
) -> tuple[pd.DataFrame, list[pd.DataFrame]]:
    """Set aside rows with a number with a fraction (1.5) in an integer column: one quarantine row per value.

    pandas casts a column to an integer type all at once and refuses the whole column for one 1.5, so pandera
    reports that failure for the batch, with no row to pin it to: such values are found here, first. For the
    same reason, digits sent as text ("2025") in an integer column are read as the integers they are."""
    quarantined: list[pd.DataFrame] = []
    bad = np.zeros(len(df), dtype=bool)
    for name, column in schema.columns.items():
        if name not in df or column.dtype is None or not pd.api.types.is_integer_dtype(column.dtype.type):
            continue
        if df[name].dtype == object and pd.api.types.infer_dtype(df[name]) not in ("integer", "empty"):
            # Integers sent as digits ("2025") next to integers sent as numbers: pandas casts neither
            # kind in a mixed column, and pandera fails the batch with no row to blame. Kept as objects:
            # an inferred float column would round ids above 2**53. (A column of integers alone, as most
            # are, has nothing to read: infer_dtype tells in C, without a Python call per value.)
            df[name] = pd.Series([_digits_as_int(v) for v in df[name]], index=df.index, dtype=object)
        numbers = pd.to_numeric(df[name], errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
        fractional = np.isfinite(numbers) & (numbers != np.floor(numbers))
        if fractional.any():
            quarantined.append(quarantine_rows(table, df[fractional], INTEGER_CHECK, name))
            bad |= fractional
    return df[~bad].reset_index(drop=True), quarantined


def _digits_as_int(value: Any) -> Any:
    return int(value) if type(value) is str and _DIGITS.fullmatch(value) else value


# Digits Python turns into an int: past its limit (4,300 digits) int() raises, so longer digits stay text,
# which no integer column takes (quarantined like any text there).
_DIGITS = re.compile(r"-?[0-9]{1,4300}")


def _concat(frames: list[pd.DataFrame]) -> pd.DataFrame:
    frames = [f for f in frames if not f.empty]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=QUARANTINE_COLUMNS)
