"""The label policy: which predicates name a thing, and which name a reader sees.

One policy for page titles, the labels of linked things, search and the home page: a thing
named only by ``schema:name`` is titled, labelled and found alike. Preferred names come
from ``PREFERRED``; ``skos:altLabel`` gives other names, shown and searched but never
chosen as the title while a preferred one exists.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import pyoxigraph as ox

from publisher.namespaces import DCTERMS, RDFS, SCHEMA, SKOS
from publisher.release.store import Store

#: Predicates whose literals are a thing's preferred names.
PREFERRED: tuple[ox.NamedNode, ...] = tuple(
    ox.NamedNode(str(p)) for p in (SKOS.prefLabel, RDFS.label, SCHEMA.name, DCTERMS.title)
)
#: The predicate of other names ("also known as").
ALTERNATIVE = ox.NamedNode(str(SKOS.altLabel))
#: Every naming predicate, as IRIs (to group a page's name statements).
NAMING_IRIS = frozenset(p.value for p in (*PREFERRED, ALTERNATIVE))


def pick(labels: Iterable[ox.Literal], languages: Sequence[str] = ("en",)) -> ox.Literal | None:
    """The label for a reader of ``languages``: exact tag, then primary subtag, then
    English, then untagged, then whatever there is (first in a stable order)."""
    candidates = sorted(labels, key=lambda lit: (lit.language or "", lit.value))
    for lang in [x.lower() for x in languages if x != "*"] + ["en", ""]:
        for lit in candidates:
            tag = (lit.language or "").lower()
            if tag == lang or (lang and tag.split("-")[0] == lang.split("-")[0]):
                return lit
    return candidates[0] if candidates else None


def best_label(labels: Iterable[ox.Literal], languages: Sequence[str] = ("en",)) -> str | None:
    """The text of ``pick``'s label, or None when there is none."""
    chosen = pick(labels, languages)
    return chosen.value if chosen is not None else None


def fetch_labels(store: Store, iris: Iterable[str]) -> dict[str, list[ox.Literal]]:
    """The preferred names of each IRI, in every language."""
    out: dict[str, list[ox.Literal]] = {}
    for iri in dict.fromkeys(iris):
        found: list[ox.Literal] = []
        for predicate in PREFERRED:
            for quad in store.quads(ox.NamedNode(iri), predicate):
                if isinstance(quad.object, ox.Literal) and quad.object not in found:
                    found.append(quad.object)
        out[iri] = found
    return out


def labelled(
    store: Store, iris: Sequence[str], languages: Sequence[str]
) -> list[tuple[str, str, str]]:
    """Each IRI with its label for ``languages`` (the IRI itself if it has none) and the
    label's language tag."""
    labels = fetch_labels(store, iris)
    out = []
    for iri in iris:
        lit = pick(labels.get(iri, []), languages)
        out.append((iri, lit.value if lit else iri, (lit.language or "") if lit else ""))
    return out
