"""``diplograph import``: small ICEWS, POLECAT and GDELT files made for the tests
(tests/data/import/, good rows and bad ones) are imported next to the project's data,
validated with the project's ontology and shapes, built into a release, and the release is
asked with SPARQL for what the rows said: dyads, codes, QuadClasses through the CAMEO
hierarchy, places, one IRI per actor across rows and files, Wikidata links of reconciled
actors, provenance."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from publisher.build.context import Sources
from publisher.build.importers.countries import alpha3
from publisher.build.importers.importer import (
    REJECTED,
    ImportFailed,
    ImportOptions,
    ImportSummary,
    import_files,
)
from publisher.build.importers.layouts import GDELT, ICEWS, LAYOUTS, POLECAT, Layout
from publisher.build.importers.names import normalise, slug
from publisher.build.importers.outdir import MANIFEST
from publisher.build.importers.reconcile import Reconciler
from publisher.build.inputs import parse_quads, rdf_files
from publisher.build.pipeline import build_release
from publisher.build.validation import validate_files
from publisher.cli import main
from publisher.config import PROJECT_ROOT, Settings
from publisher.release.layout import Release

HERE = Path(__file__).parent
IMPORT = HERE / "data" / "import"
ICEWS_A = IMPORT / "icews-2025-a.tab"
ICEWS_B = IMPORT / "icews-2025-b.tab"
POLECAT_FILE = IMPORT / "polecat-2025.txt"
GDELT_FILE = IMPORT / "gdelt-20250903.export.CSV"
BASE = "https://w3id.org/diplograph/"
PROJECT = Sources.from_root()

PREFIXES = """
PREFIX dip: <https://w3id.org/diplograph/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX schema: <http://schema.org/>
PREFIX oa: <http://www.w3.org/ns/oa#>
PREFIX wd: <http://www.wikidata.org/entity/>
PREFIX id: <https://w3id.org/diplograph/id/>
"""


def options(layout: Layout, files: tuple[Path, ...], out: Path, **extra: object) -> ImportOptions:
    """Import into ``out`` joining the project's own ontology and data."""
    settings: dict[str, object] = {
        "layout": layout,
        "files": files,
        "out": out,
        "base": BASE,
        "created": "2026-01-15",
        "ontology": PROJECT.ontology,
        "data": PROJECT.data,
        "protected": (PROJECT_ROOT / "data", PROJECT_ROOT / "ontology", PROJECT_ROOT / "shapes"),
        "project_root": PROJECT_ROOT,
    }
    settings.update(extra)
    return ImportOptions(**settings)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def icews(tmp_path_factory: pytest.TempPathFactory) -> tuple[ImportSummary, Path]:
    out = tmp_path_factory.mktemp("imports") / "icews-test"
    summary = import_files(options(ICEWS, (ICEWS_A, ICEWS_B), out), log=lambda _: None)
    return summary, out


@pytest.fixture(scope="module")
def polecat(tmp_path_factory: pytest.TempPathFactory) -> tuple[ImportSummary, Path]:
    out = tmp_path_factory.mktemp("imports") / "polecat-test"
    summary = import_files(options(POLECAT, (POLECAT_FILE,), out), log=lambda _: None)
    return summary, out


@pytest.fixture(scope="module")
def gdelt(tmp_path_factory: pytest.TempPathFactory) -> tuple[ImportSummary, Path]:
    out = tmp_path_factory.mktemp("imports") / "gdelt-test"
    summary = import_files(options(GDELT, (GDELT_FILE,), out), log=lambda _: None)
    return summary, out


@pytest.fixture(scope="module")
def imported(
    icews: tuple[ImportSummary, Path],
    polecat: tuple[ImportSummary, Path],
    gdelt: tuple[ImportSummary, Path],
) -> tuple[Path, ...]:
    return rdf_files(icews[1]) + rdf_files(polecat[1]) + rdf_files(gdelt[1])


