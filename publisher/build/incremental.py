"""The inferred graph of a rebuild: the previous release's, patched where the change reaches.

Every rule of the inferred graph reads one premise and the ontology (``materialise.py``,
``dates.py``), and what it gives stays between the premise's two terms: an inverse swaps
them, a superproperty keeps them, a superclass keeps the subject (its type), a date bound
is about the date's subject. So a derived triple about the terms *a* and *b* depends only
on the statements between *a* and *b* (for a type, on the subject's types): whether they
derive it, and whether some graph already states it ("inferred only when no graph states
it"), and which rule adds it first. A rebuild therefore takes the previous release's
inferred graph and, for each pair of terms (and each subject's types) a changed quad is
about, derives the pair's consequences twice — from its statements as they were and as they
are, with the same rounds the updates run — and replaces the first by the second; every
other pair is unchanged, as are its consequences. The same two derivations give the rules'
counts. Date bounds are made again for each subject whose dates changed.

Used only when the previous release had the same ontology, shapes, base IRI and generator
(``delta.rules_digest``), its graphs' pieces are in the cache, and the ontology keeps the
rules apart (no rule gives ``rdf:type`` or a date bound). What the previous inferred graph
holds for a touched pair must be what the derivation from its old statements gives; if it
is not, or anything else is off, the steps run in full (``Fallback``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import cast

import pyoxigraph as ox

from publisher.build.context import BuildContext
from publisher.build.dates import BOUND_PREDICATES, DATE_PREDICATES, add_bounds
from publisher.build.materialise import MAX_ROUNDS, Schema, schema
from publisher.build.parsed import load_keeping_blank_nodes
from publisher.build.patch import graph_from, previous
from publisher.build.pieces import Piece, decompressed, lines
from publisher.build.serialize import Graph
from publisher.release.counts import graph_size
from publisher.release.dataset import INFERRED, ONTOLOGY, SHAPES, graph_iri

RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
#: The counts a release's manifest keeps under ``inferred``.
RULES = ("inverse", "subproperty", "subclass")
COUNTS = frozenset((*RULES, "date_bounds", "quads"))

Subject = ox.NamedNode | ox.BlankNode
Term = ox.NamedNode | ox.BlankNode | ox.Literal
Triple = tuple[Subject, ox.NamedNode, Term]
Quad = tuple[Subject, ox.NamedNode, Term, ox.NamedNode | ox.BlankNode | ox.DefaultGraph]
Key = tuple[str, ...]


class Fallback(RuntimeError):
    """The inferred graph cannot be patched; the steps run in full."""


def _key(quad: Quad) -> Key:
    """What a statement's consequences depend on: its two terms, or its subject's types."""
    subject, predicate, obj = quad[:3]
    if predicate == RDF_TYPE:
        return ("type", str(subject))
    return ("pair", *sorted((str(subject), str(obj))))


def _quad(q: ox.Quad) -> Quad:
    return cast(Quad, (q.subject, q.predicate, q.object, q.graph_name))


@dataclass
class Changes:
    """The data quads in and out since the previous release (net), and what the inferred
    graph's steps have changed so far."""

    #: The release whose inferred graph is patched.
    since: str
    inferred: ox.NamedNode
    shapes: ox.NamedNode
    rules: Schema
    counts: dict[str, int]
    inserted: set[Quad] = field(default_factory=set)
    deleted: set[Quad] = field(default_factory=set)
    #: What ``update_materialised`` put into and took out of the inferred graph.
    derived_in: set[Quad] = field(default_factory=set)
    derived_out: set[Quad] = field(default_factory=set)

    def every_quad(self) -> tuple[set[Quad], set[Quad]]:
        """Every quad in and out since the previous release, the inferred graph's included
        (the ontology and shapes graphs are the same: ``start``), once the steps have run."""
        return self.inserted | self.derived_in, self.deleted | self.derived_out

    def update_bounds(self, store: ox.Store, base: str) -> int:
        """Make the date bounds of every subject whose dates changed again; their number."""
        subjects = {q[0] for q in (*self.inserted, *self.deleted) if q[1] in DATE_PREDICATES}
        removed: list[ox.Quad] = []
        for subject in subjects:
            for predicate in BOUND_PREDICATES:
                removed.extend(store.quads_for_pattern(subject, predicate, None, self.inferred))
        for quad in removed:
            store.remove(quad)
        added = add_bounds(store, base, subjects)
        old, new = {_quad(q) for q in removed}, {_quad(q) for q in added}
        self.deleted |= old - new
        self.inserted |= new - old
        self.counts["date_bounds"] += len(added) - len(removed)
        return self.counts["date_bounds"]

    def update_materialised(self, store: ox.Store) -> dict[str, int]:
        """Derive each touched pair's consequences as they were and as they are, and
        replace the first by the second in the inferred graph; the new counts."""
        touched: dict[Key, list[Quad]] = {}
        for quad in self.inserted | self.deleted:
            touched.setdefault(_key(quad), []).append(quad)
        before, after = Counter[str](), Counter[str]()
        for key, quads in touched.items():
            old_derived, new_derived = self._patch_key(store, key, quads)
            before.update(old_derived.values())
            after.update(new_derived.values())
        counts = self.counts
        for rule in RULES:
            counts[rule] += after[rule] - before[rule]
        counts["quads"] = sum(counts[rule] for rule in RULES) + counts["date_bounds"]
        if graph_size(store, self.inferred) != counts["quads"]:
            raise Fallback("the patched inferred graph does not hold what its counts say")
        return counts

    def _patch_key(
        self, store: ox.Store, key: Key, changed: list[Quad]
    ) -> tuple[dict[Triple, str], dict[Triple, str]]:
        """Patch the consequences of one pair (or one subject's types), given its changed
        quads: return what they were, and what they are now."""
        subject, _, obj, _ = changed[0]
        if key[0] == "type":
            found = list(store.quads_for_pattern(subject, RDF_TYPE, None, None))
        else:
            found = list(store.quads_for_pattern(subject, None, obj, None))
            if subject != obj and not isinstance(obj, ox.Literal):
                found.extend(store.quads_for_pattern(obj, None, subject, None))
            found = [q for q in found if q.predicate != RDF_TYPE]
        premises: set[Quad] = set()
        present: set[Triple] = set()  # stated in the shapes graph: never inferred
        loaded: set[Triple] = set()  # what the previous inferred graph derived here
        for q in found:
            quad = _quad(q)
            if q.graph_name == self.shapes:
                present.add(quad[:3])
            elif q.graph_name == self.inferred and q.predicate not in BOUND_PREDICATES:
                loaded.add(quad[:3])
            else:
                premises.add(quad)
        mine = set(changed)
        old_premises = (premises - (mine & self.inserted)) | (mine & self.deleted)
        old = derive(old_premises, present, self.rules, types=key[0] == "type")
        new = derive(premises, present, self.rules, types=key[0] == "type")
        if set(old) != loaded:
            raise Fallback(f"the previous inferred graph does not hold what {key[1:]} derived")
        gone = [(s, p, o, self.inferred) for s, p, o in old.keys() - new.keys()]
        came = [(s, p, o, self.inferred) for s, p, o in new.keys() - old.keys()]
        for quad in gone:
            store.remove(ox.Quad(*quad))
        store.extend(ox.Quad(*quad) for quad in came)
        self.derived_out.update(gone)
        self.derived_in.update(came)
        return old, new


