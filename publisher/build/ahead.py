"""Work that runs on the second core while the next steps go on: reads of the store, HermiT.

pyoxigraph releases the interpreter lock while it evaluates a query, and a query reads a
snapshot of the store taken when it starts (an update made meanwhile is not seen). So a
count or a table made from the store in a thread overlaps the steps that follow it: the
distinct triples validated (3 s at a million quads) are counted while HermiT runs, and the
union's counts, the VoID statistics and the tables' rows (on a rebuild most of the time
left) take turns with the dumps on the two cores. HermiT itself, a JVM in its own process
(seconds, most of it starting), runs beside every later step; its verdict is taken last.

What a read sees: its queries see the store as it is when each begins (pyoxigraph result
iterators cannot be handed between threads, so a query begins in the thread that reads it).
So a read is started once the store holds all it must see, and taken before any step changes
what it reads: the count of validated triples before ``load_sources`` decodes the literals,
the others (``reads.start_reads``, once the inferred graph is made) before
``describe_dataset`` adds the VoID graph.

A step ``start``s a read under a name once the store holds what the read must see; the step
that needs the result ``take``s it (or computes it there, when nothing was started: a step
run on its own, in a test). A read's ``then`` runs in the build's own thread when the read is
taken, or, for work nobody takes (HermiT's verdict), when the last step ``settle``s it
(``pipeline.collect_ahead``), before the release is published. A failed read raises where
it is taken; a failed build ``cancel``s the rest.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")

#: Threads at once: more than the two cores, so that what was started early and still runs
#: (``VALIDATED``, or HermiT, which mostly waits for its JVM) does not hold back the reads
#: started later.
THREADS = 4

#: The reads, by name: who starts each, who takes it.
VALIDATED = "validated triples"  # checks.validate_sources; load.load_sources
CONSISTENCY = "consistency"  # checks.check_consistency (HermiT); pipeline.collect_ahead
PATCHED = "patched store"  # load.start_patching; load.persist_store
COUNTS = "counts"  # reads.start_reads; dumps.write_dumps
STATISTICS = "statistics"  # reads.start_reads; void.describe_dataset
TABLES = "tables"  # reads.start_reads; tables.write_tables


class Ahead:
    """The reads started ahead of the steps that need them (module docstring)."""

    def __init__(self) -> None:
        self._pool: ThreadPoolExecutor | None = None
        self._started: dict[str, tuple[Future[Any], Callable[[Any], None] | None]] = {}

    def start(
        self, name: str, read: Callable[[], T], then: Callable[[T], None] | None = None
    ) -> Future[T]:
        """Run ``read`` in a thread; ``then`` gets its result in the build's thread. The
        future lets another read wait for this one's result."""
        if self._pool is None:
            self._pool = ThreadPoolExecutor(THREADS, thread_name_prefix="diplograph-ahead")
        future = self._pool.submit(read)
        self._started[name] = (future, then)
        return future

    def take(self, name: str, read: Callable[[], T]) -> T:
        """The result of the read started as ``name``, or of ``read`` run now if none was."""
        started = self._started.pop(name, None)
        if started is None:
            return read()
        future, then = started
        result: T = future.result()
        if then is not None:
            then(result)
        return result

    def settle(self) -> None:
        """Wait for the reads nobody took, and hand each result to its ``then``."""
        for name in list(self._started):
            future, then = self._started.pop(name)
            result = future.result()
            if then is not None:
                then(result)
        self.close()

    def cancel(self) -> None:
        """A failed build: drop the reads not yet begun, wait for those running (a thread
        cannot be stopped; each reads an in-memory snapshot and ends by itself)."""
        self._started.clear()
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None
