"""Raw layer: fetch every source response, archive its bytes, and record it in `raw_responses`."""

import importlib
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType

import dagster as dg

from assets.partitions import DUCKDB_POOL, processes_partitions
from pipeline import refresh
from pipeline.http.request import Fetched, Request
from pipeline.manifest import earlier_responses, latest_responses, record_responses
from pipeline.processes import Process, get_process
from pipeline.resources import OpenSources, SourcesResource, WarehouseResource
from pipeline.sources import congreso
from pipeline.warehouse import replace_rows

FETCH_BATCH = 2_000  # hojas de vida fetched, recorded and let go at a time


def jne_source(process: Process) -> tuple[ModuleType, str]:
    """The JNE API generation a process is published in, and the name of its base-URL setting."""
    source = "jne" if process.api == "current" else "jne_legacy"
    return importlib.import_module(f"pipeline.sources.{source}"), source


def _fetcher(context: dg.AssetExecutionContext, sources: OpenSources, what: str) -> Callable:
    def fetch(requests: Sequence[Request]) -> list[Fetched]:
        def progress(done: int, total: int) -> None:
            context.log.info(f"{what}: fetched {done}/{total}")

        return sources.client.fetch_many(requests, progress=progress)

    return fetch


def _finish(
    context: dg.AssetExecutionContext,
    warehouse: WarehouseResource,
    asset: str,
    process_code: str | None,
    source: str,
    fetched: list[Fetched],
) -> dg.MaterializeResult:
    """Record the responses, then judge them (see `_judged`)."""
    with warehouse.get_connection() as conn:
        record_responses(conn, context.run_id, asset, process_code, source, fetched)
    return _judged(context, asset, source, fetched, sum(len(f.content) for f in fetched))


def _judged(
    context: dg.AssetExecutionContext,
    asset: str,
    source: str,
    fetched: Sequence[Fetched],
    size: int,
    all_failed_means_down: bool = True,
) -> dg.MaterializeResult:
    """Log the failures; a source that answered nothing at all fails its asset with the URL named (unless
    the requests were only retries of ones that failed before: their failing again says nothing new)."""
    failed = [f for f in fetched if not (f.ok or f.not_modified)]
    for failure in failed[:20]:
        context.log.warning(f"{asset}: {failure.describe_failure()} (recorded; retried next run)")
    if all_failed_means_down and fetched and len(failed) == len(fetched):
        raise dg.Failure(
            description=f"source {source!r} is unreachable or refusing every request: "
            f"{failed[0].describe_failure()}",
            metadata={"requests": len(fetched), "failed": len(failed)},
        )
    return dg.MaterializeResult(
        metadata={
            "requests": len(fetched),
            "failed": len(failed),
            "bytes": size,
            "source": source,
            "first_url": fetched[0].request.full_url if fetched else "",
        }
    )


def _fetch_recorded(
    context: dg.AssetExecutionContext,
    opened: OpenSources,
    warehouse: WarehouseResource,
    asset: str,
    process_code: str,
    source: str,
    requests: Sequence[Request],
) -> tuple[list[Fetched], int]:
    """Fetch in batches, recording each batch in `raw_responses` as it lands, and keep the answers without
    their bodies (they are archived): memory stays flat however many hojas de vida an election has."""
    kept: list[Fetched] = []
    size = 0
    for start in range(0, len(requests), FETCH_BATCH):
        batch = opened.client.fetch_many(requests[start : start + FETCH_BATCH])
        with warehouse.get_connection() as conn:
            record_responses(conn, context.run_id, asset, process_code, source, batch)
        size += sum(len(f.content) for f in batch)
        kept += [replace(f, content=b"") for f in batch]
        context.log.info(f"{asset}: fetched {len(kept)}/{len(requests)}")
    return kept, size


@dg.asset(partitions_def=processes_partitions, group_name="raw", kinds={"python", "duckdb"}, pool=DUCKDB_POOL)
def jne_candidate_lists(
    context: dg.AssetExecutionContext, sources: SourcesResource, duckdb: WarehouseResource
) -> dg.MaterializeResult:
    """Every page of the JNE candidate lists configured for the process (pipeline/config/processes.yaml)."""
    process = get_process(context.partition_key)
    module, source = jne_source(process)
    with sources.open() as opened:
        fetched = module.crawl_candidate_lists(
            _fetcher(context, opened, "candidate lists"), opened.url(source), process, opened.page_size
        )
    return _finish(context, duckdb, "jne_candidate_lists", process.code, source, fetched)


