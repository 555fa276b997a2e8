"""Evidence on a page: the passage of its source behind each statement (``dip:evidence``).

Every event, participation, claim and estimate names the passage of its source that
supports it, in the named graph of the statements it backs (docs/ontology.md, "Evidence as
data"). A page's footnotes are those named graphs, so under each footnote the page quotes
the passages that graph gives for what the page shows: the resource itself and the
participations, positions and claims it links to (``lookups.evidence``). A passage's own
page shows its quote, the document it is from, its position and what cites it.
"""

from __future__ import annotations

import pyoxigraph as ox

from publisher.namespaces import DIP_IRI, OA
from publisher.release.store import Store
from publisher.terms import RDF_TYPE
from publisher.web.description import Description
from publisher.web.pages import lookups
from publisher.web.pages.model import PassageView, Quote, Value
from publisher.web.pages.names import Labeller
from publisher.web.pages.sources import SourceList
from publisher.web.pages.statements import mark_deprecated, referrer, unnamed_participations

HAS_SELECTOR = str(OA.hasSelector)
HAS_SOURCE = str(OA.hasSource)
#: What a passage page shows in its quote block instead of as statement rows.
PASSAGE_PREDICATES = frozenset({HAS_SELECTOR, HAS_SOURCE})
PASSAGE_CLASS = DIP_IRI + "Passage"
EVIDENCE = DIP_IRI + "evidence"


def attach_quotes(
    store: Store, description: Description, kind: str, labeller: Labeller, sources: SourceList
) -> None:
    """Add to each footnote the passages its graph gives for the resource (called "this
    {kind}") and for the records the page shows with it, in the order of the source text."""
    iri = description.iri
    found = lookups.evidence(store, iri, evidence_links(description))
    labeller.fetch(
        [e.node for e in found]
        + [e.agent for e in found if e.agent]
        + [e.role for e in found if e.role]
    )
    quotes: dict[tuple[str, str], Quote] = {}
    for item in sorted(found, key=_in_text_order):
        key = (item.graph, item.passage)
        quote = quotes.get(key)
        if quote is None:
            quote = Quote(
                exact=item.exact if item.exact is not None else labeller.name(item.passage)[0],
                href=labeller.ctx.href(item.passage),
                prefix=item.prefix or "",
                suffix=item.suffix or "",
                start=item.start,
                end=item.end,
            )
            quotes[key] = quote
            sources.entry(item.graph).quotes.append(quote)
        supported = _supported(item, iri, kind, labeller)
        if all(s.text != supported.text for s in quote.supports):
            quote.supports.append(supported)


def evidence_links(description: Description) -> list[str]:
    """The properties by which the resource's statements (those on this page) lead to a
    record whose evidence the page shows (``lookups.EVIDENCE_KINDS``, by its types)."""
    kinds = {DIP_IRI + kind for kind in lookups.EVIDENCE_KINDS}
    links: dict[str, None] = {}
    for quad in description.statements():
        target = quad.object
        if isinstance(target, ox.NamedNode):
            types = set(description.types_of(target.value))
        elif isinstance(target, ox.BlankNode):
            types = {
                q.object.value
                for q in description.about(target)
                if q.predicate == RDF_TYPE and isinstance(q.object, ox.NamedNode)
            }
        else:
            continue
        if types & kinds:
            links[quad.predicate.value] = None
    return list(links)


def _in_text_order(item: lookups.Evidence) -> tuple[int, str, str]:
    return (item.start if item.start is not None else 1 << 62, item.passage, item.node)


def _supported(item: lookups.Evidence, iri: str, kind: str, labeller: Labeller) -> Value:
    """What a passage backs, in words: "this event", or the linked record by name (an
    unlabelled participation as "Kim Jong Un as guest")."""
    if item.node == iri:
        return Value(f"this {kind}")
    if labeller.literal(item.node) is None and item.agent:
        text = labeller.name(item.agent)[0]
        if item.role:
            text += f" as {labeller.name(item.role)[0]}"
        return Value(text, labeller.ctx.href(item.node), title=labeller.ctx.public(item.node))
    return labeller.value(item.node)


def passage_view(description: Description, labeller: Labeller) -> PassageView | None:
    """A ``dip:Passage`` page's quote block, from its own description (the selectors are
    blank nodes of its CBD) and its incoming ``dip:evidence`` links; None for anything
    else."""
    statements = list(description.statements())
    selectors = [q.object for q in statements if q.predicate.value == HAS_SELECTOR]
    if PASSAGE_CLASS not in description.types_of() and not selectors:
        return None
    fields: dict[str, str] = {}
    for quad in description.quads:
        if quad.subject in selectors and isinstance(quad.object, ox.Literal):
            fields.setdefault(quad.predicate.value.removeprefix(str(OA)), quad.object.value)
    sources = [
        q.object.value
        for q in statements
        if q.predicate.value == HAS_SOURCE and isinstance(q.object, ox.NamedNode)
    ]
    labeller.fetch(sources)
    citing = dict.fromkeys(q.subject for q in description.incoming if q.predicate.value == EVIDENCE)
    quote = Quote(
        exact=fields.get("exact", ""),
        href=None,
        prefix=fields.get("prefix", ""),
        suffix=fields.get("suffix", ""),
        start=_offset(fields.get("start")),
        end=_offset(fields.get("end")),
    )
    source = labeller.value(sources[0]) if sources else None
    named = unnamed_participations(citing, labeller, description)
    cited_by = [referrer(s, labeller, description, named) for s in citing]
    return PassageView(
        quote,
        mark_deprecated(source, sources[0], labeller) if source else None,
        sorted(cited_by, key=lambda v: v.text.casefold()),
    )


def passage_summary(view: PassageView) -> str:
    """The page's one sentence: whose words, where, and what they are evidence for."""
    where = (
        f" at characters {view.quote.start}–{view.quote.end}"
        if view.quote.start is not None and view.quote.end is not None
        else ""
    )
    whose = f"Words of {view.source.text}{where}" if view.source else f"Words{where}"
    count = len(view.cited_by)
    if not count:
        return whose + "."
    return f"{whose}, quoted as evidence for {count} resource{'s' if count != 1 else ''}."


def _offset(text: str | None) -> int | None:
    return int(text) if text is not None and text.isdigit() else None
