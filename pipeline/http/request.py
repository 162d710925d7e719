"""What to fetch and what came back: the records that travel from the HTTP layer to the parsers."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Any
from urllib.parse import urlencode


@dataclass(frozen=True)
class Request:
    """One HTTP request. `json_body` is sent as JSON (JNE and ONPE take POSTed JSON filters); `headers` are
    extra headers (conditional requests) that do not change which request it is."""

    method: str
    url: str
    params: dict[str, Any] = field(default_factory=dict)
    json_body: Any = None
    headers: dict[str, str] = field(default_factory=dict, compare=False)

    @cached_property
    def full_url(self) -> str:
        """URL with its query string, as archived and shown to readers."""
        if not self.params:
            return self.url
        return f"{self.url}?{urlencode(sorted(self.params.items()))}"

    @property
    def body_bytes(self) -> bytes | None:
        if self.json_body is None:
            return None
        return json.dumps(self.json_body, sort_keys=True, ensure_ascii=False).encode()

    @property
    def body_sha256(self) -> str | None:
        """Hash of the canonical request body: two POSTs to one URL stay distinct in the manifest."""
        body = self.body_bytes
        return hashlib.sha256(body).hexdigest() if body is not None else None


@dataclass(frozen=True)
class Fetched:
    """A response (or the failure to get one) with the archive reference of its bytes."""

    request: Request
    status: int | None
    sha256: str | None
    content: bytes
    content_type: str
    fetched_at: datetime
    elapsed_ms: int
    error: str | None = None
    etag: str | None = None
    last_modified: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None and self.status == 200

    @property
    def not_modified(self) -> bool:
        """A conditional request answered 304: the body in force is still current."""
        return self.error is None and self.status == 304

    def describe_failure(self) -> str:
        """One line naming the URL and what went wrong, for logs and the fetch_failures table."""
        what = self.error or f"HTTP {self.status}"
        return f"{self.request.method} {self.request.full_url}: {what}"

    def manifest_row(self, source: str) -> dict[str, Any]:
        return {
            "source": source,
            "method": self.request.method,
            "url": self.request.full_url,
            "request_body_sha256": self.request.body_sha256,
            "request_body": self.request.body_bytes.decode() if self.request.body_bytes else None,
            "status": self.status,
            "content_type": self.content_type,
            "bytes": len(self.content),
            "sha256": self.sha256,
            "fetched_at": self.fetched_at,
            "elapsed_ms": self.elapsed_ms,
            "error": self.error,
        }
