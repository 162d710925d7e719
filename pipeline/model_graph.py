"""Build models side by side in dependency order, as dbt does with `threads` (issue 6).

A model starts once every model it reads is built, on a cursor of its own (DuckDB runs the queries of one
process concurrently, each in its own transaction). Most models hold a row group or two, too few for DuckDB
to spread one query over the cores, so two at a time take about two thirds of the time of one after another
(the 18 models at 150,000 candidates: 1.1-1.2 s of SQL instead of 1.7 s on 2 cores).

Of the models ready to start, the one heading the longest chain of models that wait on each other starts
first, as list schedulers do with the critical path: a thread left idle at the end waits on that chain.
"""

from __future__ import annotations

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
    yielded, then the first error is raised. Models ready together start longest chain first (`_chains`),
    then in the order of `reads`."""
    inside = {name: [r for r in inputs if r in reads] for name, inputs in reads.items()}
    graph = TopologicalSorter(inside)
    graph.prepare()  # raises graphlib.CycleError on a cycle
    chain = _chains(inside)
    order = {name: n for n, name in enumerate(reads)}
    threads = max(1, threads)
    failure: BaseException | None = None
    ready: list[str] = []
    with thread_cursors(conn) as cursor:

        def run(name: str) -> T:
            return build(cursor(), name)

        with ThreadPoolExecutor(threads, thread_name_prefix="sql-model") as pool:
            running: dict[Future[T], str] = {}
            while True:
                ready.extend(graph.get_ready())
                ready.sort(key=lambda name: (-chain[name], order[name]))
                while failure is None and ready and len(running) < threads:
                    name = ready.pop(0)
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


def _chains(reads: Mapping[str, list[str]]) -> dict[str, int]:
    """For each model, how many models the longest chain it heads holds: itself and, one after the other,
    models that read the one before (a model read by no other model: 1)."""
    readers: dict[str, list[str]] = {name: [] for name in reads}
    for name, inputs in reads.items():
        for read in inputs:
            readers[read].append(name)
    chain: dict[str, int] = {}
    for name in reversed(list(TopologicalSorter(reads).static_order())):
        chain[name] = 1 + max((chain[reader] for reader in readers[name]), default=0)
    return chain
