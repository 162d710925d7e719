"""Fault: a server that accepts the request and hangs past the client timeout.

Each attempt gives up after PIPELINE_HTTP_TIMEOUT_S, the attempts are bounded, the candidate is recorded as a
fetch failure naming the timeout, the partition does not fail, and the next run loads the hoja de vida.
"""

import pytest

from tests.fault_pipeline import (
    HV_WITH_SENTENCES,
    RETRIES,
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
TIMEOUT_S = 0.5
HANG_S = 4.0  # far past the timeout; the server releases the hang when the test ends


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> Scenario:
    with open_site(tmp_path_factory.mktemp("timeout")) as opened:
        opened.configure(PIPELINE_HTTP_TIMEOUT_S=str(TIMEOUT_S))
        yield fault_then_heal(opened, {TARGET: [Fault.hang(HANG_S)]})


def test_each_attempt_times_out_and_attempts_are_bounded(scenario: Scenario) -> None:
    tries = scenario.faulted.requests_to(TARGET)
    assert len(tries) == RETRIES + 1
    # Each retry starts after the timeout and the backoff, never after the server's hang.
    gaps = [b.at - a.at for a, b in zip(tries, tries[1:], strict=False)]
    assert all(TIMEOUT_S <= gap < HANG_S for gap in gaps), gaps
    assert scenario.faulted.elapsed_s < 60


def test_timeout_is_recorded_with_its_reason_and_does_not_fail_the_partition(scenario: Scenario) -> None:
    assert_partition_survives_one_hv_failure(scenario.faulted, HV_WITH_SENTENCES)
    asset, url, status, error = scenario.faulted.fetch_failure(f"IdHojaVida={HV_WITH_SENTENCES}")
    assert asset == "jne_hojas_vida" and status is None
    assert "timed out" in error.lower() and url.endswith(TARGET)


def test_next_run_fetches_it_again_and_loads_it(scenario: Scenario) -> None:
    assert_recovers_next_run(scenario, TARGET)


def test_nothing_already_loaded_is_lost(scenario: Scenario) -> None:
    assert lost_rows(scenario.before, scenario.faulted.staged) == dict.fromkeys(scenario.before, 0)
