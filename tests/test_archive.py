"""Archive: content-addressed, gzip-compressed, deduplicated, verified on read, and confined to its root."""

from __future__ import annotations

import gzip
import hashlib
from pathlib import Path

import pytest

from pipeline.http.archive import Archive


@pytest.fixture
def archive(tmp_path: Path) -> Archive:
    return Archive(tmp_path / "archive")


def stored_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file())


@pytest.mark.parametrize("content", [b"", b"hello", "año electoral ñ".encode(), bytes(range(256)) * 1000])
def test_round_trip(archive: Archive, content: bytes) -> None:
    sha = archive.put(content)

    assert sha == hashlib.sha256(content).hexdigest()
    assert archive.get(sha) == content
    path = archive.root / sha[:2] / f"{sha}.gz"
    assert archive.path_for(sha) == path
    assert gzip.decompress(path.read_bytes()) == content


def test_identical_content_is_stored_once(archive: Archive) -> None:
    first = archive.put(b"same body")
    path = archive.path_for(first)
    mtime = path.stat().st_mtime_ns

    second = archive.put(b"same body")

    assert first == second
    assert stored_files(archive.root) == [path]  # one file, no leftover temp files
    assert path.stat().st_mtime_ns == mtime  # not rewritten

    other = archive.put(b"other body")
    assert other != first
    assert len(stored_files(archive.root)) == 2


def test_stored_bytes_are_deterministic(tmp_path: Path) -> None:
    # gzip mtime is pinned, so two archives of one body are byte-identical (rsync/backup friendly).
    a, b = Archive(tmp_path / "a"), Archive(tmp_path / "b")
    sha = a.put(b"payload" * 100)
    b.put(b"payload" * 100)
    assert a.path_for(sha).read_bytes() == b.path_for(sha).read_bytes()


def test_valid_gzip_with_wrong_content_is_detected(archive: Archive) -> None:
    sha = archive.put(b"the original body")
    archive.path_for(sha).write_bytes(gzip.compress(b"a tampered body"))

    with pytest.raises(ValueError, match="does not match its hash"):
        archive.get(sha)


@pytest.mark.parametrize("damage", ["bit-flip", "truncated", "not-gzip"])
def test_damaged_gzip_file_is_reported_as_corrupt(archive: Archive, damage: str) -> None:
    sha = archive.put(b"the original body " * 50)
    path = archive.path_for(sha)
    raw = bytearray(path.read_bytes())
    if damage == "bit-flip":
        raw[len(raw) // 2] ^= 0xFF
    elif damage == "truncated":
        raw = raw[:-6]
    else:
        raw = bytearray(b"garbage")
    path.write_bytes(bytes(raw))

    with pytest.raises(ValueError, match="corrupt"):
        archive.get(sha)


BAD_SHAS = [
    "../x",
    "",
    "../" + "a" * 61,  # right length, path separators
    "/" + "a" * 63,
    "a" * 63,
    "a" * 65,
    "A" * 64,  # upper-case hex is not what put() produces
    "g" * 64,
    "a" * 62 + "\n0",
]


@pytest.mark.parametrize("bad", BAD_SHAS)
def test_bad_sha_strings_are_rejected(archive: Archive, bad: str) -> None:
    with pytest.raises(ValueError, match="not a sha256 hex digest"):
        archive.path_for(bad)
    with pytest.raises(ValueError, match="not a sha256 hex digest"):
        archive.get(bad)


def test_path_traversal_cannot_read_outside_the_root(tmp_path: Path) -> None:
    archive = Archive(tmp_path / "archive")
    archive.root.mkdir()
    (tmp_path / "x").write_bytes(gzip.compress(b"secret"))

    with pytest.raises(ValueError):
        archive.get("../x")


def test_missing_body_names_the_hash(archive: Archive) -> None:
    sha = hashlib.sha256(b"never stored").hexdigest()

    with pytest.raises(FileNotFoundError, match=sha):
        archive.get(sha)
