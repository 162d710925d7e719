"""Money as sent, never as float: JSON numbers are read as Decimal, and numeric strings become Decimal.

A float cannot hold 0.10 exactly, so a sum of floats drifts (0.1 + 0.2 is 0.30000000000000004). Every
amount the finance parsers return is a Decimal, or the value exactly as sent when it is not a plain number,
so the schema can reject it and quarantine the value the source really sent.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal
from typing import Any

from pipeline.sources.errors import SourceFormatError

_PLAIN_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")


def load_json(body: bytes, url: str) -> Any:
    """Parse a JSON body with every non-integer number as Decimal (integers stay int)."""
    try:
        return json.loads(body.decode("utf-8-sig"), parse_float=Decimal)
    except (UnicodeDecodeError, ValueError) as exc:
        raise SourceFormatError(url, f"response is not valid JSON ({exc})") from None


def amount(value: Any) -> Any:
    """A Decimal for an integer or a plain numeric string ("1234.50"); a Decimal (from `load_json`) or None as
    it is; anything else (thousands separators, words, booleans, floats) unchanged, for the schema to reject
    with the value as sent."""
    if isinstance(value, int) and not isinstance(value, bool):
        return Decimal(value)
    if isinstance(value, str) and _PLAIN_NUMBER.match(value.strip()):
        return Decimal(value.strip())
    return value
