"""Archive: content-addressed, gzip-compressed, deduplicated, verified on read, confined to its root, safe
under threads, several writers and SIGKILL, and read in bulk one segment at a time."""

from __future__ import annotations

import gzip
import hashlib
import multiprocessing
import random
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

import pipeline.http.archive as archive_module
from pipeline.http.archive import Archive


@pytest.fixture
def archive(tmp_path: Path) -> Iterator[Archive]:
    with Archive(tmp_path / "archive") as archive:
        yield archive


def segments(root: Path) -> list[Path]:
    return sorted((root / "segments").glob("*.gz"))


def index_lines(root: Path) -> list[str]:
    return [
        line for idx in sorted((root / "segments").glob("*.idx")) for line in idx.read_text().splitlines()
    ]


def sha_of(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def put_legacy(root: Path, content: bytes) -> Path:
    """A body as the former one-file-per-body layout stored it."""
    path = root / sha_of(content)[:2] / f"{sha_of(content)}.gz"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(gzip.compress(content, mtime=0))
    return path


@pytest.mark.parametrize("content", [b"", b"hello", "año electoral ñ".encode(), bytes(range(256)) * 1000])
def test_round_trip(archive: Archive, content: bytes) -> None:
    sha = archive.put(content)

    assert sha == sha_of(content)
    assert archive.get(sha) == content
    assert (
        Archive(archive.root, share_index=False).get(sha) == content
    )  # a fresh instance finds it through the index file
    [segment] = segments(archive.root)
    assert gzip.decompress(segment.read_bytes()) == content  # a segment is a plain gzip file
    assert index_lines(archive.root) == [f"{sha} 0 {segment.stat().st_size}"]


def test_identical_content_is_stored_once(archive: Archive) -> None:
    first = archive.put(b"same body")
    [segment] = segments(archive.root)
    size = segment.stat().st_size

    assert archive.put(b"same body") == first
    assert segment.stat().st_size == size
    assert (
        Archive(archive.root, share_index=False).put(b"same body") == first
    )  # nor by a later instance: no new segment
    assert segments(archive.root) == [segment]
    assert len(index_lines(archive.root)) == 1

    assert archive.put(b"other body") != first
    assert len(index_lines(archive.root)) == 2


def test_stored_bytes_are_deterministic(tmp_path: Path) -> None:
    # gzip mtime is pinned, so two archives of one body are byte-identical (rsync/backup friendly).
    for name in "ab":
        with Archive(tmp_path / name) as archive:
            archive.put(b"payload" * 100)
    [a], [b] = segments(tmp_path / "a"), segments(tmp_path / "b")
    assert a.read_bytes() == b.read_bytes()


def test_valid_gzip_with_wrong_content_is_detected(archive: Archive) -> None:
    first = archive.put(b"the original body")
    archive.put(b"another body")
    [idx] = (archive.root / "segments").glob("*.idx")
    lines = idx.read_text().splitlines()
    idx.write_text(f"{first} {lines[1].split(' ', 1)[1]}\n")  # first's hash, second's bytes

    with pytest.raises(
        ValueError, match=f"{first} in .*{segments(archive.root)[0].name}.*does not match its hash"
    ):
        Archive(archive.root, share_index=False).get(first)


@pytest.mark.parametrize("damage", ["bit-flip", "truncated", "not-gzip"])
def test_damaged_segment_is_reported_as_corrupt_naming_the_file(archive: Archive, damage: str) -> None:
    archive.put(b"an earlier body")
    sha = archive.put(b"the original body " * 50)
    archive.close()
    [segment] = segments(archive.root)
    offset, length = map(int, index_lines(archive.root)[1].split()[1:])
    raw = bytearray(segment.read_bytes())
    if damage == "bit-flip":
        raw[offset + length // 2] ^= 0xFF
    elif damage == "truncated":
        raw = raw[:-6]
    else:
        raw[offset : offset + length] = b"x" * length
    segment.write_bytes(bytes(raw))

    with pytest.raises(ValueError, match="corrupt") as error:
        Archive(archive.root, share_index=False).get(sha)
    assert str(segment) in str(error.value)
    assert (
        Archive(archive.root, share_index=False).get(sha_of(b"an earlier body")) == b"an earlier body"
    )  # the rest still reads


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
    "a" * 64 + "\n",
]


@pytest.mark.parametrize("bad", BAD_SHAS)
def test_bad_sha_strings_are_rejected(archive: Archive, bad: str) -> None:
    with pytest.raises(ValueError, match="not a sha256 hex digest"):
        archive.get(bad)
    with pytest.raises(ValueError, match="not a sha256 hex digest"):
        archive.get_many([archive.put(b"fine"), bad])


def test_path_traversal_cannot_read_outside_the_root(tmp_path: Path) -> None:
    archive = Archive(tmp_path / "archive")
    archive.root.mkdir()
    (tmp_path / "x").write_bytes(gzip.compress(b"secret"))

    with pytest.raises(ValueError):
        archive.get("../x")


def test_missing_body_names_the_hash(archive: Archive) -> None:
    sha = sha_of(b"never stored")
    stored = archive.put(b"stored")

    with pytest.raises(FileNotFoundError, match=sha):
        archive.get(sha)
    with pytest.raises(FileNotFoundError, match=sha):  # at the call, before any body is read
        archive.get_many([stored, sha])


def test_threads_putting_distinct_and_identical_bodies_at_once(archive: Archive) -> None:
    threads, per_thread = 16, 200
    shared = [f"shared body {i}".encode() for i in range(per_thread // 2)]
    start = threading.Barrier(threads)
    returned: list[list[str]] = [[] for _ in range(threads)]

    def work(n: int) -> None:
        mine = [f"body of thread {n}, number {i}".encode() for i in range(per_thread // 2)]
        start.wait()
        for content in [body for pair in zip(mine, shared, strict=True) for body in pair]:
            returned[n].append(archive.put(content))

    workers = [threading.Thread(target=work, args=(n,)) for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()

    distinct = {sha for shas in returned for sha in shas}
    assert len(distinct) == threads * per_thread // 2 + len(shared)
    assert len(index_lines(archive.root)) == len(distinct)  # each body written exactly once
    assert len(segments(archive.root)) == 1  # one instance, one segment
    fresh = Archive(archive.root, share_index=False)
    for sha, content in fresh.get_many(distinct):
        assert sha_of(content) == sha


CHILD = """
import sys
from pipeline.http.archive import Archive

archive = Archive(sys.argv[1])
for i in range(1_000_000):
    sha = archive.put(f"body {i} ".encode() * (1 + i % 300))
    print(sha, flush=True)
"""


def test_sigkill_mid_stream_loses_no_returned_body(tmp_path: Path) -> None:
    root = tmp_path / "archive"
    returned: list[str] = []
    for _ in range(3):  # three crashed writers, three torn segments side by side
        child = subprocess.Popen([sys.executable, "-c", CHILD, str(root)], stdout=subprocess.PIPE, text=True)
        assert child.stdout is not None
        lines: list[str] = []
        # Drained by a thread so the child never waits on a full pipe: the kill lands inside a put().
        drain = threading.Thread(target=lambda out=child.stdout, lines=lines: lines.extend(out))
        drain.start()
        try:
            while len(lines) < 300 and child.poll() is None:
                time.sleep(0.005)
        finally:
            child.send_signal(signal.SIGKILL)
            drain.join()
            child.wait()
        assert child.returncode == -signal.SIGKILL
        returned += [line.strip() for line in lines if len(line) == 65]  # a torn last line was no return

    archive = Archive(root, share_index=False)
    assert dict(archive.get_many(returned)).keys() == set(returned)
    with archive:  # and the archive takes new bodies after the crashes
        sha = archive.put(b"after the crash")
    assert Archive(root, share_index=False).get(sha) == b"after the crash"


def test_torn_tails_are_ignored(archive: Archive) -> None:
    shas = [archive.put(f"body {i}".encode()) for i in range(3)]
    archive.close()
    [segment] = segments(archive.root)
    idx = segment.with_suffix(".idx")
    # A crash between the two writes of a put (member written, no index line), and one inside the line.
    segment.write_bytes(segment.read_bytes() + gzip.compress(b"never committed")[:9])
    idx.write_bytes(idx.read_bytes() + f"{sha_of(b'never committed')} {segment.stat().st_size}".encode())

    reader = Archive(archive.root, share_index=False)
    assert [content for _, content in reader.get_many(shas)] == [b"body 0", b"body 1", b"body 2"]
    with pytest.raises(FileNotFoundError):
        reader.get(sha_of(b"never committed"))
    assert reader.put(b"never committed") == sha_of(b"never committed")  # stored anew in a new segment
    assert Archive(archive.root, share_index=False).get(sha_of(b"never committed")) == b"never committed"


def test_malformed_index_lines_are_skipped(archive: Archive) -> None:
    sha = archive.put(b"kept")
    archive.close()
    [idx] = (archive.root / "segments").glob("*.idx")
    idx.write_text("not a line\n" + "f" * 64 + " -1 x\n" + idx.read_text())

    assert Archive(archive.root, share_index=False).get(sha) == b"kept"


def test_two_writers_on_one_root_see_each_others_bodies(tmp_path: Path) -> None:
    root = tmp_path / "archive"
    with Archive(root, share_index=False) as a, Archive(root, share_index=False) as b:
        from_a = a.put(b"from a")
        from_b = b.put(b"from b")  # b has read the index files by now, and a's line is in them
        later_a = a.put(b"later from a")  # written after b's index was loaded: found by a rescan

        assert b.get(from_a) == b"from a"
        assert b.get(later_a) == b"later from a"
        assert a.get(from_b) == b"from b"
        assert dict(b.get_many([from_a, from_b, later_a])) == {
            from_a: b"from a",
            from_b: b"from b",
            later_a: b"later from a",
        }
    assert len(segments(root)) == 2


def test_a_forked_child_writes_a_segment_of_its_own(archive: Archive) -> None:
    before = archive.put(b"before the fork")  # the parent's segment is open when it forks
    child = multiprocessing.get_context("fork").Process(target=archive.put, args=(b"from the child",))
    child.start()
    child.join()
    assert child.exitcode == 0
    after = archive.put(b"from the parent")

    assert len(segments(archive.root)) == 2
    assert dict(
        Archive(archive.root, share_index=False).get_many([before, sha_of(b"from the child"), after])
    ) == {
        before: b"before the fork",
        sha_of(b"from the child"): b"from the child",
        after: b"from the parent",
    }


def test_legacy_layout_is_still_read_never_written(archive: Archive) -> None:
    legacy = put_legacy(archive.root, b"stored the old way")
    sha = sha_of(b"stored the old way")
    new = archive.put(b"stored the new way")

    assert archive.get(sha) == b"stored the old way"
    assert dict(archive.get_many([sha, new])) == {sha: b"stored the old way", new: b"stored the new way"}

    legacy.write_bytes(gzip.compress(b"tampered"))
    with pytest.raises(ValueError, match=f"{legacy}.*does not match its hash"):
        archive.get(sha)

    archive.put(b"stored the old way")  # fetched again: it moves into a segment
    assert archive.get(sha) == b"stored the old way"
    assert sorted(p.name for p in archive.root.iterdir()) == [sha[:2], "segments"]
    assert len(index_lines(archive.root)) == 2


def test_get_many_reads_each_segment_once_in_offset_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "archive"
    bodies = [f"body number {i} ".encode() * (1 + i % 7) for i in range(40)]
    with Archive(root, segment_limit=400) as a, Archive(root, segment_limit=400) as b:
        for i, content in enumerate(bodies[:30]):
            (a if i % 2 else b).put(content)
    legacy = [sha_of(content) for content in bodies[30:]]
    for content in bodies[30:]:
        put_legacy(root, content)
    assert len(segments(root)) > 2

    wanted = [sha_of(content) for content in bodies[5:]]
    random.Random(6).shuffle(wanted)
    opened: list[str] = []
    real_open = open

    def counting_open(file, *args, **kwargs):  # type: ignore[no-untyped-def]
        opened.append(str(file))
        return real_open(file, *args, **kwargs)

    reader = Archive(root, share_index=False)
    reader.get(sha_of(bodies[0]))  # loads the index: only the bulk read is counted below
    monkeypatch.setattr(archive_module, "open", counting_open, raising=False)
    got = list(reader.get_many(wanted + wanted[:5]))  # repeats are read and yielded once

    assert dict(got) == {sha_of(content): content for content in bodies[5:]}
    assert len(got) == len(wanted)
    stored = {  # sha -> (segment, offset), as the index files say
        line.split()[0]: (str(idx.with_suffix(".gz")), int(line.split()[1]))
        for idx in (root / "segments").glob("*.idx")
        for line in idx.read_text().splitlines()
    }
    from_segments = [sha for sha, _ in got if sha in stored]
    assert from_segments == sorted(from_segments, key=stored.__getitem__)  # segment by segment, by offset
    assert [sha for sha, _ in got[len(from_segments) :]] == [sha for sha in wanted if sha in legacy]
    assert sorted(opened) == sorted({stored[sha][0] for sha in from_segments})  # one open per segment


def test_segments_roll_over_past_the_size_limit(tmp_path: Path) -> None:
    root = tmp_path / "archive"
    bodies = [random.Random(i).randbytes(150) for i in range(20)]  # incompressible: ~170 B each
    with Archive(root, segment_limit=500) as archive:
        shas = [archive.put(content) for content in bodies]

    sizes = [segment.stat().st_size for segment in segments(root)]
    assert len(sizes) == 7  # 3 bodies reach 500 bytes
    assert all(size >= 500 for size in sizes[:-1])
    assert all(size < 500 + 200 for size in sizes)
    assert [
        content for _, content in Archive(root, share_index=False).get_many(shas)
    ] == bodies  # one writer: put order


def test_instances_of_one_process_share_what_they_read_of_the_index(archive: Archive) -> None:
    sha = archive.put(b"read once")
    archive.close()
    for idx in (archive.root / "segments").glob("*.idx"):
        idx.unlink()  # what the next instance can only know from the index already read

    assert Archive(archive.root).get(sha) == b"read once"
    with pytest.raises(FileNotFoundError):
        Archive(archive.root, share_index=False).get(sha)


def test_text_bodies_are_readable_in_bulk_once_their_segment_is_closed(tmp_path: Path) -> None:
    """Each closed segment has a `.texts` file DuckDB reads in bulk: one JSON line per body that is UTF-8 text
    (with its BOM, if any: the text hashes to the body's sha256); while the segment is open there is none."""
    too_long = [b"x" * archive_module.TEXTS_MAX_LINE, b"\x01" * (archive_module.TEXTS_MAX_LINE // 5)]
    bodies = [b'{"a": 1}', "\ufeffcon BOM y tilde: \u00f1".encode(), b"\xff\xfe not UTF-8", b"line\nbreak"]
    bodies += too_long  # the second only once escaped (\u0001)
    archive = Archive(tmp_path / "archive")
    shas = [archive.put(body) for body in bodies]
    assert archive.texts(shas) == ({}, shas)  # still open: read from the segment
    assert not list((tmp_path / "archive" / "segments").glob(f"*{archive_module.TEXTS_SUFFIX}"))
    archive.close()
    found, absent = Archive(tmp_path / "archive", share_index=False).texts(shas)
    [(texts, listed)] = found.items()
    assert listed == shas and absent == []
    read = duckdb.sql(
        "SELECT sha256, text, sha256(text) = sha256 AS verified FROM read_json(?, "
        "format = 'newline_delimited', compression = 'gzip', columns = {sha256: 'VARCHAR', text: 'VARCHAR'})",
        params=[str(texts)],
    ).fetchall()
    assert read == [
        (sha, body.decode(), True)
        for sha, body in zip(shas, bodies, strict=True)
        if body[0] != 0xFF and body not in too_long
    ]
    # A file is read whole: for a small share of its bodies, reading them one by one costs less.
    assert archive.texts(shas[:1], min_share=0.3) == ({}, shas[:1])
    assert archive.texts(shas[:2], min_share=0.3) == ({texts: shas[:2]}, [])


def test_each_rolled_over_segment_gets_its_own_texts(tmp_path: Path) -> None:
    with Archive(tmp_path / "archive", segment_limit=1) as archive:
        shas = [archive.put(f"body {n}".encode()) for n in range(3)]
    found, absent = archive.texts(shas)
    assert absent == [] and sorted(found.values()) == sorted([sha] for sha in shas)
    assert {path.with_suffix(".gz") for path in found} == set(segments(archive.root))
