"""Label search: find resources by any of their labels, in any language and script.

The index is built once per release, when the app starts, by streaming the store's label
quads (every naming predicate of ``labels.py``); a query never scans the store.
Labels are normalised (NFKD, case-folded, combining marks removed) so that "putin",
"Путин", "PUTIN" and "Pjöngjang"/"pjongjang" match, and split into tokens; a query matches
a label when each of its tokens is a prefix of one of the label's tokens. Han, kana and
Hangul characters are indexed one per token, because those scripts do not separate words
with spaces ("金正恩" then matches "金正恩" and "正恩").

Memory is one small tuple per label plus a token → label-ids table, so millions of triples
with a few hundred thousand labels fit comfortably; the sorted token list makes prefix
lookups a binary search.
"""

from __future__ import annotations

import bisect
import re
import threading
import time
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import NamedTuple

import pyoxigraph as ox

from publisher.release.store import Store
from publisher.web.errors import ServiceUnavailable
from publisher.web.labels import ALTERNATIVE, PREFERRED

# Characters of scripts written without spaces between words: each is a token of its own.
_UNSPACED = re.compile(
    r"[\u1100-\u11ff\u3040-\u30ff\u3130-\u318f\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af"
    r"\uf900-\ufaff]"
)
_WORD = re.compile(r"[^\W_]+")  # letters and digits of any script
# Labels a query's rarest word may select; a one-letter query stays cheap, at the cost of
# missing some matches when every word of the query is very common.
MAX_CANDIDATES = 5000


def normalise(text: str) -> str:
    """Fold case and strip accents, so that matching ignores both in every script."""
    if text.isascii():  # most labels: nothing to decompose
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return unicodedata.normalize("NFC", decomposed.translate(_MARKS))


class _CombiningMarks(dict[int, int | None]):
    """A ``str.translate`` table that deletes combining marks, filled in as they appear
    (so each distinct character is looked up in ``unicodedata`` once, then in C)."""

    def __missing__(self, code: int) -> int | None:
        value = None if unicodedata.combining(chr(code)) else code
        self[code] = value
        return value


_MARKS = _CombiningMarks()


def tokens(text: str) -> list[str]:
    """Split normalised text into word tokens; unspaced-script characters stand alone."""
    return _split(normalise(text))


def _split(norm: str) -> list[str]:
    if not norm.isascii():
        norm = _UNSPACED.sub(lambda m: f" {m.group(0)} ", norm)
    return _WORD.findall(norm)


@dataclass(frozen=True)
class Hit:
    """One resource a query found, with the label that matched best."""

    iri: str
    label: str
    language: str
    score: int


class _Entry(NamedTuple):
    """One label of one resource (a tuple: there may be millions)."""

    resource: int
    label: str
    language: str
    norm: str
    words: tuple[str, ...]
    preferred: bool  # rdfs:label / skos:prefLabel rather than skos:altLabel


# Among equally good label matches, things people look for (a person, a state, an event)
# come before the records that mention them (a participation, a position holding).
KIND_WEIGHTS: dict[str, int] = {
    "person": 12,
    "state": 12,
    "org": 10,
    "event": 10,
    "place": 10,
    "agreement": 8,
    "delegation": 6,
    "source": 4,
    "claim": 0,
    "concept": 0,
    "position": -6,
    "participation": -8,
}


def weight_by_kind(base: str) -> Callable[[str], int]:
    """Rank IRIs ``{base}id/{kind}/…`` by kind (DESIGN.md §3); anything else weighs 0."""
    prefix = base + "id/"

    def weight(iri: str) -> int:
        if not iri.startswith(prefix):
            return 0
        return KIND_WEIGHTS.get(iri[len(prefix) :].split("/", 1)[0], 0)

    return weight


