"""Hojas de vida read in bulk (pipeline/sources/jne_bulk.py) give exactly what the per-document
parser gives: the same valid rows and the same quarantine rows, after validation, for real recorded documents,
invented benchmark documents and odd ones, mixed; odd documents are the only ones left to the parser."""

from __future__ import annotations

import dataclasses
import gzip
import hashlib
import json
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

import pandas as pd
import pytest

from benchmarks.generate import generate_rows, list_specs
from pipeline import incremental, staging
from pipeline.http.archive import TEXTS_SUFFIX, Archive
from pipeline.http.request import Fetched, Request
from pipeline.processes import get_process
from pipeline.rules.crimes import CrimeClassifier
from pipeline.schemas import candidates as candidates_schema
from pipeline.schemas import civil_sentences, criminal_sentences, declared_assets, declared_income
from pipeline.settings import RECORDINGS_DIR
from pipeline.sources import jne, jne_bulk
from pipeline.validate import split_valid

RECORDINGS = RECORDINGS_DIR / "jne" / "hoja-vida"
PROCESS = get_process("EG2026")
URL = "http://127.0.0.1:9/api/v1/candidato/hoja-vida"
# The per-document parser alone: the same module without the sections that switch bulk reading on.
PER_DOCUMENT = SimpleNamespace(
    **{
        name: getattr(jne, name)
        for name in ("parse_hoja_vida", "criminal_rows", "civil_rows", "declarations")
    }
)

SENTENCE = {
    "idHvSentenciaPenal": 99_500_001,
    "tengoSentenciaPenal": "SI",
    "nuItemSentenciaPenal": 1,
    "txExpedientePenal": "99001-2019-0-1801-JR-PE-01",
    "feSentenciaPenal": "10/08/2020",
    "txOrganoJudiPenal": "JUZGADO PENAL DEMOSTRATIVO",
    "txDelitoPenal": "PECULADO DOLOSO",
    "txFalloPenal": "CUATRO AÑOS DE PENA PRIVATIVA DE LIBERTAD",
    "txModalidad": "SUSPENDIDA",
    "txOtraModalidad": None,
    "txCumpleFallo": "PENA CUMPLIDA",
    "txComentario": None,
}
INCOME = {
    "idHvIngresos": 99_600_001,
    "tengoIngresos": "SI",
    "anioIngresos": "2025",
    "remuBrutaPublico": 1234.5,
    "remuBrutaPrivado": 0,
    "rentaIndividualPublico": 0.0,
    "rentaIndividualPrivado": "100.10",
    "otroIngresoPublico": None,
    "otroIngresoPrivado": 0.05,
}
VEHICLE = {
    "idHvBienMueble": 99_700_001,
    "tengoBienMueble": "SI",
    "vehiculo": "AUTOMOVIL",
    "marca": " MARCA ",
    "modelo": "",
    "placa": "ZZ1-001",
    "valor": 15000,
}


def _hv(hv_id: int, **changes: Any) -> dict[str, Any]:
    """An invented hoja de vida (DNI 99...) with one sentence, one income item and one vehicle."""
    doc = {
        "datoGeneral": {"txDocumentoIdentidad": f"99{hv_id:06d}"[-8:], "txNombres": "INVENTADA"},
        "sentenciaPenal": [{**SENTENCE, "idHvSentenciaPenal": 99_500_000 + hv_id}],
        "sentenciaObliga": [],
        "declaracionJurada": {
            "ingreso": [{**INCOME, "idHvIngresos": 99_600_000 + hv_id}],
            "bienMueble": [{**VEHICLE, "idHvBienMueble": 99_700_000 + hv_id}],
        },
    }
    doc.update(changes)
    return doc


def _item(section: str, **changes: Any) -> list[dict[str, Any]]:
    return [{**{"sentenciaPenal": SENTENCE, "ingreso": INCOME, "bienMueble": VEHICLE}[section], **changes}]


def _declaring(**sections: Any) -> dict[str, Any]:
    return {
        "declaracionJurada": {
            "ingreso": _item("ingreso"),
            "bienMueble": _item("bienMueble"),
            **sections,
        }
    }


