"""Every input file parsed once per build (in parallel, cached by content), losslessly.

The build used to parse each data file four times (validation, named-graph checks, HermiT,
loading); at a million triples that alone took a minute. Now one pass, in worker processes,
parses each file with ``inputs.parse_quads`` (so every defence against hostile input still
applies), records what the named-graph checks need, and keeps the quads as N-Quads bytes.
Those bytes are cached under ``{home}/cache/parsed/`` by the file's SHA-256, so a rebuild
parses only the files that changed.

The quads are *lossless*: pyoxigraph's store rewrites literals into canonical values
(``"18"^^xsd:nonNegativeInteger`` becomes ``"18"^^xsd:integer``, ``"1.50"`` becomes
``"1.5"``, ``+00:00`` becomes ``Z``), and SHACL must see the literals as written. So every
literal with a datatype other than ``xsd:string`` gets the datatype
``{LOSSLESS}{datatype}``, which the store keeps as it is; ``decode`` undoes it, and
``load.load_sources`` undoes it in the store before anything else reads it.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import cast

import pyoxigraph as ox

from publisher.build.inputs import is_authored, parse_quads

#: Prefix of the datatype IRI that keeps a typed literal exactly as written in the store.
LOSSLESS = "urn:x-diplograph:lossless:"
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
PROV_DERIVED_FROM = "http://www.w3.org/ns/prov#wasDerivedFrom"
OWL_IMPORTS = "http://www.w3.org/2002/07/owl#imports"
#: Bump when what ``parse_file`` records changes: older cache entries are then ignored.
PARSER_VERSION = "2"
RDFS_SUBCLASS = "http://www.w3.org/2000/01/rdf-schema#subClassOf"


@dataclass
class ParsedFile:
    """One input file as the build's steps need it, without parsing it again."""

    path: Path
    sha256: str
    #: The file's quads as N-Quads, literals lossless (``LOSSLESS``).
    nquads: bytes
    quads: int
    #: Graph names (N-Triples form) in order of first use; ``""`` is the default graph.
    graphs: list[str] = field(default_factory=list)
    #: Subjects of ``prov:wasDerivedFrom`` that are IRIs (graph descriptions).
    derived: list[str] = field(default_factory=list)
    #: Quads in the default graph, and the subject of the first one.
    loose: int = 0
    first_loose: str | None = None
    #: The first ``owl:imports`` statement, as (subject, object).
    first_import: tuple[str, str] | None = None
    #: Distinct subjects, and distinct non-literal objects, in N-Triples form.
    subjects: list[str] = field(default_factory=list)
    objects: list[str] = field(default_factory=list)
    #: Objects of the predicates SHACL reads backwards (``sh:inversePath``), in N-Triples form.
    inverse_objects: list[str] = field(default_factory=list)
    #: Whether the file states ``rdfs:subClassOf`` (a class hierarchy every shape follows).
    schema: bool = False
    #: The file's triples as N-Triples, literals as written (what SHACL reads); empty when
    #: the parse came from the cache (``written`` makes them from ``nquads`` then).
    ntriples: bytes = b""

    def facts(self) -> dict[str, object]:
        """What the cache keeps beside the N-Quads (``asdict`` copied every list deeply: at a
        million quads that took seconds of the build's own process)."""
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name not in _BYTES}


#: ``ParsedFile`` fields that are not facts: the path and the parse itself.
_BYTES = ("path", "nquads", "ntriples")


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def encode(term: ox.Literal) -> ox.Literal:
    """A typed literal as the store keeps it unchanged (see the module docstring)."""
    datatype = term.datatype.value
    if term.language or datatype == XSD_STRING:
        return term
    return ox.Literal(term.value, datatype=ox.NamedNode(LOSSLESS + datatype))


def decode(term: ox.Literal) -> ox.Literal:
    """``encode`` undone."""
    datatype = term.datatype.value
    if datatype.startswith(LOSSLESS):
        return ox.Literal(term.value, datatype=ox.NamedNode(datatype[len(LOSSLESS) :]))
    return term


#: A lossless datatype as N-Triples and N-Quads write it, after the literal's closing quote.
_WRAPPED = f'"^^<{LOSSLESS}'.encode()
#: The same after a backslash: maybe an escaped quote inside a literal, not its end.
_WRAPPED_ESCAPED = re.compile(rb'(\\*)"\^\^<' + re.escape(LOSSLESS.encode()))


