"""Store look-ups the HTML pages need beyond a resource's own description.

A resource's document (``description.describe_resource``) holds its own statements; a page
for people also shows two hops out — who took part in an event and in what role (through
``dip:Participation`` nodes), the events an agent took part in, who it met, related events
— and the home page's counts. These are trusted, project-written queries; the resource is
written in as a constant (``Store.query``'s ``{slot}``s: validated and escaped terms), so
the engine plans every join and sub-select from it and never scans the whole store for a
page (``tests/test_lookups.py`` keeps it so). Each is bounded by a LIMIT so a hub resource
cannot stall a page.
"""

from __future__ import annotations

import functools
import weakref
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

import pyoxigraph as ox

from publisher.closure import transitive_closure
from publisher.namespaces import DIP_IRI, OA, RDF, RDFS, SKOS
from publisher.release.store import Store
from publisher.terms import RDF_TYPE
from publisher.web.kept import KeptViews
from publisher.web.labels import IS_REPLACED_BY, NODE_FACTS, OWL_DEPRECATED

SPARQL_PROLOGUE = f"""PREFIX dip: <{DIP_IRI}>
PREFIX oa: <{OA}>
PREFIX rdf: <{RDF}>
PREFIX rdfs: <{RDFS}>
PREFIX skos: <{SKOS}>
"""
MAX_EVENTS = 200
MEMBER_LISTS_KEPT = 16  # classes whose sorted members are kept (``resources_of_type``)


def dip(term: str) -> str:
    return DIP_IRI + term


def took_part(event: str, agent: str, *, shortcut: bool = False) -> str:
    """A graph pattern: ``agent`` took part in ``event`` by any of the ontology's routes, or
    (``shortcut``: where ``has_shortcuts`` holds) by ``dip:hasParticipant`` alone."""
    if shortcut:
        return f"{{ {event} dip:hasParticipant {agent} }}"
    return (
        f"{{ {event} dip:hasParticipant {agent} }} UNION {{ {agent} dip:participatedIn {event} }}"
        f" UNION {{ {event} dip:hasParticipation/dip:participant {agent} }}"
    )


# Whether every participation's agent is also its event's ``dip:hasParticipant``, per store
# (``check_shortcuts``). The build materialises inverses, so ``dip:participatedIn`` always
# mirrors ``dip:hasParticipant``; a participation node's agent has the shortcut only where
# the source states it beside the node, as every source so far does. Where the whole release
# does, one pattern finds every participant, and a person's page reads a third of the rows.
_SHORTCUTS: weakref.WeakKeyDictionary[Store, bool] = weakref.WeakKeyDictionary()
SHORTCUT_MISSING = """ASK { ?e dip:hasParticipation ?p . ?p dip:participant ?a
  FILTER NOT EXISTS { ?e dip:hasParticipant ?a } }"""


def check_shortcuts(store: Store) -> bool:
    """Find out, once per store, whether every participation has its ``dip:hasParticipant``
    shortcut, and keep the answer for the pages (``has_shortcuts``).

    It reads every participation (0.9 s at a million quads), so the app runs it in the
    background at start-up; no page does."""
    result = store.query(SPARQL_PROLOGUE + SHORTCUT_MISSING)
    assert isinstance(result, ox.QueryBoolean)
    _SHORTCUTS[store] = complete = not bool(result)
    return complete


def has_shortcuts(store: Store) -> bool:
    """Whether ``check_shortcuts`` found every participation's shortcut in ``store``; until
    it has (or for a store it never checked), no: the pages then take every route."""
    return _SHORTCUTS.get(store, False)


def _iri(value: str) -> ox.NamedNode:
    return ox.NamedNode(value)


def _named(term: object) -> str | None:
    return term.value if isinstance(term, ox.NamedNode) else None


def fetch_types(store: Store, iris: Iterable[str]) -> dict[str, list[str]]:
    """The types of each IRI: one store call for those not kept yet (``NODE_FACTS``)."""
    return {
        iri: list(
            dict.fromkeys(
                q.object.value
                for q in quads
                if q.predicate == RDF_TYPE and isinstance(q.object, ox.NamedNode)
            )
        )
        for iri, quads in NODE_FACTS.get(store, iris).items()
    }


