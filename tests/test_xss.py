"""Hostile data cannot script the site: every page escapes what the data says, links only to
http(s) or this site, and every answer carries a Content-Security-Policy.

The release is built from ``tests/data/hostile/``: labels, comments and definitions full of
HTML and script, objects, types, graph sources and links with the ``javascript:``,
``data:`` and ``vbscript:`` schemes (any spelling), a JSON-LD break-out in a definition. An
HTML checker reads each page as a browser would and lists what could run or navigate.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote

import pytest
from flask import Flask
from flask.testing import FlaskClient

from publisher.release.layout import Release
from publisher.uris import local_href
from publisher.web.pages.sanitise import sanitise_html
from tests.conftest import app_for, fixture_release

HOSTILE = Path(__file__).parent / "data" / "hostile"
BASE = "https://w3id.org/diplograph/"
DIP = BASE + "ontology#"
HTML = {"Accept": "text/html"}

PAGES = (
    "/",
    "/doc/person/mallory",
    "/doc/person/alice",
    "/doc/event/2025-01-01-hostile-meeting",
    "/doc/graph/hostile",
    "/dataset",
    "/ontology",
    "/shapes",
    "/downloads/",
    "/search?q=mallory",
    "/search?type=" + quote("javascript:alert('type')"),
    "/search?type=" + quote(DIP + "Person"),
    "/doc/person/mallory-the-unknown",  # 404, with "did you mean" links
    "/sparql?query=" + quote("SELECT ?s ?p ?o WHERE { ?s ?p ?o }"),
    "/sparql?query=" + quote("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"),
)

#: Attributes whose value a browser follows or loads.
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "poster", "data", "srcset"}
#: Elements that have no place in these pages at all.
FORBIDDEN = {"iframe", "frame", "object", "embed", "base", "applet", "style"}
#: Script elements that are data for programs, never run (a strict CSP does not run them).
DATA_SCRIPTS = {"application/json", "application/ld+json"}


def safe_url(value: str) -> bool:
    """http(s), or a reference within this site: what a browser may be sent to."""
    cleaned = re.sub(r"[\x00-\x20]", "", value)  # browsers drop these inside a scheme
    match = re.match(r"([A-Za-z][A-Za-z0-9+.-]*):", cleaned)
    return match is None or match.group(1).lower() in ("http", "https")


class Audit(HTMLParser):
    """Everything on a page that could run script, load from elsewhere or navigate badly."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.links: list[str] = []
        self._in_script: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        for name, value in values.items():
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}={value!r}>: an event handler")
            if name == "style":
                self.problems.append(f"<{tag} style={value!r}>: inline style")
            if name in URL_ATTRIBUTES and not safe_url(value):
                self.problems.append(f"<{tag} {name}={value!r}>: not http(s) or local")
            if name == "href":
                self.links.append(value)
        if tag in FORBIDDEN:
            self.problems.append(f"<{tag}>: not allowed")
        if tag == "meta" and "http-equiv" in values:
            self.problems.append(f"<meta http-equiv={values['http-equiv']!r}>")
        if tag == "script":
            kind = values.get("type", "").lower()
            if "src" in values:
                if not values["src"].startswith("/") or values["src"].startswith("//"):
                    self.problems.append(f"<script src={values['src']!r}>: not from this site")
            elif kind not in DATA_SCRIPTS:
                self.problems.append("<script> with inline code")
            self._in_script = kind

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = None


def audit(html: str) -> Audit:
    checker = Audit()
    checker.feed(html)
    checker.close()
    return checker


@pytest.fixture(scope="module")
def hostile_release(tmp_path_factory: pytest.TempPathFactory) -> Release:
    return fixture_release(tmp_path_factory.mktemp("hostile-home"), HOSTILE)


@pytest.fixture(scope="module")
def hostile_app(hostile_release: Release) -> Flask:
    return app_for(hostile_release)


