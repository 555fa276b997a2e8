"""Generate a large synthetic Diplograph project: valid data, shaped like the real sources.

Deterministic: the same ``--triples`` and ``--seed`` always give the same files, byte for
byte, so timings from different runs and machines compare. The output is a project root
that ``diplograph build --root`` and ``diplograph validate`` take as they are:

- ``data/reference-NNN.trig``: reference data in one graph per file (as data/reference.trig):
  states, cities, news outlets and people with one English label (some with a second,
  native-script one), their country, some with Wikidata links;
- ``data/source-NNNNNN.trig``: one TriG file per synthetic source document, each its own
  named graph described with PROV-O (``prov:wasDerivedFrom`` its source,
  ``prov:wasAttributedTo`` the curators), holding the source (a ``dip:NewsArticle`` with
  publisher and date), the passages that support each statement (W3C Web Annotation
  selectors: exact quote and offsets), and events of several ``dip:`` classes with dates at
  the source's precision (days, months, some spans), places, CAMEO event types with their
  dyads (``dip:sourceActor``/``dip:targetActor``), n-ary participations with roles plus the
  ``dip:hasParticipant`` shortcut, estimates with claimant, what they count and stance, and
  now and then an office a person holds (stated about the reference person, as the seed
  article does) or a sub-event of an event of an earlier source (a link across graphs);
- ``ontology/`` and ``shapes/``: symbolic links to the project's own.

Nothing the build materialises is written (no schema.org types, no inverse links): the
build adds those, as it does for hand-written data. ``--invalid N`` breaks N sources (an
event without evidence, a participation without a role…) so a benchmark can time the
failure path too. Used by the build, SPARQL, downloads and resources benchmarks.

    python benchmarks/generate.py --triples 1000000 --out benchmarks/out/synthetic-1000000
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from publisher.release.layout import Release

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
BASE = "https://w3id.org/diplograph/"

PREFIXES = """\
@prefix dip: <https://w3id.org/diplograph/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix schema: <http://schema.org/> .
@prefix oa: <http://www.w3.org/ns/oa#> .
@prefix wd: <http://www.wikidata.org/entity/> .
@prefix graph: <https://w3id.org/diplograph/id/graph/> .
@prefix source: <https://w3id.org/diplograph/id/source/> .
@prefix passage: <https://w3id.org/diplograph/id/passage/> .
@prefix event: <https://w3id.org/diplograph/id/event/> .
@prefix participation: <https://w3id.org/diplograph/id/participation/> .
@prefix claim: <https://w3id.org/diplograph/id/claim/> .
@prefix position: <https://w3id.org/diplograph/id/position/> .
@prefix person: <https://w3id.org/diplograph/id/person/> .
@prefix state: <https://w3id.org/diplograph/id/state/> .
@prefix place: <https://w3id.org/diplograph/id/place/> .
@prefix org: <https://w3id.org/diplograph/id/org/> .
@prefix cameo: <https://w3id.org/diplograph/id/concept/event-type/> .
@prefix role: <https://w3id.org/diplograph/id/concept/role/> .
@prefix counted: <https://w3id.org/diplograph/id/concept/counted/> .
@prefix certainty: <https://w3id.org/diplograph/id/concept/certainty/> .
@prefix positiontype: <https://w3id.org/diplograph/id/concept/position-type/> .

