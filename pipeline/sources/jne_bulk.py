"""Hojas de vida of the current JNE API read in bulk by DuckDB (issue 6): the rows `jne.section_row` gives,
for a whole batch of documents in a few SQL statements instead of one Python parse per document.

Only documents of the expected shape are read here: valid JSON objects with keys, every section a list of
objects without repeated keys, every field of the type its kind expects (`jne.Section`). Any other document
is returned as "odd" and goes through the per-document parser, so an odd document gets exactly the rows, the
values as sent and the quarantine reasons it always got. One difference is on purpose: DuckDB reads a document
nested deeper than Python's recursion limit, so such a document's sentences are read instead of quarantined.

Money is returned as the number's text and turned into Decimal here. DuckDB reads a JSON number as a double,
so a number is read here only when it has at most two decimals and is under 10^13 (at most 15 significant
digits, which a double holds exactly); any other makes the document odd and the per-document parser reads
it with `parse_float=Decimal`.
"""

from __future__ import annotations

import json
from codecs import BOM_UTF8
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol, runtime_checkable

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa

from pipeline.http.request import Fetched
from pipeline.sources.jne import VEHICLE, VEHICLE_PARTS, Section, vehicle_description

# The JSON types (as DuckDB's json_type names them; a missing field counts as NULL) a well-formed item holds
# in a text field, and in an amount besides the numbers `_field_ok` judges by value.
_TYPES = {"text": ("VARCHAR", "NULL"), "money": ("BIGINT", "UBIGINT", "NULL")}
_PLAIN_NUMBER = r"^-?[0-9]+(\.[0-9]+)?$"
_INTEGER = r"^-?[0-9]+$"
# What DuckDB's JSON reader accepts and Python's does not, or reads otherwise: a trailing comma, and nan or
# inf literals in any case (Python takes NaN and Infinity as floats). Such a document is odd; the same text
# inside a string only sends a document to the parser, which reads it as always.
_LAX = r",[ \t\n\r]*[\]}]|[:,\[][ \t\n\r]*-?(?i:nan|inf|infinity)[ \t\n\r]*[,\]}]"
_FLAG = r"^[A-Za-z0-9]*$"  # a yes/no answer as typed: no spaces or other letters to strip or case-fold
# One thread per batch (batches are read side by side: staging.BULK_READERS). DuckDB's allocator flushes what
# a thread holds when a bulk deallocation passes 8 MB instead of 512 MB: a reading thread then keeps about
# 70 MB instead of 150 MB after 20,000 documents, for about 8% more time.
_CONFIG = {"threads": 1, "allocator_bulk_deallocation_flush_threshold": "8MB"}


@dataclass
class BulkRows:
    """Rows of each section (in the order asked) of the documents read here; the odd documents' ordinals."""

    rows: list[pd.DataFrame]
    odd: set[int]


@dataclass(frozen=True)
class Documents:
    """A batch of hojas de vida as `read` takes them (`table`), and the response of any of them by ordinal:
    what the per-document parser reads of those `read` finds odd."""

    table: pa.Table
    response: Callable[[int], Fetched]


@runtime_checkable
class DocumentSource(Protocol):
    """Bodies that come as batches of documents themselves (`incremental.ArchivedBodies`: DuckDB reads them
    from the archive's text files) rather than one response at a time."""

    def documents(self, size: int) -> Iterator[Documents]: ...


def batches(
    responses: Iterable[Fetched], size: int, hv_id: Callable[[Fetched], int | None], first: int = 0
) -> Iterator[Documents]:
    """Responses in batches of documents, numbered from `first` in the order they come."""
    batch: list[Fetched] = []
    for fetched in responses:
        batch.append(fetched)
        if len(batch) == size:
            yield documents(batch, first, hv_id)
            first, batch = first + size, []
    if batch:
        yield documents(batch, first, hv_id)


