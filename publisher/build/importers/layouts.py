"""The layouts of coded event data files, one table each: which column means what.

The importer is driven by these tables and nothing else knows a column's name, so adding a
layout (GDELT 2.0's export files, a project's own spreadsheet) is adding one ``Layout``:
its columns, the meaning (``Field``) each carries, and the few ways layouts differ (how
event types are coded, how lists of actors are written, what stands for "no value").
docs/import.md prints the tables; ``tests/test_importers.py`` checks that it does.

Sources of the layouts:

- ICEWS: Boschee et al., *ICEWS Coded Event Data*, Harvard Dataverse,
  doi:10.7910/DVN/28075 (the tab-separated ``events.YYYY.*.tab`` files). "Event ID" is not
  unique alone; with "Event Date" it is (A. Beger, ``icews`` R package, vignette "ICEWS
  event data").
- POLECAT: Halterman et al., *POLECAT Weekly Data*, Harvard Dataverse (2023); the PLOVER
  ontology it is coded in (openeventdata/PLOVER). Some weekly files add "Story ID",
  "Headline", "Feed" or "Event Text", and the intensity column is "Intensity" in some and
  "Event Intensity" in others; actor and recipient columns may hold several values
  separated by ";" (one per actor, in the same order in name and country).
- GDELT 2.0: The GDELT Project, *GDELT 2.0 Event Database Codebook* (V2.0, 2015), the
  tab-separated ``YYYYMMDDHHMMSS.export.CSV`` files: 61 columns, no header line. Actor
  country codes are CAMEO's (``countries.CAMEO_COUNTRY_CODES`` maps the few that are not ISO
  3166 alpha-3); the ``*Geo_CountryCode`` columns are FIPS 10-4 and are not read (the full
  place name says the country in words).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum


class Field(Enum):
    """What a column means to Diplograph, whatever a layout calls it."""

    # Members are singletons: hash them by identity (Enum's own hash runs Python code, and
    # every value of every row is looked up by its Field).
    __hash__ = object.__hash__

    EVENT_ID = "event identifier"
    DATE = "event date"
    SOURCE_NAME = "source actor"
    SOURCE_COUNTRY = "source actor's country"
    TARGET_NAME = "target actor"
    TARGET_COUNTRY = "target actor's country"
    CAMEO_CODE = "CAMEO code"
    PLOVER_TYPE = "PLOVER event type"
    PLOVER_MODE = "PLOVER event mode"
    EVENT_TEXT = "event type as text"
    STORY_ID = "story (source document) identifier"
    SENTENCE = "sentence of the story"
    PUBLISHER = "publisher of the story"
    PUBLICATION_DATE = "publication date of the story"
    CITY = "city of the event"
    DISTRICT = "district of the event"
    PROVINCE = "province of the event"
    COUNTRY = "country of the event"
    PLACE_NAME = "place of the event, as 'city, province, country'"
    STORY_URL = "web address of the story (source document)"


@dataclass(frozen=True)
class Column:
    """A column of a layout: its header name, what it means, and whether a file must have it.

    ``meaning`` is None for a column that is read past; ``note`` says why (docs/import.md).
    """

    name: str
    meaning: Field | None = None
    required: bool = True
    note: str = ""
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Layout:
    """One file layout: its columns and how its values are written."""

    name: str
    title: str
    columns: tuple[Column, ...]
    #: How the event type is coded: "cameo" (a CAMEO code) or "plover" (type and mode).
    coding: str = "cameo"
    delimiter: str = "\t"
    #: Separator of several actors in one actor column (None: one actor per column).
    list_separator: str | None = None
    #: Values that mean "no value" besides the empty string.
    nulls: frozenset[str] = field(default_factory=frozenset)
    #: Whether files start with a line naming the columns; without one, the columns are
    #: read by position, in the order of ``columns``.
    header: bool = True
    #: How dates are written: "YYYY-MM-DD" (a time after it is dropped) or "YYYYMMDD".
    date_format: str = "YYYY-MM-DD"

    def column(self, meaning: Field) -> Column | None:
        return next((c for c in self.columns if c.meaning is meaning), None)

    @property
    def required(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if c.required)


_LATLON = "not imported: the ontology has no coordinates; the place is named instead"
_SECTORS = "not imported: the ontology has no term for event-data sectors"
_INTENSITY = (
    "not imported: the code's Goldstein score is in the CAMEO vocabulary "
    "(dip:goldsteinScore of the dip:eventType)"
)

ICEWS = Layout(
    name="icews",
    title="ICEWS coded event data (Harvard Dataverse, tab-separated, with a header)",
    columns=(
        Column("Event ID", Field.EVENT_ID, note="with the date, the event's IRI"),
        Column("Event Date", Field.DATE, note="YYYY-MM-DD; dip:startDate (xsd:date)"),
        Column("Source Name", Field.SOURCE_NAME, note="dip:sourceActor, reconciled"),
        Column("Source Sectors", required=False, note=_SECTORS),
        Column("Source Country", Field.SOURCE_COUNTRY, note="dip:country of a new actor"),
        Column("Event Text", Field.EVENT_TEXT, required=False, note="in the event's label"),
        Column("CAMEO Code", Field.CAMEO_CODE, note="dip:eventType (the CAMEO vocabulary)"),
        Column("Intensity", required=False, note=_INTENSITY),
        Column("Target Name", Field.TARGET_NAME, note="dip:targetActor, reconciled"),
        Column("Target Sectors", required=False, note=_SECTORS),
        Column("Target Country", Field.TARGET_COUNTRY, note="dip:country of a new actor"),
        Column("Story ID", Field.STORY_ID, note="the source document and its named graph"),
        Column("Sentence Number", Field.SENTENCE, required=False, note="in the passage's label"),
        Column("Publisher", Field.PUBLISHER, required=False, note="dip:publisher of the story"),
        Column("City", Field.CITY, required=False, note="dip:place (a dip:City)"),
        Column("District", Field.DISTRICT, required=False, note="dip:place when no city"),
        Column("Province", Field.PROVINCE, required=False, note="dip:place when no city"),
        Column("Country", Field.COUNTRY, required=False, note="dip:place when no finer place"),
        Column("Latitude", required=False, note=_LATLON),
        Column("Longitude", required=False, note=_LATLON),
    ),
)

_POLECAT_NOT = "not imported: no ontology term for it"
_WIKIPEDIA = (
    "not imported: a Wikipedia page is not a verified Wikidata identity (schema:sameAs is "
    "only for verified ones); reconciliation uses names"
)

POLECAT = Layout(
    name="polecat",
    title="POLECAT weekly event data (Harvard Dataverse, tab-separated, with a header)",
    coding="plover",
    list_separator=";",
    nulls=frozenset({"None", "none", "NA", "nan"}),
    columns=(
        Column("Event ID", Field.EVENT_ID, note="with the date, the event's IRI"),
        Column("Event Date", Field.DATE, note="YYYY-MM-DD (a time is dropped); dip:startDate"),
        Column(
            "Event Type",
            Field.PLOVER_TYPE,
            note="dip:eventType: the CAMEO code that is skos:exactMatch of the PLOVER type or mode",
        ),
        Column("Event Mode", Field.PLOVER_MODE, required=False, note="with the type, as above"),
        Column("Intensity", required=False, aliases=("Event Intensity",), note=_INTENSITY),
        Column(
            "Quad Code",
            required=False,
            note="not imported: the QuadClass of the CAMEO code (dip:quadClass) says it",
        ),
        Column("Contexts", required=False, note=_POLECAT_NOT),
        Column("Actor Name", Field.SOURCE_NAME, note="dip:sourceActor(s), reconciled"),
        Column("Actor Country", Field.SOURCE_COUNTRY, note="dip:country of a new actor"),
        Column("Actor COW", required=False, note="not imported: the country column says it"),
        Column("Primary Actor Sector", required=False, note=_SECTORS),
        Column("Actor Sectors", required=False, note=_SECTORS),
        Column("Actor Title", required=False, note=_POLECAT_NOT),
        Column("Actor Name Raw", required=False, note="not imported: the resolved name is used"),
        Column("Wikipedia Actor ID", required=False, note=_WIKIPEDIA),
        Column("Recipient Name", Field.TARGET_NAME, note="dip:targetActor(s), reconciled"),
        Column("Recipient Country", Field.TARGET_COUNTRY, note="dip:country of a new actor"),
        Column("Recipient COW", required=False, note="not imported: the country column says it"),
        Column("Primary Recipient Sector", required=False, note=_SECTORS),
        Column("Recipient Sectors", required=False, note=_SECTORS),
        Column("Recipient Title", required=False, note=_POLECAT_NOT),
        Column(
            "Recipient Name Raw", required=False, note="not imported: the resolved name is used"
        ),
        Column("Wikipedia Recipient ID", required=False, note=_WIKIPEDIA),
        Column(
            "Placename",
            required=False,
            note="not imported: city, district, province and country say it",
        ),
        Column("City", Field.CITY, required=False, note="dip:place (a dip:City)"),
        Column("District", Field.DISTRICT, required=False, note="dip:place when no city"),
        Column("Province", Field.PROVINCE, required=False, note="dip:place when no city"),
        Column("Country", Field.COUNTRY, required=False, note="dip:place when no finer place"),
        Column("Latitude", required=False, note=_LATLON),
        Column("Longitude", required=False, note=_LATLON),
        Column("GeoNames ID", required=False, note="not imported: not a verified identity"),
        Column("Raw Placename", required=False, note=_POLECAT_NOT),
        Column("Feature Type", required=False, note=_POLECAT_NOT),
        Column("Source", Field.PUBLISHER, required=False, note="dip:publisher of the story"),
        Column(
            "Publication Date",
            Field.PUBLICATION_DATE,
            required=False,
            note="dip:publicationDate of the story",
        ),
        Column("Story People", required=False, note=_POLECAT_NOT),
        Column("Story Organizations", required=False, note=_POLECAT_NOT),
        Column("Story Locations", required=False, note=_POLECAT_NOT),
        Column("Language", required=False, note=_POLECAT_NOT),
        Column("Version", required=False, note=_POLECAT_NOT),
        Column(
            "Story ID",
            Field.STORY_ID,
            required=False,
            note="the source document and its "
            "named graph (in some releases; else one source document per event)",
        ),
    ),
)

_GDELT_NOT = "not imported: no ontology term for it"
_GDELT_CODE = "not imported: the name and country columns say it"
_GDELT_GEO = "not imported: the event's own place (ActionGeo_FullName) is the one recorded"


def _gdelt_actor(n: int, name: Field, country: Field, role: str) -> tuple[Column, ...]:
    """The ten columns GDELT writes for each of its two actors."""
    return (
        Column(f"Actor{n}Code", required=False, note=_GDELT_CODE),
        Column(f"Actor{n}Name", name, note=f"dip:{role}, reconciled"),
        Column(
            f"Actor{n}CountryCode",
            country,
            required=False,
            note="CAMEO country code; dip:country of a new actor",
        ),
        Column(f"Actor{n}KnownGroupCode", required=False, note=_GDELT_NOT),
        Column(f"Actor{n}EthnicCode", required=False, note=_GDELT_NOT),
        Column(f"Actor{n}Religion1Code", required=False, note=_GDELT_NOT),
        Column(f"Actor{n}Religion2Code", required=False, note=_GDELT_NOT),
        Column(f"Actor{n}Type1Code", required=False, note=_SECTORS),
        Column(f"Actor{n}Type2Code", required=False, note=_SECTORS),
        Column(f"Actor{n}Type3Code", required=False, note=_SECTORS),
    )


def _gdelt_geo(prefix: str, full_name: Field | None, note: str) -> tuple[Column, ...]:
    """The eight columns GDELT writes for each of its three places."""
    return (
        Column(f"{prefix}_Type", required=False, note=note),
        Column(
            f"{prefix}_FullName",
            full_name,
            required=False,
            note="'city, province, country': dip:place, the finest part named"
            if full_name
            else note,
        ),
        Column(f"{prefix}_CountryCode", required=False, note="not imported: FIPS 10-4, not ISO"),
        Column(f"{prefix}_ADM1Code", required=False, note=note),
        Column(f"{prefix}_ADM2Code", required=False, note=note),
        Column(f"{prefix}_Lat", required=False, note=_LATLON),
        Column(f"{prefix}_Long", required=False, note=_LATLON),
        Column(f"{prefix}_FeatureID", required=False, note=note),
    )


GDELT = Layout(
    name="gdelt",
    title="GDELT 2.0 event export (tab-separated, 61 columns, no header line)",
    header=False,
    date_format="YYYYMMDD",
    columns=(
        Column("GlobalEventID", Field.EVENT_ID, note="with the date, the event's IRI"),
        Column("Day", Field.DATE, note="YYYYMMDD; dip:startDate (xsd:date)"),
        Column("MonthYear", required=False, note="not imported: Day says it"),
        Column("Year", required=False, note="not imported: Day says it"),
        Column("FractionDate", required=False, note="not imported: Day says it"),
        *_gdelt_actor(1, Field.SOURCE_NAME, Field.SOURCE_COUNTRY, "sourceActor"),
        *_gdelt_actor(2, Field.TARGET_NAME, Field.TARGET_COUNTRY, "targetActor"),
        Column("IsRootEvent", required=False, note=_GDELT_NOT),
        Column("EventCode", Field.CAMEO_CODE, note="dip:eventType (the CAMEO vocabulary)"),
        Column("EventBaseCode", required=False, note="not imported: skos:broader of the code"),
        Column("EventRootCode", required=False, note="not imported: skos:broader of the code"),
        Column(
            "QuadClass",
            required=False,
            note="not imported: the QuadClass of the CAMEO code (dip:quadClass) says it",
        ),
        Column("GoldsteinScale", required=False, note=_INTENSITY),
        Column("NumMentions", required=False, note=_GDELT_NOT),
        Column("NumSources", required=False, note=_GDELT_NOT),
        Column("NumArticles", required=False, note=_GDELT_NOT),
        Column("AvgTone", required=False, note=_GDELT_NOT),
        *_gdelt_geo("Actor1Geo", None, _GDELT_GEO),
        *_gdelt_geo("Actor2Geo", None, _GDELT_GEO),
        *_gdelt_geo("ActionGeo", Field.PLACE_NAME, "not imported: the full name says it"),
        Column("DATEADDED", required=False, note="not imported: when GDELT coded it"),
        Column(
            "SOURCEURL",
            Field.STORY_URL,
            note="the source document (schema:url) and its named graph",
        ),
    ),
)

#: Every layout ``diplograph import --format`` knows, by name.
LAYOUTS: dict[str, Layout] = {layout.name: layout for layout in (ICEWS, POLECAT, GDELT)}
