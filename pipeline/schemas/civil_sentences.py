"""Schema of `stg_civil_sentences`: judgments on obligations declared in a hoja de vida."""

import pandera.pandas as pa

from pipeline.schemas.common import NOT_BLANK, PROVENANCE

SUBJECTS = ["FAMILIA / ALIMENTARIA", "CONTRACTUAL", "VIOLENCIA FAMILIAR", "LABORAL"]

schema = pa.DataFrameSchema(
    {
        **PROVENANCE,
        "process_code": pa.Column(str, NOT_BLANK),
        "id_hoja_vida": pa.Column("Int64", pa.Check.gt(0)),
        "item_id": pa.Column("Int64", pa.Check.gt(0)),
        "item_number": pa.Column("Int64", nullable=True),
        "subject": pa.Column(str, pa.Check.isin(SUBJECTS)),
        "case_number": pa.Column(str, nullable=True),
        "court": pa.Column(str, nullable=True),
        "ruling_text": pa.Column(str, nullable=True),
        "comment": pa.Column(str, nullable=True),
    },
    unique=["process_code", "item_id"],
    report_duplicates="exclude_first",
    coerce=True,
    name="stg_civil_sentences",
)
