"""Write TriG text for people to read: prefixes, one block per resource, escaped literals.

The importers write text rather than building pyoxigraph quads and serialising them: it is
several times faster for a hundred thousand rows, and the files read like the hand-written
ones in ``data/``. Only two things need care, and both are here: IRIs are written as
prefixed names only when the local part is plainly safe, and literals are escaped (a row
quoted as evidence holds tabs and quotes). Tests parse every file written.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from publisher.namespaces import DIP_IRI

XSD = "http://www.w3.org/2001/XMLSchema#"


#: Prefixes of the files an import writes: the project's, as data/*.trig use them.
def prefixes(base: str) -> dict[str, str]:
    return {
        "dip": DIP_IRI,
        "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
        "skos": "http://www.w3.org/2004/02/skos/core#",
        "xsd": XSD,
        "prov": "http://www.w3.org/ns/prov#",
        "dcterms": "http://purl.org/dc/terms/",
        "oa": "http://www.w3.org/ns/oa#",
        "schema": "http://schema.org/",
        "agent": f"{base}id/agent/",
        "event": f"{base}id/event/",
        "graph": f"{base}id/graph/",
        "org": f"{base}id/org/",
        "passage": f"{base}id/passage/",
        "person": f"{base}id/person/",
        "place": f"{base}id/place/",
        "source": f"{base}id/source/",
        "state": f"{base}id/state/",
        "cameo": f"{base}id/concept/event-type/",
    }


_LOCAL = re.compile(r"[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_-])?$")
_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"})
_IRI_FORBIDDEN = re.compile(r'[\x00-\x20<>"{}|^`\\]')


class Terms:
    """Turns IRIs and values into TriG terms with the file's prefixes."""

    def __init__(self, base: str) -> None:
        self.prefixes = prefixes(base)
        self._by_namespace = {ns: p for p, ns in self.prefixes.items()}

    def header(self) -> str:
        return "".join(f"@prefix {p}: <{ns}> .\n" for p, ns in self.prefixes.items()) + "\n"

    def iri(self, iri: str) -> str:
        """A prefixed name where a prefix's namespace is all but the last path segment (every
        prefix ends in / or #) and the rest is a safe local name; else ``<iri>``."""
        cut = max(iri.rfind("/"), iri.rfind("#")) + 1
        prefix = self._by_namespace.get(iri[:cut])
        if prefix is not None and _LOCAL.match(iri, cut):
            return f"{prefix}:{iri[cut:]}"
        if _IRI_FORBIDDEN.search(iri):
            raise ValueError(f"not an IRI the importer may write: {iri!r}")
        return f"<{iri}>"


def text(value: str, lang: str | None = "en") -> str:
    """A string literal, language-tagged unless ``lang`` is None."""
    escaped = '"' + value.translate(_ESCAPES) + '"'
    return f"{escaped}@{lang}" if lang else escaped


def typed(value: str, datatype: str) -> str:
    """A literal of an XSD datatype (``date``, ``nonNegativeInteger``…)."""
    return '"' + value.translate(_ESCAPES) + f'"^^xsd:{datatype}'


def resource(subject: str, statements: Iterable[tuple[str, str | list[str]]]) -> str:
    """One resource: ``subject p o ; p o1 , o2 .``, indented inside a graph block."""
    lines = []
    for predicate, objects in statements:
        values = objects if isinstance(objects, list) else [objects]
        if values:
            lines.append(f"{predicate} {' , '.join(values)}")
    return f"    {subject}\n        " + " ;\n        ".join(lines) + " .\n"
