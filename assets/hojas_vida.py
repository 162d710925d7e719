"""Tables read from the hojas de vida: declared criminal sentences and obligation judgments, and (current API)
declared income and assets, all four from one pass over the bodies not parsed yet (issue 6: each archived
body is read and decompressed once, and each document is decoded once for every table).

The legacy API (EG2021) publishes declarations in separate per-section answers (`jne_finance_sections`), so
there only the sentences come from the hojas de vida and the declarations are reloaded from those answers.
"""

from collections.abc import Iterator

import dagster as dg

from assets.finance import FINANCE_SCHEMAS, staged_spec
from assets.partitions import DUCKDB_POOL, processes_partitions
from assets.raw import jne_source, read_earlier, read_latest
from assets.staged import SCHEMAS, columns, load_changed_hojas_vida, load_validated
from pipeline import staging
from pipeline.processes import get_process
from pipeline.resources import SourcesResource, WarehouseResource, warehouse_held
from pipeline.rules.crimes import CrimeClassifier

SENTENCE_TABLES = ("stg_criminal_sentences", "stg_civil_sentences")
DECLARATION_TABLES = ("stg_declared_income", "stg_declared_assets")


@dg.multi_asset(
    specs=[
        staged_spec(
            "stg_criminal_sentences",
            ["jne_hojas_vida"],
            "Criminal sentences declared in each hoja de vida.",
            group="staged",
        ),
        staged_spec(
            "stg_civil_sentences",
            ["jne_hojas_vida"],
            "Obligation judgments declared in each hoja de vida.",
            group="staged",
        ),
        staged_spec(
            "stg_declared_income",
            ["jne_hojas_vida", "jne_finance_sections"],
            "Income declared in each hoja de vida, validated.",
        ),
        staged_spec(
            "stg_declared_assets",
            ["jne_hojas_vida", "jne_finance_sections"],
            "Real estate and vehicles declared in each hoja de vida, validated.",
        ),
    ],
    partitions_def=processes_partitions,
    pool=DUCKDB_POOL,
)
@warehouse_held
def stg_hojas_vida(
    context: dg.AssetExecutionContext, sources: SourcesResource, duckdb: WarehouseResource
) -> Iterator[dg.MaterializeResult]:
    """Sentences (and, current API, declarations) of the hojas de vida whose body changed, in one pass."""
    process = get_process(context.partition_key)
    module, _ = jne_source(process)
    sentence_schemas = {table: SCHEMAS[table] for table in SENTENCE_TABLES}
    declaration_schemas = {table: FINANCE_SCHEMAS[table](process.code) for table in DECLARATION_TABLES}
    sentences = staging.sentence_reader(
        module, (columns(SENTENCE_TABLES[0]), columns(SENTENCE_TABLES[1])), CrimeClassifier.from_csv()
    )
    declaration_columns = (
        list(declaration_schemas[DECLARATION_TABLES[0]].columns),
        list(declaration_schemas[DECLARATION_TABLES[1]].columns),
    )
    declarations = staging.declaration_reader(module, declaration_columns)
    if process.api == "current":  # declarations inside the hojas de vida: one pass for all four tables
        metadata = load_changed_hojas_vida(
            context,
            duckdb,
            sources,
            {"stg_sentences": sentence_schemas, "stg_declarations": declaration_schemas},
            lambda bodies: staging.hojas_vida(process.code, bodies, [sentences, declarations]),
        )
    else:
        metadata = load_changed_hojas_vida(
            context,
            duckdb,
            sources,
            {"stg_sentences": sentence_schemas},
            lambda bodies: staging.hojas_vida(process.code, bodies, [sentences]),
        )
        responses = read_latest(duckdb, sources, "jne_finance_sections", process.code)
        context.log.info(f"{process.code}: reading declarations from {len(responses)} archived answers")
        earlier = read_earlier(duckdb, sources, "jne_finance_sections", process.code)
        both = staging.declarations(responses, process, module, declaration_columns, earlier)
        for (table, schema), parsed in zip(declaration_schemas.items(), both, strict=True):
            metadata[table] = load_validated(context, duckdb, table, parsed, process.code, schema)
    with duckdb.get_connection() as conn:
        unmapped = conn.execute(
            "SELECT count(*) FROM stg_criminal_sentences WHERE process_code = ? AND crime_category = 'other'",
            [process.code],
        ).fetchone()[0]
        metadata["stg_criminal_sentences"]["crime_category_other"] = dg.MetadataValue.int(unmapped)
        for table in DECLARATION_TABLES:
            declaring = conn.execute(
                f'SELECT count(DISTINCT id_hoja_vida) FROM "{table}" WHERE process_code = ?', [process.code]
            ).fetchone()[0]
            metadata[table]["hojas_de_vida_declaring"] = dg.MetadataValue.int(declaring)
    for table in (*SENTENCE_TABLES, *DECLARATION_TABLES):
        yield dg.MaterializeResult(asset_key=table, metadata=metadata[table])
