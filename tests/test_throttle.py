"""HostThrottle: per-host spacing of 1/rate seconds, with an injected clock, and once on the real clock."""

from __future__ import annotations

import math
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from pipeline.http.throttle import HostThrottle


class FakeClock:
    """A clock that only moves when told to; `sleep` records the delay and (optionally) advances time."""

    def __init__(self, advance_on_sleep: bool = True) -> None:
        self.now = 100.0
        self.sleeps: list[float] = []
        self.advance_on_sleep = advance_on_sleep

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        if self.advance_on_sleep:
            self.now += seconds


def make(rate: float, clock: FakeClock) -> HostThrottle:
    return HostThrottle(rate, clock=clock, sleep=clock.sleep)


def test_calls_to_one_host_are_spaced_one_interval_apart() -> None:
    clock = FakeClock()
    throttle = make(4.0, clock)

    starts = []
    for _ in range(5):
        throttle.wait("https://example.org/a")
        starts.append(clock.now)

    gaps = [later - earlier for earlier, later in zip(starts, starts[1:], strict=False)]
    assert gaps == pytest.approx([0.25] * 4)
    assert starts[0] == 100.0  # the first call never waits
    assert clock.sleeps == pytest.approx([0.25] * 4)


def test_simultaneous_callers_get_successive_slots() -> None:
    # Threads arriving at the same instant: each takes the next free slot, none shares one.
    clock = FakeClock(advance_on_sleep=False)
    throttle = make(10.0, clock)

    waits = [throttle.wait("http://example.org/x") for _ in range(4)]

    assert waits == pytest.approx([0.0, 0.1, 0.2, 0.3])
    assert clock.sleeps == pytest.approx([0.1, 0.2, 0.3])  # no sleep(0) for the first


def test_no_wait_once_the_interval_has_passed() -> None:
    clock = FakeClock()
    throttle = make(2.0, clock)

    assert throttle.wait("http://example.org/") == 0
    clock.now += 0.6  # the caller spent longer than the 0.5 s interval on its own
    assert throttle.wait("http://example.org/") == 0
    clock.now += 0.2  # only 0.2 s of the next 0.5 s interval have passed
    assert throttle.wait("http://example.org/") == pytest.approx(0.3)


def test_different_hosts_do_not_wait_for_each_other() -> None:
    clock = FakeClock(advance_on_sleep=False)
    throttle = make(1.0, clock)

    assert throttle.wait("https://a.example/one") == 0
    assert throttle.wait("https://b.example/one") == 0
    assert throttle.wait("https://c.example/one?x=1") == 0
    assert throttle.wait("https://a.example/two") == pytest.approx(1.0)
    assert throttle.wait("https://b.example/two") == pytest.approx(1.0)
    assert throttle.wait("https://a.example/three") == pytest.approx(2.0)


def test_paths_and_queries_of_one_host_share_its_slots() -> None:
    clock = FakeClock(advance_on_sleep=False)
    throttle = make(5.0, clock)

    throttle.wait("https://host.example/a")
    assert throttle.wait("https://host.example/b?page=2") == pytest.approx(0.2)
    assert throttle.wait("https://host.example") == pytest.approx(0.4)


@pytest.mark.parametrize("rate", [0, 0.0, -1, -0.5])
def test_non_positive_rates_are_rejected(rate: float) -> None:
    with pytest.raises(ValueError, match="requests_per_second must be positive"):
        HostThrottle(rate)


def test_nan_rate_is_rejected() -> None:
    with pytest.raises(ValueError):
        HostThrottle(math.nan)


def test_real_clock_ten_requests_at_20_per_second_over_threads() -> None:
    throttle = HostThrottle(20.0)
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=10) as pool:
        waits = list(pool.map(lambda _: throttle.wait("http://127.0.0.1:9/x"), range(10)))
    elapsed = time.monotonic() - started

    assert elapsed >= 0.45 - 0.01, f"10 requests at 20 req/s must span ~0.45 s, took {elapsed:.3f}s"
    assert elapsed < 2.0
    assert max(waits) <= 0.45 + 1e-6  # nobody waits longer than the tenth slot
