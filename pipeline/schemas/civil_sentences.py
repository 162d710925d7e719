"""Schema of `stg_civil_sentences`: judgments on obligations declared in a hoja de vida."""

import pandera.pandas as pa

from pipeline.schemas.common import NAME_MAX, NOT_BLANK, NUMBER_MAX, PROVENANCE, TEXT_MAX, text

SUBJECTS = ["FAMILIA / ALIMENTARIA", "CONTRACTUAL", "VIOLENCIA FAMILIAR", "LABORAL"]

schema = pa.DataFrameSchema(
    {
        **PROVENANCE,
        "process_code": pa.Column(str, NOT_BLANK),
        "id_hoja_vida": pa.Column("Int64", pa.Check.gt(0)),
        "item_id": pa.Column("Int64", pa.Check.gt(0)),
        "item_number": pa.Column("Int64", nullable=True),
        "subject": pa.Column(str, pa.Check.isin(SUBJECTS)),
        "case_number": text(NUMBER_MAX, nullable=True),
        "court": text(NAME_MAX, nullable=True),
        "ruling_text": text(TEXT_MAX, nullable=True),
        "comment": text(TEXT_MAX, nullable=True),
    },
    unique=["process_code", "item_id"],
    report_duplicates="exclude_first",
    coerce=True,
    name="stg_civil_sentences",
)
