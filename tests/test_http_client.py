"""HttpClient against a fault-injecting server on 127.0.0.1: retries, Retry-After, timeouts, resets,
headers, POST bodies, the archive of every body, and fetch_many's ordering and progress."""

from __future__ import annotations

import gzip
import hashlib
import json
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from pipeline.http.archive import Archive
from pipeline.http.client import HttpClient, HttpSettings
from pipeline.http.request import Request
from tests.http_faults import SLOW_S, FaultServer, Reply, serve_faults

USER_AGENT = "transparencia-tests/1.0 (+mailto:tests@example.org)"

BASE_SETTINGS = HttpSettings(
    user_agent=USER_AGENT,
    timeout_s=5.0,
    requests_per_second=1000.0,
    max_workers=4,
    max_retries=3,
    backoff_factor=0.01,
    backoff_jitter=0.0,
    max_retry_after_s=5.0,
)


@pytest.fixture(autouse=True)
def _loopback_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """No proxy from the environment may reroute the loopback requests."""
    for var in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    monkeypatch.setenv("no_proxy", "127.0.0.1")


@pytest.fixture
def faults() -> Iterator[FaultServer]:
    with serve_faults() as server:
        yield server


@pytest.fixture
def archive(tmp_path: Path) -> Archive:
    return Archive(tmp_path / "archive")


@pytest.fixture
def make_client(archive: Archive) -> Iterator[Callable[..., HttpClient]]:
    clients: list[HttpClient] = []

    def make(**overrides: object) -> HttpClient:
        client = HttpClient(replace(BASE_SETTINGS, **overrides), archive)
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


def test_503_burst_is_retried_then_succeeds(faults: FaultServer, make_client) -> None:
    fetched = make_client().fetch(Request("GET", faults.url("/flaky")))

    assert fetched.ok
    assert fetched.status == 200
    assert fetched.content == b"recovered"
    assert faults.counts["/flaky"] == 3  # 503, 503, 200


def test_404_is_not_retried(faults: FaultServer, make_client) -> None:
    fetched = make_client().fetch(Request("GET", faults.url("/missing")))

    assert fetched.status == 404
    assert not fetched.ok
    assert fetched.error is None
    assert faults.counts["/missing"] == 1
    assert fetched.describe_failure() == f"GET {faults.url('/missing')}: HTTP 404"


def test_429_retry_after_is_honoured(faults: FaultServer, make_client) -> None:
    started = time.monotonic()
    fetched = make_client().fetch(Request("GET", faults.url("/throttled")))
    elapsed = time.monotonic() - started

    assert fetched.ok
    assert fetched.content == b"after wait"
    assert faults.counts["/throttled"] == 2
    assert elapsed >= 0.95, f"Retry-After: 1 not honoured, retried after {elapsed:.3f}s"


def test_huge_retry_after_is_capped(faults: FaultServer, make_client) -> None:
    client = make_client(max_retry_after_s=0.5)
    started = time.monotonic()
    fetched = client.fetch(Request("GET", faults.url("/huge-retry-after")))
    elapsed = time.monotonic() - started

    assert fetched.ok
    assert fetched.content == b"capped"
    assert faults.counts["/huge-retry-after"] == 2
    assert 0.45 <= elapsed < 3.0, f"Retry-After: 3600 should wait the 0.5 s cap, waited {elapsed:.3f}s"


@pytest.mark.parametrize("max_retries", [0, 2])
def test_retries_are_bounded(faults: FaultServer, make_client, max_retries: int) -> None:
    fetched = make_client(max_retries=max_retries).fetch(Request("GET", faults.url("/always-500")))

    assert faults.counts["/always-500"] == max_retries + 1
    assert fetched.status == 500
    assert fetched.error is None
    assert not fetched.ok
    assert fetched.content == b"broken"


def test_hang_past_timeout_comes_back_as_error(faults: FaultServer, make_client) -> None:
    client = make_client(timeout_s=0.3, max_retries=1)
    started = time.monotonic()
    fetched = client.fetch(Request("GET", faults.url("/slow")))  # must not raise
    elapsed = time.monotonic() - started

    assert not fetched.ok
    assert fetched.error is not None
    assert "timed out" in fetched.error.lower()
    assert fetched.status is None
    assert fetched.sha256 is None
    assert fetched.content == b""
    assert faults.counts["/slow"] == 2  # the read timeout is retried, boundedly
    assert elapsed < SLOW_S, "the client waited for the server instead of timing out"
    assert fetched.describe_failure().startswith(f"GET {faults.url('/slow')}: ")


def test_reset_connection_comes_back_as_error(faults: FaultServer, make_client) -> None:
    fetched = make_client(max_retries=2).fetch(Request("GET", faults.url("/reset")))  # must not raise

    assert not fetched.ok
    assert fetched.error is not None
    assert fetched.error.startswith("ConnectionError")
    assert fetched.status is None
    assert fetched.sha256 is None
    assert faults.counts["/reset"] == 3


def test_user_agent_reaches_server(faults: FaultServer, make_client) -> None:
    make_client().fetch(Request("GET", faults.url("/ok")))

    (received,) = faults.received
    assert received.headers["user-agent"] == USER_AGENT


def test_post_json_body_and_params_arrive_as_sent(faults: FaultServer, make_client) -> None:
    body = {"idProceso": 110, "filtro": {"región": "Cusco", "cargos": [1, 2, 3]}, "activo": True, "x": None}
    request = Request("POST", faults.url("/ok"), params={"page": 2, "q": "a b"}, json_body=body)

    fetched = make_client().fetch(request)

    assert fetched.ok
    (received,) = faults.received
    assert received.method == "POST"
    assert received.headers["content-type"] == "application/json"
    assert json.loads(received.body) == body
    assert received.body == request.body_bytes
    assert dict(part.split("=") for part in received.query.split("&")) == {"page": "2", "q": "a+b"}


