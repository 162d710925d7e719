"""Tests of the JNE legacy-API source.

First a crawl of the recorded EG2021 demo through the real HTTP client and replay server; then broken
responses, which must be reported with their URL instead of silently yielding (or losing) rows.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest

from pipeline.http.archive import Archive
from pipeline.http.client import HttpClient, HttpSettings
from pipeline.http.replay import ReplayServer
from pipeline.http.request import Fetched, Request
from pipeline.processes import CandidateList, Process, get_process
from pipeline.settings import RECORDINGS_DIR
from pipeline.sources import jne, jne_legacy
from pipeline.sources.congreso import parse_unicameral_profile
from pipeline.sources.errors import SourceFormatError

EG2021 = get_process("EG2021")
BASE = "http://jne.test"
CANDIDATES_URL = f"{BASE}/Candidato/GetCandidatos/2-110-5-6"
EXPEDIENTES_URL = f"{BASE}/Candidato/GetExpedientesLista/110-2-------0-"
HV_URL = f"{BASE}/HojaVida/GetHVConsolidado?param=1-0-2-110"
PRIVATE_KEYS = {
    "strFechaNacimiento",
    "strDomiDepartamento",
    "strDomicilioDirecc",
    "strTelefono",
    "strInmuebleDireccion",
}


def _candidate(
    position: int,
    hv: int,
    dni: str,
    names: tuple[str, str, str],
    party: int,
    district: str,
    status: str = "INSCRITO",
) -> dict[str, Any]:
    return {
        "office": "CONGRESO",
        "district": district,
        "id_hoja_vida": hv,
        "dni": dni,
        "nombres": names[0],
        "apellido_paterno": names[1],
        "apellido_materno": names[2],
        "full_name": " ".join(names),
        "party_id": party,
        "party_name": {99001: "PARTIDO DEMOSTRATIVO NACIONAL", 99002: "ALIANZA EJEMPLO"}[party],
        "list_position": position,
        "status": status,
    }


EXPECTED_CANDIDATES = [
    _candidate(1, 9921001, "99210001", ("PEDRO PABLO", "INVENTADO", "SIMULADO"), 99001, "LIMA"),
    _candidate(2, 9921002, "99210002", ("ROSA ELENA", "MUESTRA", "PRUEBA"), 99001, "LIMA"),
    _candidate(1, 9921003, "99210003", ("JORGE LUIS", "MODELO", "FICTICIO"), 99001, "AREQUIPA", "EXCLUSION"),
    _candidate(1, 9921004, "99210004", ("CARMEN ROSA", "DEMOSTRATIVO", "MODELO"), 99002, "AREQUIPA"),
    _candidate(2, 9921005, "99210005", ("LUIS ALBERTO", "EJEMPLO", "SIMULADO"), 99002, "AREQUIPA"),
    _candidate(1, 9921006, "99210006", ("JUAN CARLOS", "FICTICIO", "EJEMPLO"), 99002, "CUSCO"),
]
EXPECTED_CRIMINAL = {
    9921001: [
        {
            "id_hoja_vida": 9921001,
            "item_id": 99210011,
            "item_number": 1,
            "case_number": "00999-2011-0-1801-JR-PE-09",
            "sentence_date_raw": "14/06/2012",
            "court": "NOVENO JUZGADO PENAL DEMOSTRATIVO DE LIMA",
            "crime_text": "HURTO AGRAVADO",
            "ruling_text": "2 AÑOS DE PENA PRIVATIVA DE LIBERTAD",
            "modality": "SUSPENDIDA",
            "other_modality": "",
            "compliance": "PENA CUMPLIDA",
            "comment": "",
        }
    ]
}
EXPECTED_CIVIL = {
    9921004: [
        {
            "id_hoja_vida": 9921004,
            "item_id": 99210041,
            "item_number": 1,
            "subject": "FAMILIA / ALIMENTARIA",
            "case_number": "00456-2015-0-0401-JP-FC-02",
            "court": "SEGUNDO JUZGADO DE PAZ LETRADO DEMOSTRATIVO DE AREQUIPA",
            "ruling_text": "FUNDADA LA DEMANDA DE ALIMENTOS: S/ 600 MENSUALES",
            "comment": "",
        }
    ]
}


# --- the recorded crawl, through the real client and replay server --------------------------------------


@pytest.fixture(scope="module")
def crawl(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """Crawl the recorded EG2021 lists and every hoja de vida once; tests read the result."""
    archive = Archive(tmp_path_factory.mktemp("archive"))
    client = HttpClient(HttpSettings(user_agent="test", requests_per_second=1000, max_retries=0), archive)
    with ReplayServer(RECORDINGS_DIR) as server:
        base = server.base_url + "/jne_legacy"
        lists = jne_legacy.crawl_candidate_lists(client.fetch_many, base, EG2021, 50)
        listed = [row for fetched in lists for row in jne_legacy.parse_candidates(fetched, EG2021)]
        # The invented demo; the real EG2021 finance candidacies (recorded with their income only, no hoja de
        # vida) are read in tests/test_finance_sources.py.
        candidates = [row for row in listed if row["dni"].startswith("99")]
        hv_requests = [jne_legacy.hoja_vida_request(base, EG2021, row) for row in candidates]
        hvs = client.fetch_many(hv_requests)
    client.close()
    yield {"lists": lists, "candidates": candidates, "hvs": hvs, "base": base}


def test_crawl_asks_the_legacy_paths_in_order(crawl: dict[str, Any]) -> None:
    assert all(f.ok for f in crawl["lists"] + crawl["hvs"]), [f.describe_failure() for f in crawl["lists"]]
    assert [(f.request.method, f.request.json_body) for f in crawl["lists"]] == [("GET", None)] * 11
    assert [urlsplit(f.request.full_url).path for f in crawl["lists"]] == [
        "/jne_legacy/Candidato/GetExpedientesLista/110-2-------0-",
        "/jne_legacy/Candidato/GetCandidatos/2-110-99101-99201",
        "/jne_legacy/Candidato/GetCandidatos/2-110-99102-99202",
        "/jne_legacy/Candidato/GetCandidatos/2-110-99103-99203",
        "/jne_legacy/Candidato/GetCandidatos/2-110-99104-99204",
        # the real expedientes of the finance capture, under recording-only ids
        *[f"/jne_legacy/Candidato/GetCandidatos/2-110-{98000 + n}-{98100 + n}" for n in range(6)],
    ]


def test_hoja_vida_urls_carry_hv_party_and_process(crawl: dict[str, Any]) -> None:
    parts = [urlsplit(f.request.full_url) for f in crawl["hvs"]]
    assert {p.path for p in parts} == {"/jne_legacy/HojaVida/GetHVConsolidado"}
    assert [parse_qsl(p.query) for p in parts] == [
        [("param", f"{row['id_hoja_vida']}-0-{row['party_id']}-110")] for row in EXPECTED_CANDIDATES
    ]


def test_exact_candidates(crawl: dict[str, Any]) -> None:
    assert crawl["candidates"] == EXPECTED_CANDIDATES
    assert jne_legacy.parse_candidates(crawl["lists"][0], EG2021) == []  # the expediente list holds none


def test_candidate_rows_have_the_current_api_columns(crawl: dict[str, Any]) -> None:
    current = jne.candidate_row({}, CandidateList(office="CONGRESO", filter={}))
    assert [list(row) for row in crawl["candidates"]] == [list(current)] * len(EXPECTED_CANDIDATES)


def test_roster_members_match_the_recorded_congress_profiles(crawl: dict[str, Any]) -> None:
    by_name = {row["full_name"]: row for row in crawl["candidates"]}
    for slug in (
        "pedro-pablo-inventado-simulado",
        "carmen-rosa-demostrativo-modelo",
        "juan-carlos-ficticio-ejemplo",
    ):
        body = (RECORDINGS_DIR / "congreso" / "www3" / "congresista" / f"{slug}.html").read_bytes()
        profile = parse_unicameral_profile(body, slug)
        row = by_name[profile["full_name"].upper()]
        assert (row["party_name"], row["district"]) == (profile["party"], profile["district"]), slug


def _parsed_hvs(crawl: dict[str, Any]) -> dict[int, dict[str, Any]]:
    return {
        row["id_hoja_vida"]: jne_legacy.parse_hoja_vida(f.content, f.request.full_url)
        for row, f in zip(crawl["candidates"], crawl["hvs"], strict=True)
    }


def test_sentences_map_to_the_common_columns(crawl: dict[str, Any]) -> None:
    hvs = _parsed_hvs(crawl)
    criminal = {hv: jne_legacy.criminal_rows(doc, hv) for hv, doc in hvs.items()}
    civil = {hv: jne_legacy.civil_rows(doc, hv) for hv, doc in hvs.items()}
    # 9921002 declares a "nothing to declare" item (flag "2"): it is not a sentence.
    assert {hv: rows for hv, rows in criminal.items() if rows} == EXPECTED_CRIMINAL
    assert {hv: rows for hv, rows in civil.items() if rows} == EXPECTED_CIVIL
    current = {"sentenciaPenal": [{}], "sentenciaObliga": [{}]}
    assert list(criminal[9921001][0]) == list(jne.criminal_rows(current, 1)[0])
    assert list(civil[9921004][0]) == list(jne.civil_rows(current, 1)[0])


def _keys(value: Any) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in _keys(v)}
    if isinstance(value, list):
        return {k for v in value for k in _keys(v)}
    return set()


def test_hoja_vida_never_returns_addresses_phone_or_birth_date(crawl: dict[str, Any]) -> None:
    raw_keys = set().union(*(_keys(json.loads(f.content)) for f in crawl["hvs"]))
    assert raw_keys >= PRIVATE_KEYS  # the recordings do hold them, so their absence below means something
    parsed = _parsed_hvs(crawl)
    kept = set().union(*(_keys(doc) for doc in parsed.values()))
    assert kept & PRIVATE_KEYS == set()
    assert {"strDocumentoIdentidad", "strPaisNacimiento", "decAutovaluo", "decRemuBrutaPrivado"} <= kept
    assert parsed[9921001]["lBienInmueble"][0]["strTipoBienInmueble"] == "CASA"


# --- crawl behaviour on failures, with a fake fetch --------------------------------------------------------


def _fetched(url: str, body: bytes | str, status: int = 200) -> Fetched:
    content = body.encode() if isinstance(body, str) else body
    return Fetched(Request("GET", url), status, None, content, "application/json", datetime.now(UTC), 0)


class _FakeServer:
    def __init__(self, answers: dict[str, tuple[int, str]]) -> None:
        self.answers = answers
        self.asked: list[str] = []

    def fetch(self, requests: Sequence[Request]) -> list[Fetched]:
        self.asked += [r.full_url for r in requests]
        return [
            _fetched(r.full_url, self.answers[r.full_url][1], self.answers[r.full_url][0]) for r in requests
        ]


@pytest.mark.parametrize(
    ("status", "body"),
    [
        (500, '{"data": [{"idSolicitudLista": 1, "idExpediente": 2}]}'),
        (200, "<html>mantenimiento</html>"),
        (200, '{"data": [{"idSolicitudLista": 1}]}'),
    ],
)
def test_failed_or_unparseable_expediente_list_is_returned_not_followed(status: int, body: str) -> None:
    server = _FakeServer({EXPEDIENTES_URL: (status, body)})
    fetched = jne_legacy.crawl_candidate_lists(server.fetch, BASE, EG2021, 50)
    assert [f.request.full_url for f in fetched] == [EXPEDIENTES_URL]
    assert server.asked == [EXPEDIENTES_URL]


def test_failed_candidate_list_is_returned_as_is() -> None:
    follow = f"{BASE}/Candidato/GetCandidatos/2-110-7-8"
    server = _FakeServer(
        {
            EXPEDIENTES_URL: (200, '{"data": [{"idSolicitudLista": "7", "idExpediente": 8}]}'),
            follow: (503, "busy"),
        }
    )
    fetched = jne_legacy.crawl_candidate_lists(server.fetch, BASE, EG2021, 50)
    assert [(f.request.full_url, f.status) for f in fetched] == [(EXPEDIENTES_URL, 200), (follow, 503)]


# --- malformed answers name their URL ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        (b"{not json", "not valid JSON"),
        (b"\xff\xfe", "not valid JSON"),
        (b"[]", "'data' member"),
        (b'{"result": []}', "'data' member"),
        (b'{"data": null}', "list of candidate objects"),
        (b'{"data": {"strNombres": "X"}}', "list of candidate objects"),
        (b'{"data": ["99210001"]}', "list of candidate objects"),
    ],
)
def test_malformed_candidate_answer_raises_naming_the_url(body: bytes, problem: str) -> None:
    with pytest.raises(SourceFormatError, match=problem) as info:
        jne_legacy.parse_candidates(_fetched(CANDIDATES_URL, body), EG2021)
    assert info.value.url == CANDIDATES_URL and CANDIDATES_URL in str(info.value)


@pytest.mark.parametrize(
    "body",
    [
        b"{oops",
        b'{"data": "x"}',
        b'{"data": [{"idExpediente": 6}]}',
        b'{"data": [{"idSolicitudLista": true, "idExpediente": 6}]}',
    ],
)
def test_malformed_expediente_list_is_reported_by_the_parse_step(body: bytes) -> None:
    with pytest.raises(SourceFormatError) as info:
        jne_legacy.parse_candidates(_fetched(EXPEDIENTES_URL, body), EG2021)
    assert info.value.url == EXPEDIENTES_URL


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        (f"{BASE}/Candidato/GetCandidatos/2-108-5-6", "answers process 108, not EG2021"),
        (f"{BASE}/Candidato/GetCandidatos/1-110-5-6", "election type 1 matches 0 configured lists"),
        (f"{BASE}/Candidato/Otra/2-110-5-6", "not a GetCandidatos URL"),
    ],
)
def test_candidate_answer_for_another_process_or_list_raises(url: str, problem: str) -> None:
    with pytest.raises(SourceFormatError, match=problem):
        jne_legacy.parse_candidates(_fetched(url, '{"data": []}'), EG2021)


def test_candidate_without_dni_still_yields_a_row() -> None:
    body = json.dumps(
        {
            "data": [
                {
                    "idHojaVida": 1,
                    "strNombres": "ANA",
                    "strApellidoPaterno": "PRUEBA",
                    "intPosicion": 3,
                    "idOrganizacionPolitica": 99001,
                }
            ]
        }
    )
    rows = jne_legacy.parse_candidates(_fetched(CANDIDATES_URL, body), EG2021)
    assert len(rows) == 1
    assert rows[0]["dni"] is None
    assert (rows[0]["id_hoja_vida"], rows[0]["full_name"], rows[0]["list_position"]) == (1, "ANA PRUEBA", 3)


def _hv(**sections: Any) -> bytes:
    data = {"oDatosPersonales": {"idHojaVida": 1}, "lSentenciaPenal": [], "lSentenciaObliga": [], **sections}
    return json.dumps({"data": {k: v for k, v in data.items() if v is not ...}}).encode()


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        (b"<html>", "not valid JSON"),
        (b'{"oDatosPersonales": {}, "lSentenciaPenal": [], "lSentenciaObliga": []}', "'data' member"),
        (b'{"data": null}', "hoja de vida object"),
        (b'{"data": []}', "hoja de vida object"),
        (_hv(lSentenciaPenal=...), "'lSentenciaPenal' list"),
        (_hv(lSentenciaObliga=None), "'lSentenciaObliga' list"),
        (_hv(oDatosPersonales=...), "'oDatosPersonales' object"),
    ],
)
def test_hoja_vida_with_missing_sections_raises_naming_the_url(body: bytes, problem: str) -> None:
    with pytest.raises(SourceFormatError, match=problem) as info:
        jne_legacy.parse_hoja_vida(body, HV_URL)
    assert info.value.url == HV_URL


def test_sentence_items_without_a_flag_are_kept_for_validation() -> None:
    hv = jne_legacy.parse_hoja_vida(
        _hv(lSentenciaPenal=[{"strTengoSentenciaPenal": "NO"}, {"strDelitoPenal": "ESTAFA"}, "junk"]), HV_URL
    )
    rows = jne_legacy.criminal_rows(hv, 7)
    assert [(r["id_hoja_vida"], r["crime_text"]) for r in rows] == [(7, "ESTAFA")]


# --- request builders and configuration ---------------------------------------------------------------------


def test_hoja_vida_request_needs_a_party() -> None:
    with pytest.raises(ValueError, match="party_id"):
        jne_legacy.hoja_vida_request(BASE, EG2021, {"id_hoja_vida": 1, "party_id": None})


def test_expediente_path_takes_the_configured_ubigeo_and_rejects_unknown_keys() -> None:
    process = Process("X", 108, "x", EG2021.election_date, EG2021.term_start, EG2021.term_end, "legacy")
    spec = CandidateList(office="CONGRESO", filter={"idTipoEleccion": 2, "ubigeo": "080000"})
    assert jne_legacy.expedientes_request(BASE + "/", process, spec).url == (
        f"{BASE}/Candidato/GetExpedientesLista/108-2-080000------0-"
    )
    with pytest.raises(ValueError, match="idTipoEleccion"):
        jne_legacy.expedientes_request(BASE, process, CandidateList(office="CONGRESO", filter={"tipo": 2}))
