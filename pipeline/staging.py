"""Parse archived responses into staged DataFrames, one function per staged table.

A response that cannot be parsed becomes a quarantine row naming the parse error, the URL and the archive
reference; it never stops the batch. Values are left as sent: the pandera schemas judge them next.
"""

from __future__ import annotations

import io
import json
import re
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from types import ModuleType
from typing import Any

import numpy as np
import pandas as pd

from pipeline.campaigns import Campaign
from pipeline.http.request import Fetched
from pipeline.processes import Process
from pipeline.rules.crimes import CrimeClassifier, CrimeMatch
from pipeline.rules.sentences import read_sentence
from pipeline.sources import claridad, congreso, jne_bulk
from pipeline.sources.errors import SourceFormatError
from pipeline.sources.jne import Section
from pipeline.validate import quarantine_rows


@dataclass
class Parsed:
    rows: pd.DataFrame
    quarantine: pd.DataFrame


def _provenance(fetched: Fetched) -> dict[str, Any]:
    return {"source_url": fetched.request.full_url, "archive_sha256": fetched.sha256}


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def _scalar(value: Any) -> Any:
    """Values as a table can hold them: nested JSON as its text, text as valid UTF-8 (a lone surrogate, legal
    in JSON, becomes U+FFFD, which the schemas quarantine); the schemas judge them like any other value."""
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, str) and not value.isascii():
        return _LONE_SURROGATE.sub("\ufffd", value)
    return value


Earlier = Callable[[Fetched], Sequence[Fetched]]

# What a parser gives for one table of one response: rows as dicts, or (read in bulk) columns of values.
Rows = list[dict[str, Any]] | dict[str, list[Any]]


def _parse_each(
    table: str,
    process_code: str | None,
    responses: Iterable[Fetched],
    parse: Callable[[Fetched], Rows],
    columns: list[str],
    earlier: Earlier | None = None,
) -> Parsed:
    (parsed,) = _parse_tables(process_code, responses, lambda f: (parse(f),), [(table, columns)], earlier)
    return parsed


def _parse_tables(
    process_code: str | None,
    responses: Iterable[Fetched],
    parse: Callable[[Fetched], Sequence[Rows]],
    tables: Sequence[tuple[str, list[str]]],
    earlier: Earlier | None = None,
) -> list[Parsed]:
    """Parse every response once, into one row list per table, in a single pass (responses may stream).

    One that cannot be read is quarantined in every table, and its request's newest earlier body that still
    reads (`earlier`) is loaded in its place, so a bad answer never deletes rows loaded before.
    """
    chunks: list[list[Rows]] = [[] for _ in tables]
    failures: list[tuple[Fetched, str]] = []
    for fetched in responses:
        try:
            got = _rows_of(fetched, parse, process_code)
        except _Unreadable as exc:
            failures.append((fetched, exc.reason[:2000]))
            got = _first_readable(earlier(fetched) if earlier else (), parse, process_code) or [
                [] for _ in tables
            ]
        for mine, new in zip(chunks, got, strict=True):
            _add(mine, new)
    failed = pd.DataFrame(
        [{"process_code": process_code, **_provenance(f)} for f, _ in failures],
        columns=["process_code", "source_url", "archive_sha256"],
    )
    reasons = [reason for _, reason in failures]
    return [
        Parsed(_table(table_chunks, columns), quarantine_rows(table, failed, "parse", None, reasons))
        for (table, columns), table_chunks in zip(tables, chunks, strict=True)
    ]


def _add(chunks: list[Rows], new: Rows) -> None:
    """One response's rows added to a table's chunks, joined to the last chunk when of the same form. Columns
    are copied first: a parser may keep those it gave (`candidates` compares a page with those before)."""
    last = chunks[-1] if chunks else None
    if isinstance(last, list) and isinstance(new, list):
        last += new
    elif isinstance(last, dict) and isinstance(new, dict) and last.keys() == new.keys():
        for column, values in new.items():
            last[column] += values
    else:
        chunks.append(
            {column: list(values) for column, values in new.items()} if isinstance(new, dict) else new
        )


