"""Loading the inputs into the build's in-memory store, and writing the on-disk store last."""

from __future__ import annotations

import multiprocessing
import shutil
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from publisher.build.ahead import PATCHED, VALIDATED
from publisher.build.context import BuildContext, BuildError
from publisher.build.delta import graph_inputs, rules_digest
from publisher.build.incremental import preload
from publisher.build.inputs import InputError, check_rdfxml, is_authored, parse_quads, rdf_format
from publisher.build.parsed import LOSSLESS
from publisher.build.patch import PatchError, add_void, patch_graphs, previous, remember_graphs
from publisher.release.counts import graph_size
from publisher.release.dataset import INFERRED, ONTOLOGY, SHAPES, VOID, graph_iri
from publisher.release.layout import STORE_DIR

#: Files larger than this are loaded with ``Store.bulk_load`` (no transaction).
BULK_LOAD_BYTES = 16 * 1024 * 1024


#: Every literal ``parsed.encode`` made lossless, back to its own datatype (the store then
#: keeps it as it keeps any literal it loads). The prefix is a constant, not input.
DECODE = f"""
DELETE {{ GRAPH ?g {{ ?s ?p ?o }} }} INSERT {{ GRAPH ?g {{ ?s ?p ?decoded }} }}
WHERE {{
  GRAPH ?g {{ ?s ?p ?o }}
  FILTER(isLiteral(?o) && STRSTARTS(STR(DATATYPE(?o)), "{LOSSLESS}"))
  BIND(STRDT(STR(?o), IRI(SUBSTR(STR(DATATYPE(?o)), {len(LOSSLESS) + 1}))) AS ?decoded)
}}"""


def load_sources(ctx: BuildContext) -> None:
    """Load every input into the store: data files keep their named graphs.

    ``validate_sources`` has loaded the data and the ontology already, with lossless
    literals for SHACL (``parsed``); here they get their own datatypes back, and the shapes
    are added.
    """
    loaded = bool(ctx.parsed)
    ctx.rules = rules_digest(ctx)
    # While the validated triples are counted (their graphs only): the previous release's
    # inferred graph, if a rebuild may patch it (``incremental.preload``).
    preload(ctx)
    # The count must see the literals as validated: taken before they are decoded.
    ctx.ahead.take(VALIDATED, lambda: None)
    if loaded:
        ctx.store.update(DECODE)
    roles = (
        (() if loaded else ctx.sources.ontology, graph_iri(ctx.settings.base_iri, ONTOLOGY)),
        (ctx.sources.shapes, graph_iri(ctx.settings.base_iri, SHAPES)),
        (() if loaded else ctx.sources.data, None),
    )
    for paths, graph in roles:
        for path in paths:
            if is_authored(path):  # converted, already checked by validate_sources
                try:
                    ctx.store.extend(parse_quads(path))
                except InputError as exc:
                    raise BuildError(str(exc)) from None
                continue
            try:
                fmt = rdf_format(path)
                if fmt == ox.RdfFormat.RDF_XML:
                    check_rdfxml(path)  # the store's loader is a parser too
            except InputError as exc:
                raise BuildError(str(exc)) from None
            to_graph = ox.NamedNode(graph) if graph else None
            try:
                # bulk_load skips transactions but costs ~0.2 s a call; worth it only for
                # big files.
                load = (
                    ctx.store.bulk_load if path.stat().st_size > BULK_LOAD_BYTES else ctx.store.load
                )
                load(path=str(path), format=fmt, to_graph=to_graph)
            except SyntaxError as exc:
                raise BuildError(f"{path}: {exc}") from exc
    ctx.inputs = graph_inputs(ctx.parsed, ctx.sources.data)
    ctx.parsed.clear()  # the parses' bytes are in the store now: ~150 MB a million quads
    asserted = len(ctx.store)
    if ctx.preloaded is not None:  # the previous inferred graph is no input's
        asserted -= graph_size(ctx.store, ox.NamedNode(graph_iri(ctx.settings.base_iri, INFERRED)))
    ctx.manifest["asserted_quads"] = asserted
    ctx.log(f"loaded {asserted} quads from {len(ctx.sources.all())} files")


#: Stores of at least this many quads are written to disk by a child process while the
#: dumps, tables and VoID description are made; smaller ones at the end, in the build.
PERSIST_IN_BACKGROUND_QUADS = 50_000
#: The snapshot the child reads, in the staging directory (removed once it is written).
SNAPSHOT = ".store-snapshot.nq"


