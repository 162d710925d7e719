"""Content-addressed archive of every response body.

Bodies are stored gzip-compressed under their sha256, so any parsed row can be traced back to the exact
bytes it came from, and re-parsing never needs the network. Identical bodies are stored once.

Layout, built for bulk writes and reads (an election is 150,000 hojas de vida of ~1.6 KB; one file per body
cost 150,000 file opens per read pass):

- `root/segments/<name>.gz`: bodies appended one after another, each its own gzip member, so a body is read
  back from its offset and length alone, and the whole segment is still a valid gzip file;
- `root/segments/<name>.idx`: one line `<sha256> <offset> <length>\\n` per body, appended only after the
  body's bytes are written and flushed to the OS. A line is the commit point: a process killed at any moment
  leaves at worst a body without its line, or a line without its newline, and both are ignored on read.
- `root/segments/<name>.texts`: the same bodies again, those that are UTF-8 text under 1 MiB (a hoja de vida
  is a few kB, a list page under 1 MB), for bulk readers: one
  line `{"sha256": ..., "text": ...}` per body in one gzip stream, which DuckDB's `read_json` reads at C speed
  (150,000 hojas de vida read back one by one cost about 7 s of Python; see `texts`). It is written as
  `<name>.texts.part` and renamed only once the segment is closed, so a reader never sees half a file; a
  process that dies leaves a `.part` that nobody reads, and its bodies are read from the segment instead.
- `root/<sha[:2]>/<sha>.gz`: the former one-file-per-body layout, still read (never written) so existing data
  directories keep working. A body found there and fetched again is stored anew in a segment.

Every Archive instance appends to a segment of its own (time, pid and a random suffix in the name), so
threads share one instance behind a lock and processes share a root without coordinating. Bodies are
flushed to the OS before put() returns, which survives the death of the process, not of the machine: a
segment is fsynced only when closed or rolled over.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import json
import os
import re
import secrets
import threading
import zlib
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import BinaryIO, Self

SEGMENT_LIMIT = 256 * 1024 * 1024
TEXTS_SUFFIX = ".texts"
# A longer line (a body of megabytes: no answer read in bulk) stays out of the texts: DuckDB's reader stops at
# a JSON value over 16 MiB (its maximum_object_size) and holds each line whole.
TEXTS_MAX_LINE = 1 << 20
_PART = ".part"
_SHA = re.compile(r"[0-9a-f]{64}")
_INDEX_LINE = re.compile(rb"([0-9a-f]{64}) ([0-9]+) ([0-9]+)")
_READ_BUFFER = 1024 * 1024


# Where a body is: its segment's path, offset and length. A plain tuple of text and numbers, which the
# garbage collector stops tracking (a named tuple or a Path in it it would track), so that the index (one
# entry per body, 150,000 and more) does not lengthen every collection of the run.
_Location = tuple[str, int, int]


@dataclass
class _Segment:
    """The segment this instance appends to, and the process that opened it."""

    path: Path
    index_path: Path
    data: BinaryIO
    index: BinaryIO
    texts_part: BinaryIO
    texts: gzip.GzipFile  # writing into texts_part
    pid: int

    @property
    def texts_path(self) -> Path:
        return self.path.with_suffix(TEXTS_SUFFIX)


def _text_line(sha: str, content: bytes) -> bytes | None:
    """The body's line in the texts; None for a body that is not UTF-8 text, or too long for bulk reading."""
    if len(content) > TEXTS_MAX_LINE:
        return None
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError:
        return None
    line = (json.dumps({"sha256": sha, "text": text}, ensure_ascii=False) + "\n").encode()
    return line if len(line) <= TEXTS_MAX_LINE else None


def _check_sha(sha256: str) -> None:
    # Also what keeps a caller-supplied string from naming a path outside the root.
    if not _SHA.fullmatch(sha256):
        raise ValueError(f"not a sha256 hex digest: {sha256!r}")


