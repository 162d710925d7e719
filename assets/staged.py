"""Staged layer: parse archived responses, validate each table with its pandera schema, load valid rows
and quarantine the rest in one transaction: the process's whole partition for lists, rosters and rulings;
for the tables read from hojas de vida, only those whose body changed (pipeline/incremental.py)."""

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from queue import Queue

import dagster as dg
import duckdb
import pandas as pd
import pandera.pandas as pa

from assets.partitions import DUCKDB_POOL, processes_partitions
from assets.raw import jne_source, read_earlier, read_latest
from pipeline import incremental, staging
from pipeline.http.request import Fetched
from pipeline.processes import get_process
from pipeline.resources import SourcesResource, WarehouseResource, warehouse_held
from pipeline.rules.crimes import CrimeClassifier
from pipeline.schemas import candidates, civil_sentences, court_rulings, criminal_sentences, legislators
from pipeline.validate import split_valid
from pipeline.warehouse import ensure_table, preview_markdown, replace_rows, thread_cursors

SCHEMAS: dict[str, pa.DataFrameSchema] = {
    "stg_candidates": candidates.schema,
    "stg_criminal_sentences": criminal_sentences.schema,
    "stg_civil_sentences": civil_sentences.schema,
    "stg_legislators": legislators.schema,
    "stg_court_rulings": court_rulings.schema,
}


def columns(table: str) -> list[str]:
    return list(SCHEMAS[table].columns)


