"""The dataset's identity: its IRIs, the graphs the build makes, its title and licence.

Every ``{base}id/graph/…`` and ``{base}id/dataset/…`` IRI is spelt here and only here: the
build mints them, the server reads them, and neither may disagree.
"""

from __future__ import annotations

TITLE = "Diplograph"
DESCRIPTION = (
    "A knowledge graph of diplomatic events — state visits, summits, parades, treaty "
    "signings, deployments, statements — with who took part in which role, the agreements "
    "between states and the claims sources make, each fact kept in the named graph of the "
    "source document it comes from (PROV-O)."
)
CREATOR = "The Diplograph contributors"
LICENSE = "https://creativecommons.org/licenses/by/4.0/"

#: The named graphs the build makes itself, and what each holds; data files may not use them.
BUILD_GRAPHS: dict[str, str] = {
    "ontology": "The Diplograph ontology and its SKOS concept schemes.",
    "shapes": "The SHACL shapes every release is validated against.",
    "inferred": "RDFS consequences of the ontology's alignments and the earliest and latest "
    "day of every stated date, materialised by the build.",
    "void": "The dataset's own description (VoID and DCAT), made after the counts and dumps.",
}
ONTOLOGY, SHAPES, INFERRED, VOID = "ontology", "shapes", "inferred", "void"


def graph_iri(base: str, name: str) -> str:
    """The IRI of a named graph under ``{base}id/graph/`` (the build's, or a source's)."""
    return f"{base}id/graph/{name}"


def build_graph_name(base: str, iri: str) -> str | None:
    """``ontology`` for ``{base}id/graph/ontology``; None for a graph the build did not make."""
    prefix = graph_iri(base, "")
    name = iri[len(prefix) :] if iri.startswith(prefix) else None
    return name if name in BUILD_GRAPHS else None


def dataset_iri(base: str) -> str:
    return f"{base}id/dataset/diplograph"


def distribution_iri(base: str, release_id: str, name: str) -> str:
    return f"{base}id/distribution/{release_id}/{name}"


def uri_space(base: str) -> str:
    """The prefix of every entity IRI the project mints (``void:uriSpace``)."""
    return f"{base}id/"


def skolem_prefix(base: str) -> str:
    """Where a release's blank nodes become IRIs when it is loaded into an external engine
    (RDF 1.1 Concepts §3.5, ``/.well-known/genid/``), and become blank nodes again when the
    server reads them back."""
    return f"{base}.well-known/genid/"
