"""Stage only the hojas de vida whose body changed (issue 6).

The bodies in force come from `hv_crawl_state`; `hv_parsed` remembers, per staging asset, which body each
hoja de vida's staged rows came from. A run parses the bodies that differ, replaces those hojas de vida's
rows (and quarantine rows) in one transaction, and drops the rows of hojas de vida no longer listed. A body
that cannot be read is quarantined and the rows of the body loaded before stay, so a bad answer never
deletes what was loaded. Tables reloaded whole (the candidate lists) are kept as they are when a run's answers
are the same bytes as those they were built from (`staged_inputs`). Any change to the parsers, rules or
schemas counts as new input (`parser_fingerprint`).
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Generator, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cache, partial
from itertools import chain
from pathlib import Path
from typing import TypeVar
from urllib.parse import urlsplit

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from pipeline.gil import quick_handoff
from pipeline.http.archive import Archive
from pipeline.http.request import Fetched
from pipeline.manifest import request_from
from pipeline.sources import jne_bulk
from pipeline.staging import Parsed
from pipeline.warehouse import ensure_table, insert_rows, transaction

_log = logging.getLogger(__name__)
T = TypeVar("T")
PIPELINE_DIR = Path(__file__).resolve().parent
# What decides the rows a body turns into: parsers, rules, vocabularies, schemas. A change to any of them
# makes every body count as not parsed yet, so new rules reach rows loaded before.
PARSER_FILES = ("staging.py", "validate.py", "sources/*.py", "rules/*", "schemas/*.py", "config/*.yaml")


@cache
def parser_fingerprint() -> str:
    digest = hashlib.sha256()
    for pattern in PARSER_FILES:
        for path in sorted(PIPELINE_DIR.glob(pattern)):
            if path.is_file():
                digest.update(path.relative_to(PIPELINE_DIR).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def inputs_fingerprint(responses: Iterable[Fetched]) -> str:
    """The parser version and every request (host left out: it changes offline) with its body's hash."""
    keys = sorted(
        f"{f.request.method} {urlsplit(f.request.full_url)._replace(scheme='', netloc='').geturl()} "
        f"{f.request.body_sha256} {f.sha256}"
        for f in responses
    )
    return hashlib.sha256("\n".join([parser_fingerprint(), *keys]).encode()).hexdigest()


def unchanged_inputs(
    conn: duckdb.DuckDBPyConnection, table: str, process_code: str | None, fingerprint: str
) -> bool:
    ensure_table(conn, "staged_inputs")
    last = conn.execute(
        "SELECT arg_max(fingerprint, loaded_at) FROM staged_inputs WHERE table_name = ? "
        "AND process_code IS NOT DISTINCT FROM ?",
        [table, process_code],
    ).fetchone()[0]
    return last == fingerprint


def remember_inputs(
    conn: duckdb.DuckDBPyConnection, table: str, process_code: str | None, fingerprint: str
) -> None:
    ensure_table(conn, "staged_inputs")
    with transaction(conn):
        conn.execute(
            "DELETE FROM staged_inputs WHERE table_name = ? AND process_code IS NOT DISTINCT FROM ?",
            [table, process_code],
        )
        conn.execute("INSERT INTO staged_inputs VALUES (?, ?, ?, now())", [table, process_code, fingerprint])


@dataclass(frozen=True)
class Pending:
    """The hojas de vida a staging asset must (re)parse, and those whose rows must go."""

    current: int  # hojas de vida with a body in force
    to_parse: pd.DataFrame  # id_hoja_vida, method, url, sha256
    removed: list[int]


