"""Schema of `stg_criminal_sentences`: criminal sentences declared in a hoja de vida."""

import pandera.pandas as pa

from pipeline.rules.sentences import OUTCOMES
from pipeline.schemas.common import (
    CRIME_MAX,
    NAME_MAX,
    NOT_BLANK,
    NUMBER_MAX,
    PROVENANCE,
    TEXT_MAX,
    not_in_future,
    text,
)

MODALITIES = ["EFECTIVA", "SUSPENDIDA", "RESERVA DE FALLO", "OTRO"]

schema = pa.DataFrameSchema(
    {
        **PROVENANCE,
        "process_code": pa.Column(str, NOT_BLANK),
        "id_hoja_vida": pa.Column("Int64", pa.Check.gt(0)),
        "item_id": pa.Column("Int64", pa.Check.gt(0)),
        "item_number": pa.Column("Int64", nullable=True),
        "case_number": text(NUMBER_MAX, nullable=True),
        "sentence_date_raw": pa.Column(
            str, pa.Check.str_matches(r"^\d{2}/\d{2}/\d{4}$", error="date must be dd/mm/yyyy")
        ),
        "sentence_date": pa.Column("datetime64[us]", not_in_future(), nullable=False),
        "court": text(NAME_MAX, nullable=True),
        "crime_text": text(CRIME_MAX, nullable=True),
        "ruling_text": text(TEXT_MAX, nullable=True),
        "modality": pa.Column(str, pa.Check.isin(MODALITIES)),
        "other_modality": text(NAME_MAX, nullable=True),
        "compliance": text(NAME_MAX, nullable=True),
        "comment": text(TEXT_MAX, nullable=True),
        "crime_category": pa.Column(str),
        "crime_negligent": pa.Column(bool),
        "outcome": pa.Column(str, pa.Check.isin(list(OUTCOMES))),
        "prison_modality": pa.Column(str, nullable=True),
        "served": pa.Column("boolean", nullable=True),
        "rehabilitated": pa.Column(bool),
        "review_reasons": pa.Column(str, nullable=True),
    },
    unique=["process_code", "item_id"],
    report_duplicates="exclude_first",
    coerce=True,
    name="stg_criminal_sentences",
)
