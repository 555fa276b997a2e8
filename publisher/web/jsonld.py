"""Compact JSON-LD written straight from the store's triples, against the published @context.

rdflib's JSON-LD serializer was most of a fresh JSON-LD document's cost (a person's took
about five times its Turtle at a million quads), and it needed every term converted to
rdflib's first. ``compact`` writes the form rdflib wrote with ``auto_compact`` — the same
keys and values: a term where the context defines one for the property, language maps for
language-tagged names, ``prefix:name`` for other IRIs that a prefix covers, ``@type`` for
``rdf:type``, well-formed RDF lists as ``@list``, integers and booleans as JSON numbers
and booleans — from pyoxigraph's terms. Nodes come in document order (the thing first), not
rdflib's set order, and integers and booleans stay typed literals unless in their canonical
form, so every statement parses back exactly.

It reads the kinds of definitions ``renderers.jsonld_context`` publishes — prefixes, one
term per property (``{"@id": …}``) and language maps (``"@container": "@language"``) — and
refuses any other, so a context that grew one cannot be silently misread.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

import pyoxigraph as ox

from publisher.namespaces import RDF, XSD
from publisher.terms import RDF_TYPE

JsonValue = Any  # a JSON-LD value: str, bool, int, or a value/node/list object

FIRST = ox.NamedNode(str(RDF.first))
REST = ox.NamedNode(str(RDF.rest))
NIL = ox.NamedNode(str(RDF.nil))
LIST = ox.NamedNode(str(RDF.List))
XSD_STRING = str(XSD.string)
XSD_BOOLEAN = str(XSD.boolean)
XSD_INTEGER = str(XSD.integer)
CANONICAL_INTEGER = re.compile(r"-?(0|[1-9][0-9]*)")
# A term whose IRI ends with one of these is also a prefix (JSON-LD 1.0, as rdflib reads it).
GEN_DELIMS = (":", "/", "?", "#", "[", "]", "@")

Subject = ox.NamedNode | ox.BlankNode
#: IRIs whose short form is kept (the same properties, types and much-linked resources are
#: in document after document).
SHRUNK_KEPT = 65_536


class Compactor:
    """Compaction against one ``@context`` (its dict), its look-ups made once."""

    def __init__(self, context: Mapping[str, Any]) -> None:
        self.prefixes: dict[str, str] = {}  # namespace → prefix
        self.terms: dict[str, str] = {}  # property IRI → term
        self.language_maps: dict[str, str] = {}  # property IRI → language-map term
        for name, definition in context.items():
            iri, container = _definition(name, definition)
            (self.language_maps if container else self.terms)[iri] = name
            if iri.endswith(GEN_DELIMS):
                self.prefixes[iri] = name
        self._shrunk: dict[str, str] = {}

    def shrink(self, iri: str) -> str:
        """``prefix:name`` for an IRI a prefix covers (split at its last '#', '/' or ':')."""
        found = self._shrunk.get(iri)
        if found is None:
            namespace = next((iri[: at + 1] for at in map(iri.rfind, "#/:") if at > -1), iri)
            prefix = self.prefixes.get(namespace)
            found = f"{prefix}:{iri[len(namespace) :]}" if prefix else iri
            if len(self._shrunk) >= SHRUNK_KEPT:  # bounded: a server meets millions of IRIs
                self._shrunk.clear()
            self._shrunk[iri] = found
        return found

    def symbol(self, iri: str) -> str:
        """An IRI where the vocabulary goes (keys, types, datatypes): its term, if any."""
        return self.terms.get(iri) or self.shrink(iri)

    def compact(self, triples: Iterable[ox.Triple]) -> dict[str, Any]:
        """The compact document of ``triples`` (without ``@context``): its nodes in
        ``@graph``, in the order their subjects first appear, or the one node itself."""
        document = _Document(self, triples)
        nodes = document.nodes()
        return nodes[0] if len(nodes) == 1 else {"@graph": nodes}


class _Document:
    """One document's statements grouped by subject, and the lists among them."""

    def __init__(self, compactor: Compactor, triples: Iterable[ox.Triple]) -> None:
        self.compactor = compactor
        self.by_subject: dict[Subject, list[tuple[ox.NamedNode, Any]]] = {}
        for triple in triples:
            self.by_subject.setdefault(triple.subject, []).append(  # type: ignore[arg-type]
                (triple.predicate, triple.object)
            )
        self.in_lists: set[ox.BlankNode] = set()

    def nodes(self) -> list[dict[str, Any]]:
        out: dict[Subject, dict[str, Any]] = {}
        for subject, statements in self.by_subject.items():
            node: dict[str, Any] = {"@id": self._id(subject)}
            for predicate, obj in statements:
                self._add(node, predicate, obj)
            out[subject] = node
        return [node for subject, node in out.items() if subject not in self.in_lists]

    def _id(self, node: Subject) -> str:
        if isinstance(node, ox.BlankNode):
            return "_:" + node.value
        return self.compactor.shrink(node.value)

    def _add(self, node: dict[str, Any], predicate: ox.NamedNode, obj: Any) -> None:
        c = self.compactor
        value: JsonValue
        if isinstance(obj, ox.Literal):
            language, language_map = obj.language, c.language_maps.get(predicate.value)
            if language and language_map is not None:
                _append(node.setdefault(language_map, {}), language, obj.value)
                return
            key, value = c.symbol(predicate.value), self._literal(obj)
        elif predicate == RDF_TYPE and predicate.value not in c.terms:
            key = "@type"
            value = c.symbol(obj.value) if isinstance(obj, ox.NamedNode) else self._value(obj)
        else:
            key, value = c.symbol(predicate.value), self._value(obj)
        _append(node, key, value)

    def _value(self, obj: Any) -> JsonValue:
        if isinstance(obj, ox.Literal):
            return self._literal(obj)
        if obj == NIL:
            return {"@list": []}
        if isinstance(obj, ox.BlankNode):
            items = self._list(obj)
            if items is not None:
                return {"@list": [self._value(item) for item in items]}
        return {"@id": self._id(obj)}

    def _literal(self, literal: ox.Literal) -> JsonValue:
        if literal.language:
            return {"@language": literal.language, "@value": literal.value}
        datatype, text = literal.datatype.value, literal.value
        if datatype == XSD_STRING:
            return text
        if datatype == XSD_BOOLEAN and text in ("true", "false"):
            return text == "true"
        if datatype == XSD_INTEGER and CANONICAL_INTEGER.fullmatch(text):
            return int(text)
        return {"@type": self.compactor.symbol(datatype), "@value": text}

    def _list(self, head: ox.BlankNode) -> list[Any] | None:
        """The members of the well-formed RDF list starting at ``head`` (blank cells with
        one ``rdf:first``, one ``rdf:rest`` and at most ``rdf:type rdf:List``), or None."""
        items: list[Any] = []
        cells: list[ox.BlankNode] = []
        cell: Any = head
        while cell != NIL:
            if not isinstance(cell, ox.BlankNode) or cell in cells:
                return None
            first = rest = None
            for predicate, obj in self.by_subject.get(cell, ()):
                if predicate == FIRST and first is None:
                    first = obj
                elif predicate == REST and rest is None:
                    rest = obj
                elif predicate != RDF_TYPE or obj != LIST:
                    return None
            if first is None or rest is None:
                return None
            items.append(first)
            cells.append(cell)
            cell = rest
        self.in_lists.update(cells)
        return items


