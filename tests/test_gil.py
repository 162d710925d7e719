"""The GIL handoff interval (pipeline/gil.py): lowered inside the block only, shared by overlapping blocks."""

import sys
import threading

import pytest

from pipeline.gil import quick_handoff


@pytest.fixture(autouse=True)
def default_interval():
    before = sys.getswitchinterval()
    sys.setswitchinterval(0.005)
    yield
    sys.setswitchinterval(before)


def test_the_interval_is_lowered_inside_the_block_and_restored_after():
    with quick_handoff(0.001):
        assert sys.getswitchinterval() == pytest.approx(0.001)
    assert sys.getswitchinterval() == pytest.approx(0.005)


def test_the_interval_is_restored_when_the_block_raises():
    with pytest.raises(RuntimeError), quick_handoff(0.001):
        raise RuntimeError("boom")
    assert sys.getswitchinterval() == pytest.approx(0.005)


def test_a_shorter_interval_already_set_is_kept():
    sys.setswitchinterval(0.0005)
    with quick_handoff(0.001):
        assert sys.getswitchinterval() == pytest.approx(0.0005)
    assert sys.getswitchinterval() == pytest.approx(0.0005)


def test_overlapping_blocks_restore_the_interval_only_when_the_last_one_ends():
    inside, release = threading.Event(), threading.Event()

    def other() -> None:
        with quick_handoff(0.001):
            inside.set()
            release.wait(10)

    thread = threading.Thread(target=other)
    thread.start()
    assert inside.wait(10)
    with quick_handoff(0.001):
        pass
    assert sys.getswitchinterval() == pytest.approx(0.001)  # the other block is still open
    release.set()
    thread.join(10)
    assert sys.getswitchinterval() == pytest.approx(0.005)


def test_the_archive_texts_are_read_ahead_with_the_quick_handoff():
    from pipeline import incremental

    def batches():
        for n in range(3):
            yield n, sys.getswitchinterval()

    seen = list(incremental._ahead(batches()))
    assert [n for n, _ in seen] == [0, 1, 2]
    assert all(interval == pytest.approx(0.001) for _, interval in seen)
    assert sys.getswitchinterval() == pytest.approx(0.005)
