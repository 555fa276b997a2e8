"""The HTML of a link and of a value, written in Python for the templates (``_macros.html``).

A resource page writes a link, or a value with its footnotes, for every node it names: 200
and more for a person with 31 events at a million quads. As Jinja macros each cost a macro
call, a block assignment and a few more calls (a fifth of that page's time, twice the
seed's); these functions write the very same markup, escaped as the templates escape it
(``markupsafe.escape``), for a fraction of that. ``_macros.html`` exports them under the
macros' names, so every template still writes ``link(…)`` and ``value(…)`` and every link
still goes through ``link`` (``uris.local_href`` decides its ``href``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from markupsafe import Markup


def link(
    href: Any, text: Any, lang: Any = None, class_: Any = None, title: Any = None, **named: Any
) -> Markup:
    """``<a href>`` with ``text``, or the same text in a ``<span>`` when there is no href
    (an IRI that is not http(s) gets none: it is shown as text)."""
    class_ = named.pop("class", class_)
    if named:
        raise TypeError(f"link() got unexpected arguments {sorted(named)}")
    return Markup(_link(href, text, lang, class_, title))


def cites(numbers: Iterable[Any]) -> Markup:
    """The footnote marks of the sources that state a value."""
    return Markup(_cites(numbers))


def deprecation(x: Any) -> Markup:
    """Mark a deprecated term and name what replaces it (``owl:deprecated``,
    ``dcterms:isReplacedBy``)."""
    return Markup(_deprecation(x))


def value(v: Any) -> Markup:
    """One value of a statement: nested rows (a blank node), a link, a date or text, then
    its deprecation and its source footnotes."""
    return Markup(_value(v))


# The helpers return plain ``str`` holding markup: adding a ``str`` to a ``Markup`` would
# escape the ``str``. Every interpolated value goes through ``escape``.


def escape(value: Any) -> str:
    """``markupsafe.escape`` as plain ``str``, character for character (``&#39;``, ``&#34;``):
    markupsafe's builds a ``Markup`` object for each of the thousand or so values a page
    interpolates, which cost more than the escaping."""
    if hasattr(value, "__html__"):
        return str(value.__html__())
    return (
        str(value)
        .replace("&", "&amp;")
        .replace(">", "&gt;")
        .replace("<", "&lt;")
        .replace("'", "&#39;")
        .replace('"', "&#34;")
    )


def _link(href: Any, text: Any, lang: Any, class_: Any, title: Any) -> str:
    attrs = ""
    if class_:
        attrs += f' class="{escape(class_)}"'
    if lang:
        attrs += f' lang="{escape(lang)}"'
    if title:
        attrs += f' title="{escape(title)}"'
    if href:
        return f'<a href="{escape(href)}"{attrs}>{escape(text)}</a>'
    return f"<span{attrs}>{escape(text)}</span>"


def _cites(numbers: Iterable[Any]) -> str:
    return "".join(
        f'<sup class="cite"><a href="#source-{escape(n)}" aria-label="source {escape(n)}">'
        f"[{escape(n)}]</a></sup>"
        for n in numbers
    )


def _deprecation(x: Any) -> str:
    if not x.deprecated:
        return ""
    out = ' <span class="deprecated">deprecated</span>'
    if x.replaced_by:
        successors = " and ".join(_link(r.href, r.text, r.lang, None, None) for r in x.replaced_by)
        out += f' <span class="replaced">replaced by {successors}</span>'
    return out


def _value(v: Any) -> str:
    if v.nested:
        rows = "".join(
            f"<dt>{escape(row.label)}</dt>" + "".join(f"<dd>{_value(x)}</dd>" for x in row.values)
            for row in v.nested
        )
        out = f'<dl class="nested">{rows}</dl>'
    elif v.href:
        out = _link(v.href, v.text, v.lang, None, v.title)
    elif v.datetime:
        title = f' title="{escape(v.title)}"' if v.title else ""
        out = f'<time datetime="{escape(v.datetime)}"{title}>{escape(v.text)}</time>'
    else:
        lang = f' lang="{escape(v.lang)}"' if v.lang else ""
        out = f"<span{lang}>{escape(v.text)}</span>"
    if v.deprecated:
        out += _deprecation(v)
    if v.sources:
        out += _cites(v.sources)
    return out


#: What ``_macros.html`` exports under the macros' names (Jinja globals of the app).
TEMPLATE_GLOBALS = {
    "markup_link": link,
    "markup_cites": cites,
    "markup_deprecation": deprecation,
    "markup_value": value,
}