def _apart(rules: Schema) -> bool:
    """Whether no rule gives ``rdf:type``, a stated date or a date bound, nor reads a type
    as a property premise: then each rule stays within its key (module docstring)."""
    inverse = set(rules.inverses) | {q for qs in rules.inverses.values() for q in qs}
    supers = {p for ps in rules.superproperties.values() for p in ps}
    return not (
        {RDF_TYPE, *DATE_PREDICATES} & (inverse | supers) or RDF_TYPE in rules.superproperties
    )


def derive(
    premises: Iterable[Quad], present: set[Triple], rules: Schema, *, types: bool
) -> dict[Triple, str]:
    """The triples the rules add given ``premises`` (one pair's statements, or one subject's
    types) and what else is ``present``, each with the rule that adds it first: the rounds
    of ``materialise.materialise`` (inverse, then subproperty, until neither adds; then
    subclass), on these statements only."""
    usable: set[Triple] = {q[:3] for q in premises}
    known = usable | present
    derived: dict[Triple, str] = {}

    def add(found: Iterable[Triple], rule: str) -> bool:
        new = [t for t in found if t not in known]
        known.update(new)
        usable.update(new)
        for triple in new:
            derived.setdefault(triple, rule)
        return bool(new)

    if types:
        add(
            [
                (x, RDF_TYPE, up)
                for x, _, c in list(usable)
                if isinstance(c, ox.NamedNode)
                for up in rules.superclasses.get(c, ())
            ],
            "subclass",
        )
        return derived
    for _ in range(MAX_ROUNDS):
        inverses: list[Triple] = [
            (o, q, s)
            for s, p, o in list(usable)
            if not isinstance(o, ox.Literal)
            for q in rules.inverses.get(p, ())
        ]
        grew = add(inverses, "inverse")
        supers = [(s, up, o) for s, p, o in list(usable) for up in rules.superproperties.get(p, ())]
        if not add(supers, "subproperty") and not grew:
            break
    return derived


