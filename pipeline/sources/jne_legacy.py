"""JNE Plataforma Electoral, legacy API (EG2016, EG2021; DOMAIN.md section 3).

Same crawl-facing functions and row keys as `pipeline.sources.jne`, so an asset picks the module by the
process's `api` field and everything downstream stays the same. What to request and how to read it; no
Dagster, no DuckDB.

The legacy site answers GET requests with `{"data": ...}`. A process's candidates are reached in two steps:
the expedientes (one party list per electoral district) of an election type, then the candidates of each
expediente. Each candidate's hoja de vida comes whole from `GetHVConsolidado`.

Field names. JNE publishes no documentation, so each name is marked by how much we know about it:
- Confirmed (DOMAIN.md section 3, or columns of the real EG2021 rows in `data/jne_eg2021_finance`):
  candidate `strDocumentoIdentidad`, `strNombres`, `strApellidoPaterno`, `strApellidoMaterno`, `intPosicion`,
  `idOrganizacionPolitica`, `strOrganizacionPolitica`, `strPostulaDistrito` (the electoral district; the same
  rows leave `strDistritoElectoral` empty), `strEstadoLocal` (list state: RECIBIDO, ADMITIDO ...); sentence
  `strDelitoPenal`, `strFalloPenal`, `strModalidad`, `strCumpleFallo`; sections `oDatosPersonales`,
  `lSentenciaPenal`, `lSentenciaObliga`, `oIngresos`, `lBienInmueble`, `lBienMueble`; income items
  (`GetAllHVIngresos`) `idHVIngresos`, `strTengoIngresos`, `strAnioIngresos`, `decRemuBrutaPublico/Privado`,
  `decRentaIndividualPublico/Privado`, `decOtroIngresoPublico/Privado`. Those real rows come from a third
  party's database, so which endpoint carries each field (e.g. whether GetCandidatos rows carry the party) is
  itself assumed.
- Assumed (used by several third-party scrapers, not seen in captured data): the path shapes below, expediente
  `idSolicitudLista`, `idExpediente`; candidate `idHojaVida`, `strEstadoExp` (candidacy status); sentence
  `idHVSentenciaPenal`, `strExpedientePenal`, `strFechaSentenciaPenal` (dd/mm/yyyy), `strOrganoJudiPenal`,
  `strOtraModalidad`, `strComentario`, `strTengoSentenciaPenal` ("1" yes, "2" no); civil
  `idHVSentenciaObliga`, `strMateriaSentencia`, `strExpedienteObliga`, `strOrganoJuridicialObliga` (sic),
  `strFalloObliga`, `strTengoSentenciaObliga`.
- Guessed by analogy with other legacy sections (`intItemExpeLaboral`): `intItemSentenciaPenal`,
  `intItemSentenciaObliga`, and `idHojaVida` inside sentence items.
- Seen in a third-party crawler of EG2021 that stores the API items unchanged (its models take each item as
  is): the per-section paths `GetAllHVIngresos?Ids={idHojaVida}-0`, `GetAllHVBienInmueble?Ids={id}-0-ASC`,
  `GetAllHVBienMueble?Ids={id}-0-ASC`, answering `{"data": [items]}`; real estate `idHVBienInmueble`,
  `strTengoInmueble`, `strTipoBienInmueble`, `strPartidaSunarp`, `decAutovaluo`; vehicles `idHVBienMueble`,
  `strTengoBienMueble`, `strVehiculo`, `strMarca`, `strModelo`, `strAnio`, `strPlaca`, `decValor`.
The names sit in the mapping functions below, one place to change when a real response disagrees.

Declared income and assets are read from those per-section endpoints, the ones the real EG2021 capture came
from, rather than from the consolidated document, whose finance sections no captured response confirms.

Configuration (`CandidateList.filter` in processes.yaml): `idTipoEleccion` (required; 1 presidential,
2 Congress, 3 Andean Parliament, per third-party scrapers) and `ubigeo` (optional: one electoral district;
empty asks for every district). Lists of one election type cannot be told apart in a GetCandidatos URL, so a
process configures at most one list per type.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from typing import Any
from urllib.parse import urlsplit

from pipeline.http.request import Fetched, Request
from pipeline.processes import CandidateList, Process
from pipeline.sources.amounts import amount, load_json
from pipeline.sources.errors import SourceFormatError
from pipeline.sources.personal_data import without_private

EXPEDIENTES_PATH = "/Candidato/GetExpedientesLista/"
CANDIDATES_PATH = "/Candidato/GetCandidatos/"
HOJA_VIDA_PATH = "/HojaVida/GetHVConsolidado"
INCOME_PATH = "/HojaVida/GetAllHVIngresos"
REAL_ESTATE_PATH = "/HojaVida/GetAllHVBienInmueble"
VEHICLES_PATH = "/HojaVida/GetAllHVBienMueble"
FILTER_KEYS = frozenset({"idTipoEleccion", "ubigeo"})
_CANDIDATES_URL = re.compile(re.escape(CANDIDATES_PATH) + r"(\d+)-(\d+)-(\d+)-(\d+)$")
# "Nothing to declare" answers of the strTengo* flags; anything else is kept for validation to judge.
_NOTHING_DECLARED = frozenset({"2", "NO"})


def _election_type(spec: CandidateList) -> int:
    unknown = set(spec.filter) - FILTER_KEYS
    if unknown or "idTipoEleccion" not in spec.filter:
        raise ValueError(
            f"legacy candidate list {spec.office!r}: filter {spec.filter!r} must hold idTipoEleccion "
            f"and may hold ubigeo (unknown keys: {sorted(unknown)})"
        )
    return int(spec.filter["idTipoEleccion"])


def expedientes_request(base_url: str, process: Process, spec: CandidateList) -> Request:
    """The party lists (expedientes) of one election type, in every district or in the configured ubigeo."""
    ubigeo = spec.filter.get("ubigeo", "")
    segment = f"{process.id_proceso_electoral}-{_election_type(spec)}-{ubigeo}------0-"
    return Request("GET", base_url.rstrip("/") + EXPEDIENTES_PATH + segment)


def candidates_request(base_url: str, process: Process, tipo: int, expediente: dict[str, Any]) -> Request:
    """The candidates of one expediente, as returned by `parse_expedientes`."""
    ids = f"{expediente['idSolicitudLista']}-{expediente['idExpediente']}"
    segment = f"{tipo}-{process.id_proceso_electoral}-{ids}"
    return Request("GET", base_url.rstrip("/") + CANDIDATES_PATH + segment)


def hoja_vida_request(base_url: str, process: Process, candidate: dict[str, Any]) -> Request:
    """The consolidated hoja de vida of one candidate row; unlike the current API, the URL needs the party."""
    try:
        id_hoja_vida, party_id = int(candidate["id_hoja_vida"]), int(candidate["party_id"])
    except (TypeError, ValueError):
        raise ValueError(
            f"legacy hoja de vida URL needs id_hoja_vida and party_id, got {candidate.get('id_hoja_vida')!r} "
            f"and {candidate.get('party_id')!r}"
        ) from None
    params = {"param": f"{id_hoja_vida}-0-{party_id}-{process.id_proceso_electoral}"}
    return Request("GET", base_url.rstrip("/") + HOJA_VIDA_PATH, params=params)


def crawl_candidate_lists(
    fetch: Callable[[Sequence[Request]], list[Fetched]], base_url: str, process: Process, page_size: int
) -> list[Fetched]:
    """Fetch the expedientes of every configured list, then the candidates of each expediente.

    The legacy API does not page, so `page_size` is unused; it stays for the interface `jne` defines.
    An expediente list that failed or cannot be parsed is returned as is: the parse step reports it.
    """
    lists = fetch([expedientes_request(base_url, process, spec) for spec in process.lists])
    follow: list[Request] = []
    for spec, fetched in zip(process.lists, lists, strict=True):
        if not fetched.ok:
            continue
        try:
            expedientes = parse_expedientes(fetched.content, fetched.request.full_url)
        except SourceFormatError:
            continue  # the parse step quarantines this response with the reason
        follow += [candidates_request(base_url, process, _election_type(spec), exp) for exp in expedientes]
    return lists + (fetch(follow) if follow else [])


def _load_data(body: bytes, url: str) -> Any:
    """The `data` member of the legacy envelope."""
    try:
        doc = json.loads(body.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise SourceFormatError(url, f"response is not valid JSON ({exc})") from None
    if not isinstance(doc, dict) or "data" not in doc:
        raise SourceFormatError(url, "expected an object with a 'data' member (legacy envelope)")
    return doc["data"]


def _object_list(body: bytes, url: str, what: str) -> list[dict[str, Any]]:
    data = _load_data(body, url)
    if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
        raise SourceFormatError(url, f"'data' must be a list of {what} objects")
    return data


def parse_expedientes(body: bytes, url: str) -> list[dict[str, Any]]:
    """The expedientes of a GetExpedientesLista answer; each must name its list and file to be followed."""
    expedientes = _object_list(body, url, "expediente")
    for expediente in expedientes:
        for key in ("idSolicitudLista", "idExpediente"):
            value = expediente.get(key)
            if isinstance(value, bool) or not str(value).isdigit():
                raise SourceFormatError(url, f"expediente lacks a numeric '{key}': {expediente!r:.200}")
    return expedientes


def _spec_for(url: str, process: Process) -> CandidateList:
    match = _CANDIDATES_URL.search(urlsplit(url).path)
    if match is None:
        raise SourceFormatError(
            url, "not a GetCandidatos URL ({tipo}-{proceso}-{idSolicitud}-{idExpediente})"
        )
    tipo, proceso = int(match.group(1)), int(match.group(2))
    if proceso != process.id_proceso_electoral:
        expected = f"{process.code} ({process.id_proceso_electoral})"
        raise SourceFormatError(url, f"answers process {proceso}, not {expected}")
    specs = [spec for spec in process.lists if _election_type(spec) == tipo]
    if len(specs) != 1:
        raise SourceFormatError(url, f"election type {tipo} matches {len(specs)} configured lists, not one")
    return specs[0]


def parse_candidates(fetched: Fetched, process: Process) -> list[dict[str, Any]]:
    """Candidate rows of a GetCandidatos answer, in our columns; an expediente list holds none.

    Expediente lists are still checked, so a malformed one is reported instead of silently yielding nothing.
    """
    url = fetched.request.full_url
    if EXPEDIENTES_PATH in urlsplit(url).path:
        parse_expedientes(fetched.content, url)
        return []
    spec = _spec_for(url, process)
    return [candidate_row(raw, spec) for raw in _object_list(fetched.content, url, "candidate")]


def candidate_row(raw: dict[str, Any], spec: CandidateList) -> dict[str, Any]:
    """Map a legacy candidate to the columns of `jne.candidate_row`. Values stay as sent for the schema."""
    names = [raw.get("strNombres"), raw.get("strApellidoPaterno"), raw.get("strApellidoMaterno")]
    return {
        "office": spec.office,
        "district": raw.get("strPostulaDistrito") or spec.district,
        "id_hoja_vida": raw.get("idHojaVida"),
        "dni": raw.get("strDocumentoIdentidad"),
        "nombres": raw.get("strNombres"),
        "apellido_paterno": raw.get("strApellidoPaterno"),
        "apellido_materno": raw.get("strApellidoMaterno"),
        "full_name": " ".join(str(n).strip() for n in names if n),
        "party_id": raw.get("idOrganizacionPolitica"),
        "party_name": raw.get("strOrganizacionPolitica"),
        "list_position": raw.get("intPosicion"),
        "status": raw.get("strEstadoExp") or raw.get("strEstadoLocal"),
    }


def parse_hoja_vida(body: bytes, url: str) -> dict[str, Any]:
    """The `data` object of a GetHVConsolidado answer, without personal fields.

    A missing section is an error, not 'nothing declared': `data: null` (unknown hoja de vida) included.
    """
    data = _load_data(body, url)
    if not isinstance(data, dict):
        raise SourceFormatError(url, "expected 'data' to be a hoja de vida object")
    if not isinstance(data.get("oDatosPersonales"), dict):
        raise SourceFormatError(url, "hoja de vida lacks the 'oDatosPersonales' object")
    for section in ("lSentenciaPenal", "lSentenciaObliga"):
        if not isinstance(data.get(section), list):
            raise SourceFormatError(url, f"hoja de vida lacks the '{section}' list")
    try:
        return without_private(data)
    except RecursionError:
        raise SourceFormatError(url, "hoja de vida nested too deeply to be a real record") from None


def _declared(item: Any, flag: str) -> bool:
    return isinstance(item, dict) and str(item.get(flag, "")).strip().upper() not in _NOTHING_DECLARED


def criminal_rows(hv: dict[str, Any], id_hoja_vida: int) -> list[dict[str, Any]]:
    """Declared criminal sentences, keyed like `jne.criminal_rows`; 'nothing to declare' items are skipped."""
    return [
        {
            "id_hoja_vida": item.get("idHojaVida", id_hoja_vida),
            "item_id": item.get("idHVSentenciaPenal"),
            "item_number": item.get("intItemSentenciaPenal"),
            "case_number": item.get("strExpedientePenal"),
            "sentence_date_raw": item.get("strFechaSentenciaPenal"),
            "court": item.get("strOrganoJudiPenal"),
            "crime_text": item.get("strDelitoPenal"),
            "ruling_text": item.get("strFalloPenal"),
            "modality": item.get("strModalidad"),
            "other_modality": item.get("strOtraModalidad"),
            "compliance": item.get("strCumpleFallo"),
            "comment": item.get("strComentario"),
        }
        for item in hv["lSentenciaPenal"]
        if _declared(item, "strTengoSentenciaPenal")
    ]


def civil_rows(hv: dict[str, Any], id_hoja_vida: int) -> list[dict[str, Any]]:
    """Declared judgments on obligations, keyed like `jne.civil_rows`."""
    return [
        {
            "id_hoja_vida": item.get("idHojaVida", id_hoja_vida),
            "item_id": item.get("idHVSentenciaObliga"),
            "item_number": item.get("intItemSentenciaObliga"),
            "subject": item.get("strMateriaSentencia"),
            "case_number": item.get("strExpedienteObliga"),
            "court": item.get("strOrganoJuridicialObliga"),
            "ruling_text": item.get("strFalloObliga"),
            "comment": item.get("strComentario"),
        }
        for item in hv["lSentenciaObliga"]
        if _declared(item, "strTengoSentenciaObliga")
    ]


def finance_requests(base_url: str, candidate: dict[str, Any]) -> list[Request]:
    """The income, real-estate and vehicle sections of one candidate row's hoja de vida."""
    base, hv = base_url.rstrip("/"), int(candidate["id_hoja_vida"])
    return [
        Request("GET", base + INCOME_PATH, params={"Ids": f"{hv}-0"}),
        Request("GET", base + REAL_ESTATE_PATH, params={"Ids": f"{hv}-0-ASC"}),
        Request("GET", base + VEHICLES_PATH, params={"Ids": f"{hv}-0-ASC"}),
    ]


