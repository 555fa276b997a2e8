"""What the ontology allows: the words of each vocabulary field, from the SKOS schemes and the
class tree, so that an unknown word is reported with the words that would do.

Read from the build's own ``ontology/`` (and, for the claim stances and hedges the shapes
accept, its ``shapes/``), never from a copy: a vocabulary that grows is known at once.
"""

from __future__ import annotations

import difflib
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pyoxigraph as ox

from publisher.build.authoring.terms import DIP, ID, OWL, RDF, RDFS, SCHEMES, SKOS
from publisher.build.inputs import parse_quads

SH = "http://www.w3.org/ns/shacl#"
Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple
#: Classes each section's ``type`` may name: a root class and everything under it.
CLASS_ROOTS = {
    "class:events": ("Event",),
    "class:entities": ("Agent", "Place"),
    "class:documents": ("SourceDocument",),
    "class:agreements": ("Agreement",),
}
#: Fields whose words the shapes narrow down (``sh:in`` on the property they fill).
SHAPED = {"stance": DIP + "sourceStance", "hedge": DIP + "claimantHedge"}
#: Field names as a curator reads them in a message.
FIELD_NAMES = {
    "role": "role",
    "cameo": "CAMEO code",
    "stance": "stance",
    "hedge": "hedge",
    "counted": "counted",
    "obligation": "obligation",
    "position-type": "position type",
    "transport": "transport mode",
    "class:events": "event type",
    "class:entities": "entity type",
    "class:documents": "document type",
    "class:agreements": "agreement type",
}


@dataclass(frozen=True)
class Vocabulary:
    """Each field's allowed words (slug or class name) with their English labels."""

    words: dict[str, dict[str, str]]

    def word(self, field: str, term: ox.NamedNode) -> str:
        if field.startswith("class:"):
            return term.value.removeprefix(DIP)
        return term.value.rsplit("/", 1)[1]

    def problem(self, field: str, term: ox.NamedNode) -> str | None:
        """Why ``term`` is not allowed in ``field`` (listing what is), or None if it is."""
        allowed = self.words.get(field, {})
        word = self.word(field, term)
        if word in allowed:
            return None
        close = difflib.get_close_matches(word, list(allowed), n=1, cutoff=0.6)
        guess = f" (did you mean {close[0]}?)" if close else ""
        listed = ", ".join(
            f"{w} ({label})" if field == "cameo" else w for w, label in allowed.items()
        )
        source = "the ontology" if field.startswith("class:") else "its vocabulary in ontology/"
        return (
            f"unknown {FIELD_NAMES.get(field, field)} {word!r}{guess}: use one of {listed} "
            f"(from {source}; a new word is added there first)"
        )


def load_vocabulary(ontology: Sequence[Path], shapes: Sequence[Path] = ()) -> Vocabulary:
    stamps = tuple((p.resolve(), p.stat().st_mtime_ns) for p in (*ontology, *shapes))
    return _load(stamps, len(ontology))


@lru_cache(maxsize=8)
def _load(stamps: tuple[tuple[Path, int], ...], ontology_count: int) -> Vocabulary:
    ontology = [q for path, _ in stamps[:ontology_count] for q in parse_quads(path)]
    shapes = [q for path, _ in stamps[ontology_count:] for q in parse_quads(path)]
    objects: dict[tuple[str, str], list[Term]] = defaultdict(list)
    subjects: dict[tuple[str, str], list[str]] = defaultdict(list)
    for q in ontology:
        objects[(_text(q.subject), q.predicate.value)].append(q.object)
        subjects[(q.predicate.value, _text(q.object))].append(_text(q.subject))

    def english(node: str, predicate: str) -> str:
        for value in objects[(node, predicate)]:
            if isinstance(value, ox.Literal) and value.language == "en":
                return value.value
        return ""

    def deprecated(node: str) -> bool:
        return any(_text(v) == "true" for v in objects[(node, OWL + "deprecated")])

    words: dict[str, dict[str, str]] = {}
    for field, scheme in SCHEMES.items():
        members = subjects[(SKOS + "inScheme", f"{ID}scheme/{scheme}")]
        words[field] = {
            m.rsplit("/", 1)[1]: english(m, SKOS + "prefLabel")
            for m in sorted(members)
            if not deprecated(m)
        }
    for field, path in SHAPED.items():
        listed = _shape_in(shapes, path)
        if listed:
            words[field] = {w: label for w, label in words[field].items() if w in listed}
    for field, roots in CLASS_ROOTS.items():
        found: dict[str, str] = {}
        todo = [DIP + r for r in roots]
        while todo:
            cls = todo.pop(0)
            if cls.startswith(DIP) and cls.removeprefix(DIP) not in found:
                found[cls.removeprefix(DIP)] = english(cls, RDFS + "label")
                todo.extend(sorted(subjects[(RDFS + "subClassOf", cls)]))
        words[field] = found
    return Vocabulary(words)


def _text(term: Term) -> str:
    return "" if isinstance(term, ox.Triple) else term.value


def _shape_in(shapes: list[ox.Quad], path: str) -> set[str]:
    """The slugs of the ``sh:in`` list of the property shapes on ``path``."""
    objects: dict[tuple[str, str], list[Term]] = defaultdict(list)
    for q in shapes:
        objects[(_text(q.subject), q.predicate.value)].append(q.object)
    listed: set[str] = set()
    for q in shapes:
        if q.predicate.value == SH + "path" and _text(q.object) == path:
            for head in objects[(_text(q.subject), SH + "in")]:
                node = head
                while _text(node) != RDF + "nil":
                    first = objects[(_text(node), RDF + "first")]
                    listed.update(_text(f).rsplit("/", 1)[-1] for f in first)
                    rest = objects[(_text(node), RDF + "rest")]
                    if not rest:
                        break
                    node = rest[0]
    return listed


if __name__ == "__main__":  # python -m publisher.build.authoring.vocabulary: refresh the schema
    from publisher.build.authoring.schema import SCHEMA_PATH, schema_text, with_vocabulary
    from publisher.build.inputs import rdf_files
    from publisher.config import PROJECT_ROOT

    found = load_vocabulary(
        rdf_files(PROJECT_ROOT / "ontology"), rdf_files(PROJECT_ROOT / "shapes")
    )
    SCHEMA_PATH.write_text(schema_text(with_vocabulary(found.words)), encoding="utf-8")
    print(f"wrote {SCHEMA_PATH} with the vocabularies of ontology/")
