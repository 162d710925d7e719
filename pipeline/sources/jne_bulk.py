"""Hojas de vida and candidate lists of the current JNE API read in bulk (issue 6): the rows
`jne.section_row` gives, for a whole batch of documents, each decoded once by msgspec into the fields its
sections read and nothing else; and the candidacies of a list page (`list_page`) as columns.

Only documents of the expected shape are read here: JSON objects with every sentence list, every section a
list of objects, every field of the type its kind expects (`jne.Section`). Any other document is returned as
"odd" and goes through the per-document parser, so an odd document gets exactly the rows, the values as sent
and the quarantine reasons it always got.

msgspec reads JSON as Python's json module does where it matters here: the last of repeated keys wins,
integers of any size are ints, and a number with a fraction is read as a Decimal of its digits
(`float_hook`), as `amounts.load_json` reads it. What Python reads and msgspec refuses (NaN and Infinity,
lone surrogates, nesting past the recursion limit) makes a document odd. An amount is read as its raw JSON
and becomes what `amounts.amount` makes of it, one object per distinct amount in a batch.
"""

from __future__ import annotations

import re
from codecs import BOM_UTF8
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Annotated, Any, Protocol, runtime_checkable

import msgspec
import numpy as np
import pandas as pd
import pyarrow as pa

from pipeline.http.request import Fetched
from pipeline.processes import Process
from pipeline.sources import jne
from pipeline.sources.amounts import amount
from pipeline.sources.jne import VEHICLE, VEHICLE_PARTS, Section, vehicle_description

# What a field of each kind may hold in a document read here (anything else makes the document odd). The
# decoder checks it as it decodes, with no Python call per value: an integer sent as a number must be in the
# 64-bit range, a yes/no answer must be as typed (no spaces or other letters to strip or fold). Integers sent
# as digits are read by `_digits`; an amount is kept as its raw JSON text until `_Amounts` reads it.
_INT64_MIN, _INT64_MAX = -(2**63), 2**63 - 1
_KINDS: dict[str, Any] = {
    "text": str | None,
    "int": Annotated[int, msgspec.Meta(ge=_INT64_MIN, le=_INT64_MAX)] | str | None,
    "money": msgspec.Raw,
}
_ANSWER = Annotated[str, msgspec.Meta(pattern=r"^[A-Za-z0-9]*\Z")] | None
_INTEGER = re.compile(r"-?[0-9]{1,19}")  # no 64-bit integer has more digits
_UNSET = msgspec.UNSET
_VALUE = msgspec.json.Decoder(float_hook=Decimal)


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


class _Odd(Exception):
    """The document is not of the shape read here."""


def read(docs: pa.Table, sections: tuple[Section, ...]) -> BulkRows:
    """Read `sections` from `docs` (ordinal, id_hoja_vida, source_url, archive_sha256, body; body null when
    not UTF-8). Rows come ordered by document ordinal, then by item position, as the parser gives them."""
    decoder = _decoder(sections)
    found = [_Section(section) for section in sections]
    read_document = _document_reader(sections)(found)
    amounts = _Amounts()
    ordinals = docs.column("ordinal").to_pylist()
    hv_ids = docs.column("id_hoja_vida").to_pylist()
    odd: set[int] = set()
    for n, body in enumerate(utf8_views(docs.column("body"))):
        try:
            if body is None:
                raise _Odd
            read_document(decoder.decode(body), n, hv_ids[n], amounts)
        except (_Odd, msgspec.MsgspecError, RecursionError):
            odd.add(ordinals[n])
            for mine in found:
                mine.drop(n)
    return BulkRows([mine.frame(docs) for mine in found], odd)