"""

#: Event class → CAMEO code (the concepts of ontology/vocabularies-event-types.ttl).
EVENTS = {
    "StateVisit": "042",
    "Meeting": "040",
    "BilateralSummit": "043",
    "MultilateralSummit": "043",
    "MilitaryParade": "150",
    "Commemoration": "040",
    "TreatySigning": "057",
    "Statement": "010",
}
ROLES = ["host", "guest", "head-of-delegation", "delegation-member", "attendee", "speaker"]
COUNTED = ["soldiers", "soldiers-killed", "world-leaders", "soldiers-and-engineers"]
POSITIONS = ["president", "head-of-state", "government-member"]
LANGS = ["ko", "zh", "ru", "ja"]
SYLLABLES = "ka lin mo ra sun tae vo xi yu zen pa dor mi sha ko lev an ju nik ol".split()
WORDS = (
    "the delegation arrived talks were held leaders met in the capital on a visit officials "
    "said according to reports the ministry announced a joint statement was signed after"
).split()
#: Reference entities per reference file, so no file is much larger than the rest.
REFERENCE_CHUNK = 2000


@dataclass
class Written:
    """What ``generate`` wrote."""

    root: Path
    files: int
    triples: int
    sources: int


class Generator:
    """Writes files until the target triple count is reached; one seeded RNG decides all."""

    def __init__(self, target: int, seed: int = 20250903) -> None:
        self.target = target
        self.rng = random.Random(seed)
        self.triples = 0
        self.states = [f"s{i:03d}" for i in range(max(20, min(250, target // 4000)))]
        self.cities = [f"c{i:05d}" for i in range(max(50, target // 500))]
        self.outlets = [f"outlet-{i:03d}" for i in range(max(10, min(500, target // 20000)))]
        self.people = [f"p{i:06d}" for i in range(max(200, target // 200))]
        self.events: list[str] = []  # events of earlier sources, for links across graphs

    def name(self) -> str:
        parts = self.rng.randint(2, 4)
        return "".join(self.rng.choice(SYLLABLES) for _ in range(parts)).capitalize()

    def words(self, n: int) -> str:
        return " ".join(self.rng.choice(WORDS) for _ in range(n))

    def files(self, invalid: int = 0) -> Iterator[tuple[str, str]]:
        """(file name, TriG text) pairs: the reference files, then one file per source."""
        yield from self._reference()
        number = 0
        broken = set(self.rng.sample(range(1, 1000), min(invalid, 999)))
        while self.triples < self.target:
            yield f"source-{number:06d}.trig", self._source(number, number in broken)
            number += 1

    # --- reference data ------------------------------------------------------------------

    def _reference(self) -> Iterator[tuple[str, str]]:
        entities: list[str] = []
        for code in self.states:
            label = self.name() + "ia"
            entities.append(
                f'state:{code} a dip:State ;\n    rdfs:label "{label}"@en , '
                f'"{self.name()}"@{self.rng.choice(LANGS)} .\n'
            )
            self.triples += 3
        for code in self.outlets:
            entities.append(
                f'org:{code} a dip:NewsOutlet ;\n    rdfs:label "{self.name()} Daily"@en .\n'
            )
            self.triples += 2
        for code in self.cities:
            country = self.rng.choice(self.states)
            entities.append(
                f'place:{code} a dip:City ;\n    rdfs:label "{self.name()}"@en ;\n'
                f"    dip:country state:{country} .\n"
            )
            self.triples += 3
        for number, code in enumerate(self.people):
            given, family = self.name(), self.name()
            lines = [f'person:{code} a dip:Person ;\n    rdfs:label "{given} {family}"@en']
            self.triples += 2
            if self.rng.random() < 0.5:
                lines.append(f'"{family} {given}"@{self.rng.choice(LANGS)}')
                self.triples += 1
            text = " , ".join(lines) + f" ;\n    dip:country state:{self.rng.choice(self.states)}"
            self.triples += 1
            if self.rng.random() < 0.1:
                text += f" ;\n    schema:sameAs wd:Q{1000 + number}"
                self.triples += 1
            entities.append(text + " .\n")
        entities.append(
            "org:diplograph-curators a dip:Organisation ;\n"
            '    rdfs:label "Diplograph curators"@en .\n'
        )
        self.triples += 2
        for chunk in range(0, len(entities), REFERENCE_CHUNK):
            slug = f"reference-{chunk // REFERENCE_CHUNK:03d}"
            head = self._graph_head(slug, "source:synthetic-reference-register")
            body = "".join(
                "    " + e.replace("\n    ", "\n        ")
                for e in entities[chunk : chunk + REFERENCE_CHUNK]
            )
            yield f"{slug}.trig", PREFIXES + f"graph:{slug} {{\n{head}\n{body}}}\n"

    def _graph_head(self, slug: str, source: str) -> str:
        self.triples += 4
        return (
            f"    graph:{slug} a prov:Entity ;\n"
            f'        rdfs:label "Synthetic graph {slug}"@en ;\n'
            f"        prov:wasDerivedFrom {source} ;\n"
            f"        prov:wasAttributedTo org:diplograph-curators .\n"
        )

    # --- one source document ----------------------------------------------------------------

    def _source(self, number: int, broken: bool) -> str:
        rng = self.rng
        slug = f"synthetic-{number:06d}"
        year = 1990 + number % 36
        self.offset = 0
        self.slug = slug
        parts = [self._graph_head(slug, f"source:{slug}")]
        parts.append(
            f"    source:{slug} a dip:NewsArticle ;\n"
            f'        rdfs:label "Synthetic article {number}"@en ;\n'
            f"        dip:publisher org:{rng.choice(self.outlets)} ;\n"
            f'        dip:publicationDate "{year}-{rng.randint(1, 12):02d}-'
            f'{rng.randint(1, 28):02d}"^^xsd:date .\n'
        )
        self.triples += 4
        events = []
        for index in range(rng.randint(2, 6)):
            event, text = self._event(f"{slug}-{index}", year, slug, broken and index == 0)
            events.append(event)
            parts.append(text)
        if rng.random() < 0.3:
            parts.append(self._estimate(slug, rng.choice(events)))
        if rng.random() < 0.1:
            parts.append(self._position(slug, year))
        self.events.extend(events[:1])
        return PREFIXES + f"graph:{slug} {{\n" + "".join(parts) + "}\n"

    def _passage(self, words: int = 12) -> tuple[str, str]:
        """A passage of the source: its IRI and its description (10 triples)."""
        exact = self.words(words)
        start = self.offset + self.rng.randint(1, 200)
        end = start + len(exact)
        self.offset = end
        iri = f"passage:{self.slug}-{start}-{end}"
        self.triples += 10
        return iri, (
            f"    {iri} a dip:Passage ;\n"
            f'        rdfs:label "{self.slug}, characters {start}–{end}"@en ;\n'
            f"        oa:hasSource source:{self.slug} ;\n"
            f'        oa:hasSelector [ a oa:TextQuoteSelector ; oa:exact "{exact}" ] ,\n'
            f"            [ a oa:TextPositionSelector ;\n"
            f'                oa:start "{start}"^^xsd:nonNegativeInteger ;\n'
            f'                oa:end "{end}"^^xsd:nonNegativeInteger ] .\n'
        )

    def _date(self, year: int) -> tuple[str, str | None]:
        """A start date at the source's precision (a day, or only a month) and maybe an end."""
        rng = self.rng
        month, day = rng.randint(1, 12), rng.randint(1, 26)
        if rng.random() < 0.15:
            return f'"{year}-{month:02d}"^^xsd:gYearMonth', None
        start = f'"{year}-{month:02d}-{day:02d}"^^xsd:date'
        if rng.random() < 0.2:
            return start, f'"{year}-{month:02d}-{day + rng.randint(0, 2):02d}"^^xsd:date'
        return start, None

    def _event(self, key: str, year: int, slug: str, broken: bool) -> tuple[str, str]:
        rng = self.rng
        kind = rng.choice(list(EVENTS))
        start, end = self._date(year)
        event = f"event:{key}-{kind.lower()}"
        passage, passage_text = self._passage()
        people = rng.sample(self.people, rng.randint(2, 6))
        lines = [
            f"{event} a dip:{kind}",
            f'rdfs:label "{kind} in {self.name()} ({key})"@en',
            f"dip:startDate {start}",
            f"dip:place place:{rng.choice(self.cities)}",
            f"dip:eventType cameo:{EVENTS[kind]}",
            f"dip:sourceActor person:{people[0]}",
            f"dip:targetActor person:{people[1]}"
            if rng.random() < 0.5
            else f"dip:targetActor state:{rng.choice(self.states)}",
        ]
        if not broken:
            lines.append(f"dip:evidence {passage}")
        if end:
            lines.append(f"dip:endDate {end}")
        if self.events and rng.random() < 0.05:
            lines.append(f"dip:subEventOf {rng.choice(self.events)}")
        participations = []
        for person in people:
            participation = f"participation:{key}--{person}"
            lines.append(f"dip:hasParticipation {participation}")
            lines.append(f"dip:hasParticipant person:{person}")
            participations.append(
                f"    {participation} a dip:Participation ;\n"
                f'        rdfs:label "{person} in {key}"@en ;\n'
                f"        dip:participant person:{person} ;\n"
                f"        dip:role role:{rng.choice(ROLES)} ;\n"
                f"        dip:evidence {passage} .\n"
            )
        self.triples += len(lines) + 5 * len(participations)
        body = f"    {lines[0]} ;\n" + " ;\n".join("        " + line for line in lines[1:])
        return event, passage_text + body + " .\n" + "".join(participations)

    def _estimate(self, slug: str, event: str) -> str:
        rng = self.rng
        passage, passage_text = self._passage(8)
        estimate = f"claim:{slug}-estimate"
        self.triples += 11
        return passage_text + (
            f"    {estimate} a dip:Estimate ;\n"
            f'        rdfs:label "Estimate in {slug}"@en ;\n'
            f"        dip:evidence {passage} ;\n"
            f"        dip:quantityValue {rng.randint(10, 50000)} ;\n"
            f"        dip:counted counted:{rng.choice(COUNTED)} ;\n"
            f"        dip:isApproximate {rng.choice(['true', 'false'])} ;\n"
            f"        dip:sourceStance certainty:attributed ;\n"
            f"        dip:estimateOf {event} ;\n"
            f"        dip:claimant person:{rng.choice(self.people)} ;\n"
            f"        dip:reportedIn source:{slug} ;\n"
            f'        dip:claimText "{self.words(8)}"@en .\n'
        )

    def _position(self, slug: str, year: int) -> str:
        rng = self.rng
        passage, passage_text = self._passage(6)
        person = rng.choice(self.people)
        holding = f"position:{slug}-{person}"
        self.triples += 7
        return passage_text + (
            f"    {holding} a dip:PositionHolding ;\n"
            f'        rdfs:label "{person}, {slug}"@en ;\n'
            f"        dip:evidence {passage} ;\n"
            f"        dip:positionType positiontype:{rng.choice(POSITIONS)} ;\n"
            f"        dip:positionIn state:{rng.choice(self.states)} ;\n"
            f'        dip:startDate "{year - rng.randint(0, 10)}"^^xsd:gYear .\n'
            f"    person:{person} dip:holdsPosition {holding} .\n"
        )


