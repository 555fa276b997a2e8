"""The dataset's own description (VoID + DCAT), computed at build time from the store.

Counts are exact and made by SPARQL aggregates in pyoxigraph, which work on term ids and so
stay fast on millions of triples. They describe the data *as the dumps hold it*: every graph
of the release except the VoID graph itself (``{base}id/graph/void``), which is loaded into
the store after the counts and the dumps are made — a description cannot count or checksum
itself. To reproduce a count over SPARQL, exclude that graph (see docs/downloads.md).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox

from publisher.build.dumps import (
    DumpFile,
    Graph,
    add_file,
    count,
    dataset_graphs,
    dataset_options,
    graph_size,
    graph_sizes,
    read_index,
    write_index,
)
from publisher.formats import TURTLE, Format
from publisher.namespaces import DCAT, DCTERMS, DIP, FOAF, OWL, PREFIXES, PROV, RDF, SPDX, VOID
from publisher.release.layout import Release

if TYPE_CHECKING:
    from publisher.build.pipeline import BuildContext

TITLE = "Diplograph"
DESCRIPTION = (
    "A knowledge graph of diplomatic events — state visits, summits, parades, treaty "
    "signings, deployments, statements — with who took part in which role, the agreements "
    "between states and the claims sources make, each fact kept in the named graph of the "
    "source document it comes from (PROV-O)."
)
CREATOR = "The Diplograph contributors"
LICENSE = "https://creativecommons.org/licenses/by/4.0/"
BUILD_GRAPHS = {
    "ontology": "The Diplograph ontology and its SKOS concept schemes.",
    "shapes": "The SHACL shapes every release is validated against.",
    "inferred": "RDFS consequences of the ontology's alignments, materialised by the build.",
}
EXAMPLES = 3


@dataclass(frozen=True)
class GraphStatistics:
    """A named graph: a VoID subset, with the sources it was derived from."""

    iri: str
    triples: int
    sources: list[str] = field(default_factory=list)
    description: str | None = None


@dataclass(frozen=True)
class Statistics:
    """Exact counts of a release's data (every graph but the VoID graph)."""

    triples: int
    quads: int
    entities: int
    distinct_subjects: int
    distinct_objects: int
    properties: int
    classes: int
    class_partitions: list[tuple[str, int]]  # class IRI, distinct instances
    property_partitions: list[tuple[str, int]]  # property IRI, distinct triples
    graphs: list[GraphStatistics]
    default_graph_triples: int
    vocabularies: list[str]
    examples: list[str]

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Statistics:
        values = dict(data)
        values["class_partitions"] = [tuple(p) for p in data["class_partitions"]]
        values["property_partitions"] = [tuple(p) for p in data["property_partitions"]]
        values["graphs"] = [GraphStatistics(**g) for g in data["graphs"]]
        return cls(**values)


def void_graph_iri(base: str) -> str:
    return f"{base}id/graph/void"


def dataset_iri(base: str) -> str:
    return f"{base}id/dataset/diplograph"


def uri_space(base: str) -> str:
    """The prefix of every entity IRI the project mints (``void:uriSpace``)."""
    return f"{base}id/"