def _decoder(sections: tuple[Section, ...]) -> msgspec.json.Decoder:
    """A decoder of documents into the lists of `sections` (a list inside an enclosing object, such as
    `declaracionJurada`, may be absent, as may the object or be null; a top-level list must be there)."""
    key = tuple(section.path for section in sections)
    if key not in _DECODERS:
        top: list[tuple[str, Any] | tuple[str, Any, Any]] = []
        enclosed: dict[str, list[tuple[str, Any, Any]]] = {}
        for section in sections:
            items = list[_item_type(section)]
            if len(section.path) == 1:
                top.append((section.path[0], items))
            else:
                enclosed.setdefault(section.path[0], []).append(
                    (section.path[1], items | msgspec.UnsetType, _UNSET)
                )
        for name, fields in enclosed.items():
            inner = msgspec.defstruct(name, fields, gc=False)
            top.append((name, inner | None | msgspec.UnsetType, _UNSET))
        document = msgspec.defstruct("HojaDeVida", top, gc=False)
        _DECODERS[key] = msgspec.json.Decoder(document, float_hook=Decimal)
    return _DECODERS[key]


_DECODERS: dict[tuple[tuple[str, ...], ...], msgspec.json.Decoder] = {}


def _item_type(section: Section) -> type:
    """An item: its yes/no answer, its fields in `section.fields` order, then its own id (when it has one). A
    missing field reads as null, as `dict.get` gives it to the parser, but for the own id (`_UNSET`)."""
    fields = [(section.declares, _ANSWER, None)]
    fields += [(name, _KINDS[kind], None) for name, kind in section.fields.values()]
    if section.own_id:
        fields.append((section.own_id, _KINDS["int"] | msgspec.UnsetType, _UNSET))
    return msgspec.defstruct(section.path[-1], fields, gc=False)


def _digits(value: str) -> int:
    """An integer sent as its digits, in the 64-bit range (the decoder checks those sent as numbers)."""
    if not _INTEGER.fullmatch(value):
        raise _Odd
    number = int(value)  # at most 20 characters (_INTEGER): within what int() takes
    if not _INT64_MIN <= number <= _INT64_MAX:
        raise _Odd
    return number


class _Amounts(dict[bytes, Any]):
    """Amounts by their raw JSON text, each as `amounts.amount` makes it of the value `amounts.load_json`
    reads, made once per distinct text in a batch."""

    def __missing__(self, text: bytes) -> Any:
        value = _VALUE.decode(text)
        if value is not None and type(value) not in (int, str, Decimal):  # an object, a list, true or false
            raise _Odd
        self[text] = made = amount(value)
        return made


# Reads one decoded document into the sections' columns: (document, its position in the batch, the requested
# id, the batch's amounts).
DocumentReader = Callable[[Any, int, int | None, _Amounts], None]


def _document_reader(sections: tuple[Section, ...]) -> Callable[[list[_Section]], DocumentReader]:
    """A function that, given the columns of each section (`_Section`), returns the `DocumentReader` that
    appends to them the items of a document that declare something, each value converted as its kind says.

    Its code is written out for the sections' fields (`_reader_source`), as `dataclasses` writes `__init__`:
    one unpacking per item and one expression per value, appended straight to its column, with no loop over
    the fields and no row to transpose afterwards (those took a third of the reading's time). A document that
    turns out odd part-way leaves rows behind for the caller to `drop`."""
    key = tuple(section.path for section in sections)
    if key not in _READERS:
        scope: dict[str, Any] = {"astuple": msgspec.structs.astuple, "_digits": _digits, "_UNSET": _UNSET}
        scope |= {f"declares_not{s}": section.declares_not for s, section in enumerate(sections)}
        exec(_reader_source(sections), scope)  # noqa: S102 - code written from our own section definitions
        _READERS[key] = scope["bind"]
    return _READERS[key]


_READERS: dict[tuple[tuple[str, ...], ...], Callable[[list[Any]], DocumentReader]] = {}


