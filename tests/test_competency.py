"""The competency questions: what the graph must answer from the seed article.

Each ``NN-name.rq`` (shipped with the package as the query page's examples, in
``publisher/web/sparql/queries/``) runs on the project's own release (the union of all
graphs, materialised alignments included) and must give exactly the rows of
``tests/competency/NN-name.expected.csv`` (format: ``tests/competency/README.md``).
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pyoxigraph as ox
import pytest

from publisher.release.layout import Release
from publisher.release.store import Store
from publisher.web.sparql.examples import QUERIES_DIR

COMPETENCY = Path(__file__).parent / "competency"
QUERIES = sorted(QUERIES_DIR.glob("*.rq"))
ALLOWED_PREFIXES = {"dip", "rdfs", "skos", "prov", "schema", "oa", "xsd"}

Row = tuple[str, ...]


def expected_path(query: Path) -> Path:
    return COMPETENCY / (query.stem + ".expected.csv")


def read_expected(query: Path) -> tuple[Row, list[Row]]:
    """The header (variable names, or ``boolean``) and the expected rows."""
    with expected_path(query).open(encoding="utf-8", newline="") as handle:
        header, *rows = (tuple(row) for row in csv.reader(handle))
    return header, rows


def cell(term: ox.NamedNode | ox.BlankNode | ox.Literal | None) -> str:
    return "" if term is None else term.value


def is_ordered(text: str) -> bool:
    return re.search(r"\bORDER\s+BY\b", text, re.IGNORECASE) is not None


@pytest.fixture(scope="module")
def store(release: Release) -> Store:
    return Store.for_release(release)


def test_there_are_enough_questions() -> None:
    assert len(QUERIES) >= 24


@pytest.mark.parametrize("query", QUERIES, ids=[q.stem for q in QUERIES])
def test_question_is_documented(query: Path) -> None:
    """Each query says its question and answer in English, and has an expected answer."""
    text = query.read_text(encoding="utf-8")
    assert text.startswith("# Question"), "the query must open with '# Question: …'"
    assert "# Answer:" in text
    assert expected_path(query).is_file()
    header, rows = read_expected(query)
    assert rows, "an expected answer needs at least one row"
    assert len(set(rows)) == len(rows), "expected rows must be distinct"
    assert all(len(row) == len(header) for row in rows)


@pytest.mark.parametrize("query", QUERIES, ids=[q.stem for q in QUERIES])
def test_question_uses_only_agreed_prefixes(query: Path) -> None:
    declared = set(re.findall(r"^PREFIX\s+(\w*):", query.read_text(encoding="utf-8"), re.M))
    assert declared <= ALLOWED_PREFIXES, declared - ALLOWED_PREFIXES


@pytest.mark.parametrize("query", QUERIES, ids=[q.stem for q in QUERIES])
def test_question_is_answered(store: Store, query: Path) -> None:
    text = query.read_text(encoding="utf-8")
    header, expected = read_expected(query)
    result = store.query(text)
    if isinstance(result, ox.QueryBoolean):
        assert header == ("boolean",)
        assert [(str(bool(result)).lower(),)] == expected
        return
    assert isinstance(result, ox.QuerySolutions)
    variables = tuple(v.value for v in result.variables)
    assert variables == header, "the CSV header must list the SELECT variables in order"
    actual = [tuple(cell(solution[v]) for v in variables) for solution in result]
    if is_ordered(text):
        assert actual == expected
    else:
        assert sorted(set(actual)) == sorted(expected), (
            f"missing: {sorted(set(expected) - set(actual))}; "
            f"unexpected: {sorted(set(actual) - set(expected))}"
        )