# Documents the bulk reader must leave to the per-document parser, each for a reason of its own.
ODD: dict[str, bytes] = {
    "not JSON": b'{"sentenciaPenal": [',
    "not UTF-8": b'{"sentenciaPenal": [], "sentenciaObliga": [], "x": "\xff"}',
    "an array": b"[]",
    "an array of objects": b'[{"sentenciaPenal": [], "sentenciaObliga": []}]',
    "text": b'"sentenciaPenal"',
    "an empty object": b"{}",
    "no sentence list": json.dumps({"sentenciaObliga": []}).encode(),
    "sentence list is null": json.dumps(_hv(1, sentenciaPenal=None)).encode(),
    "item not an object": json.dumps(_hv(2, sentenciaPenal=["SI"])).encode(),
    "crime as a number": json.dumps(_hv(3, sentenciaPenal=_item("sentenciaPenal", txDelitoPenal=5))).encode(),
    "crime as an object": json.dumps(
        _hv(4, sentenciaPenal=_item("sentenciaPenal", txDelitoPenal={"a": 1}))
    ).encode(),
    "ruling as true": json.dumps(_hv(5, sentenciaPenal=_item("sentenciaPenal", txFalloPenal=True))).encode(),
    "id as a fraction": json.dumps(
        _hv(6, sentenciaPenal=_item("sentenciaPenal", idHvSentenciaPenal=1.5))
    ).encode(),
    "lone surrogate": json.dumps(_hv(8)).replace("PECULADO", "PECULADO \\ud800", 1).encode(),
    "answer with spaces": json.dumps(
        _hv(9, sentenciaPenal=_item("sentenciaPenal", tengoSentenciaPenal=" NO"))
    ).encode(),
    "answer in other letters": json.dumps(
        _hv(10, sentenciaPenal=_item("sentenciaPenal", tengoSentenciaPenal="ｎｏ"))
    ).encode(),
    "declaration not an object": json.dumps(_hv(15, declaracionJurada=[])).encode(),
    "item null": json.dumps(_hv(35, sentenciaPenal=[None])).encode(),
    "income list is null": json.dumps({**_hv(16), **_declaring(ingreso=None)}).encode(),
    "id as text": json.dumps(
        _hv(25, sentenciaPenal=_item("sentenciaPenal", idHvSentenciaPenal="X1"))
    ).encode(),
    "item number of 5,000 digits": json.dumps(
        _hv(36, sentenciaPenal=_item("sentenciaPenal", nuItemSentenciaPenal="9" * 5000))
    ).encode(),
    "id beyond 64 bits": json.dumps(
        _hv(17, sentenciaPenal=_item("sentenciaPenal", idHvSentenciaPenal=2**64 + 1))
    ).encode(),
    "id as digits beyond 64 bits": json.dumps(
        _hv(37, sentenciaPenal=_item("sentenciaPenal", idHvSentenciaPenal=str(2**63)))
    ).encode(),
    "answer ending in a line break": json.dumps(
        _hv(38, sentenciaPenal=_item("sentenciaPenal", tengoSentenciaPenal="NO\n"))
    ).encode(),
    # Odd only after rows of the same document were read: none of them may stay.
    "second item odd": json.dumps(
        _hv(39, sentenciaPenal=_item("sentenciaPenal") + _item("sentenciaPenal", idHvSentenciaPenal="X2"))
    ).encode(),
    "vehicle amount true after sentences and income": json.dumps(
        {**_hv(40), **_declaring(bienMueble=_item("bienMueble", valor=True))}
    ).encode(),
    # msgspec refuses these (not JSON); Python refuses them too, or reads a float.
    "trailing comma": json.dumps(_hv(18)).replace("}]", "},]", 1).encode(),
    "nan amount": json.dumps({**_hv(19), **_declaring(ingreso=_item("ingreso", remuBrutaPublico=1))})
    .replace('"remuBrutaPublico": 1', '"remuBrutaPublico": nan')
    .encode(),
    "NaN amount": json.dumps(
        {**_hv(31), **_declaring(ingreso=_item("ingreso", remuBrutaPublico=float("nan")))}
    ).encode(),
    "-Infinity amount": json.dumps(
        {**_hv(32), **_declaring(ingreso=_item("ingreso", remuBrutaPublico=float("-inf")))}
    ).encode(),
}
# Documents of the expected shape that still hold values the schemas quarantine: read in bulk.
ODD_VALUES_READ_IN_BULK: dict[str, bytes] = {
    "no declaration": json.dumps(_hv(20, declaracionJurada=None)).encode(),
    "declaration without lists": json.dumps(_hv(21, declaracionJurada={})).encode(),
    "BOM": "\ufeff".encode() + json.dumps(_hv(22)).encode(),
    "bad date": json.dumps(
        _hv(23, sentenciaPenal=_item("sentenciaPenal", feSentenciaPenal="2020-08-10"))
    ).encode(),
    "negative amount": json.dumps(
        {**_hv(24), **_declaring(ingreso=_item("ingreso", remuBrutaPublico=-5))}
    ).encode(),
    "item's own id null": json.dumps(
        _hv(26, sentenciaPenal=_item("sentenciaPenal", idHojaVida=None))
    ).encode(),
    "not declared": json.dumps(
        _hv(27, sentenciaPenal=_item("sentenciaPenal", tengoSentenciaPenal="NO"))
    ).encode(),
    "declared twice": json.dumps(_hv(28, sentenciaPenal=_item("sentenciaPenal") * 2)).encode(),
    "replacement character": json.dumps(_hv(29)).replace("PECULADO", "PECULADO \ufffd", 1).encode(),
    "text like a literal": json.dumps(
        _hv(33, sentenciaPenal=_item("sentenciaPenal", txFalloPenal="INFUNDADO: inferior, nanas, infinity2"))
    ).encode(),
    "court null": json.dumps(  # a review reason names the empty field as the parser reads it
        _hv(34, sentenciaPenal=_item("sentenciaPenal", txOrganoJudiPenal=None))
    ).encode(),
    "over-long crime": json.dumps(
        _hv(30, sentenciaPenal=_item("sentenciaPenal", txDelitoPenal="X" * 5000))
    ).encode(),
    # Python's json and msgspec read these alike: the last of repeated keys, an amount's exact digits.
    "repeated key": b'{"sentenciaPenal": [], "sentenciaObliga": [], "sentenciaPenal": []}',
    "repeated key in an item": json.dumps(_hv(7))
    .replace('"SI"', '"NO", "tengoSentenciaPenal": "SI"', 1)
    .encode(),
    "amount with 18 digits": b'{"sentenciaPenal": [], "sentenciaObliga": [], "declaracionJurada": '
    b'{"ingreso": [{"idHvIngresos": 99600011, "anioIngresos": "2025", '
    b'"remuBrutaPublico": 1234567890123456.78}]}}',
    "amount with three decimals": json.dumps(
        {**_hv(12), **_declaring(ingreso=_item("ingreso", remuBrutaPublico=10.125))}
    ).encode(),
    "amount as padded text": json.dumps(
        {**_hv(13), **_declaring(ingreso=_item("ingreso", remuBrutaPublico=" 12"))}
    ).encode(),
    "amount as words": json.dumps(
        {**_hv(14), **_declaring(ingreso=_item("ingreso", remuBrutaPublico="MIL"))}
    ).encode(),
    "repeated key in the declaration": json.dumps({**_hv(34), **_declaring(ingreso=[])})
    .replace('"ingreso": []', '"ingreso": [], "ingreso": ' + json.dumps(_item("ingreso")), 1)
    .encode(),
}


