"""Schema of `stg_campaign_expenses`: expenses a candidate reported to ONPE (Formato 8), one per receipt."""

import pandera.pandas as pa

from pipeline.schemas.common import (
    DNI,
    NAME_MAX,
    NOT_BLANK,
    NUMBER_MAX,
    PROVENANCE,
    TEXT_MAX,
    not_in_future,
    text,
)
from pipeline.schemas.finance_checks import DOCUMENT, money, within_campaign


def schema_for(process_code: str) -> pa.DataFrameSchema:
    return pa.DataFrameSchema(
        {
            **PROVENANCE,
            "process_code": pa.Column(str, NOT_BLANK),
            "dni": pa.Column(str, DNI),
            "candidate_name": text(NAME_MAX, nullable=True),
            "party_name": text(NAME_MAX, nullable=True),
            "expense_date": pa.Column("datetime64[us]", [not_in_future(), within_campaign(process_code)]),
            "platform": text(NAME_MAX, nullable=True),
            "provider_document": pa.Column(str, DOCUMENT, nullable=True),
            "receipt_type": text(NAME_MAX, nullable=True),
            "receipt_number": text(NUMBER_MAX, nullable=True),
            "amount": money(),
            "concept": text(TEXT_MAX, nullable=True),
        },
        unique=[
            "process_code",
            "dni",
            "provider_document",
            "receipt_type",
            "receipt_number",
            "expense_date",
            "amount",
            "concept",
        ],
        report_duplicates="exclude_first",
        coerce=True,
        name="stg_campaign_expenses",
    )