@dataclass
class _Known:
    """What this process has read of one root's index files, shared by all its Archive instances: each asset
    of a run opens the archive, and reading 150,000 index lines again every time costs about a second."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    index: dict[str, _Location] = field(default_factory=dict)
    scanned: dict[Path, int] = field(default_factory=dict)  # index file -> bytes of it already parsed
    loaded: bool = False


_KNOWN: dict[Path, _Known] = {}
_KNOWN_LOCK = threading.Lock()


class Archive:
    def __init__(self, root: Path, segment_limit: int = SEGMENT_LIMIT, share_index: bool = True) -> None:
        """`share_index=False` reads the index files anew, as a new process would."""
        self.root = Path(root)
        self.segment_limit = segment_limit
        self._segments_dir = self.root / "segments"
        with _KNOWN_LOCK:
            if share_index:
                self._known = _KNOWN.setdefault(self.root.resolve(), _Known())
            else:
                self._known = _KNOWN[self.root.resolve()] = _Known()
        self._lock = self._known.lock
        self._index = self._known.index
        self._scanned = self._known.scanned
        self._segment: _Segment | None = None

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close (and fsync) the open segment. The archive stays usable: a later put opens a new one."""
        with self._lock:
            self._close_segment()

    def put(self, content: bytes) -> str:
        """Store the bytes unless already stored, and return their sha256 once they are readable."""
        sha = hashlib.sha256(content).hexdigest()
        with self._lock:
            if sha in self._loaded_index():
                return sha
        member = gzip.compress(content, mtime=0)  # outside the lock: threads compress in parallel
        line = _text_line(sha, content)
        with self._lock:
            if sha not in self._index:  # another thread may have stored it meanwhile
                self._index[sha] = self._append(sha, member, line)
        return sha

    def texts(self, shas: Iterable[str], min_share: float = 0.0) -> tuple[dict[Path, list[str]], list[str]]:
        """Where bulk readers find these bodies as text: the `.texts` file of the segment holding each body
        (file -> its shas), and the bodies with no such file (stored in a segment still open, in one whose
        process died, or in the former layout), to be read with `get_many`. A file is a whole segment's
        texts: one of whose bodies less than `min_share` are wanted is left out, its bodies reported absent.

        A file may still lack a body that is not UTF-8, and a reader must check that a text hashes to its sha
        (`incremental._texts` does); whatever it cannot find or check, it reads with `get_many`."""
        by_segment: dict[str, list[str]] = {}
        absent = []
        with self._lock:
            index = self._loaded_index()
            for sha in dict.fromkeys(shas):
                if (location := index.get(sha)) is not None:
                    by_segment.setdefault(location[0], []).append(sha)
                else:
                    absent.append(sha)
            stored = Counter(segment for segment, _, _ in index.values()) if min_share else {}
        found: dict[Path, list[str]] = {}
        for segment, wanted in by_segment.items():
            path = Path(segment).with_suffix(TEXTS_SUFFIX)
            if len(wanted) >= min_share * stored.get(segment, 0) and path.is_file():
                found[path] = wanted
            else:
                absent += wanted
        return found, absent

    def get(self, sha256: str) -> bytes:
        """The body with this hash, verified; see get_many for the errors."""
        [(_, content)] = self.get_many([sha256])
        return content

    def get_many(self, shas: Iterable[str]) -> Iterator[tuple[str, bytes]]:
        """Every requested body, verified against its hash, as (sha256, bytes), each sha once.

        Order: segment by segment (by segment name, which starts with its creation time), bodies of a segment
        by offset, then bodies of the former one-file-per-body layout in request order. That is the order in
        which each segment is read front to back through one open file, whatever order the shas came in.

        Raises at the call, before anything is read, ValueError for a string that is not a sha256 and
        FileNotFoundError for a body the archive does not hold (the index files are rescanned first, for
        bodies other processes stored since they were last read); while iterating, ValueError naming the
        file for a body that is unreadable or does not match its hash.
        """
        wanted = list(dict.fromkeys(shas))
        for sha in wanted:
            _check_sha(sha)
        with self._lock:
            index = self._loaded_index()
            # Looked for in the old layout before rescanning, so reading old data costs no rescan per body.
            absent = [sha for sha in wanted if sha not in index and not self._legacy_path(sha).is_file()]
            if absent:
                self._refresh()
                if absent := [sha for sha in absent if sha not in index]:
                    more = f" (and {len(absent) - 1} more)" if len(absent) > 1 else ""
                    raise FileNotFoundError(f"archive {self.root} has no body {absent[0]}{more}")
            by_segment: dict[str, list[tuple[int, int, str]]] = {}
            for sha in wanted:
                if (location := index.get(sha)) is not None:
                    segment, offset, length = location
                    by_segment.setdefault(segment, []).append((offset, length, sha))
            legacy = [sha for sha in wanted if sha not in index]
        return self._read(by_segment, legacy)

    def _read(
        self, by_segment: dict[str, list[tuple[int, int, str]]], legacy: list[str]
    ) -> Iterator[tuple[str, bytes]]:
        for segment in sorted(by_segment):
            members = sorted(by_segment[segment])
            # Read ahead in big chunks for a bulk read, but never more than is wanted (one get, one body).
            buffering = min(_READ_BUFFER, sum(length for _, length, _ in members))
            with open(segment, "rb", buffering=buffering) as f:
                for offset, length, sha in members:
                    f.seek(offset)
                    yield sha, self._read_member(f.read(length), sha, f"{segment} at offset {offset}")
        for sha in legacy:
            yield sha, self._read_legacy(sha)

    @staticmethod
    def _read_member(raw: bytes, sha: str, where: str) -> bytes:
        try:  # wbits 31: one gzip member, its CRC and size checked; a short read is a truncated stream
            content = zlib.decompress(raw, wbits=31)
        except zlib.error as exc:
            raise ValueError(
                f"archived body {sha} in {where} is unreadable ({exc}): the archive is corrupt"
            ) from None
        if hashlib.sha256(content).hexdigest() != sha:
            raise ValueError(
                f"archived body {sha} in {where} does not match its hash: the archive is corrupt"
            )
        return content

    def _legacy_path(self, sha256: str) -> Path:
        return self.root / sha256[:2] / f"{sha256}.gz"

    def _read_legacy(self, sha256: str) -> bytes:
        path = self._legacy_path(sha256)
        try:
            with gzip.open(path, "rb") as gz:
                content = gz.read()
        except FileNotFoundError:
            raise FileNotFoundError(f"archive has no body {sha256} (expected at {path})") from None
        except (OSError, EOFError, zlib.error) as exc:  # bad gzip header, flipped bits, truncated file
            raise ValueError(f"archived body {path} is unreadable ({exc}): the archive is corrupt") from None
        if hashlib.sha256(content).hexdigest() != sha256:
            raise ValueError(f"archived body {path} does not match its hash: the archive is corrupt")
        return content

    def _loaded_index(self) -> dict[str, _Location]:
        """The index, read from every index file on first use (callers hold the lock)."""
        if not self._known.loaded:
            self._refresh()
            self._known.loaded = True
        return self._index

    def _refresh(self) -> None:
        """Parse what is new in every index file: new segments, and lines appended since the last scan.

        Only complete lines count: a line without its newline is a write in progress or torn by a crash,
        and is read again next time. Malformed lines are skipped; the hash check on read catches the rest.
        """
        if not self._segments_dir.is_dir():
            return
        for idx in self._segments_dir.glob("*.idx"):
            done = self._scanned.get(idx, 0)
            if idx.stat().st_size <= done:
                continue
            with open(idx, "rb") as f:
                f.seek(done)
                text = f.read()
            complete = text.rfind(b"\n") + 1
            segment = str(idx.with_suffix(".gz"))
            for line in text[:complete].splitlines():
                if match := _INDEX_LINE.fullmatch(line):
                    self._index.setdefault(match[1].decode(), (segment, int(match[2]), int(match[3])))
            self._scanned[idx] = done + complete

    def _append(self, sha: str, member: bytes, text_line: bytes | None) -> _Location:
        """Append one gzip member, then its index line, then its text line if any (callers hold the lock)."""
        segment = self._writer()
        try:
            offset = segment.data.tell()
            segment.data.write(member)
            segment.data.flush()
            segment.index.write(f"{sha} {offset} {len(member)}\n".encode())
            segment.index.flush()
            if text_line is not None:
                segment.texts.write(text_line)
        except BaseException:
            self._segment = None  # its tail is unknown now: later bodies go to a fresh segment
            for f in (segment.data, segment.index, segment.texts, segment.texts_part):
                with contextlib.suppress(OSError):
                    f.close()  # the texts stay a .part: never read
            raise
        self._scanned[segment.index_path] = segment.index.tell()  # our lines are in _index already
        if offset + len(member) >= self.segment_limit:
            self._close_segment()
        return str(segment.path), offset, len(member)

    def _writer(self) -> _Segment:
        """The open segment, opened on first use. A segment inherited through fork() is left to the parent,
        which keeps appending to it: sharing it would interleave bytes behind both processes' offsets."""
        if self._segment is not None and self._segment.pid != os.getpid():
            self._segment = None
        if self._segment is None:
            self._segments_dir.mkdir(parents=True, exist_ok=True)
            name = f"{datetime.now(UTC):%Y%m%dT%H%M%S%f}-{os.getpid()}-{secrets.token_hex(4)}"
            path, index_path = self._segments_dir / f"{name}.gz", self._segments_dir / f"{name}.idx"
            data = open(path, "xb")  # noqa: SIM115 - kept open across puts, closed by _close_segment
            index = open(index_path, "xb")  # noqa: SIM115
            texts_part = open(path.with_suffix(TEXTS_SUFFIX + _PART), "xb")  # noqa: SIM115
            # Level 6 (zlib's default): a third of the time of gzip's 9 for a few percent more bytes.
            texts = gzip.GzipFile(fileobj=texts_part, mode="wb", compresslevel=6, mtime=0)
            self._segment = _Segment(path, index_path, data, index, texts_part, texts, os.getpid())
        return self._segment

    def _close_segment(self) -> None:
        segment, self._segment = self._segment, None
        if segment is None or segment.pid != os.getpid():
            return
        for f in (segment.data, segment.index):
            with f:
                f.flush()
                os.fsync(f.fileno())
        segment.texts.close()  # writes the gzip trailer; the file under it stays open
        with segment.texts_part as part:
            part.flush()
            os.fsync(part.fileno())
        os.replace(part.name, segment.texts_path)  # complete, or not there