def _fetched(hv_id: int, body: bytes) -> Fetched:
    request = Request("GET", URL, params={"IdHojaVida": str(hv_id)})
    sha = hashlib.sha256(body).hexdigest()
    return Fetched(request, 200, sha, body, "application/json", datetime.now(UTC), 0)


def _documents() -> tuple[list[Fetched], set[int]]:
    """Real recordings, invented benchmark documents and the odd ones interleaved; the odd ones' positions."""
    normal = [_fetched(int(path.stem), path.read_bytes()) for path in sorted(RECORDINGS.glob("*.json"))]
    spec = next(s for s in list_specs() if s["office"] != "PRESIDENCIA")
    normal += [
        _fetched(7_000_001 + n, hv)
        for n, (_, hv) in enumerate(generate_rows(spec, 0, 400, seed=3, ordinal=0))
    ]
    normal += [_fetched(99_000 + n, body) for n, body in enumerate(ODD_VALUES_READ_IN_BULK.values())]
    docs: list[Fetched] = []
    odd: set[int] = set()
    for n, body in enumerate(ODD.values()):
        docs += normal[n * 20 : (n + 1) * 20]
        odd.add(len(docs))
        docs.append(_fetched(99_100 + n, body))
    docs += normal[len(ODD) * 20 :]
    return docs, odd