class LabelIndex:
    """Normalised label tokens → labels → resources, for search and "did you mean"."""

    def __init__(self, weight: Callable[[str], int] | None = None) -> None:
        self._weight = weight or (lambda iri: 0)
        self._weights: list[int] = []
        self._resources: list[str] = []
        self._resource_ids: dict[str, int] = {}
        self._entries: list[_Entry] = []
        self._postings: dict[str, list[int]] = defaultdict(list)
        self._sorted_tokens: list[str] = []
        self.build_seconds = 0.0

    @classmethod
    def from_store(
        cls,
        store: Store,
        exclude_graphs: Iterable[str] = (),
        weight: Callable[[str], int] | None = None,
    ) -> LabelIndex:
        """Index every label of every IRI-named resource, except those in ``exclude_graphs``."""
        started = time.perf_counter()
        index = cls(weight)
        excluded = set(exclude_graphs)
        seen: set[tuple[str, str, str]] = set()
        for predicate in (*PREFERRED, ALTERNATIVE):
            for quad in store.quads(None, predicate, None, None):
                subject, label = quad.subject, quad.object
                if not isinstance(subject, ox.NamedNode) or not isinstance(label, ox.Literal):
                    continue
                if isinstance(quad.graph_name, ox.NamedNode) and (
                    quad.graph_name.value in excluded
                ):
                    continue
                key = (subject.value, label.value, label.language or "")
                if key in seen:
                    continue
                seen.add(key)
                index.add(
                    subject.value,
                    label.value,
                    label.language or "",
                    preferred=predicate != ALTERNATIVE,
                )
        index.finish()
        index.build_seconds = time.perf_counter() - started
        return index

    def add(self, iri: str, label: str, language: str = "", *, preferred: bool = True) -> None:
        resource = self._resource_ids.get(iri)
        if resource is None:
            resource = self._resource_ids[iri] = len(self._resources)
            self._resources.append(iri)
            self._weights.append(self._weight(iri))
        entry_id = len(self._entries)
        norm = normalise(label)
        words = tuple(_split(norm))
        self._entries.append(_Entry(resource, label, language, norm, words, preferred))
        postings = self._postings
        for token in set(words):
            postings[token].append(entry_id)

    def finish(self) -> None:
        """Sort the token table; call once after the last ``add``."""
        self._sorted_tokens = sorted(self._postings)

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def resource_count(self) -> int:
        return len(self._resources)

    def _prefixed(self, token: str) -> set[int]:
        """Label ids having a token that starts with ``token``."""
        found: set[int] = set()
        position = bisect.bisect_left(self._sorted_tokens, token)
        while position < len(self._sorted_tokens) and len(found) < MAX_CANDIDATES:
            candidate = self._sorted_tokens[position]
            if not candidate.startswith(token):
                break
            postings = self._postings[candidate]
            found.update(postings[: MAX_CANDIDATES - len(found)])
            position += 1
        return found

    def _frequency(self, token: str) -> int:
        """How many labels have a word starting with ``token`` (counted up to the cap)."""
        count = 0
        position = bisect.bisect_left(self._sorted_tokens, token)
        while position < len(self._sorted_tokens) and count <= MAX_CANDIDATES:
            candidate = self._sorted_tokens[position]
            if not candidate.startswith(token):
                break
            count += len(self._postings[candidate])
            position += 1
        return count

    def search(self, query: str, limit: int = 20) -> list[Hit]:
        """Resources whose labels contain every query token (as a word prefix), best first."""
        query_tokens = sorted(set(tokens(query)), key=len, reverse=True)
        if not query_tokens:
            return []
        rarest = min(query_tokens, key=self._frequency)
        candidates = self._prefixed(rarest)
        rest = [t for t in query_tokens if t != rarest]
        if rest:
            candidates = {
                entry_id
                for entry_id in candidates
                if _has_prefixes(self._entries[entry_id].words, rest)
            }
        norm = normalise(query).strip()
        return self._rank(candidates, lambda _, entry: _score(entry, norm, query_tokens), limit)

    def similar(self, text: str, limit: int = 5) -> list[Hit]:
        """Resources sharing the most words with ``text`` (a slug or a failed query)."""
        words = [t for t in tokens(text.replace("-", " ")) if len(t) > 1 or _UNSPACED.match(t)]
        counts: dict[int, int] = defaultdict(int)
        for word in set(words):
            for entry_id in self._prefixed(word):
                counts[entry_id] += 1
        return self._rank(counts, lambda entry_id, _: 100 * counts[entry_id], limit)

    def _rank(
        self, entry_ids: Iterable[int], score: Callable[[int, _Entry], int], limit: int
    ) -> list[Hit]:
        """The best-scoring label per resource; ties go to shorter, then preferred labels."""
        best: dict[int, tuple[int, int, str, _Entry]] = {}
        for entry_id in entry_ids:
            entry = self._entries[entry_id]
            points = score(entry_id, entry) + (5 if entry.preferred else 0)
            points += self._weights[entry.resource]
            key = (-points, len(entry.label), entry.label, entry)
            current = best.get(entry.resource)
            if current is None or key[:3] < current[:3]:
                best[entry.resource] = key
        ranked = sorted(best.values(), key=lambda k: k[:3])[:limit]
        return [Hit(self._resources[e.resource], e.label, e.language, -p) for p, _, _, e in ranked]


def _has_prefixes(words: tuple[str, ...], wanted: list[str]) -> bool:
    return all(any(word.startswith(token) for word in words) for token in wanted)


def _score(entry: _Entry, norm: str, query_tokens: list[str]) -> int:
    """Exact label beats label prefix beats whole-word match beats word-prefix match."""
    if entry.norm == norm:
        return 100
    if entry.norm.startswith(norm):
        return 80
    words = entry.words
    whole = sum(1 for t in query_tokens if t in words)
    covered = sum(1 for w in words if any(w.startswith(t) for t in query_tokens))
    return 40 + 10 * whole + (20 * covered) // max(len(words), 1)


#: Seconds a search waits for the index being built before it answers 503.
INDEX_WAIT_SECONDS = 30.0


class SearchIndex:
    """The app's label index, built in the background so that the server answers at once;
    a search that arrives before it is ready waits for it, then gets 503 with Retry-After."""

    def __init__(self) -> None:
        self.ready = threading.Event()
        self.index: LabelIndex | None = None

    def build(
        self, store: Store, exclude_graphs: Iterable[str], weight: Callable[[str], int]
    ) -> LabelIndex:
        try:
            self.index = LabelIndex.from_store(store, exclude_graphs=exclude_graphs, weight=weight)
            return self.index
        finally:
            self.ready.set()

    def get(self, timeout: float = INDEX_WAIT_SECONDS) -> LabelIndex:
        if not self.ready.wait(timeout) or self.index is None:
            raise ServiceUnavailable(
                "The search index is still being built; try again in a few seconds.",
                headers={"Retry-After": "5"},
            )
        return self.index

    def get_or_none(self, timeout: float) -> LabelIndex | None:
        """The index if it is ready within ``timeout`` seconds (for "did you mean" hints)."""
        return self.index if self.ready.wait(timeout) else None
