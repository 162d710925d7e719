"""A fault-injecting HTTP server on 127.0.0.1 for the HTTP client tests (a plain helper, not a conftest).

Each path answers from a scripted sequence of `Reply`s; once the script runs out, its last reply repeats.
The server records every request it receives (method, path, headers, body) and counts them per path.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

# How long "/slow" sleeps: tests pair it with a client timeout well below this.
SLOW_S = 1.5


@dataclass(frozen=True)
class Reply:
    status: int = 200
    body: bytes = b"ok"
    headers: dict[str, str] = field(default_factory=dict)
    delay_s: float = 0.0  # sleep before answering (a hang past the client's timeout)
    drop: bool = False  # close the connection without sending any answer


@dataclass(frozen=True)
class Received:
    method: str
    path: str
    query: str
    headers: dict[str, str]
    body: bytes


def default_scripts() -> dict[str, list[Reply]]:
    return {
        "/ok": [Reply(200, b"hello")],
        "/flaky": [Reply(503, b"busy"), Reply(503, b"busy"), Reply(200, b"recovered")],
        "/throttled": [Reply(429, b"slow down", {"Retry-After": "1"}), Reply(200, b"after wait")],
        "/huge-retry-after": [Reply(429, b"go away", {"Retry-After": "3600"}), Reply(200, b"capped")],
        "/missing": [Reply(404, b"not here")],
        "/always-500": [Reply(500, b"broken")],
        "/slow": [Reply(200, b"too late", delay_s=SLOW_S)],
        "/reset": [Reply(drop=True)],
    }


class _Handler(BaseHTTPRequestHandler):
    server: FaultServer

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - keep test output quiet
        return

    def _answer(self) -> None:
        parts = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        reply = self.server.record(
            Received(
                self.command, parts.path, parts.query, {k.lower(): v for k, v in self.headers.items()}, body
            )
        )
        if reply.delay_s:
            time.sleep(reply.delay_s)
        if reply.drop:
            self.close_connection = True
            return
        try:
            self.send_response(reply.status)
            for name, value in reply.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Type", "text/plain; charset=utf-8")
            self.send_header("Content-Length", str(len(reply.body)))
            self.end_headers()
            self.wfile.write(reply.body)
        except (BrokenPipeError, ConnectionResetError):  # the client gave up (timeout): nothing to do
            self.close_connection = True

    do_GET = _answer
    do_POST = _answer


class FaultServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, scripts: dict[str, list[Reply]] | None = None) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.scripts = default_scripts() if scripts is None else scripts
        self.counts: Counter[str] = Counter()
        self.received: list[Received] = []
        self._lock = threading.Lock()

    @property
    def base_url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}"

    def url(self, path: str) -> str:
        return self.base_url + path

    def record(self, received: Received) -> Reply:
        with self._lock:
            seen = self.counts[received.path]
            self.counts[received.path] += 1
            self.received.append(received)
        script = self.scripts.get(received.path) or [Reply(404, b"unscripted path")]
        return script[min(seen, len(script) - 1)]

    def handle_error(self, request: Any, client_address: Any) -> None:
        return  # a client hanging up mid-answer is part of the tests, not an error to print


@contextmanager
def serve_faults(scripts: dict[str, list[Reply]] | None = None) -> Iterator[FaultServer]:
    """Run a FaultServer on a free loopback port for the duration of the block."""
    server = FaultServer(scripts)
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="fault-server", daemon=True
    )
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
