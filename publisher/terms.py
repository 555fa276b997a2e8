"""Conversions between pyoxigraph's terms (the store) and rdflib's (pyshacl, JSON-LD).

One definition for both halves: the build hands rdflib terms to pyshacl, the server to
rdflib's JSON-LD writer. An ``xsd:string`` literal becomes a simple literal, which RDF 1.1
says it is.
"""

from __future__ import annotations

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef
from rdflib.term import Node

from publisher.namespaces import RDF, XSD

#: ``rdf:type``, as the store's term.
RDF_TYPE = ox.NamedNode(str(RDF.type))


def to_rdflib(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple) -> Node:
    """One pyoxigraph term as the rdflib term pyshacl needs (xsd:string as a plain literal)."""
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        if term.datatype.value == str(XSD.string):
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(term.datatype.value))
    raise TypeError(f"RDF-star triple terms are not supported: {term}")
