"""The vocabularies the project uses, declared once.

``DIP`` is a ``DefinedNamespace`` with ``_fail = True``: a misspelt ontology term is an error
at import time, not a silently empty query. A test checks it matches ``ontology/``.
"""

# No ``from __future__ import annotations`` here: DefinedNamespace reads the annotations at
# run time (``as_jsonld_context`` needs real classes, not strings).
from rdflib import Namespace, URIRef
from rdflib.namespace import (
    DCAT,
    DCTERMS,
    FOAF,
    OWL,
    PROV,
    RDF,
    RDFS,
    SH,
    SKOS,
    TIME,
    VANN,
    VOID,
    XSD,
    DefinedNamespace,
)

DIP_IRI = "https://w3id.org/diplograph/ontology#"


class DIP(DefinedNamespace):
    """The Diplograph ontology (``ontology/diplograph.ttl``)."""

    _NS = Namespace(DIP_IRI)
    _fail = True

    # Terms in ontology order; tests/test_namespaces.py checks this list against the ontology.
    # Classes: events
    Event: URIRef
    StateVisit: URIRef
    Journey: URIRef
    Arrival: URIRef
    BorderCrossing: URIRef
    Meeting: URIRef
    Summit: URIRef
    BilateralSummit: URIRef
    MultilateralSummit: URIRef
    MilitaryParade: URIRef
    Commemoration: URIRef
    TreatySigning: URIRef
    MilitaryDeployment: URIRef
    PlannedMilitaryDeployment: URIRef
    ArmedConflict: URIRef
    Statement: URIRef
    Commentary: URIRef
    NewsReport: URIRef
    HistoricalEvent: URIRef

    # Classes: agents
    Agent: URIRef
    Person: URIRef
    Organisation: URIRef
    State: URIRef
    InternationalOrganisation: URIRef
    PoliticalParty: URIRef
    PartyOrgan: URIRef
    GovernmentBody: URIRef
    IntelligenceAgency: URIRef
    NewsOutlet: URIRef
    ThinkTank: URIRef
    Delegation: URIRef

    # Classes: places
    Place: URIRef
    City: URIRef
    Border: URIRef

    # Classes: n-ary relations
    Participation: URIRef
    PositionHolding: URIRef

    # Classes: agreements, claims and sources
    Agreement: URIRef
    Treaty: URIRef
    Claim: URIRef
    Estimate: URIRef
    SourceDocument: URIRef
    NewsArticle: URIRef

    # Classes: evidence
    Passage: URIRef

    # Datatypes
    DateValue: URIRef

    # Properties: events
    startDate: URIRef
    endDate: URIRef
    earliestStartDate: URIRef
    latestStartDate: URIRef
    earliestEndDate: URIRef
    latestEndDate: URIRef
    startDateNotStated: URIRef
    timeOfDay: URIRef
    place: URIRef
    subEventOf: URIRef
    hasSubEvent: URIRef
    precededBy: URIRef
    followedBy: URIRef
    eventType: URIRef
    sourceActor: URIRef
    targetActor: URIRef
    commemorates: URIRef
    anniversary: URIRef
    origin: URIRef
    destination: URIRef
    crosses: URIRef
    transportMode: URIRef
    about: URIRef
    deployedBy: URIRef
    deployedTo: URIRef
    inSupportOf: URIRef
    partOfConflict: URIRef
    attendanceCount: URIRef
    troopStrength: URIRef
    casualties: URIRef

    # Properties: participation
    hasParticipation: URIRef
    participationIn: URIRef
    participant: URIRef
    role: URIRef
    hasParticipant: URIRef
    participatedIn: URIRef
    hasAttendee: URIRef
    attended: URIRef

    # Properties: delegations, membership, positions, organisations
    delegationOf: URIRef
    head: URIRef
    hasMember: URIRef
    memberOf: URIRef
    holdsPosition: URIRef
    heldBy: URIRef
    positionType: URIRef
    positionIn: URIRef
    basedIn: URIRef
    country: URIRef
    partOf: URIRef
    leader: URIRef

    # Properties: agreements
    party: URIRef
    partyTo: URIRef
    signatory: URIRef
    signingDate: URIRef
    signingPlace: URIRef
    signingEvent: URIRef
    signingOf: URIRef
    obligation: URIRef

    # Properties: claims and estimates
    claimant: URIRef
    reportedIn: URIRef
    claimText: URIRef
    certainty: URIRef
    sourceStance: URIRef
    claimantHedge: URIRef
    subject: URIRef
    estimateOf: URIRef
    hasEstimate: URIRef
    quantityValue: URIRef
    counted: URIRef
    isApproximate: URIRef
    approximationQualifier: URIRef

    # Properties: source documents
    publisher: URIRef
    author: URIRef
    publicationDate: URIRef
    cites: URIRef
    seedFile: URIRef

    # Properties: event codes
    quadClass: URIRef
    goldsteinScore: URIRef

    # Properties: evidence
    evidence: URIRef


SCHEMA = Namespace("http://schema.org/")
OA = Namespace("http://www.w3.org/ns/oa#")
SEM = Namespace("http://semanticweb.cs.vu.nl/2009/11/sem/")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
SPDX = Namespace("http://spdx.org/rdf/terms#")
WD = Namespace("http://www.wikidata.org/entity/")
HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")

PREFIXES: dict[str, str] = {
    "dip": DIP_IRI,
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "owl": str(OWL),
    "xsd": str(XSD),
    "skos": str(SKOS),
    "prov": str(PROV),
    "schema": str(SCHEMA),
    "sem": str(SEM),
    "time": str(TIME),
    "foaf": str(FOAF),
    "oa": str(OA),
    "dcterms": str(DCTERMS),
    "dcat": str(DCAT),
    "void": str(VOID),
    "vann": str(VANN),
    "sh": str(SH),
    "sd": str(SD),
    "spdx": str(SPDX),
    "wd": str(WD),
}

__all__ = [
    "DCAT",
    "DCTERMS",
    "DIP",
    "DIP_IRI",
    "FOAF",
    "HYDRA",
    "OA",
    "OWL",
    "PREFIXES",
    "PROV",
    "RDF",
    "RDFS",
    "SCHEMA",
    "SD",
    "SEM",
    "SH",
    "SKOS",
    "SPDX",
    "TIME",
    "VANN",
    "VOID",
    "WD",
    "XSD",
]