def preload(ctx: BuildContext) -> None:
    """Load the previous release's inferred graph into the store, if a rebuild may patch it
    (same rules, its pieces in the cache). ``load_sources`` calls it while the validated
    triples are counted (that count does not read the inferred graph): loading 772,222
    quads takes seconds, which ran after the count before. ``start`` uses what it loaded,
    or removes it."""
    before = previous(ctx)
    inferred = ox.NamedNode(graph_iri(ctx.settings.base_iri, INFERRED))
    if before is None or not ctx.rules or before.rules != ctx.rules:
        return
    if ctx.store.contains_named_graph(inferred):
        return  # a data file names it: check_named_graphs refuses that
    directory = ctx.cache_path / "dumps"
    pieces = [Piece(directory, key) for key in before.keys.get(str(inferred), [])]
    if not pieces or not all(piece.path("nt").is_file() for piece in pieces):
        return
    text = b"".join(decompressed(pieces, "nt"))
    load_keeping_blank_nodes(ctx.store, text, ox.RdfFormat.N_TRIPLES, to_graph=inferred)
    ctx.preloaded = before.release.id


def start(ctx: BuildContext) -> Changes | None:
    """The changes since the previous release, with its inferred graph in the store
    (``preload``); None when the inferred graph must be made in full (module docstring),
    and then the store holds none."""
    changes = _changes(ctx)
    if changes is None and ctx.preloaded is not None:
        ctx.store.remove_graph(ox.NamedNode(graph_iri(ctx.settings.base_iri, INFERRED)))
    ctx.preloaded = None
    return changes


def _changes(ctx: BuildContext) -> Changes | None:
    before = previous(ctx)
    base = ctx.settings.base_iri
    inferred = ox.NamedNode(graph_iri(base, INFERRED))
    if before is None or not ctx.inputs or ctx.preloaded != before.release.id:
        return None
    counts = before.release.manifest().get("inferred")
    if not isinstance(counts, dict) or set(counts) != COUNTS:
        return None
    directory = ctx.cache_path / "dumps"
    names = {
        graph
        for graph in ctx.inputs.keys() | before.inputs.keys()
        if ctx.inputs.get(graph) != before.inputs.get(graph)
    }
    old_pieces = [
        (graph, Piece(directory, key)) for graph in names for key in before.keys.get(graph, [])
    ]
    if not all(piece.path("nt").is_file() for _, piece in old_pieces):
        return None
    rules = schema(ctx.store, graph_iri(base, ONTOLOGY))
    if not _apart(rules):
        ctx.log("the inferred graph is made in full: a rule gives rdf:type or a date")
        return None
    shapes = ox.NamedNode(graph_iri(base, SHAPES))
    changes = Changes(before.release.id, inferred, shapes, rules, dict(counts))
    for name, piece in old_pieces:
        graph = graph_from(name)
        changes.deleted.update(_quad(quad) for quad in _quads(piece, graph))
    for name in names & ctx.inputs.keys():
        found = ctx.store.quads_for_pattern(None, None, None, graph_from(name))
        changes.inserted.update(_quad(q) for q in found)
    same = changes.inserted & changes.deleted
    changes.inserted -= same
    changes.deleted -= same
    ctx.log(
        f"patching the inferred graph of release {before.release.id}: {len(names)} graph(s) "
        f"changed, {len(changes.inserted)} quads in, {len(changes.deleted)} out"
    )
    return changes


def _quads(piece: Piece, graph: Graph) -> Iterator[ox.Quad]:
    """A piece's triples, as quads of ``graph``."""
    for t in ox.parse(b"".join(lines(piece)), format=ox.RdfFormat.N_TRIPLES):
        yield ox.Quad(t.subject, t.predicate, t.object, graph)
