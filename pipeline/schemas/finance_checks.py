"""Checks shared by the finance schemas: money as an exact decimal type, DNI or RUC, the campaign window.

Money columns are Arrow decimals (18 digits, 2 decimals): a value that is not a number, is negative or has
more than two decimals fails coercion or its check and is quarantined with the value as sent, and what loads
stays a Python Decimal in pandas and a DECIMAL in DuckDB, so sums never drift as float sums do.
"""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa
import pyarrow

from pipeline.campaigns import get_campaign

MONEY = pd.ArrowDtype(pyarrow.decimal128(18, 2))
RUC = pa.Check.str_matches(r"^\d{11}$", name="ruc_11_digits", error="RUC must be 11 digits, kept as text")
DOCUMENT = pa.Check.str_matches(
    r"^(\d{8}|\d{11})$", name="dni_or_ruc", error="document must be an 8-digit DNI or an 11-digit RUC"
)


def money(nullable: bool = False) -> pa.Column:
    """A non-negative amount in PEN."""
    return pa.Column(
        MONEY, pa.Check.ge(0, name="not_negative", error="amount must not be negative"), nullable=nullable
    )


def within_campaign(process_code: str) -> pa.Check:
    """Dates inside the process's campaign window (config/processes.yaml, `claridad`)."""
    campaign = get_campaign(process_code)
    if campaign is None:
        raise ValueError(f"process {process_code} has no claridad campaign window in config/processes.yaml")
    start, end = pd.Timestamp(campaign.start), pd.Timestamp(campaign.end)
    return pa.Check.in_range(
        start,
        end,
        name="in_campaign_window",
        error=f"date outside the {campaign.label} campaign window ({campaign.start} to {campaign.end})",
    )
