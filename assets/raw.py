"""Raw layer: fetch every source response, archive its bytes, and record it in `raw_responses`."""

import importlib
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType

import dagster as dg

from assets.partitions import DUCKDB_POOL, processes_partitions
from pipeline.http.request import Fetched, Request
from pipeline.manifest import latest_responses, record_responses
from pipeline.processes import Process, get_process
from pipeline.resources import OpenSources, SourcesResource, WarehouseResource
from pipeline.sources import congreso


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
    """Record the responses; a source that answered nothing at all fails its asset with the URL named."""
    with warehouse.get_connection() as conn:
        record_responses(conn, context.run_id, asset, process_code, source, fetched)
    failed = [f for f in fetched if not f.ok]
    for failure in failed[:20]:
        context.log.warning(f"{asset}: {failure.describe_failure()} (recorded; retried next run)")
    if fetched and len(failed) == len(fetched):
        raise dg.Failure(
            description=f"source {source!r} is unreachable or refusing every request: "
            f"{failed[0].describe_failure()}",
            metadata={"requests": len(fetched), "failed": len(failed)},
        )
    return dg.MaterializeResult(
        metadata={
            "requests": len(fetched),
            "failed": len(failed),
            "bytes": sum(len(f.content) for f in fetched),
            "source": source,
            "first_url": fetched[0].request.full_url if fetched else "",
        }
    )


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
    """The hoja de vida of every candidacy in `stg_candidates` (one request per distinct hoja de vida)."""
    process = get_process(context.partition_key)
    module, source = jne_source(process)
    with duckdb.get_connection() as conn:
        candidates = (
            conn.execute(
                "SELECT id_hoja_vida, any_value(party_id) AS party_id FROM stg_candidates "
                "WHERE process_code = ? GROUP BY id_hoja_vida ORDER BY id_hoja_vida",
                [process.code],
            )
            .fetchdf()
            .to_dict("records")
        )
    context.log.info(f"{process.code}: fetching {len(candidates)} hojas de vida")
    with sources.open() as opened:
        base = opened.url(source)
        requests = []
        for candidate in candidates:
            try:
                requests.append(module.hoja_vida_request(base, process, candidate))
            except ValueError as exc:  # e.g. the legacy URL needs a party id the list row lacks
                context.log.warning(f"hoja de vida {candidate['id_hoja_vida']} not requested: {exc}")
        fetched = _fetcher(context, opened, "hojas de vida")(requests)
    return _finish(context, duckdb, "jne_hojas_vida", process.code, source, fetched)


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
    fetched = Fetched(
        request=Request("GET", path.resolve().as_uri()),
        status=200,
        sha256=sources.archive.put(content),
        content=content,
        content_type="text/csv",
        fetched_at=datetime.now(UTC),
        elapsed_ms=0,
    )
    return _finish(context, duckdb, "court_rulings_file", None, "curated", [fetched])


def read_latest(
    duckdb: WarehouseResource, sources: SourcesResource, asset: str, process_code: str | None
) -> list[Fetched]:
    with duckdb.get_connection() as conn:
        return latest_responses(conn, asset, process_code, sources.archive)