@dataclass(frozen=True)
class Participant:
    """An agent's part in an event: role (a SKOS concept) and the graphs that say so."""

    agent: str
    role: str | None
    graphs: tuple[str, ...]


def participants(store: Store, event: str) -> list[Participant]:
    """Who took part in ``event``, with roles from ``dip:Participation`` nodes where given."""
    query = (
        SPARQL_PROLOGUE
        + """
    SELECT ?agent ?role ?g WHERE {
      { GRAPH ?g { {event} dip:hasParticipation ?p } ?p dip:participant ?agent
        OPTIONAL { ?p dip:role ?role } }
      UNION { GRAPH ?g { {event} dip:hasParticipant ?agent } }
      UNION { GRAPH ?g { ?agent dip:participatedIn {event} } }
    } LIMIT 1000"""
    )
    roles: dict[str, set[str]] = defaultdict(set)
    graphs: dict[str, set[str]] = {}
    for row in store.select(query, {"event": _iri(event)}):
        agent = _named(row["agent"])
        if agent is None:
            continue
        graphs.setdefault(agent, set())
        if (role := _named(row["role"])) is not None:
            roles[agent].add(role)
        if (graph := _named(row["g"])) is not None:
            graphs[agent].add(graph)
    out: list[Participant] = []
    for agent in graphs:
        found: list[str | None] = list(sorted(roles[agent])) or [None]
        for role in found:
            out.append(Participant(agent, role, tuple(sorted(graphs[agent]))))
    return out


def _first_dates(rows: Iterable[ox.QuerySolution], key: str = "e") -> dict[str, ox.Literal | None]:
    """The earliest start date per event (sources may give several, at other precisions)."""
    dates: dict[str, ox.Literal | None] = {}
    for row in rows:
        event = _named(row[key])
        if event is None:
            continue
        found = row["date"]
        current = dates.get(event)
        if isinstance(found, ox.Literal) and (current is None or found.value < current.value):
            dates[event] = found
        else:
            dates.setdefault(event, current)
    return dates


def events_of(store: Store, agent: str) -> dict[str, ox.Literal | None]:
    """The events ``agent`` took part in, with their start dates."""
    query = (
        SPARQL_PROLOGUE
        + "SELECT DISTINCT ?e ?date WHERE { "
        + "{ SELECT DISTINCT ?e WHERE { "
        + took_part("?e", "{agent}", shortcut=has_shortcuts(store))
        + f" }} LIMIT {MAX_EVENTS} }} OPTIONAL {{ ?e dip:startDate ?date }} }}"
    )
    return _first_dates(store.select(query, {"agent": _iri(agent)}))


RELATIONS = {
    "hasSubEvent": "Sub-event",
    "subEventOf": "Part of",
    "precededBy": "Preceded by",
    "followedBy": "Followed by",
}


def related_events(store: Store, event: str) -> list[tuple[str, str, ox.Literal | None]]:
    """Events linked to ``event`` (parts, whole, before, after, siblings), with dates."""
    query = (
        SPARQL_PROLOGUE
        + """
    SELECT DISTINCT ?rel ?e ?date WHERE {
      { {event} ?rel ?e FILTER(?rel IN (dip:hasSubEvent, dip:subEventOf, dip:precededBy,
                                        dip:followedBy)) }
      UNION { ?e dip:subEventOf {event} BIND(dip:hasSubEvent AS ?rel) }
      UNION { {event} dip:hasSubEvent ?e BIND(dip:hasSubEvent AS ?rel) }
      UNION { ?e dip:hasSubEvent {event} BIND(dip:subEventOf AS ?rel) }
      UNION { ?e dip:followedBy {event} BIND(dip:precededBy AS ?rel) }
      UNION { ?e dip:precededBy {event} BIND(dip:followedBy AS ?rel) }
      UNION { {event} dip:subEventOf|^dip:hasSubEvent ?whole .
              ?e dip:subEventOf|^dip:hasSubEvent ?whole FILTER(?e != {event})
              BIND(<urn:x-diplograph:sibling> AS ?rel) }
      OPTIONAL { ?e dip:startDate ?date }
    } LIMIT 500"""
    )
    out: dict[tuple[str, str], ox.Literal | None] = {}
    for row in store.select(query, {"event": _iri(event)}):
        rel, other = _named(row["rel"]), _named(row["e"])
        if rel is None or other is None:
            continue
        name = RELATIONS.get(rel.removeprefix(DIP_IRI), "Same occasion")
        date = row["date"] if isinstance(row["date"], ox.Literal) else None
        current = out.get((name, other))
        if (name, other) not in out or (date and (current is None or date.value < current.value)):
            out[(name, other)] = date
    specific = {iri for (name, iri) in out if name != "Same occasion"}
    return [
        (name, iri, date)
        for (name, iri), date in out.items()
        if name != "Same occasion" or iri not in specific
    ]


