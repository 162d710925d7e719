"""Parsers for the Peruvian Congress roster pages (HTML scraped with BeautifulSoup).

Pure functions: they take a page body and the URL it came from and return plain dicts. No network, no
storage, so they can be tested against recorded pages and reused by any orchestrator.

The real markup is only known through third-party scrapers, so the parsers rely on the few selectors
those scrapers agree on and fail loudly (``LayoutChangedError``) when a page that should hold a roster
yields nothing: a layout change must surface as an error, never as an empty table. The selectors are
written as BeautifulSoup's `find`/`find_all` (the error messages name them in CSS): a process's first CSS
`select` has soupsieve compile its own regular expressions, 0.12-0.14 s of every run (measured).

Personal data that the bicameral JSON carries (email, photo, gender) is deliberately never returned.

Text rule for HTML fields (``_field_text``): whitespace is collapsed (it is insignificant in HTML) and a
leading label is removed. A label is either a leading child element (``<span>``, ``<strong>``, ``<b>``,
``<label>``, ``<em>``, ``<dt>``, ``<th>``) whose text ends with ``:``, or a plain-text prefix of at most
40 characters, without digits, that ends with ``:`` ("Grupo Parlamentario: X" -> "X"). Everything else
is kept verbatim; normalisation (case, accents) happens later in the pipeline.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import urljoin

from bs4 import BeautifulSoup, Tag

__all__ = [
    "LayoutChangedError",
    "parse_bicameral_roster",
    "parse_unicameral_profile",
    "parse_unicameral_roster",
]

BICAMERAL_CHAMBERS = ("senado", "diputados")
UNICAMERAL_CHAMBER = "congreso"

_LABEL_TAGS = {"span", "strong", "b", "label", "em", "dt", "th"}
_TEXT_LABEL = re.compile(r"^([^\W\d_][^:\d]{0,39}):\s*(.*)$", re.DOTALL)
_PERIOD = re.compile(r"(\d{4})\s*[-–—/]\s*(\d{4})")
_NUMBER = re.compile(r"\d{1,3}(?:[.,\s]\d{3})+(?!\d)|\d+")
# As CSS matches [type="application/json"] in HTML: the type attribute's value in any case.
_JSON_TYPE = re.compile(r"\Aapplication/json\Z", re.IGNORECASE)


class LayoutChangedError(Exception):
    """A page that should hold a roster or profile does not have the expected structure."""


def _soup(body: bytes | str) -> BeautifulSoup:
    """Parse with lxml; bytes are decoded by BeautifulSoup (meta charset / detection)."""
    return BeautifulSoup(body, "lxml")


def _clean(value: Any) -> str | None:
    """Strip a JSON scalar to text; empty or missing becomes None so gaps stay visible."""
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _collapse(text: str) -> str:
    return " ".join(text.split())


def _normalise_period(text: str | None) -> str | None:
    """Write a legislative period as 'YYYY-YYYY' so both roster kinds join on the same key."""
    if text is None:
        return None
    match = _PERIOD.search(text)
    if match:
        return f"{match.group(1)}-{match.group(2)}"
    return _collapse(text) or None


def _field_text(element: Tag | None) -> str | None:
    """Text of a profile field without its label (see the module docstring for the rule)."""
    if element is None:
        return None
    first = next((c for c in element.children if not (isinstance(c, str) and not c.strip())), None)
    text = _collapse(element.get_text(" "))
    if isinstance(first, Tag) and first.name in _LABEL_TAGS:
        label = _collapse(first.get_text(" "))
        if label.endswith(":") and text.startswith(label):
            return text[len(label) :].strip() or None
    match = _TEXT_LABEL.match(text)
    if match:
        text = match.group(2).strip()
    return text or None


def _absolute(source_url: str, href: str) -> str:
    """A scraped link made absolute; one that is not a URL at all is a layout problem, named as such."""
    try:
        return urljoin(source_url, href)
    except ValueError as exc:
        raise LayoutChangedError(f"{source_url}: profile link {href[:200]!r} is not a URL ({exc})") from None


def _parse_votes(text: str | None) -> int | None:
    """Votes as int; accepts thousands separators ('12,345', '12.345', '12 345'), None if absent."""
    if not text:
        return None
    match = _NUMBER.search(text)
    if match is None:
        return None
    digits = re.sub(r"\D", "", match.group(0))
    return int(digits) if len(digits) <= 12 else None  # no election counts a trillion votes: not a count


def _json_items(payload: Any, source_url: str) -> list[Any]:
    """The roster list: either the JSON itself or the single list of objects inside a wrapper object."""
    if isinstance(payload, list):
        return payload
    if isinstance(payload, dict):
        lists = [v for v in payload.values() if isinstance(v, list)]
        if len(lists) == 1:
            return lists[0]
    raise LayoutChangedError(
        f"{source_url}: expected a JSON list of legislators (or an object wrapping one list), "
        f"got {type(payload).__name__}"
    )


def parse_bicameral_roster(body: bytes | str, source_url: str, chamber: str) -> list[dict]:
    """Parse a 2026-2031 senate or chamber-of-deputies roster page.

    The roster is JSON in ``<script type="application/json">`` inside the ``[data-congresista-app]``
    element. Only public-role fields are returned; email, photo and gender are dropped on purpose.
    """
    if chamber not in BICAMERAL_CHAMBERS:
        raise ValueError(f"chamber must be one of {BICAMERAL_CHAMBERS}, got {chamber!r}")
    soup = _soup(body)
    apps = soup.find_all(attrs={"data-congresista-app": True})
    if not apps:
        raise LayoutChangedError(f"{source_url}: no element with the data-congresista-app attribute")
    script = None
    for app in apps:
        script = app.find("script", attrs={"type": _JSON_TYPE})
        if script is not None:
            break
    if script is None:
        raise LayoutChangedError(
            f'{source_url}: no <script type="application/json"> inside the data-congresista-app element'
        )
    raw = script.string if script.string is not None else script.get_text()
    try:
        payload = json.loads(raw)
    except (json.JSONDecodeError, RecursionError) as exc:
        raise LayoutChangedError(
            f"{source_url}: malformed roster JSON in data-congresista-app ({exc})"
        ) from exc
    items = _json_items(payload, source_url)
    if not items:
        raise LayoutChangedError(f"{source_url}: roster JSON in data-congresista-app holds no legislators")

    rows: list[dict] = []
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            raise LayoutChangedError(f"{source_url}: roster item {index} is not an object")
        full_name = _clean(item.get("name"))
        if full_name is None:
            raise LayoutChangedError(f"{source_url}: roster item {index} has no 'name'")
        url = _clean(item.get("url"))
        rows.append(
            {
                "chamber": chamber,
                "period": _normalise_period(_clean(item.get("period"))),
                "full_name": full_name,
                "party": _clean(item.get("partido")),
                "parliamentary_group": _clean(item.get("group")),
                "district": _clean(item.get("district")),
                "condition": _clean(item.get("condition")),
                "profile_url": _absolute(source_url, url) if url else None,
                "source_url": source_url,
            }
        )
    return rows


def _selected_period(soup: BeautifulSoup, source_url: str) -> str | None:
    """Period from the selected option of the period selector (first option if none is marked)."""
    select = soup.find("select", attrs={"name": "idRegistroPadre"})
    if select is None:
        raise LayoutChangedError(f"{source_url}: no period selector select[name=idRegistroPadre]")
    option = select.find("option", selected=True) or select.find("option")
    if option is None:
        raise LayoutChangedError(f"{source_url}: period selector select[name=idRegistroPadre] has no options")
    return _normalise_period(option.get_text())


def parse_unicameral_roster(body: bytes | str, source_url: str) -> list[dict]:
    """Parse the unicameral roster (periods up to 2021-2026): one dict per table row with a profile link.

    A row may carry several ``a.conginfo`` links (photo and name); the first with text gives the name.
    """
    soup = _soup(body)
    table = soup.find("table", class_="congresistas")
    if table is None:
        raise LayoutChangedError(f"{source_url}: no roster table table.congresistas")
    period = _selected_period(soup, source_url)

    rows: list[dict] = []
    for tr in table.find_all("tr"):
        links = tr.find_all("a", class_="conginfo")
        if not links:
            continue
        named = [a for a in links if _collapse(a.get_text(" "))]
        if not named:
            raise LayoutChangedError(f"{source_url}: roster row has a.conginfo links but no name text")
        link = named[0]
        href = link.get("href")
        href = href.strip() if isinstance(href, str) else ""
        if not href:
            href = next((a.get("href").strip() for a in links if a.get("href")), "")
        if not href:
            raise LayoutChangedError(f"{source_url}: a.conginfo link without href in the roster table")
        rows.append(
            {
                "chamber": UNICAMERAL_CHAMBER,
                "period": period,
                "full_name": _collapse(link.get_text(" ")),
                "profile_url": _absolute(source_url, href),
                "source_url": source_url,
            }
        )
    if not rows:
        raise LayoutChangedError(
            f"{source_url}: table.congresistas has no rows with an a.conginfo profile link"
        )
    return rows


def parse_unicameral_profile(body: bytes | str, source_url: str) -> dict:
    """Parse one unicameral legislator profile page; a page without ``.nombres`` is a layout change."""
    soup = _soup(body)
    full_name = _field_text(soup.find(class_="nombres"))
    if full_name is None:
        raise LayoutChangedError(f"{source_url}: no legislator name in .nombres")
    return {
        "full_name": full_name,
        "party": _field_text(soup.find(class_="grupo")),
        "parliamentary_group": _field_text(soup.find(class_="bancada")),
        "district": _field_text(soup.find(class_="representa")),
        "condition": _field_text(soup.find(class_="condicion")),
        "votes": _parse_votes(_field_text(soup.find(class_="votacion"))),
        "profile_url": source_url,
    }