def declarations(body: bytes, url: str, id_hoja_vida: int) -> tuple[list[dict], list[dict]]:
    """Declared income items and assets of one per-section answer, keyed like `jne.declarations`: the income
    section fills the first list, the real-estate and vehicle sections the second; items flagged "nothing to
    declare" are skipped; amounts are Decimal; the property address is never read."""
    path = urlsplit(url).path
    section = next((p for p in (INCOME_PATH, REAL_ESTATE_PATH, VEHICLES_PATH) if path.endswith(p)), None)
    if section is None:
        raise SourceFormatError(url, "not a GetAllHVIngresos, GetAllHVBienInmueble or GetAllHVBienMueble URL")
    data = load_json(body, url)
    if not isinstance(data, dict) or not isinstance(data.get("data"), list):
        raise SourceFormatError(url, "expected an object with a 'data' list (legacy section envelope)")
    if not all(isinstance(item, dict) for item in data["data"]):
        raise SourceFormatError(url, "'data' holds items that are not objects")
    items = without_private(data["data"])
    if section == INCOME_PATH:
        return [_income_row(i, id_hoja_vida) for i in items if _declared(i, "strTengoIngresos")], []
    if section == REAL_ESTATE_PATH:
        return [], [_real_estate_row(i, id_hoja_vida) for i in items if _declared(i, "strTengoInmueble")]
    return [], [_vehicle_row(i, id_hoja_vida) for i in items if _declared(i, "strTengoBienMueble")]