def _table(chunks: list[Rows], columns: list[str]) -> pd.DataFrame:
    """One table of the chunks, in order; values as parsed (object columns: no float ids)."""
    frames = [
        pd.DataFrame({c: chunk.get(c, [None] * _count(chunk)) for c in columns}, dtype=object)
        if isinstance(chunk, dict)
        else pd.DataFrame(chunk, columns=columns, dtype=object)
        for chunk in chunks
    ]
    if len(frames) == 1:
        return frames[0]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=columns, dtype=object)


class _Unreadable(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _first_readable(
    candidates: Iterable[Fetched],
    parse: Callable[[Fetched], Sequence[Rows]],
    process_code: str | None,
) -> Sequence[Rows]:
    for previous in candidates:
        try:
            return _rows_of(previous, parse, process_code)
        except _Unreadable:
            continue
    return ()


def _rows_of(
    fetched: Fetched, parse: Callable[[Fetched], Sequence[Rows]], process_code: str | None
) -> list[Rows]:
    provenance = _provenance(fetched)
    extra = {"process_code": process_code, **provenance}
    try:
        return [
            {**rows, **{column: [value] * _count(rows) for column, value in extra.items()}}
            if isinstance(rows, dict)  # read in bulk: of the expected types (`jne_bulk.list_page`)
            # the usual values (ASCII text, None, integers) told without a call to _scalar: 25% less time
            else [
                {
                    "process_code": process_code,
                    **{
                        k: v
                        if (type(v) is str and v.isascii()) or v is None or type(v) is int
                        else _scalar(v)
                        for k, v in row.items()
                    },
                    **provenance,
                }
                for row in rows
            ]
            for rows in parse(fetched)
        ]
    except (SourceFormatError, congreso.LayoutChangedError) as exc:
        raise _Unreadable(str(exc)) from None
    except (TypeError, ValueError, UnicodeError, RecursionError) as exc:
        # One odd response (a list where text was expected, a lone surrogate ...) must not fail the batch.
        raise _Unreadable(
            f"{fetched.request.full_url}: unreadable record ({type(exc).__name__}: {exc})"
        ) from None


def candidates(
    responses: Sequence[Fetched],
    process: Process,
    module: ModuleType,
    columns: list[str],
    earlier: Earlier | None = None,
) -> Parsed:
    """Candidacies of every list page (read in bulk when the module says how: `jne.LIST_FIELDS`). A page that
    repeats another page of its list word for word (a server answering page 1 for page 2) is unreadable: its
    own candidacies never arrived."""
    pages: dict[tuple[str, str], dict[frozenset, tuple[Any, Rows]]] = {}
    in_bulk = hasattr(module, "LIST_FIELDS")

    def parse(fetched: Fetched) -> Rows:
        rows = jne_bulk.list_page(fetched, process) if in_bulk else None
        if rows is None:
            rows = module.parse_candidates(fetched, process)
        body = dict(fetched.request.json_body or {})
        page = body.pop("skip", None)
        ids = frozenset(map(str, _column(rows, "id_hoja_vida")))
        seen = pages.setdefault((fetched.request.full_url, json.dumps(body, sort_keys=True)), {})
        other_page, other_rows = seen.get(ids, (page, []))
        if _count(rows) and other_page != page and _same_rows(_records(rows), _records(other_rows)):
            raise SourceFormatError(
                fetched.request.full_url,
                f"page {page} repeats the {_count(rows)} candidacies of page {other_page} of the same list",
            )
        seen[ids] = (page, rows)
        return rows

    return _parse_each("stg_candidates", process.code, responses, parse, columns, earlier)


def _count(rows: Rows) -> int:
    return len(next(iter(rows.values()), [])) if isinstance(rows, dict) else len(rows)


def _column(rows: Rows, column: str) -> Iterable[Any]:
    return rows[column] if isinstance(rows, dict) else (row.get(column) for row in rows)


def _records(rows: Rows) -> list[dict[str, Any]]:
    return (
        [dict(zip(rows, values, strict=True)) for values in zip(*rows.values(), strict=True)]
        if isinstance(rows, dict)
        else rows
    )


def _same_rows(a: list[dict[str, Any]], b: list[dict[str, Any]]) -> bool:
    return len(a) == len(b) and json.dumps(a, sort_keys=True, default=str) == json.dumps(
        b, sort_keys=True, default=str
    )


def _hv_id(fetched: Fetched) -> int | None:
    params = fetched.request.params
    value = params.get("IdHojaVida") or (params.get("param") or params.get("Ids") or "").split("-")[0]
    return int(value) if str(value).isdigit() else None


def _also_named(crime: CrimeMatch) -> tuple[str, ...]:
    if not crime.also_named:
        return ()
    return (
        f"el texto del delito nombra otras categorias ({', '.join(crime.also_named)}) "
        f"ademas de {crime.category}",
    )


@dataclass(frozen=True)
class HvReader:
    """How one group of tables is read from a hoja de vida: the per-document parser that fills them, the
    sections read in bulk for them (`jne_bulk`; mapped onto the tables in order, the extra ones onto the last:
    real estate and vehicles both fill the assets table; None: no bulk reading for this API), and the
    columns derived from the bulk rows (`finish`, one frame per table)."""

    parse: Callable[[Fetched], Sequence[list[dict[str, Any]]]]
    tables: list[tuple[str, list[str]]]
    sections: tuple[Section, ...] | None
    finish: Callable[[list[pd.DataFrame]], list[pd.DataFrame]] = list


def sentence_reader(
    module: ModuleType, columns: tuple[list[str], list[str]], classifier: CrimeClassifier
) -> HvReader:
    """Criminal sentences and obligation judgments declared in a hoja de vida."""

    def parse(fetched: Fetched) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        hv = module.parse_hoja_vida(fetched.content, fetched.request.full_url)
        id_hoja_vida = _hv_id(fetched)
        criminal = module.criminal_rows(hv, id_hoja_vida)
        for row in criminal:
            date = pd.to_datetime(row.get("sentence_date_raw"), format=SENTENCE_DATE, errors="coerce")
            row.update(sentence_date=date, **_sentence_reading(row, classifier))
        return criminal, module.civil_rows(hv, id_hoja_vida)

    def finish(frames: list[pd.DataFrame]) -> list[pd.DataFrame]:
        criminal, civil = frames
        readings = [_sentence_reading(row, classifier) for row in _as_parsed(criminal)]
        criminal = criminal.assign(
            sentence_date=pd.to_datetime(criminal["sentence_date_raw"], format=SENTENCE_DATE, errors="coerce")
        )
        readings_frame = pd.DataFrame(readings, index=criminal.index, columns=list(READINGS))
        return [pd.concat([criminal, readings_frame], axis=1), civil]

    tables = [("stg_criminal_sentences", columns[0]), ("stg_civil_sentences", columns[1])]
    return HvReader(parse, tables, getattr(module, "SENTENCE_SECTIONS", None), finish)


def _as_parsed(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Each row as the parser gives it: a dict, missing values as None. Made from the rows of an object array,
    where `to_dict("records")` boxes value by value (9,471 sentences: 0.03 s against 0.09 s)."""
    values = frame.astype(object).where(frame.notna(), None).to_numpy().tolist()
    columns = list(frame.columns)
    return [dict(zip(columns, row, strict=True)) for row in values]


def declaration_reader(module: ModuleType, columns: tuple[list[str], list[str]]) -> HvReader:
    """Declared income and assets: in the hoja de vida (current API) or in per-section answers (legacy)."""

    def parse(fetched: Fetched) -> tuple[list[dict], list[dict]]:
        return module.declarations(fetched.content, fetched.request.full_url, _hv_id(fetched))

    tables = [("stg_declared_income", columns[0]), ("stg_declared_assets", columns[1])]
    return HvReader(parse, tables, getattr(module, "DECLARATION_SECTIONS", None))


def sentences(
    responses: Iterable[Fetched],
    process: Process,
    module: ModuleType,
    columns: tuple[list[str], list[str]],
    classifier: CrimeClassifier,
    earlier: Earlier | None = None,
) -> tuple[Parsed, Parsed]:
    """Criminal sentences and obligation judgments declared in each hoja de vida, each body read once."""
    criminal, civil = _read(process.code, responses, [sentence_reader(module, columns, classifier)], earlier)
    return criminal, civil


def declarations(
    responses: Iterable[Fetched],
    process: Process,
    module: ModuleType,
    columns: tuple[list[str], list[str]],
    earlier: Earlier | None = None,
) -> tuple[Parsed, Parsed]:
    """Declared income and assets, from hojas de vida (current API) or the legacy per-section answers, each
    response read once for both tables; one that cannot be read is quarantined in both."""
    income, assets = _read(process.code, responses, [declaration_reader(module, columns)], earlier)
    return income, assets


def hojas_vida(process_code: str, responses: Iterable[Fetched], readers: Sequence[HvReader]) -> list[Parsed]:
    """The tables of several readers from one pass over the hojas de vida (each body read and, in bulk, parsed
    once); a document one reader's parser cannot read is quarantined in that reader's tables only. Responses
    that come as batches of documents themselves (`jne_bulk.DocumentSource`) are read in those batches."""
    return _read(process_code, responses, readers)


def _read(
    process_code: str,
    responses: Iterable[Fetched],
    readers: Sequence[HvReader],
    earlier: Earlier | None = None,
) -> list[Parsed]:
    if earlier is None and all(reader.sections for reader in readers):
        if isinstance(responses, jne_bulk.DocumentSource):
            documents = responses.documents(BULK_BATCH)
        else:
            documents = jne_bulk.batches(responses, BULK_BATCH, _hv_id)
        return _hojas_vida_in_bulk(process_code, documents, readers)
    if len(readers) > 1:
        raise ValueError("several readers in one pass need bulk reading (the current API)")
    return _parse_tables(process_code, responses, readers[0].parse, readers[0].tables, earlier)


SENTENCE_DATE = "%d/%m/%Y"


READINGS = (
    "crime_category",
    "crime_negligent",
    "outcome",
    "prison_modality",
    "served",
    "rehabilitated",
    "review_reasons",
)


def _sentence_reading(row: dict[str, Any], classifier: CrimeClassifier) -> dict[str, Any]:
    """What a declared sentence says, read from all its fields (the columns of READINGS)."""
    crime = classifier.classify(row.get("crime_text"))
    reading = read_sentence(row)
    values = (
        crime.category,
        crime.negligent,
        reading.outcome,
        reading.prison_modality,
        reading.served,
        reading.rehabilitated,
        "; ".join(reading.review_reasons + _also_named(crime)) or None,
    )
    return dict(zip(READINGS, values, strict=True))


# Hojas de vida read in bulk per batch: the batch's text is held at once (about 1.6 KB per document).
BULK_BATCH = 10_000
# Batches read at once, each on a thread of its own, while the caller reads the next batch's texts (DuckDB,
# which releases the GIL) and handles the batch before. The reading holds the GIL (msgspec and the rows in
# Python), so a second reader gains nothing: at 150,000, 5.0-5.3 s with two against 4.7-5.2 s with one.
BULK_READERS = 1
_ORDER = "_ordinal"


def _read_ahead(
    documents: Iterable[jne_bulk.Documents], sections: tuple[Section, ...]
) -> Iterator[tuple[jne_bulk.Documents, jne_bulk.BulkRows]]:
    """Each batch with what `jne_bulk.read` finds in it, in the order the batches come, with up to
    BULK_READERS batches being read while the caller handles the one before."""
    with ThreadPoolExecutor(BULK_READERS, thread_name_prefix="jne-bulk") as pool:
        reading: deque = deque()
        for batch in documents:
            reading.append((batch, pool.submit(jne_bulk.read, batch.table, sections)))
            if len(reading) > BULK_READERS:
                batch, future = reading.popleft()
                yield batch, future.result()
        while reading:
            batch, future = reading.popleft()
            yield batch, future.result()


def _hojas_vida_in_bulk(
    process_code: str, documents: Iterable[jne_bulk.Documents], readers: Sequence[HvReader]
) -> list[Parsed]:
    """Like `_parse_tables` for every reader, with the documents of the expected shape read in bulk
    (`jne_bulk`) and the others ("odd": not JSON, unexpected types...) by each reader's parser, one by one, as
    always; rows keep the order of the documents, then of their items, so "first of duplicates" means the same
    thing on both paths. Returns every reader's tables, in order."""
    sections = [section for reader in readers for section in reader.sections or ()]
    # (reader, table) each section's rows go to
    targets = [
        (r, min(n, len(reader.tables) - 1))
        for r, reader in enumerate(readers)
        for n, _ in enumerate(reader.sections or ())
    ]
    fast: list[list[list[pd.DataFrame]]] = [[[] for _ in reader.tables] for reader in readers]
    odd: list[list[list[Parsed]]] = [[[] for _ in reader.tables] for reader in readers]
    odd_ordinal: dict[int, int] = {}  # id of an odd document's response -> its ordinal

    def tagged(parse: Callable) -> Callable[[Fetched], Sequence[list[dict[str, Any]]]]:
        return lambda fetched: [
            [{**row, _ORDER: odd_ordinal[id(fetched)]} for row in rows] for rows in parse(fetched)
        ]

    read = 0
    for batch, bulk in _read_ahead(documents, tuple(sections)):
        for (r, t), rows in zip(targets, bulk.rows, strict=True):  # put in document order once, at the end
            fast[r][t].append(rows.rename(columns={"ordinal": _ORDER}))
        if bulk.odd:  # most batches have none: no parser call (it costs the bulk reader the GIL)
            ordinals = sorted(bulk.odd)
            odd_docs = [batch.response(n) for n in ordinals]
            odd_ordinal.clear()
            odd_ordinal.update({id(fetched): n for n, fetched in zip(ordinals, odd_docs, strict=True)})
            for reader, parts in zip(readers, odd, strict=True):
                tables = [(table, [*columns, _ORDER]) for table, columns in reader.tables]
                parsed = _parse_tables(process_code, odd_docs, tagged(reader.parse), tables)
                for mine, part in zip(parts, parsed, strict=True):
                    mine.append(part)
        read += batch.table.num_rows
    # Each reader's tables with no rows: their columns, for the tables no odd document reached.
    empty_tables = [_parse_tables(process_code, [], reader.parse, reader.tables) for reader in readers]
    if not read:
        return [p for parsed in empty_tables for p in parsed]
    out = []
    for reader, frames, parts, empty in zip(readers, fast, odd, empty_tables, strict=True):
        for table_parts, table_empty in zip(parts, empty, strict=True):
            table_parts.append(table_empty)
        bulk_rows = []
        for table_frames in frames:
            rows = _in_order(_concat(table_frames))  # sections sharing a table, batches out of order
            table_frames.clear()  # the batches' frames go as soon as their table is whole
            rows["process_code"] = process_code
            bulk_rows.append(rows)
        for (_, columns), rows, table_parts in zip(
            reader.tables, reader.finish(bulk_rows), parts, strict=True
        ):
            python_rows = _concat([part.rows for part in table_parts])
            if not python_rows.empty:  # both paths' rows, in document order
                rows = _in_order(pd.concat([rows, python_rows], ignore_index=True))
            out.append(
                Parsed(rows[columns].reset_index(drop=True), _concat([p.quarantine for p in table_parts]))
            )
    return out


def _in_order(rows: pd.DataFrame) -> pd.DataFrame:
    """Rows by document (a stable sort keeps each document's items, and its sections, in order)."""
    if rows[_ORDER].is_monotonic_increasing:
        return rows
    return rows.take(np.argsort(rows[_ORDER].to_numpy(), kind="stable")).reset_index(drop=True)


def _concat(frames: Sequence[pd.DataFrame]) -> pd.DataFrame:
    kept = [frame for frame in frames if not frame.empty]
    if not kept:
        return frames[0].iloc[0:0] if frames else pd.DataFrame()
    return pd.concat(kept, ignore_index=True) if len(kept) > 1 else kept[0].reset_index(drop=True)


def legislators(responses: Sequence[Fetched], process: Process, columns: list[str]) -> Parsed:
    """Bicameral pages carry the whole roster; unicameral ones a list page plus one profile per legislator."""
    by_source = {spec.chamber: spec for spec in process.rosters}
    profiles = {f.request.full_url: f for f in responses}

    def parse(fetched: Fetched) -> list[dict[str, Any]]:
        url = fetched.request.full_url
        for chamber in ("senado", "diputados"):
            if chamber in by_source and by_source[chamber].source == chamber and _is_roster(fetched, chamber):
                return [
                    {**row, "office": by_source[chamber].office}
                    for row in congreso.parse_bicameral_roster(fetched.content, url, chamber)
                ]
        if "congreso" in by_source and _is_roster(fetched, "congreso"):
            rows = []
            for listed in congreso.parse_unicameral_roster(fetched.content, url):
                profile = profiles.get(listed["profile_url"])
                if profile is None:
                    raise SourceFormatError(listed["profile_url"], "profile page was not fetched")
                detail = congreso.parse_unicameral_profile(profile.content, listed["profile_url"])
                rows.append(
                    {
                        **listed,
                        **{k: v for k, v in detail.items() if k != "votes"},
                        "office": by_source["congreso"].office,
                    }
                )
            return rows
        return []  # a unicameral profile page: read together with its list page

    return _parse_each("stg_legislators", process.code, responses, parse, columns)


def _is_roster(fetched: Fetched, chamber: str) -> bool:
    marker = {"senado": "senador", "diputados": "diputado", "congreso": "congresistas"}[chamber]
    return fetched.request.url.rstrip("/").endswith(marker)


def court_rulings(responses: Sequence[Fetched], columns: list[str], classifier: CrimeClassifier) -> Parsed:
    def parse(fetched: Fetched) -> list[dict[str, Any]]:
        try:
            frame = pd.read_csv(
                io.BytesIO(fetched.content), dtype=str, keep_default_na=False, encoding="utf-8"
            )
        except (ValueError, UnicodeDecodeError) as exc:
            raise SourceFormatError(fetched.request.full_url, f"not a readable UTF-8 CSV ({exc})") from None
        missing = {"ruling_id", "dni", "crime", "firm", "ruling_date"} - set(frame.columns)
        if missing:
            raise SourceFormatError(
                fetched.request.full_url, f"missing columns: {', '.join(sorted(missing))}"
            )
        rows = []
        for record in frame.replace({"": None}).to_dict("records"):
            crime = classifier.classify(record.get("crime"))
            rows.append(
                {
                    **record,
                    "firm": {"true": True, "false": False}.get(str(record.get("firm")).strip().lower()),
                    "ruling_date": pd.to_datetime(
                        record.get("ruling_date"), format="%Y-%m-%d", errors="coerce"
                    ),
                    "retrieved_date": pd.to_datetime(
                        record.get("retrieved_date"), format="%Y-%m-%d", errors="coerce"
                    ),
                    "crime_category": crime.category,
                    "crime_negligent": crime.negligent,
                }
            )
        return rows

    parsed = _parse_each("stg_court_rulings", None, responses, parse, columns + ["process_code"])
    return Parsed(parsed.rows[columns], parsed.quarantine)


CLARIDAD_PARSERS: dict[str, tuple[str, Callable[[Fetched, Campaign], list[dict[str, Any]]]]] = {
    "stg_party_finance": ("parties", claridad.parse_parties),
    "stg_contributions": ("contributions", claridad.parse_contributions),
    "stg_candidate_finance": ("roll", claridad.parse_roll),
    "stg_campaign_expenses": ("expenses", claridad.parse_expenses),
}


def claridad_table(
    table: str,
    responses: Sequence[Fetched],
    campaign: Campaign,
    columns: list[str],
    earlier: Earlier | None = None,
) -> Parsed:
    """One staged Claridad table, from the answers of the endpoint that feeds it."""
    kind, parse = CLARIDAD_PARSERS[table]
    mine = [f for f in responses if claridad.kind(f.request.url) == kind]
    return _parse_each(table, campaign.process_code, mine, lambda f: parse(f, campaign), columns, earlier)