def union(paths: tuple[Path, ...]) -> ox.Store:
    store = ox.Store()
    for path in PROJECT.ontology + PROJECT.data + paths:
        store.extend(parse_quads(path))
    return store


def select(store: ox.Store, query: str) -> list[dict[str, str]]:
    result = store.query(PREFIXES + query, use_default_graph_as_union=True)
    assert isinstance(result, ox.QuerySolutions)
    names = [v.value for v in result.variables]
    return [
        {n: s[n].value for n in names if s[n] is not None}  # type: ignore[union-attr]
        for s in result
    ]


@pytest.fixture(scope="module")
def graph(imported: tuple[Path, ...]) -> Iterator[ox.Store]:
    """The project's ontology and data with both imports, as the build's union graph."""
    yield union(imported)


# --- what was imported, what was not -------------------------------------------------------


def test_the_summary_counts_rows_events_and_stories(icews: tuple[ImportSummary, Path]) -> None:
    summary, out = icews
    assert (summary.rows, summary.events, summary.stories, len(summary.bad)) == (32, 24, 13, 8)
    assert [(f.name, f.rows, f.imported) for f in summary.files] == [
        ("icews-2025-a.tab", 20, 20),
        ("icews-2025-b.tab", 12, 4),
    ]
    text = summary.format()
    assert text.startswith(f"imported 24 of 32 row(s) from 2 file(s) into {out}")
    assert "8 row(s) not imported" in text
    manifest = json.loads((out / MANIFEST).read_text())
    assert (manifest["events"], manifest["rejected"], manifest["format"]) == (24, 8, "icews")


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        (5, "CAMEO code 0211 is not in the project's event-type vocabulary"),
        (6, "'42' is not a CAMEO code (a leading zero lost?"),
        (7, "impossible date '2025-02-30' in Event Date (expected YYYY-MM-DD)"),
        (8, "no source actor (Source Name is empty)"),
        (9, "no target actor (Target Name is empty)"),
        (10, "the same event (ID 90001, 2025-09-02) as "),
        (11, "no story (Story ID is empty)"),
        (13, "has 7 fields, the header 20"),
    ],
)
def test_bad_rows_are_reported_with_file_line_and_reason(
    icews: tuple[ImportSummary, Path], line: int, reason: str
) -> None:
    summary, out = icews
    (bad,) = [b for b in summary.bad if b.line == line]
    assert bad.path == ICEWS_B
    assert reason in bad.reason
    assert f"{ICEWS_B}:{line}: {reason}" in bad.format()
    rejected = (out / REJECTED).read_text().splitlines()
    assert any(r.startswith(f"icews-2025-b.tab\t{line}\t") and reason in r for r in rejected)


def test_a_bad_row_mints_nothing(icews: tuple[ImportSummary, Path], graph: ox.Store) -> None:
    """Japan → South Korea appears only in bad rows: no event, and no new resource for it."""
    rows = select(graph, "SELECT ?e WHERE { ?e dip:sourceActor id:state\\/jpn }")
    assert [r["e"] for r in rows] == []


def test_the_output_conforms_to_the_shapes(imported: tuple[Path, ...]) -> None:
    report = validate_files(PROJECT.data + imported)
    assert report.conforms, report.format(PROJECT_ROOT, limit=10)


# --- the graph: dyads, codes, hierarchy, places --------------------------------------------


#: The first row of the ICEWS and of the GDELT test file, each in its layout: one event.
KIM_VISITS_CHINA = {
    "source": f"{BASE}id/person/kim-jong-un",
    "target": f"{BASE}id/state/chn",
    "code": "042",
    "date": "2025-09-02",
    "place": f"{BASE}id/place/beijing",
}


def test_events_have_dyads_codes_dates_and_places(graph: ox.Store) -> None:
    (row,) = select(
        graph,
        """SELECT ?source ?target ?code ?date ?place WHERE {
             id:event\\/2025-09-02-icews-90001 dip:sourceActor ?source ; dip:targetActor ?target ;
                 dip:eventType/skos:notation ?code ; dip:startDate ?date ; dip:place ?place }""",
    )
    assert row == KIM_VISITS_CHINA