def co_participants(store: Store, agent: str) -> tuple[dict[str, list[str]], set[tuple[str, str]]]:
    """Agents who shared events with ``agent``: neighbour → events, and neighbour pairs
    that shared one of those events too."""
    shortcut = has_shortcuts(store)
    query = (
        SPARQL_PROLOGUE
        + "SELECT DISTINCT ?e ?other WHERE { "
        + "{ SELECT DISTINCT ?e WHERE { "
        + took_part("?e", "{agent}", shortcut=shortcut)
        + f" }} LIMIT {MAX_EVENTS} }} "
        + took_part("?e", "?other", shortcut=shortcut)
        + " FILTER(?other != {agent}) } LIMIT 5000"
    )
    met: dict[str, list[str]] = defaultdict(list)
    by_event: dict[str, list[str]] = defaultdict(list)
    for event, other in store.select(query, {"agent": _iri(agent)}):  # ?e ?other, by position
        if type(event) is ox.NamedNode and type(other) is ox.NamedNode:  # a row per pair met
            met[other.value].append(event.value)
            by_event[event.value].append(other.value)
    links = {(a, b) for others in by_event.values() for a in others for b in others if a < b}
    return dict(met), links


def class_counts(store: Store, namespace: str = DIP_IRI) -> list[tuple[str, int]]:
    """How many resources each class of ``namespace`` has (direct or inferred types)."""
    query = (
        SPARQL_PROLOGUE
        + """
    SELECT ?class (COUNT(DISTINCT ?s) AS ?n) WHERE {
      ?s rdf:type ?class FILTER(isIRI(?s) && STRSTARTS(STR(?class), {namespace}))
    } GROUP BY ?class ORDER BY DESC(?n)"""
    )
    out = []
    for row in store.select(query, {"namespace": ox.Literal(namespace)}):
        cls, n = _named(row["class"]), row["n"]
        if cls and isinstance(n, ox.Literal):
            out.append((cls, int(n.value)))
    return out


def recent_events(store: Store, limit: int = 10) -> dict[str, ox.Literal | None]:
    """The latest events by start date (typed with any subclass of ``dip:Event``). The
    aggregate, not its name, is ordered by: Virtuoso refuses a SELECT alias in ORDER BY."""
    query = (
        SPARQL_PROLOGUE
        + f"""
    SELECT ?e (MIN(?d) AS ?date) WHERE {{
      ?e rdf:type/rdfs:subClassOf* dip:Event ; dip:startDate ?d
    }} GROUP BY ?e ORDER BY DESC(STR(MIN(?d))) LIMIT {int(limit)}"""
    )
    return _first_dates(store.select(query))


def resources_of_type(store: Store, cls: str, offset: int, limit: int) -> tuple[int, list[str]]:
    """One page of the resources typed ``cls`` (IRIs, sorted), and how many there are."""
    members = _members(store, cls)
    return len(members), list(members[offset : offset + limit])


@functools.lru_cache(maxsize=MEMBER_LISTS_KEPT)
def _members(store: Store, cls: str) -> tuple[str, ...]:
    """Every IRI typed ``cls``, sorted, kept per store (a release never changes).

    Paging in IRI order needs them all: at a million quads a class of 12,000 events takes
    0.2 s to list and sort (SPARQL's ORDER BY takes 1.5 s), which every page of the listing
    paid again; now only the first does."""
    node = ox.NamedNode(cls)
    found = {q.subject for q in store.quads(None, RDF_TYPE, node)}
    return tuple(sorted(s.value for s in found if isinstance(s, ox.NamedNode)))


