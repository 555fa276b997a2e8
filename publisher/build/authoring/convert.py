"""An authored YAML file → the quads of its source's named graph.

The output is what a curator would write by hand in TriG (data/README.md): every statement in
the graph ``id/graph/{file name}``, the graph described with PROV-O, each fact's
``dip:evidence`` a ``dip:Passage`` with the quote's words and position, participations as
nodes with the ``dip:hasParticipant`` and ``dip:hasAttendee`` shortcuts stated beside them,
``dip:subEventOf`` with its inverse. The conversion needs nothing but the file and its text:
which vocabulary words exist, and what the rest of the dataset holds, are checked by
``checks`` with the same positions the conversion records here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from publisher.build.authoring import schema, terms
from publisher.build.authoring.document import AuthoringError, Document, Where, load
from publisher.build.authoring.passages import Quote, QuoteError, SourceText, find_text
from publisher.build.authoring.terms import DCTERMS, DIP, OA, OWL, PROV, RDF, RDFS, SCHEMA, SKOS

#: Who curates a graph unless the file says otherwise (data/reference.trig describes them).
CURATORS = terms.iri("org", "diplograph-curators")
#: Roles whose persons are not there in person (``dip:hasAttendee`` is not stated).
NOT_PRESENT_ROLES = {"commentator", "reporter"}
#: Kinds of participant who are there in person by default.
PRESENT_KINDS = {"person", "delegation"}


@dataclass(frozen=True)
class Use:
    """A term the file names, where: checked against the ontology or the dataset later."""

    field: str  # a vocabulary field (terms.SCHEMES), "class:<section>" or "reference"
    term: ox.NamedNode
    where: Where
    line: int | None
    column: int | None


@dataclass(frozen=True)
class Naming:
    """A thing the file names (``label``), to compare with the names the dataset has."""

    iri: ox.NamedNode
    label: str
    alt_labels: tuple[str, ...]
    different_from: tuple[ox.NamedNode, ...]
    where: Where
    line: int | None


@dataclass
class Conversion:
    """One file's graph, and where in the file each part of it came from."""

    path: Path
    graph: ox.NamedNode
    source: ox.NamedNode
    text: SourceText
    quads: list[ox.Quad] = field(default_factory=list)
    #: IRI → line of the part of the file that describes it (the first, if several do).
    lines: dict[str, int] = field(default_factory=dict)
    uses: list[Use] = field(default_factory=list)
    namings: list[Naming] = field(default_factory=list)
    #: IRIs the file defines (with a type), by section.
    defined: dict[str, str] = field(default_factory=dict)
    #: What could not be converted (a quote not in the text, a day not in the calendar): the
    #: rest was. ``convert`` raises the first; ``validate`` reports them all.
    errors: list[AuthoringError] = field(default_factory=list)


def convert(path: Path, *, strict: bool = True) -> Conversion:
    """Read and convert ``path``; the first problem is an ``AuthoringError`` with its line.

    Not ``strict``, problems past the schema are left in ``Conversion.errors`` and the rest
    of the file is converted, so that every one can be reported at once.
    """
    document = load(path)
    _raise_first(path, schema.problems(document))
    conversion = Converter(document).run()
    if strict:
        _raise_first(path, conversion.errors)
    return conversion


def _raise_first(path: Path, found: list[AuthoringError]) -> None:
    if found:
        first = found[0]
        more = f" (and {len(found) - 1} more: `diplograph validate {path}` lists all)"
        raise AuthoringError(
            first.path, first.reason + (more if len(found) > 1 else ""), first.line, first.column
        )