def test_quad_classes_come_through_the_cameo_hierarchy(graph: ox.Store) -> None:
    rows = select(
        graph,
        """SELECT ?quad (COUNT(?e) AS ?n) WHERE {
             GRAPH ?g { ?e dip:eventType ?type }
             FILTER(STRSTARTS(STR(?g), "https://w3id.org/diplograph/id/graph/icews-story-"))
             ?type skos:broader* ?root . ?root skos:topConceptOf ?scheme ; dip:quadClass ?q .
             ?q skos:notation ?quad } GROUP BY ?quad ORDER BY ?quad""",
    )
    # 04/05 roots are verbal cooperation (1), 06 material cooperation (2), 11 verbal
    # conflict (3), 15/19 material conflict (4).
    assert {r["quad"]: int(r["n"]) for r in rows} == {"1": 14, "2": 1, "3": 6, "4": 3}


def test_places_are_cities_provinces_or_states(graph: ox.Store) -> None:
    rows = select(
        graph,
        """SELECT ?e ?place ?type ?country WHERE {
             VALUES ?e { id:event\\/2024-11-01-icews-90015 id:event\\/2024-10-23-icews-90009
                         id:event\\/2024-10-25-icews-90013 }
             ?e dip:place ?place . ?place a ?type . OPTIONAL { ?place dip:country ?country } }""",
    )
    found = {(r["e"].rsplit("/", 1)[1], r["place"], r["type"], r.get("country")) for r in rows}
    dip = "https://w3id.org/diplograph/ontology#"
    assert found == {
        (
            "2024-11-01-icews-90015",
            f"{BASE}id/place/kursk-oblast-rus",
            f"{dip}Place",
            f"{BASE}id/state/rus",
        ),
        ("2024-10-23-icews-90009", f"{BASE}id/state/rus", f"{dip}State", None),
        (
            "2024-10-25-icews-90013",
            f"{BASE}id/place/washington-district-of-columbia-usa",
            f"{dip}City",
            f"{BASE}id/state/usa",
        ),
    }


# --- reconciliation ----------------------------------------------------------------------


def test_actors_are_reconciled_with_the_reference_data(graph: ox.Store) -> None:
    """ "Kim Jong-Un", "KIM JONG UN" (another file) and POLECAT's "Kim Jong Un" of North Korea
    are the curated person, with its Wikidata link; the spellings become alternative labels."""
    rows = select(
        graph,
        """SELECT DISTINCT ?actor ?wikidata WHERE {
             ?e dip:sourceActor|dip:targetActor ?actor .
             FILTER(CONTAINS(STR(?e), "-icews-") || CONTAINS(STR(?e), "-polecat-"))
             ?actor rdfs:label|skos:altLabel ?name .
             FILTER(LCASE(STR(?name)) IN ("kim jong-un", "kim jong un"))
             OPTIONAL { ?actor schema:sameAs ?wikidata } }""",
    )
    assert rows == [
        {
            "actor": f"{BASE}id/person/kim-jong-un",
            "wikidata": "http://www.wikidata.org/entity/Q56226",
        }
    ]
    labels = {
        r["l"] for r in select(graph, "SELECT ?l { id:person\\/kim-jong-un skos:altLabel ?l }")
    }
    assert {"Kim Jong-Un", "KIM JONG UN"} <= labels


@pytest.mark.parametrize(
    ("name", "iri"),
    [
        ("Xi Jinping", "person/xi-jinping"),
        ("Vladimir Putin", "person/vladimir-putin"),
        ("National Intelligence Service", "org/nis"),
        ("Shanghai Cooperation Organisation", "org/sco"),
        ("Russian Federation", "state/rus"),
        ("North Korea", "state/prk"),
        ("Citizen (South Korea)", "agent/citizen-south-korea-kor"),
        ("Government (United States)", "agent/government-united-states-usa"),
    ],
)
def test_one_iri_per_actor_across_rows_and_files(graph: ox.Store, name: str, iri: str) -> None:
    rows = select(
        graph,
        f"""SELECT DISTINCT ?actor WHERE {{
             ?e dip:sourceActor|dip:targetActor ?actor .
             ?actor rdfs:label|skos:altLabel "{name}"@en }}""",
    )
    assert [r["actor"] for r in rows] == [f"{BASE}id/{iri}"]