def _validated(parsed: tuple[staging.Parsed, ...], schemas: list[Any]) -> list[pd.DataFrame]:
    out = []
    for part, schema in zip(parsed, schemas, strict=True):
        outcome = split_valid(part.rows, schema, schema.name)
        quarantine = pd.concat([part.quarantine, outcome.quarantine], ignore_index=True)
        out += [outcome.valid.reset_index(drop=True), quarantine.drop(columns=["quarantined_at"])]
    return out


def _sentences(docs: list[Fetched], module: Any) -> list[pd.DataFrame]:
    schemas = [criminal_sentences.schema, civil_sentences.schema]
    columns = (list(schemas[0].columns), list(schemas[1].columns))
    parsed = staging.sentences(docs, PROCESS, module, columns, CrimeClassifier.from_csv())
    return _validated(parsed, schemas)


def _declarations(docs: list[Fetched], module: Any) -> list[pd.DataFrame]:
    schemas = [declared_income.schema_for("EG2026"), declared_assets.schema_for("EG2026")]
    columns = (list(schemas[0].columns), list(schemas[1].columns))
    return _validated(staging.declarations(docs, PROCESS, module, columns), schemas)


@pytest.fixture(scope="module")
def documents() -> tuple[list[Fetched], set[int]]:
    return _documents()


def test_only_odd_documents_are_left_to_the_parser(documents) -> None:
    docs, odd = documents
    both = (*jne.SENTENCE_SECTIONS, *jne.DECLARATION_SECTIONS)
    read = jne_bulk.read(jne_bulk.documents(docs, 0, staging._hv_id).table, both)
    assert read.odd == odd
    assert all(len(rows) for rows in read.rows)  # every section was read in bulk


@pytest.mark.parametrize("readers", [1, 3])
@pytest.mark.parametrize("read", [_sentences, _declarations], ids=["sentences", "declarations"])
def test_bulk_reading_gives_what_the_parser_gives(documents, read, readers, monkeypatch) -> None:
    docs, _ = documents
    bulk = read(docs, jne)
    monkeypatch.setattr(staging, "BULK_BATCH", 7)  # many batches, odd documents at batch edges
    monkeypatch.setattr(staging, "BULK_READERS", readers)  # batches read one at a time, or three side by side
    assert bulk[0].shape[0] > 30 and bulk[1].shape[0] >= 5  # valid rows and quarantine rows both compared
    for got, small_batches, expected in zip(bulk, read(docs, jne), read(docs, PER_DOCUMENT), strict=True):
        pd.testing.assert_frame_equal(got, expected)
        pd.testing.assert_frame_equal(small_batches, expected)


def test_no_documents_give_empty_tables_with_their_columns() -> None:
    for got, expected in zip(_sentences([], jne), _sentences([], PER_DOCUMENT), strict=True):
        assert list(got.columns) == list(expected.columns) and got.empty