def _append(node: dict[str, Any], key: str, value: JsonValue) -> None:
    """One value under ``key``: alone the first time, then a list of them."""
    found = node.get(key)
    if found is None:
        node[key] = value
    elif isinstance(found, list):
        found.append(value)
    else:
        node[key] = [found, value]


def _definition(name: str, definition: Any) -> tuple[str, str | None]:
    if name.startswith("@"):
        raise ValueError(f"JSON-LD context keyword {name!r} is not supported here")
    if isinstance(definition, str):
        return definition, None
    if (
        isinstance(definition, dict)
        and isinstance(definition.get("@id"), str)
        and set(definition) <= {"@id", "@container"}
        and definition.get("@container", "@language") == "@language"
    ):
        return definition["@id"], definition.get("@container")
    raise ValueError(
        f"JSON-LD context term {name!r}: {definition!r} is neither a prefix, a term "
        '{"@id": …} nor a language map; compaction supports only those'
    )


_COMPACTORS: dict[int, tuple[Mapping[str, Any], Compactor]] = {}
_COMPACTORS_KEPT = 8


def compactor(context: Mapping[str, Any]) -> Compactor:
    """The compactor of ``context``, made once per context object (the app keeps one)."""
    kept = _COMPACTORS.get(id(context))
    if kept is None or kept[0] is not context:
        if len(_COMPACTORS) >= _COMPACTORS_KEPT:
            _COMPACTORS.clear()
        kept = _COMPACTORS[id(context)] = (context, Compactor(context))
    return kept[1]
