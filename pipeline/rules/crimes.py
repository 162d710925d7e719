"""Map the free-text crime name a candidate declares (`txDelitoPenal`) to a crime category.

Candidates type the crime themselves ("T.I.D.", "Tráfico ilícito de drogas - microcomercialización",
"COLUSIÓN AGRAVADA"), so the mapping is data (`crime_categories.csv`), reviewable by a lawyer without
reading code. Patterns are whole legal names matched as whole-word phrases, never single loose words:
"TRÁFICO DE INFLUENCIAS" is corruption, not drug trafficking, and "TRÁFICO ILÍCITO DE MIGRANTES" is not
trata de personas (DOMAIN.md section 7, rule 7).

Matching rules:
- Text and patterns are compared in normalised form (see `normalize`).
- When several patterns match, the longest wins, because the longer name is the more specific one
  ("APOLOGIA AL TERRORISMO" over "TERRORISMO", "HOMICIDIO CULPOSO" over "HOMICIDIO"). Ties go to the
  pattern found first in the text. `other` rows exist only to outrank a shorter misleading pattern
  (e.g. "USURPACION DE FUNCIONES" over "USURPACION") or to carry a negligent flag.
- A text naming two different crimes ("PECULADO Y COLUSION") still yields one category, the one of
  the longest pattern. This is a known limit: the other crime is not reported.
- A text is negligent when the winning pattern is, or when the text says CULPOSO/CULPOSA..., so that
  "LESIONES CULPOSAS GRAVES" is negligent without its own row. A text that also says DOLOSO/DOLOSA...
  ("PECULADO DOLOSO Y CULPOSO") is not negligent: it is ambiguous, and reading it as negligent would
  wrongly clear an intentional crime under the candidacy bans, which apply to intentional crimes only.

CSV columns: `pattern` (normalised), `category` (one of `CATEGORIES`), `negligent` (true/false),
`codigo_penal_articles` (";"-separated; "296-298" is a range, "122-B" a single article; empty when the
crime is outside the Código Penal or the article is uncertain), `note` (why the row exists).
"""

from __future__ import annotations

import csv
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

CRIME_CATEGORIES_FILE = Path(__file__).with_name("crime_categories.csv")

CATEGORIES = frozenset(
    {
        "terrorism",
        "apologia",
        "drug_trafficking",
        "human_trafficking",
        "money_laundering",
        "corruption",
        "sexual_violence",
        "family_violence",
        "family_assistance_omission",
        "defamation",
        "drunk_driving",
        "property_crimes",
        "homicide",
        "rebellion",
        "other",
    }
)
FALLBACK_CATEGORY = "other"
COLUMNS = ("pattern", "category", "negligent", "codigo_penal_articles", "note")
CACHE_SIZE = 1 << 16
# Characters of a declared text that are read: above every length limit of the staged schemas, so a text cut
# here is quarantined anyway. Uncut, a megabyte of typed text costs seconds per field, and stays in the cache.
MAX_READ_CHARS = 10_000

_NON_ALNUM = re.compile(r"[^A-Z0-9]+")
_NEGLIGENT_MARKER = re.compile(r"\bCULPOS")
_INTENT_MARKER = re.compile(r"\bDOLOS")
_ARTICLES = re.compile(r"^\d+(-(\d+|[A-Z]))?(;\d+(-(\d+|[A-Z]))?)*$")
_MOJIBAKE_HINTS = ("Ã", "Â")
_BOOLEANS = {"true": True, "false": False}


def _repair_mojibake(text: str) -> str:
    """Undo UTF-8 text decoded as cp1252/latin-1 ("TRÃ\x81FICO"), which scraped files often contain.

    Without this the accent bytes would become separate letters and break whole-word matching.
    Text that does not round-trip cleanly is returned unchanged.
    """
    if not any(hint in text for hint in _MOJIBAKE_HINTS):
        return text
    for encoding in ("cp1252", "latin-1"):
        try:
            return text.encode(encoding).decode("utf-8")
        except UnicodeError:
            continue
    return text


def normalize(text: str | None) -> str:
    """Upper-case, accent-free, punctuation-free text with single spaces; "" for None or non-text.

    Declarations differ in accents, case, NBSP, abbreviations with dots and separators ("CONTRA LA FE
    PUBLICA - FALSIFICACION"), so both sides of every comparison go through this. Every character that is
    not A-Z or 0-9 after accent stripping (punctuation, emoji, control characters) becomes a space, which
    is what makes space-delimited phrase matching a whole-word match. Reads the first `MAX_READ_CHARS`
    characters only. Never raises.
    """
    if not isinstance(text, str):
        return ""
    return _normalized(text[:MAX_READ_CHARS])


@lru_cache(maxsize=65_536)
def _normalized(text: str) -> str:
    """Memoised: an election repeats the same modalities, rulings and crimes thousands of times."""
    decomposed = unicodedata.normalize("NFKD", _repair_mojibake(text))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _NON_ALNUM.sub(" ", stripped.upper()).strip()


