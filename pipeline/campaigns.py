"""Campaign-finance configuration of each election process: the label ONPE Claridad gives it and the campaign
window its contribution and expense dates must fall in (the `claridad` block of config/processes.yaml).

Kept apart from `pipeline.processes` because only the finance sources and schemas need it; a process without
the block has no Claridad data to crawl.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

import yaml

from pipeline.processes import PROCESSES_FILE


@dataclass(frozen=True)
class Campaign:
    process_code: str
    label: str  # how Claridad names the process ("EG2021"); compared without spaces, upper-cased
    start: date
    end: date

    def holds(self, label: object) -> bool:
        """Whether a Claridad `proceso` value names this process ("EG 2021" and "eg2021" do)."""
        return isinstance(label, str) and normalize_label(label) == normalize_label(self.label)


def normalize_label(label: str) -> str:
    return "".join(label.split()).upper()


@cache
def load_campaigns(path: Path = PROCESSES_FILE) -> dict[str, Campaign]:
    raw = yaml.safe_load(Path(path).read_text(encoding="utf-8"))["processes"]
    campaigns = {}
    for code, spec in raw.items():
        block = spec.get("claridad")
        if not block:
            continue
        campaign = Campaign(code, str(block["label"]), block["campaign_start"], block["campaign_end"])
        if not (isinstance(campaign.start, date) and isinstance(campaign.end, date)):
            raise ValueError(f"{path}: process {code}: claridad campaign_start/campaign_end must be dates")
        if campaign.start > campaign.end:
            raise ValueError(f"{path}: process {code}: claridad campaign window ends before it starts")
        campaigns[code] = campaign
    return campaigns


def get_campaign(code: str) -> Campaign | None:
    return load_campaigns().get(code)
