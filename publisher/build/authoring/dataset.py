"""The dataset a new source joins: what the other data files describe and how they name it.

A file is checked against this context rather than alone: ``person:kim-jong-un`` is typed and
labelled in ``data/reference.trig``, so a new source that names him is not told to type him,
and a new ``person:kim-jong-eun`` spelt almost as he is is reported as a possible duplicate.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from pathlib import Path

import pyoxigraph as ox

from publisher.build.authoring.terms import ID, RDF, RDFS, SKOS
from publisher.build.inputs import parse_quads

#: Names this similar (difflib's ratio over letters and digits, case and accents ignored)
#: are reported as possibly the same thing: "Kim Jong Un" / "Kim Jong-eun" is 0.95.
SIMILAR = 0.88
#: A name word shared by more things than this says nothing about identity ("the", "of").
COMMON_TOKEN = 200


@dataclass
class Dataset:
    """Subjects, types and names of the context files, each with the files that state them."""

    files: tuple[Path, ...] = ()
    quads: dict[Path, list[ox.Quad]] = field(default_factory=dict)
    described: dict[str, list[Path]] = field(default_factory=lambda: defaultdict(list))
    types: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    labels: dict[str, list[tuple[str, Path]]] = field(default_factory=lambda: defaultdict(list))
    names: dict[str, list[tuple[str, Path]]] = field(default_factory=lambda: defaultdict(list))
    graphs: dict[str, Path] = field(default_factory=dict)
    #: Normalised name token → IRIs bearing it: candidates for the duplicate check.
    tokens: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))

    @classmethod
    def read(cls, paths: Sequence[Path]) -> Dataset:
        dataset = cls(files=tuple(paths))
        for path in paths:
            dataset.add(path, parse_quads(path))
        return dataset

    def add(self, path: Path, quads: list[ox.Quad]) -> None:
        self.quads[path] = quads
        for q in quads:
            if isinstance(q.graph_name, ox.NamedNode):
                self.graphs.setdefault(q.graph_name.value, path)
            if not isinstance(q.subject, ox.NamedNode):
                continue
            subject = q.subject.value
            if path not in self.described[subject]:
                self.described[subject].append(path)
            predicate = q.predicate.value
            if predicate == RDF + "type" and isinstance(q.object, ox.NamedNode):
                self.types[subject].add(q.object.value)
            elif predicate in (RDFS + "label", SKOS + "altLabel") and isinstance(
                q.object, ox.Literal
            ):
                name = q.object.value
                if predicate == RDFS + "label" and q.object.language == "en":
                    self.labels[subject].append((name, path))
                self.names[subject].append((name, path))
                for token in normalise(name).split():
                    self.tokens[token].add(subject)

    def without(self, paths: Iterable[Path]) -> Dataset:
        """The same context less some files (a source checked against the rest)."""
        dropped = {p.resolve() for p in paths}
        rest = Dataset(files=tuple(p for p in self.files if p.resolve() not in dropped))
        for path in rest.files:
            rest.add(path, self.quads[path])
        return rest

    def others(self, path: Path) -> DatasetView:
        """The dataset as one of its own files sees it: every other file (no copy)."""
        return DatasetView(self, path)

    def describes(self, iri: str) -> bool:
        return iri in self.described

    def english_labels(self, iri: str) -> list[tuple[str, Path]]:
        return self.labels.get(iri, [])

    def similar(self, iri: str, name: str) -> list[tuple[str, str, Path]]:
        """Things of the same kind as ``iri`` with a name like ``name``: (IRI, name, file)."""
        return self._similar(iri, name, None)

    def known(self, kind: str) -> list[str]:
        """The IRIs of one kind the dataset describes."""
        return [s for s in self.described if _kind(s) == kind]

    def _similar(self, iri: str, name: str, skip: Path | None) -> list[tuple[str, str, Path]]:
        key = normalise(name)
        kind = _kind(iri)
        candidates: set[str] = set()
        for token in key.split():
            bearers = self.tokens.get(token, set())
            if len(bearers) <= COMMON_TOKEN:  # "the", "of", "person": no evidence of identity
                candidates |= bearers
        found = []
        for other in sorted(candidates):
            if other == iri or _kind(other) != kind:
                continue
            for other_name, path in self.names[other]:
                if path != skip and similar(key, normalise(other_name)):
                    found.append((other, other_name, path))
                    break
        return found


@dataclass(frozen=True)
class DatasetView:
    """A ``Dataset`` less one file, for checking that file against the rest."""

    dataset: Dataset
    path: Path

    @property
    def files(self) -> tuple[Path, ...]:
        return tuple(p for p in self.dataset.files if p != self.path)

    def describes(self, iri: str) -> bool:
        return any(p != self.path for p in self.dataset.described.get(iri, ()))

    def english_labels(self, iri: str) -> list[tuple[str, Path]]:
        return [(n, p) for n, p in self.dataset.labels.get(iri, []) if p != self.path]

    def similar(self, iri: str, name: str) -> list[tuple[str, str, Path]]:
        return self.dataset._similar(iri, name, self.path)

    def known(self, kind: str) -> list[str]:
        return [s for s in self.dataset.known(kind) if self.describes(s)]


def normalise(name: str) -> str:
    """Lowercase words of letters and digits, accents and punctuation dropped."""
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    kept = "".join(c if c.isalnum() else " " for c in decomposed if not unicodedata.combining(c))
    return " ".join(kept.split())


def similar(a: str, b: str) -> bool:
    """Normalised names that may name the same thing: equal letters, the same words in
    another order, or close enough (``SIMILAR``) with the same numbers ("Unit 731" and
    "Unit 732" are two things)."""
    if re.findall(r"[0-9]+", a) != re.findall(r"[0-9]+", b):
        return False
    joined_a, joined_b = a.replace(" ", ""), b.replace(" ", "")
    if joined_a == joined_b or sorted(a.split()) == sorted(b.split()):
        return True
    if min(len(joined_a), len(joined_b)) < 6:
        return False
    return SequenceMatcher(None, joined_a, joined_b).ratio() >= SIMILAR


def _kind(iri: str) -> str | None:
    return iri[len(ID) :].split("/", 1)[0] if iri.startswith(ID) else None
