"""Start-up work off the request path, and values computed once on first use.

A release never changes under a running app, so what is slow to compute from it (the label
index, graph counts, the home page's numbers) is computed once. Start-up work runs in
background threads so the server answers at once; ``/healthz`` names what is still running.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class Background:
    """Named start-up tasks, each on its own daemon thread."""

    def __init__(self, logger: logging.Logger) -> None:
        self._logger = logger
        self._tasks: dict[str, threading.Event] = {}

    def start(self, name: str, work: Callable[[], object]) -> threading.Event:
        """Run ``work`` now, off the request path; the event is set when it has ended."""
        done = self._tasks[name] = threading.Event()

        def run() -> None:
            try:
                work()
            except Exception:  # a failed warm-up must not go unnoticed, nor kill the server
                self._logger.exception("start-up task %s failed", name)
            finally:
                done.set()

        threading.Thread(target=run, name=name, daemon=True).start()
        return done

    def warming(self) -> list[str]:
        """Names of the start-up tasks that have not finished yet."""
        return [name for name, done in self._tasks.items() if not done.is_set()]

    def wait(self, timeout: float) -> bool:
        """Wait until every task has ended; False if some still run after ``timeout`` s."""
        return all(done.wait(timeout) for done in list(self._tasks.values()))


class Once(Generic[T]):
    """A value computed on first use, once, by whichever thread asks first."""

    def __init__(self, compute: Callable[[], T]) -> None:
        self._compute = compute
        self._lock = threading.Lock()
        self._value: T | None = None
        self._done = False

    def get(self) -> T:
        with self._lock:
            if not self._done:
                self._value = self._compute()
                self._done = True
            return self._value  # type: ignore[return-value]  # set above, T may include None

    @property
    def computed(self) -> bool:
        return self._done
