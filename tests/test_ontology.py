"""The ontology and its SKOS schemes: documented, well-formed, covering what data and shapes use.

The checks follow the OOPS! pitfall catalogue where it applies to a small OWL ontology
(untyped terms, missing domain/range, hierarchy cycles, missing licence, a term that is both a
class and a property, inverses declared one way only). They run on rdflib alone, so they are
fast; the reasoner's view is in test_reasoning.py.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS, VANN
from rdflib.term import Node
from rdflib.util import guess_format

from publisher import namespaces
from publisher.config import PROJECT_ROOT
from publisher.namespaces import DIP_IRI, FOAF, OA, PROV, SCHEMA, SEM

# XSD and TIME warn when pytest probes module globals, so they are reached through the module.
XSD_IRI = str(namespaces.XSD)
TIME_IRI = str(namespaces.TIME)

ONTOLOGY_DIR = PROJECT_ROOT / "ontology"
ONTOLOGY_FILE = ONTOLOGY_DIR / "diplograph.ttl"
ONTOLOGY_IRI = URIRef("https://w3id.org/diplograph/ontology")
BASE = "https://w3id.org/diplograph/"
WIKIDATA = "http://www.wikidata.org/entity/"

CLASS_TYPES = (OWL.Class, RDFS.Datatype)
PROPERTY_TYPES = (OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)
BUILT_IN = (str(RDF), str(RDFS), str(OWL), XSD_IRI)
ALIGNMENT_TARGETS = (str(SCHEMA), str(SEM), str(PROV), TIME_IRI, str(FOAF), str(SKOS), str(OA))

# Properties deliberately left without a domain or range, each with the reason.
OPEN_DOMAIN = {
    "country": "places, organisations and people all have a country",
    "evidence": "any resource a graph describes can name the passage that supports it",
}
OPEN_RANGE = {
    "about": "a statement or document can be about any resource in the graph",
    "subject": "a claim can be about any resource in the graph",
}

PLAN_SCHEMES = (
    "event-type",
    "role",
    "obligation",
    "certainty",
    "position-type",
    "counted",
    "transport-mode",
    "quad-class",
    "plover",
)
#: Schemes with a hierarchy (skos:broader); the others are flat.
HIERARCHICAL = ("event-type", "plover")


@cache
def ontology() -> Graph:
    return Graph().parse(ONTOLOGY_FILE)


@cache
def vocabularies() -> Graph:
    graph = Graph()
    for path in sorted(ONTOLOGY_DIR.glob("vocabularies-*.ttl")):
        graph.parse(path)
    return graph


def dip(term: Node) -> bool:
    return isinstance(term, URIRef) and str(term).startswith(DIP_IRI)


def local(term: Node) -> str:
    return str(term)[len(DIP_IRI) :]


def typed(graph: Graph, *types: URIRef) -> set[URIRef]:
    return {s for t in types for s in graph.subjects(RDF.type, t) if isinstance(s, URIRef)}


def dip_terms() -> set[URIRef]:
    return {t for t in typed(ontology(), *CLASS_TYPES, *PROPERTY_TYPES) if dip(t)}


def english(graph: Graph, subject: URIRef, predicate: URIRef) -> list[Literal]:
    return [
        o
        for o in graph.objects(subject, predicate)
        if isinstance(o, Literal) and o.language == "en" and str(o).strip()
    ]


def dip_terms_used_in(paths: list[Path]) -> dict[URIRef, str]:
    """Every dip: IRI in the files (any position), with one file that uses it."""
    used: dict[URIRef, str] = {}
    for path in paths:
        dataset = Dataset()
        dataset.parse(path, format=guess_format(str(path)))
        for quad in dataset.quads((None, None, None, None)):
            for term in quad[:3]:
                if dip(term):
                    used.setdefault(term, path.name)
    return used


# --- documentation of every term ------------------------------------------------------------


def test_the_ontology_declares_classes_and_properties() -> None:
    terms = dip_terms()
    assert len([t for t in terms if (t, RDF.type, OWL.Class) in ontology()]) >= 40
    assert len([t for t in terms if (t, RDF.type, OWL.ObjectProperty) in ontology()]) >= 45


@pytest.mark.parametrize("predicate", [RDFS.label, SKOS.definition], ids=["label", "definition"])
def test_every_term_has_one_english_label_and_definition(predicate: URIRef) -> None:
    missing = sorted(local(t) for t in dip_terms() if len(english(ontology(), t, predicate)) != 1)
    assert missing == [], f"terms without exactly one English {predicate}"


def test_every_term_is_defined_by_the_ontology() -> None:
    wrong = sorted(
        local(t) for t in dip_terms() if (t, RDFS.isDefinedBy, ONTOLOGY_IRI) not in ontology()
    )
    assert wrong == []


def test_labels_are_lower_case_phrases_and_definitions_sentences() -> None:
    for term in dip_terms():
        (label,) = english(ontology(), term, RDFS.label)
        (definition,) = english(ontology(), term, SKOS.definition)
        assert label[0].islower(), (term, label)
        assert definition[0].isupper() and definition.endswith("."), (term, definition)


# --- ontology metadata ------------------------------------------------------------------------


def test_ontology_metadata_is_complete() -> None:
    g = ontology()
    assert (ONTOLOGY_IRI, RDF.type, OWL.Ontology) in g
    assert g.value(ONTOLOGY_IRI, OWL.versionIRI) == URIRef(f"{BASE}ontology/0.2.0")
    assert str(g.value(ONTOLOGY_IRI, OWL.versionInfo)) == "0.2.0"
    assert g.value(ONTOLOGY_IRI, OWL.priorVersion) == URIRef(f"{BASE}ontology/0.1.0")
    assert english(g, ONTOLOGY_IRI, SKOS.historyNote), "the changelog of terms"
    assert g.value(ONTOLOGY_IRI, DCTERMS.license) == URIRef(
        "https://creativecommons.org/licenses/by/4.0/"
    )
    for predicate in (DCTERMS.title, DCTERMS.description):
        assert english(g, ONTOLOGY_IRI, predicate), predicate
    for predicate in (DCTERMS.creator, DCTERMS.created, DCTERMS.modified):
        assert g.value(ONTOLOGY_IRI, predicate) is not None, predicate
    assert str(g.value(ONTOLOGY_IRI, VANN.preferredNamespacePrefix)) == "dip"
    assert str(g.value(ONTOLOGY_IRI, VANN.preferredNamespaceUri)) == DIP_IRI


def test_alignments_do_not_import() -> None:
    assert list(ontology().objects(None, OWL.imports)) == []


# --- OOPS!-style pitfalls ---------------------------------------------------------------------


def test_no_untyped_terms() -> None:
    """Every IRI used as a predicate, class or property in the ontology is declared (P34/P35)."""
    g = ontology() + vocabularies()
    declared = typed(g, *CLASS_TYPES, *PROPERTY_TYPES)
    used: set[Node] = set(g.predicates())
    used |= set(g.objects(None, RDF.type))
    for predicate in (RDFS.subClassOf, RDFS.domain, RDFS.range, OWL.disjointWith):
        used |= set(g.objects(None, predicate))
    used |= set(g.objects(None, RDFS.subPropertyOf)) | set(g.objects(None, OWL.inverseOf))
    untyped = sorted(
        str(t)
        for t in used
        if isinstance(t, URIRef) and not str(t).startswith(BUILT_IN) and t not in declared
    )
    assert untyped == []


def test_no_term_is_both_a_class_and_a_property() -> None:
    classes = typed(ontology(), *CLASS_TYPES)
    properties = typed(ontology(), *PROPERTY_TYPES)
    assert classes & properties == set()
    kinds = [typed(ontology(), t) for t in PROPERTY_TYPES]
    assert kinds[0] & kinds[1] == set() and kinds[0] & kinds[2] == set()


def test_class_hierarchy_has_no_cycles() -> None:
    parents: dict[Node, set[Node]] = {}
    for sub, sup in ontology().subject_objects(RDFS.subClassOf):
        parents.setdefault(sub, set()).add(sup)
    for start in parents:
        seen: set[Node] = set()
        todo = list(parents[start])
        while todo:
            node = todo.pop()
            assert node != start, f"{start} is its own superclass"
            if node not in seen:
                seen.add(node)
                todo.extend(parents.get(node, ()))


def test_properties_have_domain_and_range_unless_deliberately_open() -> None:
    g = ontology()
    properties = [t for t in dip_terms() if (t, RDF.type, OWL.ObjectProperty) in g] + [
        t for t in dip_terms() if (t, RDF.type, OWL.DatatypeProperty) in g
    ]
    no_domain = {local(p) for p in properties if g.value(p, RDFS.domain) is None}
    no_range = {local(p) for p in properties if g.value(p, RDFS.range) is None}
    assert no_domain == set(OPEN_DOMAIN)
    assert no_range == set(OPEN_RANGE)


def test_domains_and_ranges_name_declared_classes_or_datatypes() -> None:
    g = ontology()
    declared = typed(g, *CLASS_TYPES)
    for predicate in (RDFS.domain, RDFS.range):
        for prop, cls in g.subject_objects(predicate):
            if isinstance(cls, BNode):
                members = list(g.items(g.value(cls, OWL.unionOf)))
                assert members, f"{prop}: anonymous {predicate} must be a union"
            else:
                members = [cls]
            for member in members:
                assert (
                    member in declared
                    or str(member).startswith(XSD_IRI)
                    or member in (RDFS.Literal,)
                ), (prop, member)


def test_inverse_pairs_are_declared_both_ways_and_mirror_each_other() -> None:
    g = ontology()
    pairs = list(g.subject_objects(OWL.inverseOf))
    assert len(pairs) >= 8
    for p, q in pairs:
        assert (q, OWL.inverseOf, p) in g, f"{q} does not declare itself the inverse of {p}"
        assert g.value(p, RDFS.domain) == g.value(q, RDFS.range), (p, q)
        assert g.value(p, RDFS.range) == g.value(q, RDFS.domain), (p, q)


def test_alignments_point_only_at_the_agreed_vocabularies() -> None:
    g = ontology()
    for predicate in (RDFS.subClassOf, RDFS.subPropertyOf):
        for sub, sup in g.subject_objects(predicate):
            assert dip(sub), f"the ontology must not define external term {sub}"
            if isinstance(sup, BNode):  # a restriction on the dip: class, not an alignment
                assert (sup, RDF.type, OWL.Restriction) in g and dip(g.value(sup, OWL.onProperty))
                continue
            assert dip(sup) or str(sup).startswith(ALIGNMENT_TARGETS), (sub, sup)


def test_external_terms_are_declared_but_not_redefined() -> None:
    """External terms carry a type declaration only: no domain, range, label or hierarchy."""
    g = ontology()
    for term in typed(g, *CLASS_TYPES, *PROPERTY_TYPES):
        if dip(term):
            continue
        assert set(g.predicate_objects(term)) <= {
            (RDF.type, t) for t in (*CLASS_TYPES, *PROPERTY_TYPES)
        }, term


def test_the_design_alignments_are_present() -> None:
    """DESIGN.md §4: schema:Event / schema:attendee… find everything after materialisation."""
    g = ontology()
    expected = [
        ("Event", RDFS.subClassOf, SCHEMA.Event),
        ("Event", RDFS.subClassOf, SEM.Event),
        ("Person", RDFS.subClassOf, SCHEMA.Person),
        ("Person", RDFS.subClassOf, FOAF.Person),
        ("Person", RDFS.subClassOf, PROV.Person),
        ("Organisation", RDFS.subClassOf, SCHEMA.Organization),
        ("State", RDFS.subClassOf, SCHEMA.Country),
        ("Place", RDFS.subClassOf, SCHEMA.Place),
        ("Claim", RDFS.subClassOf, PROV.Entity),
        ("hasAttendee", RDFS.subPropertyOf, SCHEMA.attendee),
        ("hasParticipant", RDFS.subPropertyOf, SEM.hasActor),
        ("Participation", RDFS.subClassOf, SEM.Role),
        ("startDate", RDFS.subPropertyOf, SCHEMA.startDate),
        ("place", RDFS.subPropertyOf, SCHEMA.location),
        ("subEventOf", RDFS.subPropertyOf, SCHEMA.superEvent),
        ("claimant", RDFS.subPropertyOf, PROV.wasAttributedTo),
        ("followedBy", RDFS.subPropertyOf, URIRef(TIME_IRI + "before")),
    ]
    missing = [(s, str(o)) for s, p, o in expected if (URIRef(DIP_IRI + s), p, o) not in g]
    assert missing == []


def test_a_state_is_both_an_organisation_and_a_place_and_no_disjointness_forbids_it() -> None:
    g = ontology()
    state = URIRef(DIP_IRI + "State")
    organisation, place = URIRef(DIP_IRI + "Organisation"), URIRef(DIP_IRI + "Place")
    assert {organisation, place} <= set(g.objects(state, RDFS.subClassOf))
    agent = URIRef(DIP_IRI + "Agent")
    assert (agent, OWL.disjointWith, place) not in g and (place, OWL.disjointWith, agent) not in g


def test_wikidata_matches_are_annotations_on_dip_terms() -> None:
    g = ontology()
    for predicate in (SKOS.closeMatch, SKOS.exactMatch):
        for term, target in g.subject_objects(predicate):
            assert dip(term)
            assert re.fullmatch(re.escape(WIKIDATA) + r"[QP]\d+", str(target)), target


def test_the_class_tree_in_the_docs_matches_the_ontology() -> None:
    """docs/ontology.md draws the class tree by hand; it must not drift from the ontology."""
    text = (PROJECT_ROOT / "docs" / "ontology.md").read_text(encoding="utf-8")
    tree = text.split("## Class tree", 1)[1].split("```", 2)[1]
    drawn: set[tuple[str, str]] = set()
    roots: set[str] = set()
    stack: list[str] = []
    for line in tree.strip("\n").splitlines():
        depth = (len(line) - len(line.lstrip(" "))) // 2
        name = line.split()[0]
        del stack[depth:]
        if stack:
            drawn.add((name, stack[-1]))
        else:
            roots.add(name)
        stack.append(name)
    g = ontology()
    classes = {local(c) for c in typed(g, OWL.Class) if dip(c)}
    actual = {
        (local(s), local(o)) for s, o in g.subject_objects(RDFS.subClassOf) if dip(s) and dip(o)
    }
    assert drawn == actual
    assert roots == {c for c in classes if not any(child == c for child, _ in actual)}


# --- the plan, the data and the shapes --------------------------------------------------------


def plan_terms() -> set[str]:
    """Backticked names in the Classes and Properties sections of docs/vocabulary-plan.md."""
    text = (PROJECT_ROOT / "docs" / "vocabulary-plan.md").read_text(encoding="utf-8")
    sections = re.findall(r"^## (?:Classes|Properties).*?(?=^## )", text, re.M | re.S)
    names = {n for section in sections for n in re.findall(r"`([A-Za-z]+)`", section)}
    return names


def test_every_term_in_the_vocabulary_plan_is_declared() -> None:
    names = plan_terms()
    assert len(names) > 80
    declared = {local(t) for t in dip_terms()}
    assert sorted(names - declared) == []


def test_every_dip_term_used_in_data_and_shapes_is_declared() -> None:
    paths = sorted(
        path
        for folder in ("data", "shapes")
        for path in (PROJECT_ROOT / folder).rglob("*")
        if path.is_file() and guess_format(str(path)) is not None
    )
    assert {p.suffix for p in paths} >= {".trig", ".ttl"}, "no data or shapes to check"
    used = dip_terms_used_in(paths)
    declared = dip_terms()
    undeclared = {local(t): where for t, where in used.items() if t not in declared}
    assert undeclared == {}


def test_the_used_term_check_finds_an_undeclared_term(tmp_path: Path) -> None:
    bad = tmp_path / "bad.trig"
    bad.write_text(
        f"<{BASE}id/graph/x> {{ <{BASE}id/event/e> <{DIP_IRI}hasParticipants> "
        f"<{BASE}id/person/p> . }}\n"
    )
    used = dip_terms_used_in([bad])
    assert [local(t) for t in used if t not in dip_terms()] == ["hasParticipants"]


# --- SKOS concept schemes ---------------------------------------------------------------------


def concepts() -> set[URIRef]:
    return typed(vocabularies(), SKOS.Concept)


def test_the_planned_schemes_exist_with_english_labels() -> None:
    g = vocabularies()
    schemes = typed(g, SKOS.ConceptScheme)
    assert {str(s) for s in schemes} == {f"{BASE}id/scheme/{name}" for name in PLAN_SCHEMES}
    for scheme in schemes:
        assert len(english(g, scheme, SKOS.prefLabel)) == 1, scheme
        assert english(g, scheme, SKOS.definition), scheme
        assert g.value(scheme, DCTERMS.license) is not None, scheme


def test_every_concept_is_in_exactly_one_scheme_with_an_english_pref_label() -> None:
    g = vocabularies()
    assert len(concepts()) >= 45
    for concept in concepts():
        schemes = list(g.objects(concept, SKOS.inScheme))
        assert len(schemes) == 1, concept
        assert (schemes[0], RDF.type, SKOS.ConceptScheme) in g, concept
        assert len(english(g, concept, SKOS.prefLabel)) == 1, concept
        assert len(english(g, concept, SKOS.definition)) == 1, concept


def test_concept_iris_follow_the_scheme_and_top_concepts_are_consistent() -> None:
    """A concept is a top concept of its scheme or has a skos:broader in the same scheme (only
    the CAMEO and PLOVER schemes have a hierarchy), never both; narrower mirrors broader."""
    g = vocabularies()
    for concept in concepts():
        scheme = g.value(concept, SKOS.inScheme)
        name = str(scheme).rsplit("/", 1)[1]
        assert re.fullmatch(re.escape(f"{BASE}id/concept/{name}/") + r"[a-z0-9-]+", str(concept))
        broader = list(g.objects(concept, SKOS.broader))
        top = (concept, SKOS.topConceptOf, scheme) in g
        assert top == ((scheme, SKOS.hasTopConcept, concept) in g), concept
        assert top != bool(broader), f"{concept}: a top concept or one broader concept"
        assert len(broader) <= 1 and (not broader or name in HIERARCHICAL), concept
        for parent in broader:
            assert g.value(parent, SKOS.inScheme) == scheme, concept
        assert set(g.subjects(SKOS.broader, concept)) == set(g.objects(concept, SKOS.narrower))


QUAD_CLASS = {
    **dict.fromkeys(("01", "02", "03", "04", "05"), "verbal-cooperation"),
    **dict.fromkeys(("06", "07", "08"), "material-cooperation"),
    **dict.fromkeys(("09", "10", "11", "12", "13"), "verbal-conflict"),
    **dict.fromkeys(("14", "15", "16", "17", "18", "19", "20"), "material-conflict"),
}


def test_event_types_carry_their_cameo_code_as_notation() -> None:
    """CAMEO as a hierarchy: each code's parent is the code one digit shorter (root: two
    digits), and each code has the QuadClass of its root and a Goldstein score."""
    g = vocabularies()
    scheme = URIRef(f"{BASE}id/scheme/event-type")
    codes = {}
    for concept in g.subjects(SKOS.inScheme, scheme):
        (notation,) = list(g.objects(concept, SKOS.notation))
        code = str(notation)
        assert re.fullmatch(r"\d{2,4}", code), notation
        assert str(concept).endswith("/" + code)
        parent = g.value(concept, SKOS.broader)
        if len(code) == 2:
            assert parent is None, code
        else:
            assert str(g.value(parent, SKOS.notation)) == code[:-1], code
        quad = g.value(concept, URIRef(DIP_IRI + "quadClass"))
        assert quad == URIRef(f"{BASE}id/concept/quad-class/{QUAD_CLASS[code[:2]]}"), code
        score = g.value(concept, URIRef(DIP_IRI + "goldsteinScore"))
        assert isinstance(score, Literal) and -10 <= score.toPython() <= 10, code
        codes[code] = str(g.value(concept, SKOS.prefLabel))
    assert codes["042"] == "make a visit"
    assert codes["043"] == "host a visit"
    assert codes["057"] == "sign formal agreement"
    assert codes["150"] == "demonstrate military power"
    assert {"010", "036", "040", "062", "190"} <= set(codes)
    assert codes["04"] == "consult" and codes["0312"] == "express intent to cooperate militarily"


def test_cameo_codes_match_plover_event_types_and_modes() -> None:
    """Every CAMEO code except those of root 01 (which PLOVER drops) and root 08 (which it
    splits) matches a PLOVER event type or mode, by skos:exactMatch or skos:closeMatch."""
    g = vocabularies()
    event_types = URIRef(f"{BASE}id/scheme/event-type")
    plover = URIRef(f"{BASE}id/scheme/plover")
    for concept in g.subjects(SKOS.inScheme, event_types):
        code = str(g.value(concept, SKOS.notation))
        matches = [*g.objects(concept, SKOS.exactMatch), *g.objects(concept, SKOS.closeMatch)]
        if code[:2] == "01" or code == "08":
            assert matches == [], code
            continue
        assert len(matches) == 1, code
        assert g.value(matches[0], SKOS.inScheme) == plover, code


def test_planned_concepts_exist() -> None:
    expected = {
        "role": "host guest head-of-delegation delegation-member attendee signatory speaker "
        "commentator reporter organiser deploying-state supported-party",
        "obligation": "defence offence neutrality non-aggression consultation",
        "certainty": "reported estimated stated intended",
        "counted": "soldiers soldiers-and-engineers soldiers-killed world-leaders",
        "position-type": "supreme-leader president head-of-state director official "
        "party-official government-member",
        "transport-mode": "train",
        "quad-class": "verbal-cooperation material-cooperation verbal-conflict material-conflict",
        "plover": "agree consult consult-visit support cooperate accuse accuse-disapprove",
    }
    have = {str(c) for c in concepts()}
    for scheme, slugs in expected.items():
        for slug in slugs.split():
            assert f"{BASE}id/concept/{scheme}/{slug}" in have


def test_data_uses_properties_within_their_domain_and_range() -> None:
    """Each dip: property's subject and object already have a type its domain/range allows.

    HermiT would silently infer the missing type instead; for curated data a property used on
    the wrong kind of resource is almost always a mistake, so the asserted types must agree.
    """
    g = ontology()
    graph = vocabularies() + Graph()
    for path in sorted((PROJECT_ROOT / "data").glob("*.trig")):
        dataset = Dataset()
        dataset.parse(path, format="trig")
        for s, p, o, _ in dataset.quads((None, None, None, None)):
            graph.add((s, p, o))
    supers: dict[Node, set[Node]] = {}
    for sub, sup in g.subject_objects(RDFS.subClassOf):
        supers.setdefault(sub, set()).add(sup)

    def types(node: Node) -> set[Node]:
        found: set[Node] = set()
        todo = list(graph.objects(node, RDF.type))
        while todo:
            cls = todo.pop()
            if cls not in found:
                found.add(cls)
                todo.extend(supers.get(cls, ()))
        return found

    def allowed(node: Node, cls: Node) -> bool:
        members = list(g.items(g.value(cls, OWL.unionOf))) if isinstance(cls, BNode) else [cls]
        return isinstance(node, Literal) or bool(types(node) & set(members))

    wrong = set()
    for s, p, o in graph:
        if not dip(p):
            continue
        domain, range_ = g.value(p, RDFS.domain), g.value(p, RDFS.range)
        if domain is not None and not allowed(s, domain):
            wrong.add(f"{s} {local(p)}: subject is not in the domain")
        if range_ is not None and (p, RDF.type, OWL.ObjectProperty) in g and not allowed(o, range_):
            wrong.add(f"{s} {local(p)} {o}: object is not in the range")
    assert sorted(wrong) == []


DEPRECATED = {"about": ["subject"], "certainty": ["sourceStance", "claimantHedge"]}


def test_deprecated_terms_are_kept_marked_and_point_to_their_successors() -> None:
    """A replaced term stays (its IRI is published), owl:deprecated true, with
    dcterms:isReplacedBy its successors; no data or shape uses it any more."""
    g = ontology()
    deprecated = {local(t) for t in dip_terms() if (t, OWL.deprecated, Literal(True)) in g}
    assert deprecated == set(DEPRECATED)
    for name, successors in DEPRECATED.items():
        term = URIRef(DIP_IRI + name)
        assert sorted(local(o) for o in g.objects(term, DCTERMS.isReplacedBy)) == sorted(successors)
        history = str(english(g, ONTOLOGY_IRI, SKOS.historyNote)[0])
        assert f"dip:{name}" in history
    used = dip_terms_used_in(sorted((PROJECT_ROOT / "data").glob("*.trig")))
    assert {local(t) for t in used} & set(DEPRECATED) == set()


def test_inverses_the_oops_review_asked_for_are_declared() -> None:
    g = ontology()
    pairs = {
        "holdsPosition": "heldBy",
        "hasParticipation": "participationIn",
        "party": "partyTo",
        "signingEvent": "signingOf",
        "estimateOf": "hasEstimate",
        "hasAttendee": "attended",
    }
    for p, q in pairs.items():
        assert (URIRef(DIP_IRI + p), OWL.inverseOf, URIRef(DIP_IRI + q)) in g, p


def test_agreements_claims_documents_passages_and_concepts_are_disjoint() -> None:
    g = ontology()
    members = [
        set(g.items(g.value(axiom, OWL.members)))
        for axiom in g.subjects(RDF.type, OWL.AllDisjointClasses)
    ]
    wanted = {URIRef(DIP_IRI + n) for n in ("Agreement", "Claim", "SourceDocument", "Passage")}
    assert any(wanted | {SKOS.Concept} <= m for m in members)
