"""Hand the GIL over sooner while a thread running C code (DuckDB, Arrow) works beside one running Python.

A thread coming back from C code to Python waits for the GIL until the thread holding it is asked to let go,
which Python does after its switch interval: 5 ms by default. DuckDB hands over a result one vector at a
time, each time needing the GIL for a moment, so beside a thread that holds the GIL (the bulk reader of
the hojas de vida) it waits up to 5 ms per vector instead of the microseconds its work takes. Measured:
inserting 300,000 staged rows beside a busy Python thread took 0.63-0.67 s at 5 ms and 0.42-0.43 s at 1 ms
(0.37-0.40 s with no other thread), the busy thread doing as much work per second either way.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager

# Python's switch interval while C code works on a thread beside Python code (seconds).
HANDOFF_INTERVAL = 0.001

_lock = threading.Lock()
_users = 0
_before = 0.0


@contextmanager
def quick_handoff(interval: float = HANDOFF_INTERVAL) -> Iterator[None]:
    """Python's switch interval at most `interval` inside the block, restored when the last block that
    lowered it ends (the interval is the interpreter's, so overlapping blocks share one setting). An interval
    already shorter is kept."""
    global _users, _before
    with _lock:
        if _users == 0:
            _before = sys.getswitchinterval()
            sys.setswitchinterval(min(interval, _before))
        _users += 1
    try:
        yield
    finally:
        with _lock:
            _users -= 1
            if _users == 0:
                sys.setswitchinterval(_before)
