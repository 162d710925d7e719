"""Finance layer ("Follow the money"): declared income and assets from the JNE hoja de vida, and party totals,
contributions, the candidate roll and expense reports from ONPE Claridad.

Same flow as the rest: raw assets fetch and archive every answer; staged assets parse it, validate each table
with its pandera schema (per process: campaign windows and income years depend on it), quarantine the rest and
replace the process's partition; the models are the FINANCE_MODELS in assets/models.py.

Claridad needs a reCAPTCHA token per request. Without a token or an exported HAR file its assets log why and
are skipped (materialized with `skipped: true`, nothing fetched, no rows replaced), so the run still succeeds
and the finance models are built from what the tables already hold. A skip is a materialization rather than
an unyielded output because Dagster skips every step downstream of an unyielded one: the JNE finance tables
and the review queue would not be rebuilt either.
"""

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path

import dagster as dg
import pandas as pd
import pandera.pandas as pa

from assets.partitions import DUCKDB_POOL, processes_partitions
from assets.raw import _fetcher, _finish, jne_source, read_earlier, read_latest
from assets.staged import load_validated
from pipeline import staging
from pipeline.campaigns import Campaign, get_campaign
from pipeline.http.request import Fetched
from pipeline.processes import get_process
from pipeline.resources import SourcesResource, WarehouseResource, warehouse_held
from pipeline.schemas import (
    campaign_expenses,
    candidate_finance,
    contributions,
    declared_assets,
    declared_income,
    party_finance,
)
from pipeline.settings import CLARIDAD_TOKEN_ENV
from pipeline.sources import claridad
from pipeline.sources.errors import SourceFormatError
from pipeline.warehouse import ensure_table, replace_rows, sql_text

FINANCE_SCHEMAS: dict[str, Callable[[str], pa.DataFrameSchema]] = {
    "stg_declared_income": declared_income.schema_for,
    "stg_declared_assets": declared_assets.schema_for,
    "stg_party_finance": party_finance.schema_for,
    "stg_contributions": contributions.schema_for,
    "stg_candidate_finance": candidate_finance.schema_for,
    "stg_campaign_expenses": campaign_expenses.schema_for,
}
CLARIDAD_TABLES = ["stg_party_finance", "stg_contributions", "stg_candidate_finance", "stg_campaign_expenses"]
GROUP = "finance"


def _columns(table: str, process_code: str) -> list[str]:
    return list(FINANCE_SCHEMAS[table](process_code).columns)


@dg.asset(
    partitions_def=processes_partitions,
    group_name=GROUP,
    kinds={"python", "duckdb"},
    pool=DUCKDB_POOL,
    deps=["stg_candidates"],
)
def jne_finance_sections(
    context: dg.AssetExecutionContext, sources: SourcesResource, duckdb: WarehouseResource
) -> dg.MaterializeResult:
    """Legacy API: the income, real-estate and vehicle sections of every candidacy's hoja de vida (three
    requests each). The current API carries them inside the hoja de vida that `jne_hojas_vida` fetched."""
    process = get_process(context.partition_key)
    module, source = jne_source(process)
    if process.api == "current":
        context.log.info(f"{process.code}: declarations come inside the hojas de vida; nothing more to fetch")
        return dg.MaterializeResult(metadata={"requests": 0, "source": source})
    with duckdb.get_connection() as conn:
        candidates = conn.execute(
            "SELECT DISTINCT id_hoja_vida FROM stg_candidates WHERE process_code = ? ORDER BY 1",
            [process.code],
        ).fetchdf()
    with sources.open() as opened:
        base = opened.url(source)
        requests = [r for row in candidates.to_dict("records") for r in module.finance_requests(base, row)]
        context.log.info(f"{process.code}: fetching the finance sections of {len(candidates)} hojas de vida")
        fetched = _fetcher(context, opened, "finance sections")(requests)
    return _finish(context, duckdb, "jne_finance_sections", process.code, source, fetched)


def claridad_skip_reason(
    sources: SourcesResource, campaign: Campaign | None, process_code: str
) -> str | None:
    """Why Claridad cannot be read for this process, or None when it can."""
    if campaign is None:
        return f"{process_code} has no `claridad` block in config/processes.yaml: no campaign finance to read"
    if not (sources.claridad_token or sources.claridad_export):
        return (
            f"ONPE Claridad skipped for {process_code}: every request needs a reCAPTCHA token. Set "
            f"{CLARIDAD_TOKEN_ENV} (read as a Dagster EnvVar) or PIPELINE_CLARIDAD_EXPORT (a HAR file saved "
            "from a browser session on the portal). Nothing fetched; the Claridad tables keep their rows."
        )
    return None


def _skipped(context: dg.AssetExecutionContext, reason: str) -> dict[str, dg.MetadataValue]:
    context.log.warning(reason)
    return {"skipped": dg.MetadataValue.bool(True), "reason": dg.MetadataValue.text(reason)}


def _exported(sources: SourcesResource, campaign: Campaign) -> list[Fetched]:
    """The Claridad answers of a HAR export, each archived. The HAR file itself is not archived: its requests
    carry the token of the session that saved it."""
    path = Path(sources.claridad_export)
    if not path.is_file():
        raise dg.Failure(description=f"Claridad export not found: {path} (set PIPELINE_CLARIDAD_EXPORT)")
    try:
        answers = claridad.har_responses(path.read_bytes(), str(path))
    except SourceFormatError as exc:
        raise dg.Failure(description=str(exc)) from None
    now = datetime.now(UTC)
    with sources.archive as archive:  # closed: its segment synced and its texts file made readable
        return [
            Fetched(request, status, archive.put(body), body, content_type, now, 0)
            for request, status, body, content_type in answers
            if claridad.belongs_to(request, campaign)
        ]


