"""Finance parsers against the recorded responses, in both JNE API generations and ONPE Claridad: exact rows,
amounts as Decimal, personal data dropped, "nothing declared" answers skipped, malformed answers named."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from pipeline.campaigns import get_campaign
from pipeline.http.archive import Archive
from pipeline.http.client import HttpClient, HttpSettings
from pipeline.http.replay import ReplayServer
from pipeline.http.request import Fetched, Request
from pipeline.processes import get_process
from pipeline.settings import OFFLINE_CLARIDAD_TOKEN, RECORDINGS_DIR
from pipeline.sources import claridad, jne, jne_legacy
from pipeline.sources.amounts import amount
from pipeline.sources.errors import SourceFormatError

LEGACY = RECORDINGS_DIR / "jne_legacy"
EG2021, EG2026 = get_campaign("EG2021"), get_campaign("EG2026")
PRIVATE = ("direcc", "domi", "fechanac", "telef", "correo", "mail")


def _fetched(url: str, body: bytes | str, json_body: Any = None, params: dict | None = None) -> Fetched:
    content = body.encode() if isinstance(body, str) else body
    request = Request("POST" if json_body is not None else "GET", url, params or {}, json_body)
    return Fetched(request, 200, None, content, "application/json", datetime.now(UTC), 0)


def legacy_income(body: bytes, url: str, hv: int) -> list[dict[str, Any]]:
    return jne_legacy.declarations(body, url, hv)[0]


def legacy_assets(body: bytes, url: str, hv: int) -> list[dict[str, Any]]:
    return jne_legacy.declarations(body, url, hv)[1]


def current_income(body: bytes, url: str, hv: int) -> list[dict[str, Any]]:
    return jne.declarations(body, url, hv)[0]


def current_assets(body: bytes, url: str, hv: int) -> list[dict[str, Any]]:
    return jne.declarations(body, url, hv)[1]


def _no_private_key(rows: list[dict[str, Any]]) -> bool:
    return not any(p in key.lower() for row in rows for key in row for p in PRIVATE)


# --- amounts ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (12000, Decimal("12000")),
        ("1234.50", Decimal("1234.50")),
        (Decimal("0.10"), Decimal("0.10")),
        (None, None),
        ("1,234.50", "1,234.50"),  # thousands separator: kept as sent for the schema to reject
        (True, True),
        ("", ""),
    ],
)
def test_amounts_become_decimal_or_stay_as_sent(value: Any, expected: Any) -> None:
    assert amount(value) == expected and type(amount(value)) is type(expected)


# --- legacy API (EG2021): per-section answers ---------------------------------------------------------------


def test_finance_requests_use_the_per_section_paths() -> None:
    requests = jne_legacy.finance_requests("http://jne.test/", {"id_hoja_vida": 134018})
    assert [r.full_url for r in requests] == [
        "http://jne.test/HojaVida/GetAllHVIngresos?Ids=134018-0",
        "http://jne.test/HojaVida/GetAllHVBienInmueble?Ids=134018-0-ASC",
        "http://jne.test/HojaVida/GetAllHVBienMueble?Ids=134018-0-ASC",
    ]


def _legacy(section: str, hv: int) -> tuple[bytes, str]:
    path = {
        "ingresos": "GetAllHVIngresos",
        "inmuebles": "GetAllHVBienInmueble",
        "muebles": "GetAllHVBienMueble",
    }
    url = f"http://jne.test/HojaVida/{path[section]}?Ids={hv}-0"
    return (LEGACY / "finanzas" / section / f"{hv}.json").read_bytes(), url


def test_real_legacy_income_row_is_read_verbatim() -> None:
    """A real EG2021 row (ingresos_2019_raw.csv, idCandidato 162010), through the endpoint it came from."""
    rows = legacy_income(*_legacy("ingresos", 134018), 134018)
    assert rows == [
        {
            "id_hoja_vida": 134018,
            "item_id": 132592,
            "year": "2019",
            "public_salary": Decimal(0),
            "private_salary": Decimal(0),
            "public_rent": Decimal(0),
            "private_rent": Decimal(0),
            "public_other": Decimal(0),
            "private_other": Decimal(12000),
        }
    ]


def test_legacy_assets_keep_type_registry_plate_and_value_never_the_address() -> None:
    house = legacy_assets(*_legacy("inmuebles", 9921001), 9921001)
    car = legacy_assets(*_legacy("muebles", 9921004), 9921004)
    assert [
        (r["asset_kind"], r["asset_type"], r["registry_entry"], r["plate"], r["value"]) for r in house + car
    ] == [
        ("real_estate", "CASA", "P00000000", None, Decimal("85000.0")),
        ("vehicle", "AUTOMOVIL", None, "ZZZ-000", Decimal("25000.0")),
    ]
    assert "DIRECCION" not in json.dumps(house, default=str) and _no_private_key(house)
    assert car[0]["description"] == "SEDAN DEMOSTRATIVO 2015"


def test_a_legacy_section_answer_yields_only_its_own_rows() -> None:
    body, url = _legacy("ingresos", 134018)
    assert legacy_assets(body, url, 134018) == []
    body, url = _legacy("inmuebles", 9921001)
    assert legacy_income(body, url, 9921001) == []
    with pytest.raises(SourceFormatError, match="not a GetAllHVIngresos"):
        jne_legacy.declarations(body, "http://jne.test/HojaVida/GetHVConsolidado?param=1-0-2-110", 1)


def test_legacy_nothing_declared_items_are_skipped() -> None:
    body = json.dumps({"data": [{"idHVBienInmueble": 1, "strTengoInmueble": "2"}]})
    url = "http://jne.test/HojaVida/GetAllHVBienInmueble?Ids=1-0-ASC"
    assert jne_legacy.declarations(body.encode(), url, 1) == ([], [])


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        (b"<html>mantenimiento</html>", "not valid JSON"),
        (b'{"data": null}', "'data' list"),
        (b'{"data": ["x"]}', "not objects"),
    ],
)
def test_malformed_legacy_section_names_its_url(body: bytes, problem: str) -> None:
    url = "http://jne.test/HojaVida/GetAllHVIngresos?Ids=7-0"
    with pytest.raises(SourceFormatError, match=problem) as info:
        jne_legacy.declarations(body, url, 7)
    assert info.value.url == url


def test_legacy_candidate_status_falls_back_to_the_captured_list_state() -> None:
    rows = json.loads((LEGACY / "candidatos" / "98000-98100.json").read_text(encoding="utf-8"))["data"]
    first = jne_legacy.candidate_row(rows[0], get_process("EG2021").lists[0])
    assert (first["status"], first["dni"], first["id_hoja_vida"]) == ("INADMISIBLE", "15730337", 134018)


def test_real_recordings_hold_no_personal_columns() -> None:
    """The builder keeps only public candidacy columns of the capture: no address, birth, sex or photo."""
    for path in list((LEGACY / "candidatos").glob("98*.json")) + list(
        (LEGACY / "finanzas").rglob("13*.json")
    ):
        rows = json.loads(path.read_text(encoding="utf-8"))["data"]
        keys = {k.lower() for row in rows for k in row}
        assert not any(p in k for k in keys for p in (*PRIVATE, "naci", "sexo", "rutaarchivo")), path


# --- current API (EG2026): declaracionJurada inside the hoja de vida ----------------------------------------


def _hv(hv: int) -> tuple[bytes, str]:
    return (
        RECORDINGS_DIR / "jne" / "hoja-vida" / f"{hv}.json"
    ).read_bytes(), f"http://jne.test/hv?IdHojaVida={hv}"


def test_current_income_and_assets_are_read_as_decimal() -> None:
    income = current_income(*_hv(990001), 990001)
    assert income == [
        {
            "id_hoja_vida": 990001,
            "item_id": 9900011,
            "year": "2024",
            "public_salary": Decimal("0.0"),
            "private_salary": Decimal("72000.0"),
            "public_rent": Decimal("0.0"),
            "private_rent": Decimal("12000.5"),
            "public_other": Decimal("0.0"),
            "private_other": Decimal("0.0"),
        }
    ]
    assets = current_assets(*_hv(990001), 990001)
    assert [
        (a["asset_kind"], a["asset_type"], a["registry_entry"], a["plate"], a["value"]) for a in assets
    ] == [
        ("real_estate", "CASA", "P99000001", None, Decimal("250000.0")),
        ("vehicle", "AUTOMOVIL", None, "ZZZ-001", Decimal("35000.0")),
    ]
    assert _no_private_key(assets) and "DIRECCION" not in json.dumps(assets, default=str)


def test_current_answers_of_no_are_not_declarations() -> None:
    assert current_income(*_hv(990003), 990003) == []
    assert [a["asset_type"] for a in current_assets(*_hv(990003), 990003)] == ["MOTOCICLETA"]


def test_hoja_vida_without_a_declaration_claims_nothing() -> None:
    """The recorded real EG2026 documents carry no declaracionJurada: no rows, and no 'declared nothing'."""
    body, url = _hv(243436)
    assert jne.declarations(body, url, 243436) == ([], [])


@pytest.mark.parametrize(
    ("doc", "problem"),
    [
        ([], "hoja de vida object"),
        ({"declaracionJurada": []}, "'declaracionJurada' must be an object"),
        ({"declaracionJurada": {"bienMueble": ["x"]}}, "'declaracionJurada.bienMueble' must be a list"),
        ({"declaracionJurada": {"ingreso": {"x": 1}}}, "'declaracionJurada.ingreso' must be a list"),
    ],
)
def test_malformed_declaration_names_its_url(doc: Any, problem: str) -> None:
    with pytest.raises(SourceFormatError, match=problem) as info:
        jne.declarations(json.dumps(doc).encode(), "http://jne.test/hv?IdHojaVida=5", 5)
    assert info.value.url == "http://jne.test/hv?IdHojaVida=5"


def test_both_generations_give_the_same_columns() -> None:
    income = legacy_income(*_legacy("ingresos", 134018), 134018)
    assets = legacy_assets(*_legacy("inmuebles", 9921001), 9921001)
    assert list(income[0]) == list(current_income(*_hv(990001), 990001)[0])
    assert list(assets[0]) == list(current_assets(*_hv(990001), 990001)[0])


# --- ONPE Claridad ------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[Fetched]]:
    """Crawl the recorded Claridad for both processes through the real client and replay server."""
    client = HttpClient(
        HttpSettings(user_agent="test", requests_per_second=1000, max_retries=0),
        Archive(tmp_path_factory.mktemp("archive")),
    )
    with ReplayServer(RECORDINGS_DIR) as server:
        base = server.base_url + "/claridad"
        out = {
            c.process_code: claridad.crawl(client.fetch_many, base, OFFLINE_CLARIDAD_TOKEN, c, 500)
            for c in (EG2021, EG2026)
        }
    client.close()
    return out


def test_crawl_pages_every_endpoint_and_never_keeps_the_token(crawled: dict[str, list[Fetched]]) -> None:
    eg2021 = crawled["EG2021"]
    assert all(f.ok for f in eg2021), [f.describe_failure() for f in eg2021 if not f.ok]
    asked = [(claridad.kind(f.request.url), f.request.json_body["page"]) for f in eg2021]
    # the party pairs, two pages of the big party's detail (pages 1-based), one of the other, roll, expenses
    assert asked == [
        ("parties", 0),
        ("contributions", 1),
        ("contributions", 1),
        ("contributions", 2),
        ("roll", 0),
        ("expenses", 1),
    ]
    for fetched in eg2021 + crawled["EG2026"]:
        assert "token" not in fetched.request.json_body
        assert OFFLINE_CLARIDAD_TOKEN not in (fetched.request.body_bytes or b"").decode()


def _parsed(crawled: dict[str, list[Fetched]], code: str, kind: str, parse) -> list[dict[str, Any]]:
    campaign = get_campaign(code)
    return [row for f in crawled[code] if claridad.kind(f.request.url) == kind for row in parse(f, campaign)]


def test_party_totals_are_the_process_pairs_only(crawled: dict[str, list[Fetched]]) -> None:
    parties = _parsed(crawled, "EG2026", "parties", claridad.parse_parties)
    assert [(p["party_ruc"], p["party_name"], p["cash"], p["total"]) for p in parties] == [
        ("20999000011", "PARTIDO DEMOSTRATIVO NACIONAL", Decimal("4000.0"), Decimal("12500.0")),
        ("20999000029", "ALIANZA EJEMPLO", Decimal("20800.0"), Decimal("22600.3")),
    ]  # the ERM2022 pair of the same answer belongs to another process


def test_contributions_carry_party_contributor_type_date_and_amount(
    crawled: dict[str, list[Fetched]],
) -> None:
    rows = _parsed(crawled, "EG2026", "contributions", claridad.parse_contributions)
    by_name = {r["contributor_name"]: r for r in rows}
    company = by_name["EMPRESA EJEMPLO S.A.C."]
    assert company == {
        "party_ruc": "20999000029",
        "party_name": "ALIANZA EJEMPLO",
        "contributor_document": "20999000061",
        "contributor_name": "EMPRESA EJEMPLO S.A.C.",
        "contributor_kind": "company",
        "contribution_type": "F",
        "contribution_date": pd.Timestamp("2026-01-15"),
        "amount": Decimal("12000.0"),
        "election_year": "2026",
    }
    assert by_name["PEDRO PABLO SIMULADO EJEMPLO"]["contributor_kind"] == "person"
    anonymous = [r for r in rows if r["contributor_name"] is None]
    assert [(r["contributor_document"], r["contributor_kind"], r["amount"]) for r in anonymous] == [
        (None, None, Decimal("500.0"))
    ]
    raffle = _parsed(crawled, "EG2021", "contributions", claridad.parse_contributions)
    assert len(raffle) == 523 and sum(r["amount"] for r in raffle) == Decimal("24630.0")


def test_roll_and_expenses(crawled: dict[str, list[Fetched]]) -> None:
    roll = _parsed(crawled, "EG2026", "roll", claridad.parse_roll)
    assert {r["dni"]: r["total_income"] for r in roll}["99000004"] == Decimal("480000.0")
    assert {r["dni"] for r in roll} == {"99000001", "99000002", "99000004", "99000010", "99000014"}
    expenses = _parsed(crawled, "EG2021", "expenses", claridad.parse_expenses)
    assert expenses[0] == {
        "dni": "99210001",
        "candidate_name": "PEDRO PABLO INVENTADO SIMULADO",
        "party_name": "PARTIDO DEMOSTRATIVO NACIONAL",
        "expense_date": pd.Timestamp("2021-02-10"),
        "platform": "IMPRENTA",
        "provider_document": "20999000071",
        "receipt_type": "FACTURA",
        "receipt_number": "F001-000123",
        "amount": Decimal("3200.0"),
        "concept": "VOLANTES Y AFICHES",
    }


def test_an_impossible_date_is_kept_as_sent_for_the_schema() -> None:
    body = json.dumps(
        {"data": {"listaAportantes": [{"dni": "99000001", "fechaAporte": "31/02/2026", "monto": 1}]}}
    )
    request_body = {
        "filters": [{"code": "process", "value": "EG2026"}, {"code": "ruc", "value": "20999000011"}]
    }
    rows = claridad.parse_contributions(
        _fetched("http://c/consult/org/find-detail", body, request_body), EG2026
    )
    assert rows[0]["contribution_date"] == "31/02/2026"


def test_detail_of_another_process_is_an_error() -> None:
    request_body = {"filters": [{"code": "process", "value": "EG2021"}]}
    fetched = _fetched("http://c/consult/org/find-detail", '{"data": {"listaAportantes": []}}', request_body)
    with pytest.raises(SourceFormatError, match="not EG2026"):
        claridad.parse_contributions(fetched, EG2026)


@pytest.mark.parametrize(
    ("body", "problem"),
    [(b"<html>", "not valid JSON"), (b'{"total": 1}', "'data' member"), (b'{"data": {"x": 1}}', "'data'")],
)
def test_malformed_claridad_answer_names_its_url(body: bytes, problem: str) -> None:
    with pytest.raises(SourceFormatError, match=problem):
        claridad.parse_parties(_fetched("http://c/consult/org/find", body, {"filters": []}), EG2026)


def har(entries: list[tuple[Request, bytes]]) -> bytes:
    """A browser's HAR export holding `entries`, a session token in every request as a browser saves it."""
    return json.dumps(
        {
            "log": {
                "entries": [
                    {
                        "request": {
                            "method": request.method,
                            "url": "https://claridad.onpe.gob.pe/claridad-backend/portal"
                            + request.url.split("/claridad", 1)[-1],
                            "postData": {
                                "text": json.dumps({**request.json_body, "token": "SESSION-SECRET"})
                            },
                        },
                        "response": {
                            "status": 200,
                            "content": {"mimeType": "application/json", "text": body.decode()},
                        },
                    }
                    for request, body in entries
                ]
                + [
                    {
                        "request": {"method": "GET", "url": "https://claridadportal.onpe.gob.pe/"},
                        "response": {},
                    }
                ]
            }
        }
    ).encode()