def documents(batch: Sequence[Fetched], first: int, hv_id: Callable[[Fetched], int | None]) -> Documents:
    """These archived hojas de vida as `read` takes them, numbered from `first`; a body that is not UTF-8
    gets a null text (odd: its parser says why)."""
    bodies = [f.content[len(BOM_UTF8) :] if f.content.startswith(BOM_UTF8) else f.content for f in batch]
    table = pa.table(
        {
            "ordinal": pa.array(range(first, first + len(batch)), pa.int64()),
            "id_hoja_vida": pa.array([hv_id(f) for f in batch], pa.int64()),
            "source_url": [f.request.full_url for f in batch],
            "archive_sha256": [f.sha256 for f in batch],
            "body": _decoded(bodies),
        }
    )
    return Documents(table, lambda ordinal: batch[ordinal - first])


def _decoded(bodies: list[bytes]) -> pa.Array:
    """The bodies as text, decoded by Arrow in one pass; when one is not UTF-8, one by one (it gets null)."""
    try:
        return pa.array(bodies, pa.binary()).cast(pa.string())
    except pa.ArrowInvalid:
        texts = []
        for body in bodies:
            try:
                texts.append(body.decode("utf-8"))
            except UnicodeDecodeError:
                texts.append(None)
        return pa.array(texts, pa.string())


def read(docs: pa.Table, sections: tuple[Section, ...]) -> BulkRows:
    """Read `sections` from `docs` (ordinal, id_hoja_vida, source_url, archive_sha256, body; body null when
    not UTF-8). Rows come ordered by document ordinal, then by item position, as the parser gives them."""
    parts = list(dict.fromkeys(p for section in sections for p in _parts(section)))
    with duckdb.connect(config=_CONFIG) as conn:
        conn.register("docs", docs)
        conn.execute(f"CREATE TEMP TABLE hv AS {_objects(parts)}")
        odd = {
            row[0]
            for row in conn.execute(
                "SELECT ordinal FROM docs EXCEPT SELECT ordinal FROM hv WHERE object_ok"
            ).fetchall()
        }
        column = {part: n for n, part in enumerate(parts, 1)}
        judged = [_judge(conn, section, n, column) for n, section in enumerate(sections)]
        for table in judged:
            odd |= {
                row[0]
                for row in conn.execute(f"SELECT DISTINCT ordinal FROM {table} WHERE NOT ok").fetchall()
            }
        conn.register("odd", pa.table({"ordinal": pa.array(sorted(odd), pa.int64())}))
        rows = [
            _frame(
                section,
                conn.sql(
                    f"SELECT * EXCLUDE (ok, declared, pos) FROM {table} "
                    "WHERE declared AND ordinal NOT IN (SELECT ordinal FROM odd) ORDER BY ordinal, pos"
                ).to_arrow_table(),
            )
            for section, table in zip(sections, judged, strict=True)
        ]
    return BulkRows(rows, odd)


def _objects(parts: list[str]) -> str:
    """The documents that are JSON, whether each is an object without repeated keys (`object_ok`), and each
    part (`_parts`) as JSON text (`part_n`), but an enclosing object's part as whether it is absent, null or
    an object without repeated keys (`object_ok_n`), so that each of its sections need not parse it again.
    Each document is parsed once for its parts and once for its keys (TRY: not JSON: NULL); only an object
    has keys (anything else has none), so an empty object is left to the parser too. `object_ok` is a column,
    not a filter: a filter on it would be pushed down with the parse of the keys copied into each use."""
    enclosing = [n for n, part in enumerate(parts, 1) if any(p.startswith(part + ".") for p in parts)]
    split = [f"parts[{n}] AS part_{n}" for n in range(1, len(parts) + 1)]
    split += [
        f"CASE WHEN starts_with(parts[{n}], '{{') THEN json_keys(parts[{n}]) END AS keys_{n}"
        for n in enclosing
    ]
    kept = [f"part_{n}" for n in range(1, len(parts) + 1) if n not in enclosing]
    kept += [
        f"part_{n} IS NULL OR part_{n} = 'null' OR "
        f"(keys_{n} IS NOT NULL AND {_no_repeats(f'keys_{n}')}) AS object_ok_{n}"
        for n in enclosing
    ]
    return f"""
        WITH parsed AS (
            SELECT ordinal, id_hoja_vida, source_url, archive_sha256,
                try(json_extract(body, [{", ".join(f"'$.{p}'" for p in parts)}])) AS parts,
                try(json_keys(body)) AS keys
            FROM docs WHERE NOT regexp_matches(body, '{_LAX}')
        )
        SELECT ordinal, id_hoja_vida, source_url, archive_sha256, object_ok, {", ".join(kept)}
        FROM (
            SELECT *, len(keys) > 0 AND {_no_repeats("keys")} AS object_ok, {", ".join(split)}
            FROM parsed
        )
    """


