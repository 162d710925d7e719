"""Fault: a 200 answer whose JSON is broken (a hoja de vida, and one page of a candidate list), or well formed
but carrying values of the wrong type.

The response is archived and quarantined with the parse error, its URL and the sha256 of the exact bytes; the
partition does not fail and the rows of the body loaded before stay; the next run, once the server answers
properly, loads the document. A record with a wrong value likewise ends in quarantine, not a failed partition.
"""

import hashlib
import json

import pytest

from pipeline.settings import RECORDINGS_DIR
from tests.fault_pipeline import (  # noqa: F401 - `site` is a fixture
    HV_WITH_SENTENCES,
    LIST_PATH,
    Scenario,
    assert_partition_survives_one_hv_failure,
    assert_recovers_next_run,
    fault_then_heal,
    hv_target,
    list_body,
    lost_rows,
    open_site,
    site,
)
from tests.http_faults import JSON, Fault, Reply, When

TARGET = hv_target(HV_WITH_SENTENCES)
DOCUMENT = (RECORDINGS_DIR / "jne" / "hoja-vida" / f"{HV_WITH_SENTENCES}.json").read_bytes()
BROKEN = Fault.invalid_json()
BROKEN_PAGE = Fault.json({"data": [], "count": 108, "totalPages": 3}).body[:-9]  # cut mid-document


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> Scenario:
    with open_site(tmp_path_factory.mktemp("invalid-json")) as opened:
        yield fault_then_heal(
            opened,
            [
                (TARGET, [BROKEN]),
                (When(LIST_PATH, body=list_body(1, skip=3)), [Reply(200, BROKEN_PAGE, content_type=JSON)]),
            ],
        )


def test_broken_hoja_de_vida_is_quarantined_with_parse_error_and_archived_bytes(scenario: Scenario) -> None:
    faulted = scenario.faulted
    assert_partition_survives_one_hv_failure(faulted, HV_WITH_SENTENCES)
    rows = [q for q in faulted.quarantine if q[4] and q[4].endswith(TARGET)]
    assert {q[0] for q in rows} >= {"stg_criminal_sentences", "stg_civil_sentences"}
    for _table, check, _column, reason, _url, sha, _record in rows:
        assert check == "parse"
        assert TARGET in reason and "not valid JSON" in reason
        assert sha == hashlib.sha256(BROKEN.body).hexdigest()
    # A 200 answer is not a fetch failure: its problem is in quarantine, not in fetch_failures.
    assert faulted.fetch_failure(f"IdHojaVida={HV_WITH_SENTENCES}") is None


def test_broken_list_page_is_quarantined_and_its_earlier_body_loads(scenario: Scenario) -> None:
    faulted = scenario.faulted
    (row,) = faulted.quarantined("stg_candidates", "parse")
    assert row[4].endswith(LIST_PATH) and "not valid JSON" in row[3]
    assert row[5] == hashlib.sha256(BROKEN_PAGE).hexdigest()
    presidency = {c for c in faulted.staged["stg_candidates"] if c.office == "PRESIDENCIA"}
    assert len(presidency) == 108  # pages 1 and 2 as answered now, page 3 from the body it got before
    assert presidency == {c for c in scenario.before["stg_candidates"] if c.office == "PRESIDENCIA"}


def test_next_run_fetches_it_again_and_loads_it(scenario: Scenario) -> None:
    assert_recovers_next_run(scenario, TARGET)
    assert not scenario.healed.quarantine


def test_nothing_already_loaded_is_lost(scenario: Scenario) -> None:
    assert lost_rows(scenario.before, scenario.faulted.staged) == dict.fromkeys(scenario.before, 0)


WELL_FORMED_BUT_WRONG = {
    # JSON the parser accepts, with a value no candidate record should carry; each must end in quarantine.
    "crime-text-is-an-array": ("txDelitoPenal", ["ROBO AGRAVADO", "HURTO"]),
    "lone-surrogate-in-comment": ("txComentario", "REHABILITADO \ud800"),
}


@pytest.mark.parametrize(
    "case",
    ["crime-text-is-an-array", "lone-surrogate-in-comment"],
)
def test_one_record_with_a_wrong_value_is_quarantined_not_a_failed_partition(site, case: str) -> None:  # noqa: F811
    field, value = WELL_FORMED_BUT_WRONG[case]
    document = json.loads(DOCUMENT)
    document["sentenciaPenal"][0][field] = value
    site.fault({TARGET: [Reply(200, json.dumps(document).encode(), content_type=JSON)]})
    obs = site.observe_run()

    assert obs.success, obs.failures
    assert [q for q in obs.quarantine if q[0] == "stg_criminal_sentences" and q[4].endswith(TARGET)]