def _income_row(item: dict[str, Any], id_hoja_vida: int) -> dict[str, Any]:
    return {
        "id_hoja_vida": item.get("idHojaVida", id_hoja_vida),
        "item_id": item.get("idHVIngresos"),
        "year": item.get("strAnioIngresos"),
        "public_salary": amount(item.get("decRemuBrutaPublico")),
        "private_salary": amount(item.get("decRemuBrutaPrivado")),
        "public_rent": amount(item.get("decRentaIndividualPublico")),
        "private_rent": amount(item.get("decRentaIndividualPrivado")),
        "public_other": amount(item.get("decOtroIngresoPublico")),
        "private_other": amount(item.get("decOtroIngresoPrivado")),
    }


def _real_estate_row(item: dict[str, Any], id_hoja_vida: int) -> dict[str, Any]:
    return {
        "id_hoja_vida": item.get("idHojaVida", id_hoja_vida),
        "item_id": item.get("idHVBienInmueble"),
        "asset_kind": "real_estate",
        "asset_type": item.get("strTipoBienInmueble"),
        "registry_entry": item.get("strPartidaSunarp"),
        "plate": None,
        "description": None,
        "value": amount(item.get("decAutovaluo")),
        "comment": item.get("strComentario"),
    }


def _vehicle_row(item: dict[str, Any], id_hoja_vida: int) -> dict[str, Any]:
    keys = ("strMarca", "strModelo", "strAnio", "strCaracteristica")
    details = [str(item[k]).strip() for k in keys if item.get(k)]
    return {
        "id_hoja_vida": item.get("idHojaVida", id_hoja_vida),
        "item_id": item.get("idHVBienMueble"),
        "asset_kind": "vehicle",
        "asset_type": item.get("strVehiculo"),
        "registry_entry": None,
        "plate": item.get("strPlaca"),
        "description": " ".join(details) or None,
        "value": amount(item.get("decValor")),
        "comment": item.get("strComentario"),
    }
