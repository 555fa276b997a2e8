"""Generate a large synthetic diplomatic-event graph in the project's vocabulary, as N-Quads.

Deterministic: the same ``--triples`` and ``--seed`` always give the same bytes, so timings
from different runs and machines compare. The shape follows the real data (DESIGN.md §4):
events of several ``dip:`` classes with dates, places and CAMEO event types; n-ary
participations with roles plus the ``dip:hasParticipant`` shortcut; the materialised
schema.org types and properties; people, states and cities with labels in several
languages; estimates attributed to claimants; one named graph per synthetic source document
with PROV-O provenance. Used by the SPARQL and downloads benchmarks.

    python benchmarks/generate.py --triples 1000000 --out benchmarks/out/synthetic.nq
"""

from __future__ import annotations

import argparse
import random
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

BASE = "https://w3id.org/diplograph/"
DIP = BASE + "ontology#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
SCHEMA = "http://schema.org/"
PROV = "http://www.w3.org/ns/prov#"
XSD = "http://www.w3.org/2001/XMLSchema#"

EVENT_CLASSES = [
    "StateVisit",
    "Meeting",
    "BilateralSummit",
    "MultilateralSummit",
    "MilitaryParade",
    "Commemoration",
    "TreatySigning",
    "Statement",
]
CAMEO = {
    "StateVisit": "042",
    "Meeting": "040",
    "BilateralSummit": "043",
    "MultilateralSummit": "043",
    "MilitaryParade": "150",
    "Commemoration": "040",
    "TreatySigning": "057",
    "Statement": "010",
}
ROLES = [
    "host",
    "guest",
    "head-of-delegation",
    "delegation-member",
    "attendee",
    "signatory",
    "speaker",
    "commentator",
]
LANGS = ["en", "ko", "zh", "ru"]
SYLLABLES = [
    "ka",
    "lin",
    "mo",
    "ra",
    "sun",
    "tae",
    "vo",
    "xi",
    "yu",
    "zen",
    "pa",
    "dor",
    "mi",
    "sha",
    "ko",
    "lev",
    "an",
    "ju",
    "nik",
    "ol",
]


def iri(value: str) -> str:
    return f"<{value}>"


def literal(value: str, *, lang: str | None = None, datatype: str | None = None) -> str:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    if lang:
        return f'"{escaped}"@{lang}'
    if datatype:
        return f'"{escaped}"^^<{datatype}>'
    return f'"{escaped}"'


