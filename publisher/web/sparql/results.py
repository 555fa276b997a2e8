"""Streaming SPARQL result writers that count rows and stop at the cap.

pyoxigraph's own serializers cannot stop after N solutions or say how many they wrote, and
a public endpoint must cap results *and say so*. These writers emit the four standard result
formats row by row into any ``write(bytes)`` sink, so memory stays flat however large the
result, and they end a truncated result with a note in the body (JSON: a top-level
``"diplograph"`` member after ``results``; XML: a comment after ``</results>``). CSV and TSV
have no place for a note: there the ``X-Diplograph-Truncated`` header is the signal.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from itertools import islice
from json.encoder import encode_basestring
from typing import Protocol
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph as ox

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_CSV_SPECIAL = re.compile(r'[,"\r\n]')
TRUNCATED_NOTE = "Results truncated at {limit} rows by the endpoint's result-row cap."


class Sink(Protocol):
    def write(self, data: bytes) -> object: ...


Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple | None


def write_select(
    solutions: ox.QuerySolutions, fmt: str, sink: Sink, max_rows: int
) -> tuple[int, bool]:
    """Write SELECT results in ``fmt`` (json, xml, csv, tsv); return (rows, truncated)."""
    names = [v.value for v in solutions.variables]
    writer = _WRITERS[fmt]
    return writer(names, iter(solutions), sink, max_rows)


def write_boolean(value: bool, fmt: str, sink: Sink) -> None:
    """Write an ASK result; CSV and TSV carry it as a one-cell table (no standard exists)."""
    word = "true" if value else "false"
    if fmt == "json":
        sink.write(b'{"head":{},"boolean":' + word.encode() + b"}")
    elif fmt == "xml":
        sink.write(
            b'<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">'
            b"<head/><boolean>" + word.encode() + b"</boolean></sparql>\n"
        )
    else:
        sink.write(b"_askResult\r\n" if fmt == "csv" else b"?_askResult\n")
        sink.write(word.encode() + (b"\r\n" if fmt == "csv" else b"\n"))


def _rows(solutions: Iterator[ox.QuerySolution], max_rows: int) -> Iterator[ox.QuerySolution]:
    """At most ``max_rows`` solutions, consuming no more (the caller then peeks for one)."""
    return islice(solutions, max_rows)


def _more(solutions: Iterator[ox.QuerySolution]) -> bool:
    return next(solutions, None) is not None


def _write_json(
    names: list[str], solutions: Iterator[ox.QuerySolution], sink: Sink, max_rows: int
) -> tuple[int, bool]:
    keys = [encode_basestring(name) + ":" for name in names]
    sink.write(
        (
            '{"head":{"vars":['
            + ",".join(encode_basestring(n) for n in names)
            + ']},"results":{"bindings":['
        ).encode()
    )
    count, separator = 0, ""
    for solution in _rows(solutions, max_rows):
        parts = [
            key + _json_term(term)
            for key, term in zip(keys, solution, strict=True)
            if term is not None
        ]
        sink.write((separator + "{" + ",".join(parts) + "}").encode())
        separator, count = ",", count + 1
    truncated = count == max_rows and _more(solutions)
    sink.write(b"]}")
    if truncated:
        note = encode_basestring(TRUNCATED_NOTE.format(limit=max_rows))
        sink.write(
            f',"diplograph":{{"truncated":true,"rowLimit":{max_rows},"message":{note}}}'.encode()
        )
    sink.write(b"}")
    return count, truncated


def _json_term(term: Term) -> str:
    if isinstance(term, ox.NamedNode):
        return '{"type":"uri","value":' + encode_basestring(term.value) + "}"
    if isinstance(term, ox.Literal):
        head = '{"type":"literal","value":' + encode_basestring(term.value)
        if term.language:
            return head + ',"xml:lang":' + encode_basestring(term.language) + "}"
        datatype = term.datatype.value
        if datatype == XSD_STRING:
            return head + "}"
        return head + ',"datatype":' + encode_basestring(datatype) + "}"
    if isinstance(term, ox.BlankNode):
        return '{"type":"bnode","value":' + encode_basestring(term.value) + "}"
    if isinstance(term, ox.Triple):
        return (
            '{"type":"triple","value":{"subject":'
            + _json_term(term.subject)
            + ',"predicate":'
            + _json_term(term.predicate)
            + ',"object":'
            + _json_term(term.object)
            + "}}"
        )
    raise TypeError(f"unexpected term {term!r}")


def _write_xml(
    names: list[str], solutions: Iterator[ox.QuerySolution], sink: Sink, max_rows: int
) -> tuple[int, bool]:
    opens = [f"<binding name={quoteattr(name)}>" for name in names]
    sink.write(
        (
            '<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">'
            "<head>"
            + "".join(f"<variable name={quoteattr(n)}/>" for n in names)
            + "</head><results>"
        ).encode()
    )
    count = 0
    for solution in _rows(solutions, max_rows):
        parts = [
            opened + _xml_term(term) + "</binding>"
            for opened, term in zip(opens, solution, strict=True)
            if term is not None
        ]
        sink.write(("<result>" + "".join(parts) + "</result>").encode())
        count += 1
    truncated = count == max_rows and _more(solutions)
    sink.write(b"</results></sparql>\n")
    if truncated:
        sink.write(f"<!-- diplograph: {TRUNCATED_NOTE.format(limit=max_rows)} -->\n".encode())
    return count, truncated


def _xml_term(term: Term) -> str:
    if isinstance(term, ox.NamedNode):
        return "<uri>" + escape(term.value) + "</uri>"
    if isinstance(term, ox.Literal):
        value = escape(term.value)
        if term.language:
            return f"<literal xml:lang={quoteattr(term.language)}>{value}</literal>"
        if term.datatype.value == XSD_STRING:
            return f"<literal>{value}</literal>"
        return f"<literal datatype={quoteattr(term.datatype.value)}>{value}</literal>"
    if isinstance(term, ox.BlankNode):
        return "<bnode>" + escape(term.value) + "</bnode>"
    if isinstance(term, ox.Triple):
        return (
            "<triple><subject>"
            + _xml_term(term.subject)
            + "</subject><predicate>"
            + _xml_term(term.predicate)
            + "</predicate><object>"
            + _xml_term(term.object)
            + "</object></triple>"
        )
    raise TypeError(f"unexpected term {term!r}")


def _write_csv(
    names: list[str], solutions: Iterator[ox.QuerySolution], sink: Sink, max_rows: int
) -> tuple[int, bool]:
    sink.write((",".join(_csv_field(n) for n in names) + "\r\n").encode())
    count = 0
    for solution in _rows(solutions, max_rows):
        sink.write((",".join(_csv_term(term) for term in solution) + "\r\n").encode())
        count += 1
    return count, count == max_rows and _more(solutions)


def _csv_term(term: Term) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.BlankNode):
        return "_:" + term.value
    if isinstance(term, ox.NamedNode | ox.Literal):
        return _csv_field(term.value)
    return _csv_field(str(term))


def _csv_field(value: str) -> str:
    if _CSV_SPECIAL.search(value):
        return '"' + value.replace('"', '""') + '"'
    return value


def _write_tsv(
    names: list[str], solutions: Iterator[ox.QuerySolution], sink: Sink, max_rows: int
) -> tuple[int, bool]:
    sink.write(("\t".join("?" + n for n in names) + "\n").encode())
    count = 0
    for solution in _rows(solutions, max_rows):
        sink.write(("\t".join("" if t is None else str(t) for t in solution) + "\n").encode())
        count += 1
    return count, count == max_rows and _more(solutions)


_WRITERS: dict[
    str, Callable[[list[str], Iterator[ox.QuerySolution], Sink, int], tuple[int, bool]]
] = {"json": _write_json, "xml": _write_xml, "csv": _write_csv, "tsv": _write_tsv}
