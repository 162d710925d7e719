"""Election processes as configuration: ids, dates and which lists and rosters to crawl."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import yaml

PROCESSES_FILE = Path(__file__).parent / "config" / "processes.yaml"


@dataclass(frozen=True)
class CandidateList:
    """One candidate-list query: the office it lists and the extra filter the JNE export takes."""

    office: str
    filter: dict[str, Any]
    district: str | None = None


@dataclass(frozen=True)
class RosterSpec:
    chamber: str
    source: str
    office: str


@dataclass(frozen=True)
class Process:
    code: str
    id_proceso_electoral: int
    name: str
    election_date: date
    term_start: date
    term_end: date
    api: str
    lists: tuple[CandidateList, ...] = field(default_factory=tuple)
    rosters: tuple[RosterSpec, ...] = field(default_factory=tuple)


@cache
def load_processes(path: Path = PROCESSES_FILE) -> dict[str, Process]:
    raw = yaml.safe_load(Path(path).read_text(encoding="utf-8"))["processes"]
    processes = {}
    for code, spec in raw.items():
        if spec["api"] not in ("current", "legacy"):
            raise ValueError(f"{path}: process {code} has api {spec['api']!r}; expected current or legacy")
        processes[code] = Process(
            code=code,
            id_proceso_electoral=int(spec["id_proceso_electoral"]),
            name=spec["name"],
            election_date=spec["election_date"],
            term_start=spec["term_start"],
            term_end=spec["term_end"],
            api=spec["api"],
            lists=tuple(CandidateList(**item) for item in spec.get("lists") or []),
            rosters=tuple(RosterSpec(**item) for item in spec.get("rosters") or []),
        )
    return processes


def get_process(code: str) -> Process:
    processes = load_processes()
    if code not in processes:
        raise KeyError(f"unknown election process {code!r}; known: {', '.join(sorted(processes))}")
    return processes[code]
