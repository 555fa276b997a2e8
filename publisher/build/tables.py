"""Files for researchers who count events: ``events.csv`` and ``network.graphml``.

Event-data users (ICEWS, GDELT, POLECAT) work with one row per coded event and dyad, and
network analysts with a graph of who met whom; neither wants to learn SPARQL to start. The
build writes both from the store it has just loaded (the union of all graphs, the
materialised date bounds included) into the release's dumps, lists them in ``index.json``,
and the VoID/DCAT description describes them. Columns and attributes: docs/downloads.md.
"""

from __future__ import annotations

import csv
import io
import xml.etree.ElementTree as ET
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import asdict, dataclass, replace

import pyoxigraph as ox

from publisher.build.ahead import TABLES
from publisher.build.context import BuildContext
from publisher.build.dumps import add_file
from publisher.formats import CSV, Format
from publisher.release.catalogue import read_index, write_index

GRAPHML = Format("graphml", "application/graphml+xml", "graphml", "GraphML")

_PREFIXES = """\
PREFIX dip: <https://w3id.org/diplograph/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX schema: <http://schema.org/>
PREFIX oa: <http://www.w3.org/ns/oa#>
"""

#: One solution per coded event and source-target pair. The country of an actor is the
#: actor itself when it is a state, else the state where it holds a position. The event
#: type's CAMEO codes are read once per type (``_CAMEO``): joined here, the engine matched
#: them again for every event (2.9 s for 19,420 rows at a million triples, against 0.5 s).
_EVENTS = (
    _PREFIXES
    + """
SELECT ?event ?label ?date ?earliest ?latest ?source ?target ?type ?place ?document ?graph
WHERE {
  GRAPH ?graph { ?event dip:eventType ?type }
  ?event dip:sourceActor ?source ;
         dip:targetActor ?target .
  OPTIONAL { ?event rdfs:label ?label FILTER(lang(?label) = "en") }
  OPTIONAL { ?event dip:startDate ?date }
  OPTIONAL { ?event dip:earliestStartDate ?earliest ; dip:latestStartDate ?latest }
  OPTIONAL { ?event dip:place ?place }
  OPTIONAL { GRAPH ?graph { ?event dip:evidence ?passage } ?passage oa:hasSource ?document }
}"""
)

#: Each coded event type: its CAMEO code and root, QuadClass, Goldstein score and PLOVER
#: match. An event whose type has none of these is not a coded event: no row.
_CAMEO = (
    _PREFIXES
    + """
SELECT ?type ?code ?root ?quad ?quadLabel ?goldstein ?plover ?ploverParent
WHERE {
  ?type skos:notation ?code ;
        skos:broader* ?rootType ;
        dip:quadClass ?quad ;
        dip:goldsteinScore ?goldstein .
  ?rootType skos:topConceptOf ?scheme ;
            skos:notation ?root .
  ?quad skos:notation ?quadLabel .
  OPTIONAL { ?type skos:exactMatch|skos:closeMatch ?plover .
             OPTIONAL { ?plover skos:broader ?ploverParent } }
}"""
)

_COUNTRY = (
    _PREFIXES
    + """
SELECT ?agent ?state WHERE {
  { ?agent a dip:State . BIND(?agent AS ?state) }
  UNION
  { ?agent dip:holdsPosition/dip:positionIn ?state . ?state a dip:State }
}"""
)

#: Who was present at which event (dip:hasAttendee), with the event's super-events.
_ATTENDANCE = (
    _PREFIXES
    + """
SELECT ?event ?agent ?date ?earliest ?latest WHERE {
  ?event dip:hasAttendee ?agent .
  OPTIONAL { ?event dip:startDate ?date }
  OPTIONAL { ?event dip:earliestStartDate ?earliest ; dip:latestStartDate ?latest }
}"""
)