def events_at(store: Store, place: str) -> dict[str, ox.Literal | None]:
    """Events held at, leaving from or going to ``place``, with their start dates."""
    query = (
        SPARQL_PROLOGUE
        + "SELECT DISTINCT ?e ?date WHERE { { SELECT DISTINCT ?e WHERE { "
        + "?e dip:place|dip:origin|dip:destination|dip:signingPlace {place}"
        + f" }} LIMIT {MAX_EVENTS} }} OPTIONAL {{ ?e dip:startDate ?date }} }}"
    )
    return _first_dates(store.select(query, {"place": _iri(place)}))


def is_kind(store: Store, types: Iterable[str], cls: str) -> bool:
    """Whether any of ``types`` is ``cls`` or one of its subclasses (per the ontology)."""
    closure = superclasses(store)
    return any(t == cls or cls in closure.get(t, ()) for t in types)


SUBCLASS_OF = ox.NamedNode(str(RDFS.subClassOf))


@functools.lru_cache(maxsize=4)
def superclasses(store: Store) -> dict[str, frozenset[str]]:
    """Every class's superclasses, direct or not (``rdfs:subClassOf+``), kept per store:
    one store call, where a page asked one ASK per type pair (a round trip each on an
    external engine). The ontology's hierarchy is small; the closure is walked here."""
    direct: dict[str, set[str]] = defaultdict(set)
    for quad in store.quads(None, SUBCLASS_OF):
        if isinstance(quad.subject, ox.NamedNode) and isinstance(quad.object, ox.NamedNode):
            direct[quad.subject.value].add(quad.object.value)
    return transitive_closure(direct)


def participations_of(
    store: Store, participations: Iterable[str]
) -> dict[str, tuple[str | None, str | None]]:
    """The event each ``dip:Participation`` belongs to, and the role it records.

    One query for them all: a page names every participation that links to it (22 for one
    person at a million quads), and one look-up each was a round trip each on an external
    engine."""
    nodes = " ".join(str(_iri(p)) for p in dict.fromkeys(participations))
    if not nodes:
        return {}
    query = (
        SPARQL_PROLOGUE
        + f"SELECT ?p ?e ?role WHERE {{ VALUES ?p {{ {nodes} }} "
        + "OPTIONAL { ?e dip:hasParticipation ?p } OPTIONAL { ?p dip:role ?role } }"
    )
    found: dict[str, tuple[str | None, str | None]] = {}
    for row in store.select(query):
        participation = _named(row["p"])
        if participation is None:
            continue
        event, role = found.get(participation, (None, None))
        found[participation] = (event or _named(row["e"]), role or _named(row["role"]))
    return found


def roles_of(store: Store, agent: str) -> dict[str, list[str]]:
    """The roles ``agent`` had, per event (from its ``dip:Participation`` nodes)."""
    query = (
        SPARQL_PROLOGUE
        + "SELECT DISTINCT ?e ?role WHERE { "
        + "?p dip:participant {agent} ; dip:role ?role . ?e dip:hasParticipation ?p . }"
        + f" LIMIT {MAX_EVENTS * 4}"
    )
    roles: dict[str, list[str]] = defaultdict(list)
    for row in store.select(query, {"agent": _iri(agent)}):
        event, role = _named(row["e"]), _named(row["role"])
        if event and role and role not in roles[event]:
            roles[event].append(role)
    return dict(roles)


def replacements(store: Store, iri: str) -> tuple[str, ...] | None:
    """``None`` unless ``iri`` is deprecated (``owl:deprecated true``); else what replaces
    it (``dcterms:isReplacedBy``, sorted; may be empty).

    Asked for every property and linked IRI on a page (120 on a busy person's page): read
    once per release from what is kept with the labels (``labels.NODE_FACTS``, which the
    page fetched for all of them at once)."""
    return NODE_REPLACEMENTS.one(store, iri)