def start_persisting(ctx: BuildContext) -> None:
    """Start writing the on-disk store in a child process, once every quad but the VoID
    graph's is in the in-memory store: RocksDB's writes hold the interpreter, so a thread
    cannot overlap them with the dumps, but a second process on the second core can
    (1M quads: 20–40 s of persisting run beside the dumps instead of after them)."""
    if len(ctx.store) < PERSIST_IN_BACKGROUND_QUADS or previous(ctx) is not None:
        return  # small, or patched from the previous release's store (``patch.py``)
    snapshot = ctx.staged / SNAPSHOT
    ctx.store.dump(str(snapshot), ox.RdfFormat.N_QUADS)
    process = multiprocessing.get_context("spawn").Process(
        target=_persist_snapshot,
        args=(str(snapshot), str(ctx.staged / STORE_DIR)),
        name="diplograph-persist",
        daemon=True,
    )
    process.start()
    ctx.background["persist"] = process
    ctx.manifest["persisted_in_background"] = True


def _persist_snapshot(snapshot: str, target: str) -> None:
    """In the child: load the snapshot into a new on-disk store, flushed and optimised.
    Parsed here, not ``bulk_load``ed: that would rename the blank nodes, and the store's
    would no longer be the dumps'."""
    disk = ox.Store(target)
    disk.bulk_extend(ox.parse(path=snapshot, format=ox.RdfFormat.N_QUADS))
    disk.flush()
    disk.optimize()
    Path(snapshot).unlink()


def start_patching(ctx: BuildContext) -> None:
    """On a rebuild, start patching the previous release's store in a thread once the dumps'
    pieces say which graphs changed: RocksDB's writes release the interpreter, so they run
    beside the tables and the description (``ahead.py``); ``persist_store`` takes it."""
    before = previous(ctx)
    if before is None or "persist" in ctx.background or ctx.pieces is None:
        return
    ctx.ahead.start(PATCHED, lambda: patch_graphs(ctx, before))


def persist_store(ctx: BuildContext) -> None:
    """Write the in-memory store to the staged release's on-disk store, flushed and optimised.

    A rebuild patches the previous release's store instead when it can (``patch.py``). One
    ``bulk_extend`` is faster than dumping N-Quads and bulk-loading them (22.6 s against
    24.0 s for a million quads, flush and optimize included); the writable store is closed
    before the release is published.
    """
    process = ctx.background.pop("persist", None)
    before = previous(ctx) if process is None else None
    disk = None
    if before is not None:
        try:
            disk, changed = ctx.ahead.take(PATCHED, lambda: patch_graphs(ctx, before))
            add_void(ctx, disk)
            ctx.manifest["store_patched_from"] = before.release.id
            ctx.log(f"patched the store of release {before.release.id}: {changed} graph(s)")
        except (PatchError, OSError) as exc:
            ctx.log(f"writing the store whole: the previous one cannot be patched ({exc})")
            shutil.rmtree(ctx.staged / STORE_DIR, ignore_errors=True)
    if disk is None:
        disk = _write_store(ctx, process)
    ctx.manifest["quads"] = len(disk)
    if ctx.manifest["quads"] != len(ctx.store):
        raise BuildError(
            f"the on-disk store holds {ctx.manifest['quads']} quads, not {len(ctx.store)}"
        )
    del disk
    if ctx.pieces is not None:  # the next build reads them; this one's predecessor's go
        remember_graphs(ctx, ctx.pieces)
        ctx.pieces.prune()


def _write_store(ctx: BuildContext, process: Any) -> ox.Store:
    """The whole store, written by this process or by the child ``start_persisting`` began."""
    if process is None:
        disk = ox.Store(str(ctx.staged / STORE_DIR))
        disk.bulk_extend(ctx.store)
    else:  # the child has written everything but what was added since (the VoID graph)
        process.join()
        if process.exitcode != 0:
            raise BuildError(
                f"writing the on-disk store failed (exit status {process.exitcode}); "
                "see the messages above"
            )
        disk = ox.Store(str(ctx.staged / STORE_DIR))
        void = ox.NamedNode(graph_iri(ctx.settings.base_iri, VOID))
        disk.extend(ctx.store.quads_for_pattern(None, None, None, void))
    disk.flush()
    disk.optimize()
    return disk