def test_new_actors_and_states_are_described_once(graph: ox.Store) -> None:
    (row,) = select(
        graph,
        """SELECT ?type ?label ?country WHERE {
             id:agent\\/citizen-south-korea-kor a ?type ; rdfs:label ?label ;
                 dip:country ?country }""",
    )
    assert row == {
        "type": "https://w3id.org/diplograph/ontology#Agent",
        "label": "Citizen (South Korea)",
        "country": f"{BASE}id/state/kor",
    }
    (usa,) = select(graph, "SELECT ?label { id:state\\/usa a dip:State ; rdfs:label ?label }")
    assert usa == {"label": "United States"}


def test_a_name_of_another_country_is_not_matched(tmp_path: Path) -> None:
    """The rule: a dataset agent with a different country never matches."""
    store = union(())
    taken = {q.subject.value for q in store if isinstance(q.subject, ox.NamedNode)}
    reconciler = Reconciler(store, BASE, taken)
    assert reconciler.actor("Kim Jong-Un", "North Korea") == f"{BASE}id/person/kim-jong-un"
    assert reconciler.actor("Kim Jong Un", "South Korea") == f"{BASE}id/agent/kim-jong-un-kor"
    assert reconciler.actor("Kim Jong Un", "") == f"{BASE}id/person/kim-jong-un"
    assert reconciler.actor("Jenny Town", "United States") == f"{BASE}id/person/jenny-town"
    assert reconciler.actor("China", "China") == f"{BASE}id/state/chn"
    assert reconciler.actor("Georgia", "United States") == f"{BASE}id/agent/georgia-usa"
    assert f"{BASE}id/state/geo" not in reconciler.new


# --- provenance ----------------------------------------------------------------------------


def test_each_story_is_a_named_graph_with_provenance(graph: ox.Store) -> None:
    rows = select(
        graph,
        """SELECT ?g ?story ?file ?publisher ?agent WHERE {
             GRAPH ?g { id:event\\/2025-09-02-icews-90001 dip:eventType ?t .
                        ?g prov:wasDerivedFrom ?file ; prov:hadPrimarySource ?story ;
                           prov:wasAttributedTo ?agent .
                        ?story a dip:NewsArticle ; dip:publisher ?publisher } }""",
    )
    assert len(rows) == 1
    row = rows[0]
    assert row["g"] == f"{BASE}id/graph/icews-story-7001"
    assert row["story"] == f"{BASE}id/source/icews-story-7001"
    assert re.fullmatch(rf"{BASE}id/source/icews-file-icews-2025-a-tab-[0-9a-f]{{8}}", row["file"])
    assert row["publisher"] == f"{BASE}id/org/yonhap-news-agency"
    assert row["agent"] == f"{BASE}id/org/diplograph-curators"


def test_a_reconciled_publisher_is_the_datasets(graph: ox.Store) -> None:
    rows = select(graph, "SELECT ?p { id:source\\/icews-story-7003 dip:publisher ?p }")
    assert rows == [{"p": f"{BASE}id/org/rodong-sinmun"}]


