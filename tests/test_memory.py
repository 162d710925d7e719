"""Freed heap memory goes back to the OS (pipeline/memory.py), so a step's peak does not stay resident."""

import ctypes
import ctypes.util
import os
import platform
from pathlib import Path

import dagster as dg
import numpy as np
import pyarrow as pa
import pytest

from pipeline.memory import release_freed_memory
from pipeline.resources import WarehouseResource

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


@glibc
def test_what_arrow_frees_is_returned_once_a_run_starts(tmp_path: Path) -> None:
    """The warehouse resource puts Arrow's buffers on the heap when a run starts; pyarrow's default pool
    (mimalloc, set again here) would keep what Arrow frees."""
    pa.set_memory_pool(pa.mimalloc_memory_pool())
    warehouse = WarehouseResource(database=str(tmp_path / "w.duckdb"))
    warehouse.setup_for_execution(dg.build_init_resource_context())
    buffers = [pa.allocate_buffer(64 * 1024) for _ in range(3_000)]  # about 190 MB, as above
    for buffer in buffers:
        np.frombuffer(buffer, dtype=np.uint8)[:] = 1  # touched: resident
    del buffers[:-1]
    before = _resident()
    release_freed_memory()
    assert before - _resident() > 100 * 1024**2


def _resident() -> int:
    """Resident memory of this process, in bytes (Linux)."""
    return int(Path("/proc/self/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE")
