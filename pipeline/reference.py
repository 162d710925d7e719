"""Reference tables loaded from the rule and configuration files: rules, the crime categories each rule
covers, election processes and the crime-name mapping."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pandas as pd
import yaml

from pipeline.processes import load_processes
from pipeline.rules.crimes import CRIME_CATEGORIES_FILE, load_rules

LEGAL_RULES_FILE = Path(__file__).parent / "rules" / "legal_rules.yaml"
RULE_KINDS = {
    "empty_seat",
    "accesitario_replaces",
    "candidacy_ban",
    "disclosure",
    "finance",
    "reference_value",
    "review_criterion",
}


def rule_tables(path: Path = LEGAL_RULES_FILE) -> tuple[pd.DataFrame, pd.DataFrame]:
    """`rules` and `rule_crime_categories`; a rule without citation or with an unknown kind is an error."""
    rules = yaml.safe_load(path.read_text(encoding="utf-8"))["rules"]
    rows, categories = [], []
    for rule in rules:
        if rule.get("kind") not in RULE_KINDS or not rule.get("citation"):
            raise ValueError(f"{path}: rule {rule.get('id')!r} needs a known kind and a citation")
        rows.append(
            {
                k: rule.get(k)
                for k in (
                    "id",
                    "kind",
                    "title_es",
                    "citation",
                    "valid_from",
                    "valid_from_precision",
                    "valid_to",
                    "requires_firm",
                    "summary_es",
                    "status",
                )
            }
            | {"value": _exact(rule.get("value")), "value_unit": rule.get("value_unit")}
        )
        categories += [
            {"rule_id": rule["id"], "crime_category": c} for c in rule.get("crime_categories") or []
        ]
    return pd.DataFrame(rows), pd.DataFrame(categories, columns=["rule_id", "crime_category"])


def _exact(value: object) -> Decimal | None:
    """Limits and reference values (UIT) as exact decimals: YAML would read them as float."""
    return None if value is None else Decimal(str(value))


def processes_table() -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "process_code": p.code,
                "id_proceso_electoral": p.id_proceso_electoral,
                "name": p.name,
                "election_date": p.election_date,
                "term_start": p.term_start,
                "term_end": p.term_end,
            }
            for p in load_processes().values()
        ]
    )


def crime_categories_table() -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "pattern": r.pattern,
                "category": r.category,
                "negligent": r.negligent,
                "codigo_penal_articles": r.articles,
                "note": r.note,
            }
            for r in load_rules(CRIME_CATEGORIES_FILE)
        ]
    )