def test_har_export_yields_the_claridad_answers_without_the_token(crawled: dict[str, list[Fetched]]) -> None:
    content = har([(f.request, f.content) for f in crawled["EG2026"]])
    answers = claridad.har_responses(content, "export.har")
    assert len(answers) == len(crawled["EG2026"])  # the portal's page itself is not an answer
    for (request, status, body, content_type), original in zip(answers, crawled["EG2026"], strict=True):
        assert (status, body, content_type) == (200, original.content, "application/json")
        assert request.json_body == original.request.json_body and "SESSION-SECRET" not in json.dumps(
            request.json_body
        )
        assert claridad.kind(request.url) == claridad.kind(original.request.url)


def test_a_file_that_is_not_a_har_is_an_error_naming_it(tmp_path: Path) -> None:
    with pytest.raises(SourceFormatError, match="not a HAR export") as info:
        claridad.har_responses(b'{"data": []}', "exports/claridad.json")
    assert info.value.url == "exports/claridad.json"


def test_belongs_to_reads_the_process_filter() -> None:
    assert claridad.belongs_to(claridad.org_request("", "t", 0), EG2026)  # cross-process: kept everywhere
    detail = claridad.detail_request("", "t", {"ruc": "1", "organizacion": "X", "proceso": "EG 2021"}, 1, 500)
    assert claridad.belongs_to(detail, EG2021) and not claridad.belongs_to(detail, EG2026)


def test_a_har_entry_that_cannot_be_read_is_an_error_naming_it() -> None:
    """An entry with a status that is not a number (a hand-edited or damaged export) fails the export with
    the file and the entry named, instead of an error about int()."""
    url = "https://claridad.onpe.gob.pe/claridad-backend/portal" + next(iter(claridad.KINDS))
    assert claridad.kind(url) is not None  # read as a Claridad answer, not skipped as another site's
    other = {"request": {"method": "GET", "url": url}, "response": {"status": 200}}
    entries = [other, {"request": {"method": "POST", "url": url}, "response": {"status": "abc"}}]
    har = json.dumps({"log": {"entries": entries}}).encode()
    with pytest.raises(SourceFormatError, match="HAR entry 2 cannot be read") as info:
        claridad.har_responses(har, "exports/claridad.har")
    assert info.value.url == "exports/claridad.har"