@dataclass(frozen=True)
class CrimeMatch:
    """Result of classifying one crime text; `pattern` is None when no row matched."""

    category: str
    pattern: str | None
    negligent: bool
    articles: str | None
    # Categories of other crimes the same text names outside the winning phrase ("LAVADO DE ACTIVOS Y
    # CONTRA EL PATRIMONIO"): such a record needs a person, since one category cannot speak for both.
    also_named: tuple[str, ...] = ()


@dataclass(frozen=True)
class CrimeRule:
    """One validated row of the crime-category CSV."""

    pattern: str
    category: str
    negligent: bool
    articles: str | None
    note: str


def _parse_row(row: dict[str, str | None], where: str) -> CrimeRule:
    """Turn one CSV row into a rule, or raise ValueError saying which row is wrong and why."""
    pattern = row["pattern"] or ""
    category = (row["category"] or "").strip()
    negligent = (row["negligent"] or "").strip().lower()
    articles = (row["codigo_penal_articles"] or "").strip()
    if not pattern or normalize(pattern) != pattern:
        raise ValueError(f"{where}: pattern {pattern!r} is not in normalised form ({normalize(pattern)!r})")
    if category not in CATEGORIES:
        raise ValueError(f"{where}: unknown category {category!r}")
    if negligent not in _BOOLEANS:
        raise ValueError(f"{where}: negligent must be true or false, not {row['negligent']!r}")
    if articles and not _ARTICLES.match(articles):
        raise ValueError(f"{where}: malformed codigo_penal_articles {articles!r}")
    return CrimeRule(pattern, category, _BOOLEANS[negligent], articles or None, (row["note"] or "").strip())


def load_rules(path: Path | str = CRIME_CATEGORIES_FILE) -> list[CrimeRule]:
    """Read and validate the crime-category CSV; a bad row fails loudly instead of silently misclassifying."""
    path = Path(path)
    rules: list[CrimeRule] = []
    seen: dict[str, int] = {}
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = [column for column in COLUMNS if column not in (reader.fieldnames or [])]
        if missing:
            raise ValueError(f"{path.name}: missing columns {missing}")
        for row in reader:
            where = f"{path.name} line {reader.line_num}"
            rule = _parse_row(row, where)
            if rule.pattern in seen:
                raise ValueError(
                    f"{where}: duplicate pattern {rule.pattern!r} (first on line {seen[rule.pattern]})"
                )
            seen[rule.pattern] = reader.line_num
            rules.append(rule)
    return rules


class CrimeClassifier:
    """Classify crime texts with the longest whole-word pattern match (see the module docstring)."""

    def __init__(self, rules: Iterable[CrimeRule]) -> None:
        # Both sides are space-padded so that a plain substring test is a whole-word test:
        # " ROBO " is not inside " PROBO ", and normalised text has no other separators.
        self._rules = [(f" {rule.pattern} ", rule) for rule in rules]
        self._classify_cached = lru_cache(maxsize=CACHE_SIZE)(self._classify)

    @classmethod
    def from_csv(cls, path: Path | str | None = None) -> CrimeClassifier:
        """Build from a CSV; by default the one packaged next to this module."""
        return cls(load_rules(CRIME_CATEGORIES_FILE if path is None else path))

    def classify(self, text: str | None) -> CrimeMatch:
        """Category of one declared crime text; "other" with pattern None when nothing matches. Only the
        first `MAX_READ_CHARS` characters are read (and cached)."""
        return self._classify_cached(text[:MAX_READ_CHARS] if isinstance(text, str) else text)

    def classify_many(self, texts: Iterable[str | None]) -> list[CrimeMatch]:
        """Classify many texts; repeated strings (most of a real roll) are answered from the cache."""
        return [self.classify(text) for text in texts]

    def _classify(self, text: str | None) -> CrimeMatch:
        normalised = normalize(text)
        padded = f" {normalised} "
        best: CrimeRule | None = None
        best_key = (0, 0)
        found: list[tuple[int, str, CrimeRule]] = []
        for needle, rule in self._rules:
            position = padded.find(needle)
            if position < 0:
                continue
            found.append((position, needle, rule))
            # Longest pattern first, then the one found earliest in the text; on a full tie the
            # strict comparison keeps the earlier CSV row.
            if best is None or (-len(needle), position) < best_key:
                best, best_key = rule, (-len(needle), position)
        start, end = best_key[1], best_key[1] - best_key[0]
        also = sorted(
            {
                rule.category
                for position, needle, rule in found
                if best is not None
                and rule.category != best.category
                and (position + len(needle) <= start or position >= end - 1)
            }
        )
        negligent_words = bool(_NEGLIGENT_MARKER.search(normalised))
        intent_words = bool(_INTENT_MARKER.search(normalised))
        if best is None:
            return CrimeMatch(FALLBACK_CATEGORY, None, negligent_words and not intent_words, None)
        negligent = (best.negligent or negligent_words) and not intent_words
        return CrimeMatch(best.category, best.pattern, negligent, best.articles, tuple(also))
