"""A fault-injecting HTTP server on 127.0.0.1 for the HTTP client and fault tests (a helper, not a conftest).

Requests are answered by rules, checked in order: a rule (`When`: a path or path prefix, optionally a query
string, a method and a JSON-body subset) owns a scripted sequence of `Reply`s; once the script runs out, its
last reply repeats. A request no rule matches is answered by the fallback (e.g. `recordings_fallback`, the
recorded responses of the offline default, so a whole live site can be served with a few faults injected),
or with a 404. The server records every request (method, path, query, headers, body, arrival time) and
counts them per path and per path-with-query.

The fault kinds a `Reply` can express (see `Fault` for ready-made ones): any status with any headers (5xx
bursts, 429 with Retry-After), a hang before answering (bounded; released when the server stops or its rules
change), a connection closed without an answer or reset (RST), a truncated body (Content-Length larger than
what is sent), any body and content type (invalid JSON, an HTML page, an empty list, another page's body),
and a huge body streamed in chunks without building it in memory.

Bounds: loopback only; every delay is capped by `MAX_DELAY_S`; after `max_requests` requests the server
answers 503 to everything and sets `over_cap`, so a runaway request loop in the code under test ends quickly
and visibly.
"""

from __future__ import annotations

import json
import socket
import struct
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

# How long "/slow" sleeps: tests pair it with a client timeout well below this.
SLOW_S = 1.5
# No reply ever waits longer than this, whatever a test scripts.
MAX_DELAY_S = 10.0
CHUNK = 1 << 20
JSON = "application/json; charset=utf-8"
MAINTENANCE_PAGE = (
    "<!DOCTYPE html><html><head><title>Servicio no disponible</title></head>"
    "<body><h1>Estamos en mantenimiento</h1><p>Vuelva a intentarlo más tarde.</p></body></html>"
)


@dataclass(frozen=True)
class Reply:
    status: int = 200
    body: bytes = b"ok"
    headers: dict[str, str] = field(default_factory=dict)
    delay_s: float = 0.0  # sleep before answering (a hang past the client's timeout)
    drop: bool = False  # close the connection without sending any answer
    content_type: str = "text/plain; charset=utf-8"
    reset: bool = False  # abort the connection with a TCP RST (SO_LINGER 0) instead of answering
    truncate_to: int | None = None  # announce the whole body, send only this many bytes, then close
    repeat: int = 1  # the body is sent this many times in a row (a huge body, streamed)
    passthrough: bool = False  # answer as the fallback would (the site working again, mid-script)

    @property
    def length(self) -> int:
        return len(self.body) * self.repeat