def compute_statistics(store: ox.Store, base: str, exclude: Iterable[Graph] = ()) -> Statistics:
    """Count the release's data with SPARQL aggregates over the dumped graphs."""
    excluded = list(exclude)
    options = dataset_options(store, excluded)

    def rows(query: str, **terms: ox.NamedNode | ox.Literal) -> list[ox.QuerySolution]:
        # pyoxigraph substitutes only projected variables, so constants are written in as
        # terms serialized by pyoxigraph itself (escaped N-Triples syntax), never raw text.
        result = store.query(query.format(**{k: str(v) for k, v in terms.items()}), **options)
        assert isinstance(result, ox.QuerySolutions)
        return list(result)

    def number(query: str, **terms: ox.NamedNode | ox.Literal) -> int:
        return int(rows(query, **terms)[0][0].value)

    space = ox.Literal(uri_space(base))
    counts = count(store, excluded)
    classes = [
        (r[0].value, int(r[1].value))
        for r in rows(
            "SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?s a ?c FILTER(isIRI(?c)) }} "
            "GROUP BY ?c ORDER BY DESC(?n) STR(?c)"
        )
    ]
    # Without a triple in two graphs the union has no duplicates, and DISTINCT can go.
    union = (
        "{{ ?s ?p ?o }}"
        if counts.union_triples == counts.quads
        else "{{ SELECT DISTINCT ?s ?p ?o WHERE {{ ?s ?p ?o }} }}"
    )
    properties = [
        (r[0].value, int(r[1].value))
        for r in rows(
            f"SELECT ?p (COUNT(*) AS ?n) WHERE {union} GROUP BY ?p ORDER BY DESC(?n) STR(?p)"
        )
    ]
    named = [g for g in dataset_graphs(store, excluded) if isinstance(g, ox.NamedNode)]
    sizes = graph_sizes(store)
    sources: dict[str, list[str]] = {}
    derived = ox.NamedNode(str(PROV.wasDerivedFrom))
    wanted = {g.value for g in named}
    for r in rows("SELECT DISTINCT ?g ?src WHERE {{ ?g {p} ?src }}", p=derived):
        if r[0].value in wanted:  # sorted in Python: ORDER BY would decode every row
            sources.setdefault(r[0].value, []).append(r[1].value)
    graphs = [
        GraphStatistics(
            g.value,
            sizes.get(g.value, 0),
            sorted(sources.get(g.value, [])),
            _build_graph_description(base, g.value),
        )
        for g in named
    ]
    examples = [
        r[0].value
        for r in rows(
            # ORDER BY: the same examples whatever order the store iterates in (memory or disk).
            "SELECT DISTINCT ?s WHERE {{ ?s a {c} FILTER(STRSTARTS(STR(?s), {space})) }} "
            f"ORDER BY ?s LIMIT {EXAMPLES}",
            c=ox.NamedNode(str(DIP.Event)),
            space=space,
        )
    ]
    if not examples:
        examples = [
            r[0].value
            for r in rows(
                "SELECT DISTINCT ?s WHERE {{ ?s ?p ?o "
                "FILTER(isIRI(?s) && STRSTARTS(STR(?s), {space})) }}"
                f" ORDER BY ?s LIMIT {EXAMPLES}",
                space=space,
            )
        ]
    return Statistics(
        triples=counts.union_triples,
        quads=counts.quads,
        entities=number(
            # distinct first: only the distinct subjects' strings are read from the store
            "SELECT (COUNT(*) AS ?n) WHERE {{ {{ SELECT DISTINCT ?s WHERE {{ ?s ?p ?o }} }} "
            "FILTER(isIRI(?s) && STRSTARTS(STR(?s), {space})) }}",
            space=space,
        ),
        distinct_subjects=number("SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?s ?p ?o }}"),
        distinct_objects=number("SELECT (COUNT(DISTINCT ?o) AS ?n) WHERE {{ ?s ?p ?o }}"),
        properties=len(properties),
        classes=len(classes),
        class_partitions=classes,
        property_partitions=properties,
        graphs=graphs,
        default_graph_triples=graph_size(store, ox.DefaultGraph()),
        vocabularies=_vocabularies([c for c, _ in classes] + [p for p, _ in properties]),
        examples=examples,
    )


def _build_graph_description(base: str, graph: str) -> str | None:
    for name, description in BUILD_GRAPHS.items():
        if graph == f"{base}id/graph/{name}":
            return description
    return None


def _vocabularies(terms: Iterable[str]) -> list[str]:
    """The namespaces of the classes and properties used (``void:vocabulary``)."""
    known = sorted(set(PREFIXES.values()), key=len, reverse=True)
    found: set[str] = set()
    for term in terms:
        namespace = next((ns for ns in known if term.startswith(ns)), None)
        if namespace is None:
            cut = max(term.rfind("#"), term.rfind("/"))
            namespace = term[: cut + 1] if cut > 0 else term
        found.add(namespace)
    return sorted(found)


# --- the description as RDF ---------------------------------------------------------------


class _Triples:
    """A small builder of triples, so the description reads as a list of statements."""

    def __init__(self) -> None:
        self.triples: list[ox.Triple] = []

    def add(
        self, s: ox.NamedNode | ox.BlankNode, p: object, o: ox.NamedNode | ox.BlankNode | ox.Literal
    ) -> None:
        self.triples.append(ox.Triple(s, ox.NamedNode(str(p)), o))


def _iri(value: object) -> ox.NamedNode:
    return ox.NamedNode(str(value))


def _int(value: int, datatype: str = "integer") -> ox.Literal:
    return ox.Literal(
        str(value), datatype=ox.NamedNode(f"http://www.w3.org/2001/XMLSchema#{datatype}")
    )