@pytest.fixture
def hostile(hostile_app: Flask) -> FlaskClient:
    return hostile_app.test_client()


@pytest.mark.parametrize("path", PAGES)
def test_hostile_data_cannot_script_a_page(hostile: FlaskClient, path: str) -> None:
    response = hostile.get(path, headers=HTML)
    assert response.status_code in (200, 404), response.get_data(as_text=True)[:500]
    assert response.mimetype == "text/html"
    problems = audit(response.get_data(as_text=True)).problems
    assert problems == [], "\n".join(problems)


def test_hostile_text_is_shown_escaped(hostile: FlaskClient) -> None:
    text = hostile.get("/doc/person/mallory", headers=HTML).get_data(as_text=True)
    assert "Mallory &lt;script&gt;alert(&#39;label&#39;)&lt;/script&gt;" in text
    assert "&lt;img src=x onerror=alert(&#39;alt-label&#39;)&gt;" in text
    # the dangerous IRIs are still shown, as text, so nothing the data says is hidden
    assert "javascript:alert(&#39;same-as&#39;)" in text
    links = audit(text).links
    assert "https://example.org/mallory" in links  # http(s) objects still are links
    assert "/doc/person/alice" in links


def test_pictures_carry_labels_as_escaped_text(hostile: FlaskClient) -> None:
    text = hostile.get("/doc/person/mallory", headers=HTML).get_data(as_text=True)
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="timeline"' in text
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="network"' in text
    assert "Meeting &lt;svg onload=alert(&#x27;event-label&#x27;)&gt; &amp; &lt;/title&gt;" in text
    assert "<svg onload" not in text and "</title><script>" not in text


def test_the_ontology_page_shows_its_text_as_text(hostile: FlaskClient) -> None:
    """The ontology page is a template like the others: the ontology's HTML and Markdown
    are shown as written, escaped; its http(s) URLs and its own terms become links."""
    text = hostile.get("/ontology", headers=HTML).get_data(as_text=True)
    assert "&lt;script&gt;alert(&#39;class-comment&#39;)&lt;/script&gt;" in text
    assert "*Emphasis stays.*" in text  # Markdown is not rendered: no raw HTML either
    assert '(<a href="https://example.org/spec">https://example.org/spec</a>)' in text
    assert "click me" in text and "javascript:" not in "".join(audit(text).links)
    assert "<script>alert" not in text and "<img" not in text
    assert '<link rel="stylesheet" href="/static/style.css">' in text


def test_graph_sources_and_dataset_links_are_http_or_local(hostile: FlaskClient) -> None:
    for path in ("/doc/graph/hostile", "/dataset"):
        links = audit(hostile.get(path, headers=HTML).get_data(as_text=True)).links
        assert links and all(safe_url(link) for link in links), (path, links)


def test_search_json_gives_no_href_for_a_foreign_non_http_iri(hostile: FlaskClient) -> None:
    data = hostile.get("/search?q=twin&format=json").get_json()
    (result,) = data["results"]
    assert result["iri"] == "javascript:alert('subject')" and result["href"] is None


@pytest.mark.parametrize(
    ("iri", "href"),
    [
        (BASE + "id/person/x", "/doc/person/x"),
        (DIP + "Person", "/ontology#Person"),
        ("https://example.org/x?y=1#z", "https://example.org/x?y=1#z"),
        ("HTTP://example.org/", "HTTP://example.org/"),
        ("javascript:alert(1)", None),
        ("JavaScript:alert(1)", None),
        ("data:text/html;base64,PHNjcmlwdD4=", None),
        ("vbscript:msgbox(1)", None),
        ("mailto:x@example.org", None),
        ("urn:isbn:0451450523", None),
        ("java\tscript:alert(1)", None),
    ],
)
def test_local_href_links_only_http_and_our_own(iri: str, href: str | None) -> None:
    assert local_href(iri, BASE) == href


