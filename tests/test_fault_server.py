"""The fault server itself (tests/http_faults.py), seen through the pipeline's HttpClient: each fault kind of
issue 5 does what it says on the wire, rules match as documented, and every wait and loop is bounded."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from pipeline.http.archive import Archive
from pipeline.http.client import HttpClient, HttpSettings
from pipeline.http.request import Request
from pipeline.settings import RECORDINGS_DIR
from tests.http_faults import (
    MAINTENANCE_PAGE,
    Fault,
    FaultServer,
    Reply,
    When,
    recordings_fallback,
    serve_faults,
)

RECORDED_HV = (RECORDINGS_DIR / "jne" / "hoja-vida" / "990005.json").read_bytes()


@pytest.fixture
def client(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[HttpClient]:
    for var in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    settings = HttpSettings(
        user_agent="fault-tests",
        timeout_s=0.5,
        requests_per_second=1000.0,
        max_retries=1,
        backoff_factor=0.01,
        backoff_jitter=0.0,
        max_retry_after_s=1.0,
    )
    c = HttpClient(settings, Archive(tmp_path / "archive"))
    yield c
    c.close()


def _get(client: HttpClient, server: FaultServer, target: str, **kw):
    path, _, query = target.partition("?")
    params = dict(part.split("=") for part in query.split("&")) if query else {}
    return client.fetch(Request(kw.pop("method", "GET"), server.url(path), params=params, **kw))


def test_loopback_only() -> None:
    with serve_faults({}) as server:
        assert server.server_address[0] == "127.0.0.1"


def test_truncated_body_is_an_incomplete_read(client: HttpClient) -> None:
    with serve_faults({"/t": [Fault.truncated(b"0123456789" * 10, 7)]}) as server:
        fetched = _get(client, server, "/t")
    assert fetched.status is None and "IncompleteRead(7 bytes read, 93 more expected)" in fetched.error


def test_reset_is_a_connection_reset(client: HttpClient) -> None:
    with serve_faults({"/r": [Fault.reset()]}) as server:
        fetched = _get(client, server, "/r")
    assert "Connection reset by peer" in fetched.error and server.counts["/r"] == 2


def test_hang_is_released_when_the_rules_change(client: HttpClient) -> None:
    with serve_faults({"/h": [Fault.hang(60)]}) as server:
        started = time.monotonic()
        fetched = _get(client, server, "/h")
        server.heal()  # releases the handler threads still waiting
    assert "timed out" in fetched.error and time.monotonic() - started < 5


def test_huge_body_is_streamed_whole(client: HttpClient) -> None:
    reply = Fault.huge(8)
    with serve_faults({"/big": [reply]}) as server:
        fetched = _get(client, server, "/big")
    assert fetched.ok and len(fetched.content) == reply.length >= 8 * 2**20 - len(reply.body)


def test_bursts_then_recovery_answer_from_the_fallback(client: HttpClient) -> None:
    fallback = recordings_fallback(RECORDINGS_DIR)
    target = "/jne/candidato/hoja-vida?IdHojaVida=990005"
    with serve_faults({target: Fault.burst([503], then=Fault.recover())}, fallback) as server:
        fetched = _get(client, server, target)
        other = _get(client, server, "/jne/candidato/hoja-vida?IdHojaVida=990010")
        unknown = _get(client, server, "/nowhere")
    assert fetched.ok and fetched.content == RECORDED_HV and server.hits[target] == 2
    assert other.ok and json.loads(other.content)["datoGeneral"]["idHojaVida"] == 990010
    assert unknown.status == 404


def test_rules_match_by_prefix_query_method_and_body_subset(client: HttpClient) -> None:
    rules = [
        (
            When("/api/list", method="POST", body={"skip": 2, "filter": {"id": 1}}),
            [Reply(200, b"page 2 again")],
        ),
        (When("/api/*"), [Fault.html(MAINTENANCE_PAGE, status=503)]),
    ]
    with serve_faults(rules) as server:
        page_2 = _get(
            client, server, "/api/list", method="POST", json_body={"skip": 2, "filter": {"id": 1, "x": 0}}
        )
        page_3 = _get(client, server, "/api/list", method="POST", json_body={"skip": 3, "filter": {"id": 1}})
        other = _get(client, server, "/api/other?x=1")
    assert page_2.content == b"page 2 again"
    assert page_3.status == 503 and page_3.content_type.startswith("text/html")
    assert other.status == 503


def test_429_carries_retry_after(client: HttpClient) -> None:
    with serve_faults({"/slow-down": [Fault.too_many("1"), Reply(200, b"ok")]}) as server:
        started = time.monotonic()
        fetched = _get(client, server, "/slow-down")
    assert fetched.ok and time.monotonic() - started >= 0.95


def test_request_cap_stops_a_runaway_loop(client: HttpClient) -> None:
    with serve_faults({"/x": [Reply(200, b"ok")]}) as server:
        server.max_requests = 3
        statuses = [_get(client, server, "/x").status for _ in range(5)]
    assert server.over_cap and statuses[:3] == [200, 200, 200] and statuses[3] == 503
