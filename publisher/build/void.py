"""The dataset's own description (VoID + DCAT) as RDF, written and loaded by the build.

The counts (``statistics.py``) describe the data *as the dumps hold it*: every graph of the
release except the VoID graph itself (``{base}id/graph/void``), which is loaded into the
store after the counts and the dumps are made — a description cannot count or checksum
itself. To reproduce a count over SPARQL, exclude that graph (see docs/downloads.md).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict

import pyoxigraph as ox

from publisher.build.ahead import STATISTICS
from publisher.build.context import BuildContext, BuildError
from publisher.build.dumps import add_file, dump_counts
from publisher.build.statistics import compute_statistics
from publisher.build.statistics_delta import patched_statistics
from publisher.formats import TURTLE
from publisher.namespaces import DCAT, DCTERMS, FOAF, OWL, PREFIXES, PROV, RDF, SPDX, VOID
from publisher.release.catalogue import (
    DumpFile,
    Statistics,
    read_index,
    write_index,
)
from publisher.release.dataset import (
    CREATOR,
    DESCRIPTION,
    LICENSE,
    TITLE,
    dataset_iri,
    distribution_iri,
    graph_iri,
    uri_space,
)
from publisher.release.dataset import (
    VOID as VOID_GRAPH,
)

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


#: What the non-RDF files follow (dcterms:conformsTo): CSV by RFC 4180, GraphML's namespace.
CONFORMS_TO = {
    "csv": "https://www.rfc-editor.org/rfc/rfc4180",
    "graphml": "http://graphml.graphdrawing.org/xmlns",
}


def void_triples(
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
    dist = ox.NamedNode(distribution_iri(base, release_id, dump.name))
    of = dataset if dump.graph is None else ox.NamedNode(dump.graph)
    rdf = dump.format in FORMAT_FEATURES  # events.csv, network.graphml: tables, not RDF
    if rdf:
        t.add(of, VOID.dataDump, url)
    t.add(of, DCAT.distribution, dist)
    t.add(dist, RDF.type, _iri(DCAT.Distribution))
    t.add(dist, DCTERMS.title, ox.Literal(dump.name))
    t.add(dist, DCTERMS.description, _text(dump.description))
    t.add(dist, DCAT.downloadURL, url)
    t.add(dist, DCAT.accessURL, ox.NamedNode(f"{base}downloads/"))
    if dump.format == "graphml":  # no IANA registration: the type as text, not an IANA IRI
        t.add(dist, DCTERMS["format"], ox.Literal(dump.media_type))
    else:
        t.add(dist, DCAT.mediaType, _media_type(dump.media_type))
    if dump.compressed:
        t.add(dist, DCAT.compressFormat, _media_type("application/gzip"))
    t.add(dist, DCAT.byteSize, _int(dump.size, "nonNegativeInteger"))
    t.add(dist, DCTERMS.license, _iri(LICENSE))
    if rdf:
        t.add(dist, VOID.triples, _int(dump.triples))
    elif dump.format in CONFORMS_TO:
        t.add(dist, DCTERMS.conformsTo, ox.NamedNode(CONFORMS_TO[dump.format]))
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
    base = ctx.settings.base_iri
    void_graph = ox.NamedNode(graph_iri(base, VOID_GRAPH))
    if ctx.store.contains_named_graph(void_graph):
        raise BuildError(f"the graph <{void_graph.value}> is reserved for the VoID description")
    files = read_index(ctx.dumps_path)
    # The dumps were counted on this store as it is: write_tables only reads it.
    store, counts = ctx.store, dump_counts(files)

    def statistics() -> Statistics:
        patched = patched_statistics(ctx)  # a rebuild's: the previous release's, patched
        if patched is not None:
            return patched()
        return compute_statistics(store, base, exclude=[void_graph], counts=counts)

    stats = ctx.ahead.take(STATISTICS, statistics)
    triples = void_triples(
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
