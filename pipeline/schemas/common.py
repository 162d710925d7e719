"""Checks shared by the staged-table schemas."""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa

DNI = pa.Check.str_matches(r"^\d{8}$", name="dni_8_digits", error="DNI must be 8 digits, kept as text")
SHA256 = pa.Check.str_matches(
    r"^[0-9a-f]{64}$", name="sha256_hex", error="archive reference must be a sha256"
)
NOT_BLANK = pa.Check(lambda s: s.str.strip().str.len() > 0, name="not_blank", error="must not be blank")

# Longest value a typed-in text column may hold, in characters, by kind of field. Each is about ten times the
# longest value seen in real records (a 450-character comment, a 254-character ruling, a 94-character court, a
# 43-character crime, a 27-character case number), so only a broken or hostile source reaches one. A longer
# value is quarantined, never cut: a cut text could read as another crime or another person.
NAME_MAX = 300  # people, parties, courts, districts and other short labels
NUMBER_MAX = 100  # case, receipt and registry numbers, plates: identifiers typed as text
CRIME_MAX = 1_000  # a crime name, or a short list of them
TEXT_MAX = 4_000  # rulings, comments, notes, descriptions
URL_MAX = 2_048  # the limit most browsers and servers keep to

# U+FFFD stands for a character the text lost on its way: bytes a decoder could not read, or a lone surrogate
# (legal as a JSON escape, not as text). The value is not what was typed, so it is not loaded as if it were.
VALID_TEXT = pa.Check(
    lambda s: ~s.str.contains("\ufffd", regex=False),
    name="valid_text",
    error="text holds U+FFFD: a character was unreadable at the source",
)


def max_length(limit: int) -> pa.Check:
    """At most `limit` characters (see the limits above)."""
    return pa.Check.str_length(max_value=limit, name="max_length", error=f"longer than {limit} characters")


def text(limit: int, *checks: pa.Check, nullable: bool = False) -> pa.Column:
    """A text column as typed at the source: at most `limit` characters, readable, plus `checks`."""
    return pa.Column(str, [*checks, max_length(limit), VALID_TEXT], nullable=nullable)


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