@pytest.mark.parametrize("first", [2_048, 7])
def test_archived_texts_give_what_the_responses_give(documents, tmp_path, monkeypatch, first) -> None:
    """Read from the archive's text files by DuckDB, the documents give the rows the responses give. Among
    them: bodies still in an open segment (no text file yet), a text that does not hash to its sha (a
    damaged copy) and a body that is not UTF-8 (no text at all) are read from the segments instead. Also
    when DuckDB's vectors are smaller than a batch and are gathered into batches (`first`)."""
    monkeypatch.setattr(incremental, "TEXTS_FIRST", first)
    docs, _ = documents
    docs = sorted(docs, key=lambda f: (f.sha256, f.request.full_url))  # the order `pending` gives
    root = tmp_path / "archive"
    with Archive(root) as archive:
        for fetched in docs[:-5]:
            archive.put(fetched.content)
    [texts] = (root / "segments").glob(f"*{TEXTS_SUFFIX}")
    lines = gzip.decompress(texts.read_bytes()).decode().splitlines(keepends=True)
    damaged = next(n for n, line in enumerate(lines) if "PECULADO" in line)
    lines[damaged] = lines[damaged].replace("PECULADO", "COHECHO", 1)
    texts.write_bytes(gzip.compress("".join(lines).encode()))
    still_open = Archive(root)
    for fetched in docs[-5:]:
        still_open.put(fetched.content)
    to_parse = _to_parse(docs)
    archived = incremental.ArchivedBodies(to_parse, Archive(root))
    read_one_by_one = []
    monkeypatch.setattr(incremental, "bodies", _counting(incremental.bodies, read_one_by_one))
    monkeypatch.setattr(staging, "BULK_BATCH", 50)
    for read in (_sentences, _declarations):
        got, expected = read(archived, jne), read(docs, jne)
        for mine, theirs in zip(got, expected, strict=True):  # rows in the order their documents came
            pd.testing.assert_frame_equal(_sorted(mine), _sorted(theirs))
    not_utf8 = sum(1 for f in docs if not _is_utf8(f.content))
    assert not_utf8 and read_one_by_one == [5 + 1 + not_utf8] * 2  # the rest came from the text file
    still_open.close()


def test_a_body_stored_in_two_text_files_is_one_document(documents, tmp_path) -> None:
    """Two processes that crawled at once may both store a body: it is read from one text file only, with its
    hoja de vida's own columns."""
    docs, _ = documents
    root = tmp_path / "archive"
    first, second = Archive(root, share_index=False), Archive(root, share_index=False)
    first.put(docs[0].content)
    second.put(docs[1].content)  # each process has read the index before the other stored docs[2]
    for archive in (first, second):
        archive.put(docs[2].content)
        archive.close()
    texts = list((root / "segments").glob(f"*{TEXTS_SUFFIX}"))
    assert len(texts) == 2 and all(docs[2].sha256 in gzip.decompress(t.read_bytes()).decode() for t in texts)
    archived = incremental.ArchivedBodies(_to_parse(docs[:3]), Archive(root, share_index=False))
    read = pd.concat([d.table.to_pandas() for d in archived.documents(50)], ignore_index=True)
    assert sorted(read["source_url"]) == sorted(f.request.full_url for f in docs[:3])
    assert list(read["ordinal"]) == [0, 1, 2]
    by_url = {f.request.full_url: f for f in docs[:3]}
    for row in read.itertuples():
        assert (row.id_hoja_vida, row.archive_sha256) == (
            staging._hv_id(by_url[row.source_url]),
            by_url[row.source_url].sha256,
        )


