"""Numbers and examples in the docs come from the code, or a test here checks them.

As Datasette's ``test_docs.py`` does: where README.md, docs/*.md or data/README.md state the
seed's size, show what a command prints or list what the data holds, this module compares
them with the session's real release (or runs the command), so a change to the data or the
code that makes a page wrong fails the suite. Timings are measurements and are not checked.
Settings and ``serve`` options are checked in ``test_config.py``.
"""

from __future__ import annotations

import gzip
import json
import re
import shutil
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from flask.testing import FlaskClient

from publisher.build.pipeline import steps
from publisher.cli import main
from publisher.config import PROJECT_ROOT, Settings
from publisher.release.layout import Release
from publisher.release.store import Store
from publisher.web.description import describe_resource

ID = "https://w3id.org/diplograph/id/"
DIP = "https://w3id.org/diplograph/ontology#"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
SAME_AS = "http://schema.org/sameAs"
IN_SCHEME = "http://www.w3.org/2004/02/skos/core#inScheme"
#: Prefixes of other vocabularies, written in the docs but not minted by the project.
FOREIGN = {"xsd", "rdf", "rdfs", "owl", "skos", "prov", "schema", "dcterms", "oa", "http", "https"}
WORDS = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8}
WORDS |= {"nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14}
WORDS |= {"fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18}


def doc(name: str) -> str:
    return (PROJECT_ROOT / name).read_text(encoding="utf-8")


def section(text: str, heading: str) -> str:
    """The text under ``heading`` (a whole heading line), up to the next heading."""
    body = text.split(f"\n{heading}\n", 1)[1]
    return re.split(r"^#{1,6} ", body, maxsplit=1, flags=re.M)[0]


def found(pattern: str, text: str) -> tuple[str, ...]:
    """The groups of ``pattern`` in ``text``; fails if the sentence was reworded."""
    match = re.search(pattern, text)
    assert match, f"the docs no longer say {pattern!r}: update the docs and this test together"
    return match.groups()


def number(text: str) -> int:
    """``1,787`` → 1787."""
    return int(text.replace(",", ""))


def console(text: str, command: str) -> list[str]:
    """The lines a ``console`` block of ``text`` shows under ``$ command``."""
    for block in re.findall(r"^```console\n(.*?)^```", text, flags=re.M | re.S):
        lines = block.splitlines()
        if f"$ {command}" in lines:
            start = lines.index(f"$ {command}") + 1
            rest = [i for i in range(start, len(lines)) if lines[i].startswith("$ ")]
            return lines[start : rest[0] if rest else len(lines)]
    raise AssertionError(f"no console example of `{command}`")


@pytest.fixture(scope="module")
def manifest(release: Release) -> dict[str, Any]:
    return release.manifest()


@pytest.fixture(scope="module")
def data_quads(release: Release) -> list[ox.Quad]:
    """Every quad of the release but the VoID graph, from its N-Quads dump."""
    data = gzip.decompress((release.dumps_path / "diplograph.nq.gz").read_bytes())
    return list(ox.parse(data, ox.RdfFormat.N_QUADS))


# --- docs/build.md ----------------------------------------------------------------------------


def test_the_pipeline_table_lists_the_steps_in_order() -> None:
    table = section(doc("docs/build.md"), "## The pipeline")
    first_cells = [row.split("|")[1] for row in table.splitlines() if row.startswith("| `")]
    names = [name for cell in first_cells for name in re.findall(r"`(\w+)`", cell)]
    assert names == [step.__name__ for step in steps()]


def test_the_build_summary_is_what_the_build_prints(manifest: dict[str, Any]) -> None:
    lines = console(doc("docs/build.md"), "diplograph build 2>/dev/null")
    assert re.fullmatch(r"published release (\S+) at var/releases/\1", lines[0])
    assert lines[1] == f"quads: {manifest['quads']} ({manifest['inferred']['quads']} inferred)"
    assert [line.split()[0] for line in lines[2:]] == [step.__name__ for step in steps()]


def test_the_seed_counts_are_the_releases(manifest: dict[str, Any]) -> None:
    text = " ".join(doc("docs/build.md").split())
    files, triples = found(
        r"On the seed data \((\d+) input files; ([\d,]+) triples of ontology \+ data", text
    )
    assert int(files) == len(manifest["inputs"])
    assert number(triples) == manifest["validation"]["triples"]
    stated = found(
        r"On the seed data: (\d+) quads \((\d+) inverse, (\d+) subproperty, (\d+) subclass\)",
        text,
    )
    inferred = manifest["inferred"]
    kinds = ("quads", "inverse", "subproperty", "subclass")
    assert dict(zip(kinds, map(int, stated), strict=True)) == {k: inferred[k] for k in kinds}


def test_the_failed_build_example_is_what_a_failed_build_prints(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The example adds a bad file to the checkout; here a copy of it gets the file."""
    for folder in ("ontology", "shapes", "data"):
        shutil.copytree(PROJECT_ROOT / folder, tmp_path / folder)
    bad = PROJECT_ROOT / "tests" / "data" / "shapes" / "DateOrderShape.trig"
    shutil.copy(bad, tmp_path / "data" / "new-source.trig")
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(main, ["--home", str(tmp_path / "var"), "build", "--root", "."])
    assert result.exit_code == 1
    assert result.stderr.splitlines() == console(doc("docs/build.md"), "diplograph build")


def test_the_validate_examples_are_what_validate_prints(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = doc("docs/build.md")
    monkeypatch.chdir(PROJECT_ROOT)
    files = ["tests/data/shapes/AgreementParties.trig", "tests/data/shapes/ClaimClaimant.trig"]
    shown = console(text, "diplograph validate --alone " + " ".join(files))
    result = runner.invoke(main, ["validate", "--alone", *files])
    assert result.stdout.splitlines() == shown
    assert [str(result.exit_code)] == console(text, "echo $?")
    joining = "tests/data/authoring/new-source-naming-kim-and-putin.trig"
    result = runner.invoke(main, ["validate", joining])
    assert result.stdout.splitlines() == console(text, f"diplograph validate {joining}")
    syntax_error = "tests/data/release/syntax-error.trig"
    result = runner.invoke(main, ["validate", syntax_error])
    assert result.exit_code == 2
    assert result.stderr.splitlines() == console(text, f"diplograph validate {syntax_error}")


# --- docs/linked-data.md, docs/browsing.md, docs/sparql.md, docs/ontology.md, README.md ----------


def test_the_linked_data_measurements_name_todays_counts(
    release: Release, manifest: dict[str, Any], client: FlaskClient
) -> None:
    text = doc("docs/linked-data.md")
    loaded, inferred, resources = found(
        r"Project release \(([\d,]+) quads loaded, ([\d,]+) inferred; ([\d,]+) resources\)", text
    )
    assert number(loaded) == manifest["asserted_quads"]
    assert number(inferred) == manifest["inferred"]["quads"]
    assert number(resources) == manifest["statistics"]["entities"]
    quads, incoming = found(
        r"Kim Jong Un \((\d+) quads in his document, (\d+) incoming links\)", text
    )
    document = client.get("/doc/person/kim-jong-un.nq")
    assert len(list(ox.parse(document.data, ox.RdfFormat.N_QUADS))) == int(quads)
    kim = describe_resource(Store.for_release(release), f"{ID}person/kim-jong-un")
    assert kim.incoming_total == int(incoming)
    graphs = {g["iri"]: g["triples"] for g in manifest["statistics"]["graphs"]}
    (ontology,) = found(r"The ontology graph \(([\d,]+) quads\)", text)
    assert number(ontology) == graphs[f"{ID}graph/ontology"]


def test_the_search_example_is_what_search_answers(client: FlaskClient) -> None:
    text = section(doc("docs/browsing.md"), "## Search (`/search`)")
    example = json.loads(found(r"(?s)```json\n(.*?)```", text)[0])
    answer = client.get("/search", query_string={"q": example["query"], "format": "json"})
    actual = answer.get_json()
    shown = example.pop("results")
    assert actual.pop("results")[: len(shown)] == shown
    assert actual == example


def test_the_healthz_example_has_the_fields_of_healthz(client: FlaskClient) -> None:
    (example,) = found(r'`("sparql": \{[^`]*\})`', doc("docs/sparql.md"))
    shown = json.loads("{" + example + "}")["sparql"]
    actual = client.get("/healthz").get_json()["sparql"]
    assert set(shown) == set(actual)
    assert shown["workers"] == Settings.from_env(environ={}).sparql_workers


def test_the_concept_schemes_table_lists_every_concept(data_quads: list[ox.Quad]) -> None:
    table = section(doc("docs/ontology.md"), "## Concept schemes")
    rows = [row.strip("|").split("|") for row in table.splitlines() if row.startswith("| `")]
    schemes = {q.object.value for q in data_quads if q.predicate.value == IN_SCHEME}
    listed: dict[str, set[str]] = {}
    for scheme, file, _, concepts in rows:
        name = scheme.strip().strip("`")
        assert (PROJECT_ROOT / "ontology" / file.strip().strip("`")).is_file(), file
        listed[f"{ID}scheme/{name}"] = set(concepts.rsplit(": ", 1)[-1].strip().split(", "))
    assert set(listed) == schemes
    for scheme, slugs in listed.items():
        members = {
            q.subject.value.rsplit("/", 1)[1]
            for q in data_quads
            if q.predicate.value == IN_SCHEME and q.object.value == scheme
        }
        assert slugs == members, scheme


def test_the_readme_urls_answer(client: FlaskClient) -> None:
    paths = re.findall(r"^\| http://127\.0\.0\.1:8080(/\S*) \|", doc("README.md"), flags=re.M)
    assert len(paths) >= 5
    for path in paths:
        assert client.get(path).status_code in (200, 303), path


# --- data/README.md ---------------------------------------------------------------------------


def test_the_native_script_names_are_the_labels_of_the_data(data_quads: list[ox.Quad]) -> None:
    text = " ".join(doc("data/README.md").split())
    listed = {
        language: set(names.split(", "))
        for language, names in re.findall(r"\(`@([a-z]+)`: ([^)]*)\)", text)
    }
    labels: dict[str, set[str]] = {}
    for quad in data_quads:
        value = quad.object
        if (
            quad.predicate.value == RDFS_LABEL
            and quad.subject.value.startswith(ID)
            and isinstance(value, ox.Literal)
            and value.language not in (None, "en")
        ):
            labels.setdefault(str(value.language), set()).add(value.value)
    assert listed == labels


def test_the_wikidata_link_count_is_the_datas(data_quads: list[ox.Quad]) -> None:
    (word,) = found(r"`schema:sameAs` Wikidata links only for the (\w+) IDs", doc("data/README.md"))
    links = {q.object.value for q in data_quads if q.predicate.value == SAME_AS}
    assert WORDS[word] == len(links)


def test_every_iri_the_data_readme_names_is_in_the_release(data_quads: list[ox.Quad]) -> None:
    known = {t.value for q in data_quads for t in (q.subject, q.object)}
    missing = []
    for span in re.findall(r"`([^`]+)`", doc("data/README.md")):
        for prefix, local in re.findall(r"(?<![\w/:#.-])([a-z][a-z-]*):([\w][\w.-]*\w)", span):
            if prefix in FOREIGN:
                continue
            candidates = (
                [DIP + local]
                if prefix == "dip"
                else [f"{ID}{prefix}/{local}", f"{ID}concept/{prefix}/{local}"]
            )
            if not known.intersection(candidates):
                missing.append(f"{prefix}:{local}")
    assert missing == []


def test_every_competency_question_the_data_readme_cites_exists() -> None:
    cited = {
        n
        for group in re.findall(r"CQ ((?:\d+(?:, )?)+)", doc("data/README.md"))
        for n in group.split(", ")
    }
    assert cited
    questions = {
        p.name.split("-", 1)[0] for p in (PROJECT_ROOT / "tests" / "competency").glob("*.csv")
    }
    assert sorted(cited - questions) == []


def test_every_test_the_docs_name_exists() -> None:
    """``tests/test_x.py::test_name`` (and ``tests/test_x.py`` with a test named beside it,
    as docs/security.md writes them) must be real, so a defence cannot lose its test."""
    missing = []
    for name in ["README.md", *(f"docs/{p.name}" for p in (PROJECT_ROOT / "docs").glob("*.md"))]:
        for path, tests in re.findall(r"`(tests/[\w/]+\.py)(?:::(\w+))?`", doc(name)):
            target = PROJECT_ROOT / path
            if not target.is_file():
                missing.append(f"{name}: {path}")
            elif tests and f"def {tests}(" not in target.read_text(encoding="utf-8"):
                missing.append(f"{name}: {path}::{tests}")
    assert missing == []


def test_every_doc_the_code_and_scripts_name_exists() -> None:
    """A ``docs/{name}.md`` named in a docstring, a help text, a script or a config must be
    there, so that a pointer to the docs never points at nothing."""
    missing = []
    folders = ("publisher", "deploy", "benchmarks", "tests", ".ci")
    files = [
        p
        for folder in folders
        for p in (PROJECT_ROOT / folder).rglob("*")
        if p.is_file() and "node_modules" not in p.parts  # npm packages' own docs
    ]
    for path in [*files, PROJECT_ROOT / "Makefile", PROJECT_ROOT / "README.md"]:
        if path.suffix not in ("", ".py", ".sh", ".ini", ".conf", ".md", ".toml"):
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        for named in set(re.findall(r"\bdocs/[\w-]+\.md\b", text)):
            if not (PROJECT_ROOT / named).is_file():
                missing.append(f"{path.relative_to(PROJECT_ROOT)}: {named}")
    assert missing == []