def pending(
    conn: duckdb.DuckDBPyConnection, assets: Sequence[str], process_code: str
) -> tuple[pd.DataFrame, dict[str, Pending]]:
    """The hojas de vida any of `assets` must (re)parse, in the order of their sha256 (PENDING_COLUMNS), and
    each asset's own `Pending`: found in one pass, as the assets read the same bodies."""
    for table in ("hv_crawl_state", "hv_parsed"):
        ensure_table(conn, table)
    current = conn.execute(
        "SELECT count(*) FROM hv_crawl_state WHERE process_code = ? AND sha256 IS NOT NULL", [process_code]
    ).fetchone()[0]
    # Per asset: its row of hv_parsed, and whether the body in force is not the one it parsed (or was
    # parsed by other code).
    joins = "".join(
        f"LEFT JOIN hv_parsed p{n} ON p{n}.asset = $asset{n} AND p{n}.process_code = s.process_code "
        f"AND p{n}.id_hoja_vida = s.id_hoja_vida "
        for n in range(len(assets))
    )
    needs = [
        f"(s.sha256 IS DISTINCT FROM p{n}.sha256 OR p{n}.parser IS DISTINCT FROM $parser)"
        for n in range(len(assets))
    ]
    flags = ", ".join(f"{need} AS needs{n}" for n, need in enumerate(needs))
    found = conn.execute(
        f"SELECT s.id_hoja_vida, s.method, s.url, s.sha256, {flags} FROM hv_crawl_state s {joins}"
        f"WHERE s.process_code = $process AND s.sha256 IS NOT NULL AND ({' OR '.join(needs)}) "
        "ORDER BY s.sha256",
        {
            "process": process_code,
            "parser": parser_fingerprint(),
            **{f"asset{n}": a for n, a in enumerate(assets)},
        },
    ).fetchdf()
    to_parse = found[list(PENDING_COLUMNS)]
    work = {}
    for n, asset in enumerate(assets):
        removed = conn.execute(
            "SELECT id_hoja_vida FROM hv_parsed WHERE asset = $asset AND process_code = $process EXCEPT "
            "SELECT id_hoja_vida FROM hv_crawl_state WHERE process_code = $process AND sha256 IS NOT NULL",
            {"asset": asset, "process": process_code},
        ).fetchall()
        needed = found[f"needs{n}"]
        mine = to_parse if needed.all() else to_parse[needed.to_numpy()].reset_index(drop=True)
        work[asset] = Pending(int(current), mine, [row[0] for row in removed])
    return to_parse, work


PENDING_COLUMNS = ("id_hoja_vida", "method", "url", "sha256")


# DuckDB reads a segment's whole text file at about 19 us a body, its sha256 checked; Python reads one body
# from the segment in about 60 us, its request and document built (150,000 hojas de vida: 2.8 s against 9 s).
# A text file pays when about a third of its bodies are wanted; this leaves a margin.
TEXTS_MIN_SHARE = 0.4
# The first texts go to the bulk reader alone, in one of DuckDB's vectors: it starts on them while DuckDB
# reads on (150,000 hojas de vida: the first batch after 0.05 s instead of 0.18 s); then batches of `size`.
TEXTS_FIRST = 2_048


@dataclass(frozen=True)
class ArchivedBodies:
    """The archived bodies of the hojas de vida to parse (`Pending.to_parse`): one response at a time, or, for
    the bulk reader, as batches of documents DuckDB reads straight from the archive's text files."""

    to_parse: pd.DataFrame
    archive: Archive

    def __iter__(self) -> Iterator[Fetched]:
        return bodies(self.to_parse, self.archive)

    def documents(self, size: int) -> Iterator[jne_bulk.Documents]:
        """Batches of at most `size` documents, numbered in the order they come (so their rows come in order
        and need no sorting). DuckDB reads the texts the archive has of them, keeping only those that hash to
        their sha256; the rest (no text file yet, not UTF-8, or not matching) come after, read one by one
        from the segments (`bodies`)."""
        work = self.to_parse.reset_index(drop=True)
        texts, _ = self.archive.texts(work["sha256"].tolist(), min_share=TEXTS_MIN_SHARE)
        read = np.zeros(len(work), dtype=bool)
        first = 0
        try:
            for table in _ahead(_texts(work, texts, size)) if texts else ():
                rows = table.column("row").to_numpy()
                read[rows] = True
                ordinals = pa.array(range(first, first + len(rows)), pa.int64())
                numbered = table.set_column(0, "ordinal", ordinals)
                yield jne_bulk.Documents(numbered, partial(self._response, work, rows, first))
                first += len(rows)
        except duckdb.Error as exc:  # a damaged text file: the segments still hold every body
            _log.warning("Reading the archive's text files failed (%s); the rest comes from segments", exc)
        rest = work[~read]
        hv_id = dict(zip(rest["url"], rest["id_hoja_vida"], strict=True))
        yield from jne_bulk.batches(
            bodies(rest, self.archive), size, lambda f: hv_id[f.request.full_url], first
        )

    def _response(self, work: pd.DataFrame, rows: np.ndarray, first: int, ordinal: int) -> Fetched:
        """The response of document `ordinal` of a batch numbered from `first`, whose rows of `work` are
        `rows`."""
        method, url, sha = work.loc[rows[ordinal - first], ["method", "url", "sha256"]]
        return Fetched(request_from(method, url, None), 200, sha, self.archive.get(sha), "", _now(), 0)


_END = object()