def test_every_imported_event_quotes_its_row_at_its_offsets(graph: ox.Store) -> None:
    """The evidence is the row itself: its exact text at its code-point offsets in the file,
    the file named by its source document (dip:seedFile), and the row's line in the label."""
    rows = select(
        graph,
        """SELECT ?e ?exact ?start ?end ?seed ?label WHERE {
             ?e dip:evidence ?p . ?p rdfs:label ?label ; oa:hasSource ?file ;
                oa:hasSelector [ oa:exact ?exact ] , [ oa:start ?start ; oa:end ?end ] .
             ?file dip:seedFile ?seed . FILTER(STRSTARTS(?seed, "tests/")) }""",
    )
    assert len(rows) == 33
    for row in rows:
        text = (PROJECT_ROOT / row["seed"]).read_bytes().decode("utf-8")
        assert text[int(row["start"]) : int(row["end"])] == row["exact"]
        line = int(re.search(r", line (\d+) ", row["label"]).group(1))  # type: ignore[union-attr]
        assert text.splitlines()[line - 1] == row["exact"]


# --- POLECAT ------------------------------------------------------------------------------


def test_polecat_types_become_the_cameo_codes_that_match_them(
    polecat: tuple[ImportSummary, Path], graph: ox.Store
) -> None:
    summary, _ = polecat
    assert (summary.rows, summary.events, len(summary.bad)) == (7, 4, 3)
    rows = select(
        graph,
        """SELECT ?e ?code WHERE { ?e dip:eventType/skos:notation ?code .
             FILTER(CONTAINS(STR(?e), "-polecat-")) } ORDER BY ?e""",
    )
    codes = {r["e"].rsplit("/", 1)[1]: r["code"] for r in rows}
    assert codes == {
        "2024-06-19-polecat-20240619-0003-e5f6": "03",  # AGREE
        "2024-11-01-polecat-20241101-0004-g7h8": "15",  # MOBILIZE: troops -> the type's match
        "2025-09-02-polecat-20250902-0001-a1b2": "042",  # CONSULT: visit
        "2025-09-03-polecat-20250903-0002-c3d4": "04",  # CONSULT, no mode
    }
    reasons = {b.line: b.reason for b in summary.bad}
    assert reasons[6].startswith("PLOVER type ASSAULT is the exact match of no CAMEO code")
    assert reasons[7] == "no target actor (Recipient Name is empty)"
    assert reasons[8].startswith("impossible date '2024-13-04'")


def test_polecat_actor_lists_are_several_actors(graph: ox.Store) -> None:
    rows = select(
        graph,
        """SELECT ?t WHERE { id:event\\/2025-09-03-polecat-20250903-0002-c3d4 dip:targetActor ?t }
           ORDER BY ?t""",
    )
    assert [r["t"] for r in rows] == [
        f"{BASE}id/person/vladimir-putin",
        f"{BASE}id/person/xi-jinping",
    ]
    (story,) = select(
        graph,
        """SELECT ?date WHERE { GRAPH ?g { id:event\\/2025-09-03-polecat-20250903-0002-c3d4 a ?t }
             ?g prov:hadPrimarySource ?s . ?s dip:publicationDate ?date }""",
    )
    assert story == {"date": "2025-09-03"}


# --- GDELT 2.0 ---------------------------------------------------------------------------


def test_gdelt_rows_are_read_by_position_and_bad_ones_reported(
    gdelt: tuple[ImportSummary, Path],
) -> None:
    summary, _ = gdelt
    assert (summary.rows, summary.events, summary.stories, len(summary.bad)) == (10, 5, 3, 5)
    reasons = {b.line: b.reason for b in summary.bad}
    assert reasons == {
        6: "'999' is not a CAMEO code (a leading zero lost? CAMEO codes are 01-20 and their "
        "subcodes)",
        7: "impossible date '20251340' in Day (expected YYYYMMDD)",
        8: "no target actor (Actor2Name is empty)",
        9: "'not a web address' in SOURCEURL is not an http(s) address",
        10: "has 60 fields, the layout 61: a tab inside a value, or a value missing",
    }