@pytest.mark.parametrize(
    "dirty",
    [
        '<a href="javascript:alert(1)">x</a>',
        '<a href="JaVaScRiPt&colon;alert(1)">x</a>',
        '<a href=" java\nscript:alert(1)">x</a>',
        "<img src=x onerror=alert(1)>",
        "<p onclick=alert(1)>x</p>",
        "<script>alert(1)</script>",
        "<style>body{background:url(javascript:alert(1))}</style>",
        '<div style="background:url(javascript:alert(1))">x</div>',
        "<iframe src=javascript:alert(1)></iframe>",
        '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
        "<svg><script>alert(1)</script></svg>",
        "<svg onload=alert(1)>",
        '<form action="javascript:alert(1)"><button>x</button></form>',
        "<!--<script>alert(1)</script>-->",
        "<a href='data:text/html,<script>alert(1)</script>'>x</a>",
        "<scr<script>ipt>alert(1)</script>",
        '<base href="javascript:alert(1)//">',
        '<link rel="stylesheet" href="https://evil.example/x.css">',
    ],
)
def test_sanitiser_removes_what_could_run(dirty: str) -> None:
    clean = sanitise_html(f"<html><head></head><body>{dirty}</body></html>")
    problems = audit(clean).problems
    assert problems == [], (clean, problems)
    assert "<script" not in clean.lower() and "javascript:" not in clean.lower()
    assert "evil.example" not in clean


def test_sanitiser_keeps_documentation_markup() -> None:
    kept = (
        '<div class="entity" id="Person"><h3>Person</h3><table><tr><th>Description</th>'
        '<td><p>A <em>human</em> <code>being</code>, see <a href="https://example.org/p">'
        'this</a> and <a href="#Agent">Agent</a>.</p><ul><li>one</li></ul></td></tr>'
        "</table></div>"
    )
    assert kept in sanitise_html(f"<html><body>{kept}</body></html>")
    assert "a &lt; b &amp; c" in sanitise_html("<p>a &lt; b &amp; c</p>")


# --- the headers every answer carries -------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "headers"),
    [
        ("GET", "/", HTML),
        ("GET", "/doc/person/alice", {"Accept": "text/turtle"}),
        ("GET", "/id/person/alice", {}),  # 303
        ("GET", "/doc//person/alice", {}),  # 308
        ("GET", "/doc/person/nobody", HTML),  # 404
        ("POST", "/healthz", {}),  # 405
        ("GET", "/static/style.css", {}),
        ("GET", "/static/shapes.css", {}),
        ("GET", "/sparql?query=ASK%7B%7D", {"Accept": "application/sparql-results+json"}),
        ("GET", "/sparql?query=SELECT", {"Accept": "application/json"}),  # 400
        ("GET", "/downloads/SHA256SUMS", {}),
        ("GET", "/healthz", {}),
        ("HEAD", "/ontology", HTML),
        ("OPTIONS", "/doc/person/alice", {}),
    ],
)
def test_every_answer_has_a_content_security_policy(
    hostile: FlaskClient, method: str, path: str, headers: dict[str, str]
) -> None:
    response = hostile.open(path, method=method, headers=headers)
    policy = response.headers.get("Content-Security-Policy", "")
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
    assert directives["default-src"] == "'none'"
    assert directives["script-src"] == "'self'"  # no 'unsafe-inline', no 'unsafe-eval'
    assert directives["style-src"].split()[0] == "'self'"
    assert "unsafe" not in policy and "*" not in policy and "data:" not in policy
    assert directives["frame-ancestors"] == "'none'" and directives["base-uri"] == "'none'"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_a_304_keeps_the_policy(hostile: FlaskClient) -> None:
    first = hostile.get("/doc/person/alice", headers=HTML)
    again = hostile.get(
        "/doc/person/alice", headers={**HTML, "If-None-Match": first.headers["ETag"]}
    )
    assert again.status_code == 304
    assert again.headers["Content-Security-Policy"] == first.headers["Content-Security-Policy"]