def _ahead(batches: Generator[T, None, None]) -> Iterator[T]:
    """`batches`, each made on a thread of its own while the caller handles the one before: DuckDB reads the
    next texts (without the GIL) while the bulk reader parses (with it), instead of each waiting for the
    other (150,000 hojas de vida: the reader waited about 0.8 s of 3 s for texts). One thread advances the
    iterator, always the same one, and closes it when the caller stops early. The GIL is handed over within
    1 ms meanwhile (`gil.quick_handoff`): the reader holds it, DuckDB needs it for each vector."""
    with quick_handoff(), ThreadPoolExecutor(1, thread_name_prefix="texts") as pool:
        try:
            coming = pool.submit(next, batches, _END)
            while (batch := coming.result()) is not _END:
                coming = pool.submit(next, batches, _END)
                yield batch
        finally:
            pool.submit(batches.close)


def _texts(work: pd.DataFrame, texts: Mapping[Path, list[str]], size: int) -> Iterator[pa.Table]:
    """The documents of `work` whose text DuckDB reads from the archive's text files, kept when it hashes to
    the body's sha256, streamed in tables of at most `size`. A body is looked for only in the file of the
    segment the index puts it in, so a body stored twice is read once. DuckDB hashes the texts: it takes
    more CPU than hashlib (about 1.8 s against 0.9 s for the 150,000 benchmark texts), but without the GIL,
    on the thread that reads ahead (`_ahead`), so the bulk reader does not wait for it (parse 2.9-3.4 s ->
    2.8-3.0 s)."""
    paths = sorted(texts)
    files = [str(path) for path in paths]
    # The joins keep in memory only what they match on (50-75 MB less at 150,000 than with every column);
    # the rest of each document's columns is taken from `columns` by row number. Both sides are made by
    # Arrow from whole lists: a dict from body to file, looked up per row, took 0.07 s at 150,000.
    counts = [len(texts[path]) for path in paths]
    in_file = pa.table(
        {
            "sha256": pa.array(list(chain.from_iterable(texts[path] for path in paths)), pa.string()),
            "file": pa.array(np.repeat(np.arange(len(paths), dtype=np.int32), counts)),
        }
    )
    wanted = pa.table(
        {
            "sha256": pa.array(work["sha256"], pa.string()),
            "row": pa.array(np.arange(len(work), dtype=np.int64)),
        }
    )
    named = {"id_hoja_vida": "id_hoja_vida", "url": "source_url", "sha256": "archive_sha256"}
    columns = pa.Table.from_pandas(work[list(named)].rename(columns=named), preserve_index=False)
    # One thread, and the hash tables built on `files`, `in_file` and `wanted` (the optimizer would build one
    # on the texts, which would then all be in memory at once): the texts stream through, a batch at a time.
    config = {"threads": 1, "disabled_optimizers": "join_order,build_side_probe_side"}
    with duckdb.connect(config=config) as conn:
        conn.register("in_file", in_file)
        conn.register("wanted", wanted)
        conn.register("files", pa.table({"file": pa.array(range(len(files)), pa.int32()), "name": files}))
        reader = conn.sql(
            """
            SELECT w.row, t.text, coalesce(sha256(t.text) = t.sha256, false) AS intact
            FROM read_json($files, format = 'newline_delimited', compression = 'gzip', filename = true,
                columns = {sha256: 'VARCHAR', text: 'VARCHAR'}) t
            JOIN files f ON t.filename = f.name
            JOIN in_file i ON t.sha256 = i.sha256 AND f.file = i.file
            JOIN wanted w ON t.sha256 = w.sha256
            """,
            params={"files": files},
        ).to_arrow_reader(min(size, TEXTS_FIRST))  # streamed: a relation, not an executed result
        for batches in _gathered(reader, size):
            batch = pa.Table.from_batches(batches)
            intact = batch.column("intact")
            if not pc.all(intact).as_py():  # filtering copies every text: only when one must go
                batch = batch.filter(intact)
            if not batch.num_rows:
                continue
            rows, text = batch.column("row"), batch.column("text")
            found = columns.take(rows)
            bom = pc.starts_with(text, "\ufeff")
            body = pc.if_else(bom, pc.utf8_slice_codeunits(text, 1), text) if pc.any(bom).as_py() else text
            yield pa.table([rows, *found.columns, body], names=["row", *found.column_names, "body"])


def _gathered(batches: Iterable[pa.RecordBatch], size: int) -> Iterator[list[pa.RecordBatch]]:
    """The first batch alone, then the others gathered in lists of at most `size` rows (or one batch)."""
    gathered: list[pa.RecordBatch] = []
    rows = 0
    for n, batch in enumerate(batches):
        if gathered and (n == 1 or rows + batch.num_rows > size):
            yield gathered
            gathered, rows = [], 0
        gathered.append(batch)
        rows += batch.num_rows
    if gathered:
        yield gathered