def test_gdelt_events_have_dyads_places_and_their_story_url(graph: ox.Store) -> None:
    (row,) = select(
        graph,
        """SELECT ?source ?target ?code ?date ?place ?url WHERE {
             GRAPH ?g { id:event\\/2025-09-02-gdelt-1250000001 dip:sourceActor ?source ;
                 dip:targetActor ?target ; dip:eventType ?type ;
                 dip:startDate ?date ; dip:place ?place }
             ?type skos:notation ?code .
             ?g prov:hadPrimarySource/<http://schema.org/url> ?url }""",
    )
    assert row == {
        **KIM_VISITS_CHINA,
        "url": "https://news.example.org/2025/09/02/kim-arrives-in-beijing-by-train",
    }


def test_gdelt_cameo_country_codes_and_full_place_names(graph: ox.Store) -> None:
    """ROM is CAMEO's code for Romania (ISO: ROU); "Russia" alone is the country's state."""
    rows = select(
        graph,
        """SELECT ?e ?source ?label ?place WHERE {
             VALUES ?e { id:event\\/2025-09-03-gdelt-1250000004
                         id:event\\/2025-09-03-gdelt-1250000005 }
             ?e dip:sourceActor ?source ; dip:place ?place .
             ?source rdfs:label ?label FILTER(LANG(?label) = "en") } ORDER BY ?e""",
    )
    assert [(r["source"], r["label"], r["place"]) for r in rows] == [
        (f"{BASE}id/state/rou", "Romania", f"{BASE}id/place/bucharest-bucuresti-rou"),
        (f"{BASE}id/state/prk", "North Korea", f"{BASE}id/state/rus"),
    ]


def test_a_gdelt_file_may_start_with_a_header_line(tmp_path: Path) -> None:
    source = tmp_path / "with-header.tsv"
    header = "\t".join(c.name for c in GDELT.columns)
    source.write_text(header + "\n" + GDELT_FILE.read_text().splitlines()[0] + "\n")
    summary = import_files(options(GDELT, (source,), tmp_path / "out"), log=lambda _: None)
    assert (summary.rows, summary.events, len(summary.bad)) == (1, 1, 0)


def test_a_file_of_another_layout_is_refused_by_its_number_of_fields() -> None:
    with pytest.raises(
        ImportFailed,
        match=r"icews-2025-a.tab:1: not the gdelt layout: line 1 "
        r"has 20 tab-separated fields, a gdelt file 61",
    ):
        import_files(options(GDELT, (ICEWS_A,), Path("/nonexistent")), log=lambda _: None)


# --- the release ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def release(imported: tuple[Path, ...], tmp_path_factory: pytest.TempPathFactory) -> Release:
    settings = Settings.from_env(environ={}, home=tmp_path_factory.mktemp("home"))
    sources = Sources(PROJECT.ontology, PROJECT.shapes, PROJECT.data + imported)
    return build_release(settings, sources, log=lambda _: None)


@pytest.mark.java
def test_the_imports_build_into_a_release(release: Release) -> None:
    store = ox.Store.read_only(str(release.store_path))
    rows = select(
        store,
        """SELECT (COUNT(DISTINCT ?e) AS ?n) WHERE {
             ?e a <http://schema.org/Event> ; dip:sourceActor ?s ; dip:targetActor ?t ;
                dip:earliestStartDate ?d .
             FILTER(REGEX(STR(?e), "-(icews|polecat|gdelt)-")) }""",
    )
    assert rows == [{"n": "33"}]
    csv = (release.path / "dumps" / "events.csv").read_text()
    assert "2025-09-02-icews-90001" in csv


# --- where an import may write -------------------------------------------------------------


def test_nothing_is_written_over_files_the_import_did_not_write(tmp_path: Path) -> None:
    out = tmp_path / "hand-written"
    out.mkdir()
    (out / "notes.trig").write_text("# mine\n")
    with pytest.raises(ImportFailed, match="holds files that diplograph import did not write"):
        import_files(options(ICEWS, (ICEWS_A,), out), log=lambda _: None)
    assert sorted(p.name for p in out.iterdir()) == ["notes.trig"]