def test_archived_texts_are_read_without_a_leading_bom(tmp_path, monkeypatch) -> None:
    """A body sent with a byte order mark is stored with it (the text hashes to the body's sha256) and read
    without it, as the per-document parser reads it, so it is read in bulk instead of found odd."""
    with_bom, plain = "\ufeff".encode() + b'{"idHojaVida": 99000001}', b'{"idHojaVida": 99000002}'
    with Archive(tmp_path / "archive") as archive:
        shas = [archive.put(body) for body in (with_bom, plain)]
    ids, urls = [99000001, 99000002], [URL + "/1", URL + "/2"]
    to_parse = pd.DataFrame({"id_hoja_vida": ids, "method": "GET", "url": urls, "sha256": shas})
    read_one_by_one: list[int] = []
    monkeypatch.setattr(incremental, "bodies", _counting(incremental.bodies, read_one_by_one))
    [batch] = incremental.ArchivedBodies(to_parse, Archive(tmp_path / "archive")).documents(50)
    assert read_one_by_one == [0]  # both from the text file
    read = batch.table.to_pandas().set_index("id_hoja_vida")
    assert list(read["body"]) == ['{"idHojaVida": 99000001}', plain.decode()]
    assert list(read["archive_sha256"]) == [hashlib.sha256(b).hexdigest() for b in (with_bom, plain)]


def _to_parse(docs: list[Fetched]) -> pd.DataFrame:
    """The frame `incremental.pending` gives for these documents."""
    return pd.DataFrame(
        {
            "id_hoja_vida": [staging._hv_id(f) for f in docs],
            "method": "GET",
            "url": [f.request.full_url for f in docs],
            "sha256": [f.sha256 for f in docs],
        }
    )


def _counting(bodies: Any, counts: list[int]) -> Any:
    def counted(to_parse: pd.DataFrame, archive: Archive) -> Any:
        counts.append(len(to_parse))
        return bodies(to_parse, archive)

    return counted