@dg.asset(partitions_def=processes_partitions, group_name=GROUP, kinds={"python", "duckdb"}, pool=DUCKDB_POOL)
def claridad_responses(
    context: dg.AssetExecutionContext, sources: SourcesResource, duckdb: WarehouseResource
) -> dg.MaterializeResult:
    """Every ONPE Claridad answer about the process: from the portal's API with a token, or from a HAR export
    when one is configured (it wins: an operator chose to load it). Skipped, saying why, with neither."""
    process = get_process(context.partition_key)
    campaign = get_campaign(process.code)
    if reason := claridad_skip_reason(sources, campaign, process.code):
        return dg.MaterializeResult(metadata=_skipped(context, reason))
    assert campaign is not None  # a process without a campaign has a skip reason
    if sources.claridad_export:
        fetched = _exported(sources, campaign)
        return _finish(context, duckdb, "claridad_responses", process.code, "claridad_export", fetched)
    with sources.open() as opened:
        fetch = _fetcher(context, opened, "Claridad answers")
        base = opened.url("claridad")
        fetched = claridad.crawl(fetch, base, sources.claridad_token, campaign, sources.claridad_page_size)
    return _finish(context, duckdb, "claridad_responses", process.code, "claridad", fetched)


def staged_spec(name: str, deps: list[str], description: str, group: str = GROUP) -> dg.AssetSpec:
    return dg.AssetSpec(
        name, deps=deps, group_name=group, kinds={"pandas", "duckdb"}, description=description
    )


@dg.multi_asset(
    specs=[
        staged_spec("stg_party_finance", ["claridad_responses"], "Claridad's totals per party, validated."),
        staged_spec("stg_contributions", ["claridad_responses"], "Contributions to each party, validated."),
        staged_spec("stg_candidate_finance", ["claridad_responses"], "Claridad's candidate roll."),
        staged_spec("stg_campaign_expenses", ["claridad_responses"], "Candidates' expenses, validated."),
    ],
    partitions_def=processes_partitions,
    pool=DUCKDB_POOL,
)
@warehouse_held
def stg_claridad(
    context: dg.AssetExecutionContext, sources: SourcesResource, duckdb: WarehouseResource
) -> Iterator[dg.MaterializeResult]:
    """The four Claridad tables from the latest archived answers; skipped with `claridad_responses`."""
    process = get_process(context.partition_key)
    campaign = get_campaign(process.code)
    if reason := claridad_skip_reason(sources, campaign, process.code):
        with duckdb.get_connection() as conn:
            for table in CLARIDAD_TABLES:
                ensure_table(conn, table)  # the models read them, even before any Claridad data exists
        for table in CLARIDAD_TABLES:
            yield dg.MaterializeResult(asset_key=table, metadata=_skipped(context, reason))
        return
    assert campaign is not None  # a process without a campaign has a skip reason
    responses = read_latest(duckdb, sources, "claridad_responses", process.code)
    earlier = read_earlier(duckdb, sources, "claridad_responses", process.code)
    for table in CLARIDAD_TABLES:
        parsed = staging.claridad_table(table, responses, campaign, _columns(table, process.code), earlier)
        schema = FINANCE_SCHEMAS[table](process.code)
        metadata = load_validated(context, duckdb, table, parsed, process.code, schema)
        yield dg.MaterializeResult(asset_key=table, metadata=metadata)


@dg.asset(group_name=GROUP, kinds={"duckdb"}, pool=DUCKDB_POOL)
def finance_parameters(sources: SourcesResource, duckdb: WarehouseResource) -> dg.MaterializeResult:
    """The configured review thresholds as a table, so the SQL models read them and every review reason and
    flag can be traced to the setting behind it."""
    settings = {
        "review_above_pen": (
            sources.finance_review_above_pen,
            "PEN",
            "PIPELINE_FINANCE_REVIEW_ABOVE_PEN",
            "Un importe igual o mayor se envía a revisión como probable error de unidades.",
        ),
        "max_ratio": (
            sources.finance_max_ratio,
            "ratio",
            "PIPELINE_FINANCE_MAX_RATIO",
            "Dinero de campaña igual o mayor a estas veces el ingreso declarado genera una alerta.",
        ),
    }
    rows = []
    for name, (text, unit, setting, description) in settings.items():
        try:
            value = Decimal(text)
        except InvalidOperation:
            raise dg.Failure(description=f"{setting} must be a decimal number, got {text!r}") from None
        if not value.is_finite() or value <= 0:
            raise dg.Failure(description=f"{setting} must be a positive number, got {text!r}")
        rows.append(
            {"name": name, "value": value, "unit": unit, "setting": setting, "description": description}
        )
    with duckdb.get_connection() as conn:
        conn.execute(sql_text("finance_parameters"))
        replace_rows(conn, "finance_parameters", pd.DataFrame(rows), {})
    return dg.MaterializeResult(metadata={r["name"]: dg.MetadataValue.text(str(r["value"])) for r in rows})


finance_assets = [
    jne_finance_sections,
    claridad_responses,
    stg_claridad,
    finance_parameters,
]