def validated(
    context: dg.AssetExecutionContext, table: str, parsed: staging.Parsed, schema: pa.DataFrameSchema
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Valid rows, and every quarantine row (unreadable responses and failed checks), logged."""
    outcome = split_valid(parsed.rows, schema, table)
    quarantine = pd.concat(
        [q for q in (parsed.quarantine, outcome.quarantine) if not q.empty] or [outcome.quarantine],
        ignore_index=True,
    )
    if not quarantine.empty:
        first = quarantine.iloc[0]
        context.log.warning(
            f"{table}: {len(quarantine)} quarantine rows, e.g. {first['check_name']} "
            f"on {first['column_name']}={first['failure_value']!r} ({first['source_url']})"
        )
    return outcome.valid, quarantine


def table_metadata(
    conn: duckdb.DuckDBPyConnection, table: str, process_code: str | None
) -> dict[str, dg.MetadataValue]:
    """Row count, quarantine count and a preview of the table as loaded, for the asset's page in the UI."""
    where, params = ("process_code = ?", [process_code]) if process_code else ("TRUE", [])
    rows = conn.execute(f'SELECT count(*) FROM "{table}" WHERE {where}', params).fetchone()[0]
    quarantined = conn.execute(
        f"SELECT count(*) FROM quarantine WHERE table_name = ? AND {where}", [table, *params]
    ).fetchone()[0]
    return {
        "dagster/row_count": dg.MetadataValue.int(rows),
        "quarantined": dg.MetadataValue.int(quarantined),
        "preview": dg.MetadataValue.md(preview_markdown(conn, table)),
    }


def load_validated(
    context: dg.AssetExecutionContext,
    duckdb: WarehouseResource,
    table: str,
    parsed: staging.Parsed,
    process_code: str | None,
    schema: pa.DataFrameSchema | None = None,
) -> dict[str, dg.MetadataValue]:
    """Validate, then replace the partition and its quarantine rows together; return asset metadata."""
    valid, quarantine = validated(context, table, parsed, schema if schema is not None else SCHEMAS[table])
    where = {"process_code": process_code} if process_code else {}
    with duckdb.get_connection() as conn:
        replace_rows(conn, table, valid, where)
        replace_rows(conn, "quarantine", quarantine, {"table_name": table, **where})
        return table_metadata(conn, table, process_code)


def load_changed_hojas_vida(
    context: dg.AssetExecutionContext,
    duckdb: WarehouseResource,
    sources: SourcesResource,
    groups: Mapping[str, Mapping[str, pa.DataFrameSchema]],
    parse: Callable[[Iterable[Fetched]], Sequence[staging.Parsed]],
) -> dict[str, dict[str, dg.MetadataValue]]:
    """Parse, in one pass over their bodies, the hojas de vida whose body changed for any group of tables
    (a group: its name in `hv_parsed`, and its tables' schemas; `parse` returns every group's tables in
    order), validate, and replace each group's rows for its own changed hojas de vida
    (pipeline/incremental.py), one transaction per group; return each table's metadata.

    A group is judged on its own: a body one group cannot read keeps that group's previous rows only."""
    process_code = context.partition_key
    with duckdb.get_connection() as conn:
        to_parse, work = incremental.pending(conn, list(groups), process_code)
    current = max(w.current for w in work.values())
    counts = ", ".join(f"{g}: {len(w.to_parse)}, {len(w.removed)} no longer listed" for g, w in work.items())
    context.log.info(
        f"{process_code}: {len(to_parse)} of {current} hojas de vida have a body not parsed yet; parsing "
        f"those ({counts})"
    )
    tables = [table for schemas in groups.values() for table in schemas]
    parsed = dict(zip(tables, parse(incremental.ArchivedBodies(to_parse, sources.archive)), strict=True))
    mine: dict[str, dict[str, staging.Parsed]] = {}
    for group, schemas in groups.items():
        urls = None if len(work[group].to_parse) == len(to_parse) else set(work[group].to_parse["url"])
        mine[group] = {table: _of_urls(parsed[table], urls) for table in schemas}
        first = next(iter(mine[group].values())).quarantine
        unreadable = first[first["check_name"] == "parse"]
        if work[group].current and len(unreadable) > work[group].current / 2:
            # Most hojas de vida unreadable: the format changed. Keep the rows already loaded.
            raise dg.Failure(
                description=f"{process_code}: {len(unreadable)} of {work[group].current} hojas de vida could "
                f"not be read for {', '.join(schemas)}, e.g. {unreadable.iloc[0]['failure_value']}; the "
                "previous rows stay"
            )
    # Each group is committed on a thread and a cursor of its own while its tables are validated: a table is
    # written (DuckDB, without the GIL that pandera needs) while the next is validated, and the groups write
    # side by side (different rows), but a group's transaction commits only once the group before committed.
    # A failed validation or commit reaches the transactions still open, which roll back.
    with (
        duckdb.get_connection() as conn,
        thread_cursors(conn) as cursor,
        ThreadPoolExecutor(len(groups), thread_name_prefix="commit") as committer,
    ):
        for table in (*tables, "quarantine", "hv_parsed"):  # before the threads, which would race to create
            ensure_table(conn, table)
        commits: list[Future[None]] = []
        handoffs: list[Queue] = []
        try:
            for group, schemas in groups.items():
                handoffs.append(handoff := Queue())
                commits.append(
                    committer.submit(
                        lambda *args: incremental.commit(cursor(), *args),
                        group,
                        process_code,
                        work[group],
                        list(schemas),
                        _handed_over(handoff, len(schemas), commits[-1] if commits else None),
                        mine[group],
                    )
                )
                for table, schema in schemas.items():
                    handoff.put((table, validated(context, table, mine[group][table], schema)))
        except BaseException:
            for handoff in handoffs:
                handoff.put(_ABORT)
            raise
        for commit in commits:
            commit.result()
        return {
            table: {
                **table_metadata(conn, table, process_code),
                "parsed_now": dg.MetadataValue.int(len(work[group].to_parse)),
            }
            for group, schemas in groups.items()
            for table in schemas
        }


_ABORT = object()


def _handed_over(
    handoff: Queue, count: int, before: Future[None] | None
) -> Iterator[tuple[str, tuple[pd.DataFrame, pd.DataFrame]]]:
    """The `count` validated tables put in `handoff`, as they come; raises when validation failed. Then waits
    for the group `before` to commit, and raises its error if it failed: the transaction taking these tables
    commits after it, or rolls back."""
    for _ in range(count):
        if (item := handoff.get()) is _ABORT:
            raise RuntimeError("validation failed; the group's rows are not committed")
        yield item
    if before is not None:
        before.result()


def _of_urls(parsed: staging.Parsed, urls: set[str] | None) -> staging.Parsed:
    """The rows and quarantine rows that came from these URLs (None: all of them)."""
    if urls is None:
        return parsed
    return staging.Parsed(
        parsed.rows[parsed.rows["source_url"].isin(urls)].reset_index(drop=True),
        parsed.quarantine[parsed.quarantine["source_url"].isin(urls)].reset_index(drop=True),
    )


def _kept_as_loaded(
    context: dg.AssetExecutionContext,
    duckdb: WarehouseResource,
    table: str,
    process_code: str | None,
    responses: Sequence[Fetched],
) -> tuple[str, dg.MaterializeResult | None]:
    """The fingerprint of this run's answers, and a result when they are the very bytes (and parser version)
    the table was last built from: then it is kept as loaded, with nothing parsed."""
    fingerprint = incremental.inputs_fingerprint(responses)
    with duckdb.get_connection() as conn:
        if not incremental.unchanged_inputs(conn, table, process_code, fingerprint):
            return fingerprint, None
        context.log.info(f"{table}: the sources answered as before; the rows stay as loaded")
        return fingerprint, dg.MaterializeResult(
            metadata={**table_metadata(conn, table, process_code), "unchanged": True}
        )


def _loaded(
    context: dg.AssetExecutionContext,
    duckdb: WarehouseResource,
    table: str,
    parsed: staging.Parsed,
    process_code: str | None,
    fingerprint: str,
) -> dg.MaterializeResult:
    metadata = load_validated(context, duckdb, table, parsed, process_code)
    with duckdb.get_connection() as conn:
        incremental.remember_inputs(conn, table, process_code, fingerprint)
    return dg.MaterializeResult(metadata={**metadata, "unchanged": False})


def _staged(name: str, deps: list[str], description: str, partitioned: bool = True) -> dict:
    return dict(
        name=name,
        deps=deps,
        description=description,
        group_name="staged",
        kinds={"pandas", "duckdb"},
        pool=DUCKDB_POOL,
        partitions_def=processes_partitions if partitioned else None,
    )


def _fail_on_emptied_lists(
    duckdb: WarehouseResource, process_code: str, rows: pd.DataFrame, url: str
) -> None:
    """A list that had candidates and now parses to none is a broken page, not a withdrawn list."""
    with duckdb.get_connection() as conn:
        ensure_table(conn, "stg_candidates")
        before = conn.execute(
            "SELECT office, coalesce(district, '') AS district, count(*) FROM stg_candidates "
            "WHERE process_code = ? GROUP BY ALL",
            [process_code],
        ).fetchall()
    now = rows.assign(district=rows["district"].fillna("")).groupby(["office", "district"]).size().to_dict()
    emptied = [
        f"{office} {district}".strip()
        for office, district, count in before
        if count and not now.get((office, district))
    ]
    if emptied:
        raise dg.Failure(
            description=f"{process_code}: candidate list(s) {', '.join(emptied)} had candidates and now have "
            f"no candidates ({url}): the list page probably changed; the previous candidacies stay"
        )


@dg.asset(**_staged("stg_candidates", ["jne_candidate_lists"], "Candidacies from the JNE lists, validated."))
@warehouse_held
def stg_candidates(
    context: dg.AssetExecutionContext, sources: SourcesResource, duckdb: WarehouseResource
) -> dg.MaterializeResult:
    process = get_process(context.partition_key)
    module, _ = jne_source(process)
    responses = read_latest(duckdb, sources, "jne_candidate_lists", process.code)
    fingerprint, kept = _kept_as_loaded(context, duckdb, "stg_candidates", process.code, responses)
    if kept:
        return kept
    earlier = read_earlier(duckdb, sources, "jne_candidate_lists", process.code)
    parsed = staging.candidates(responses, process, module, columns("stg_candidates"), earlier)
    unreadable = parsed.quarantine[parsed.quarantine["check_name"] == "parse"]
    if process.lists and responses and parsed.rows.empty:
        raise dg.Failure(
            description=f"{process.code}: {len(responses)} candidate-list responses parsed to no candidates "
            f"at all: the list format probably changed (first: {responses[0].request.full_url})"
        )
    if len(unreadable) > len(responses) / 2:
        raise dg.Failure(
            description=f"{process.code}: {len(unreadable)} of {len(responses)} candidate-list responses "
            f"could not be read: the list format probably changed; the previous candidacies stay "
            f"(e.g. {unreadable.iloc[0]['failure_value']})"
        )
    _fail_on_emptied_lists(duckdb, process.code, parsed.rows, responses[0].request.url if responses else "")
    return _loaded(context, duckdb, "stg_candidates", parsed, process.code, fingerprint)


@dg.asset(**_staged("stg_legislators", ["congress_rosters"], "Congress roster rows, validated."))
@warehouse_held
def stg_legislators(
    context: dg.AssetExecutionContext, sources: SourcesResource, duckdb: WarehouseResource
) -> dg.MaterializeResult:
    process = get_process(context.partition_key)
    responses = read_latest(duckdb, sources, "congress_rosters", process.code)
    fingerprint, kept = _kept_as_loaded(context, duckdb, "stg_legislators", process.code, responses)
    if kept:
        return kept
    parsed = staging.legislators(responses, process, columns("stg_legislators"))
    layout = parsed.quarantine[parsed.quarantine["check_name"] == "parse"]
    if not layout.empty:
        # A roster that no longer parses is an error, not an empty chamber: keep the previous rows.
        raise dg.Failure(
            description=f"{process.code}: roster page could not be read: {layout.iloc[0]['failure_value']}",
        )
    return _loaded(context, duckdb, "stg_legislators", parsed, process.code, fingerprint)


@dg.asset(**_staged("stg_court_rulings", ["court_rulings_file"], "Curated court rulings, validated.", False))
@warehouse_held
def stg_court_rulings(
    context: dg.AssetExecutionContext, sources: SourcesResource, duckdb: WarehouseResource
) -> dg.MaterializeResult:
    responses = read_latest(duckdb, sources, "court_rulings_file", None)
    fingerprint, kept = _kept_as_loaded(context, duckdb, "stg_court_rulings", None, responses)
    if kept:
        return kept
    parsed = staging.court_rulings(responses, columns("stg_court_rulings"), CrimeClassifier.from_csv())
    return _loaded(context, duckdb, "stg_court_rulings", parsed, None, fingerprint)
