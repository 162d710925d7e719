"""Personal data the pipeline must never hold: residence and any other address, phone, e-mail, birth date.

Responses are archived as sent, but parsers drop these fields at every depth before anything reaches a
table; the test suites check that no such column or value comes out.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

PRIVATE_KEY = re.compile(r"domi|direcc|telef|celular|correo|e?mail|fechanac|fenac", re.IGNORECASE)


def without_private(value: Any) -> Any:
    """`value` with every key naming personal data removed, at every depth of dicts and lists."""
    if isinstance(value, dict):
        return {
            k: without_private(v) if isinstance(v, dict | list) else v
            for k, v in value.items()
            if not _is_private(k)
        }
    if isinstance(value, list):
        return [without_private(item) if isinstance(item, dict | list) else item for item in value]
    return value


@lru_cache(maxsize=4096)
def _is_private(key: str) -> bool:
    """Memoised: an election repeats the same few hundred keys in every hoja de vida."""
    return bool(PRIVATE_KEY.search(key))
