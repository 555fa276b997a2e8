"""The event types an import may use, read from the project's ontology, never hard-coded.

A CAMEO code is imported only if ``ontology/vocabularies-event-types.ttl`` has it: that is
what the shapes accept (``dsh:EventType``) and what gives the event its root, QuadClass,
Goldstein score and PLOVER match. Adding a concept there (with its parent, QuadClass,
Goldstein score and PLOVER match, docs/ontology.md) is all it takes for an import to accept
the code. A PLOVER type or mode (POLECAT) becomes the CAMEO code that is its
``skos:exactMatch``; ``skos:closeMatch`` is not followed, because a close match is not the
same event type.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

import pyoxigraph as ox

EVENT_TYPE_SCHEME = "id/scheme/event-type"
PLOVER_SCHEME = "id/scheme/plover"
#: A CAMEO event code: a two-digit root (01-20), or a root followed by one or two digits.
CAMEO_CODE = re.compile(r"^(0[1-9]|1[0-9]|20)[0-9]{0,2}$")

_QUERY = """
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?scheme ?concept ?notation ?label WHERE {
  ?concept skos:inScheme ?scheme ; skos:notation ?notation .
  OPTIONAL { ?concept skos:prefLabel ?label FILTER(lang(?label) = "en") }
}"""

_PLOVER = """
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?cameoScheme ?ploverScheme ?cameo ?type ?mode WHERE {
  ?concept skos:inScheme ?cameoScheme ; skos:exactMatch ?plover ; skos:notation ?cameo .
  ?plover skos:inScheme ?ploverScheme .
  OPTIONAL { ?plover skos:broader ?parent . ?parent skos:notation ?parentNotation }
  ?plover skos:notation ?own .
  BIND(COALESCE(?parentNotation, ?own) AS ?type)
  BIND(IF(BOUND(?parentNotation), ?own, "") AS ?mode)
}"""


@dataclass(frozen=True)
class EventTypes:
    """CAMEO codes -> concept IRIs and labels; PLOVER (type, mode) -> CAMEO code."""

    iris: dict[str, str]
    labels: dict[str, str]
    plover: dict[tuple[str, str], str]

    @classmethod
    def from_store(cls, store: ox.Store, base: str) -> EventTypes:
        scheme = ox.NamedNode(base + EVENT_TYPE_SCHEME)
        iris: dict[str, str] = {}
        labels: dict[str, str] = {}
        for solution in select(store, _QUERY, {"scheme": scheme}):
            notation = solution["notation"].value
            iris[notation] = solution["concept"].value
            label = solution["label"]
            labels[notation] = label.value if label is not None else notation
        plover: dict[tuple[str, str], str] = {}
        bindings = {"cameoScheme": scheme, "ploverScheme": ox.NamedNode(base + PLOVER_SCHEME)}
        for solution in select(store, _PLOVER, bindings):
            key = (solution["type"].value.upper(), solution["mode"].value.casefold())
            plover.setdefault(key, solution["cameo"].value)
        return cls(iris, labels, plover)

    def cameo(self, code: str) -> tuple[str | None, str]:
        """The concept IRI of a CAMEO code, or None and the reason a curator can act on."""
        if code in self.iris:
            return self.iris[code], ""
        if not CAMEO_CODE.match(code):
            hint = " (a leading zero lost? CAMEO codes are 01-20 and their subcodes)"
            return None, f"'{code}' is not a CAMEO code{hint if code.isdigit() else ''}"
        return None, (
            f"CAMEO code {code} is not in the project's event-type vocabulary "
            f"(ontology/vocabularies-event-types.ttl has {self.known()}); add its concept "
            "there, with its parent, QuadClass, Goldstein score and PLOVER match, to import it"
        )

    def from_plover(self, event_type: str, mode: str) -> tuple[str | None, str]:
        """The CAMEO code matching a PLOVER type and mode exactly, else the type's; or None."""
        key_type = event_type.strip().upper()
        key_mode = mode.strip().casefold()
        code = self.plover.get((key_type, key_mode)) or self.plover.get((key_type, ""))
        if code is not None:
            return self.iris.get(code), ""
        matched = sorted({t for t, _ in self.plover})
        return None, (
            f"PLOVER type {key_type}{': ' + key_mode if key_mode else ''} is the exact match "
            f"of no CAMEO code in the vocabulary (exact matches exist for {', '.join(matched)}); "
            "add the skos:exactMatch to ontology/vocabularies-event-types.ttl to import it"
        )

    def known(self) -> str:
        return f"{len(self.iris)} codes: {', '.join(sorted(self.iris))}"


def select(
    store: ox.Store, query: str, bindings: Mapping[str, ox.NamedNode] | None = None
) -> ox.QuerySolutions:
    """Run a SELECT over the union of the store's graphs, with variables bound first."""
    substitutions: dict[ox.Variable, ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple] = {
        ox.Variable(k): v for k, v in (bindings or {}).items()
    }
    result = store.query(query, substitutions=substitutions, use_default_graph_as_union=True)
    assert isinstance(result, ox.QuerySolutions)
    return result
