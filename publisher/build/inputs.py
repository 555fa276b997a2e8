"""Reading RDF input files: which files are RDF, in which syntax, and their quads.

Files are parsed with pyoxigraph, which gives line and column for syntax errors and is the
parser the build loads the store with, so what validates is exactly what is published.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

import pyoxigraph as ox

#: File extension → RDF syntax. ``.owl`` is RDF/XML; plain ``.json``/``.xml`` are not taken,
#: so a JSON-LD context or an XML note next to the data is never loaded as data.
RDF_FORMATS: dict[str, ox.RdfFormat] = {
    "ttl": ox.RdfFormat.TURTLE,
    "trig": ox.RdfFormat.TRIG,
    "nt": ox.RdfFormat.N_TRIPLES,
    "nq": ox.RdfFormat.N_QUADS,
    "jsonld": ox.RdfFormat.JSON_LD,
    "rdf": ox.RdfFormat.RDF_XML,
    "owl": ox.RdfFormat.RDF_XML,
}


#: pyoxigraph's position prefix, dropped from messages because InputError puts it in front.
_POSITION = re.compile(r"^Parser error at line \d+ (column \d+|between columns \d+ and \d+): ")


class InputError(ValueError):
    """An input file cannot be read as RDF: missing, unknown extension or bad syntax."""

    def __init__(
        self, path: Path, reason: str, line: int | None = None, column: int | None = None
    ) -> None:
        self.path, self.reason, self.line, self.column = path, reason, line, column
        where = str(path)
        if line is not None:
            where += f":{line}" + (f":{column}" if column is not None else "")
        super().__init__(f"{where}: {reason}")


def rdf_files(folder: Path) -> tuple[Path, ...]:
    """The RDF files directly in ``folder`` (by extension), sorted for reproducible builds."""
    if not folder.is_dir():
        return ()
    return tuple(
        sorted(
            p
            for p in folder.iterdir()
            if p.is_file() and p.suffix.lstrip(".").lower() in RDF_FORMATS
        )
    )


def expand(paths: Sequence[Path]) -> tuple[Path, ...]:
    """Files as given, directories replaced by their RDF files (``validate data/``)."""
    expanded: list[Path] = []
    for path in paths:
        if path.is_dir():
            found = rdf_files(path)
            if not found:
                raise InputError(path, "directory holds no RDF files")
            expanded.extend(found)
        else:
            expanded.append(path)
    return tuple(expanded)


def rdf_format(path: Path) -> ox.RdfFormat:
    """The syntax of ``path`` from its extension; an unknown extension is an ``InputError``."""
    fmt = RDF_FORMATS.get(path.suffix.lstrip(".").lower())
    if fmt is None:
        known = ", ".join(f".{ext}" for ext in RDF_FORMATS)
        raise InputError(path, f"unknown RDF file extension {path.suffix!r} (use one of {known})")
    return fmt


def parse_quads(path: Path) -> list[ox.Quad]:
    """Parse one file into quads; syntax errors become ``InputError`` with line and column."""
    fmt = rdf_format(path)
    if not path.is_file():
        raise InputError(path, "no such file")
    try:
        with path.open("rb") as stream:
            return list(ox.parse(stream, format=fmt))
    except SyntaxError as exc:
        line, column = exc.lineno, exc.offset
        reason = exc.msg
        if line is None and fmt == ox.RdfFormat.RDF_XML:
            line, column = _xml_error_position(path)
        reason = _POSITION.sub("", reason, count=1)
        raise InputError(path, f"syntax error: {reason}", line, column) from None
    except UnicodeDecodeError as exc:
        raise InputError(path, f"not UTF-8 text ({exc.reason} at byte {exc.start})") from None


def _xml_error_position(path: Path) -> tuple[int | None, int | None]:
    """Where an XML parser finds the error: pyoxigraph's RDF/XML errors carry no position."""
    import xml.sax

    try:
        xml.sax.parse(str(path), xml.sax.ContentHandler())
    except xml.sax.SAXParseException as exc:
        column = exc.getColumnNumber()  # 0-based in expat
        return exc.getLineNumber(), None if column is None else column + 1
    return None, None
