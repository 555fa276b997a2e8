"""What the SPARQL endpoint keeps for the app's lifetime, started with the app.

``start_sparql`` is called from ``create_app`` (``init_sparql``): it starts the worker pool
(or, on an external engine, the ``EnginePool`` that forwards queries to it), counts the
graphs in the background and reads the example queries, so nothing starts as a side effect
of registering a blueprint.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache, partial
from pathlib import Path

from publisher.config import Settings
from publisher.formats import BY_NAME
from publisher.namespaces import PREFIXES
from publisher.release.layout import Release
from publisher.release.sparql_store import SparqlStore
from publisher.release.store import Store
from publisher.web.addresses import AddressCounts
from publisher.web.background import Background
from publisher.web.errors import ServiceUnavailable
from publisher.web.sparql import service_description
from publisher.web.sparql.examples import Example, load_examples
from publisher.web.sparql.forward import EnginePool
from publisher.web.sparql.limits import ClientLimiter
from publisher.web.sparql.pool import WorkerPool, release_shared, shared_pool

DESCRIPTIONS_KEPT = 32  # (URL, format) pairs: the URL follows the Host header, so bounded
COUNT_WAIT = 30.0  # seconds a service-description request waits for the graph counts
YASGUI = Path(__file__).resolve().parents[1] / "static" / "yasgui" / "yasgui.min.js"


@dataclass
class SparqlService:
    """The endpoint's worker pool, client limits, graph counts and example queries."""

    pool: WorkerPool
    limiter: ClientLimiter
    sizes: service_description.GraphCounter
    examples: list[Example]
    yasgui: bool
    prefixes: tuple[tuple[str, str], ...]
    description: Callable[[str, str], bytes]  # (endpoint URL, format name) → RDF, cached


def start_sparql(
    owner: object,
    settings: Settings,
    release: Release,
    store: Store,
    background: Background,
    *,
    pool: WorkerPool | None = None,
    addresses: AddressCounts | None = None,
) -> SparqlService:
    """Start the worker pool (released when ``owner``, the app, is collected) unless one
    is given (a server process's own, one of several, with the per-address counts they
    share), or on an external engine the ``EnginePool`` that forwards queries;
    count the graphs in the background; read the example queries."""
    workers: WorkerPool
    if isinstance(store, SparqlStore):  # an external engine runs the queries
        workers = EnginePool(store, settings.sparql_workers)
        weakref.finalize(owner, workers.close)
    elif pool is None:
        workers = shared_pool(
            release.store_path,
            settings.sparql_workers,
            allow_network=settings.allow_networked_queries,
        )
        weakref.finalize(owner, release_shared, workers)
    else:
        workers = pool
    counter = service_description.GraphCounter()
    background.start("graph-count", partial(counter.count, store))
    return SparqlService(
        pool=workers,
        limiter=ClientLimiter(
            settings.per_client_queries, workers=settings.sparql_workers, addresses=addresses
        ),
        sizes=counter,
        description=lru_cache(maxsize=DESCRIPTIONS_KEPT)(partial(_describe, counter)),
        examples=load_examples(),
        yasgui=YASGUI.is_file(),
        prefixes=tuple(PREFIXES.items()),
    )


def _describe(counter: service_description.GraphCounter, endpoint: str, format_name: str) -> bytes:
    """Describe the service at ``endpoint``. Why cached: with thousands of graphs this is
    ~0.2 s and a megabyte of RDF, the same for every request that names the same URL."""
    sizes = counter.get(COUNT_WAIT)
    if sizes is None:  # raised, so never cached
        raise ServiceUnavailable(
            "The service description is still being prepared (graphs "
            "are counted when the server starts); retry shortly.",
            headers={"Retry-After": "5"},
        )
    triples = service_description.service_triples(endpoint, sizes, "Diplograph SPARQL endpoint")
    return service_description.serialize(triples, BY_NAME[format_name])