class Converter:
    """Walks the sections of a checked document, writing quads as it goes."""

    def __init__(self, document: Document) -> None:
        self.doc = document
        self.data: dict[str, Any] = document.data
        path = document.path
        if not terms.SLUG.fullmatch(path.stem):
            raise AuthoringError(
                path,
                f"the file's name {path.stem!r} becomes its graph's IRI (id/graph/NAME): use "
                "lowercase ASCII letters, digits and hyphens",
            )
        source = self.data["source"]
        try:
            self.source = terms.own_id(source.get("id", path.stem), "source")
            text = find_text(path, source.get("text"), source.get("seed_file"))
        except terms.TermError as exc:
            raise document.error(("source", "id"), str(exc)) from None
        except QuoteError as exc:
            raise document.error(("source", "text"), str(exc)) from None
        self.described = "label" in source or "type" in source
        self.cite_as = source.get("cite_as") or source.get("label") or terms.slug_of(self.source)
        self.out = Conversion(path, terms.iri("graph", path.stem), self.source, text)
        self.at(self.source, ("source",))
        self.passages: dict[str, tuple[Quote, Where]] = {}
        self.names: dict[str, str] = {}

    # ------------------------------------------------------------------ plumbing

    def add(
        self, s: ox.NamedNode | ox.BlankNode, p: str, o: ox.NamedNode | ox.BlankNode | ox.Literal
    ) -> None:
        self.out.quads.append(ox.Quad(s, ox.NamedNode(p), o, self.out.graph))

    def at(self, node: ox.NamedNode, where: Where) -> None:
        line = self.doc.line(where)
        if line is not None:
            self.out.lines.setdefault(node.value, line)

    def _id(self, where: Where, value: object, kind: str) -> ox.NamedNode:
        try:
            node = terms.own_id(value, kind)
        except terms.TermError as exc:
            raise self.doc.error(where, str(exc)) from None
        self.at(node, where[:-1] if where[-1] == "id" else where)
        return node

    def ref(
        self, where: Where, value: object, kinds: tuple[str, ...] = terms.KINDS
    ) -> ox.NamedNode:
        try:
            node = terms.reference(value, kinds)
        except terms.TermError as exc:
            raise self.doc.error(where, str(exc)) from None
        self._use("reference", node, where)
        return node

    def refs(
        self, where: Where, value: object, kinds: tuple[str, ...] = terms.KINDS
    ) -> list[ox.NamedNode]:
        if isinstance(value, list):
            return [self.ref((*where, i), v, kinds) for i, v in enumerate(value)]
        return [self.ref(where, value, kinds)]

    def _use(self, field_name: str, node: ox.NamedNode, where: Where) -> None:
        line, column = self.doc.position(where)
        self.out.uses.append(Use(field_name, node, where, line, column))

    def concept(self, where: Where, field_name: str, value: object) -> ox.NamedNode:
        try:
            node = terms.concept(field_name, value)
        except terms.TermError as exc:
            raise self.doc.error(where, str(exc)) from None
        self._use(field_name, node, where)
        return node

    def classes(self, where: Where, section: str, value: object) -> list[ox.NamedNode]:
        values = value if isinstance(value, list) else [value]
        found = []
        for i, item in enumerate(values):
            spot = (*where, i) if isinstance(value, list) else where
            try:
                node = terms.ontology_class(item)
            except terms.TermError as exc:
                raise self.doc.error(spot, str(exc)) from None
            self._use(f"class:{section}", node, spot)
            found.append(node)
        return found

    def literal(self, where: Where, make: Callable[[Any], ox.Literal], value: object) -> ox.Literal:
        try:
            return make(value)
        except terms.TermError as exc:
            raise self.doc.error(where, str(exc)) from None

    def each(self, section: str) -> Iterable[tuple[Where, dict[str, Any]]]:
        for i, item in enumerate(self.data.get(section) or []):
            yield (section, i), item

    def link(
        self,
        subject: ox.NamedNode,
        item: dict[str, Any],
        where: Where,
        key: str,
        predicate: str,
        kinds: tuple[str, ...] = terms.KINDS,
    ) -> list[ox.NamedNode]:
        """``subject predicate`` each reference under ``key``, if there is one."""
        if key not in item:
            return []
        nodes = self.refs((*where, key), item[key], kinds)
        for node in nodes:
            self.add(subject, predicate, node)
        return nodes

    def text(self, subject: ox.NamedNode, item: dict[str, Any], key: str, predicate: str) -> None:
        if key in item:
            self.add(subject, predicate, terms.en(item[key]))

    def date(
        self, subject: ox.NamedNode, item: dict[str, Any], where: Where, key: str, predicate: str
    ) -> None:
        """``subject predicate`` the date under ``key`` at the precision written, if any."""
        if key in item:
            value = self.literal((*where, key), terms.date_literal, item[key])
            self.add(subject, predicate, value)

    def alt_labels(self, subject: ox.NamedNode, item: dict[str, Any]) -> tuple[str, ...]:
        english = []
        for alt in item.get("alt_labels") or []:
            if isinstance(alt, str):
                self.add(subject, SKOS + "altLabel", terms.en(alt))
                english.append(alt)
            else:
                for language, name in alt.items():
                    self.add(subject, SKOS + "altLabel", ox.Literal(name, language=language))
        return tuple(english)

    def name(self, node: ox.NamedNode) -> str:
        """What to call ``node`` in a made-up label: its label in this file, or its slug."""
        return self.names.get(node.value) or terms.readable(
            terms.slug_of(node), terms.kind_of(node)
        )

    # ------------------------------------------------------------------ evidence

    def evidence(self, subject: ox.NamedNode, item: dict[str, Any], where: Where) -> list[str]:
        """``subject dip:evidence`` a passage per quote under ``quote``; the quotes' words."""
        if "quote" not in item:
            return []
        value = item["quote"]
        quotes = value if isinstance(value, list) else [value]
        words = []
        for i, quote in enumerate(quotes):
            spot = (*where, "quote", i) if isinstance(value, list) else (*where, "quote")
            try:
                passage, exact = self.passage(quote, spot)
            except AuthoringError as exc:
                self.out.errors.append(exc)
                words.append(quote if isinstance(quote, str) else quote["exact"])
                continue
            self.add(subject, DIP + "evidence", passage)
            words.append(exact)
        return words

    def passage(self, value: str | dict[str, Any], where: Where) -> tuple[ox.NamedNode, str]:
        quote = (
            Quote(value)
            if isinstance(value, str)
            else Quote(value["exact"], value.get("prefix"), value.get("suffix"), value.get("start"))
        )
        try:
            start, end = self.out.text.span(quote)
        except QuoteError as exc:
            raise self.doc.error(where, str(exc)) from None
        slug = f"{terms.slug_of(self.source)}-{start}-{end}"
        node = terms.iri("passage", slug)
        known = self.passages.get(node.value)
        if known is not None:
            if (known[0].prefix, known[0].suffix) != (quote.prefix, quote.suffix):
                raise self.doc.error(
                    where,
                    f"this quote is the passage of line {self.doc.line(known[1])} with another "
                    "prefix or suffix: give both the same",
                )
            return node, quote.exact
        self.passages[node.value] = (quote, where)
        self.at(node, where)
        self.add(node, RDF + "type", ox.NamedNode(DIP + "Passage"))
        self.add(node, RDFS + "label", terms.en(f"{self.cite_as}, characters {start}–{end}"))
        self.add(node, OA + "hasSource", self.source)
        exact = ox.BlankNode()
        self.add(node, OA + "hasSelector", exact)
        self.add(exact, RDF + "type", ox.NamedNode(OA + "TextQuoteSelector"))
        self.add(exact, OA + "exact", ox.Literal(quote.exact))
        if quote.prefix is not None:
            self.add(exact, OA + "prefix", ox.Literal(quote.prefix))
        if quote.suffix is not None:
            self.add(exact, OA + "suffix", ox.Literal(quote.suffix))
        position = ox.BlankNode()
        self.add(node, OA + "hasSelector", position)
        self.add(position, RDF + "type", ox.NamedNode(OA + "TextPositionSelector"))
        self.add(position, OA + "start", terms.typed(str(start), "nonNegativeInteger"))
        self.add(position, OA + "end", terms.typed(str(end), "nonNegativeInteger"))
        return node, quote.exact

    # ------------------------------------------------------------------ sections

    def section(self, name: str, convert: Callable[[Where, dict[str, Any]], None]) -> None:
        """Convert each item of a section; an item that cannot be is an error, the next goes on."""
        for where, item in self.each(name):
            try:
                convert(where, item)
            except AuthoringError as exc:
                self.out.errors.append(exc)

    def run(self) -> Conversion:
        for _where, item in self.each("entities"):  # names first, for the labels made up later
            if "label" in item:
                node = (
                    terms.reference(item["id"], terms.ENTITY_KINDS) if _is_ref(item["id"]) else None
                )
                if node is not None:
                    self.names[node.value] = item["label"]
        self.source_document()
        self.graph()
        self.section("documents", self.document)
        self.section("entities", self.entity)
        self.section("positions", self.position)
        self.section("events", self.event)
        self.section("claims", self.claim)
        self.section("numbers", self.number)
        self.section("agreements", self.agreement)
        self.section("withdrawn", self.withdrawn)
        unique = {(e.line, e.column, e.reason): e for e in self.out.errors}  # a quote reused
        self.out.errors = sorted(unique.values(), key=lambda e: (e.line or 0, e.column or 0))
        return self.out

    def source_document(self) -> None:
        item: dict[str, Any] = self.data["source"]
        if not self.described:
            self._use("reference", self.source, ("source", "id"))
            return
        self.document(("source",), item, default_id=self.source)
        if "seed_file" in item:
            self.add(self.source, DIP + "seedFile", ox.Literal(item["seed_file"]))

    def document(
        self, where: Where, item: dict[str, Any], default_id: ox.NamedNode | None = None
    ) -> None:
        node = default_id or self._id((*where, "id"), item["id"], "source")
        self.at(node, where)
        self.out.defined[node.value] = "documents"
        for cls in self.classes((*where, "type"), "documents", item.get("type", "SourceDocument")):
            self.add(node, RDF + "type", cls)
        self.text(node, item, "label", RDFS + "label")
        self.text(node, item, "comment", RDFS + "comment")
        self.link(node, item, where, "publisher", DIP + "publisher")
        self.link(node, item, where, "author", DIP + "author")
        self.date(node, item, where, "published", DIP + "publicationDate")
        self.link(node, item, where, "cites", DIP + "cites", ("source",))
        self.evidence(node, item, where)

    def graph(self) -> None:
        item: dict[str, Any] = self.data["graph"]
        node, where = self.out.graph, ("graph",)
        self.at(node, where)
        self.add(node, RDF + "type", ox.NamedNode(PROV + "Entity"))
        self.add(
            node,
            RDFS + "label",
            terms.en(item.get("label") or f"Facts curated from {self.cite_as}"),
        )
        self.text(node, item, "comment", RDFS + "comment")
        self.add(node, PROV + "wasDerivedFrom", self.source)
        if "primary_sources" in item:
            self.link(node, item, where, "primary_sources", PROV + "hadPrimarySource", ("source",))
        else:
            self.add(node, PROV + "hadPrimarySource", self.source)
        if "curated_by" in item:
            self.link(node, item, where, "curated_by", PROV + "wasAttributedTo")
        else:
            self.add(node, PROV + "wasAttributedTo", CURATORS)
            self._use("reference", CURATORS, where)
        self.add(
            node,
            DCTERMS + "created",
            self.literal((*where, "created"), terms.day_literal, item["created"]),
        )

    def entity(self, where: Where, item: dict[str, Any]) -> None:
        node = self.ref((*where, "id"), item["id"], terms.ENTITY_KINDS)
        self.at(node, where)
        if "type" in item:
            self.out.defined[node.value] = "entities"
            for cls in self.classes((*where, "type"), "entities", item["type"]):
                self.add(node, RDF + "type", cls)
        self.text(node, item, "label", RDFS + "label")
        for language, name in (item.get("names") or {}).items():
            self.add(node, RDFS + "label", ox.Literal(name, language=language))
        alt = self.alt_labels(node, item)
        self.text(node, item, "comment", RDFS + "comment")
        if "wikidata" in item:
            self.add(node, SCHEMA + "sameAs", terms.wikidata(item["wikidata"]))
        for key, predicate in (
            ("country", "country"),
            ("based_in", "basedIn"),
            ("part_of", "partOf"),
            ("member_of", "memberOf"),
            ("leader", "leader"),
            ("delegation_of", "delegationOf"),
            ("head", "head"),
            ("members", "hasMember"),
        ):
            self.link(node, item, where, key, DIP + predicate)
        different = self.link(node, item, where, "different_from", OWL + "differentFrom")
        if "label" in item:
            self.out.namings.append(
                Naming(node, item["label"], alt, tuple(different), where, self.doc.line(where))
            )
        self.evidence(node, item, where)

    def position(self, where: Where, item: dict[str, Any]) -> None:
        holder = self.ref((*where, "holder"), item["holder"], ("person", "agent"))
        kind = self.concept((*where, "type"), "position-type", item["type"])
        place = self.ref((*where, "in"), item["in"])
        default = f"{terms.slug_of(holder)}-{terms.concept_slug(kind)}-of-{terms.slug_of(place)}"
        node = self._id((*where, "id"), item.get("id", default), "position")
        self.at(node, where)
        self.out.defined[node.value] = "positions"
        self.add(node, RDF + "type", ox.NamedNode(DIP + "PositionHolding"))
        kind_words = terms.concept_slug(kind).replace("-", " ")
        label = item.get("label") or f"{self.name(holder)}, {kind_words} of {self.name(place)}"
        self.add(node, RDFS + "label", terms.en(label))
        self.evidence(node, item, where)
        self.add(node, DIP + "positionType", kind)
        self.add(node, DIP + "positionIn", place)
        self.date(node, item, where, "start", DIP + "startDate")
        self.date(node, item, where, "end", DIP + "endDate")
        self.add(holder, DIP + "holdsPosition", node)

    def event(self, where: Where, item: dict[str, Any]) -> None:
        node = self._id((*where, "id"), item["id"], "event")
        self.at(node, where)
        if "type" in item:
            self.out.defined[node.value] = "events"
            for cls in self.classes((*where, "type"), "events", item["type"]):
                self.add(node, RDF + "type", cls)
        self.text(node, item, "label", RDFS + "label")
        self.alt_labels(node, item)
        self.text(node, item, "comment", RDFS + "comment")
        quotes = item["quote"]
        self.evidence(node, item, where)
        if item.get("date") == terms.NOT_STATED:
            self.add(node, DIP + "startDateNotStated", terms.boolean(True))
        else:
            self.date(node, item, where, "date", DIP + "startDate")
        self.date(node, item, where, "end_date", DIP + "endDate")
        self.text(node, item, "time_of_day", DIP + "timeOfDay")
        places = ("place", "state")
        self.link(node, item, where, "place", DIP + "place", places)
        self.link(node, item, where, "origin", DIP + "origin", places)
        self.link(node, item, where, "destination", DIP + "destination", places)
        self.link(node, item, where, "crosses", DIP + "crosses", places)
        if "transport" in item:
            self.add(
                node,
                DIP + "transportMode",
                self.concept((*where, "transport"), "transport", item["transport"]),
            )
        if "cameo" in item:
            self.add(
                node, DIP + "eventType", self.concept((*where, "cameo"), "cameo", item["cameo"])
            )
        self.link(node, item, where, "source_actor", DIP + "sourceActor")
        self.link(node, item, where, "target_actor", DIP + "targetActor")
        for whole in self.link(node, item, where, "part_of", DIP + "subEventOf", ("event",)):
            self.add(whole, DIP + "hasSubEvent", node)
        for key, predicate in (
            ("preceded_by", "precededBy"),
            ("followed_by", "followedBy"),
            ("commemorates", "commemorates"),
        ):
            self.link(node, item, where, key, DIP + predicate, ("event",))
        if "anniversary" in item:
            self.add(
                node, DIP + "anniversary", terms.typed(str(item["anniversary"]), "positiveInteger")
            )
        self.link(node, item, where, "deployed_by", DIP + "deployedBy")
        self.link(node, item, where, "deployed_to", DIP + "deployedTo", places)
        self.link(node, item, where, "in_support_of", DIP + "inSupportOf")
        self.link(node, item, where, "part_of_conflict", DIP + "partOfConflict", ("event",))
        for key, predicate in (
            ("attendance_count", "attendanceCount"),
            ("troop_strength", "troopStrength"),
            ("casualties", "casualties"),
        ):
            self.link(node, item, where, key, DIP + predicate, ("claim",))
        for i, participant in enumerate(item.get("participants") or []):
            self.participation(node, item, (*where, "participants", i), participant, quotes)

    def participation(
        self,
        event: ox.NamedNode,
        event_item: dict[str, Any],
        where: Where,
        item: dict[str, Any],
        event_quotes: object,
    ) -> None:
        who = self.ref(
            (*where, "who"), item["who"], ("person", "state", "org", "agent", "delegation")
        )
        role = self.concept((*where, "role"), "role", item["role"])
        default = f"{terms.slug_of(event)}--{terms.slug_of(who)}"
        node = self._id((*where, "id"), item.get("id", default), "participation")
        self.at(node, where)
        self.out.defined[node.value] = "participants"
        role_slug = terms.concept_slug(role)
        event_name = event_item.get("label") or self.name(event)
        label = (
            item.get("label")
            or f"{self.name(who)} as {role_slug.replace('-', ' ')} in {event_name}"
        )
        self.add(node, RDF + "type", ox.NamedNode(DIP + "Participation"))
        self.add(node, RDFS + "label", terms.en(label))
        if "quote" in item:
            self.evidence(node, item, where)
        else:  # the event's own quotes back the participation
            self.evidence(node, {"quote": event_quotes}, where[:-2])
        self.add(node, DIP + "participant", who)
        self.add(node, DIP + "role", role)
        self.add(event, DIP + "hasParticipation", node)
        self.add(event, DIP + "hasParticipant", who)
        present = item.get("present")
        if present is None:
            present = terms.kind_of(who) in PRESENT_KINDS and role_slug not in NOT_PRESENT_ROLES
        if present:
            self.add(event, DIP + "hasAttendee", who)

    def claim(self, where: Where, item: dict[str, Any], estimate: bool = False) -> None:
        node = self._id((*where, "id"), item["id"], "claim")
        self.at(node, where)
        self.out.defined[node.value] = "numbers" if estimate else "claims"
        self.add(node, RDF + "type", ox.NamedNode(DIP + ("Estimate" if estimate else "Claim")))
        self.add(node, RDFS + "label", terms.en(item["label"]))
        words = self.evidence(node, item, where)
        if estimate:
            self.add(node, DIP + "quantityValue", terms.number(item["value"]))
            self.add(
                node, DIP + "counted", self.concept((*where, "counted"), "counted", item["counted"])
            )
            approximate = item.get("approximate", "qualifier" in item)
            self.add(node, DIP + "isApproximate", terms.boolean(approximate))
            self.text(node, item, "qualifier", DIP + "approximationQualifier")
            self.link(node, item, where, "of", DIP + "estimateOf", ("event",))
        self.add(
            node, DIP + "sourceStance", self.concept((*where, "stance"), "stance", item["stance"])
        )
        if "hedge" in item:
            self.add(
                node, DIP + "claimantHedge", self.concept((*where, "hedge"), "hedge", item["hedge"])
            )
        subject_key = "subject" if "subject" in item or not estimate else "of"
        self.link(node, item, where, subject_key, DIP + "subject")
        self.link(
            node,
            item,
            where,
            "claimant",
            DIP + "claimant",
            ("person", "state", "org", "agent", "delegation"),
        )
        if "reported_in" in item:
            self.link(node, item, where, "reported_in", DIP + "reportedIn", ("source",))
        else:
            self.add(node, DIP + "reportedIn", self.source)
        self.add(node, DIP + "claimText", terms.en(item.get("text") or words[0]))

    def number(self, where: Where, item: dict[str, Any]) -> None:
        self.claim(where, item, estimate=True)

    def agreement(self, where: Where, item: dict[str, Any]) -> None:
        node = self._id((*where, "id"), item["id"], "agreement")
        self.at(node, where)
        self.out.defined[node.value] = "agreements"
        for cls in self.classes((*where, "type"), "agreements", item.get("type", "Agreement")):
            self.add(node, RDF + "type", cls)
        self.add(node, RDFS + "label", terms.en(item["label"]))
        self.evidence(node, item, where)
        self.text(node, item, "comment", RDFS + "comment")
        self.link(node, item, where, "parties", DIP + "party")
        self.link(node, item, where, "signatories", DIP + "signatory")
        self.date(node, item, where, "signed", DIP + "signingDate")
        self.link(node, item, where, "signed_at", DIP + "signingPlace", ("place", "state"))
        self.link(node, item, where, "signing_event", DIP + "signingEvent", ("event",))
        for i, obligation in enumerate(item.get("obligations") or []):
            self.add(
                node,
                DIP + "obligation",
                self.concept((*where, "obligations", i), "obligation", obligation),
            )

    def withdrawn(self, where: Where, item: dict[str, Any]) -> None:
        node = self.ref((*where, "id"), item["id"])
        self.at(node, where)
        self.out.defined[node.value] = "withdrawn"
        self.add(node, RDFS + "label", terms.en(item["label"]))
        self.add(node, OWL + "deprecated", terms.boolean(True))
        self.link(node, item, where, "replaced_by", DCTERMS + "isReplacedBy")


def _is_ref(value: object) -> bool:
    try:
        terms.reference(value, terms.ENTITY_KINDS)
    except terms.TermError:
        return False
    return True


#: Conversions kept while their file and text are unchanged: a build reads each input in
#: several steps (validation, named graphs, HermiT, loading).
CACHE_SIZE = 64
_cache: dict[Path, tuple[tuple[object, ...], Conversion]] = {}


def converted(path: Path) -> Conversion:
    """``convert(path)``, from the cache if neither the file nor its text has changed."""
    resolved = path.resolve()
    key = _stamp(resolved)
    hit = _cache.get(resolved)
    if hit is not None and hit[0] == key + _stamp(hit[1].text.path):
        return hit[1]
    conversion = convert(path)
    if len(_cache) >= CACHE_SIZE:
        _cache.pop(next(iter(_cache)))
    _cache[resolved] = (key + _stamp(conversion.text.path), conversion)
    return conversion


def _stamp(path: Path | None) -> tuple[object, ...]:
    if path is None:
        return (None,)
    try:
        stat = path.stat()
    except OSError:
        return (None,)
    return (stat.st_mtime_ns, stat.st_size)
