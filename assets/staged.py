"""Staged layer: parse archived responses, validate each table with its pandera schema, load valid rows
and quarantine the rest, replacing the process's partition in one transaction."""

import dagster as dg
import pandas as pd
import pandera.pandas as pa

from assets.partitions import DUCKDB_POOL, processes_partitions
from assets.raw import jne_source, read_latest
from pipeline import staging
from pipeline.processes import get_process
from pipeline.resources import SourcesResource, WarehouseResource
from pipeline.rules.crimes import CrimeClassifier
from pipeline.schemas import candidates, civil_sentences, court_rulings, criminal_sentences, legislators
from pipeline.validate import split_valid
from pipeline.warehouse import ensure_table, preview_markdown, replace_rows

SCHEMAS: dict[str, pa.DataFrameSchema] = {
    "stg_candidates": candidates.schema,
    "stg_criminal_sentences": criminal_sentences.schema,
    "stg_civil_sentences": civil_sentences.schema,
    "stg_legislators": legislators.schema,
    "stg_court_rulings": court_rulings.schema,
}


def columns(table: str) -> list[str]:
    return list(SCHEMAS[table].columns)


def load_validated(
    context: dg.AssetExecutionContext,
    duckdb: WarehouseResource,
    table: str,
    parsed: staging.Parsed,
    process_code: str | None,
) -> dict[str, dg.MetadataValue]:
    """Validate, then replace the partition and its quarantine rows together; return asset metadata."""
    outcome = split_valid(parsed.rows, SCHEMAS[table], table)
    quarantine = pd.concat(
        [q for q in (parsed.quarantine, outcome.quarantine) if not q.empty] or [outcome.quarantine],
        ignore_index=True,
    )
    where = {"process_code": process_code} if process_code else {}
    with duckdb.get_connection() as conn:
        replace_rows(conn, table, outcome.valid, where)
        replace_rows(conn, "quarantine", quarantine, {"table_name": table, **where})
        preview = preview_markdown(conn, table)
    if not quarantine.empty:
        context.log.warning(
            f"{table}: {len(quarantine)} quarantine rows, e.g. {quarantine.iloc[0]['check_name']} "
            f"on {quarantine.iloc[0]['column_name']}={quarantine.iloc[0]['failure_value']!r} "
            f"({quarantine.iloc[0]['source_url']})"
        )
    return {
        "dagster/row_count": dg.MetadataValue.int(len(outcome.valid)),
        "quarantined": dg.MetadataValue.int(len(quarantine)),
        "preview": dg.MetadataValue.md(preview),
    }


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
def stg_candidates(
    context: dg.AssetExecutionContext, sources: SourcesResource, duckdb: WarehouseResource
) -> dg.MaterializeResult:
    process = get_process(context.partition_key)
    module, _ = jne_source(process)
    responses = read_latest(duckdb, sources, "jne_candidate_lists", process.code)
    parsed = staging.candidates(responses, process, module, columns("stg_candidates"))
    if process.lists and responses and parsed.rows.empty:
        raise dg.Failure(
            description=f"{process.code}: {len(responses)} candidate-list responses parsed to no candidates "
            f"at all: the list format probably changed (first: {responses[0].request.full_url})"
        )
    _fail_on_emptied_lists(duckdb, process.code, parsed.rows, responses[0].request.url if responses else "")
    return dg.MaterializeResult(
        metadata=load_validated(context, duckdb, "stg_candidates", parsed, process.code)
    )


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            "stg_criminal_sentences",
            deps=["jne_hojas_vida"],
            group_name="staged",
            kinds={"pandas", "duckdb"},
            description="Criminal sentences declared in each hoja de vida.",
        ),
        dg.AssetSpec(
            "stg_civil_sentences",
            deps=["jne_hojas_vida"],
            group_name="staged",
            kinds={"pandas", "duckdb"},
            description="Obligation judgments declared in each hoja de vida.",
        ),
    ],
    partitions_def=processes_partitions,
    pool=DUCKDB_POOL,
)
def stg_sentences(context: dg.AssetExecutionContext, sources: SourcesResource, duckdb: WarehouseResource):
    """Both sentence tables come from one pass over the archived hojas de vida."""
    process = get_process(context.partition_key)
    module, _ = jne_source(process)
    responses = read_latest(duckdb, sources, "jne_hojas_vida", process.code)
    context.log.info(f"{process.code}: parsing {len(responses)} archived hojas de vida")
    classifier = CrimeClassifier.from_csv()
    criminal = staging.criminal_sentences(
        responses, process, module, columns("stg_criminal_sentences"), classifier
    )
    civil = staging.civil_sentences(responses, process, module, columns("stg_civil_sentences"))
    unreadable = (criminal.quarantine["check_name"] == "parse").sum() if not criminal.quarantine.empty else 0
    if responses and unreadable > len(responses) / 2:
        # Most hojas de vida unreadable: the format changed. Keep the sentences already loaded.
        raise dg.Failure(
            description=f"{process.code}: {unreadable} of {len(responses)} hojas de vida could not be read, "
            f"e.g. {criminal.quarantine.iloc[0]['failure_value']}; the previous sentences stay"
        )
    crim_meta = load_validated(context, duckdb, "stg_criminal_sentences", criminal, process.code)
    unmapped = int((criminal.rows["crime_category"] == "other").sum()) if not criminal.rows.empty else 0
    yield dg.MaterializeResult(
        asset_key="stg_criminal_sentences",
        metadata={**crim_meta, "crime_category_other": dg.MetadataValue.int(unmapped)},
    )
    yield dg.MaterializeResult(
        asset_key="stg_civil_sentences",
        metadata=load_validated(context, duckdb, "stg_civil_sentences", civil, process.code),
    )


@dg.asset(**_staged("stg_legislators", ["congress_rosters"], "Congress roster rows, validated."))
def stg_legislators(
    context: dg.AssetExecutionContext, sources: SourcesResource, duckdb: WarehouseResource
) -> dg.MaterializeResult:
    process = get_process(context.partition_key)
    responses = read_latest(duckdb, sources, "congress_rosters", process.code)
    parsed = staging.legislators(responses, process, columns("stg_legislators"))
    layout = parsed.quarantine[parsed.quarantine["check_name"] == "parse"]
    if not layout.empty:
        # A roster that no longer parses is an error, not an empty chamber: keep the previous rows.
        raise dg.Failure(
            description=f"{process.code}: roster page could not be read: {layout.iloc[0]['failure_value']}",
        )
    return dg.MaterializeResult(
        metadata=load_validated(context, duckdb, "stg_legislators", parsed, process.code)
    )


@dg.asset(**_staged("stg_court_rulings", ["court_rulings_file"], "Curated court rulings, validated.", False))
def stg_court_rulings(
    context: dg.AssetExecutionContext, sources: SourcesResource, duckdb: WarehouseResource
) -> dg.MaterializeResult:
    responses = read_latest(duckdb, sources, "court_rulings_file", None)
    parsed = staging.court_rulings(responses, columns("stg_court_rulings"), CrimeClassifier.from_csv())
    return dg.MaterializeResult(metadata=load_validated(context, duckdb, "stg_court_rulings", parsed, None))