class Fault:
    """Ready-made replies for the fault kinds of issue 5."""

    @staticmethod
    def status(code: int, body: bytes = b"server error", **headers: str) -> Reply:
        return Reply(code, body, dict(headers))

    @staticmethod
    def burst(codes: Sequence[int], then: Reply) -> list[Reply]:
        """500/502/503 ... then a good answer (or, with `then` another error, a server that stays down)."""
        return [Reply(code, f"error {code}".encode()) for code in codes] + [then]

    @staticmethod
    def recover() -> Reply:
        """The answer the site gives when it works (the fallback's), e.g. after a burst of errors."""
        return Reply(passthrough=True)

    @staticmethod
    def too_many(retry_after: str = "1") -> Reply:
        return Reply(429, b"too many requests", {"Retry-After": retry_after})

    @staticmethod
    def hang(seconds: float) -> Reply:
        return Reply(200, b'{"late": true}', delay_s=seconds, content_type="application/json")

    @staticmethod
    def reset() -> Reply:
        return Reply(reset=True)

    @staticmethod
    def truncated(body: bytes, keep: int, content_type: str = "application/json; charset=utf-8") -> Reply:
        return Reply(200, body, truncate_to=keep, content_type=content_type)

    @staticmethod
    def json(doc: Any, status: int = 200) -> Reply:
        return Reply(status, json.dumps(doc, ensure_ascii=False).encode(), content_type=JSON)

    @staticmethod
    def invalid_json() -> Reply:
        body = b'{"datoGeneral": {"idHojaVida": 1}, "sentenciaPenal": [{"txDelitoPenal": "ROB'
        return Reply(200, body, content_type=JSON)

    @staticmethod
    def html(page: str, status: int = 200) -> Reply:
        return Reply(status, page.encode(), content_type="text/html; charset=utf-8")

    @staticmethod
    def huge(megabytes: int, content_type: str = JSON, unit: bytes = b"<div>mantenimiento</div>\n") -> Reply:
        return Reply(200, unit, content_type=content_type, repeat=max(1, megabytes * (1 << 20) // len(unit)))


@dataclass(frozen=True)
class Received:
    method: str
    path: str
    query: str
    headers: dict[str, str]
    body: bytes
    at: float = 0.0  # time.monotonic() on arrival

    @property
    def target(self) -> str:
        return f"{self.path}?{self.query}" if self.query else self.path

    def json(self) -> Any:
        try:
            return json.loads(self.body) if self.body else None
        except ValueError:
            return None


def _subset(wanted: Any, got: Any) -> bool:
    if isinstance(wanted, dict):
        return isinstance(got, dict) and all(k in got and _subset(v, got[k]) for k, v in wanted.items())
    return wanted == got


@dataclass(frozen=True, eq=False)
class When:
    """Which requests a rule answers: `path` exactly, or every path under it when it ends with '*'."""

    path: str
    query: str | None = None  # the exact query string, e.g. "IdHojaVida=243436"
    method: str | None = None
    body: Any = None  # a JSON subset the request body must contain, e.g. {"skip": 2, "filter": {...}}

    @classmethod
    def parse(cls, key: str | When) -> When:
        if isinstance(key, When):
            return key
        path, _, query = key.partition("?")
        return cls(path, query or None)

    def matches(self, received: Received) -> bool:
        if self.path.endswith("*"):
            if not received.path.startswith(self.path[:-1]):
                return False
        elif received.path != self.path:
            return False
        if self.query is not None and sorted(parse_qsl(received.query)) != sorted(parse_qsl(self.query)):
            return False
        if self.method is not None and received.method != self.method.upper():
            return False
        return self.body is None or _subset(self.body, received.json())


Scripts = Mapping[str, list[Reply]] | Sequence[tuple[str | When, list[Reply]]]
Fallback = Callable[[Received], Reply | None]


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


def recordings_fallback(root: Path) -> Fallback:
    """Answer as the offline replay server would from the recordings under `root` (None when unrecorded)."""
    from pipeline.http.replay import load_routes

    routes = load_routes(Path(root))

    def norm(path: str) -> str:
        return "/" + "/".join(part for part in path.split("/") if part)

    def answer(received: Received) -> Reply | None:
        query = dict(parse_qsl(received.query, keep_blank_values=True))
        body = received.json()
        for route in routes:
            if (
                route.method == received.method
                and route.path == norm(received.path)
                and route.query == query
                and (route.body is None or route.body == body)
            ):
                return Reply(route.status, route.file.read_bytes(), content_type=route.content_type)
        return None

    return answer


class _Handler(BaseHTTPRequestHandler):
    server: FaultServer
    protocol_version = "HTTP/1.1"  # keep-alive, as real servers: a reset or truncation hits a pooled socket
    disable_nagle_algorithm = True  # headers and body go in separate writes: no 40 ms delayed-ACK stalls

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - keep test output quiet
        return

    def _answer(self) -> None:
        parts = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        reply = self.server.record(
            Received(
                self.command,
                parts.path,
                parts.query,
                {k.lower(): v for k, v in self.headers.items()},
                body,
                time.monotonic(),
            )
        )
        if reply.delay_s:
            self.server.stopping.wait(min(reply.delay_s, MAX_DELAY_S))
        if reply.reset:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
            self.close_connection = True
            return
        if reply.drop:
            self.close_connection = True
            return
        try:
            self.send_response(reply.status)
            for name, value in reply.headers.items():
                self.send_header(name, value)
            if not any(name.lower() == "content-type" for name in reply.headers):
                self.send_header("Content-Type", reply.content_type)
            self.send_header("Content-Length", str(reply.length))
            if reply.truncate_to is not None:
                self.send_header("Connection", "close")
            self.end_headers()
            if reply.truncate_to is not None:
                self.wfile.write(reply.body[: reply.truncate_to])
                self.wfile.flush()
                self.connection.shutdown(socket.SHUT_WR)
                self.close_connection = True
                return
            if reply.repeat == 1:
                self.wfile.write(reply.body)
                return
            per_chunk = max(1, CHUNK // len(reply.body))
            left = reply.repeat
            while left > 0 and not self.server.stopping.is_set():
                n = min(per_chunk, left)
                self.wfile.write(reply.body * n)
                left -= n
        except (BrokenPipeError, ConnectionResetError):  # the client gave up (timeout): nothing to do
            self.close_connection = True

    do_GET = _answer
    do_POST = _answer


class FaultServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(
        self, scripts: Scripts | None = None, fallback: Fallback | None = None, max_requests: int = 5000
    ) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.fallback = fallback
        self.max_requests = max_requests
        self.stopping = threading.Event()
        self._lock = threading.Lock()
        self.set_scripts(default_scripts() if scripts is None else scripts)

    @property
    def base_url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}"

    def url(self, path: str) -> str:
        return self.base_url + path

    def set_scripts(self, scripts: Scripts) -> None:
        """Replace the rules and forget every request seen: the site 'recovers' or breaks anew."""
        items = scripts.items() if isinstance(scripts, Mapping) else scripts
        rules = [(When.parse(key), list(replies)) for key, replies in items]
        with self._lock:
            self.stopping.set()  # release any reply still hanging under the old rules
            self.stopping = threading.Event()
            self.rules = rules
            self.rule_hits = [0] * len(rules)
            self.counts: Counter[str] = Counter()  # per path
            self.hits: Counter[str] = Counter()  # per path?query
            self.received: list[Received] = []
            self.over_cap = False

    def heal(self) -> None:
        """No more faults: every request gets the fallback's answer."""
        self.set_scripts([])

    def requests_to(self, target: str) -> list[Received]:
        """Requests received for one path (with its query string when `target` has one)."""
        with self._lock:
            return [r for r in self.received if (r.target if "?" in target else r.path) == target]

    def record(self, received: Received) -> Reply:
        with self._lock:
            self.counts[received.path] += 1
            self.hits[received.target] += 1
            self.received.append(received)
            if len(self.received) > self.max_requests:
                self.over_cap = True
                return Reply(503, b"fault server: request cap reached")
            for i, (when, script) in enumerate(self.rules):
                if when.matches(received):
                    seen = self.rule_hits[i]
                    self.rule_hits[i] += 1
                    reply = script[min(seen, len(script) - 1)]
                    if not reply.passthrough:
                        return reply
                    break
        answer = self.fallback(received) if self.fallback else None
        return answer or Reply(404, b"unscripted path")

    def handle_error(self, request: Any, client_address: Any) -> None:
        return  # a client hanging up mid-answer is part of the tests, not an error to print

    def stop(self) -> None:
        self.stopping.set()
        self.shutdown()
        self.server_close()


def start_fault_server(scripts: Scripts | None = None, fallback: Fallback | None = None) -> FaultServer:
    server = FaultServer(scripts, fallback)
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="fault-server", daemon=True
    )
    thread.start()
    return server


@contextmanager
def serve_faults(scripts: Scripts | None = None, fallback: Fallback | None = None) -> Iterator[FaultServer]:
    """Run a FaultServer on a free loopback port for the duration of the block."""
    server = start_fault_server(scripts, fallback)
    try:
        yield server
    finally:
        server.stop()