@pytest.mark.parametrize(
    ("folder", "message"),
    [
        ("data", "an import writes a directory of its own"),
        ("ontology", "an import writes a directory of its own"),
        ("shapes/icews", "an import belongs under"),
        (".", "an import writes a directory of its own"),
    ],
)
def test_the_projects_own_folders_are_refused(folder: str, message: str) -> None:
    with pytest.raises(ImportFailed, match=message):
        import_files(options(ICEWS, (ICEWS_A,), PROJECT_ROOT / folder), log=lambda _: None)
    assert not (PROJECT_ROOT / "shapes" / "icews").exists()


def test_an_import_is_replaced_only_when_asked_and_unedited(tmp_path: Path) -> None:
    out = tmp_path / "icews"
    import_files(options(ICEWS, (ICEWS_A,), out), log=lambda _: None)
    with pytest.raises(ImportFailed, match="pass --replace"):
        import_files(options(ICEWS, (ICEWS_A,), out), log=lambda _: None)
    summary = import_files(options(ICEWS, (ICEWS_A,), out, replace=True), log=lambda _: None)
    assert summary.events == 20
    edited = out / "icews.trig"
    edited.write_text(edited.read_text() + "\n# a curator's note\n")
    with pytest.raises(ImportFailed, match="changed since the import: icews.trig"):
        import_files(options(ICEWS, (ICEWS_A,), out, replace=True), log=lambda _: None)
    assert "a curator's note" in edited.read_text()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_nothing_is_written_when_no_row_imports(tmp_path: Path) -> None:
    bad = tmp_path / "bad.tab"
    lines = ICEWS_B.read_text().splitlines()
    bad.write_text("\n".join([lines[0], lines[4], lines[6]]) + "\n")
    with pytest.raises(ImportFailed, match="no row could be imported; nothing was written"):
        import_files(options(ICEWS, (bad,), tmp_path / "out"), log=lambda _: None)
    assert not (tmp_path / "out").exists()


def test_a_file_of_another_layout_is_refused_at_its_header() -> None:
    with pytest.raises(
        ImportFailed, match=r"polecat-2025.txt:1: not the icews layout: the header lacks"
    ):
        import_files(options(ICEWS, (POLECAT_FILE,), Path("/nonexistent/out")), log=lambda _: None)


def test_a_file_that_is_not_utf8_is_refused_with_its_line(tmp_path: Path) -> None:
    latin = tmp_path / "latin1.tab"
    lines = ICEWS_A.read_text().splitlines()
    latin.write_bytes(
        "\n".join([lines[0], lines[1], lines[2].replace("Xi", "Xï")]).encode("latin-1")
    )
    with pytest.raises(ImportFailed, match=r"latin1.tab:3: is not UTF-8"):
        import_files(options(ICEWS, (latin,), tmp_path / "out"), log=lambda _: None)


def test_an_import_directory_is_read_by_the_build_but_not_its_staging(tmp_path: Path) -> None:
    data = tmp_path / "data"
    (data / "icews").mkdir(parents=True)
    (data / ".icews.import-1").mkdir()
    for name in ("a.trig", "icews/b.trig", ".icews.import-1/c.trig", "icews/IMPORT.json"):
        (data / name).write_text("")
    assert [p.relative_to(data).as_posix() for p in rdf_files(data, recursive=True)] == [
        "a.trig",
        "icews/b.trig",
    ]
    assert [p.name for p in rdf_files(data)] == ["a.trig"]


# --- the command --------------------------------------------------------------------------


def test_the_command_prints_the_summary_and_exits_1_for_bad_rows(tmp_path: Path) -> None:
    out = tmp_path / "icews"
    args = ["import", "--format", "icews", str(ICEWS_A), str(ICEWS_B), "--out", str(out)]
    result = CliRunner().invoke(main, [*args, "--created", "2026-01-15"])
    assert result.exit_code == 1, result.output
    assert "imported 24 of 32 row(s) from 2 file(s)" in result.stdout
    assert f"{ICEWS_B}:7: impossible date '2025-02-30'" in result.stdout
    again = CliRunner().invoke(main, args)
    assert again.exit_code == 2
    assert "pass --replace" in again.stderr
    good = CliRunner().invoke(
        main, ["import", "--format", "icews", str(ICEWS_A), "--out", str(tmp_path / "a")]
    )
    assert good.exit_code == 0, good.output


