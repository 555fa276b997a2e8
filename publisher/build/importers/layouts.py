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

#: Every layout ``diplograph import --format`` knows, by name.
LAYOUTS: dict[str, Layout] = {layout.name: layout for layout in (ICEWS, POLECAT)}
