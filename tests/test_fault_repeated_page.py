"""Fault: the same page twice (page 2 of a paged candidate list repeats page 1), and a page count that lies.

A page that repeats another page of its list is unreadable (its own candidacies never arrived): it is
quarantined whole, with the reason, and the last body that request got before is loaded in its place, so no
candidacy is duplicated and none already loaded is lost. A page count beyond what rows need is not trusted.
"""

import hashlib
import json
from collections import Counter

import pytest

from pipeline.http.request import Fetched
from pipeline.processes import get_process
from pipeline.settings import RECORDINGS_DIR
from pipeline.sources import jne
from tests.fault_pipeline import (
    LIST_PATH,
    Scenario,
    fault_then_heal,
    list_body,
    lost_rows,
    open_site,
)
from tests.http_faults import JSON, Reply, When

PAGE_1 = (RECORDINGS_DIR / "jne" / "lists" / "0-1.json").read_bytes()
PAGE_1_ROWS = len(json.loads(PAGE_1)["data"])  # 50 of the 108 presidential candidacies


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> Scenario:
    with open_site(tmp_path_factory.mktemp("repeated-page")) as opened:
        yield fault_then_heal(
            opened, [(When(LIST_PATH, body=list_body(1, skip=2)), [Reply(200, PAGE_1, content_type=JSON)])]
        )


def _key(candidate) -> tuple:
    return (candidate.process_code, candidate.office, candidate.district, candidate.id_hoja_vida)


def test_repeated_page_does_not_duplicate_candidacies(scenario: Scenario) -> None:
    faulted = scenario.faulted
    assert faulted.success, faulted.failures
    keys = Counter(_key(c) for c in faulted.staged["stg_candidates"])
    assert keys and max(keys.values()) == 1


def test_the_repeated_page_is_quarantined_whole_with_the_reason(scenario: Scenario) -> None:
    (row,) = scenario.faulted.quarantined("stg_candidates")
    assert row[1] == "parse" and "page 2 repeats the 50 candidacies of page 1" in row[3]
    assert row[4].endswith(LIST_PATH) and row[5] == hashlib.sha256(PAGE_1).hexdigest()


def test_page_2_loads_from_the_body_it_got_before(scenario: Scenario) -> None:
    presidency = {c for c in scenario.faulted.staged["stg_candidates"] if c.office == "PRESIDENCIA"}
    assert presidency == {c for c in scenario.before["stg_candidates"] if c.office == "PRESIDENCIA"}
    page_1_ids = {row["idHojaVida"] for row in json.loads(PAGE_1)["data"]}
    assert len(presidency) > len(page_1_ids) and page_1_ids < {c.id_hoja_vida for c in presidency}


def test_next_run_with_the_right_page_loads_everything_again(scenario: Scenario) -> None:
    assert scenario.healed.success, scenario.healed.failures
    assert scenario.healed.staged == scenario.before
    assert not scenario.healed.quarantined("stg_candidates")


def test_nothing_already_loaded_is_lost(scenario: Scenario) -> None:
    assert lost_rows(scenario.before, scenario.faulted.staged) == dict.fromkeys(scenario.before, 0)


def test_page_count_announced_by_the_server_is_bounded_by_the_row_count() -> None:
    process = get_process("EG2026")
    asked: list = []

    def fetch(requests_):
        asked.extend(requests_)
        page = {"data": [], "count": 3, "totalPages": 20_000}
        return [
            Fetched(r, 200, "0" * 64, json.dumps(page).encode(), JSON, None, 0)  # type: ignore[arg-type]
            for r in requests_
        ]

    jne.crawl_candidate_lists(fetch, "http://127.0.0.1:9/api", process, page_size=50)
    assert len(asked) <= 2 * len(process.lists)
