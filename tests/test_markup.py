"""The Python writers of a link and a value escape as the templates do and link only what
``uris.local_href`` lets through (the hostile pages of ``test_xss.py`` check the rest)."""

from __future__ import annotations

import markupsafe
import pytest
from markupsafe import Markup

from publisher.web.pages import markup
from publisher.web.pages.model import Row, Value

HOSTILE = ['<script>alert("x")</script>', "O'Neil & Sons", "plain", 3, None, Markup("<b>b</b>")]


@pytest.mark.parametrize("value", HOSTILE)
def test_escape_is_markupsafes_character_for_character(value: object) -> None:
    assert markup.escape(value) == str(markupsafe.escape(value))


def test_a_link_without_href_is_text_and_every_attribute_is_escaped() -> None:
    assert markup.link(None, "<x>") == Markup("<span>&lt;x&gt;</span>")
    assert markup.link('/doc/a"b', "A", "ko", "badge", title="t'") == Markup(
        '<a href="/doc/a&#34;b" class="badge" lang="ko" title="t&#39;">A</a>'
    )
    assert markup.link("/doc/a", "A", **{"class": "badge"}) == markup.link(
        "/doc/a", "A", None, "badge"
    )


def test_a_value_has_its_deprecation_and_footnotes() -> None:
    successor = Value("new", "/doc/new")
    value = Value("old", "/doc/old", sources=[2], deprecated=True, replaced_by=[successor])
    assert markup.value(value) == Markup(
        '<a href="/doc/old">old</a> <span class="deprecated">deprecated</span> '
        '<span class="replaced">replaced by <a href="/doc/new">new</a></span>'
        '<sup class="cite"><a href="#source-2" aria-label="source 2">[2]</a></sup>'
    )
    nested = Value("", nested=[Row("when", None, [Value("2025", datetime="2025")])])
    assert markup.value(nested) == Markup(
        '<dl class="nested"><dt>when</dt><dd><time datetime="2025">2025</time></dd></dl>'
    )
