"""Schema of `stg_contributions`: each contribution a party reported to ONPE Claridad.

The contributor document may be missing (an unidentified contributor is a finding, not a bad row), but when
present it must be a DNI or a RUC. Two identical rows in one party's detail are far more likely a page read
twice than two contributions, so the second is quarantined (and shows in the party's reconciliation) instead
of being summed.
"""

import pandera.pandas as pa

from pipeline.schemas.common import NAME_MAX, NOT_BLANK, PROVENANCE, not_in_future, text
from pipeline.schemas.finance_checks import DOCUMENT, RUC, money, within_campaign

TYPES = ["F", "E", "A", "O"]  # efectivo, especie, actividad, otros


def schema_for(process_code: str) -> pa.DataFrameSchema:
    return pa.DataFrameSchema(
        {
            **PROVENANCE,
            "process_code": pa.Column(str, NOT_BLANK),
            "party_ruc": pa.Column(str, RUC),
            "party_name": text(NAME_MAX, NOT_BLANK),
            "contributor_document": pa.Column(str, DOCUMENT, nullable=True),
            "contributor_name": text(NAME_MAX, nullable=True),
            "contributor_kind": pa.Column(str, pa.Check.isin(["person", "company"]), nullable=True),
            "contribution_type": pa.Column(str, pa.Check.isin(TYPES)),
            "contribution_date": pa.Column(
                "datetime64[us]", [not_in_future(), within_campaign(process_code)]
            ),
            "amount": money(),
            "election_year": pa.Column("Int64", nullable=True),
        },
        unique=[
            "process_code",
            "party_ruc",
            "contributor_document",
            "contributor_name",
            "contribution_type",
            "contribution_date",
            "amount",
        ],
        report_duplicates="exclude_first",
        coerce=True,
        name="stg_contributions",
    )