def _is_utf8(body: bytes) -> bool:
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _sorted(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.sort_values(list(frame.columns), key=lambda c: c.astype(str)).reset_index(drop=True)


def test_a_damaged_text_file_leaves_every_body_to_the_segments(documents, tmp_path, caplog) -> None:
    docs = sorted(documents[0], key=lambda f: (f.sha256, f.request.full_url))[:60]
    with Archive(tmp_path / "archive") as archive:
        for fetched in docs:
            archive.put(fetched.content)
    [texts] = (tmp_path / "archive" / "segments").glob(f"*{TEXTS_SUFFIX}")
    texts.write_bytes(texts.read_bytes()[:-40])  # cut short: not a whole gzip stream
    to_parse = _to_parse(docs)
    got = _sentences(incremental.ArchivedBodies(to_parse, Archive(tmp_path / "archive")), jne)
    for mine, theirs in zip(got, _sentences(docs, jne), strict=True):
        pd.testing.assert_frame_equal(_sorted(mine), _sorted(theirs))
    assert "text files failed" in caplog.text


# Candidate list pages: the rows `jne.parse_candidates` gives, read in bulk (`jne_bulk.list_page`).
LISTS = RECORDINGS.parent / "lists"
ROW = {
    "idOrgPol": 99_100_001,
    "txNom": "ANA",
    "txApePat": "EJEMPLO",
    "txApeMat": "MUESTRA",
    "txOrgPol": "PARTIDO DEMOSTRATIVO",
    "txDocId": "99000001",
    "txEstCand": "INSCRITO",
    "nuPos": 1,
    "idHojaVida": 99_000_001,
}


def _page(*rows: dict[str, Any], **envelope: Any) -> bytes:
    return json.dumps({"data": list(rows), "count": len(rows), "totalPages": 1, **envelope}).encode()


def _row(n: int, **changes: Any) -> dict[str, Any]:
    return {**ROW, "txDocId": f"99{n:06d}", "idHojaVida": 99_000_000 + n, **changes}


# Pages left to the parser (not of the expected shape), and pages read in bulk with values the schema judges.
ODD_PAGES: dict[str, bytes] = {
    "not JSON": b'{"data": [',
    "BOM": "\ufeff".encode() + _page(_row(1)),
    "NaN": _page(_row(2, nuPos=float("nan"))),
    "lone surrogate": _page(_row(3)).replace(b"ANA", b"ANA \\ud800", 1),
    "dni as a number": _page(_row(4, txDocId=99000004)),
    "name as an object": _page(_row(5, txNom={"a": 1})),
    "position as true": _page(_row(6, nuPos=True)),
    "position as a fraction": _page(_row(7, nuPos=1.5)),
    "row not an object": _page(_row(8), "x"),
    "data not a list": json.dumps({"data": {"a": 1}, "totalPages": 1}).encode(),
    "no total pages": json.dumps({"data": [_row(9)]}).encode(),
    "negative total pages": _page(_row(10), totalPages=-1),
    "total pages as text": _page(_row(11), totalPages="1"),
}
PAGES_READ_IN_BULK: dict[str, bytes] = {
    "empty": _page(),
    "missing and null fields": _page(_row(12, txApeMat=None), {"idHojaVida": 99_000_013, "txNom": "SOLO"}),
    "id as digits": _page(_row(14, idHojaVida="99000014")),
    "id as words": _page(_row(15, idHojaVida="NUEVE")),
    "district of its own and blank": _page(
        _row(16, txDistritoElectoral="LIMA"), _row(17, txDistritoElectoral="")
    ),
    "names to trim and accents": _page(_row(18, txNom="  JOSÉ ", txApeMat="")),
    "repeated key": _page(_row(19)).replace(b'"txNom": "ANA"', b'"txNom": "X", "txNom": "ANA"', 1),
    "bad DNI": _page(_row(20, txDocId="1234")),
    "id of 5,000 digits": _page(_row(22, idHojaVida="9" * 5000)),
    "unknown status": _page(_row(21, txEstCand="OTRO")),
}


def _list_pages() -> list[Fetched]:
    """Recorded pages, a generated page of 400, and the odd pages, each answering one page of a list."""
    process_lists = PROCESS.lists
    bodies = [(int(p.stem.split("-")[0]), p.read_bytes()) for p in sorted(LISTS.glob("*.json"))]
    spec = next(s for s in list_specs() if s["office"] != "PRESIDENCIA")
    generated = [json.loads(row) for row, _ in generate_rows(spec, 0, 400, seed=3, ordinal=0)]
    bodies.append((1, json.dumps({"data": generated, "count": 400, "totalPages": 1}).encode()))
    bodies += [(2, body) for body in (*ODD_PAGES.values(), *PAGES_READ_IN_BULK.values())]
    pages = []
    for n, (list_index, body) in enumerate(bodies):
        request = jne.list_request("http://127.0.0.1:9/api/v1", PROCESS, process_lists[list_index], n + 1, 50)
        pages.append(Fetched(request, 200, hashlib.sha256(body).hexdigest(), body, "", datetime.now(UTC), 0))
    return pages


def test_only_odd_list_pages_are_left_to_the_parser() -> None:
    read = {n: jne_bulk.list_page(page, PROCESS) is not None for n, page in enumerate(_list_pages())}
    odd = {n for n, bulk in read.items() if not bulk}
    first_odd = len(read) - len(ODD_PAGES) - len(PAGES_READ_IN_BULK)
    assert odd == set(range(first_odd, first_odd + len(ODD_PAGES)))


def test_list_pages_read_in_bulk_give_what_the_parser_gives() -> None:
    pages = _list_pages()
    for first in (pages[0], pages[-1]):  # a page before, word for word: unreadable
        filter_ = first.request.json_body["filter"]
        spec = next(s for s in PROCESS.lists if all(filter_.get(k) == v for k, v in s.filter.items()))
        again = jne.list_request("http://127.0.0.1:9/api/v1", PROCESS, spec, len(pages) + 1, 50)
        pages.append(dataclasses.replace(first, request=again))
    schema = candidates_schema.schema
    columns = list(schema.columns)
    per_page = SimpleNamespace(parse_candidates=jne.parse_candidates)
    bulk = _validated((staging.candidates(pages, PROCESS, jne, columns),), [schema])
    parser = _validated((staging.candidates(pages, PROCESS, per_page, columns),), [schema])
    assert bulk[0].shape[0] > 500 and bulk[1].shape[0] >= 10  # valid rows and quarantine rows both compared
    for got, expected in zip(bulk, parser, strict=True):
        pd.testing.assert_frame_equal(got, expected)
