"""Build models side by side in dependency order, as dbt does with `threads` (issue 6).

A model starts once every model it reads is built, on a cursor of its own (DuckDB runs the queries of one
process concurrently, each in its own transaction). Most models hold a row group or two, too few for DuckDB
to spread one query over the cores, so two at a time take about two thirds of the time of one after another
(the 18 models at 150,000 candidates: 1.1-1.2 s of SQL instead of 1.7 s on 2 cores).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from graphlib import TopologicalSorter
from typing import TypeVar

import duckdb

from pipeline.warehouse import thread_cursors

T = TypeVar("T")


def build_in_order(
    conn: duckdb.DuckDBPyConnection,
    reads: Mapping[str, Iterable[str]],
    build: Callable[[duckdb.DuckDBPyConnection, str], T],
    threads: int,
) -> Iterator[T]:
    """Run `build(cursor, name)` for every model of `reads` (model -> what it reads; what is not a key there
    counts as built), at most `threads` at a time, each once the models it reads are built, and yield each
    result in the caller's thread as it comes. When one fails, no other starts: those running finish and are
    yielded, then the first error is raised."""
    graph = TopologicalSorter({name: [r for r in inputs if r in reads] for name, inputs in reads.items()})
    graph.prepare()  # raises graphlib.CycleError on a cycle
    threads = max(1, threads)
    failure: BaseException | None = None
    ready: deque[str] = deque()
    with thread_cursors(conn) as cursor:

        def run(name: str) -> T:
            return build(cursor(), name)

        with ThreadPoolExecutor(threads, thread_name_prefix="sql-model") as pool:
            running: dict[Future[T], str] = {}
            while True:
                ready.extend(graph.get_ready())
                while failure is None and ready and len(running) < threads:
                    name = ready.popleft()
                    running[pool.submit(run, name)] = name
                if not running:
                    break
                done, _ = wait(running, return_when=FIRST_COMPLETED)
                for future in done:
                    name = running.pop(future)
                    if future.exception() is not None:
                        failure = failure or future.exception()
                        continue
                    graph.done(name)
                    yield future.result()
    if failure is not None:
        raise failure
