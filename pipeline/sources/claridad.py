"""ONPE Claridad, the campaign-finance portal (DOMAIN.md section 4): what to request and how to read it; no
Dagster, no DuckDB.

Every endpoint is a POST of a JSON filter that must carry a reCAPTCHA v3 `token`. The request shapes are those
a third-party crawler (2026-09) sends from a real browser session:
- `consult/org/find` `{filters: [{code: "op", value: ""}], page: 0, size: 5000}`: every (party, process) pair
  with its RUC and Claridad's totals `efectivo, especie, actividad, otros, total`.
- `consult/org/find-detail` `{filters: [ruc, opEqual, process, yearApo], page: 1.., size: 500}`:
  `data.listaAportantes[]` (`apellidos, nombres, razonSocial, dni, tipoAporte, fechaAporte, monto,
  anioEleccion`) plus `total` and `pages`; pages are 1-based.
- `consult/candidate/find-lastname` `{filters: [{code: "candidato", value: ""}], page: 0.., size: 500}`: the
  candidate roll `dni, apellidos, nombres, organizacion, departamento, proceso, totalIngresos`; pages 0-based.
- Candidate expense reports ("Formato 8"): the third party had not found their endpoint. `EXPENSES_PATH`, its
  filter and the item names (`fechaGasto, plataforma, documentoProveedor, tipoComprobante, serieNumero, monto,
  concepto`) are ASSUMED, shaped like find-detail; check them against the portal before a live run.

The token is a credential: `redact` removes it from every request before the request is recorded, so it is
never written to the manifest or the logs. Without a token, an operator can export the portal's traffic from
a browser session as a HAR file; `har_responses` reads the Claridad answers out of it.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

import pandas as pd

from pipeline.campaigns import Campaign
from pipeline.http.request import Fetched, Request
from pipeline.sources.amounts import amount, load_json
from pipeline.sources.errors import SourceFormatError

ORG_PATH = "/consult/org/find"
DETAIL_PATH = "/consult/org/find-detail"
ROLL_PATH = "/consult/candidate/find-lastname"
EXPENSES_PATH = "/consult/candidate/find-expense"  # assumed: see the module docstring
ORG_PAGE_SIZE = 5000
KINDS = {ORG_PATH: "parties", DETAIL_PATH: "contributions", ROLL_PATH: "roll", EXPENSES_PATH: "expenses"}
# Which paths page from 0 and which from 1, as the portal's own front end asks.
FIRST_PAGE = {ORG_PATH: 0, DETAIL_PATH: 1, ROLL_PATH: 0, EXPENSES_PATH: 1}

Fetch = Callable[[Sequence[Request]], list[Fetched]]


def _request(
    base_url: str, path: str, token: str, filters: list[dict[str, Any]], order: str, page: int, size: int
) -> Request:
    body = {
        "filters": filters,
        "orders": {"field": order, "type": "ASC" if order else "DESC"},
        "page": page,
        "size": size,
        "token": token,
    }
    return Request("POST", base_url.rstrip("/") + path, json_body=body)


def org_request(base_url: str, token: str, page: int) -> Request:
    return _request(base_url, ORG_PATH, token, [{"code": "op", "value": ""}], "", page, ORG_PAGE_SIZE)


def detail_request(base_url: str, token: str, party: dict[str, Any], page: int, size: int) -> Request:
    """One page of the contributors of a (party, process) pair as listed by `consult/org/find`."""
    filters = [
        {"code": "ruc", "value": party.get("ruc") or ""},
        {"code": "opEqual", "value": party.get("organizacion") or ""},
        {"code": "process", "value": party.get("proceso") or ""},
        {"code": "yearApo", "value": ""},
    ]
    return _request(base_url, DETAIL_PATH, token, filters, "op", page, size)


def roll_request(base_url: str, token: str, page: int, size: int) -> Request:
    return _request(base_url, ROLL_PATH, token, [{"code": "candidato", "value": ""}], "", page, size)


def expenses_request(base_url: str, token: str, campaign: Campaign, page: int, size: int) -> Request:
    filters = [{"code": "process", "value": campaign.label}]
    return _request(base_url, EXPENSES_PATH, token, filters, "", page, size)


def redact(fetched: Fetched) -> Fetched:
    """The same response with the token removed from its request: what gets recorded and re-parsed."""
    body = fetched.request.json_body
    if not isinstance(body, dict) or "token" not in body:
        return fetched
    request = replace(fetched.request, json_body={k: v for k, v in body.items() if k != "token"})
    return replace(fetched, request=request)


def _pages(fetched: Fetched) -> int:
    """How many pages the server announces (1 when the answer cannot be read: the parse step reports it)."""
    if not fetched.ok:
        return 1
    try:
        doc = load_json(fetched.content, fetched.request.full_url)
    except SourceFormatError:
        return 1
    pages = doc.get("pages") if isinstance(doc, dict) else None
    return pages if isinstance(pages, int) and pages > 0 else 1


def _paged(fetch: Fetch, build: Callable[[int], Request], path: str) -> list[Fetched]:
    first = FIRST_PAGE[path]
    firsts = fetch([build(first)])
    rest = [build(page) for page in range(first + 1, first + _pages(firsts[0]))]
    return firsts + (fetch(rest) if rest else [])


def crawl(fetch: Fetch, base_url: str, token: str, campaign: Campaign, page_size: int) -> list[Fetched]:
    """Every Claridad answer about one process: the party pairs, each pair's contributors (all pages), the
    candidate roll and the expense reports. Requests are returned redacted, in the order they were made."""
    orgs = _paged(fetch, lambda page: org_request(base_url, token, page), ORG_PATH)
    pairs = [item for fetched in orgs for item in _followable(fetched)]
    parties = [item for item in pairs if campaign.holds(item.get("proceso"))]
    one = FIRST_PAGE[DETAIL_PATH]  # every party's first page in one batch, then the pages each announces
    firsts = fetch([detail_request(base_url, token, party, one, page_size) for party in parties])
    rest = [
        detail_request(base_url, token, party, page, page_size)
        for party, first in zip(parties, firsts, strict=True)
        for page in range(one + 1, one + _pages(first))
    ]
    details = firsts + (fetch(rest) if rest else [])
    roll = _paged(fetch, lambda page: roll_request(base_url, token, page, page_size), ROLL_PATH)
    expenses = _paged(
        fetch, lambda page: expenses_request(base_url, token, campaign, page, page_size), EXPENSES_PATH
    )
    return [redact(f) for f in orgs + details + roll + expenses]


def _followable(fetched: Fetched) -> list[dict[str, Any]]:
    """Party pairs to follow; none when the answer failed or cannot be read (the parse step reports it)."""
    if not fetched.ok:
        return []
    try:
        return _org_items(fetched)
    except SourceFormatError:
        return []


def kind(url: str) -> str | None:
    """Which Claridad answer a URL gives ('parties', 'contributions', 'roll', 'expenses'), by its path."""
    path = urlsplit(url).path
    return next((name for suffix, name in KINDS.items() if path.endswith(suffix)), None)


def belongs_to(request: Request, campaign: Campaign) -> bool:
    """Whether an answer concerns the process: the per-process paths name it in their `process` filter."""
    process = _filter(request, "process")
    return process is None or campaign.holds(process)


def _filter(request: Request, code: str) -> Any:
    body = request.json_body if isinstance(request.json_body, dict) else {}
    for item in body.get("filters") or []:
        if isinstance(item, dict) and item.get("code") == code:
            return item.get("value")
    return None


def _doc(fetched: Fetched) -> dict[str, Any]:
    doc = load_json(fetched.content, fetched.request.full_url)
    if not isinstance(doc, dict) or "data" not in doc:
        raise SourceFormatError(fetched.request.full_url, "expected an object with a 'data' member")
    return doc


def _objects(value: Any, url: str, what: str) -> list[dict[str, Any]]:
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise SourceFormatError(url, f"{what} must be a list of objects")
    return value


def _org_items(fetched: Fetched) -> list[dict[str, Any]]:
    return _objects(_doc(fetched)["data"], fetched.request.full_url, "'data'")


def _listed(fetched: Fetched, key: str) -> list[dict[str, Any]]:
    data = _doc(fetched)["data"]
    url = fetched.request.full_url
    if not isinstance(data, dict):
        raise SourceFormatError(url, f"expected 'data' to be an object holding '{key}'")
    return _objects(data.get(key), url, f"'data.{key}'")


def _text(value: Any) -> str | None:
    text = str(value).strip() if value is not None else ""
    return text or None


def _name(*parts: Any) -> str | None:
    return " ".join(p for p in (_text(x) for x in parts) if p) or None


def _day(value: Any) -> Any:
    """A dd/mm/yyyy date as a Timestamp; anything else as sent, for the schema to reject with its value."""
    try:
        return pd.Timestamp(datetime.strptime(str(value).strip(), "%d/%m/%Y"))
    except ValueError:
        return value


def parse_parties(fetched: Fetched, campaign: Campaign) -> list[dict[str, Any]]:
    """Claridad's totals for each party of the process, as the portal reports them."""
    return [
        {
            "party_ruc": _text(item.get("ruc")),
            "party_name": _text(item.get("organizacion")),
            "cash": amount(item.get("efectivo")),
            "in_kind": amount(item.get("especie")),
            "activities": amount(item.get("actividad")),
            "other": amount(item.get("otros")),
            "total": amount(item.get("total")),
        }
        for item in _org_items(fetched)
        if campaign.holds(item.get("proceso"))
    ]


