"""Classify a declared criminal sentence from all of its free-text fields.

Candidates type these fields themselves: real records pair an acquittal with an EFECTIVA modality, fill
fields with "0", or say in the comment that the conviction was annulled. So no single field decides:
the outcome comes from the ruling and modality fields together, and any disagreement between fields
becomes a review reason (the record then goes to the review queue, never into a flag).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from pipeline.rules.crimes import normalize

VOCABULARY_FILE = Path(__file__).parent / "sentence_vocabulary.yaml"

OUTCOMES = ("convicted", "acquitted", "dismissed", "reserva_de_fallo", "unknown")


@dataclass(frozen=True)
class SentenceReading:
    outcome: str
    prison_modality: str | None  # EFECTIVA | SUSPENDIDA when the record states one
    served: bool | None  # None: the record does not say
    rehabilitated: bool
    review_reasons: tuple[str, ...] = field(default_factory=tuple)


class _Vocabulary:
    def __init__(self, raw: dict[str, list[str]]) -> None:
        self.patterns = {key: self._compile(words) for key, words in raw.items() if key != "placeholders"}
        self.placeholders = frozenset(raw["placeholders"])

    @staticmethod
    def _compile(words: list[str]) -> re.Pattern[str]:
        alternatives = sorted((re.escape(w) for w in words), key=len, reverse=True)
        return re.compile(r"\b(?:" + "|".join(alternatives) + r")\b")

    def has(self, key: str, text: str) -> bool:
        return bool(self.patterns[key].search(text))


@cache
def _vocabulary(path: Path = VOCABULARY_FILE) -> _Vocabulary:
    return _Vocabulary(yaml.safe_load(path.read_text(encoding="utf-8")))


def read_sentence(record: dict[str, Any]) -> SentenceReading:
    """Read one declared sentence (keys as in `pipeline.sources.jne.criminal_rows`)."""
    vocab = _vocabulary()
    ruling = normalize(record.get("ruling_text"))
    modality = normalize(record.get("modality"))
    other = normalize(record.get("other_modality"))
    compliance = normalize(record.get("compliance"))
    comment = normalize(record.get("comment"))
    ruling_fields = f"{ruling} | {other}"
    reasons: list[str] = []

    acquitted = vocab.has("acquittal", ruling_fields)
    dismissed = vocab.has("dismissal", ruling_fields)
    reserva = vocab.has("reserva_de_fallo", modality) or vocab.has("reserva_de_fallo", ruling_fields)
    prison = modality if modality in ("EFECTIVA", "SUSPENDIDA") else None
    convicted_words = vocab.has("conviction", ruling)

    if acquitted:
        outcome = "acquitted"
    elif dismissed:
        outcome = "dismissed"
    elif reserva:
        outcome = "reserva_de_fallo"
    elif convicted_words or prison:
        outcome = "convicted"
    else:
        outcome = "unknown"
        reasons.append("no se puede determinar el resultado con el fallo y la modalidad declarados")

    if outcome in ("acquitted", "dismissed") and prison:
        reasons.append(f"fallo '{ruling}' contradice la modalidad de pena '{prison}'")
    if outcome == "reserva_de_fallo" and prison:
        reasons.append(f"reserva de fallo declarada junto con la modalidad de pena '{prison}'")
    if outcome in ("convicted", "reserva_de_fallo") and (
        vocab.has("acquittal", comment) or vocab.has("annulment", comment)
    ):
        reasons.append("el comentario indica que la condena fue anulada o que hubo absolucion posterior")
    for column in ("crime_text", "ruling_text", "case_number", "court"):
        value = normalize(record.get(column))
        if not value or value in vocab.placeholders:
            reasons.append(f"campo {column} vacio o con valor de relleno ('{record.get(column)}')")

    served_words = vocab.has("served", compliance) or vocab.has("rehabilitated", comment)
    unserved_words = vocab.has("unserved", compliance)
    if served_words and unserved_words:
        served = None
        reasons.append(f"cumplimiento contradictorio: '{compliance}'")
    else:
        served = True if served_words else False if unserved_words else None
    if outcome not in ("convicted", "reserva_de_fallo"):
        served = None  # nothing to serve: the compliance field is noise on an acquittal or dismissal
    rehabilitated = vocab.has("rehabilitated", comment) or vocab.has("rehabilitated", compliance)

    return SentenceReading(
        outcome=outcome,
        prison_modality=prison,
        served=served,
        rehabilitated=rehabilitated,
        review_reasons=tuple(reasons),
    )
