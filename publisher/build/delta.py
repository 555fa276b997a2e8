"""What a rebuild can take from the previous release without reading it again.

A data graph's content in the release is a function of the files that state it: their
paths (blank nodes are named from them, ``parsed._BlankNodes``) and their quads, loaded and
decoded by this generator with this pyoxigraph (``load.load_sources``); no later step writes
into a data graph (materialisation and date bounds write to ``id/graph/inferred``). So each
data graph gets an *inputs* digest of exactly that, recorded with the release's piece keys
(``patch.remember_graphs``), and a graph whose digest is the previous release's has the
previous release's content: its dump pieces are those keys', without dumping or hashing it
(at a million quads that took most of a rebuild's ``write_dumps``).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from pathlib import Path

import pyoxigraph as ox

from publisher import __version__
from publisher.build.context import BuildContext
from publisher.build.inputs import is_authored
from publisher.build.parsed import PARSER_VERSION, ParsedFile, sha256_file
from publisher.build.patch import previous
from publisher.build.pieces import PIECES_VERSION

#: Bump when what a graph's content depends on changes.
INPUTS_VERSION = "1"


def graph_inputs(parsed: Mapping[Path, ParsedFile], data: tuple[Path, ...]) -> dict[str, str]:
    """Each data graph's inputs digest (graphs in N-Triples form): the files stating it,
    each by its path and content. An authored source's content is its conversion (which
    reads its text file too), a file's otherwise."""
    files: dict[str, list[tuple[str, str]]] = {}
    for path in data:
        found = parsed.get(path)
        if found is None:  # not parsed by validation: nothing is known about its graphs
            return {}
        token = hashlib.sha256(found.nquads).hexdigest() if is_authored(path) else found.sha256
        for graph in found.graphs:
            files.setdefault(graph, []).append((str(path), token))
    versions = [INPUTS_VERSION, __version__, ox.__version__, PARSER_VERSION, PIECES_VERSION]
    return {
        graph: hashlib.sha256(json.dumps([versions, sorted(stated)]).encode()).hexdigest()
        for graph, stated in files.items()
        if graph
    }


def unchanged_keys(ctx: BuildContext) -> dict[str, list[str]]:
    """The piece keys of the previous release's graphs whose inputs are this build's."""
    before = previous(ctx)
    if before is None or not ctx.inputs:
        return {}
    return {
        graph: before.keys[graph]
        for graph, digest in ctx.inputs.items()
        if before.inputs.get(graph) == digest and graph in before.keys
    }


def rules_digest(ctx: BuildContext) -> str:
    """What the inferred graph depends on besides the data: the ontology and shapes files
    (the rules' schema, and the statements no rule may duplicate), the base IRI (the graphs'
    names) and the generator."""
    files = [(str(p), sha256_file(p)) for p in (*ctx.sources.ontology, *ctx.sources.shapes)]
    versions = [INPUTS_VERSION, __version__, ox.__version__, ctx.settings.base_iri]
    return hashlib.sha256(json.dumps([versions, files]).encode()).hexdigest()
