"""Read a delimited event file row by row, keeping where each row is in the file.

Each row keeps its line number (for error messages) and its position in the file as
Unicode code points of the file decoded as UTF-8, from 0, end excluded: the rule every
passage of Diplograph follows (docs/ontology.md, "Evidence as data"), so an imported event's
evidence is the very row it came from, at offsets a reader can check with
``text[start:end]``. Files are streamed: memory does not grow with the file.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from publisher.build.importers.layouts import Column, Field, Layout

#: Characters XML 1.0 forbids; the build refuses literals holding them (inputs.py).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


class ImportFileError(ValueError):
    """A whole file cannot be imported (unreadable, not UTF-8, not the layout's header)."""

    def __init__(self, path: Path, reason: str, line: int | None = None) -> None:
        self.path, self.reason, self.line = path, reason, line
        where = f"{path}:{line}" if line is not None else str(path)
        super().__init__(f"{where}: {reason}")


@dataclass(frozen=True, slots=True)
class Row:
    """One data row: where it is, its text, and its values by meaning."""

    path: Path
    line: int
    start: int
    end: int
    text: str
    values: dict[Field, str]

    def get(self, meaning: Field) -> str:
        return self.values.get(meaning, "")


@dataclass(frozen=True, slots=True)
class BadRow:
    """A row that is not imported, and why."""

    path: Path
    line: int
    reason: str
    event_id: str = ""

    def format(self) -> str:
        return f"{self.path}:{self.line}: {self.reason}"


def _header_index(path: Path, layout: Layout, header: list[str]) -> dict[Field, int]:
    """Column positions by meaning; a missing required column fails the whole file."""
    names = [h.strip() for h in header]
    position = {name: i for i, name in enumerate(names)}
    missing = []
    index: dict[Field, int] = {}
    for column in layout.columns:
        found = _find(column, position)
        if found is None:
            if column.required:
                missing.append(column.name)
        elif column.meaning is not None:
            index[column.meaning] = found
    if missing:
        expected = ", ".join(c.name for c in layout.required)
        raise ImportFileError(
            path,
            f"not the {layout.name} layout: the header lacks {', '.join(missing)} "
            f"(a {layout.name} file's first line names its columns, tab-separated: "
            f"{expected}, …)",
            line=1,
        )
    return index


def _names_columns(layout: Layout, first: list[str]) -> bool:
    """Whether a headerless layout's file starts with a header line anyway."""
    return [v.strip() for v in first[:2]] == [c.name for c in layout.columns[:2]]


def _position_index(path: Path, layout: Layout, first: list[str]) -> dict[Field, int]:
    """Column positions of a layout without a header: its own order, checked on line 1."""
    if len(first) != len(layout.columns):
        raise ImportFileError(
            path,
            f"not the {layout.name} layout: line 1 has {len(first)} tab-separated fields, "
            f"a {layout.name} file {len(layout.columns)} ({layout.title}; "
            f"its first columns: {', '.join(c.name for c in layout.columns[:3])}, …)",
            line=1,
        )
    return {c.meaning: i for i, c in enumerate(layout.columns) if c.meaning is not None}


def _find(column: Column, position: dict[str, int]) -> int | None:
    for name in (column.name, *column.aliases):
        if name in position:
            return position[name]
    return None


def read_rows(path: Path, layout: Layout) -> Iterator[Row | BadRow]:
    """The data rows of ``path``: a ``Row`` each, or a ``BadRow`` saying why it cannot be.

    Raises ``ImportFileError`` for what spoils the whole file: it cannot be opened, it is not
    UTF-8 (offsets would mean nothing), or its header (for a layout without one, its first
    line's number of fields) is not the layout's.
    """
    try:
        handle = path.open("rb")
    except OSError as exc:
        raise ImportFileError(path, f"cannot be read ({exc.strerror or exc})") from None
    with handle:
        offset = 0
        line_no = 0
        index: dict[Field, int] | None = None
        width = 0
        nulls = layout.nulls
        for raw in handle:
            line_no += 1
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise ImportFileError(
                    path,
                    f"is not UTF-8 (byte {exc.start + 1} of the line: {exc.reason}); "
                    "convert it first, e.g. iconv -f latin1 -t utf-8",
                    line=line_no,
                ) from None
            start = offset
            offset += len(line)
            text = line.rstrip("\r\n")
            if index is None:
                header = text.lstrip("\ufeff").split(layout.delimiter)
                if layout.header or _names_columns(layout, header):
                    index = _header_index(path, layout, header)
                    width = len(header)
                    continue
                index = _position_index(path, layout, header)
                width = len(layout.columns)
            if not text.strip():
                continue
            values = text.split(layout.delimiter)
            if len(values) != width:
                if len(values) > width and not any(v.strip() for v in values[width:]):
                    values = values[:width]
                else:
                    yield BadRow(
                        path,
                        line_no,
                        f"has {len(values)} fields, the {'header' if layout.header else 'layout'}"
                        f" {width}: a tab inside a value, or a value missing",
                    )
                    continue
            bad = _NOT_XML.search(text)
            if bad:
                yield BadRow(
                    path,
                    line_no,
                    f"holds the control character U+{ord(bad.group()):04X} at column "
                    f"{bad.start() + 1}, which no RDF output can hold: remove it",
                )
                continue
            found = {}
            for meaning, i in index.items():
                value = values[i].strip()
                if value and value not in nulls:
                    found[meaning] = value
            yield Row(path, line_no, start, start + len(text), text, found)
    if index is None:
        raise ImportFileError(path, "is empty: no header, no rows")
