"""Rendered documents kept by their validator: a release never changes under a server.

A document's bytes depend only on what its strong ``ETag`` hashes (the release id, the IRI,
the format, the page, the public base, for HTML the reader's languages, for JSON-LD the
``@context`` URL), so the ETag is a complete key: whoever asks again for the same
representation gets the same bytes without describing or rendering anything. Rendering is
what bounds a document's throughput (a person's HTML page is ~100 times the cost of sending
it), and the same documents are asked for again and again (links, crawlers, caches).

The cache is bounded in bytes and forgets the least recently used first, so invented
variants (a random ``Accept-Language``, an invented ``Host``) cost a rendering each and
can only push other documents out, never grow the memory.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass


@dataclass(frozen=True)
class Rendered:
    """One representation as sent: its bytes, and how many pages of incoming links the
    resource has (the ``Link`` headers name them)."""

    body: bytes
    pages: int


class DocumentCache:
    """At most ``max_bytes`` of rendered documents, least recently used out first."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._entries: OrderedDict[str, Rendered] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, key: str) -> Rendered | None:
        with self._lock:
            found = self._entries.get(key)
            if found is None:
                self.misses += 1
                return None
            self._entries.move_to_end(key)
            self.hits += 1
            return found

    def put(self, key: str, rendered: Rendered) -> None:
        """Keep ``rendered`` unless it alone would take more than a quarter of the cache."""
        size = len(rendered.body)
        if size > self.max_bytes // 4:
            return
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self._bytes -= len(old.body)
            self._entries[key] = rendered
            self._bytes += size
            while self._bytes > self.max_bytes:
                _, dropped = self._entries.popitem(last=False)
                self._bytes -= len(dropped.body)

    @property
    def size(self) -> int:
        """Bytes kept."""
        with self._lock:
            return self._bytes

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)
