"""Write an import as TriG: the import's own graph, and one named graph per story.

- ``{name}.trig``: the graph ``id/graph/{name}``: the imported files as source documents,
  the new actors, states, places and publishers (each described once, here), and the
  spellings the rows use for the dataset's own resources (``skos:altLabel``).
- ``{name}-stories-NNNN.trig``: the story graphs ``id/graph/{layout}-story-{id}``, each with
  its PROV-O description (derived from the imported file, primary source the story,
  attributed, created), the story, its events and their passages. A year of ICEWS has
  hundreds of thousands of stories, so ``stories_per_file`` of them share a file (one each
  gives data/'s one-file-per-source convention).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from publisher.build.importers.convert import Event, Story
from publisher.build.importers.reconcile import NewResource
from publisher.build.importers.trig import Terms, resource, text, typed
from publisher.namespaces import DIP

A = "a"


@dataclass(frozen=True)
class FileSource:
    """An imported file as a source document: its IRI, name, checksum and counts."""

    iri: str
    name: str
    sha256: str
    seed_file: str | None
    rows: int
    imported: int


@dataclass(frozen=True)
class Provenance:
    """What every graph of one import says about where it comes from."""

    layout_title: str
    command: str
    created: str
    attributed_to: str


class Writer:
    """Renders the import's graphs with one set of prefixes."""

    def __init__(self, base: str, provenance: Provenance) -> None:
        self.base = base
        self.terms = Terms(base)
        self.provenance = provenance
        self._cache: dict[str, str] = {}

    def t(self, iri: str) -> str:
        """The term of an IRI used again and again (actors, places, types, sources)."""
        term = self._cache.get(iri)
        if term is None:
            term = self._cache[iri] = self.terms.iri(iri)
        return term

    def graph(self, iri: str, blocks: Iterable[str]) -> str:
        return f"{self.t(iri)} {{\n\n" + "\n".join(blocks) + "}\n\n"

    def write_import_graph(
        self,
        path: Path,
        graph: str,
        name: str,
        files: Sequence[FileSource],
        new: Iterable[NewResource],
        extra_labels: dict[str, set[str]],
    ) -> None:
        p = self.provenance
        t = self.t
        blocks = [
            resource(
                t(graph),
                [
                    (A, "prov:Entity"),
                    ("rdfs:label", text(f"Import '{name}': {p.layout_title}")),
                    (
                        "rdfs:comment",
                        text(
                            f"Made by `{p.command}`: the imported files, and the actors, "
                            "states, places and publishers their rows name that the dataset "
                            "did not have. The events are in one named graph per story."
                        ),
                    ),
                    ("prov:wasDerivedFrom", [t(f.iri) for f in files]),
                    ("prov:wasAttributedTo", t(p.attributed_to)),
                    ("dcterms:created", typed(p.created, "date")),
                ],
            )
        ]
        for f in files:
            comment = (
                f"SHA-256 {f.sha256}; {f.rows} data rows, {f.imported} imported by "
                f"`{p.command}` on {p.created}. Its passages are rows of the file: offsets "
                "count Unicode code points of the file decoded as UTF-8, from 0."
            )
            statements: list[tuple[str, str | list[str]]] = [
                (A, "dip:SourceDocument"),
                ("rdfs:label", text(f"{p.layout_title}: file {f.name}")),
                ("rdfs:comment", text(comment)),
            ]
            if f.seed_file:
                statements.append(("dip:seedFile", text(f.seed_file, lang=None)))
            blocks.append(resource(t(f.iri), statements))
        for r in sorted(new, key=lambda r: r.iri):
            statements = [(A, t(r.rdf_type)), ("rdfs:label", text(r.label))]
            if r.alt_labels:
                statements.append(("skos:altLabel", [text(x) for x in sorted(r.alt_labels)]))
            if r.country and r.rdf_type != str(DIP.State):
                statements.append(("dip:country", t(r.country)))
            blocks.append(resource(t(r.iri), statements))
        for iri, labels in sorted(extra_labels.items()):
            blocks.append(resource(t(iri), [("skos:altLabel", [text(x) for x in sorted(labels)])]))
        with path.open("w", encoding="utf-8") as out:
            out.write(self._header(f"The import '{name}' ({p.layout_title})."))
            out.write(self.graph(graph, blocks))

    def write_stories(self, path: Path, stories: Sequence[Story]) -> None:
        with path.open("w", encoding="utf-8") as out:
            out.write(self._header(f"{len(stories)} stories, one named graph each."))
            for story in stories:
                out.write(self.graph(story.graph, self._story_blocks(story)))

    def _story_blocks(self, story: Story) -> Iterable[str]:
        p = self.provenance
        t = self.t
        rows = "; ".join(
            f"{name}, line{'s' if len(lines) > 1 else ''} {', '.join(map(str, lines))}"
            for name, lines in story.lines.items()
        )
        files = sorted({e.file_source for e in story.events})
        yield resource(
            t(story.graph),
            [
                (A, "prov:Entity"),
                ("rdfs:label", text(f"Events coded from {story.label}")),
                ("rdfs:comment", text(f"Imported by `{p.command}` from {rows}.")),
                ("prov:wasDerivedFrom", [t(f) for f in files]),
                ("prov:hadPrimarySource", t(story.iri)),
                ("prov:wasAttributedTo", t(p.attributed_to)),
                ("dcterms:created", typed(p.created, "date")),
            ],
        )
        statements: list[tuple[str, str | list[str]]] = [
            (A, "dip:NewsArticle"),
            ("rdfs:label", text(story.label)),
        ]
        if story.publisher:
            statements.append(("dip:publisher", t(story.publisher)))
        if story.publication_date:
            statements.append(("dip:publicationDate", typed(story.publication_date, "date")))
        if story.url:
            statements.append(("schema:url", t(story.url)))
        yield resource(t(story.iri), statements)
        for event in story.events:
            yield self._event(event)

    def _event(self, e: Event) -> str:
        """An event and its passage, as one template: this runs once per imported row."""
        t = self.t
        actors = f"dip:sourceActor {' , '.join(map(t, e.sources))} ;\n        "
        actors += f"dip:targetActor {' , '.join(map(t, e.targets))} ;\n        "
        place = f"dip:place {t(e.place)} ;\n        " if e.place else ""
        passage = self.terms.iri(e.passage)
        return (
            f"    {self.terms.iri(e.iri)}\n"
            f"        a dip:Event ;\n"
            f"        rdfs:label {text(e.label)} ;\n"
            f'        dip:startDate "{e.day}"^^xsd:date ;\n'
            f"        dip:eventType {t(e.event_type)} ;\n"
            f"        {actors}{place}dip:evidence {passage} .\n"
            f"    {passage}\n"
            f"        a dip:Passage ;\n"
            f"        rdfs:label {text(e.passage_label)} ;\n"
            f"        oa:hasSource {t(e.file_source)} ;\n"
            f"        oa:hasSelector [ a oa:TextQuoteSelector ;\n"
            f"                oa:exact {text(e.text, lang=None)} ] ,\n"
            f"            [ a oa:TextPositionSelector ;\n"
            f'                oa:start "{e.start}"^^xsd:nonNegativeInteger ;\n'
            f'                oa:end "{e.end}"^^xsd:nonNegativeInteger ] .\n'
        )

    def _header(self, what: str) -> str:
        p = self.provenance
        return (
            f"# Written by `{p.command}` on {p.created}: {what}\n"
            "# Generated: re-run the import with --replace rather than editing; put curated\n"
            "# additions in a file of their own (docs/import.md).\n\n"
        ) + self.terms.header()
