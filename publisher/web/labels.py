"""The label policy: which predicates name a thing, and which name a reader sees.

One policy for page titles, the labels of linked things, search and the home page: a thing
named only by ``schema:name`` is titled, labelled and found alike. Preferred names come
from ``PREFERRED``; ``skos:altLabel`` gives other names, shown and searched but never
chosen as the title while a preferred one exists.

``NODE_FACTS`` keeps what a page shows of every node it names — its names, its types, and
whether it is deprecated and by what replaced — fetched for many nodes in one store call
(``kept.KeptStatements``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import pyoxigraph as ox

from publisher.namespaces import DCTERMS, OWL, RDFS, SCHEMA, SKOS
from publisher.release.store import Store
from publisher.terms import RDF_TYPE
from publisher.web.kept import KeptStatements, KeptViews

#: Predicates whose literals are a thing's preferred names.
PREFERRED: tuple[ox.NamedNode, ...] = tuple(
    ox.NamedNode(str(p)) for p in (SKOS.prefLabel, RDFS.label, SCHEMA.name, DCTERMS.title)
)
#: The predicate of other names ("also known as").
ALTERNATIVE = ox.NamedNode(str(SKOS.altLabel))
#: Every naming predicate, as IRIs (to group a page's name statements).
NAMING_IRIS = frozenset(p.value for p in (*PREFERRED, ALTERNATIVE))
OWL_DEPRECATED = ox.NamedNode(str(OWL.deprecated))
IS_REPLACED_BY = ox.NamedNode(str(DCTERMS.isReplacedBy))
#: Names, types and deprecation of every node a page names, kept per release.
NODE_FACTS = KeptStatements(
    (*PREFERRED, ALTERNATIVE, RDF_TYPE, OWL_DEPRECATED, IS_REPLACED_BY), 50_000
)


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
    """The preferred names of each IRI, in every language (in ``PREFERRED``'s order)."""
    return {iri: list(names) for iri, names in NODE_NAMES.get(store, iris).items()}


_RANK = {predicate: index for index, predicate in enumerate(PREFERRED)}


def _names_of(quads: tuple[ox.Quad, ...]) -> tuple[ox.Literal, ...]:
    names = sorted((q for q in quads if q.predicate in _RANK), key=lambda q: _RANK[q.predicate])
    return tuple(dict.fromkeys(q.object for q in names if isinstance(q.object, ox.Literal)))


#: Each node's names, sorted out of its kept statements once per release, not per page.
NODE_NAMES = KeptViews(NODE_FACTS, _names_of, 50_000)


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