def parse_contributions(fetched: Fetched, campaign: Campaign) -> list[dict[str, Any]]:
    """One row per contribution on a find-detail page; the party comes from the filter that was sent.

    A contributor is a company when a razon social is given (`N/A` means none), else a person; a row with no
    document and no name has no identified contributor and keeps both empty.
    """
    url = fetched.request.full_url
    if not belongs_to(fetched.request, campaign):
        other = _filter(fetched.request, "process")
        raise SourceFormatError(url, f"contributors of process {other!r}, not {campaign.label}")
    rows = []
    for item in _listed(fetched, "listaAportantes"):
        company = _text(item.get("razonSocial"))
        company = None if company and company.upper() == "N/A" else company
        person = _name(item.get("nombres"), item.get("apellidos"))
        rows.append(
            {
                "party_ruc": _text(_filter(fetched.request, "ruc")),
                "party_name": _text(_filter(fetched.request, "opEqual")),
                "contributor_document": _text(item.get("dni")),
                "contributor_name": company or person,
                "contributor_kind": "company" if company else ("person" if person else None),
                "contribution_type": (_text(item.get("tipoAporte")) or "").upper() or None,
                "contribution_date": _day(item.get("fechaAporte")),
                "amount": amount(item.get("monto")),
                "election_year": item.get("anioEleccion"),
            }
        )
    return rows