class Generator:
    """Writes quads until the target count is reached; all choices come from one seeded RNG."""

    def __init__(self, target: int, seed: int = 20250903) -> None:
        self.target = target
        self.rng = random.Random(seed)
        self.count = 0
        people = max(200, target // 200)
        self.states = [f"s{i:03d}" for i in range(max(20, min(250, target // 4000)))]
        self.cities = [f"c{i:04d}" for i in range(max(50, target // 500))]
        self.people = [f"p{i:05d}" for i in range(people)]

    def name(self) -> str:
        parts = self.rng.randint(2, 4)
        return "".join(self.rng.choice(SYLLABLES) for _ in range(parts)).capitalize()

    def quads(self) -> Iterator[str]:
        """Every quad, as N-Quads lines: reference data first, then events until the target."""
        reference = iri(BASE + "id/graph/synthetic-reference")
        yield from self._reference(reference)
        document = 0
        while self.count < self.target:
            yield from self._document(document)
            document += 1

    def _quad(self, s: str, p: str, o: str, g: str) -> str:
        self.count += 1
        return f"{s} {p} {o} {g} .\n"

    def _reference(self, graph: str) -> Iterator[str]:
        q = self._quad
        for code in self.states:
            state = iri(BASE + "id/state/" + code)
            yield q(state, iri(RDF_TYPE), iri(DIP + "State"), graph)
            yield q(state, iri(RDF_TYPE), iri(SCHEMA + "Country"), graph)
            for lang in LANGS[:2]:
                yield q(state, iri(RDFS_LABEL), literal(self.name() + "ia", lang=lang), graph)
        for code in self.cities:
            city = iri(BASE + "id/place/" + code)
            yield q(city, iri(RDF_TYPE), iri(DIP + "City"), graph)
            yield q(city, iri(RDF_TYPE), iri(SCHEMA + "Place"), graph)
            yield q(city, iri(RDFS_LABEL), literal(self.name(), lang="en"), graph)
            yield q(
                city,
                iri(DIP + "country"),
                iri(BASE + "id/state/" + self.rng.choice(self.states)),
                graph,
            )
        for code in self.people:
            person = iri(BASE + "id/person/" + code)
            yield q(person, iri(RDF_TYPE), iri(DIP + "Person"), graph)
            yield q(person, iri(RDF_TYPE), iri(SCHEMA + "Person"), graph)
            given, family = self.name(), self.name()
            yield q(person, iri(RDFS_LABEL), literal(f"{given} {family}", lang="en"), graph)
            if self.rng.random() < 0.5:
                yield q(
                    person,
                    iri(RDFS_LABEL),
                    literal(f"{family} {given}", lang=self.rng.choice(LANGS[1:])),
                    graph,
                )
            yield q(
                person,
                iri(DIP + "country"),
                iri(BASE + "id/state/" + self.rng.choice(self.states)),
                graph,
            )

    def _document(self, number: int) -> Iterator[str]:
        """One synthetic source document: its graph, provenance, and a few events."""
        q, rng = self._quad, self.rng
        slug = f"synthetic-{number:06d}"
        graph = iri(BASE + "id/graph/" + slug)
        source = iri(BASE + "id/source/" + slug)
        year = 1990 + number % 36
        yield q(graph, iri(PROV + "wasDerivedFrom"), source, graph)
        yield q(source, iri(RDF_TYPE), iri(DIP + "NewsArticle"), graph)
        yield q(
            source,
            iri(DIP + "publicationDate"),
            literal(
                f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}", datatype=XSD + "date"
            ),
            graph,
        )
        for index in range(rng.randint(2, 6)):
            yield from self._event(f"{year}-{number:06d}-{index}", year, graph, source)

    def _event(self, key: str, year: int, graph: str, source: str) -> Iterator[str]:
        q, rng = self._quad, self.rng
        kind = rng.choice(EVENT_CLASSES)
        date = f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        event = iri(f"{BASE}id/event/{date}-{kind.lower()}-{key}")
        place = iri(BASE + "id/place/" + rng.choice(self.cities))
        yield q(event, iri(RDF_TYPE), iri(DIP + kind), graph)
        yield q(event, iri(RDF_TYPE), iri(DIP + "Event"), graph)
        yield q(event, iri(RDF_TYPE), iri(SCHEMA + "Event"), graph)
        yield q(
            event, iri(RDFS_LABEL), literal(f"{kind} in {self.name()} ({date})", lang="en"), graph
        )
        yield q(event, iri(DIP + "startDate"), literal(date, datatype=XSD + "date"), graph)
        yield q(event, iri(SCHEMA + "startDate"), literal(date, datatype=XSD + "date"), graph)
        yield q(event, iri(DIP + "place"), place, graph)
        yield q(event, iri(SCHEMA + "location"), place, graph)
        yield q(
            event, iri(DIP + "eventType"), iri(BASE + "id/concept/event-type/" + CAMEO[kind]), graph
        )
        yield q(event, iri(PROV + "wasDerivedFrom"), source, graph)
        for person in rng.sample(self.people, rng.randint(2, 7)):
            agent = iri(BASE + "id/person/" + person)
            participation = iri(f"{BASE}id/participation/{key}--{person}")
            yield q(event, iri(DIP + "hasParticipation"), participation, graph)
            yield q(participation, iri(RDF_TYPE), iri(DIP + "Participation"), graph)
            yield q(participation, iri(DIP + "participant"), agent, graph)
            yield q(
                participation,
                iri(DIP + "role"),
                iri(BASE + "id/concept/role/" + rng.choice(ROLES)),
                graph,
            )
            yield q(event, iri(DIP + "hasParticipant"), agent, graph)
            yield q(event, iri(SCHEMA + "attendee"), agent, graph)
        if rng.random() < 0.15:
            estimate = iri(f"{BASE}id/claim/estimate-{key}")
            yield q(estimate, iri(RDF_TYPE), iri(DIP + "Estimate"), graph)
            yield q(estimate, iri(DIP + "estimateOf"), event, graph)
            yield q(
                estimate,
                iri(DIP + "quantityValue"),
                literal(str(rng.randint(10, 50000)), datatype=XSD + "integer"),
                graph,
            )
            yield q(
                estimate,
                iri(DIP + "claimant"),
                iri(BASE + "id/person/" + rng.choice(self.people)),
                graph,
            )
            yield q(estimate, iri(DIP + "reportedIn"), source, graph)


def write(target: int, out: TextIO, seed: int = 20250903) -> int:
    """Write at least ``target`` quads to ``out``; return how many were written."""
    generator = Generator(target, seed)
    out.writelines(generator.quads())
    return generator.count


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--triples", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=20250903)
    parser.add_argument("--out", type=Path, default=None, help="file (default: stdout)")
    args = parser.parse_args(argv)
    if args.out is None:
        count = write(args.triples, sys.stdout, args.seed)
    else:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        with args.out.open("w", encoding="utf-8") as out:
            count = write(args.triples, out, args.seed)
    print(f"wrote {count} quads", file=sys.stderr)


if __name__ == "__main__":
    main()