def _now() -> pd.Timestamp:
    return pd.Timestamp.now(tz="UTC")


def bodies(to_parse: pd.DataFrame, archive: Archive) -> Iterator[Fetched]:
    """The archived responses to parse, read from the archive in bulk and streamed (memory stays bounded).
    Several hojas de vida may share one body (a server answering the same page to all): each gets its own."""
    requests: dict[str, list[tuple[str, str]]] = {}  # requests built as their bodies are read
    for method, url, sha in zip(*(to_parse[c].tolist() for c in ("method", "url", "sha256")), strict=True):
        requests.setdefault(sha, []).append((method, url))
    now = _now()
    for sha, content in archive.get_many(requests):
        for method, url in requests.pop(sha):
            yield Fetched(request_from(method, url, None), 200, sha, content, "", now, 0)


def commit(
    conn: duckdb.DuckDBPyConnection,
    asset: str,
    process_code: str,
    work: Pending,
    tables: Sequence[str],
    loaded: Iterable[tuple[str, tuple[pd.DataFrame, pd.DataFrame]]],
    parsed: Mapping[str, Parsed],
) -> None:
    """In one transaction: remember which bodies were parsed, and replace the rows of every hoja de vida
    parsed (and drop the removed ones) in each of `tables` as `loaded` hands it over (table, (valid rows,
    quarantine rows)). A table is written as soon as it comes, so the caller may still be validating the next
    one; an error raised by `loaded` rolls the whole group back.

    A hoja de vida whose body could not be read (quarantined as `parse` in any table) keeps its rows."""
    unreadable = {
        sha
        for p in parsed.values()
        for sha in p.quarantine.loc[p.quarantine["check_name"] == "parse", "archive_sha256"]
    }
    done = work.to_parse[~work.to_parse["sha256"].isin(unreadable)]
    replaced = pd.DataFrame({"id_hoja_vida": list(done["id_hoja_vida"]) + work.removed}, dtype="int64")
    # Arrow, not Python strings: DuckDB reads them without the GIL, which the caller's validation needs
    # (150,000 marks written while a table is validated: 0.26-0.34 s from a frame of strings, 0.21-0.27 s).
    marks = pa.table(
        {
            "id_hoja_vida": pa.array(done["id_hoja_vida"].to_numpy(), pa.int64()),
            "sha256": pa.array(done["sha256"].to_numpy(), pa.string()),
        }
    )
    reparsed = pa.table({"sha256": pa.array(work.to_parse["sha256"].to_numpy(), pa.string())})
    for table in (*tables, "quarantine", "hv_parsed"):
        ensure_table(conn, table)
    with transaction(conn):
        conn.register("_replaced", replaced)
        conn.register("_reparsed", reparsed)
        conn.register("_marks", marks)
        try:
            conn.execute(
                "DELETE FROM hv_parsed WHERE asset = ? AND process_code = ? "
                "AND id_hoja_vida IN (SELECT id_hoja_vida FROM _replaced)",
                [asset, process_code],
            )
            conn.execute(
                "INSERT INTO hv_parsed BY NAME SELECT $asset AS asset, $process AS process_code, "
                "id_hoja_vida, sha256, $parser AS parser FROM _marks",
                {"asset": asset, "process": process_code, "parser": parser_fingerprint()},
            )
            written = []
            for table, (valid, quarantine) in loaded:
                written.append(table)
                conn.execute(
                    f'DELETE FROM "{table}" WHERE process_code = ? '
                    "AND id_hoja_vida IN (SELECT id_hoja_vida FROM _replaced)",
                    [process_code],
                )
                insert_rows(conn, table, valid)
                # Quarantine rows stay while their body is in force and was not parsed again now.
                conn.execute(
                    """
                    DELETE FROM quarantine WHERE table_name = ? AND process_code = ? AND (
                        archive_sha256 IS NULL OR archive_sha256 IN (SELECT sha256 FROM _reparsed)
                        OR archive_sha256 NOT IN (
                            SELECT sha256 FROM hv_crawl_state WHERE process_code = ? AND sha256 IS NOT NULL))
                    """,
                    [table, process_code, process_code],
                )
                insert_rows(conn, "quarantine", quarantine)
            if written != list(tables):  # hv_parsed would claim rows that were never written
                raise RuntimeError(f"{asset}: expected tables {list(tables)} to commit, got {written}")
        finally:
            for name in ("_replaced", "_reparsed", "_marks"):
                conn.unregister(name)
