"""Materialise the RDFS consequences of the ontology's alignments into the store.

The published graph must answer ``?x a schema:Event`` or ``?e schema:attendee ?p`` without a
reasoner (DESIGN.md §4). The ontology states the alignments (``dip:Event rdfs:subClassOf
schema:Event``, ``dip:hasParticipant rdfs:subPropertyOf schema:attendee``, inverse pairs);
this module applies them to the data:

- rdfs9  ``?x a ?sub`` and ``?sub rdfs:subClassOf+ ?super``      → ``?x a ?super``
- rdfs7  ``?s ?sub ?o`` and ``?sub rdfs:subPropertyOf+ ?super``  → ``?s ?super ?o``
- inverse ``?s ?p ?o`` and ``?p owl:inverseOf ?q`` (either way)  → ``?o ?q ?s``

Only those rules: no domain/range typing (rdfs2/3), which would turn every modelling slip
into a silent wrong type. Everything runs as SPARQL Update inside pyoxigraph (Rust, on disk),
so it scales to millions of triples without loading them into Python. New triples go to one
named graph, ``{base}id/graph/inferred``, and only when the store does not hold them yet in
any graph, so a client can tell asserted from inferred and the dumps do not duplicate.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox

from publisher.release.counts import graph_size

_PREFIXES = """\
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
"""

# {ontology}, {inferred} and {skip} are IRIs checked by ``pyoxigraph.NamedNode`` and written
# in its N-Triples form; nothing else is spliced into the updates.
# The schema each rule reads: (premise predicate or class, what it gives); also read by
# ``schema`` for the incremental path (``incremental.py``).
_INVERSE_PAIRS = """SELECT DISTINCT ?p ?q WHERE {{
      GRAPH {ontology} {{ {{ ?p owl:inverseOf ?q }} UNION {{ ?q owl:inverseOf ?p }} }}
      FILTER(isIRI(?p) && isIRI(?q))
  }}"""
_SUPERPROPERTY_PAIRS = """SELECT DISTINCT ?sub ?super WHERE {{
      GRAPH {ontology} {{ ?sub rdfs:subPropertyOf+ ?super }}
      FILTER(isIRI(?super) && ?sub != ?super)
  }}"""
_SUPERCLASS_PAIRS = """SELECT DISTINCT ?sub ?super WHERE {{
      GRAPH {ontology} {{ ?sub rdfs:subClassOf+ ?super }}
      FILTER(isIRI(?super) && ?sub != ?super)
  }}"""

_INVERSES = (
    _PREFIXES
    + """
INSERT {{ GRAPH {inferred} {{ ?o ?q ?s }} }}
WHERE {{
  {{ """
    + _INVERSE_PAIRS
    + """ }}
  GRAPH ?g {{ ?s ?p ?o }}
  FILTER(?g NOT IN ({skip}) && !isLiteral(?o))
  FILTER NOT EXISTS {{ GRAPH ?h {{ ?o ?q ?s }} }}
}}"""
)

_SUBPROPERTIES = (
    _PREFIXES
    + """
INSERT {{ GRAPH {inferred} {{ ?s ?super ?o }} }}
WHERE {{
  {{ """
    + _SUPERPROPERTY_PAIRS
    + """ }}
  GRAPH ?g {{ ?s ?sub ?o }}
  FILTER(?g NOT IN ({skip}))
  FILTER NOT EXISTS {{ GRAPH ?h {{ ?s ?super ?o }} }}
}}"""
)

_SUBCLASSES = (
    _PREFIXES
    + """
INSERT {{ GRAPH {inferred} {{ ?x a ?super }} }}
WHERE {{
  {{ """
    + _SUPERCLASS_PAIRS
    + """ }}
  GRAPH ?g {{ ?x a ?sub }}
  FILTER(?g NOT IN ({skip}))
  FILTER NOT EXISTS {{ GRAPH ?h {{ ?x a ?super }} }}
}}"""
)

#: Rounds of inverse + subproperty rules before giving up; each round can only feed the
#: other (an inverse of a subproperty's superproperty…), so two or three always suffice.
MAX_ROUNDS = 10


@dataclass(frozen=True)
class Materialised:
    """How many triples each rule added to the inferred graph."""

    inverse: int
    subproperty: int
    subclass: int
    rounds: int

    @property
    def total(self) -> int:
        return self.inverse + self.subproperty + self.subclass


def materialise(
    store: ox.Store,
    *,
    ontology_graph: str,
    inferred_graph: str,
    skip_graphs: tuple[str, ...] = (),
) -> Materialised:
    """Add the consequences of ``ontology_graph``'s alignments to ``inferred_graph``.

    Rules read the schema only from ``ontology_graph`` and apply to every other named graph
    except ``skip_graphs`` (e.g. the shapes, whose ``sh:path`` triples are not data).
    """
    inferred = ox.NamedNode(inferred_graph)
    names = {
        "ontology": str(ox.NamedNode(ontology_graph)),
        "inferred": str(inferred),
        "skip": ", ".join(str(ox.NamedNode(g)) for g in skip_graphs) or "<urn:x-none:>",
    }
    added = {"inverse": 0, "subproperty": 0, "subclass": 0}

    def run(rule: str, update: str) -> int:
        before = graph_size(store, inferred)
        store.update(update.format(**names))
        grew = graph_size(store, inferred) - before
        added[rule] += grew
        return grew

    rounds = 0
    while rounds < MAX_ROUNDS:
        rounds += 1
        grew = run("inverse", _INVERSES) + run("subproperty", _SUBPROPERTIES)
        if not grew:
            break
    run("subclass", _SUBCLASSES)
    return Materialised(rounds=rounds, **added)


Mapping = dict[ox.NamedNode, frozenset[ox.NamedNode]]


@dataclass(frozen=True)
class Schema:
    """What the rules read from the ontology graph: for each predicate its inverses and its
    superproperties, for each class its superclasses (all IRIs, as the updates read them)."""

    inverses: Mapping
    superproperties: Mapping
    superclasses: Mapping


def schema(store: ox.Store, ontology_graph: str) -> Schema:
    """The rules' schema, by the same queries the updates run."""
    ontology = str(ox.NamedNode(ontology_graph))

    def pairs(select: str) -> Mapping:
        found: dict[ox.NamedNode, set[ox.NamedNode]] = {}
        result = store.query(_PREFIXES + select.format(ontology=ontology))
        assert isinstance(result, ox.QuerySolutions)
        for row in result:
            key, value = row[0], row[1]
            if isinstance(key, ox.NamedNode) and isinstance(value, ox.NamedNode):
                found.setdefault(key, set()).add(value)
        return {key: frozenset(values) for key, values in found.items()}

    return Schema(pairs(_INVERSE_PAIRS), pairs(_SUPERPROPERTY_PAIRS), pairs(_SUPERCLASS_PAIRS))
