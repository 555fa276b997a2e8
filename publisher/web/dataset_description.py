"""The dataset's description as the server sends it: the VoID graph the build loaded.

The build computes the VoID/DCAT description and loads it into ``{base}id/graph/void``
(``build/void.py``); ``/dataset``, ``/.well-known/void`` and ``/downloads/`` in RDF serialize
that graph, so every answer says exactly what the release's ``void.ttl`` says.
"""

from __future__ import annotations

import pyoxigraph as ox

from publisher.formats import Format
from publisher.namespaces import PREFIXES
from publisher.release.dataset import VOID, graph_iri
from publisher.release.store import Store


def serialize_description(
    store: Store, fmt: Format, *, base: str, public_base: str | None = None
) -> bytes:
    """The VoID graph of the store in ``fmt`` (quad formats keep its graph name).

    With ``public_base`` every canonical IRI is rewritten, so the download URLs it names
    point at the server that answered.
    """
    if fmt.oxigraph is None:
        raise ValueError(f"{fmt.label} is not an RDF format")
    graph = ox.NamedNode(graph_iri(base, VOID))
    prefixes = dict(PREFIXES)
    quads = store.quads(graph=graph)
    statements = quads if fmt.dataset else (quad.triple for quad in quads)
    data = ox.serialize(statements, None, fmt.oxigraph, prefixes=prefixes)
    assert data is not None
    if public_base and public_base != base:
        data = data.replace(base.encode(), public_base.encode())
    return data