def _no_repeats(keys: str) -> str:
    """SQL: the list of an object's keys (`json_keys`) names no key twice. DuckDB reads the first of repeated
    keys and Python's json the last, so such an object is left to the parser."""
    return f"len({keys}) = len(list_distinct({keys}))"


def _parts(section: Section) -> list[str]:
    """JSON paths (without `$.`) a section reads from the document: its enclosing object, then its list."""
    return [".".join(section.path[: n + 1]) for n in range(len(section.path))]


def _judge(conn: duckdb.DuckDBPyConnection, section: Section, n: int, column: dict[str, int]) -> str:
    """A temp table of the section's items: their columns, whether the item is of the expected shape (`ok`)
    and whether it declares something; a document whose section itself is malformed gets one row, not ok."""
    table = f"section_{n}"
    *parents, path = _parts(section)
    items = f"part_{column[path]}"
    # Sentence lists must be there (the parser says the document lacks them). A part is JSON as DuckDB writes
    # it back (no leading space, null as `null`): its first character says its type.
    section_ok = f"starts_with({items}, '[')"
    if parents:
        # Inside an enclosing object (declaracionJurada): the object absent or null means no items; the list
        # may be absent (no items), but not null or anything else.
        (parent,) = (column[p] for p in parents)
        section_ok = f"(object_ok_{parent} AND ({items} IS NULL OR {section_ok}))"
    # Two readings of each item, one parse each: every field's JSON value (NULL when absent or null) and its
    # text (the string itself, or the number as sent); its keys; and each value's JSON type.
    names = [section.declares, *(field for field, _ in section.fields.values())]
    if section.own_id:
        names.append(section.own_id)
    text = {name: f't."{name}"' for name in names}
    json_type = {name: f"y[{n}]" for n, name in enumerate(names, 1)}
    hv_id = "id_hoja_vida"
    if section.own_id:  # the item's own idHojaVida when it has the key, even null (as dict.get does)
        own = section.own_id
        hv_id = (
            f"CASE WHEN list_contains(k, '{own}') THEN TRY_CAST({text[own]} AS BIGINT) ELSE id_hoja_vida END"
        )
    columns = ", ".join(
        [
            f"{hv_id} AS id_hoja_vida",
            *(
                f'{f"TRY_CAST({text[field]} AS BIGINT)" if kind == "int" else text[field]} AS "{column}"'
                for column, (field, kind) in section.fields.items()
            ),
        ]
    )
    kinds = [*section.fields.values(), *([(section.own_id, "int")] if section.own_id else [])]
    checks = " AND ".join(
        [
            "starts_with(i, '{')",
            _no_repeats("k"),
            f"{json_type[section.declares]} IN ('VARCHAR', 'NULL')",
            f"coalesce(regexp_full_match({text[section.declares]}, '{_FLAG}'), TRUE)",
            *(_field_ok(json_type[field], text[field], kind) for field, kind in kinds),
        ]
    )
    as_json = json.dumps({name: "JSON" for name in names})
    as_text = json.dumps({name: "VARCHAR" for name in names})
    types = ", ".join(f"coalesce(json_type(v.\"{name}\"), 'NULL')" for name in names)
    not_declared = ", ".join(f"'{answer}'" for answer in section.declares_not)
    conn.execute(
        f"""
        CREATE TEMP TABLE {table} AS
        WITH sections AS (
            SELECT ordinal, id_hoja_vida, source_url, archive_sha256,
                coalesce({section_ok}, FALSE) AS section_ok,
                CASE WHEN starts_with({items}, '[') THEN CAST({items} AS JSON[]) ELSE [] END AS items
            FROM hv
        ), listed AS (
            SELECT *, unnest(items) AS i, generate_subscripts(items, 1) AS pos FROM sections
        ), read AS (
            SELECT *, json_transform(i, '{as_json}') AS v, json_transform(i, '{as_text}') AS t,
                json_keys(i) AS k
            FROM listed
        ), valued AS (
            SELECT *, [{types}] AS y FROM read
        )
        SELECT ordinal, pos, {columns}, source_url, archive_sha256,
            coalesce({checks}, FALSE) AS ok,
            upper(coalesce({text[section.declares]}, '')) NOT IN ({not_declared}) AS declared
        FROM valued
        UNION ALL
        SELECT ordinal, 0, NULL, {", ".join("NULL" for _ in section.fields)}, source_url, archive_sha256,
            FALSE, FALSE
        FROM sections WHERE NOT section_ok
        """
    )
    return table