def parse_roll(fetched: Fetched, campaign: Campaign) -> list[dict[str, Any]]:
    """Candidates of the process on the roll, with the campaign income Claridad reports for each."""
    return [
        {
            "dni": _text(item.get("dni")),
            "full_name": _name(item.get("nombres"), item.get("apellidos")),
            "party_name": _text(item.get("organizacion")),
            "department": _text(item.get("departamento")),
            "total_income": amount(item.get("totalIngresos")),
        }
        for item in _org_items(fetched)
        if campaign.holds(item.get("proceso"))
    ]


def parse_expenses(fetched: Fetched, campaign: Campaign) -> list[dict[str, Any]]:
    """One row per expense a candidate reported (Formato 8); names assumed, see the module docstring."""
    url = fetched.request.full_url
    if not belongs_to(fetched.request, campaign):
        other = _filter(fetched.request, "process")
        raise SourceFormatError(url, f"expenses of process {other!r}, not {campaign.label}")
    return [
        {
            "dni": _text(item.get("dni")),
            "candidate_name": _name(item.get("nombres"), item.get("apellidos")),
            "party_name": _text(item.get("organizacion")),
            "expense_date": _day(item.get("fechaGasto")),
            "platform": _text(item.get("plataforma")),
            "provider_document": _text(item.get("documentoProveedor")),
            "receipt_type": _text(item.get("tipoComprobante")),
            "receipt_number": _text(item.get("serieNumero")),
            "amount": amount(item.get("monto")),
            "concept": _text(item.get("concepto")),
        }
        for item in _listed(fetched, "listaGastos")
    ]


def har_responses(content: bytes, source: str) -> list[tuple[Request, int, bytes, str]]:
    """The Claridad answers in a browser's HAR export: (redacted request, status, body, content type) each.

    Operators without a token can browse the portal, solve its challenge and save the traffic ("Save all as
    HAR"); entries for other sites or paths are ignored. A file that is not a HAR is an error naming it.
    """
    try:
        entries = json.loads(content.decode("utf-8-sig"))["log"]["entries"]
    except (UnicodeDecodeError, ValueError, KeyError, TypeError) as exc:
        raise SourceFormatError(source, f"not a HAR export ({exc!r})") from None
    out = []
    for n, entry in enumerate(entries, 1):
        try:
            answer = _har_answer(entry)
        except (ValueError, TypeError, AttributeError) as exc:  # e.g. a status that is not a number
            raise SourceFormatError(source, f"HAR entry {n} cannot be read ({exc!r})") from None
        if answer is not None:
            out.append(answer)
    return out


def _har_answer(entry: dict[str, Any]) -> tuple[Request, int, bytes, str] | None:
    """One HAR entry as (redacted request, status, body, content type); None when not a Claridad answer."""
    request, response = entry.get("request") or {}, entry.get("response") or {}
    url = str(request.get("url", ""))
    if request.get("method") != "POST" or kind(url) is None:
        return None
    try:
        body = json.loads((request.get("postData") or {}).get("text") or "null")
    except ValueError:
        body = None
    page = response.get("content") or {}
    text = page.get("text") or ""
    raw = base64.b64decode(text) if page.get("encoding") == "base64" else text.encode("utf-8")
    redacted = {k: v for k, v in body.items() if k != "token"} if isinstance(body, dict) else body
    status, content_type = int(response.get("status") or 0), str(page.get("mimeType") or "")
    return Request("POST", url, json_body=redacted), status, raw, content_type
