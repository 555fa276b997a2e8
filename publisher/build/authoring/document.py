"""Reading an authored YAML file into plain values, remembering where each one was written.

Every value keeps its line and column, so that any later error (the schema, a quote not in the
text, an unknown role) names the place in the file. YAML is read with the safe loader, node by
node, and only what the format needs is accepted:

- no anchors or aliases (``&a`` … ``*a``): nobody needs them in a source file, and expanding
  them is how a few hundred bytes of YAML become gigabytes (the "billion laughs");
- no tags (``!python/object``, ``!!set``) and no merge keys (``<<``);
- no key twice in one mapping (PyYAML would keep the last one silently);
- scalars are typed as a curator means them, not as YAML 1.1 guesses: ``yes``/``no``/``on``/
  ``off`` stay words, ``042`` stays the text ``042`` (a CAMEO code, not octal 34), and dates
  keep the text they were written as (``2025-09`` is a month, ``2025-09-02`` a day).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from publisher.build.located import LocatedError

#: A value's place in the document: keys and list indexes from the top.
Where = tuple[str | int, ...]
#: How deep mappings and lists may nest; the format needs five levels.
MAX_DEPTH = 64

_CORE = "tag:yaml.org,2002:"
_INT = re.compile(r"[-+]?(0|[1-9][0-9]*)")
_FLOAT = re.compile(r"[-+]?([0-9]+\.[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?")


class AuthoringError(LocatedError):
    """An authored file cannot be converted: where it is wrong, what is wrong, how to fix it."""


@dataclass
class Document:
    """An authored file's values, and where each one (and each mapping key) was written."""

    path: Path
    data: Any
    values: dict[Where, tuple[int, int]] = field(default_factory=dict)
    keys: dict[Where, tuple[int, int]] = field(default_factory=dict)

    def position(self, where: Where) -> tuple[int | None, int | None]:
        """Line and column (1-based) of the key or value at ``where``, or of its nearest parent."""
        while True:
            found = self.keys.get(where) or self.values.get(where)
            if found:
                return found
            if not where:
                return None, None
            where = where[:-1]

    def line(self, where: Where) -> int | None:
        return self.position(where)[0]

    def error(self, where: Where, reason: str) -> AuthoringError:
        line, column = self.position(where)
        return AuthoringError(self.path, reason, line, column)


def load(path: Path) -> Document:
    """Parse ``path`` as an authored file; any problem is an ``AuthoringError`` with its place."""
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise AuthoringError(path, f"not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except OSError as exc:
        raise AuthoringError(path, f"cannot be read ({exc.strerror or exc})") from None
    return parse(path, text)


def parse(path: Path, text: str) -> Document:
    """``load`` for text already read (``path`` is only named in messages)."""
    try:
        root = yaml.compose(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = " ".join(filter(None, [exc.context, exc.problem]))
        line, column = (mark.line + 1, mark.column + 1) if mark else (None, None)
        raise AuthoringError(path, f"not valid YAML: {problem}", line, column) from None
    except yaml.YAMLError as exc:
        raise AuthoringError(path, f"not valid YAML: {exc}") from None
    except RecursionError:
        raise AuthoringError(path, f"nested more than {MAX_DEPTH} levels deep") from None
    document = Document(path, None)
    if root is None:
        raise AuthoringError(path, "the file is empty: `diplograph new source SLUG` writes a start")
    document.data = _value(document, root, (), set())
    return document


def _value(document: Document, node: yaml.Node, where: Where, seen: set[int]) -> Any:
    if id(node) in seen:
        raise _error(
            document,
            node,
            "anchors and aliases (&name, *name) are not accepted: "
            "write the value out where it is needed",
        )
    seen.add(id(node))
    if len(where) > MAX_DEPTH:
        raise _error(document, node, f"nested more than {MAX_DEPTH} levels deep")
    document.values[where] = (node.start_mark.line + 1, node.start_mark.column + 1)
    if isinstance(node, yaml.MappingNode):
        _no_tag(document, node, _CORE + "map")
        mapping: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag == _CORE + "merge":
                raise _error(
                    document,
                    key_node,
                    "keys must be plain words (no `<<` merges, no lists or mappings as keys)",
                )
            key = key_node.value
            if key in mapping:
                first = document.keys[(*where, key)][0]
                raise _error(
                    document,
                    key_node,
                    f"`{key}` is given twice in this mapping (first on line {first}): keep one",
                )
            document.keys[(*where, key)] = (
                key_node.start_mark.line + 1,
                key_node.start_mark.column + 1,
            )
            mapping[key] = _value(document, value_node, (*where, key), seen)
        return mapping
    if isinstance(node, yaml.SequenceNode):
        _no_tag(document, node, _CORE + "seq")
        return [_value(document, item, (*where, i), seen) for i, item in enumerate(node.value)]
    assert isinstance(node, yaml.ScalarNode)
    return _scalar(document, node)


def _scalar(document: Document, node: yaml.ScalarNode) -> Any:
    """A scalar as a curator means it (the module docstring says how)."""
    text, tag = node.value, node.tag
    if node.style:  # quoted or a block scalar: always text
        _no_tag(document, node, _CORE + "str")
        return text
    if tag == _CORE + "null":
        return None
    if tag == _CORE + "bool":
        return {"true": True, "false": False}.get(text.lower(), text)
    if tag == _CORE + "int":
        return int(text) if _INT.fullmatch(text) else text
    if tag == _CORE + "float":
        return float(text) if _FLOAT.fullmatch(text) else text
    if tag in (_CORE + "str", _CORE + "timestamp"):
        return text
    raise _error(
        document,
        node,
        f"YAML tags ({tag}) are not used in this format: write the value as plain text",
    )


def _no_tag(document: Document, node: yaml.Node, implicit: str) -> None:
    if node.tag != implicit:
        raise _error(
            document,
            node,
            f"YAML tags ({node.tag}) are not used in this format: write the value as plain text",
        )


def _error(document: Document, node: yaml.Node, reason: str) -> AuthoringError:
    mark = node.start_mark
    return AuthoringError(document.path, reason, mark.line + 1, mark.column + 1)
