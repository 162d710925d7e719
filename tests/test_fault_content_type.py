"""Fault: the wrong content type, an HTML error page answered with 200 where JSON is expected.

One candidate's hoja de vida answered by a maintenance page is quarantined as unparseable (the partition goes
on, its earlier body stays loaded, the next run loads it again); every candidate list answered by that page
fails `stg_candidates` with a message naming the URL, and the candidates already loaded stay.
"""

import pytest

from tests.fault_pipeline import (  # noqa: F401 - `site` is a fixture
    HV_WITH_SENTENCES,
    LIST_PATH,
    OTHER_ASSETS,
    Scenario,
    assert_partition_survives_one_hv_failure,
    assert_recovers_next_run,
    fault_then_heal,
    hv_target,
    lost_rows,
    open_site,
    site,
)
from tests.http_faults import MAINTENANCE_PAGE, Fault, When

TARGET = hv_target(HV_WITH_SENTENCES)


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> Scenario:
    with open_site(tmp_path_factory.mktemp("content-type")) as opened:
        yield fault_then_heal(opened, {TARGET: [Fault.html(MAINTENANCE_PAGE)]})


def test_html_page_instead_of_json_is_quarantined_not_loaded(scenario: Scenario) -> None:
    faulted = scenario.faulted
    assert_partition_survives_one_hv_failure(faulted, HV_WITH_SENTENCES)
    rows = [q for q in faulted.quarantine if q[4] and q[4].endswith(TARGET)]
    assert {q[0] for q in rows} >= {"stg_criminal_sentences", "stg_civil_sentences"}
    assert all(q[1] == "parse" and "not valid JSON" in q[3] and len(q[5]) == 64 for q in rows)


def test_next_run_fetches_it_again_and_loads_it(scenario: Scenario) -> None:
    assert_recovers_next_run(scenario, TARGET)


def test_nothing_already_loaded_is_lost(scenario: Scenario) -> None:
    assert lost_rows(scenario.before, scenario.faulted.staged) == dict.fromkeys(scenario.before, 0)


def test_lists_answered_by_an_html_page_fail_stg_candidates_and_keep_the_candidates(site) -> None:  # noqa: F811
    before = site.staged()
    site.fault([(When(LIST_PATH), [Fault.html(MAINTENANCE_PAGE)])])
    obs = site.observe_run()

    assert set(obs.failures) == {"stg_candidates"}
    message = obs.failures["stg_candidates"]
    assert "could not be read" in message and "format probably changed" in message
    assert site.server.url(LIST_PATH) in message
    assert {"congress_rosters", "stg_legislators"} | OTHER_ASSETS <= obs.succeeded
    assert obs.staged == before
