"""Schema of `stg_campaign_expenses`: expenses a candidate reported to ONPE (Formato 8), one per receipt."""

import pandera.pandas as pa

from pipeline.schemas.common import DNI, NOT_BLANK, PROVENANCE, not_in_future
from pipeline.schemas.finance_checks import DOCUMENT, money, within_campaign


def schema_for(process_code: str) -> pa.DataFrameSchema:
    return pa.DataFrameSchema(
        {
            **PROVENANCE,
            "process_code": pa.Column(str, NOT_BLANK),
            "dni": pa.Column(str, DNI),
            "candidate_name": pa.Column(str, nullable=True),
            "party_name": pa.Column(str, nullable=True),
            "expense_date": pa.Column("datetime64[us]", [not_in_future(), within_campaign(process_code)]),
            "platform": pa.Column(str, nullable=True),
            "provider_document": pa.Column(str, DOCUMENT, nullable=True),
            "receipt_type": pa.Column(str, nullable=True),
            "receipt_number": pa.Column(str, nullable=True),
            "amount": money(),
            "concept": pa.Column(str, nullable=True),
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