def _field_ok(json_type: str, text: str, kind: str) -> str:
    """Whether a field (its JSON type and text) holds what its kind expects. An amount may be an integer, a
    plain number in text, or a JSON number with at most two decimals under 10^13: at most 15 significant
    digits, which a double holds exactly, so its text is the number that was sent."""
    if kind == "int":  # a 64-bit integer, as a number or as its digits (the parser's rows hold either)
        fits = f"TRY_CAST({text} AS BIGINT) IS NOT NULL"
        return (
            f"CASE {json_type} WHEN 'NULL' THEN TRUE "
            f"WHEN 'VARCHAR' THEN regexp_full_match({text}, '{_INTEGER}') AND {fits} "
            f"ELSE {json_type} IN ('BIGINT', 'UBIGINT') AND {fits} END"
        )
    allowed = ", ".join(f"'{t}'" for t in _TYPES[kind])
    if kind != "money":
        return f"{json_type} IN ({allowed})"
    return (
        f"CASE {json_type} WHEN 'VARCHAR' THEN regexp_full_match({text}, '{_PLAIN_NUMBER}') "
        # TRY_CAST: the optimizer may compute the cast once for every row, before CASE picks the branch.
        f"WHEN 'DOUBLE' THEN abs(TRY_CAST({text} AS DOUBLE)) < 1e13 "
        f"AND round(TRY_CAST({text} AS DOUBLE), 2) = TRY_CAST({text} AS DOUBLE) "
        f"ELSE {json_type} IN ({allowed}) END"
    )


def _frame(section: Section, table: pa.Table) -> pd.DataFrame:
    """The section's rows as `jne.section_row` builds them (same columns and values), plus the document
    ordinal. Text stays in Arrow-backed columns and integers in Int64: a fraction of the memory of one Python
    object per value, and what the schemas coerce to anyway; money as Decimal (`_money`)."""
    frame = table.to_pandas(types_mapper={pa.int64(): pd.Int64Dtype()}.get)
    for column, (_, kind) in section.fields.items():
        if kind == "money":
            frame[column] = _money(table.column(column))
    if section is VEHICLE:
        parts = zip(*(table.column(p).to_pylist() for p in VEHICLE_PARTS), strict=True)
        frame["description"] = pd.Series([vehicle_description(*p) for p in parts], dtype="str")
    for column, value in section.constants.items():
        if column not in frame:  # text like the columns read: real estate and vehicles share their table
            frame[column] = pd.Series([value] * table.num_rows, dtype="str")
    columns = section.columns or ("id_hoja_vida", *section.fields)
    return frame[["ordinal", *columns, "source_url", "archive_sha256"]]


def _money(amounts: pa.ChunkedArray) -> pd.Series:
    """Amounts (the numbers' text) as Decimal objects, one object per distinct amount: most amounts repeat
    (zeros above all), and a Decimal costs about 100 bytes where a reference costs 8. Decimals, not the
    schemas' fixed-scale type, so an amount a quarantine row shows keeps the digits it was sent with."""
    encoded = amounts.combine_chunks().dictionary_encode()
    distinct = np.array([Decimal(a) for a in encoded.dictionary.to_pylist()] + [None], dtype=object)
    return pd.Series(distinct[encoded.indices.fill_null(len(distinct) - 1).to_numpy()], dtype=object)
