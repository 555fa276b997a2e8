"""The shared HTTP helpers, each on its own, inside real Flask test request contexts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from flask import Blueprint, Flask, Response
from flask.testing import FlaskClient
from werkzeug.http import http_date

from publisher.formats import DOCUMENT_FORMATS, HTML, JSON, JSONLD, TURTLE
from publisher.release.layout import Release
from publisher.web import http
from publisher.web.errors import BadRequest, NotAcceptable

OFFERED = (HTML, JSON, TURTLE)


def test_negotiate_follows_accept(linked_app: Flask) -> None:
    with linked_app.test_request_context(headers={"Accept": "text/turtle, text/html;q=0.5"}):
        assert http.negotiate(OFFERED) is TURTLE
    with linked_app.test_request_context(headers={"Accept": "*/*"}):
        assert http.negotiate(OFFERED) is HTML  # ties go to the server's order


@pytest.mark.parametrize("value", ["json", "application/json", "JSON"])
def test_format_parameter_beats_accept(linked_app: Flask, value: str) -> None:
    with linked_app.test_request_context(
        query_string={"format": value}, headers={"Accept": "text/html"}
    ):
        assert http.negotiate(OFFERED) is JSON


def test_unknown_format_parameter_is_400_naming_the_choices(linked_app: Flask) -> None:
    with linked_app.test_request_context(query_string={"format": "png"}):
        with pytest.raises(BadRequest) as raised:
            http.negotiate(OFFERED)
    assert "'png'" in raised.value.message
    assert all(f.name in raised.value.message for f in OFFERED)


def test_nothing_acceptable_is_406_listing_offered_types_with_vary(linked_app: Flask) -> None:
    with linked_app.test_request_context(headers={"Accept": "image/png, text/html;q=0"}):
        with pytest.raises(NotAcceptable) as raised:
            http.negotiate(OFFERED)
    assert raised.value.status == 406
    assert raised.value.headers == {"Vary": "Accept"}
    assert all(f.media_type in raised.value.message for f in OFFERED)


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("doc/person/kim.ttl", ("doc/person/kim", TURTLE)),
        ("doc/person/kim.jsonld", ("doc/person/kim", JSONLD)),
        ("doc/person/kim", ("doc/person/kim", None)),
        ("doc/person/kim.png", ("doc/person/kim.png", None)),  # not a document format
        ("doc/person/.ttl", ("doc/person/.ttl", None)),  # an extension alone is a name
        ("doc/v1.2/kim", ("doc/v1.2/kim", None)),  # only the last segment counts
    ],
)
def test_split_extension(path: str, expected: tuple[str, object]) -> None:
    assert http.split_extension(path) == expected


def test_every_document_format_has_a_working_extension() -> None:
    for fmt in DOCUMENT_FORMATS:
        assert http.split_extension(f"x.{fmt.extension}") == ("x", fmt)


def test_accept_languages_drops_star_and_refused(linked_app: Flask) -> None:
    header = "ko;q=0.9, en-GB, fr;q=0, *;q=0.1"
    with linked_app.test_request_context(headers={"Accept-Language": header}):
        assert http.accept_languages() == ("en-GB", "ko")
    with linked_app.test_request_context():
        assert http.accept_languages() == ()


def test_cors_without_preflight_leaves_options_alone(linked_app: Flask) -> None:
    with linked_app.test_request_context(method="OPTIONS"):
        response = http.cors(Response(), expose=("ETag", "Link"))
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert response.headers["Access-Control-Expose-Headers"] == "ETag, Link"
    assert "Access-Control-Allow-Methods" not in response.headers


def test_cors_answers_preflights_only(linked_app: Flask) -> None:
    preflight = http.Preflight(("GET", "POST"), ("Accept", "Content-Type"), max_age=60)
    with linked_app.test_request_context(method="OPTIONS"):
        answered = http.cors(Response(), preflight=preflight)
    with linked_app.test_request_context(method="GET"):
        plain = http.cors(Response(), preflight=preflight)
    assert answered.headers["Access-Control-Allow-Methods"] == "GET, POST"
    assert answered.headers["Access-Control-Allow-Headers"] == "Accept, Content-Type"
    assert answered.headers["Access-Control-Max-Age"] == "60"
    assert "Access-Control-Expose-Headers" not in answered.headers
    assert "Access-Control-Allow-Methods" not in plain.headers
    assert plain.headers["Access-Control-Allow-Origin"] == "*"


def test_allow_cross_origin_covers_every_answer_of_a_blueprint() -> None:
    app = Flask(__name__)
    bp = Blueprint("shared", __name__)
    http.allow_cross_origin(bp, expose=("ETag",))

    @bp.get("/ok")
    def ok() -> str:
        return "ok"

    @bp.get("/fails")
    def fails() -> str:
        raise BadRequest("no")

    app.register_blueprint(bp)
    app.register_error_handler(BadRequest, lambda e: Response(e.message, status=e.status))

    @app.get("/elsewhere")
    def elsewhere() -> str:
        return "not shared"

    client = app.test_client()
    for path, status in [("/ok", 200), ("/fails", 400)]:
        response = client.get(path)
        assert response.status_code == status
        assert response.headers["Access-Control-Allow-Origin"] == "*"
        assert response.headers["Access-Control-Expose-Headers"] == "ETag"
    assert "Access-Control-Allow-Origin" not in client.get("/elsewhere").headers


def test_etag_is_stable_and_separates_parts() -> None:
    assert http.etag("r1", "a") == http.etag("r1", "a")
    assert len(http.etag("r1", "a")) == 32
    assert http.etag("r1", "a") != http.etag("r2", "a")
    assert http.etag("r1", "ab", "c") != http.etag("r1", "a", "bc")  # parts do not run together


def test_release_modified_is_the_manifest_time(linked_app: Flask, linked_release: Release) -> None:
    created = datetime.fromisoformat(linked_release.manifest()["created"]).astimezone(UTC)
    with linked_app.app_context():
        assert http.release_modified() == created
        assert http.release_modified().tzinfo is not None


def test_cacheable_sets_validators_and_max_age() -> None:
    moment = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    response = http.cacheable(Response("x"), "abc", moment, max_age=60)
    assert response.headers["ETag"] == '"abc"'
    assert response.headers["Last-Modified"] == http_date(moment)
    assert response.headers["Cache-Control"] == "public, max-age=60"
    bare = http.cacheable(Response("x"))
    assert "ETag" not in bare.headers and "Last-Modified" not in bare.headers
    assert bare.headers["Cache-Control"] == f"public, max-age={http.MAX_AGE}"


def test_fresh_and_not_modified(linked_app: Flask) -> None:
    moment = datetime(2026, 1, 2, tzinfo=UTC)
    with linked_app.test_request_context(headers={"If-None-Match": '"abc"'}):
        assert http.fresh("abc", moment)
        assert not http.fresh("other", moment)
    later = http_date(moment + timedelta(hours=1))
    with linked_app.test_request_context(headers={"If-Modified-Since": later}):
        assert http.fresh("abc", moment)
        assert not http.fresh("abc", moment + timedelta(days=1))
    with linked_app.test_request_context():
        assert not http.fresh("abc", moment)
    response = http.not_modified("abc", moment)
    assert response.status_code == 304 and response.get_data() == b""
    assert response.headers["ETag"] == '"abc"'
    assert response.headers["Last-Modified"] == http_date(moment)


def test_conditional_turns_a_full_answer_into_304_when_fresh(linked_app: Flask) -> None:
    with linked_app.test_request_context(headers={"If-None-Match": '"abc"'}):
        current = http.conditional(Response("body"), "abc")
        changed = http.conditional(Response("body"), "def")
    assert current.status_code == 304 and current.headers["ETag"] == '"abc"'
    assert changed.status_code == 200 and changed.get_data() == b"body"
    assert changed.headers["Cache-Control"] == f"public, max-age={http.MAX_AGE}"


@pytest.mark.parametrize(
    ("accept", "media_type"),
    [
        ("application/json", "application/json"),
        ("text/html", "text/html"),
        ("text/plain", "text/plain"),
        ("application/sparql-results+json", "application/json"),
    ],
)
def test_every_error_answers_in_the_negotiated_format(
    linked_client: FlaskClient, accept: str, media_type: str
) -> None:
    """Werkzeug's own errors (an unknown route) go through the one handler too."""
    response = linked_client.get("/nothing-here", headers={"Accept": accept})
    assert response.status_code == 404
    assert response.mimetype == media_type
    assert "Accept" in response.vary
    if media_type == "application/json":
        assert response.get_json()["status"] == 404


def test_a_wrong_method_is_405_naming_the_allowed_ones(linked_client: FlaskClient) -> None:
    response = linked_client.post("/healthz", headers={"Accept": "application/json"})
    assert response.status_code == 405
    assert "GET" in response.headers["Allow"]
    assert response.get_json()["error"] == "Method Not Allowed"


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/dataset?format=nope", 400),
        ("/sparql?format=nope", 400),
        ("/sparql?query=ASK%7B%7D&format=nope", 400),
        ("/search?q=x&format=nope", 400),
        ("/downloads/?format=nope", 400),
        ("/doc/person/kim-jong-un?format=nope", 400),
        ("/sparql?query=ASK%7B%7D&format=turtle", 406),
        ("/search?q=x&format=turtle", 406),
        ("/dataset?format=csv", 406),
    ],
)
def test_one_format_parameter_rule_everywhere(
    linked_client: FlaskClient, path: str, status: int
) -> None:
    """An unknown ``format`` is the client's mistake (400); a real format the resource is
    not offered in is not acceptable (406). Both name what is offered."""
    response = linked_client.get(path, headers={"Accept": "application/json"})
    assert response.status_code == status
    assert "json" in response.get_json()["message"]
