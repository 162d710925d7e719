"""Concurrency sized from the rate and the observed latency keeps a slow host at the configured rate."""

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from pipeline.http.archive import Archive
from pipeline.http.client import HttpClient, HttpSettings
from pipeline.http.request import Request

LATENCY_S = 0.1


class _Slow(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        time.sleep(LATENCY_S)
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args) -> None:
        return


@pytest.fixture(scope="module")
def slow_url():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Slow)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize(("rate", "expected"), [(1, 2), (10, 3), (50, 9), (1000, 64)])
def test_workers_follow_littles_law(tmp_path, rate: float, expected: int) -> None:
    client = HttpClient(HttpSettings(user_agent="t", requests_per_second=rate), Archive(tmp_path))
    assert client.workers_for(0.1) == expected


def test_fixed_worker_count_wins(tmp_path) -> None:
    client = HttpClient(
        HttpSettings(user_agent="t", requests_per_second=50, max_workers=3), Archive(tmp_path)
    )
    assert client.workers_for(0.1) == 3


def test_slow_host_is_fetched_at_the_configured_rate(tmp_path, slow_url: str) -> None:
    rate, count = 40.0, 60
    client = HttpClient(
        HttpSettings(user_agent="t", requests_per_second=rate, max_retries=0), Archive(tmp_path)
    )
    started = time.monotonic()
    results = client.fetch_many([Request("GET", f"{slow_url}/{i}") for i in range(count)])
    elapsed = time.monotonic() - started
    assert all(r.ok for r in results)
    ideal = (count - 1) / rate + LATENCY_S
    # A sequential loop would need count x latency = 6 s; saturating the rate needs about 1.6 s.
    assert ideal * 0.95 <= elapsed < ideal * 1.5