def unwrap(text: bytes) -> bytes:
    """``decode`` on N-Triples or N-Quads text, without parsing it: every lossless datatype
    back to the one written. A literal ends at a quote after an even number of backslashes;
    only a literal whose text holds the marker itself needs the slower, exact pass."""
    if b"\\" + _WRAPPED not in text:
        return text.replace(_WRAPPED, b'"^^<')
    return _WRAPPED_ESCAPED.sub(lambda m: m[0] if len(m[1]) % 2 else m[1] + b'"^^<', text)


def written(parsed: ParsedFile) -> bytes:
    """``parsed``'s triples as N-Triples, literals as written (``ParsedFile.ntriples``, or
    made from the N-Quads for a parse that came from the cache)."""
    if parsed.ntriples or not parsed.nquads:
        return parsed.ntriples
    triples = (
        ox.Triple(q.subject, q.predicate, q.object)
        for q in ox.parse(unwrap(parsed.nquads), format=ox.RdfFormat.N_QUADS)
    )
    return ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""


def load_keeping_blank_nodes(
    store: ox.Store, text: bytes, fmt: ox.RdfFormat, to_graph: ox.NamedNode | None = None
) -> None:
    """Add N-Triples or N-Quads ``text`` (ours: already parsed and checked) to ``store``,
    blank nodes keeping their names. The store's loader renames blank nodes at random, so
    only the lines without one go through it (in Rust, the bulk of the data), and the lines
    with one are parsed here and added as they are."""
    plain: list[bytes] = []
    blank: list[bytes] = []
    for line in text.splitlines(keepends=True):
        (blank if b"_:" in line else plain).append(line)
    if plain:
        store.load(b"".join(plain), format=fmt, to_graph=to_graph, lenient=True)
    if blank:
        parsed = ox.parse(b"".join(blank), format=fmt)
        if to_graph is None:
            store.extend(cast(Iterator[ox.Quad], parsed))
        else:
            store.extend(ox.Quad(t.subject, t.predicate, t.object, to_graph) for t in parsed)


def parse_file(
    path: Path,
    inverse_predicates: Sequence[str] = (),
    quads: Sequence[ox.Quad] | None = None,
) -> ParsedFile:
    """Parse one file (``InputError`` if it cannot be read) and note what the checks need.

    ``quads``: the file's quads when they are already read (an authored source converted by
    ``check_authored_sources``, with every check of ``parse_quads`` passed), so that what is
    validated is what was checked, converted once.

    Terms are collected as pyoxigraph objects and turned into N-Triples strings once each
    (a million quads made 5 million ``str`` calls before).
    """
    sha = sha256_file(path) if path.is_file() else ""
    if quads is None:
        quads = parse_quads(path)
    graphs: dict[ox.NamedNode | ox.BlankNode | ox.DefaultGraph, None] = {}
    derived: dict[str, None] = {}
    subjects: dict[object, None] = {}
    objects: dict[object, None] = {}
    inverse: dict[object, None] = {}
    wanted = set(inverse_predicates)
    loose, first_loose, first_import, schema = 0, None, None, False
    encoded: list[ox.Quad] = []
    written: list[ox.Triple] = []
    blank = _BlankNodes(path)
    blank_node, literal, default = ox.BlankNode, ox.Literal, ox.DefaultGraph
    for quad in quads:
        s, p, o, g = quad.subject, quad.predicate, quad.object, quad.graph_name
        relabelled = False
        if type(s) is blank_node:
            s, relabelled = blank(s), True
        if type(o) is blank_node:
            o, relabelled = blank(o), True
        if type(g) is blank_node:
            g, relabelled = blank(g), True
        written.append(ox.Triple(s, p, o))
        if type(g) is default:
            loose += 1
            if first_loose is None:
                first_loose = str(s)
        graphs[g] = None
        subjects[s] = None
        predicate = p.value
        if type(o) is literal:
            kept = encode(o)
            if kept is not o:
                o, relabelled = kept, True
        else:
            objects[o] = None
            if predicate in wanted:
                inverse[o] = None
        if predicate == PROV_DERIVED_FROM and type(s) is ox.NamedNode:
            derived[s.value] = None
        elif predicate == RDFS_SUBCLASS:
            schema = True
        elif predicate == OWL_IMPORTS and first_import is None:
            first_import = (str(s), str(o))
        encoded.append(ox.Quad(s, p, o, g) if relabelled else quad)
    nquads = ox.serialize(encoded, format=ox.RdfFormat.N_QUADS) or b""
    if is_authored(path):
        # What it says depends on its text file too (the quotes' positions): the digest of
        # the YAML alone would let the validation and HermiT caches keep stale results.
        sha = hashlib.sha256(f"{sha}\0".encode() + nquads).hexdigest()
    return ParsedFile(
        path=path,
        sha256=sha,
        nquads=nquads,
        quads=len(encoded),
        graphs=["" if type(g) is default else str(g) for g in graphs],
        derived=list(derived),
        loose=loose,
        first_loose=first_loose,
        first_import=first_import,
        subjects=[str(t) for t in subjects],
        objects=[str(t) for t in objects],
        inverse_objects=[str(t) for t in inverse],
        schema=schema,
        ntriples=ox.serialize(written, format=ox.RdfFormat.N_TRIPLES) or b"",
    )