def test_the_commands_formats_are_the_layouts() -> None:
    command = main.commands["import"]
    (choice,) = [p for p in command.params if p.name == "layout_name"]
    assert sorted(choice.type.choices) == sorted(LAYOUTS)  # type: ignore[attr-defined]


def test_the_docs_list_every_column_of_every_layout() -> None:
    text = (PROJECT_ROOT / "docs" / "import.md").read_text(encoding="utf-8")
    for layout in LAYOUTS.values():
        section = text.split(f"### {layout.name}", 1)[1].split("\n### ", 1)[0]
        for column in layout.columns:
            assert f"| {column.name} |" in section, f"{layout.name}: {column.name}"


# --- the small rules -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Kim Jong-Un", "Kim Jong Un"),
        ("KIM JONG UN", "kim jong un"),
        ("Côte d'Ivoire", "Cote d Ivoire"),
    ],
)
def test_names_compare_without_case_accents_or_punctuation(a: str, b: str) -> None:
    assert normalise(a) == normalise(b)


def test_slugs_are_lowercase_ascii() -> None:
    assert slug("Government (United States)") == "government-united-states"
    assert re.fullmatch(r"-?[0-9a-f]{8}", slug("김정은").lstrip("-"))
    assert slug("김정은") != slug("习近平")


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("North Korea", "PRK"),
        ("Russian Federation", "RUS"),
        ("Occupied Palestinian Territory", "PSE"),
        ("Kosovo", "XKX"),
        ("Turkey", "TUR"),
        ("USA", "USA"),
        ("ROM", "ROU"),  # CAMEO's code (GDELT)
        ("WST", None),  # CAMEO's "the West": a region, no state
        ("Atlantis", None),
    ],
)
def test_countries_resolve_to_iso_codes_without_guessing(value: str, code: str | None) -> None:
    assert alpha3(value) == code


def test_an_unknown_country_is_reported_not_guessed(tmp_path: Path) -> None:
    source = tmp_path / "atlantis.tab"
    lines = ICEWS_A.read_text().splitlines()
    source.write_text(lines[0] + "\n" + lines[1].replace("\tNorth Korea\t", "\tAtlantis\t") + "\n")
    summary = import_files(options(ICEWS, (source,), tmp_path / "out"), log=lambda _: None)
    assert "countries with no ISO 3166 code, left without dip:country: 'Atlantis'" in (
        summary.format()
    )
    new = (tmp_path / "out" / "out.trig").read_text()
    assert 'agent:kim-jong-un\n        a dip:Agent ;\n        rdfs:label "Kim Jong-Un"@en .' in new


def test_the_docs_example_is_what_the_command_prints(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """docs/import.md shows the import of the test files; its summary is today's."""
    monkeypatch.chdir(PROJECT_ROOT)
    text = (PROJECT_ROOT / "docs" / "import.md").read_text(encoding="utf-8")
    block = re.search(r"```console\n\$ diplograph import (.*?)\n(.*?)\n\$ ", text, re.S)
    assert block is not None
    args = block[1].split()
    assert args[-2:] == ["--out", "data/icews-2025"]
    out = tmp_path / "icews-2025"
    result = CliRunner().invoke(main, ["import", *args[:-1], str(out)])
    shown = [line for line in block[2].splitlines() if not line.startswith("reading the dataset")]
    printed = (result.stderr + result.stdout).replace(str(out), "data/icews-2025").splitlines()
    printed = [line for line in printed if not line.startswith("reading the dataset")]
    timing = re.compile(r"^  [\d.]+ s \([\d,]+ rows/s\)$")
    assert [x for x in printed if not timing.match(x)] == [x for x in shown if not timing.match(x)]
