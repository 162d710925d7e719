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


def _spec_for(fetched: Fetched, process: Process) -> CandidateList:
    sent = (fetched.request.json_body or {}).get("filter", {})
    for spec in process.lists:
        if all(sent.get(key) == value for key, value in spec.filter.items()):
            return spec
    raise SourceFormatError(fetched.request.full_url, "response matches no configured candidate list")


def parse_candidates(fetched: Fetched, process: Process) -> list[dict[str, Any]]:
    """Candidate rows of one list page, in our columns."""
    rows, _ = parse_list_page(fetched.content, fetched.request.full_url)
    spec = _spec_for(fetched, process)
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


def candidate_row(raw: dict[str, Any], spec: CandidateList) -> dict[str, Any]:
    """Map a list row to our candidacy columns. Values stay as sent; the schema checks them."""
    names = [raw.get("txNom"), raw.get("txApePat"), raw.get("txApeMat")]
    return {
        "office": spec.office,
        "district": raw.get("txDistritoElectoral") or spec.district,
        "id_hoja_vida": raw.get("idHojaVida"),
        "dni": raw.get("txDocId"),
        "nombres": raw.get("txNom"),
        "apellido_paterno": raw.get("txApePat"),
        "apellido_materno": raw.get("txApeMat"),
        "full_name": " ".join(str(n).strip() for n in names if n),
        "party_id": raw.get("idOrgPol"),
        "party_name": raw.get("txOrgPol"),
        "list_position": raw.get("nuPos"),
        "status": raw.get("txEstCand"),
    }


def parse_hoja_vida(body: bytes, url: str) -> dict[str, Any]:
    """The HV object itself (no `data` envelope); a missing sentence section is an error, not 'none'."""
    doc = _load_json(body, url)
    if not isinstance(doc, dict):
        raise SourceFormatError(url, "expected a hoja de vida object")
    for section in ("sentenciaPenal", "sentenciaObliga"):
        if not isinstance(doc.get(section), list):
            raise SourceFormatError(url, f"hoja de vida lacks the '{section}' list")
    return doc


def criminal_rows(hv: dict[str, Any], id_hoja_vida: int) -> list[dict[str, Any]]:
    """Declared criminal sentences; items answering 'NO' (nothing to declare) are not sentences."""
    rows = []
    for item in hv["sentenciaPenal"]:
        if not isinstance(item, dict) or str(item.get("tengoSentenciaPenal", "")).upper() == "NO":
            continue
        rows.append(
            {
                "id_hoja_vida": item.get("idHojaVida", id_hoja_vida),
                "item_id": item.get("idHvSentenciaPenal"),
                "item_number": item.get("nuItemSentenciaPenal"),
                "case_number": item.get("txExpedientePenal"),
                "sentence_date_raw": item.get("feSentenciaPenal"),
                "court": item.get("txOrganoJudiPenal"),
                "crime_text": item.get("txDelitoPenal"),
                "ruling_text": item.get("txFalloPenal"),
                "modality": item.get("txModalidad"),
                "other_modality": item.get("txOtraModalidad"),
                "compliance": item.get("txCumpleFallo"),
                "comment": item.get("txComentario"),
            }
        )
    return rows


def civil_rows(hv: dict[str, Any], id_hoja_vida: int) -> list[dict[str, Any]]:
    """Declared judgments on obligations (alimony, contract, labour, family violence)."""
    rows = []
    for item in hv["sentenciaObliga"]:
        if not isinstance(item, dict) or str(item.get("tengoSentenciaObliga", "")).upper() == "NO":
            continue
        rows.append(
            {
                "id_hoja_vida": item.get("idHojaVida", id_hoja_vida),
                "item_id": item.get("idHvSentenciaObliga"),
                "item_number": item.get("nuItemSentenciaObliga"),
                "subject": item.get("txMateriaSentencia"),
                "case_number": item.get("txExpedienteObliga"),
                "court": item.get("txOrganoJuridicialObliga"),
                "ruling_text": item.get("txFalloObliga"),
                "comment": item.get("txComentario"),
            }
        )
    return rows


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
    income, real_estate, vehicles = (_items(declaration, name, url) for name in SECTIONS)
    return (
        [_income_row(item, id_hoja_vida) for item in income if _declares(item, "tengoIngresos")],
        [_real_estate_row(item, id_hoja_vida) for item in real_estate if _declares(item, "tengoInmueble")]
        + [_vehicle_row(item, id_hoja_vida) for item in vehicles if _declares(item, "tengoBienMueble")],
    )


SECTIONS = ("ingreso", "bienInmueble", "bienMueble")


def _items(declaration: dict[str, Any], section: str, url: str) -> list[dict[str, Any]]:
    items = declaration.get(section, [])
    if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
        raise SourceFormatError(url, f"'declaracionJurada.{section}' must be a list of objects")
    return without_private(items)


def _declares(item: dict[str, Any], flag: str) -> bool:
    return str(item.get(flag, "")).strip().upper() not in ("NO", "2")


def _income_row(item: dict[str, Any], id_hoja_vida: int) -> dict[str, Any]:
    return {
        "id_hoja_vida": id_hoja_vida,
        "item_id": item.get("idHvIngresos"),
        "year": item.get("anioIngresos"),
        "public_salary": amount(item.get("remuBrutaPublico")),
        "private_salary": amount(item.get("remuBrutaPrivado")),
        "public_rent": amount(item.get("rentaIndividualPublico")),
        "private_rent": amount(item.get("rentaIndividualPrivado")),
        "public_other": amount(item.get("otroIngresoPublico")),
        "private_other": amount(item.get("otroIngresoPrivado")),
    }


def _real_estate_row(item: dict[str, Any], id_hoja_vida: int) -> dict[str, Any]:
    return {
        "id_hoja_vida": id_hoja_vida,
        "item_id": item.get("idHvBienInmueble"),
        "asset_kind": "real_estate",
        "asset_type": item.get("tipoBienInmueble"),
        "registry_entry": item.get("partidaSunarp"),
        "plate": None,
        "description": None,
        "value": amount(item.get("autovaluo")),
        "comment": item.get("comentario"),
    }


def _vehicle_row(item: dict[str, Any], id_hoja_vida: int) -> dict[str, Any]:
    details = [str(item[k]).strip() for k in ("marca", "modelo", "caracteristica") if item.get(k)]
    return {
        "id_hoja_vida": id_hoja_vida,
        "item_id": item.get("idHvBienMueble"),
        "asset_kind": "vehicle",
        "asset_type": item.get("vehiculo"),
        "registry_entry": None,
        "plate": item.get("placa"),
        "description": " ".join(details) or None,
        "value": amount(item.get("valor")),
        "comment": item.get("comentario"),
    }