class _BlankNodes:
    """Blank node labels made unique to their file and stable across builds.

    The parser keeps a file's labels (``_:b1``), so two files using the same label would
    share a node once merged; the store's loader renames them at random, so the build could
    not find them again. A label becomes a hash of the file's path and the label instead.
    """

    def __init__(self, path: Path) -> None:
        self.prefix = f"{path}\0".encode()
        self.names: dict[str, ox.BlankNode] = {}

    def __call__(self, node: ox.BlankNode) -> ox.BlankNode:
        found = self.names.get(node.value)
        if found is None:
            digest = hashlib.blake2b(self.prefix + node.value.encode(), digest_size=16)
            found = self.names[node.value] = ox.BlankNode("b" + digest.hexdigest())
        return found


class ParseCache:
    """Parsed files by content: ``{dir}/{key}.nq`` and ``{key}.json``, where the key is the
    file's SHA-256 with the parser version and the inverse predicates folded in.

    Authored (YAML) sources are not kept: their conversion also reads the source's text
    file, so the YAML's bytes do not name the result; they are small and converted each time.
    """

    def __init__(self, directory: Path | None, inverse_predicates: Sequence[str]) -> None:
        self.directory = directory
        self.inverse = tuple(inverse_predicates)
        self.salt = hashlib.sha256(
            json.dumps([PARSER_VERSION, sorted(inverse_predicates)]).encode()
        ).hexdigest()[:16]

    def _key(self, path: Path, sha: str) -> str:
        # The path too: blank node names are made from it (``_BlankNodes``).
        where = hashlib.blake2b(str(path).encode(), digest_size=6).hexdigest()
        return f"{sha}-{self.salt}-{where}"

    def get(self, path: Path, sha: str) -> ParsedFile | None:
        if self.directory is None or is_authored(path):
            return None
        key = self._key(path, sha)
        try:
            facts = json.loads((self.directory / f"{key}.json").read_text(encoding="utf-8"))
            nquads = (self.directory / f"{key}.nq").read_bytes()
        except (OSError, ValueError):
            return None
        if facts.get("first_import") is not None:
            facts["first_import"] = tuple(facts["first_import"])
        return ParsedFile(path=path, nquads=nquads, **facts)

    def parse(self, path: Path) -> ParsedFile:
        """``parse_file``, kept for the next build. Run in a worker, so that writing the
        entries is spread over the cores too (in the build's process it took a third of the
        parse's time at a million quads)."""
        parsed = parse_file(path, self.inverse)
        self.put(parsed)
        return parsed

    def put(self, parsed: ParsedFile) -> None:
        if self.directory is None or is_authored(parsed.path):
            return
        self.directory.mkdir(parents=True, exist_ok=True)
        key = self._key(parsed.path, parsed.sha256)
        # Written under a temporary name and renamed, so a killed build leaves no half entry.
        for suffix, data in (
            (".nq", parsed.nquads),
            (".json", json.dumps(parsed.facts()).encode("utf-8")),
        ):
            tmp = self.directory / f".{key}{suffix}.{os.getpid()}"
            tmp.write_bytes(data)
            os.replace(tmp, self.directory / f"{key}{suffix}")

    def prune(self, keep: Iterable[ParsedFile]) -> None:
        """Remove the entries of files that are no longer inputs (``keep``: the inputs)."""
        if self.directory is None or not self.directory.is_dir():
            return
        wanted = {self._key(p.path, p.sha256) for p in keep}
        for entry in self.directory.iterdir():
            if entry.name.split(".", 1)[0] not in wanted:
                entry.unlink(missing_ok=True)
