"""Reading RDF input files: which files are RDF, in which syntax, and their quads.

Files are parsed with pyoxigraph, which gives line and column for syntax errors and is the
parser the build loads the store with, so what validates is exactly what is published.

Every reader of input files goes through ``parse_quads`` (the SHACL validation, the checks
and the HermiT step) or ``check_rdfxml`` (the store's own loader), so the defences against
hostile files are here, once:

- RDF/XML is read by expat first, which refuses entity declarations before anything expands
  them (the "billion laughs": 700 bytes of nested entities become gigabytes; an external
  entity reads another file or a URL) and elements nested deeper than ``MAX_XML_DEPTH``
  (pyoxigraph's RDF/XML parser slows down quadratically with depth);
- a file whose IRIs and literals grow more than ``EXPANSION_FACTOR`` times its size when
  parsed is refused while it is parsed, quad by quad (a long IRI named once and used
  through a prefix, ``@vocab`` or ``xml:base`` grows quadratically);
- remote JSON-LD contexts are never fetched (pyoxigraph has no document loader; the
  message says so and how to inline the context);
- literals holding characters XML 1.0 forbids are refused with their position: no RDF/XML
  download, page or HermiT input could hold them;
- RDF 1.2 triple terms are refused: rdflib, pyshacl and HermiT cannot represent them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from xml.parsers import expat

import pyoxigraph as ox

from publisher.build.located import LocatedError

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

#: Authored sources (docs/authoring.md): YAML converted to quads by ``publisher.build.authoring``.
AUTHORED_EXTENSIONS = ("yaml", "yml")

#: The deepest element nesting accepted in RDF/XML. Real files stay under 50 (an OWL
#: restriction inside a class inside a list); pyoxigraph takes 2 s for 10,000 levels and
#: minutes for 100,000, so a few MB of nesting would stall the build.
MAX_XML_DEPTH = 1000
#: Parsed IRIs and literals may hold this many characters per byte of the file, plus
#: ``EXPANSION_FLOOR``. Real files stay under 4 (prefixed names, ``;`` and ``,`` repeat
#: terms); amplification through a long prefix, ``@vocab`` or ``xml:base`` grows with the
#: square of the file's size and is stopped here after a bounded amount of work.
EXPANSION_FACTOR = 100
EXPANSION_FLOOR = 16 * 1024 * 1024

#: pyoxigraph's position prefix, dropped from messages because InputError puts it in front.
_POSITION = re.compile(r"^Parser error at line \d+ (column \d+|between columns \d+ and \d+): ")
#: Characters outside XML 1.0's ``Char`` production (surrogates cannot reach a str here).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
#: How such a character can be written in Turtle, N-Triples, JSON-LD: raw, ``\\uXXXX``,
#: ``\\UXXXXXXXX``, or ``\\b``/``\\f`` (an escaped backslash is not an escape).
_WRITTEN = re.compile(
    r"(?<!\\)(?:\\\\)*(?P<escape>\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8}|\\[bf])"
    "|[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]"
)
_ECHARS = {"\\b": "\b", "\\f": "\f"}


class InputError(LocatedError):
    """An input file cannot be read as RDF: missing, unknown extension or bad syntax."""


def rdf_files(folder: Path, *, recursive: bool = False) -> tuple[Path, ...]:
    """The RDF files in ``folder`` (by extension), sorted for reproducible builds.

    ``recursive`` also takes its subdirectories' (``data/`` holds each import in a directory
    of its own, docs/import.md), except hidden ones: an import being written is staged in a
    dot-directory beside its target and must not be read half-written.
    """
    if not folder.is_dir():
        return ()
    candidates = folder.rglob("*") if recursive else folder.iterdir()
    return tuple(
        sorted(
            p
            for p in candidates
            if p.is_file()
            and p.suffix.lstrip(".").lower() in RDF_FORMATS
            and not any(part.startswith(".") for part in p.relative_to(folder).parts)
        )
    )


def authored_files(folder: Path) -> tuple[Path, ...]:
    """The authored (YAML) sources directly in ``folder``, sorted."""
    if not folder.is_dir():
        return ()
    return tuple(sorted(p for p in folder.iterdir() if p.is_file() and is_authored(p)))


def is_authored(path: Path) -> bool:
    return path.suffix.lstrip(".").lower() in AUTHORED_EXTENSIONS


def expand(paths: Sequence[Path]) -> tuple[Path, ...]:
    """Files as given, directories replaced by their RDF and authored files (``validate data/``)."""
    expanded: list[Path] = []
    for path in paths:
        if path.is_dir():
            found = rdf_files(path) + authored_files(path)
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
    """Parse one file into quads; syntax errors become ``InputError`` with line and column,
    and so does anything the module docstring lists as refused. An authored (YAML) file is
    converted, its problems reported at their line like syntax errors."""
    if is_authored(path):
        return _authored_quads(path)
    fmt = rdf_format(path)
    if not path.is_file():
        raise InputError(path, "no such file")
    quads: list[ox.Quad] = []
    try:
        xml_error = check_rdfxml(path) if fmt == ox.RdfFormat.RDF_XML else (None, None)
        budget = EXPANSION_FACTOR * path.stat().st_size + EXPANSION_FLOOR
        with path.open("rb") as stream:
            for quad in ox.parse(stream, format=fmt):
                budget -= _check_quad(path, quad)
                if budget < 0:
                    raise _amplified(path, quad)
                quads.append(quad)
    except SyntaxError as exc:
        line, column = exc.lineno, exc.offset
        reason = _POSITION.sub("", exc.msg, count=1)
        if line is None and fmt == ox.RdfFormat.RDF_XML:
            line, column = xml_error
        if "LoadDocumentCallback" in reason:
            line, column = _locate(path, re.compile(r'"@(context|import)"\s*:\s*"'))
            raise InputError(
                path,
                "remote JSON-LD contexts are not fetched (a build must not depend on, or "
                'reach, the network): copy the context into the file as an "@context" object',
                line,
                column,
            ) from None
        raise InputError(path, f"syntax error: {reason}", line, column) from None
    except UnicodeDecodeError as exc:
        raise InputError(path, f"not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except OSError as exc:
        raise InputError(path, f"cannot be read ({exc.strerror or exc})") from None
    return quads


def _authored_quads(path: Path) -> list[ox.Quad]:
    from publisher.build.authoring.convert import converted
    from publisher.build.authoring.document import AuthoringError

    if not path.is_file():
        raise InputError(path, "no such file")
    try:
        quads = converted(path).quads
    except AuthoringError as exc:
        raise InputError(exc.path, exc.reason, exc.line, exc.column) from None
    return checked_quads(path, quads)


def checked_quads(path: Path, quads: Sequence[ox.Quad]) -> list[ox.Quad]:
    """Quads made from ``path`` other than by parsing it (an authored source's conversion),
    refused as ``parse_quads`` refuses a parsed file's (control characters, triple terms)."""
    for quad in quads:
        _check_quad(path, quad)
    return list(quads)


def check_rdfxml(path: Path) -> tuple[int | None, int | None]:
    """Refuse what makes an RDF/XML file dangerous before any RDF parser reads it; return
    where expat finds it malformed (pyoxigraph's RDF/XML errors carry no position).

    expat reports each entity declaration as it reads it, before any reference can expand
    it, and never loads an external DTD or entity (no handler is set for them).
    """
    parser = expat.ParserCreate()
    depth = 0

    def refuse_entity(name: str, is_parameter: bool, *_: object) -> None:
        raise _Refused(
            f"the DTD declares the entity {'%' if is_parameter else ''}{name!r}: entity "
            "declarations are not accepted, because nested entities expand exponentially "
            "(the 'billion laughs': 700 bytes become gigabytes) and external ones read other "
            "files or URLs. Write the text or IRIs out in full (converting the file to Turtle "
            "does that)"
        )

    def start(name: str, attributes: object) -> None:
        nonlocal depth
        depth += 1
        if depth > MAX_XML_DEPTH:
            raise _Refused(
                f"XML elements nested more than {MAX_XML_DEPTH} deep: RDF/XML parsing slows "
                "down with the square of the depth. Give nested blank nodes an rdf:nodeID and "
                "describe them at the top level, or convert the file to Turtle"
            )

    def end(name: str) -> None:
        nonlocal depth
        depth -= 1

    parser.EntityDeclHandler = refuse_entity
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    with path.open("rb") as stream:
        try:
            parser.ParseFile(stream)
        except _Refused as refused:
            # expat's column is the declaration's end, but an element's start.
            column = parser.CurrentColumnNumber + 1 if depth else None
            raise InputError(path, str(refused), parser.CurrentLineNumber, column) from None
        except expat.ExpatError as exc:
            return exc.lineno, exc.offset + 1  # expat's columns are 0-based
    return None, None


class _Refused(Exception):
    """Raised inside an expat handler to stop the parse."""


def _check_quad(path: Path, quad: ox.Quad) -> int:
    """The characters ``quad``'s terms hold; refuse a literal XML cannot hold or a triple term."""
    subject, obj, graph = quad.subject, quad.object, quad.graph_name
    if isinstance(subject, ox.Triple) or isinstance(obj, ox.Triple):
        line, column = _locate(path, re.compile(r"<<|\{\|"))
        raise InputError(
            path,
            "an RDF 1.2 triple term (a statement about a statement): rdflib, pyshacl and "
            "HermiT cannot read them (no RDF-star, DESIGN.md §4). Make what is said about the "
            "statement a node of its own (e.g. a dip:Claim or dip:Estimate with the source)",
            line,
            column,
        )
    size = len(subject.value) + len(quad.predicate.value) + len(obj.value)
    if isinstance(obj, ox.Literal):
        if _NOT_XML.search(obj.value):
            raise _not_xml(path, quad, obj)
        size += len(obj.datatype.value)
    if not isinstance(graph, ox.DefaultGraph):
        size += len(graph.value)
    return size


def _not_xml(path: Path, quad: ox.Quad, literal: ox.Literal) -> InputError:
    char = _NOT_XML.search(literal.value)
    assert char is not None
    code = f"U+{ord(char.group()):04X}"
    line, column = None, None
    text = path.read_text(encoding="utf-8", errors="replace")
    for match in _WRITTEN.finditer(text):
        escape = match.group("escape")
        if escape:
            written = _ECHARS.get(escape) or chr(int(escape[2:], 16))
            offset = match.end() - len(escape)
        else:
            written, offset = match.group(), match.start()
        if written == char.group():
            line, column = _position(text, offset)
            break
    shown = literal.value if len(literal.value) <= 60 else literal.value[:57] + "…"
    return InputError(
        path,
        f"the literal {shown!r} of {quad.subject} {quad.predicate} holds the control character "
        f"{code}, which XML 1.0 forbids: the release could not be written as RDF/XML (its "
        "downloads, every page's RDF/XML, HermiT's input). Delete the character, or replace it "
        "by a space",
        line,
        column,
    )


def _amplified(path: Path, quad: ox.Quad) -> InputError:
    size = path.stat().st_size
    return InputError(
        path,
        f"its IRIs and literals grow to more than {EXPANSION_FACTOR} times its size "
        f"({size} bytes) when parsed (stopped at a statement about {quad.subject}): a long IRI "
        "is named once and used many times through a prefix, @vocab, xml:base or a repeated "
        "subject. The build refuses such files because a small one could exhaust memory; "
        "write long IRIs and literals once, or shorten them",
    )


def _locate(path: Path, pattern: re.Pattern[str]) -> tuple[int | None, int | None]:
    """Line and column (1-based) of ``pattern``'s first match in ``path``, if any."""
    text = path.read_text(encoding="utf-8", errors="replace")
    match = pattern.search(text)
    return _position(text, match.start()) if match else (None, None)


def _position(text: str, offset: int) -> tuple[int, int]:
    line_start = text.rfind("\n", 0, offset) + 1
    return text.count("\n", 0, offset) + 1, offset - line_start + 1
