"""Freed heap memory goes back to the OS (pipeline/memory.py), so a step's peak does not stay resident."""

import ctypes
import ctypes.util
import os
import platform
from pathlib import Path

import pytest

from pipeline.memory import release_freed_memory

glibc = pytest.mark.skipif(
    platform.system() != "Linux" or platform.libc_ver()[0] != "glibc", reason="malloc_trim is glibc's"
)


@glibc
def test_freed_heap_memory_is_returned() -> None:
    libc = ctypes.CDLL(ctypes.util.find_library("c"))
    libc.malloc.restype = ctypes.c_void_p
    libc.free.argtypes = [ctypes.c_void_p]
    libc.memset.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_size_t]
    size, count = 64 * 1024, 3_000  # below glibc's mmap threshold: these live in the heap (about 190 MB)
    blocks = [libc.malloc(size) for _ in range(count)]
    for block in blocks:
        libc.memset(block, 1, size)  # touched: resident
    for block in blocks[:-1]:  # the last block keeps the heap's top in use, so free() alone trims nothing
        libc.free(block)
    before = _resident()
    release_freed_memory()
    after = _resident()
    libc.free(blocks[-1])
    assert before - after > 100 * 1024**2


def _resident() -> int:
    """Resident memory of this process, in bytes (Linux)."""
    return int(Path("/proc/self/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE")