EVENT_COLUMNS = (
    "event_id",
    "event_iri",
    "event_label",
    "date",
    "date_precision",
    "date_earliest",
    "date_latest",
    "source_name",
    "source_iri",
    "source_country",
    "target_name",
    "target_iri",
    "target_country",
    "cameo_code",
    "cameo_label",
    "cameo_root",
    "quad_class",
    "quad_class_label",
    "goldstein",
    "plover_type",
    "plover_mode",
    "place_name",
    "place_iri",
    "source_document",
    "graph",
)

_PRECISION = {"date": "day", "dateTime": "time", "gYearMonth": "month", "gYear": "year"}


RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
SKOS = "http://www.w3.org/2004/02/skos/core#"
DIP = "https://w3id.org/diplograph/ontology#"


def _value(term: object) -> str:
    return term.value if isinstance(term, (ox.NamedNode, ox.Literal)) else ""


def _objects(store: ox.Store, subject: str, predicate: str) -> list[ox.NamedNode | ox.Literal]:
    """The IRI and literal objects of ``subject predicate ?o`` in any graph, sorted."""
    quads = store.quads_for_pattern(ox.NamedNode(subject), ox.NamedNode(predicate), None, None)
    found = {q.object for q in quads if isinstance(q.object, (ox.NamedNode, ox.Literal))}
    return sorted(found, key=str)


class _Names:
    """English labels, states' ISO codes and Wikidata ids, looked up once per IRI."""

    def __init__(self, store: ox.Store) -> None:
        self.store = store
        self.country: dict[str, str] = {}
        for row in self._select(_COUNTRY):
            self.country.setdefault(row["agent"].value, row["state"].value)
        self._labels: dict[str, str] = {}

    def _select(self, query: str) -> Iterator[ox.QuerySolution]:
        result = self.store.query(query, use_default_graph_as_union=True)
        assert isinstance(result, ox.QuerySolutions)
        yield from result

    def label(self, iri: str) -> str:
        if iri not in self._labels:
            english = [
                o.value
                for o in _objects(self.store, iri, RDFS_LABEL)
                if isinstance(o, ox.Literal) and o.language == "en"
            ]
            self._labels[iri] = english[0] if english else ""
        return self._labels[iri]

    def iso(self, agent: str) -> str:
        """The ISO 3166-1 alpha-3 code of an agent's country (from the state's IRI slug)."""
        state = self.country.get(agent, "")
        return state.rsplit("/", 1)[-1].upper() if "/id/state/" in state else ""

    def wikidata(self, iri: str) -> str:
        same = _objects(self.store, iri, "http://schema.org/sameAs")
        ids = [o.value.rsplit("/", 1)[-1] for o in same]
        return ids[0] if ids else ""


def event_rows(store: ox.Store) -> list[dict[str, str]]:
    """The rows of ``events.csv``: one per coded event and source-target pair, by date."""
    names = _Names(store)
    cameo: dict[str, ox.QuerySolution] = {}
    for coded in names._select(_CAMEO):
        cameo.setdefault(coded["type"].value, coded)
    rows: dict[tuple[str, str, str], dict[str, str]] = {}
    for s in names._select(_EVENTS):
        c = cameo.get(s["type"].value)
        if c is None:
            continue
        event, source, target = s["event"].value, s["source"].value, s["target"].value
        date = s["date"]
        plover, parent = _value(c["plover"]), _value(c["ploverParent"])
        row = {
            "event_id": event.rsplit("/", 1)[-1],
            "event_iri": event,
            "event_label": _value(s["label"]),
            "date": _value(date),
            "date_precision": (
                _PRECISION.get(date.datatype.value.rsplit("#", 1)[-1], "")
                if isinstance(date, ox.Literal)
                else "not stated"
            ),
            "date_earliest": _value(s["earliest"]),
            "date_latest": _value(s["latest"]),
            "source_name": names.label(source),
            "source_iri": source,
            "source_country": names.iso(source),
            "target_name": names.label(target),
            "target_iri": target,
            "target_country": names.iso(target),
            "cameo_code": c["code"].value,
            "cameo_label": _pref_label(store, c["type"]),
            "cameo_root": c["root"].value,
            "quad_class": c["quadLabel"].value,
            "quad_class_label": _pref_label(store, c["quad"]),
            "goldstein": f"{float(c['goldstein'].value):.1f}",
            "plover_type": _notation(store, parent or plover),
            "plover_mode": _notation(store, plover) if parent else "",
            "place_name": names.label(_value(s["place"])) if s["place"] else "",
            "place_iri": _value(s["place"]),
            "source_document": _value(s["document"]),
            "graph": s["graph"].value,
        }
        rows.setdefault((event, source, target), row)
    return sorted(
        rows.values(),
        key=_row_order,
    )


