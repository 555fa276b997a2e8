"""One IRI per actor, place and publisher across rows and files, the dataset's where it has one.

The rule (docs/import.md, "Reconciliation"), applied the same way to every name:

1. Names are compared ``normalise``d: accents, case and punctuation do not count ("Kim
   Jong-Un" is "Kim Jong Un"). A resource of the dataset is known by every ``rdfs:label``
   and ``skos:altLabel`` it has, in any language.
2. A country is resolved to a state: a state of the dataset whose label or alternative
   label it is, else ``id/state/{ISO 3166-1 alpha-3}`` (``countries.alpha3``), which is
   minted if the dataset does not have it. An actor whose name resolves to its own country
   ("China" of China) is that state.
3. An actor matches a dataset agent of the same name whose country is the row's: its
   ``dip:country``, the state of a position it holds (``dip:holdsPosition/dip:positionIn``),
   the state it leads (``dip:leader``), or itself for a state. If no agent of that name has
   that country, one of that name for which the dataset records no country matches (listed
   in the summary as matched by name alone). A dataset agent with another country never
   matches; two that fit equally are ambiguous, and a new IRI is minted and reported. A row
   that gives no country matches the one dataset agent of that name, if there is one.
4. Otherwise the actor is new: ``id/agent/{slug(name)}-{alpha-3}``, a ``dip:Agent`` (the
   rows do not say person or organisation) with its ``dip:country``. Rows naming the same
   actor (same normalised name, same country) share it, across files; the first spelling is
   its label, other spellings ``skos:altLabel``.
5. Places and publishers are matched the same way (a place by its finest name and its
   country, a publisher by name among the dataset's organisations).

The reconciled resources keep their IRIs, types and Wikidata links (``schema:sameAs``); the
import adds only the spellings the rows use that the dataset lacks, as ``skos:altLabel``.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

import pyoxigraph as ox

from publisher.build.importers.countries import CAMEO_COUNTRY_CODES, alpha3, english_name
from publisher.build.importers.names import normalise, slug
from publisher.build.importers.vocabulary import select
from publisher.namespaces import DIP

_PREFIXES = """
PREFIX dip: <https://w3id.org/diplograph/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
"""

_NAMED = (
    _PREFIXES
    + """
SELECT DISTINCT ?class ?x ?name WHERE {
  ?x a ?type . ?type rdfs:subClassOf* ?class .
  ?x rdfs:label|skos:altLabel ?name .
}"""
)

_COUNTRIES = (
    _PREFIXES
    + """
SELECT DISTINCT ?x ?country WHERE {
  { ?x dip:country ?country }
  UNION { ?x dip:holdsPosition/dip:positionIn ?country }
  UNION { ?country dip:leader ?x }
  UNION { ?x a dip:State BIND(?x AS ?country) }
  ?country a dip:State .
}"""
)


@dataclass(frozen=True)
class Known:
    """A resource of the dataset a name may match."""

    iri: str
    names: frozenset[str]
    countries: frozenset[str]


@dataclass
class NewResource:
    """A resource the import mints: described once, in the import's own graph."""

    iri: str
    rdf_type: str
    label: str
    alt_labels: set[str] = field(default_factory=set)
    country: str | None = None


@dataclass
class Match:
    """How a name found its IRI, for the summary."""

    name: str
    country: str
    iri: str
    how: str