def _replacements_of(quads: tuple[ox.Quad, ...]) -> tuple[str, ...] | None:
    if not any(
        q.predicate == OWL_DEPRECATED
        and isinstance(q.object, ox.Literal)
        and q.object.value in ("true", "1")
        for q in quads
    ):
        return None
    successors = (q.object for q in quads if q.predicate == IS_REPLACED_BY)
    return tuple(sorted({o.value for o in successors if isinstance(o, ox.NamedNode)}))


#: ``replacements`` of each node, kept per release as its statements are.
NODE_REPLACEMENTS: KeptViews[tuple[str, ...] | None] = KeptViews(
    NODE_FACTS, _replacements_of, 50_000
)


@dataclass(frozen=True)
class Evidence:
    """A passage (``dip:Passage``) that backs statements on a page: the node it is the
    evidence of (the resource, or a participation, position or claim the resource links to),
    the named graph that says so, and the passage's quote and position selectors."""

    node: str
    graph: str
    passage: str
    exact: str | None = None
    prefix: str | None = None
    suffix: str | None = None
    start: int | None = None
    end: int | None = None
    agent: str | None = None  # for a participation: who, and in what role
    role: str | None = None


#: The nodes whose evidence a page shows besides the resource's own: the records it links
#: to whose statements the page shows in its own words (participants, positions, figures).
EVIDENCE_KINDS = ("Participation", "PositionHolding", "Claim")


def evidence(store: Store, resource: str, links: Iterable[str] = ()) -> list[Evidence]:
    """The passages that back ``resource``'s statements, or those of the participations,
    positions and claims it links to by one of ``links`` (properties), each taken from the
    named graph of the statement it backs (``GRAPH ?g { ?node dip:evidence ?passage }``,
    with ``?g`` the graph of the link).

    Only ``links`` are followed, not every property: the dataset's description links to
    5,048 nodes, and looking for evidence behind each took most of its page's time."""
    kinds = ", ".join(f"dip:{k}" for k in EVIDENCE_KINDS)
    properties = " ".join(str(_iri(link)) for link in dict.fromkeys(links))
    linked = (
        f"""
      UNION
      {{ VALUES ?link {{ {properties} }}
        GRAPH ?g {{ {{resource}} ?link ?node . ?node dip:evidence ?passage }}
        ?node rdf:type ?kind FILTER(?kind IN ({kinds})) }}"""
        if properties
        else ""
    )
    query = (
        SPARQL_PROLOGUE
        + """
    SELECT DISTINCT ?node ?g ?passage ?exact ?prefix ?suffix ?start ?end ?agent ?role WHERE {
      { GRAPH ?g { {resource} dip:evidence ?passage } BIND({resource} AS ?node) }"""
        + linked
        + """
      OPTIONAL { ?passage oa:hasSelector ?quote . ?quote oa:exact ?exact
                 OPTIONAL { ?quote oa:prefix ?prefix } OPTIONAL { ?quote oa:suffix ?suffix } }
      OPTIONAL { ?passage oa:hasSelector ?position . ?position oa:start ?start ; oa:end ?end }
      OPTIONAL { ?node dip:participant ?agent }
      OPTIONAL { ?node dip:role ?role }
    } LIMIT 2000"""
    )
    found: dict[tuple[str, str, str], Evidence] = {}
    for row in store.select(query, {"resource": _iri(resource)}):
        node, graph, passage = _named(row["node"]), _named(row["g"]), _named(row["passage"])
        if node is None or graph is None or passage is None or (node, graph, passage) in found:
            continue
        found[(node, graph, passage)] = Evidence(
            node,
            graph,
            passage,
            exact=_text(row["exact"]),
            prefix=_text(row["prefix"]),
            suffix=_text(row["suffix"]),
            start=_offset(row["start"]),
            end=_offset(row["end"]),
            agent=_named(row["agent"]),
            role=_named(row["role"]),
        )
    return list(found.values())


def _text(term: object) -> str | None:
    return term.value if isinstance(term, ox.Literal) else None


def _offset(term: object) -> int | None:
    """A selector's position (``xsd:nonNegativeInteger``), or None if it is not one."""
    text = _text(term)
    return int(text) if text is not None and text.isdigit() else None