def _reader_source(sections: tuple[Section, ...]) -> str:
    """The code of `bind(found)`, which binds each column's `append` once per batch and returns the
    document reader. A row's position is appended last: a row is whole once it has its position."""
    bind, body, enclosing = [], [], None
    for s, section in enumerate(sections):
        if not all(name.isidentifier() for name in section.path):
            raise ValueError(f"section path {section.path} is not made of identifiers")
        bind += [f"position{s} = found[{s}].positions.append", f"owner{s} = found[{s}].ids.append"]
        bind += [f"column{s}_{f} = found[{s}].values[{f}].append" for f in range(len(section.fields))]
        if len(section.path) == 1:  # a top-level list: the decoder requires it
            enclosing = None
            body.append(f"items = doc.{section.path[0]}")
        else:  # a list in an enclosing object: either may be absent, the object may be null
            if section.path[0] != enclosing:
                enclosing = section.path[0]
                body.append(f"parent = doc.{enclosing}")
            body.append(f"items = () if parent is None or parent is _UNSET else parent.{section.path[1]}")
            body += ["if items is _UNSET:", "    items = ()"]
        values = [f"v{f}" for f in range(len(section.fields))]
        body += [
            "for item in items:",
            f"    {', '.join(['answer', *values, *(['own'] if section.own_id else [])])}, = astuple(item)",
            f"    if answer is None or answer.upper() not in declares_not{s}:",
            # the item's own id when it has the key, even null (as dict.get does)
            f"        owner{s}({_OWNER if section.own_id else 'hv_id'})",
        ]
        for f, (value, (_, kind)) in enumerate(zip(values, section.fields.values(), strict=True)):
            body.append(f"        column{s}_{f}({_CONVERTED[kind].format(v=value)})")
        body.append(f"        position{s}(position)")
    return "\n".join(
        [
            "def bind(found):",
            *(f"    {line}" for line in bind),
            "    def read_document(doc, position, hv_id, amounts):",
            *(f"        {line}" for line in body),
            "    return read_document",
        ]
    )


_OWNER = "hv_id if own is _UNSET else own if type(own) is not str else _digits(own)"
# A value of each kind as its column holds it.
_CONVERTED = {
    "text": "{v}",
    "int": "{v} if type({v}) is not str else _digits({v})",
    "money": "None if {v} is None else amounts[bytes({v})]",
}


_ARROW_TYPES = {"int": pa.int64(), "text": pa.string()}


class _Section:
    """The rows of one section, column by column as `_document_reader` appends them, then as a frame."""

    def __init__(self, section: Section) -> None:
        self.section = section
        self.kinds = [kind for _, kind in section.fields.values()]
        self.positions: list[int] = []  # each row's document, by its position in the batch
        self.ids: list[int | None] = []
        self.values: list[list[Any]] = [[] for _ in section.fields]

    def drop(self, position: int) -> None:
        """Forget the rows of the document at `position`, the last one read, whole or in part."""
        whole = len(self.positions)
        while whole and self.positions[whole - 1] == position:
            whole -= 1
        for column in (self.positions, self.ids, *self.values):
            del column[whole:]

    def frame(self, docs: pa.Table) -> pd.DataFrame:
        """The rows as `jne.section_row` builds them (same columns and values), plus the document ordinal.
        Text stays in Arrow-backed columns and integers in Int64; amounts as the objects `_Amounts` made.
        Every column but the amounts is made in Arrow, in its place, and converted once."""
        section = self.section
        positions = pa.array(self.positions, pa.int64())
        values = dict(zip(section.fields, self.values, strict=True))
        kinds = dict(zip(section.fields, self.kinds, strict=True))
        columns = section.columns or ("id_hoja_vida", *section.fields)
        order = ["ordinal", *columns, "source_url", "archive_sha256"]
        made: dict[str, pa.Array] = {
            "ordinal": docs.column("ordinal").take(positions),
            "id_hoja_vida": pa.array(self.ids, pa.int64()),
            "source_url": docs.column("source_url").take(positions),
            "archive_sha256": docs.column("archive_sha256").take(positions),
        }
        if section is VEHICLE:
            parts = zip(*(values[part] for part in VEHICLE_PARTS), strict=True)
            made["description"] = pa.array([vehicle_description(*p) for p in parts], pa.string())
        arrays = {}
        for column in order:
            if column in made:
                arrays[column] = made[column]
            elif column in values:
                if kinds[column] != "money":
                    arrays[column] = pa.array(values[column], _ARROW_TYPES[kinds[column]])
            else:  # text like the columns read: real estate and vehicles share their table
                arrays[column] = pa.repeat(pa.scalar(section.constants[column], pa.string()), len(positions))
        frame = pa.table(arrays).to_pandas(types_mapper={pa.int64(): pd.Int64Dtype()}.get)
        for at, column in enumerate(order):
            if column in kinds and kinds[column] == "money":
                frame.insert(at, column, pd.Series(values[column], dtype=object))
        return frame