def generate(target: int, root: Path, *, seed: int = 20250903, invalid: int = 0) -> Written:
    """Write a project of at least ``target`` triples under ``root`` (replacing its data/)."""
    data = root / "data"
    shutil.rmtree(data, ignore_errors=True)
    data.mkdir(parents=True)
    for name in ("ontology", "shapes"):
        link = root / name
        if not link.exists():
            os.symlink(ROOT / name, link)
    generator = Generator(target, seed)
    files = 0
    for name, text in generator.files(invalid):
        (data / name).write_text(text, encoding="utf-8")
        files += 1
    sources = files - len(list(data.glob("reference-*.trig")))
    return Written(root, files, generator.triples, sources)


def built_release(triples: int, work: Path, *, seed: int = 20250903) -> Release:
    """A release of ``triples`` generated triples, built by the real pipeline
    (``build_release``: validation, HermiT, materialisation, dumps, VoID) under ``work``.

    Kept between runs: the project is generated again only if missing, and the release is
    rebuilt only when its inputs changed (the build's cache makes that cheap).
    """
    from publisher.build.context import Sources
    from publisher.build.pipeline import build_release
    from publisher.config import Settings
    from publisher.release.layout import NoRelease, current_release

    root = work / f"synthetic-{triples}"
    if not (root / "data").is_dir():
        generate(triples, root, seed=seed)
    settings = Settings.from_env(environ={}, home=work / f"synthetic-{triples}-home")
    sources = Sources.from_root(root)
    try:
        release = current_release(settings.home)
        if release.manifest().get("inputs_sha256") == sources.digest():
            return release
    except (NoRelease, OSError, ValueError, KeyError):
        pass
    return build_release(settings, sources, log=lambda message: None)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--triples", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=20250903)
    parser.add_argument("--invalid", type=int, default=0, help="sources to break (default 0)")
    parser.add_argument("--out", type=Path, required=True, help="the project root to write")
    args = parser.parse_args(argv)
    written = generate(args.triples, args.out, seed=args.seed, invalid=args.invalid)
    print(
        f"wrote {written.triples:,} triples in {written.files:,} files "
        f"({written.sources:,} sources) under {written.root}",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()