class Reconciler:
    """Resolve names to IRIs: the dataset's where the rule finds one, else minted ones."""

    def __init__(self, store: ox.Store, base: str, taken: Iterable[str]) -> None:
        self.base = base
        self.taken = set(taken)
        self.new: dict[str, NewResource] = {}
        self.matches: dict[str, Match] = {}
        self.extra_labels: dict[str, set[str]] = defaultdict(set)
        self.ambiguous: list[str] = []
        self.unknown_countries: Counter[str] = Counter()
        self._minted_for: dict[str, object] = {}
        countries = _countries(store)
        self._agents = _index(store, str(DIP.Agent), countries)
        self._orgs = _index(store, str(DIP.Organisation), countries)
        places = _index(store, str(DIP.Place), countries)
        states = {iri for iri, cs in countries.items() if iri in cs}
        self._states: dict[str, str] = {}
        for name, known in self._agents.items():
            for k in known:
                if k.iri in states:
                    self._states.setdefault(name, k.iri)
        self._places = {n: [k for k in known if k.iri not in states] for n, known in places.items()}
        self._raw_names = {
            k.iri: k.names
            for index in (self._agents, self._orgs, places)
            for known in index.values()
            for k in known
        }
        self._state_cache: dict[str, str | None] = {}
        self._actor_cache: dict[tuple[str, str], str] = {}
        self._place_cache: dict[tuple[str, ...], str | None] = {}
        self._publisher_cache: dict[str, str] = {}

    # ---------------------------------------------------------------- states
    def state(self, value: str) -> str | None:
        """The state IRI of a country name or code; None (and recorded) if unknown."""
        if value in self._state_cache:
            return self._state_cache[value]
        iri = self._state_of(value)
        if iri is None:
            self.unknown_countries[value] += 1
        self._state_cache[value] = iri
        return iri

    def _state_of(self, value: str) -> str | None:
        """Resolve ``value`` to a state, minting ``id/state/{alpha-3}`` if it is new."""
        found = self._find_state(value)
        if found is None:
            return None
        iri, label = found
        if iri not in self.taken and iri not in self.new:
            self.new[iri] = NewResource(iri, str(DIP.State), label)
        return iri

    def _find_state(self, value: str) -> tuple[str, str] | None:
        """The state ``value`` names and the label a new one would get; mints nothing."""
        known = self._states.get(normalise(value))
        if known is not None:
            return known, value
        code = alpha3(value)
        if code is None:
            return None
        written = value.strip().upper()
        is_code = written == code or CAMEO_COUNTRY_CODES.get(written) == code
        label = english_name(code) if is_code else value.strip()
        return f"{self.base}id/state/{code.lower()}", label

    # ---------------------------------------------------------------- actors
    def actor(self, name: str, country: str) -> str:
        """The IRI of the actor ``name`` of ``country`` (a name or code, may be empty)."""
        key = (name, country)
        cached = self._actor_cache.get(key)
        if cached is not None:  # this very spelling was noted when it was first seen
            return cached
        iri = self._resolve_actor(name, country)
        self._actor_cache[key] = iri
        self._note_spelling(iri, name)
        return iri

    def _resolve_actor(self, name: str, country: str) -> str:
        state = self.state(country) if country else None
        as_state = self._find_state(name) if (not country or state) else None
        if as_state is not None and (state is None or as_state[0] == state):
            iri = self._state_of(name)
            assert iri is not None
            self._match(name, country, iri, "the country itself")
            return iri
        norm = normalise(name)
        found = self._pick(self._agents.get(norm, ()), state, name, country)
        if found is not None:
            return found
        suffix = state.rsplit("/", 1)[-1] if state else ""
        base_slug = f"{slug(name)}-{suffix}" if suffix else slug(name)
        return self._mint("agent", base_slug, (norm, state or normalise(country)), name, state)

    def _pick(
        self, candidates: Iterable[Known], state: str | None, name: str, country: str
    ) -> str | None:
        """The one candidate the rule allows, or None (ambiguity is recorded)."""
        candidates = list(candidates)
        if not candidates:
            return None
        if not country:
            if len(candidates) == 1:
                self._match(
                    name, country, candidates[0].iri, "name alone (the row gives no country)"
                )
                return candidates[0].iri
            iris = ", ".join(sorted(f"<{k.iri}>" for k in candidates))
            self.ambiguous.append(f"'{name}' (no country) could be {iris}")
            return None
        same = [k for k in candidates if state is not None and state in k.countries]
        if len(same) == 1:
            self._match(name, country, same[0].iri, "name and country")
            return same[0].iri
        unplaced = [k for k in candidates if not k.countries]
        if not same and len(unplaced) == 1:
            self._match(name, country, unplaced[0].iri, "name alone (no country in the dataset)")
            return unplaced[0].iri
        fits = same or unplaced
        if len(fits) > 1:
            iris = ", ".join(sorted(f"<{k.iri}>" for k in fits))
            self.ambiguous.append(f"'{name}' ({country or 'no country'}) could be {iris}")
        return None

    # ---------------------------------------------------------------- places
    def place(self, city: str, district: str, province: str, country: str) -> str | None:
        """The place of an event: its finest named place, else the country's state."""
        key = (city, district, province, country)
        if key in self._place_cache:
            return self._place_cache[key]
        state = self.state(country) if country else None
        finest = city or district or province
        iri: str | None = state
        if finest:
            iri = self._pick(self._places.get(normalise(finest), ()), state, finest, country)
            if iri is None:
                parts = [finest]
                if province and normalise(province) != normalise(finest):
                    parts.append(province)
                label = ", ".join(parts)
                suffix = state.rsplit("/", 1)[-1] if state else ""
                base_slug = "-".join(p for p in (slug(label), suffix) if p)
                norm_key = (normalise(city), normalise(district), normalise(province), state)
                rdf_type = str(DIP.City) if city else str(DIP.Place)
                iri = self._mint("place", base_slug, norm_key, label, state, rdf_type)
        self._place_cache[key] = iri
        return iri

    # ---------------------------------------------------------------- publishers
    def publisher(self, name: str) -> str:
        """The organisation that published a story: the dataset's, or a new news outlet."""
        cached = self._publisher_cache.get(name)
        if cached is None:
            norm = normalise(name)
            known = self._orgs.get(norm, [])
            if len(known) == 1:
                cached = known[0].iri
                self._match(name, "", cached, "name (publisher)")
            else:
                cached = self._mint(
                    "org", slug(name), ("org", norm), name, None, str(DIP.NewsOutlet)
                )
            self._publisher_cache[name] = cached
        return cached

    # ---------------------------------------------------------------- helpers
    def _mint(
        self,
        kind: str,
        base_slug: str,
        key: object,
        label: str,
        country: str | None,
        rdf_type: str = str(DIP.Agent),
    ) -> str:
        """A new IRI ``id/{kind}/{slug}``, ``-2``, ``-3``… if the dataset or another name
        already holds it; the same key always gets the same IRI."""
        n = 1
        while True:
            candidate = f"{self.base}id/{kind}/{base_slug}" + (f"-{n}" if n > 1 else "")
            owner = self._minted_for.get(candidate)
            if owner == key:
                return candidate
            if owner is None and candidate not in self.taken:
                self._minted_for[candidate] = key
                self.new[candidate] = NewResource(candidate, rdf_type, label, country=country)
                return candidate
            n += 1

    def _match(self, name: str, country: str, iri: str, how: str) -> None:
        self.matches.setdefault(f"{name}\t{country}", Match(name, country, iri, how))

    def _note_spelling(self, iri: str, name: str) -> None:
        """Record a spelling of ``iri`` that its labels lack (as a ``skos:altLabel``)."""
        new = self.new.get(iri)
        if new is not None:
            if name != new.label:
                new.alt_labels.add(name)
        elif name not in self._names_of(iri):
            self.extra_labels[iri].add(name)

    def _names_of(self, iri: str) -> frozenset[str]:
        return self._raw_names.get(iri, frozenset())


def _countries(store: ox.Store) -> dict[str, frozenset[str]]:
    found: dict[str, set[str]] = defaultdict(set)
    for solution in select(store, _COUNTRIES):
        found[solution["x"].value].add(solution["country"].value)
    return {iri: frozenset(cs) for iri, cs in found.items()}


def _index(
    store: ox.Store, rdf_class: str, countries: dict[str, frozenset[str]]
) -> dict[str, list[Known]]:
    """Normalised name -> the dataset's resources of ``rdf_class`` (or a subclass) so named."""
    names: dict[str, set[str]] = defaultdict(set)
    for solution in select(store, _NAMED, {"class": ox.NamedNode(rdf_class)}):
        names[solution["x"].value].add(solution["name"].value)
    index: dict[str, list[Known]] = defaultdict(list)
    for iri, raw in names.items():
        known = Known(iri, frozenset(raw), countries.get(iri, frozenset()))
        for norm in {normalise(n) for n in raw}:
            index[norm].append(known)
    return dict(index)
