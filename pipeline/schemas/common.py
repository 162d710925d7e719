"""Checks shared by the staged-table schemas."""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa

DNI = pa.Check.str_matches(r"^\d{8}$", name="dni_8_digits", error="DNI must be 8 digits, kept as text")
SHA256 = pa.Check.str_matches(
    r"^[0-9a-f]{64}$", name="sha256_hex", error="archive reference must be a sha256"
)
NOT_BLANK = pa.Check(lambda s: s.str.strip().str.len() > 0, name="not_blank", error="must not be blank")


def not_in_future() -> pa.Check:
    """Dates must not lie after today (evaluated when the check runs, not when the module loads)."""
    return pa.Check(
        lambda s: s <= pd.Timestamp.now().normalize() + pd.Timedelta(days=1),
        error="date is in the future",
        name="not_in_future",
    )


PROVENANCE = {
    "source_url": pa.Column(str, NOT_BLANK),
    "archive_sha256": pa.Column(str, SHA256),
}
