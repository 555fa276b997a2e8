"""The build's worker processes: parsing and SHACL validation on every core.

Workers are started by a fork server (``multiprocessing``'s ``forkserver``), never forked
from the build itself: the build holds a pyoxigraph store and its threads, which a forked
child must not inherit. The fork server imports the parsing and validation modules once,
so a worker starts in a fraction of a second. Small inputs are handled in the build's own
process (``in_process``): starting workers costs more than it saves below a few MB.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from contextlib import contextmanager
from typing import Any, TypeVar

T = TypeVar("T")

#: Inputs below this many bytes are parsed and validated in the build's process.
IN_PROCESS_BYTES = 4 * 1024 * 1024
#: Modules the fork server imports before it forks workers.
PRELOAD = ["publisher.build.parsed", "publisher.build.validation"]


def worker_count() -> int:
    """One worker per core the build may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


class InProcess(Executor):
    """An ``Executor`` that runs each call at once, in this process."""

    def submit(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> Future[T]:
        future: Future[T] = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as error:  # handed to whoever reads the result
            future.set_exception(error)
        return future


class Lazy(Executor):
    """Worker processes started on the first call: a rebuild that finds everything in its
    cache starts none (the fork server's imports alone take seconds)."""

    def __init__(self) -> None:
        self.pool: ProcessPoolExecutor | None = None

    def submit(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> Future[T]:
        if self.pool is None:
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload(PRELOAD)
            self.pool = ProcessPoolExecutor(max_workers=worker_count(), mp_context=context)
        return self.pool.submit(fn, *args, **kwargs)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=wait, cancel_futures=cancel_futures)


@contextmanager
def worker_pool(input_bytes: int) -> Iterator[Executor]:
    """Worker processes for an input of ``input_bytes``, or this process for a small one."""
    if input_bytes < IN_PROCESS_BYTES or worker_count() == 1:
        yield InProcess()
        return
    with Lazy() as pool:
        yield pool


def ordered(futures: Iterable[Future[T]]) -> Iterator[T]:
    """Results in submission order (the first error in input order is the one reported)."""
    for future in futures:
        yield future.result()
