"""One HTTP client for every source: timeouts, retries with backoff, per-host throttle, bounded
concurrency, an identifying User-Agent, and the archive of every body.

Retries are urllib3's `Retry` (exponential backoff with jitter, Retry-After honoured but capped);
the client adds only what urllib3 lacks: the throttle, a cap on the body size, and the archive.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from pipeline.http.archive import Archive
from pipeline.http.request import Fetched, Request
from pipeline.http.throttle import HostThrottle

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
CHUNK_BYTES = 1 << 20


class BodyTooLargeError(Exception):
    """A body past `HttpSettings.max_body_mb`: a page that never ends, or a gzip unpacking to gigabytes."""


class PoliteRetry(Retry):
    """urllib3 Retry that never retries at once (urllib3 skips the backoff before the first retry) and caps
    Retry-After, so a struggling site gets a pause and a server asking for an hour cannot stall a run."""

    max_retry_after: float = 60.0

    def get_backoff_time(self) -> float:
        return max(super().get_backoff_time(), self.backoff_factor)

    def get_retry_after(self, response):  # type: ignore[no-untyped-def]
        value = super().get_retry_after(response)
        return None if value is None else min(value, self.max_retry_after)

    def new(self, **kw):  # type: ignore[no-untyped-def]
        retry = super().new(**kw)
        retry.max_retry_after = self.max_retry_after
        return retry


@dataclass(frozen=True)
class HttpSettings:
    user_agent: str
    timeout_s: float = 30.0
    requests_per_second: float = 2.0
    max_workers: int = 0  # 0: sized from the rate and the observed latency
    max_workers_cap: int = 64
    max_retries: int = 4
    backoff_factor: float = 0.5
    backoff_jitter: float = 0.25
    max_retry_after_s: float = 60.0
    # A hoja de vida is tens of kB and a candidate-list page well under 1 MB: a body past this is no answer to
    # read, and reading it whole would take the run's memory. Decoded bytes count (a gzip cannot hide one).
    max_body_mb: float = 100.0


class HttpClient:
    def __init__(self, settings: HttpSettings, archive: Archive) -> None:
        self.settings = settings
        self.archive = archive
        self.throttle = HostThrottle(settings.requests_per_second)
        retry = PoliteRetry(
            total=settings.max_retries,
            connect=settings.max_retries,
            read=settings.max_retries,
            status=settings.max_retries,
            status_forcelist=RETRY_STATUSES,
            allowed_methods=frozenset({"GET", "POST", "HEAD"}),  # the POSTs here are read-only queries
            backoff_factor=settings.backoff_factor,
            backoff_jitter=settings.backoff_jitter,
            respect_retry_after_header=True,
            raise_on_status=False,
        )
        retry.max_retry_after = settings.max_retry_after_s
        pool_size = settings.max_workers if settings.max_workers > 0 else settings.max_workers_cap
        adapter = HTTPAdapter(max_retries=retry, pool_maxsize=max(pool_size, 1))
        self.session = requests.Session()
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)
        self.session.headers["User-Agent"] = settings.user_agent

    def fetch(self, request: Request) -> Fetched:
        """Fetch and archive one response. Network failures come back as a Fetched with `error` set."""
        self.throttle.wait(request.url)
        started = time.monotonic()
        fetched_at = datetime.now(UTC)
        try:
            response = self.session.request(
                request.method,
                request.url,
                params=request.params or None,
                data=request.body_bytes,
                headers={
                    **({"Content-Type": "application/json"} if request.json_body is not None else {}),
                    **request.headers,
                },
                timeout=self.settings.timeout_s,
                stream=True,
            )
            with response:
                content = self._read_body(response)
        except (requests.RequestException, BodyTooLargeError) as exc:
            return Fetched(
                request=request,
                status=None,
                sha256=None,
                content=b"",
                content_type="",
                fetched_at=fetched_at,
                elapsed_ms=int((time.monotonic() - started) * 1000),
                error=f"{type(exc).__name__}: {exc}",
            )
        not_modified = response.status_code == 304  # no body: the one in force stays (pipeline/refresh.py)
        return Fetched(
            request=request,
            status=response.status_code,
            sha256=None if not_modified else self.archive.put(content),
            content=content,
            content_type=response.headers.get("Content-Type", ""),
            fetched_at=fetched_at,
            elapsed_ms=int((time.monotonic() - started) * 1000),
            etag=response.headers.get("ETag"),
            last_modified=response.headers.get("Last-Modified"),
        )

    def _read_body(self, response: requests.Response) -> bytes:
        """The decoded body, read in chunks and given up on past `max_body_mb` (the connection is dropped)."""
        limit = int(self.settings.max_body_mb * (1 << 20))
        body = bytearray()
        for chunk in response.iter_content(CHUNK_BYTES):
            body += chunk
            if len(body) > limit:
                raise BodyTooLargeError(f"body over {self.settings.max_body_mb:g} MB, not read further")
        return bytes(body)

    def workers_for(self, latency_s: float) -> int:
        """Threads needed to keep the per-host rate saturated: by Little's law, rate x latency requests are
        in flight at once; half again as many, plus one, absorbs jitter. The throttle still caps the rate."""
        if self.settings.max_workers > 0:
            return self.settings.max_workers
        needed = math.ceil(self.settings.requests_per_second * max(latency_s, 0.001) * 1.5) + 1
        return max(1, min(self.settings.max_workers_cap, needed))

    def fetch_many(
        self,
        requests_: Sequence[Request],
        progress: Callable[[int, int], None] | None = None,
        progress_every: int = 100,
    ) -> list[Fetched]:
        """Fetch concurrently, paced by the per-host throttle, in input order. The first response's latency
        sizes the thread pool (unless max_workers fixes it)."""
        total = len(requests_)
        if not total:
            return []
        results = [self.fetch(requests_[0])]
        workers = self.workers_for(results[0].elapsed_ms / 1000)
        with ThreadPoolExecutor(max_workers=workers) as pool:
            for done, fetched in enumerate(pool.map(self.fetch, requests_[1:]), start=2):
                results.append(fetched)
                if progress and (done % progress_every == 0 or done == total):
                    progress(done, total)
        if progress and total == 1:
            progress(1, 1)
        return results

    def close(self) -> None:
        self.session.close()
