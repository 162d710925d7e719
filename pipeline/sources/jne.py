"""JNE Plataforma Electoral, current API (EG2026 on; DOMAIN.md section 2).

What to request and how to read it; no Dagster, no DuckDB. Lists come from the paged export endpoint
(`skip` is the 1-based page number); each candidate's hoja de vida from `/candidato/hoja-vida`.

Declared income and assets come inside the hoja de vida, in `declaracionJurada` (DOMAIN.md section 2). Item
names are those a third-party normaliser of this API reads (`ingreso[].remuBrutaPublico`, `tengoIngresos`,
`anioIngresos`; `bienInmueble[].tipoBienInmueble`, `autovaluo`; `bienMueble[].vehiculo`, `valor`); the item
ids (`idHvIngresos`, `idHvBienInmueble`, `idHvBienMueble`, like `idHvSentenciaPenal`), `partidaSunarp`,
`placa`, `marca` and `modelo` are guessed by analogy with the sentence items and the legacy names.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from pipeline.http.request import Fetched, Request
from pipeline.processes import CandidateList, Process
from pipeline.sources.amounts import amount, load_json
from pipeline.sources.errors import SourceFormatError
from pipeline.sources.personal_data import without_private

LIST_PATH = "/candidato/avanzadaexporta"
HOJA_VIDA_PATH = "/candidato/hoja-vida"


def list_request(base_url: str, process: Process, spec: CandidateList, page: int, page_size: int) -> Request:
    body = {
        "pageSize": page_size,
        "skip": page,
        "sortField": "",
        "sortDir": "",
        "filter": {"idProcesoElectoral": process.id_proceso_electoral, **spec.filter},
    }
    return Request("POST", base_url.rstrip("/") + LIST_PATH, json_body=body)


def hoja_vida_request(base_url: str, process: Process, candidate: dict[str, Any]) -> Request:
    """The full hoja de vida of one candidate row (as returned by `parse_candidates`)."""
    params = {"IdHojaVida": candidate["id_hoja_vida"]}
    return Request("GET", base_url.rstrip("/") + HOJA_VIDA_PATH, params=params)


def crawl_candidate_lists(
    fetch: Callable[[Sequence[Request]], list[Fetched]], base_url: str, process: Process, page_size: int
) -> list[Fetched]:
    """Fetch every page of every configured list: page 1 of each first, then the pages it announces."""
    firsts = fetch([list_request(base_url, process, spec, 1, page_size) for spec in process.lists])
    rest: list[Request] = []
    for spec, first in zip(process.lists, firsts, strict=True):
        if first.ok:
            try:
                _, total_pages = parse_list_page(first.content, first.request.full_url)
            except SourceFormatError:
                continue  # the parse step quarantines this response with the reason
            rest += [
                list_request(base_url, process, spec, page, page_size) for page in range(2, total_pages + 1)
            ]
    return firsts + (fetch(rest) if rest else [])


def spec_for(fetched: Fetched, process: Process) -> CandidateList:
    """The configured list a list page answers (from the filter its request sent)."""
    sent = (fetched.request.json_body or {}).get("filter", {})
    for spec in process.lists:
        if all(sent.get(key) == value for key, value in spec.filter.items()):
            return spec
    raise SourceFormatError(fetched.request.full_url, "response matches no configured candidate list")


def parse_candidates(fetched: Fetched, process: Process) -> list[dict[str, Any]]:
    """Candidate rows of one list page, in our columns."""
    rows, _ = parse_list_page(fetched.content, fetched.request.full_url)
    spec = spec_for(fetched, process)
    return [candidate_row(row, spec) for row in rows]


def _load_json(body: bytes, url: str) -> Any:
    try:
        return json.loads(body.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise SourceFormatError(url, f"response is not valid JSON ({exc})") from None


def parse_list_page(body: bytes, url: str) -> tuple[list[dict[str, Any]], int]:
    """Return the page's raw rows and the total number of pages the server reports."""
    doc = _load_json(body, url)
    if not isinstance(doc, dict) or not isinstance(doc.get("data"), list):
        raise SourceFormatError(url, "expected an object with a 'data' list (candidate list envelope)")
    rows = [row for row in doc["data"] if isinstance(row, dict)]
    if len(rows) != len(doc["data"]):
        raise SourceFormatError(url, "candidate list holds items that are not objects")
    total_pages = doc.get("totalPages")
    if not isinstance(total_pages, int) or total_pages < 0:
        raise SourceFormatError(url, f"'totalPages' must be a non-negative integer, got {total_pages!r}")
    count = doc.get("count")
    # Trust no page count beyond what the rows need: a bad answer must not ask for 80,000 pages.
    if not rows:
        total_pages = min(total_pages, 1)
    elif isinstance(count, int) and count >= 0:
        total_pages = min(total_pages, -(-count // len(rows)))
    return rows, total_pages


# A candidate list row's fields (column -> (API field, kind)): `candidate_row` reads them as sent, and so does
# `jne_bulk.list_page`, for pages whose every field holds what its kind says (text: a string; int: an integer,
# or text for the schema to judge; either may be null).
LIST_FIELDS = {
    "id_hoja_vida": ("idHojaVida", "int"),
    "dni": ("txDocId", "text"),
    "nombres": ("txNom", "text"),
    "apellido_paterno": ("txApePat", "text"),
    "apellido_materno": ("txApeMat", "text"),
    "party_id": ("idOrgPol", "int"),
    "party_name": ("txOrgPol", "text"),
    "list_position": ("nuPos", "int"),
    "status": ("txEstCand", "text"),
}
DISTRICT_FIELD = "txDistritoElectoral"  # a row's district; the list's own when the row has none
NAME_COLUMNS = ("nombres", "apellido_paterno", "apellido_materno")  # full_name, in this order
CANDIDATE_COLUMNS = (  # a candidacy row's columns, in order
    "office",
    "district",
    "id_hoja_vida",
    "dni",
    "nombres",
    "apellido_paterno",
    "apellido_materno",
    "full_name",
    "party_id",
    "party_name",
    "list_position",
    "status",
)


def candidate_row(raw: dict[str, Any], spec: CandidateList) -> dict[str, Any]:
    """Map a list row to our candidacy columns. Values stay as sent; the schema checks them."""
    row = {column: raw.get(name) for column, (name, _) in LIST_FIELDS.items()}
    row |= {
        "office": spec.office,
        "district": raw.get(DISTRICT_FIELD) or spec.district,
        "full_name": full_name(*(row[column] for column in NAME_COLUMNS)),
    }
    return {column: row[column] for column in CANDIDATE_COLUMNS}


def full_name(*names: Any) -> str:
    """Given names and surnames as one text, the empty ones left out."""
    return " ".join([str(n).strip() for n in names if n])


def parse_hoja_vida(body: bytes, url: str) -> dict[str, Any]:
    """The HV object itself (no `data` envelope); a missing sentence section is an error, not 'none'."""
    doc = _load_json(body, url)
    if not isinstance(doc, dict):
        raise SourceFormatError(url, "expected a hoja de vida object")
    for section in ("sentenciaPenal", "sentenciaObliga"):
        if not isinstance(doc.get(section), list):
            raise SourceFormatError(url, f"hoja de vida lacks the '{section}' list")
    return doc


@dataclass(frozen=True)
class Section:
    """One list of items in a hoja de vida and how its items map to our columns: data, so the per-document
    parser below and the bulk reader (`jne_bulk`) read the very same fields.

    `fields`: column -> (API field, kind). The kind says what a well-formed item holds there: `text` a string,
    `int` an integer (or its digits as a string), `money` an amount (`amounts.amount`). `declares` is the
    item's yes/no field; an item whose answer is in `declares_not` declares nothing."""

    path: tuple[str, ...]
    fields: dict[str, tuple[str, str]]
    declares: str
    declares_not: tuple[str, ...]
    constants: dict[str, Any] = field(default_factory=dict)
    # The item's own `idHojaVida`, when it has one, wins over the requested id (sentences carry it).
    own_id: str | None = None
    columns: tuple[str, ...] = ()  # the row's column order, when not id_hoja_vida then `fields`


CRIMINAL = Section(
    path=("sentenciaPenal",),
    fields={
        "item_id": ("idHvSentenciaPenal", "int"),
        "item_number": ("nuItemSentenciaPenal", "int"),
        "case_number": ("txExpedientePenal", "text"),
        "sentence_date_raw": ("feSentenciaPenal", "text"),
        "court": ("txOrganoJudiPenal", "text"),
        "crime_text": ("txDelitoPenal", "text"),
        "ruling_text": ("txFalloPenal", "text"),
        "modality": ("txModalidad", "text"),
        "other_modality": ("txOtraModalidad", "text"),
        "compliance": ("txCumpleFallo", "text"),
        "comment": ("txComentario", "text"),
    },
    declares="tengoSentenciaPenal",
    declares_not=("NO",),
    own_id="idHojaVida",
)
CIVIL = Section(
    path=("sentenciaObliga",),
    fields={
        "item_id": ("idHvSentenciaObliga", "int"),
        "item_number": ("nuItemSentenciaObliga", "int"),
        "subject": ("txMateriaSentencia", "text"),
        "case_number": ("txExpedienteObliga", "text"),
        "court": ("txOrganoJuridicialObliga", "text"),
        "ruling_text": ("txFalloObliga", "text"),
        "comment": ("txComentario", "text"),
    },
    declares="tengoSentenciaObliga",
    declares_not=("NO",),
    own_id="idHojaVida",
)
INCOME = Section(
    path=("declaracionJurada", "ingreso"),
    fields={
        "item_id": ("idHvIngresos", "int"),
        "year": ("anioIngresos", "int"),
        "public_salary": ("remuBrutaPublico", "money"),
        "private_salary": ("remuBrutaPrivado", "money"),
        "public_rent": ("rentaIndividualPublico", "money"),
        "private_rent": ("rentaIndividualPrivado", "money"),
        "public_other": ("otroIngresoPublico", "money"),
        "private_other": ("otroIngresoPrivado", "money"),
    },
    declares="tengoIngresos",
    declares_not=("NO", "2"),
)
ASSET_COLUMNS = (
    "id_hoja_vida",
    "item_id",
    "asset_kind",
    "asset_type",
    "registry_entry",
    "plate",
    "description",
    "value",
    "comment",
)
REAL_ESTATE = Section(
    path=("declaracionJurada", "bienInmueble"),
    fields={
        "item_id": ("idHvBienInmueble", "int"),
        "asset_type": ("tipoBienInmueble", "text"),
        "registry_entry": ("partidaSunarp", "text"),
        "value": ("autovaluo", "money"),
        "comment": ("comentario", "text"),
    },
    declares="tengoInmueble",
    declares_not=("NO", "2"),
    constants={"asset_kind": "real_estate", "plate": None, "description": None},
    columns=ASSET_COLUMNS,
)
# `description` is built from marca, modelo and caracteristica (`vehicle_description`).
VEHICLE = Section(
    path=("declaracionJurada", "bienMueble"),
    fields={
        "item_id": ("idHvBienMueble", "int"),
        "asset_type": ("vehiculo", "text"),
        "plate": ("placa", "text"),
        "value": ("valor", "money"),
        "comment": ("comentario", "text"),
        "marca": ("marca", "text"),
        "modelo": ("modelo", "text"),
        "caracteristica": ("caracteristica", "text"),
    },
    declares="tengoBienMueble",
    declares_not=("NO", "2"),
    constants={"asset_kind": "vehicle", "registry_entry": None},
    columns=ASSET_COLUMNS,
)
VEHICLE_PARTS = ("marca", "modelo", "caracteristica")
SENTENCE_SECTIONS = (CRIMINAL, CIVIL)
DECLARATION_SECTIONS = (INCOME, REAL_ESTATE, VEHICLE)


def section_row(section: Section, item: dict[str, Any], id_hoja_vida: int | None) -> dict[str, Any]:
    """One item as a row of our columns; values as sent (amounts as Decimal), for the schema to judge."""
    row: dict[str, Any] = {
        "id_hoja_vida": item.get(section.own_id, id_hoja_vida) if section.own_id else id_hoja_vida,
        **section.constants,
    }
    for column, (name, kind) in section.fields.items():
        row[column] = amount(item.get(name)) if kind == "money" else item.get(name)
    if section is VEHICLE:
        row["description"] = vehicle_description(*(row.pop(part) for part in VEHICLE_PARTS))
    return {column: row[column] for column in section.columns} if section.columns else row


def vehicle_description(*parts: Any) -> str | None:
    """Make, model and features as one text, as the legacy API's single field reads."""
    return " ".join(str(part).strip() for part in parts if part) or None


def criminal_rows(hv: dict[str, Any], id_hoja_vida: int) -> list[dict[str, Any]]:
    """Declared criminal sentences; items answering 'NO' (nothing to declare) are not sentences."""
    return _sentence_rows(CRIMINAL, hv, id_hoja_vida)


def civil_rows(hv: dict[str, Any], id_hoja_vida: int) -> list[dict[str, Any]]:
    """Declared judgments on obligations (alimony, contract, labour, family violence)."""
    return _sentence_rows(CIVIL, hv, id_hoja_vida)


def _sentence_rows(section: Section, hv: dict[str, Any], id_hoja_vida: int) -> list[dict[str, Any]]:
    return [
        section_row(section, item, id_hoja_vida)
        for item in hv[section.path[0]]
        if isinstance(item, dict) and str(item.get(section.declares, "")).upper() not in section.declares_not
    ]


def declarations(body: bytes, url: str, id_hoja_vida: int) -> tuple[list[dict], list[dict]]:
    """Declared income items and assets (real estate, then vehicles) of a hoja de vida, from one parse.

    A hoja de vida without `declaracionJurada` yields nothing: the response does not carry the declaration,
    which says nothing about what the candidate declared (the recorded real EG2026 documents lack it). Items
    answering 'NO' declare nothing; amounts are Decimal; the property address is never read.
    """
    doc = load_json(body, url)
    if not isinstance(doc, dict):
        raise SourceFormatError(url, "expected a hoja de vida object")
    declaration = doc.get("declaracionJurada")
    if declaration is None:
        return [], []
    if not isinstance(declaration, dict):
        raise SourceFormatError(url, "'declaracionJurada' must be an object")
    income, real_estate, vehicles = (
        [
            section_row(section, item, id_hoja_vida)
            for item in _items(declaration, section.path[-1], url)
            if _declares(item, section)
        ]
        for section in DECLARATION_SECTIONS
    )
    return income, real_estate + vehicles


def _items(declaration: dict[str, Any], section: str, url: str) -> list[dict[str, Any]]:
    items = declaration.get(section, [])
    if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
        raise SourceFormatError(url, f"'declaracionJurada.{section}' must be a list of objects")
    return without_private(items)


def _declares(item: dict[str, Any], section: Section) -> bool:
    return str(item.get(section.declares, "")).strip().upper() not in section.declares_not