def _row_order(row: dict[str, str]) -> tuple[str, ...]:
    """By date (undated last), then event, source and target."""
    return (row["date_earliest"] or "9999", row["event_id"], row["source_iri"], row["target_iri"])


def _notation(store: ox.Store, iri: str) -> str:
    if not iri:
        return ""
    values = _objects(store, iri, SKOS + "notation")
    return values[0].value if values else ""


def _pref_label(store: ox.Store, concept: object) -> str:
    if not isinstance(concept, ox.NamedNode):
        return ""
    values = _objects(store, concept.value, SKOS + "prefLabel")
    return values[0].value if values else ""


def events_csv(rows: list[dict[str, str]]) -> bytes:
    """RFC 4180 CSV, UTF-8 without a byte-order mark, a header row, every field quoted when
    needed: ``pandas.read_csv`` and R's ``read.csv`` read it without options."""
    text = io.StringIO(newline="")
    writer = csv.DictWriter(text, fieldnames=EVENT_COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return text.getvalue().encode("utf-8")


@dataclass
class _Edge:
    events: set[str]
    dates: set[str]
    earliest: str = ""
    latest: str = ""


def network(store: ox.Store) -> tuple[dict[str, dict[str, str]], dict[tuple[str, str], _Edge]]:
    """Who met whom: agents present at the same event (``dip:hasAttendee``), counting only
    the top event of an episode (a meeting at a parade both attended is the parade)."""
    names = _Names(store)
    present: dict[str, set[str]] = defaultdict(set)
    when: dict[str, tuple[str, str, str]] = {}
    for s in names._select(_ATTENDANCE):
        event = s["event"].value
        present[event].add(s["agent"].value)
        when[event] = (_value(s["date"]), _value(s["earliest"]), _value(s["latest"]))
    parents: dict[str, set[str]] = defaultdict(set)
    for quad in store.quads_for_pattern(None, ox.NamedNode(DIP + "subEventOf"), None, None):
        if isinstance(quad.subject, ox.NamedNode) and isinstance(quad.object, ox.NamedNode):
            parents[quad.subject.value].add(quad.object.value)

    def ancestors(event: str) -> set[str]:
        seen: set[str] = set()
        todo = list(parents.get(event, ()))
        while todo:
            parent = todo.pop()
            if parent not in seen:
                seen.add(parent)
                todo.extend(parents.get(parent, ()))
        return seen

    edges: dict[tuple[str, str], _Edge] = {}
    for event, agents in present.items():
        for a in agents:
            for b in agents:
                if a >= b:
                    continue
                if any({a, b} <= present.get(parent, set()) for parent in ancestors(event)):
                    continue  # counted at the larger event both attended
                edge = edges.setdefault((a, b), _Edge(set(), set()))
                edge.events.add(event)
                date, earliest, latest = when[event]
                if date:
                    edge.dates.add(date)
                if earliest and (not edge.earliest or earliest < edge.earliest):
                    edge.earliest = earliest
                if latest and latest > edge.latest:
                    edge.latest = latest
    nodes = {}
    for agent in sorted({a for pair in edges for a in pair}):
        types = {
            o.value.removeprefix(DIP)
            for o in _objects(store, agent, RDF_TYPE)
            if o.value.startswith(DIP)
        }
        nodes[agent] = {
            "label": names.label(agent),
            "iri": agent,
            "wikidata": names.wikidata(agent),
            "type": " ".join(sorted(types)),
            "country": names.iso(agent),
        }
    return nodes, edges


NODE_KEYS = ("label", "iri", "wikidata", "type", "country")
EDGE_KEYS = ("events", "event_iris", "dates", "date_earliest", "date_latest")


def network_graphml(nodes: dict[str, dict[str, str]], edges: dict[tuple[str, str], _Edge]) -> bytes:
    """GraphML 1.0 (undirected): networkx.read_graphml and Gephi read it."""
    ns = "http://graphml.graphdrawing.org/xmlns"
    ET.register_namespace("", ns)
    root = ET.Element(f"{{{ns}}}graphml")
    for key in NODE_KEYS:
        attrib = {"for": "node", "attr.name": key, "attr.type": "string"}
        ET.SubElement(root, f"{{{ns}}}key", id=key, attrib=attrib)
    for key in EDGE_KEYS:
        kind = "int" if key == "events" else "string"
        attrib = {"for": "edge", "attr.name": key, "attr.type": kind}
        ET.SubElement(root, f"{{{ns}}}key", id=key, attrib=attrib)
    graph = ET.SubElement(root, f"{{{ns}}}graph", id="who-met-whom", edgedefault="undirected")
    for iri, attributes in nodes.items():
        node = ET.SubElement(graph, f"{{{ns}}}node", id=iri)
        for key in NODE_KEYS:
            ET.SubElement(node, f"{{{ns}}}data", key=key).text = attributes[key]
    for (a, b), edge in sorted(edges.items()):
        element = ET.SubElement(graph, f"{{{ns}}}edge", source=a, target=b)
        values = {
            "events": str(len(edge.events)),
            "event_iris": " ".join(sorted(edge.events)),
            "dates": " ".join(sorted(edge.dates)),
            "date_earliest": edge.earliest,
            "date_latest": edge.latest,
        }
        for key in EDGE_KEYS:
            ET.SubElement(element, f"{{{ns}}}data", key=key).text = values[key]
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"


@dataclass(frozen=True)
class Tables:
    """What the two files hold, read from the store (``reads.start_reads`` reads it in a
    thread while the dumps are written)."""

    rows: list[dict[str, str]]
    nodes: dict[str, dict[str, str]]
    edges: dict[tuple[str, str], _Edge]


def read_tables(store: ox.Store) -> Tables:
    return Tables(event_rows(store), *network(store))


def write_tables(ctx: BuildContext) -> None:
    """Build step (after the RDF dumps, before the description): write ``events.csv`` and
    ``network.graphml`` and add them to the dumps' index."""
    out = ctx.dumps_path
    store = ctx.store
    tables = ctx.ahead.take(TABLES, lambda: read_tables(store))
    rows, nodes, edges = tables.rows, tables.nodes, tables.edges
    (out / "events.csv").write_bytes(events_csv(rows))
    (out / "network.graphml").write_bytes(network_graphml(nodes, edges))
    events = len({r["event_iri"] for r in rows})
    csv_file = add_file(
        out,
        out / "events.csv",
        CSV,
        f"One row per coded event and source-target pair ({events} events, {len(rows)} "
        "rows): date and bounds, dyad, CAMEO code, root, QuadClass, Goldstein score, PLOVER "
        "type and mode, place, source (columns: docs/downloads.md).",
        triples=0,
    )
    graphml_file = add_file(
        out,
        out / "network.graphml",
        GRAPHML,
        f"Who met whom: {len(nodes)} agents present at the same events, {len(edges)} "
        "links with the number of events and their dates (GraphML).",
        triples=0,
    )
    files = [
        *read_index(out),
        replace(csv_file, rows=len(rows)),
        replace(graphml_file, nodes=len(nodes), edges=len(edges)),
    ]
    write_index(out, files, ctx.manifest["id"])
    ctx.manifest["dumps"] = [asdict(f) for f in files]
    ctx.log(f"wrote events.csv ({len(rows)} rows) and network.graphml ({len(edges)} links)")