@dg.asset(
    partitions_def=processes_partitions,
    group_name="raw",
    kinds={"python", "duckdb"},
    pool=DUCKDB_POOL,
    deps=["stg_candidates"],
)
def jne_hojas_vida(
    context: dg.AssetExecutionContext, sources: SourcesResource, duckdb: WarehouseResource
) -> dg.MaterializeResult:
    """The hoja de vida of every candidacy in `stg_candidates`, asked for only when it may have changed
    (pipeline/refresh.py); the crawler's memory is `hv_crawl_state`."""
    process = get_process(context.partition_key)
    module, source = jne_source(process)
    with duckdb.get_connection() as conn:
        planned = refresh.plan(conn, process.code, sources.hv_max_age_hours, datetime.now(UTC))
    reasons = planned["reason"].value_counts().to_dict()
    due = planned[planned["reason"] != refresh.FRESH]
    context.log.info(
        f"{process.code}: fetching {len(due)} of {len(planned)} hojas de vida; by reason: {reasons}"
    )
    with sources.open() as opened:
        base = opened.url(source)
        ids, requests = [], []
        for row in due.to_dict("records"):
            try:
                request = module.hoja_vida_request(base, process, row)
            except ValueError as exc:  # e.g. the legacy URL needs a party id the list row lacks
                context.log.warning(f"hoja de vida {row['id_hoja_vida']} not requested: {exc}")
                continue
            ids.append(row["id_hoja_vida"])
            requests.append(replace(request, headers=refresh.conditional_headers(row)))
        fetched, size = _fetch_recorded(
            context, opened, duckdb, "jne_hojas_vida", process.code, source, requests
        )
    only_retries = bool(len(due)) and (due["reason"] == "retry").all()
    result = _judged(context, "jne_hojas_vida", source, fetched, size, not only_retries)
    state = refresh.next_state(process.code, planned, list(zip(ids, fetched, strict=True)))
    with duckdb.get_connection() as conn:
        if fetched or refresh.stored_count(conn, process.code) != len(state):  # else the state is as stored
            replace_rows(conn, "hv_crawl_state", state, {"process_code": process.code})
    metadata = {
        **(result.metadata or {}),
        "listed": len(planned),
        "kept_without_request": int(reasons.get(refresh.FRESH, 0)),
        "not_modified": sum(f.not_modified for f in fetched),
        "by_reason": dg.MetadataValue.json({str(k): int(v) for k, v in reasons.items()}),
    }
    return dg.MaterializeResult(metadata=metadata)


@dg.asset(partitions_def=processes_partitions, group_name="raw", kinds={"python", "duckdb"}, pool=DUCKDB_POOL)
def congress_rosters(
    context: dg.AssetExecutionContext, sources: SourcesResource, duckdb: WarehouseResource
) -> dg.MaterializeResult:
    """Roster pages of the Congress elected in the process; for unicameral rosters, each profile page too."""
    process = get_process(context.partition_key)
    fetched: list[Fetched] = []
    with sources.open() as opened:
        fetch = _fetcher(context, opened, "roster pages")
        for spec in process.rosters:
            pages = fetch([Request("GET", opened.url(spec.source))])
            fetched += pages
            if spec.chamber == "congreso" and pages[0].ok:
                try:
                    listed = congreso.parse_unicameral_roster(pages[0].content, pages[0].request.full_url)
                except congreso.LayoutChangedError:
                    continue  # stg_legislators reports the layout change
                fetched += fetch([Request("GET", row["profile_url"]) for row in listed])
    result = _finish(context, duckdb, "congress_rosters", process.code, "congreso", fetched)
    missing = [f for f in fetched if not f.ok]
    if missing:
        # Each page holds a whole chamber (or one legislator): loading without it would drop people.
        raise dg.Failure(
            description=f"congreso: {len(missing)} roster page(s) could not be fetched, e.g. "
            f"{missing[0].describe_failure()}; the previous roster stays",
        )
    return result


@dg.asset(group_name="raw", kinds={"python", "duckdb"}, pool=DUCKDB_POOL)
def court_rulings_file(
    context: dg.AssetExecutionContext, sources: SourcesResource, duckdb: WarehouseResource
) -> dg.MaterializeResult:
    """The curated court-rulings file, archived like any response so every ruling traces to its bytes."""
    path = Path(sources.rulings_path)
    if not path.is_file():
        raise dg.Failure(description=f"curated rulings file not found: {path} (set PIPELINE_RULINGS_PATH)")
    content = path.read_bytes()
    with sources.archive as archive:  # closed: its segment synced and its texts file made readable
        sha = archive.put(content)
    fetched = Fetched(
        request=Request("GET", path.resolve().as_uri()),
        status=200,
        sha256=sha,
        content=content,
        content_type="text/csv",
        fetched_at=datetime.now(UTC),
        elapsed_ms=0,
    )
    return _finish(context, duckdb, "court_rulings_file", None, "curated", [fetched])


def read_earlier(
    duckdb: WarehouseResource, sources: SourcesResource, asset: str, process_code: str | None
) -> Callable[[Fetched], list[Fetched]]:
    """What staging falls back to when a request's latest body cannot be read (see staging._parse_each)."""

    def earlier(fetched: Fetched) -> list[Fetched]:
        with duckdb.get_connection() as conn:
            return earlier_responses(conn, asset, process_code, sources.archive, fetched)

    return earlier


def read_latest(
    duckdb: WarehouseResource, sources: SourcesResource, asset: str, process_code: str | None
) -> list[Fetched]:
    with duckdb.get_connection() as conn:
        return latest_responses(conn, asset, process_code, sources.archive)