def _text(value: str) -> ox.Literal:
    return ox.Literal(value, language="en")


FORMAT_FEATURES = {
    "turtle": "http://www.w3.org/ns/formats/Turtle",
    "ntriples": "http://www.w3.org/ns/formats/N-Triples",
    "nquads": "http://www.w3.org/ns/formats/N-Quads",
    "trig": "http://www.w3.org/ns/formats/TriG",
}


def describe(
    stats: Statistics,
    files: Sequence[DumpFile],
    *,
    base: str,
    release_id: str,
    created: str,
) -> list[ox.Triple]:
    """The VoID/DCAT description of a release as triples."""
    t = _Triples()
    dataset = ox.NamedNode(dataset_iri(base))
    document = ox.NamedNode(f"{base}dataset")
    t.add(document, RDF.type, _iri(VOID.DatasetDescription))
    t.add(document, DCTERMS.title, _text(f"A description of the {TITLE} dataset"))
    t.add(document, FOAF.primaryTopic, dataset)
    for cls in (VOID.Dataset, DCAT.Dataset):
        t.add(dataset, RDF.type, _iri(cls))
    t.add(dataset, DCTERMS.title, _text(TITLE))
    t.add(dataset, DCTERMS.description, _text(DESCRIPTION))
    t.add(dataset, DCTERMS.license, _iri(LICENSE))
    t.add(dataset, DCTERMS.creator, ox.Literal(CREATOR))
    issued = ox.Literal(created, datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#dateTime"))
    t.add(dataset, DCTERMS.issued, issued)
    t.add(dataset, DCTERMS.modified, issued)
    t.add(dataset, "http://www.w3.org/ns/dcat#version", ox.Literal(release_id))
    t.add(dataset, OWL.versionInfo, ox.Literal(release_id))
    t.add(dataset, DCAT.landingPage, ox.NamedNode(base))
    t.add(dataset, VOID.sparqlEndpoint, ox.NamedNode(f"{base}sparql"))
    t.add(dataset, VOID.uriSpace, ox.Literal(uri_space(base)))
    t.add(dataset, VOID.triples, _int(stats.triples))
    t.add(dataset, VOID.entities, _int(stats.entities))
    t.add(dataset, VOID.distinctSubjects, _int(stats.distinct_subjects))
    t.add(dataset, VOID.distinctObjects, _int(stats.distinct_objects))
    t.add(dataset, VOID.properties, _int(stats.properties))
    t.add(dataset, VOID.classes, _int(stats.classes))
    for vocabulary in stats.vocabularies:
        t.add(dataset, VOID.vocabulary, ox.NamedNode(vocabulary))
    for example in stats.examples:
        t.add(dataset, VOID.exampleResource, ox.NamedNode(example))
    for feature in sorted(
        {FORMAT_FEATURES[f.format] for f in files if f.format in FORMAT_FEATURES}
    ):
        t.add(dataset, VOID.feature, ox.NamedNode(feature))
    for klass, entities in stats.class_partitions:
        part = ox.BlankNode()
        t.add(dataset, VOID.classPartition, part)
        t.add(part, VOID["class"], ox.NamedNode(klass))
        t.add(part, VOID.entities, _int(entities))
    for prop, triples in stats.property_partitions:
        part = ox.BlankNode()
        t.add(dataset, VOID.propertyPartition, part)
        t.add(part, VOID.property, ox.NamedNode(prop))
        t.add(part, VOID.triples, _int(triples))
    for graph in stats.graphs:
        subset = ox.NamedNode(graph.iri)
        t.add(dataset, VOID.subset, subset)
        t.add(subset, RDF.type, _iri(VOID.Dataset))
        t.add(subset, RDF.type, _iri(DCAT.Dataset))
        t.add(subset, VOID.triples, _int(graph.triples))
        for source in graph.sources:
            t.add(subset, PROV.wasDerivedFrom, ox.NamedNode(source))
        if graph.description:
            t.add(subset, DCTERMS.description, _text(graph.description))
    for dump in files:
        _describe_file(t, dataset, dump, base=base, release_id=release_id)
    return t.triples


def _describe_file(
    t: _Triples, dataset: ox.NamedNode, dump: DumpFile, *, base: str, release_id: str
) -> None:
    """A file is a distribution (and VoID dump) of the dataset, or of the one graph it holds."""
    url = ox.NamedNode(f"{base}downloads/{release_id}/{dump.name}")
    dist = ox.NamedNode(f"{base}id/distribution/{release_id}/{dump.name}")
    of = dataset if dump.graph is None else ox.NamedNode(dump.graph)
    t.add(of, VOID.dataDump, url)
    t.add(of, DCAT.distribution, dist)
    t.add(dist, RDF.type, _iri(DCAT.Distribution))
    t.add(dist, DCTERMS.title, ox.Literal(dump.name))
    t.add(dist, DCTERMS.description, _text(dump.description))
    t.add(dist, DCAT.downloadURL, url)
    t.add(dist, DCAT.accessURL, ox.NamedNode(f"{base}downloads/"))
    t.add(dist, DCAT.mediaType, _media_type(dump.media_type))
    if dump.compressed:
        t.add(dist, DCAT.compressFormat, _media_type("application/gzip"))
    t.add(dist, DCAT.byteSize, _int(dump.size, "nonNegativeInteger"))
    t.add(dist, DCTERMS.license, _iri(LICENSE))
    t.add(dist, VOID.triples, _int(dump.triples))
    checksum = ox.BlankNode()
    t.add(dist, SPDX.checksum, checksum)
    t.add(checksum, RDF.type, _iri(SPDX.Checksum))
    t.add(checksum, SPDX.algorithm, _iri(SPDX.checksumAlgorithm_sha256))
    t.add(
        checksum,
        SPDX.checksumValue,
        ox.Literal(
            dump.sha256, datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#hexBinary")
        ),
    )


def _media_type(media_type: str) -> ox.NamedNode:
    return ox.NamedNode(f"https://www.iana.org/assignments/media-types/{media_type}")


def describe_dataset(ctx: BuildContext) -> None:
    """Build step (after the dumps): count, describe, write void.ttl, load the VoID graph."""
    from publisher.build.pipeline import BuildError

    base = ctx.settings.base_iri
    void_graph = ox.NamedNode(void_graph_iri(base))
    if ctx.store.contains_named_graph(void_graph):
        raise BuildError(f"the graph <{void_graph.value}> is reserved for the VoID description")
    stats = compute_statistics(ctx.store, base, exclude=[void_graph])
    files = read_index(ctx.dumps_path)
    triples = describe(
        stats, files, base=base, release_id=ctx.manifest["id"], created=ctx.manifest["created"]
    )
    path = ctx.dumps_path / "void.ttl"
    ox.serialize(triples, str(path), ox.RdfFormat.TURTLE, prefixes=dict(PREFIXES))
    own = add_file(
        ctx.dumps_path,
        path,
        TURTLE,
        "This description (VoID and DCAT).",
        triples=len(set(triples)),
        graph=void_graph.value,
    )
    write_index(ctx.dumps_path, [*files, own], ctx.manifest["id"])
    ctx.store.extend(ox.Quad(t.subject, t.predicate, t.object, void_graph) for t in triples)
    ctx.manifest["statistics"] = stats.to_json()
    ctx.manifest["dumps"] = [asdict(f) for f in (*files, own)]
    ctx.log(f"described the dataset: {stats.triples} triples, {stats.entities} entities")


# --- reading it back ----------------------------------------------------------------------


def dataset_statistics(release: Release) -> dict[str, Any]:
    """The release's statistics for pages (home, /downloads/, /dataset): a plain dict.

    Keys: ``release``, ``created`` and every field of ``Statistics`` (``triples``,
    ``entities``, ``class_partitions`` ...); empty counts if the release predates them.
    """
    manifest = release.manifest()
    stats = manifest.get("statistics") or {}
    return {"release": release.id, "created": manifest.get("created"), **stats}


def serialize_description(
    store: ox.Store, fmt: Format, *, base: str, public_base: str | None = None
) -> bytes:
    """The VoID graph of the store in ``fmt`` (quad formats keep its graph name).

    With ``public_base`` every canonical IRI is rewritten, so the download URLs it names
    point at the server that answered.
    """
    if fmt.oxigraph is None:
        raise ValueError(f"{fmt.label} is not an RDF format")
    graph = ox.NamedNode(void_graph_iri(base))
    prefixes = dict(PREFIXES)
    if fmt.dataset:
        quads = store.quads_for_pattern(None, None, None, graph)
        data = ox.serialize(quads, None, fmt.oxigraph, prefixes=prefixes)
    else:
        data = store.dump(None, fmt.oxigraph, from_graph=graph, prefixes=prefixes)
    assert data is not None
    if public_base and public_base != base:
        data = data.replace(base.encode(), public_base.encode())
    return data
