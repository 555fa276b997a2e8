"""events.csv and network.graphml: loaded with the readers researchers use (pandas, networkx),
they hold what SPARQL answers over the same release."""

from __future__ import annotations

from collections import Counter

import networkx as nx
import pandas as pd
import pyoxigraph as ox
import pytest

from publisher.build.tables import EVENT_COLUMNS
from publisher.release.catalogue import read_index
from publisher.release.layout import Release
from publisher.release.store import Store

PREFIXES = """\
PREFIX dip: <https://w3id.org/diplograph/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX dcat: <http://www.w3.org/ns/dcat#>
"""


def select(release: Release, query: str) -> list[dict[str, str]]:
    result = Store.for_release(release).query(PREFIXES + query)
    assert isinstance(result, ox.QuerySolutions)
    names = [v.value for v in result.variables]
    return [{n: ("" if row[n] is None else row[n].value) for n in names} for row in result]


@pytest.fixture(scope="module")
def events(release: Release) -> pd.DataFrame:
    return pd.read_csv(release.dumps_path / "events.csv")


def test_events_csv_loads_in_pandas_without_options(events: pd.DataFrame) -> None:
    assert tuple(events.columns) == EVENT_COLUMNS
    assert len(events) >= 10


def test_events_csv_holds_every_coded_event_and_dyad(
    release: Release, events: pd.DataFrame
) -> None:
    expected = {
        (r["event"], r["source"], r["target"], r["code"], r["root"], float(r["goldstein"]))
        for r in select(
            release,
            """SELECT ?event ?source ?target ?code ?root ?goldstein WHERE {
              ?event dip:eventType ?type ; dip:sourceActor ?source ; dip:targetActor ?target .
              ?type skos:notation ?code ; skos:broader* ?top ; dip:goldsteinScore ?goldstein .
              ?top skos:topConceptOf ?scheme ; skos:notation ?root .
            }""",
        )
    }
    codes = pd.read_csv(
        release.dumps_path / "events.csv", dtype={"cameo_code": str, "cameo_root": str}
    )
    actual = {
        (r.event_iri, r.source_iri, r.target_iri, r.cameo_code, r.cameo_root, r.goldstein)
        for r in codes.itertuples()
    }
    assert actual == expected
    assert len(codes) == len(expected)
    visit = codes[codes.event_id == "2025-09-02-kim-jong-un-visit-to-china"].iloc[0]
    assert (visit.source_country, visit.target_country) == ("PRK", "CHN")
    assert (visit.plover_type, visit.plover_mode, visit.quad_class) == ("CONSULT", "visit", 1)
    assert (visit.date, visit.date_precision) == ("2025-09-02", "day")


def test_events_csv_dates_are_the_bounds_sparql_filters_on(
    release: Release, events: pd.DataFrame
) -> None:
    bounds = {
        r["event"]: (r["earliest"], r["latest"])
        for r in select(
            release,
            """SELECT ?event ?earliest ?latest WHERE {
              ?event dip:eventType ?t ;
                     dip:earliestStartDate ?earliest ; dip:latestStartDate ?latest }""",
        )
    }
    dated = events.dropna(subset=["date_earliest"])
    assert {r.event_iri: (r.date_earliest, r.date_latest) for r in dated.itertuples()} == bounds
    september = dated[(dated.date_earliest <= "2025-09-30") & (dated.date_latest >= "2025-09-01")]
    assert "2025-09-kim-xi-putin-meeting-at-beijing-parade" in set(september.event_id)


def test_network_graphml_loads_in_networkx_and_is_who_met_whom(release: Release) -> None:
    graph = nx.read_graphml(release.dumps_path / "network.graphml")
    assert not graph.is_directed()
    pairs = select(
        release,
        """SELECT ?a ?b (COUNT(DISTINCT ?event) AS ?events) WHERE {
          ?event dip:hasAttendee ?a , ?b .
          FILTER(STR(?a) < STR(?b))
          FILTER NOT EXISTS { ?event dip:subEventOf+ ?larger .
                              ?larger dip:hasAttendee ?a , ?b }
        } GROUP BY ?a ?b""",
    )
    expected = {frozenset((p["a"], p["b"])): int(p["events"]) for p in pairs}
    actual = {frozenset(edge): data["events"] for *edge, data in graph.edges(data=True)}
    assert actual == expected
    kim = graph.nodes["https://w3id.org/diplograph/id/person/kim-jong-un"]
    assert (kim["label"], kim["wikidata"], kim["country"]) == ("Kim Jong Un", "Q56226", "PRK")
    xi_putin = graph.edges[
        "https://w3id.org/diplograph/id/person/vladimir-putin",
        "https://w3id.org/diplograph/id/person/xi-jinping",
    ]
    assert xi_putin["events"] == 2  # the SCO summit and the parade
    assert Counter(d["events"] for *_, d in graph.edges(data=True))[1] >= 5


def test_the_tables_are_listed_and_described(release: Release) -> None:
    index = {f.name: f for f in read_index(release.dumps_path)}
    assert index["events.csv"].media_type == "text/csv"
    assert index["network.graphml"].format == "graphml"
    manifest_names = {d["name"] for d in release.manifest()["dumps"]}
    assert {"events.csv", "network.graphml"} <= manifest_names
    described = {
        r["url"].rsplit("/", 1)[-1]
        for r in select(release, "SELECT ?url { ?d a dcat:Distribution ; dcat:downloadURL ?url }")
    }
    assert {"events.csv", "network.graphml"} <= described
