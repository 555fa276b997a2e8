"""Names for IRIs on a page: a label in the reader's language, or a readable stand-in.

A page never shows a raw IRI where a label exists: ``Labeller`` picks the label for the
reader's languages (``labels.pick``: falling back to English), then a well-known term's
name, "Wikidata Q…", or the compact IRI.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

import pyoxigraph as ox

from publisher.namespaces import DCTERMS, DIP_IRI, OWL, PREFIXES, PROV, RDFS, SCHEMA, SKOS, WD
from publisher.release.store import Store
from publisher.terms import RDF_TYPE
from publisher.web.description import Description
from publisher.web.labels import fetch_labels, pick
from publisher.web.pages import lookups
from publisher.web.pages.model import Value
from publisher.web.render_context import RenderContext

LANGUAGE_NAMES = {
    "en": "English",
    "ko": "Korean",
    "zh": "Chinese",
    "ru": "Russian",
    "ja": "Japanese",
    "uk": "Ukrainian",
    "de": "German",
    "fr": "French",
    "es": "Spanish",
    "ar": "Arabic",
}


# Names for terms of other vocabularies, used when the store has no label for them.
WELL_KNOWN = {
    RDF_TYPE.value: "type",
    str(RDFS.label): "name",
    str(RDFS.comment): "comment",
    str(RDFS.seeAlso): "see also",
    str(SKOS.prefLabel): "preferred name",
    str(SKOS.altLabel): "also known as",
    str(SKOS.definition): "definition",
    str(SKOS.inScheme): "in scheme",
    str(SKOS.notation): "code",
    str(SKOS.broader): "broader concept",
    str(SKOS.narrower): "narrower concept",
    str(SKOS.Concept): "concept",
    str(SKOS.ConceptScheme): "concept scheme",
    str(SKOS.topConceptOf): "top concept of",
    str(SKOS.hasTopConcept): "has top concept",
    str(SKOS.exactMatch): "exact match",
    str(SKOS.closeMatch): "close match",
    str(SKOS.scopeNote): "scope note",
    str(OWL.Class): "class",
    str(RDFS.isDefinedBy): "defined by",
    str(SCHEMA.sameAs): "same as",
    str(SCHEMA.description): "description",
    str(OWL.sameAs): "same as",
    str(PROV.wasDerivedFrom): "derived from",
    str(PROV.hadPrimarySource): "primary source",
    str(PROV.wasAttributedTo): "attributed to",
    str(DCTERMS.title): "title",
    str(DCTERMS.source): "source",
    str(DCTERMS.isReplacedBy): "replaced by",
    str(OWL.deprecated): "deprecated",
}


# Generic classes not worth naming when a more specific type is known.
GENERIC_TYPES = {DIP_IRI + n for n in ("Event", "Agent", "Organisation", "Place", "Claim")}


class Labeller:
    """Names for IRIs in the reader's language, with the language to tag them with."""

    def __init__(self, description: Description, store: Store, ctx: RenderContext) -> None:
        self.labels: dict[str, list[ox.Literal]] = dict(description.labels)
        self.languages = tuple(ctx.languages) or ("en",)
        self.store = store
        self.ctx = ctx
        self._picked: dict[str, ox.Literal | None] = {}  # a page names the same IRIs often
        self._names: dict[str, tuple[str, str | None]] = {}  # … 400 times, 150 IRIs

    def fetch(self, iris: Iterable[str]) -> None:
        """Load labels for IRIs the description did not mention (two hops out)."""
        missing = [i for i in iris if i not in self.labels]
        self.labels.update(fetch_labels(self.store, missing))
        for iri in missing:
            self._picked.pop(iri, None)
            self._names.pop(iri, None)

    def literal(self, iri: str) -> ox.Literal | None:
        if iri not in self._picked:
            self._picked[iri] = pick(self.labels.get(iri, ()), self.languages)
        return self._picked[iri]

    def name(self, iri: str) -> tuple[str, str | None]:
        """The label and its language tag (None for English/untagged), or a readable
        stand-in: a well-known term's name, "Wikidata Q…", or the compact IRI."""
        named = self._names.get(iri)
        if named is None:
            named = self._names[iri] = self._name(iri)
        return named

    def _name(self, iri: str) -> tuple[str, str | None]:
        lit = self.literal(iri)
        if lit is not None:
            return lit.value, foreign(lit.language)
        if iri in WELL_KNOWN:
            return WELL_KNOWN[iri], None
        if iri.startswith(str(WD)):
            return f"Wikidata {iri[len(str(WD)) :]}", None
        return compact(iri, self.ctx.base), None

    def value(self, iri: str, sources: list[int] | None = None) -> Value:
        text, lang = self.name(iri)
        return Value(text, self.ctx.href(iri), lang, self.ctx.public(iri), sources=sources or [])


def human_time(iso: str) -> str:
    """A build time for people: "29 November 2026, 12:32 UTC" (the text itself if unparsable)."""
    try:
        moment = datetime.fromisoformat(iso).astimezone(UTC)
    except ValueError:
        return iso
    return f"{moment.day} {moment:%B %Y, %H:%M} UTC"


def foreign(language: str | None) -> str | None:
    """The ``lang`` attribute a label needs inside an English page."""
    if not language or language.lower().split("-")[0] == "en":
        return None
    return language


# Longest namespace first, so that a namespace nested in another one wins; sorted once.
_PREFIXES_LONGEST_FIRST = sorted(PREFIXES.items(), key=lambda p: -len(p[1]))


def curie(iri: str) -> str:
    """``dip:Event`` for a known namespace, else the IRI itself (for compact tables)."""
    for prefix, namespace in _PREFIXES_LONGEST_FIRST:
        if iri.startswith(namespace) and len(iri) > len(namespace):
            return f"{prefix}:{iri[len(namespace) :]}"
    return iri


def compact(iri: str, base: str) -> str:
    """A short readable form for an IRI without a label: ``prefix:local`` or its path."""
    if iri.startswith(base) and len(iri) > len(base):
        return iri[len(base) :]
    return curie(iri)


def display_types(types: list[str], store: Store | None = None) -> list[str]:
    """The types worth showing: the ontology's own, without generic ones and (given the
    store) without superclasses of another type shown; else all of them."""
    own = [t for t in types if t.startswith(DIP_IRI)]
    specific = [t for t in own if t not in GENERIC_TYPES] or own
    if store is not None and len(specific) > 1:
        specific = [
            t
            for t in specific
            if not any(o != t and lookups.is_kind(store, [o], t) for o in specific)
        ] or specific
    return specific or types
