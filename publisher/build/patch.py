"""The on-disk store of a rebuild: the previous release's store, copied and patched.

Writing a new RocksDB store of a million quads takes tens of seconds, and a rebuild after
one changed source changes a few graphs. So when the previous release was built by the same
generator for the same base IRI, and the cache still knows which content each of its graphs
had (``{home}/cache/store-graphs/{release id}.json``: the dumps' piece keys, ``pieces.py``),
the new store starts as a checkpoint of the previous one (``Store.backup``: hard links, the
previous release is never opened for writing) and only the graphs whose key changed are
patched: the lines their old piece has and their new one lacks are removed, the new ones
added, graphs no longer there dropped, and the VoID graph replaced. Equal keys mean equal
quads, so an unchanged graph needs nothing. The patched store must then hold as many quads
as the build's in-memory store; if it does not, or anything else fails, the store is written
whole instead (``load.persist_store``).
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from publisher.build.context import BuildContext
from publisher.build.pieces import Piece, PieceCache, lines
from publisher.build.serialize import Graph
from publisher.release.dataset import VOID, graph_iri
from publisher.release.layout import STORE_DIR, NoRelease, Release, current_release

#: Quads added in one call above which ``bulk_extend`` (no transaction) is used.
BULK_QUADS = 100_000


class PatchError(RuntimeError):
    """The previous store cannot be patched into this release's; it is written whole."""


#: Bump when what ``remember_graphs`` records changes: older records are then not read.
RECORD_VERSION = 2


@dataclass(frozen=True)
class Previous:
    """The release a rebuild patches, its graphs' piece keys and data graphs' inputs."""

    release: Release
    keys: dict[str, list[str]]
    inputs: dict[str, str]
    #: What the inferred graph's rules were made from (``delta.rules_digest``).
    rules: str


def graphs_record(ctx: BuildContext, release_id: str) -> Path:
    return ctx.cache_path / "store-graphs" / f"{release_id}.json"


def previous(ctx: BuildContext) -> Previous | None:
    """The serving release, if its store can be patched into this build's."""
    try:
        release = current_release(ctx.settings.home)
        manifest = release.manifest()
        record = json.loads(graphs_record(ctx, release.id).read_text(encoding="utf-8"))
    except (NoRelease, OSError, ValueError):
        return None
    same = (
        manifest.get("generator") == ctx.manifest["generator"]
        and manifest.get("base_iri") == ctx.settings.base_iri
    )
    if (
        not same
        or not isinstance(record, dict)
        or record.get("version") != RECORD_VERSION
        or not release.store_path.is_dir()
    ):
        return None
    return Previous(release, record["keys"], record["inputs"], record["rules"])


def remember_graphs(ctx: BuildContext, pieces: PieceCache) -> None:
    """Record this release's graph keys for the next build (and forget older releases')."""
    record = graphs_record(ctx, ctx.manifest["id"])
    record.parent.mkdir(parents=True, exist_ok=True)
    tmp = record.with_name(f".{record.name}.{os.getpid()}")
    content = {
        "version": RECORD_VERSION,
        "keys": pieces.keys,
        "inputs": ctx.inputs,
        "rules": ctx.rules,
    }
    tmp.write_text(json.dumps(content, sort_keys=True), encoding="utf-8")
    os.replace(tmp, record)
    for entry in record.parent.iterdir():
        if entry != record:
            entry.unlink(missing_ok=True)


def graph_from(name: str) -> Graph:
    """A graph from its N-Triples form (``DEFAULT`` for the default graph)."""
    if name == str(ox.DefaultGraph()):
        return ox.DefaultGraph()
    if name.startswith("_:"):
        return ox.BlankNode(name[2:])
    return ox.NamedNode(name[1:-1])


def _quads(triple_lines: set[bytes], graph: Graph) -> list[ox.Quad]:
    triples = ox.parse(b"".join(triple_lines), format=ox.RdfFormat.N_TRIPLES)
    return [ox.Quad(t.subject, t.predicate, t.object, graph) for t in triples]


def _keys(part: str | list[str]) -> list[str]:
    return [part] if isinstance(part, str) else part


def _lines(directory: Path, keys: list[str]) -> set[bytes]:
    return {line for key in keys for line in lines(Piece(directory, key))}


def _patch(disk: ox.Store, graph: Graph, old: list[str], new: list[str], directory: Path) -> None:
    """Replace the lines of ``old``'s pieces by ``new``'s in one graph of the store."""
    added = _lines(directory, new)
    removed = _lines(directory, old)
    for quad in _quads(removed - added, graph):
        disk.remove(quad)
    _add(disk, _quads(added - removed, graph))


def _add(disk: ox.Store, quads: list[ox.Quad]) -> None:
    if len(quads) > BULK_QUADS:
        disk.bulk_extend(quads)
    else:
        disk.extend(quads)


def patch_graphs(ctx: BuildContext, before: Previous) -> tuple[ox.Store, int]:
    """The staged store: ``before``'s checkpoint with the graphs whose pieces changed
    patched; returns it and how many graphs changed. It needs only the dumps' pieces, so it
    runs beside the tables and the description (``load.start_patching``); the VoID graph is
    added once described (``add_void``)."""
    if ctx.pieces is None:
        raise PatchError("the dumps' pieces are not known")
    target = ctx.staged / STORE_DIR
    if target.exists():
        shutil.rmtree(target)
    source = ox.Store.read_only(str(before.release.store_path))
    source.backup(str(target))
    del source
    disk = ox.Store(str(target))
    new_keys = ctx.pieces.keys
    for name in before.keys.keys() - new_keys.keys():
        disk.remove_graph(graph_from(name))
    changed = 0
    for name, keys in new_keys.items():
        old_keys = before.keys.get(name)
        if old_keys == keys:
            continue
        changed += 1
        graph = graph_from(name)
        directory = ctx.pieces.directory
        if old_keys is None or not all(Piece(directory, k).path("nt").is_file() for k in old_keys):
            disk.remove_graph(graph)  # new, or its old pieces are gone: written whole
            _add(disk, _quads(_lines(directory, keys), graph))
            continue
        # A split graph keeps its parts (``pieces.split``): patch the parts that changed.
        same_parts = len(old_keys) == len(keys)
        pairs = zip(old_keys, keys, strict=True) if same_parts else [(old_keys, keys)]
        for old_part, new_part in pairs:
            if old_part != new_part:
                _patch(disk, graph, _keys(old_part), _keys(new_part), directory)
    return disk, changed


def add_void(ctx: BuildContext, disk: ox.Store) -> None:
    """The VoID graph replaced by the build's, and the patched store checked against the
    build's in-memory one (``PatchError`` if they differ)."""
    void = ox.NamedNode(graph_iri(ctx.settings.base_iri, VOID))
    disk.remove_graph(void)
    disk.extend(ctx.store.quads_for_pattern(None, None, None, void))
    disk.flush()
    if len(disk) != len(ctx.store):
        raise PatchError(f"the patched store holds {len(disk)} quads, not {len(ctx.store)}")
