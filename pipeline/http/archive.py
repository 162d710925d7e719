"""Content-addressed archive of every response body.

Bodies are stored gzip-compressed under their sha256, so any parsed row can be traced back to the exact
bytes it came from, and re-parsing never needs the network. Identical bodies are stored once.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import tempfile
from pathlib import Path


class Archive:
    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def path_for(self, sha256: str) -> Path:
        if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
            raise ValueError(f"not a sha256 hex digest: {sha256!r}")
        return self.root / sha256[:2] / f"{sha256}.gz"

    def put(self, content: bytes) -> str:
        """Store the bytes (atomically: temp file, then rename) and return their sha256."""
        sha = hashlib.sha256(content).hexdigest()
        path = self.path_for(sha)
        if path.exists():
            return sha
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as gz:
                gz.write(content)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return sha

    def get(self, sha256: str) -> bytes:
        path = self.path_for(sha256)
        try:
            with gzip.open(path, "rb") as gz:
                content = gz.read()
        except FileNotFoundError:
            raise FileNotFoundError(f"archive has no body {sha256} (expected at {path})") from None
        except (OSError, EOFError) as exc:  # bad gzip header, flipped bits, truncated file
            raise ValueError(f"archived body {path} is unreadable ({exc}): the archive is corrupt") from None
        if hashlib.sha256(content).hexdigest() != sha256:
            raise ValueError(f"archived body {path} does not match its hash: the archive is corrupt")
        return content