def utf8_views(texts: pa.Array | pa.ChunkedArray) -> Iterator[memoryview | None]:
    """Each text's UTF-8 bytes, straight from the Arrow buffers, without a copy (None for a null)."""
    for chunk in texts.chunks if isinstance(texts, pa.ChunkedArray) else [texts]:
        offset_type = np.int64 if pa.types.is_large_string(chunk.type) else np.int32
        _, offsets_buffer, data_buffer = chunk.buffers()
        offsets = np.frombuffer(offsets_buffer, offset_type)[chunk.offset : chunk.offset + len(chunk) + 1]
        data = memoryview(data_buffer if data_buffer is not None else b"")
        valid = chunk.is_valid().to_pylist() if chunk.null_count else [True] * len(chunk)
        for ok, start, end in zip(valid, offsets[:-1].tolist(), offsets[1:].tolist(), strict=True):
            yield data[start:end] if ok else None


def list_page(fetched: Fetched, process: Process) -> dict[str, list[Any]] | None:
    """The candidacies of a list page as `jne.parse_candidates` gives them (the same columns and values), as
    columns, when the page is of the expected shape: an object with `totalPages` a non-negative integer and
    `data` a list of objects whose every field of `jne.LIST_FIELDS` holds what its kind says. None for any
    other page, which the parser reads (and quarantines with its reason, when it must)."""
    try:
        page = _LIST_PAGE.decode(fetched.content)
    except (msgspec.MsgspecError, RecursionError):
        return None
    if page.totalPages < 0:
        return None
    spec = jne.spec_for(fetched, process)
    district, *fields = [list(c) for c in zip(*map(msgspec.structs.astuple, page.data), strict=True)] or [
        [] for _ in range(len(jne.LIST_FIELDS) + 1)
    ]
    columns = dict(zip(jne.LIST_FIELDS, fields, strict=True))
    names = zip(*(columns[column] for column in jne.NAME_COLUMNS), strict=True)
    columns |= {
        "office": [spec.office] * len(district),
        "district": [value or spec.district for value in district],
        "full_name": [jne.full_name(*parts) for parts in names],
    }
    return {column: columns[column] for column in jne.CANDIDATE_COLUMNS}


def _list_decoder() -> msgspec.json.Decoder:
    """A list page: its rows' district, then the fields of `jne.LIST_FIELDS` (null when missing, as
    `dict.get` gives them to the parser), and `totalPages` (the parser refuses a page without it)."""
    row = msgspec.defstruct(
        "ListRow",
        [(jne.DISTRICT_FIELD, str | None, None)]
        + [(name, _KINDS[kind], None) for name, kind in jne.LIST_FIELDS.values()],
        gc=False,
    )
    page = msgspec.defstruct("ListPage", [("data", list[row]), ("totalPages", int)], gc=False)
    return msgspec.json.Decoder(page)


_LIST_PAGE = _list_decoder()
