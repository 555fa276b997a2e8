"""The rendered-document cache: bounded, keyed by the validator, same answer as a rendering."""

from __future__ import annotations

import pytest
from flask import Flask

from publisher.release.layout import Release
from publisher.web import description
from publisher.web.document_cache import DocumentCache, Rendered
from publisher.web.views import resources
from tests.conftest import app_for

KIM = "/doc/person/kim-jong-un"


def test_the_cache_keeps_at_most_its_bytes_and_drops_the_least_recently_used() -> None:
    cache = DocumentCache(400)
    for key in "abcd":
        cache.put(key, Rendered(bytes(100), 1))
    assert cache.get("a") is not None  # a is now the most recently used
    cache.put("e", Rendered(bytes(100), 1))
    assert cache.get("b") is None and cache.get("a") is not None
    assert cache.size <= 400 and len(cache) == 4


def test_a_document_larger_than_a_quarter_of_the_cache_is_not_kept() -> None:
    cache = DocumentCache(400)
    cache.put("big", Rendered(bytes(101), 1))
    assert cache.get("big") is None and cache.size == 0
    off = DocumentCache(0)
    off.put("x", Rendered(b"x", 1))
    assert off.get("x") is None


@pytest.fixture(scope="module")
def cached_app(linked_release: Release) -> Flask:
    return app_for(linked_release)


def test_a_kept_document_is_sent_as_rendered_without_describing_again(
    cached_app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = cached_app.test_client()
    for accept in ("text/html", "text/turtle", "application/ld+json", "application/n-quads"):
        first = client.get(KIM, headers={"Accept": accept})
        assert first.status_code == 200

        def no_describe(*args: object, **kwargs: object) -> None:
            raise AssertionError("described again")

        with monkeypatch.context() as patch:
            patch.setattr(resources, "describe_resource", no_describe)
            patch.setattr(description, "describe_resource", no_describe)
            again = client.get(KIM, headers={"Accept": accept})
        assert again.status_code == 200
        assert again.data == first.data, accept
        for header in ("ETag", "Link", "Vary", "Content-Location", "Content-Type"):
            assert again.headers.get(header) == first.headers.get(header), (accept, header)


def test_each_variant_is_kept_apart(cached_app: Flask) -> None:
    """Languages, formats and pages are in the ETag, so in the key: never mixed up."""
    client = cached_app.test_client()
    english = client.get(KIM, headers={"Accept": "text/html", "Accept-Language": "en"})
    korean = client.get(KIM, headers={"Accept": "text/html", "Accept-Language": "ko"})
    assert english.headers["ETag"] != korean.headers["ETag"]
    assert 'lang="ko"' in korean.get_data(as_text=True).split("<h1", 1)[1][:200]
    assert client.get(KIM, headers={"Accept-Language": "en"}).data == english.data
    page2 = client.get(KIM + ".nq?page=2")
    page1 = client.get(KIM + ".nq?page=1")
    assert page1.data != page2.data and page1.headers["ETag"] != page2.headers["ETag"]


def test_an_unknown_resource_is_never_kept(cached_app: Flask) -> None:
    client = cached_app.test_client()
    before = len(cached_app.state.documents)  # type: ignore[attr-defined]
    assert client.get("/doc/person/nobody-at-all").status_code == 404
    assert len(cached_app.state.documents) == before  # type: ignore[attr-defined]