def test_get_sends_no_body_and_no_json_content_type(faults: FaultServer, make_client) -> None:
    make_client().fetch(Request("GET", faults.url("/ok")))

    (received,) = faults.received
    assert received.body == b""
    assert "content-type" not in received.headers


def test_bodies_are_archived_and_manifest_row_traces_them(
    faults: FaultServer, make_client, archive: Archive
) -> None:
    client = make_client()
    get = client.fetch(Request("GET", faults.url("/ok"), params={"b": 1, "a": "x"}))
    post_a = client.fetch(Request("POST", faults.url("/ok"), json_body={"q": 1}))
    post_b = client.fetch(Request("POST", faults.url("/ok"), json_body={"q": 2}))

    for fetched in (get, post_a, post_b):
        assert fetched.ok
        assert fetched.sha256 == hashlib.sha256(b"hello").hexdigest()
        assert archive.get(fetched.sha256) == fetched.content == b"hello"

    row = get.manifest_row("demo")
    assert row["source"] == "demo"
    assert row["method"] == "GET"
    assert row["url"] == faults.url("/ok") + "?a=x&b=1"
    assert row["request_body_sha256"] is None
    assert row["request_body"] is None
    assert row["status"] == 200
    assert row["sha256"] == get.sha256
    assert row["bytes"] == 5
    assert row["content_type"].startswith("text/plain")
    assert row["error"] is None

    rows = [post.manifest_row("demo") for post in (post_a, post_b)]
    for row, received in zip(rows, faults.received[1:], strict=True):
        assert row["method"] == "POST"
        assert row["url"] == faults.url("/ok")
        assert row["request_body_sha256"] == hashlib.sha256(received.body).hexdigest()
        assert row["sha256"] == post_a.sha256
    assert rows[0]["request_body_sha256"] != rows[1]["request_body_sha256"]


def test_error_bodies_are_archived_too(faults: FaultServer, make_client, archive: Archive) -> None:
    fetched = make_client().fetch(Request("GET", faults.url("/missing")))

    assert fetched.sha256 is not None
    assert archive.get(fetched.sha256) == b"not here"
    assert fetched.manifest_row("demo")["status"] == 404


def test_fetch_many_keeps_input_order_and_reports_final_progress(archive: Archive, make_client) -> None:
    # Later requests answer sooner, so completion order is the reverse of input order.
    scripts = {f"/item/{i}": [Reply(200, f"item {i}".encode(), delay_s=0.05 * (5 - i))] for i in range(6)}
    with serve_faults(scripts) as server:
        requests_ = [Request("GET", server.url(f"/item/{i}")) for i in range(6)]
        calls: list[tuple[int, int]] = []
        results = make_client(max_workers=6).fetch_many(
            requests_, progress=lambda done, total: calls.append((done, total)), progress_every=4
        )

    assert [fetched.request for fetched in results] == requests_
    assert [fetched.content for fetched in results] == [f"item {i}".encode() for i in range(6)]
    assert all(archive.get(fetched.sha256) == fetched.content for fetched in results)
    assert calls == [(4, 6), (6, 6)]


def test_fetch_many_failures_stay_in_place(faults: FaultServer, make_client) -> None:
    paths = ["/ok", "/missing", "/reset", "/flaky"]
    results = make_client(max_retries=3).fetch_many([Request("GET", faults.url(p)) for p in paths])

    assert [fetched.status for fetched in results] == [200, 404, None, 200]
    assert [fetched.ok for fetched in results] == [True, False, False, True]


def test_fetch_many_empty_input(make_client) -> None:
    calls: list[tuple[int, int]] = []
    assert make_client().fetch_many([], progress=lambda done, total: calls.append((done, total))) == []
    assert calls == []


def test_client_throttles_requests_to_one_host(faults: FaultServer, make_client) -> None:
    client = make_client(requests_per_second=10.0, max_workers=5)
    started = time.monotonic()
    results = client.fetch_many([Request("GET", faults.url("/ok"), params={"i": i}) for i in range(5)])
    elapsed = time.monotonic() - started

    assert all(fetched.ok for fetched in results)
    assert elapsed >= 0.39, f"5 requests at 10 req/s must span >= 0.4 s, took {elapsed:.3f}s"


@pytest.mark.parametrize(
    ("body", "headers"),
    [
        (b"x" * (3 << 20), {}),  # 3 MB, as sent
        (gzip.compress(b"0" * (3 << 20)), {"Content-Encoding": "gzip"}),  # 3 kB sent, 3 MB once unpacked
    ],
    ids=["plain", "gzip"],
)
def test_body_over_the_cap_comes_back_as_error(make_client, body: bytes, headers: dict[str, str]) -> None:
    with serve_faults({"/big": [Reply(200, body, headers)]}) as server:
        fetched = make_client(max_body_mb=1).fetch(Request("GET", server.url("/big")))
        assert server.counts["/big"] == 1  # not retried: the same answer would come back

    assert not fetched.ok
    assert fetched.error == "BodyTooLargeError: body over 1 MB, not read further"
    assert (fetched.status, fetched.sha256, fetched.content) == (None, None, b"")


def test_body_at_the_cap_is_read(make_client) -> None:
    body = b"x" * (1 << 20)
    with serve_faults({"/big": [Reply(200, body)]}) as server:
        fetched = make_client(max_body_mb=1).fetch(Request("GET", server.url("/big")))

    assert fetched.ok
    assert fetched.content == body
