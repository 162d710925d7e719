"""Parse archived responses into staged DataFrames, one function per staged table.

A response that cannot be parsed becomes a quarantine row naming the parse error, the URL and the archive
reference; it never stops the batch. Values are left as sent: the pandera schemas judge them next.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from types import ModuleType
from typing import Any

import pandas as pd

from pipeline.campaigns import Campaign
from pipeline.http.request import Fetched
from pipeline.processes import Process
from pipeline.rules.crimes import CrimeClassifier, CrimeMatch
from pipeline.rules.sentences import read_sentence
from pipeline.sources import claridad, congreso
from pipeline.sources.errors import SourceFormatError
from pipeline.validate import quarantine_rows


@dataclass
class Parsed:
    rows: pd.DataFrame
    quarantine: pd.DataFrame


def _provenance(fetched: Fetched) -> dict[str, Any]:
    return {"source_url": fetched.request.full_url, "archive_sha256": fetched.sha256}


def _scalar(value: Any) -> Any:
    """Values as a table can hold them: nested JSON as its text, text as valid UTF-8 (a lone surrogate, legal
    in JSON, becomes "?"); the schemas then judge them like any other value."""
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, str):
        return value.encode("utf-8", "replace").decode("utf-8")
    return value


def _parse_each(
    table: str,
    process_code: str | None,
    responses: Sequence[Fetched],
    parse: Callable[[Fetched], list[dict[str, Any]]],
    columns: list[str],
) -> Parsed:
    rows: list[dict[str, Any]] = []
    bad: list[pd.DataFrame] = []
    for fetched in responses:
        try:
            parsed = [{k: _scalar(v) for k, v in row.items()} for row in parse(fetched)]
        except (SourceFormatError, congreso.LayoutChangedError) as exc:
            reason = str(exc)
        except (TypeError, ValueError, UnicodeError, RecursionError) as exc:
            # One odd response (a list where text was expected, a lone surrogate ...) must not fail the batch.
            reason = f"{fetched.request.full_url}: unreadable record ({type(exc).__name__}: {exc})"
        else:
            rows += [{"process_code": process_code, **row, **_provenance(fetched)} for row in parsed]
            continue
        failed = pd.DataFrame([{"process_code": process_code, **_provenance(fetched)}])
        bad.append(quarantine_rows(table, failed, "parse", None, [reason[:2000]]))
    frame = pd.DataFrame(rows, columns=columns)
    return Parsed(
        frame, pd.concat(bad, ignore_index=True) if bad else quarantine_rows(table, frame.iloc[:0], "", None)
    )


def candidates(
    responses: Sequence[Fetched], process: Process, module: ModuleType, columns: list[str]
) -> Parsed:
    return _parse_each(
        "stg_candidates", process.code, responses, lambda f: module.parse_candidates(f, process), columns
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


def criminal_sentences(
    responses: Sequence[Fetched],
    process: Process,
    module: ModuleType,
    columns: list[str],
    classifier: CrimeClassifier,
) -> Parsed:
    def parse(fetched: Fetched) -> list[dict[str, Any]]:
        hv = module.parse_hoja_vida(fetched.content, fetched.request.full_url)
        rows = module.criminal_rows(hv, _hv_id(fetched))
        for row in rows:
            crime = classifier.classify(row.get("crime_text"))
            reading = read_sentence(row)
            row.update(
                sentence_date=pd.to_datetime(
                    row.get("sentence_date_raw"), format="%d/%m/%Y", errors="coerce"
                ),
                crime_category=crime.category,
                crime_negligent=crime.negligent,
                outcome=reading.outcome,
                prison_modality=reading.prison_modality,
                served=reading.served,
                rehabilitated=reading.rehabilitated,
                review_reasons="; ".join(reading.review_reasons + _also_named(crime)) or None,
            )
        return rows

    return _parse_each("stg_criminal_sentences", process.code, responses, parse, columns)


def civil_sentences(
    responses: Sequence[Fetched], process: Process, module: ModuleType, columns: list[str]
) -> Parsed:
    def parse(fetched: Fetched) -> list[dict[str, Any]]:
        hv = module.parse_hoja_vida(fetched.content, fetched.request.full_url)
        return module.civil_rows(hv, _hv_id(fetched))

    return _parse_each("stg_civil_sentences", process.code, responses, parse, columns)


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


def declarations(
    responses: Sequence[Fetched],
    process: Process,
    module: ModuleType,
    income_columns: list[str],
    asset_columns: list[str],
) -> tuple[Parsed, Parsed]:
    """Declared income and assets, from hojas de vida (current API) or the legacy per-section answers, each
    response parsed once for both tables; one that cannot be parsed is quarantined in both."""
    read: dict[int, tuple[list[dict], list[dict]] | SourceFormatError] = {}
    for fetched in responses:
        try:
            url = fetched.request.full_url
            read[id(fetched)] = module.declarations(fetched.content, url, _hv_id(fetched))
        except SourceFormatError as exc:
            read[id(fetched)] = exc

    def rows_of(which: int) -> Callable[[Fetched], list[dict[str, Any]]]:
        def parse(fetched: Fetched) -> list[dict[str, Any]]:
            result = read[id(fetched)]
            if isinstance(result, SourceFormatError):
                raise result
            return result[which]

        return parse

    return (
        _parse_each("stg_declared_income", process.code, responses, rows_of(0), income_columns),
        _parse_each("stg_declared_assets", process.code, responses, rows_of(1), asset_columns),
    )


CLARIDAD_PARSERS: dict[str, tuple[str, Callable[[Fetched, Campaign], list[dict[str, Any]]]]] = {
    "stg_party_finance": ("parties", claridad.parse_parties),
    "stg_contributions": ("contributions", claridad.parse_contributions),
    "stg_candidate_finance": ("roll", claridad.parse_roll),
    "stg_campaign_expenses": ("expenses", claridad.parse_expenses),
}


def claridad_table(
    table: str, responses: Sequence[Fetched], campaign: Campaign, columns: list[str]
) -> Parsed:
    """One staged Claridad table, from the answers of the endpoint that feeds it."""
    kind, parse = CLARIDAD_PARSERS[table]
    mine = [f for f in responses if claridad.kind(f.request.url) == kind]
    return _parse_each(table, campaign.process_code, mine, lambda f: parse(f, campaign), columns)
