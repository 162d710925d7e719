"""Fault: a truncated body (the server announces a Content-Length, sends less, and closes the connection).

The partial bytes are never parsed nor archived as if they were the document: the response is a fetch
failure naming the incomplete read, the partition does not fail, and the next run loads the whole document.
"""

import json

import pytest

from pipeline.settings import RECORDINGS_DIR
from tests.fault_pipeline import (
    HV_WITH_SENTENCES,
    Scenario,
    assert_partition_survives_one_hv_failure,
    assert_recovers_next_run,
    fault_then_heal,
    hv_target,
    lost_rows,
    open_site,
)
from tests.http_faults import Fault

TARGET = hv_target(HV_WITH_SENTENCES)
DOCUMENT = (RECORDINGS_DIR / "jne" / "hoja-vida" / f"{HV_WITH_SENTENCES}.json").read_bytes()
# Cut inside the first sentence: the part sent would not even be valid JSON.
KEEP = DOCUMENT.index(b"sentenciaPenal") + 40


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> Scenario:
    with open_site(tmp_path_factory.mktemp("truncated")) as opened:
        yield fault_then_heal(opened, {TARGET: [Fault.truncated(DOCUMENT, KEEP)]})


def test_truncated_body_is_a_recorded_fetch_failure_not_a_parsed_document(scenario: Scenario) -> None:
    faulted = scenario.faulted
    assert_partition_survives_one_hv_failure(faulted, HV_WITH_SENTENCES)
    asset, url, status, error = faulted.fetch_failure(f"IdHojaVida={HV_WITH_SENTENCES}")
    assert asset == "jne_hojas_vida" and status is None and url.endswith(TARGET)
    assert "IncompleteRead" in error and f"{KEEP} bytes read" in error
    # The partial bytes reached neither the parsers nor the quarantine as a "document".
    assert not [q for q in faulted.quarantine if q[4] and q[4].endswith(TARGET)]
    json.loads(DOCUMENT)  # the whole document is valid: only the truncation made it fail


def test_truncation_is_not_retried_within_the_run(scenario: Scenario) -> None:
    # requests reads the body after urllib3's retry loop: an incomplete read is retried by the next run only.
    assert len(scenario.faulted.requests_to(TARGET)) == 1


def test_next_run_fetches_it_again_and_loads_it(scenario: Scenario) -> None:
    assert_recovers_next_run(scenario, TARGET)


def test_nothing_already_loaded_is_lost(scenario: Scenario) -> None:
    assert lost_rows(scenario.before, scenario.faulted.staged) == dict.fromkeys(scenario.before, 0)
