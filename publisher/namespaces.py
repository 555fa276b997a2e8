"""The vocabularies the project uses, declared once.

``DIP`` is a ``DefinedNamespace`` with ``_fail = True``: a misspelt ontology term is an error
at import time, not a silently empty query. A test checks it matches ``ontology/``.
"""

from __future__ import annotations

from rdflib import Namespace, URIRef
from rdflib.namespace import (
    DCAT,
    DCTERMS,
    FOAF,
    OWL,
    PROV,
    RDF,
    RDFS,
    SH,
    SKOS,
    TIME,
    VANN,
    VOID,
    XSD,
    DefinedNamespace,
)

DIP_IRI = "https://w3id.org/diplograph/ontology#"


class DIP(DefinedNamespace):
    """The Diplograph ontology (``ontology/diplograph.ttl``)."""

    _NS = Namespace(DIP_IRI)
    _fail = True

    # Terms are listed in ontology order; tests/test_namespaces.py keeps this in sync.
    Event: URIRef


SCHEMA = Namespace("http://schema.org/")
SEM = Namespace("http://semanticweb.cs.vu.nl/2009/11/sem/")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
SPDX = Namespace("http://spdx.org/rdf/terms#")
WD = Namespace("http://www.wikidata.org/entity/")

PREFIXES: dict[str, str] = {
    "dip": DIP_IRI,
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "owl": str(OWL),
    "xsd": str(XSD),
    "skos": str(SKOS),
    "prov": str(PROV),
    "schema": str(SCHEMA),
    "sem": str(SEM),
    "time": str(TIME),
    "foaf": str(FOAF),
    "dcterms": str(DCTERMS),
    "dcat": str(DCAT),
    "void": str(VOID),
    "vann": str(VANN),
    "sh": str(SH),
    "sd": str(SD),
    "spdx": str(SPDX),
    "wd": str(WD),
}

__all__ = [
    "DCAT",
    "DCTERMS",
    "DIP",
    "DIP_IRI",
    "FOAF",
    "OWL",
    "PREFIXES",
    "PROV",
    "RDF",
    "RDFS",
    "SCHEMA",
    "SD",
    "SEM",
    "SH",
    "SKOS",
    "SPDX",
    "TIME",
    "VANN",
    "VOID",
    "WD",
    "XSD",
]
