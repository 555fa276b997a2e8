"""What each client address holds: open connections and SPARQL queries in flight.

The per-address rules (``max_client_connections``, ``per_client_queries``) count per
address across the whole server. One server process keeps the counts in a dictionary
(``AddressCounts``); several (``serve --processes N``) share one table in shared memory
(``SharedAddressCounts``), so an address that opens its connections to different processes
still meets one cap and one query limit: the kernel hands each new connection to whichever
process accepts first, and an address's connections would otherwise be counted apart.

Each operation checks and counts under one lock, so two processes accepting connections from
the same address at the same moment cannot both slip under the cap.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import threading
from collections import Counter
from multiprocessing.context import SpawnContext
from typing import Any

CONNECTIONS, QUERIES = 0, 1


class AddressCounts:
    """Per-address counts kept by one process (thread-safe)."""

    def __init__(self) -> None:
        self._counts: tuple[Counter[str], Counter[str]] = (Counter(), Counter())
        self._lock = threading.Lock()

    def take(self, kind: int, address: str, cap: int | None) -> bool:
        """Count one more ``kind`` for ``address`` unless it already has ``cap`` (None:
        no cap); whether it was counted."""
        with self._lock:
            counts = self._counts[kind]
            if cap is not None and counts[address] >= cap:
                return False
            counts[address] += 1
            return True

    def give_back(self, kind: int, address: str) -> None:
        with self._lock:
            counts = self._counts[kind]
            counts[address] -= 1
            if counts[address] <= 0:
                del counts[address]

    def count(self, kind: int, address: str) -> int:
        with self._lock:
            return self._counts[kind][address]


class SharedAddressCounts(AddressCounts):
    """The same counts in shared memory, for every server process of one supervisor.

    An open-addressing table of ``slots`` rows (address hash, connections, queries). A row
    whose counts fall to zero keeps its hash and is reused by the next new address that
    passes it, so no lookup chain is ever broken and nothing needs deleting. Every live row
    holds at least one open connection, so a table of twice the connections all processes
    may keep never fills; if it ever did, the address would go uncounted (and unlimited by
    these rules) rather than be refused.
    """

    def __init__(self, slots: int, ctx: SpawnContext | None = None) -> None:
        size = 1 << max(4, (slots - 1).bit_length())  # a power of two
        context = ctx or multiprocessing.get_context("spawn")
        self._table: Any = context.Array("q", 3 * size, lock=False)
        self._shared_lock: Any = context.Lock()
        self._mask = size - 1

    def __getstate__(self) -> dict[str, Any]:  # sent to each server process it spawns
        return {"_table": self._table, "_shared_lock": self._shared_lock, "_mask": self._mask}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)

    @staticmethod
    def _key(address: str) -> int:
        digest = hashlib.blake2b(address.encode(), digest_size=8).digest()
        return int.from_bytes(digest, "little", signed=True) or 1  # 0 marks an empty row

    def _row(self, address: str, *, create: bool) -> int | None:
        """The row of ``address`` (made from a free one if ``create``); lock held."""
        key, table, mask = self._key(address), self._table, self._mask
        free: int | None = None  # the first row with no counts, reusable
        empty: int | None = None  # the never-used row that ends the chain
        slot = key & mask
        for _ in range(mask + 1):
            stored = table[3 * slot]
            if stored == key:
                return slot
            if stored == 0:
                empty = slot
                break
            if free is None and table[3 * slot + 1] == 0 and table[3 * slot + 2] == 0:
                free = slot
            slot = (slot + 1) & mask
        chosen = free if free is not None else empty  # both None: a full table
        if create and chosen is not None:
            table[3 * chosen] = key
            return chosen
        return None

    def take(self, kind: int, address: str, cap: int | None) -> bool:
        with self._shared_lock:
            row = self._row(address, create=True)
            if row is None:
                return True
            cell = 3 * row + 1 + kind
            if cap is not None and self._table[cell] >= cap:
                return False
            self._table[cell] += 1
            return True

    def give_back(self, kind: int, address: str) -> None:
        with self._shared_lock:
            row = self._row(address, create=False)
            if row is not None and self._table[3 * row + 1 + kind] > 0:
                self._table[3 * row + 1 + kind] -= 1

    def count(self, kind: int, address: str) -> int:
        with self._shared_lock:
            row = self._row(address, create=False)
            return 0 if row is None else int(self._table[3 * row + 1 + kind])
