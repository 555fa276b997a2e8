"""The authoring format (docs/authoring.md): YAML sources, their schema, their checks against
the dataset, and the seed re-expressed in YAML giving the same graph as its TriG."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
import yaml
from click.testing import CliRunner
from flask.testing import FlaskClient
from jsonschema import Draft202012Validator
from rdflib.compare import graph_diff, to_isomorphic

from publisher.build.authoring import schema
from publisher.build.authoring.convert import convert
from publisher.build.authoring.dataset import Dataset, similar
from publisher.build.authoring.document import AuthoringError
from publisher.build.authoring.passages import Quote, QuoteError, SourceText
from publisher.build.authoring.step import check_authored_sources
from publisher.build.authoring.validate import validate_new
from publisher.build.authoring.vocabulary import load_vocabulary
from publisher.build.checks import validate_sources
from publisher.build.context import BuildContext, BuildError, Sources
from publisher.build.inputs import InputError, parse_quads, rdf_files
from publisher.build.pipeline import build_release
from publisher.build.validation import validate_files
from publisher.cli import main
from publisher.config import PROJECT_ROOT, Settings
from publisher.terms import to_rdflib
from tests.conftest import SHARED

AUTHORING = PROJECT_ROOT / "tests" / "data" / "authoring"
SEED = AUTHORING / "seed"
EXAMPLE = AUTHORING / "example" / "2026-03-ruritanian-delegation-in-pyongyang.yaml"
MISTAKES = AUTHORING / "bad" / "2026-03-ruritania-mistakes.yaml"
SCHEMA_ERRORS = AUTHORING / "bad" / "2026-03-ruritania-schema.yaml"
KIM_AND_PUTIN = AUTHORING / "new-source-naming-kim-and-putin.trig"
SEED_SOURCES = sorted(SEED.glob("*.yaml"))


def needs_seed_text() -> None:
    if not SHARED.is_dir():
        pytest.skip(f"{SHARED} (the seed texts beside the project) is absent on this checkout")


def graph(quads: list[ox.Quad]) -> rdflib.Graph:
    result = rdflib.Graph()
    for q in quads:
        result.add((to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object)))
    return result


def write(folder: Path, name: str, text: str, source_text: str | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    if source_text is not None:
        path.with_suffix(".txt").write_text(source_text, encoding="utf-8")
    return path


MINIMAL = """\
source:
  id: {slug}
  label: A test source
graph:
  created: 2026-12-01
events:
  - id: 2026-01-01-test-event
    type: Meeting
    label: A test meeting (1 January 2026)
    date: 2026-01-01
    quote: {quote}
    participants:
      - who: person:kim-jong-un
        role: attendee
"""


# --- the proof: the seed in YAML is the seed in TriG -------------------------------------


@pytest.mark.parametrize("path", SEED_SOURCES, ids=[p.stem for p in SEED_SOURCES])
def test_the_seed_in_yaml_is_the_seed_in_trig(path: Path) -> None:
    """Same triples, up to blank nodes, in the same named graph as data/{name}.trig."""
    needs_seed_text()
    converted = convert(path).quads
    written = parse_quads(PROJECT_ROOT / "data" / f"{path.stem}.trig")
    assert {q.graph_name for q in converted} == {q.graph_name for q in written}
    ours, theirs = to_isomorphic(graph(converted)), to_isomorphic(graph(written))
    _, only_yaml, only_trig = graph_diff(ours, theirs)
    assert (sorted(only_yaml), sorted(only_trig)) == ([], [])
    assert ours == theirs


def test_the_seed_yaml_covers_every_source_graph() -> None:
    trig = {p.stem for p in rdf_files(PROJECT_ROOT / "data")} - {"reference"}
    assert {p.stem for p in SEED_SOURCES} == trig


@pytest.mark.java
def test_a_build_from_yaml_publishes_the_release_the_trig_does(
    tmp_path: Path, release: object
) -> None:
    """data/sources/*.yaml flow through the same pipeline: the same quads, every graph."""
    needs_seed_text()
    root = tmp_path / "root"
    for folder in ("ontology", "shapes"):
        shutil.copytree(PROJECT_ROOT / folder, root / folder)
    (root / "data" / "sources").mkdir(parents=True)
    shutil.copy(PROJECT_ROOT / "data" / "reference.trig", root / "data")
    for path in SEED_SOURCES:
        shutil.copy(path, root / "data" / "sources")
    settings = Settings.from_env(home=tmp_path / "home", environ={})
    built = build_release(settings, Sources.from_root(root), log=lambda _: None)
    trig_release = release
    assert hasattr(trig_release, "dumps_path")

    def dump(r: object) -> ox.Dataset:
        data = (r.dumps_path / "diplograph.nq.gz").read_bytes()  # type: ignore[attr-defined]
        import gzip

        return ox.Dataset(ox.parse(gzip.decompress(data), ox.RdfFormat.N_QUADS))

    ours, theirs = dump(built), dump(trig_release)
    ours.canonicalize(ox.CanonicalizationAlgorithm.UNSTABLE)
    theirs.canonicalize(ox.CanonicalizationAlgorithm.UNSTABLE)
    assert set(ours) == set(theirs)


# --- validating a new file against the dataset ------------------------------------------------


def test_a_new_file_naming_known_people_conforms_against_the_dataset() -> None:
    """The issue's case: alone, the shapes say "type the participant" for Kim and Putin."""
    alone = validate_new([KIM_AND_PUTIN], context=None)
    assert not alone.conforms
    assert {p.shape for p, _ in alone.problems} == {
        "dsh:EventParticipant",
        "dsh:ParticipationParticipant",
    }
    joined = validate_new([KIM_AND_PUTIN], context=PROJECT_ROOT / "data")
    assert joined.conforms, joined.format()
    assert joined.problems == [] and joined.findings == []
    assert len(joined.context) == len(rdf_files(PROJECT_ROOT / "data"))


def test_the_worked_example_conforms_and_its_lines_are_known() -> None:
    report = validate_new([EXAMPLE], context=PROJECT_ROOT / "data")
    assert report.conforms, report.format()
    conversion = convert(EXAMPLE)
    velk = "https://w3id.org/diplograph/id/person/anna-velk"
    assert conversion.lines[velk] == 26  # its entry under entities:


def test_a_new_version_of_a_source_replaces_the_old_one_in_the_context() -> None:
    needs_seed_text()
    article = SEED / "article-eaf561987a3443d8.yaml"
    report = validate_new([article], context=PROJECT_ROOT / "data")
    assert report.conforms, report.format()
    assert PROJECT_ROOT / "data" / "article-eaf561987a3443d8.trig" not in report.context


def test_each_mistake_is_reported_at_its_line(runner: CliRunner) -> None:
    result = runner.invoke(main, ["validate", str(MISTAKES)])
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    expected = {
        12: "possible duplicate: person:kim-jong-eun 'Kim Jong-eun' (here) and "
        "person:kim-jong-un 'Kim Jong Un' (data/reference.trig)",
        23: "unknown event type 'Meting' (did you mean Meeting?): use one of Event,",
        26: "place:pyongang is named here but described nowhere",
        27: "unknown CAMEO code '999': use one of 01 (make public statement)",
        33: "unknown role 'hots' (did you mean host?): use one of attendee, commentator,",
        36: "is not in 2026-03-ruritania-mistakes.txt: copy the words exactly",
    }
    for line, words in expected.items():
        assert any(f".yaml:{line}:" in shown and words in shown for shown in lines), line
    assert lines[-1].endswith("does not conform (6 error(s))")


def test_schema_problems_are_reported_at_their_lines() -> None:
    report = validate_new([SCHEMA_ERRORS], context=None)
    found = {(f.line, f.message.split(":")[0]) for f in report.findings}
    assert found == {
        (6, "'14 March 2026' does not fit `created`"),
        (8, "an event needs `quote`"),
        (10, "`date` is not valid"),
        (11, "unknown key `partcipants` (did you mean `participants`?)"),
    }


def test_the_build_refuses_a_bad_source_at_its_line(tmp_path: Path) -> None:
    """Checked before the shapes and HermiT, nothing published."""
    root = tmp_path / "root"
    for folder in ("ontology", "shapes", "data"):
        shutil.copytree(PROJECT_ROOT / folder, root / folder)
    sources = root / "data" / "sources"
    sources.mkdir()
    shutil.copy(MISTAKES.with_suffix(".txt"), sources)
    text = MISTAKES.read_text(encoding="utf-8").replace(
        "the state news agency KCNA said", "the state news agency KCNA reported"
    )
    (sources / MISTAKES.name).write_text(text, encoding="utf-8")
    settings = Settings.from_env(home=tmp_path / "home", environ={})
    with pytest.raises(BuildError) as failed:
        build_release(settings, Sources.from_root(root), log=lambda _: None)
    message = str(failed.value)
    assert "5 problem(s) in the authored sources" in message
    assert "2026-03-ruritania-mistakes.yaml:33:9: error: unknown role 'hots'" in message
    assert not (tmp_path / "home" / "current").exists()


def test_a_yaml_quote_error_stops_the_build_at_its_line(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "test-source.yaml",
        MINIMAL.format(slug="test-source", quote="Nope"),
        "A test meeting took place.",
    )
    with pytest.raises(InputError) as failed:
        parse_quads(path)
    assert failed.value.line == 11
    assert failed.value.reason.startswith("'Nope' is not in test-source.txt: copy the words")
    assert "more" not in failed.value.reason  # the participation's reuse is not a second one


# --- quotes and offsets -----------------------------------------------------------------------


def test_offsets_are_computed_from_the_text(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "test-source.yaml",
        MINIMAL.format(slug="test-source", quote="test meeting"),
        "Yesterday’s test meeting took place.",
    )
    passages = {q.subject.value for q in convert(path).quads if "/passage/" in q.subject.value}
    assert passages == {"https://w3id.org/diplograph/id/passage/test-source-12-24"}


def test_a_repeated_quote_asks_for_a_prefix_and_offers_one() -> None:
    text = SourceText("Kim met Xi. Then Kim met Xi again.", Path("t.txt"), ())
    with pytest.raises(QuoteError, match=r"occurs 2 times .* prefix: 'Then '"):
        text.span(Quote("Kim met Xi"))
    assert text.span(Quote("Kim met Xi", prefix="Then ")) == (17, 27)
    assert text.span(Quote("Kim met Xi", suffix=".")) == (0, 10)


def test_a_near_miss_shows_the_texts_characters() -> None:
    text = SourceText("Russia’s military efforts", Path("t.txt"), ())
    with pytest.raises(QuoteError, match="other punctuation, case or spacing at 0"):
        text.span(Quote("Russia's military efforts"))


def test_without_a_text_offsets_are_taken_as_written() -> None:
    text = SourceText(None, None, (Path("a.txt"),))
    assert text.span(Quote("words", start=5)) == (5, 10)
    with pytest.raises(QuoteError, match="the source's text is not available"):
        text.span(Quote("words"))
    with pytest.raises(QuoteError, match="is not at 3 in t.txt: it is at 0"):
        SourceText("words here", Path("t.txt"), ()).span(Quote("words", start=3))


def test_the_text_is_read_only_beside_the_file(tmp_path: Path) -> None:
    source = MINIMAL.format(slug="test-source", quote="x").replace(
        "  label: A test source\n", "  label: A test source\n  text: ../secret.txt\n"
    )
    path = write(tmp_path / "data", "test-source.yaml", source)
    with pytest.raises(AuthoringError, match="does not fit `text`"):
        convert(path)


# --- the YAML itself -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a: &x [1]\nb: *x\n", "anchors and aliases"),
        ("a: !!python/object:os.system x\n", "YAML tags"),
        ("source: 1\nsource: 2\n", "`source` is given twice"),
        ("a: [" * 2000, "not valid YAML"),
        ("", "the file is empty"),
        ("source: [\n", "not valid YAML"),
    ],
)
def test_hostile_or_broken_yaml_is_refused_with_its_place(
    tmp_path: Path, text: str, expected: str
) -> None:
    path = write(tmp_path, "x.yaml", text)
    with pytest.raises(AuthoringError, match=expected):
        convert(path)


def test_yaml_words_mean_what_a_curator_means(tmp_path: Path) -> None:
    """``042`` stays a CAMEO code, ``no`` a word, dates keep their precision."""
    from publisher.build.authoring.document import parse

    data = parse(tmp_path / "x.yaml", "c: 042\nw: no\nd: 2025-09\ne: 2025-09-02\ny: 2025\n").data
    assert data == {"c": "042", "w": "no", "d": "2025-09", "e": "2025-09-02", "y": 2025}


# --- names ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("Kim Jong Un", "Kim Jong-eun", True),
        ("Kim Jong Un", "KIM Jong-un", True),
        ("Xi Jinping", "Jinping Xi", True),
        ("Unit 731", "Unit 732", False),
        ("Xi Jinping", "Vladimir Putin", False),
        ("Iran", "Iraq", False),
    ],
)
def test_similar_names(a: str, b: str, same: bool) -> None:
    from publisher.build.authoring.dataset import normalise

    assert similar(normalise(a), normalise(b)) is same


def test_different_from_silences_a_possible_duplicate(tmp_path: Path) -> None:
    text = MINIMAL.format(slug="test-source", quote="test meeting") + (
        "entities:\n  - id: person:kim-jong-eun\n    type: Person\n    label: Kim Jong-eun\n"
    )
    path = write(tmp_path, "test-source.yaml", text, "A test meeting.")
    found = validate_new([path], context=PROJECT_ROOT / "data").findings
    assert [f.message.split(":")[0] for f in found] == ["possible duplicate"]
    path.write_text(text + "    different_from: person:kim-jong-un\n", encoding="utf-8")
    assert validate_new([path], context=PROJECT_ROOT / "data").findings == []


def index_of(dataset: Dataset) -> dict[str, object]:
    fields = ("files", "described", "types", "labels", "names", "graphs", "tokens")
    return {name: getattr(dataset, name) for name in fields}


def test_the_builds_cached_index_is_what_reading_the_files_gives(tmp_path: Path) -> None:
    """The build checks authored sources against this index; unchanged files come from its
    cache, and it must say what reading every file says."""
    data = tmp_path / "data"
    shutil.copytree(PROJECT_ROOT / "data", data)
    paths = [*rdf_files(data), *sorted(SEED.glob("*.yaml"))]
    cache = tmp_path / "cache"
    fresh = index_of(Dataset.read(paths))
    assert index_of(Dataset.indexed(paths, cache)) == fresh  # cold: made and saved
    assert len(list(cache.iterdir())) == len(rdf_files(data))  # the YAML is not kept
    assert index_of(Dataset.indexed(paths, cache)) == fresh  # warm: from the entries

    reference = data / "reference.trig"
    reference.write_text(
        reference.read_text(encoding="utf-8").replace('"Kim Jong Un"@en', '"Kim Jong-un"@en'),
        encoding="utf-8",
    )
    changed = Dataset.indexed(paths, cache)
    assert index_of(changed) == index_of(Dataset.read(paths))
    kim = "https://w3id.org/diplograph/id/person/kim-jong-un"
    assert ("Kim Jong-un", reference) in changed.labels[kim]
    assert len(list(cache.iterdir())) == len(rdf_files(data))  # the old entry is pruned


# --- the schema, the skeleton, the published URL -----------------------------------------------


def test_the_schema_is_valid_and_lists_the_ontologys_words() -> None:
    published = schema.published_schema()
    Draft202012Validator.check_schema(published)
    vocabulary = load_vocabulary(
        rdf_files(PROJECT_ROOT / "ontology"), rdf_files(PROJECT_ROOT / "shapes")
    )
    expected = schema.schema_text(schema.with_vocabulary(vocabulary.words))
    assert schema.SCHEMA_PATH.read_text(encoding="utf-8") == expected, (
        "run `.venv/bin/python -m publisher.build.authoring.vocabulary` to refresh the schema"
    )
    assert "0312" in published["$defs"]["cameo"]["enum"]


@pytest.mark.parametrize("path", [*SEED_SOURCES, EXAMPLE], ids=lambda p: p.stem)
def test_the_sources_fit_the_published_schema(path: Path) -> None:
    """What an editor checks against (the vocabularies' words included)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data = json.loads(json.dumps(data, default=str))  # YAML dates as the text they were
    errors = list(Draft202012Validator(schema.published_schema()).iter_errors(data))
    assert [e.message for e in errors] == []


def test_new_source_writes_a_skeleton_once(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(main, ["new", "source", "my-article", "--dir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    path = tmp_path / "my-article.yaml"
    text = path.read_text(encoding="utf-8")
    assert text.startswith(f"# yaml-language-server: $schema={schema.SCHEMA_URL}\n")
    assert yaml.safe_load(text)["source"]["id"] == "my-article"
    again = runner.invoke(main, ["new", "source", "my-article", "--dir", str(tmp_path)])
    assert again.exit_code == 1 and "exists; it is not replaced" in again.stderr
    bad = runner.invoke(main, ["new", "source", "My Article", "--dir", str(tmp_path)])
    assert bad.exit_code == 1 and "is not a slug" in bad.stderr
    checked = runner.invoke(main, ["validate", str(path)])
    assert checked.exit_code == 1 and "Traceback" not in checked.output


def test_the_schema_is_served_at_its_stable_url(client: FlaskClient) -> None:
    answer = client.get("/schemas/source.schema.json")
    assert answer.status_code == 200
    assert answer.mimetype == "application/schema+json"
    assert answer.headers["Access-Control-Allow-Origin"] == "*"
    assert answer.get_json() == schema.published_schema()
    assert schema.published_schema()["$id"] == schema.SCHEMA_URL
    assert client.get("/schemas/other.schema.json").status_code == 404


# --- the focus trick is exact --------------------------------------------------------------------

SHAPE_FILES = sorted((PROJECT_ROOT / "tests" / "data" / "shapes").glob("*.trig"))


@pytest.mark.parametrize("path", SHAPE_FILES, ids=[p.stem for p in SHAPE_FILES])
def test_narrowed_validation_finds_what_full_validation_finds(path: Path) -> None:
    """Targets narrowed to the file's nodes and the data pruned to what the shapes read give
    pyshacl's verdicts and messages on every bad file of the shapes' tests."""

    def key(p: object) -> tuple[object, ...]:
        return tuple(getattr(p, f) for f in ("focus", "path", "shape", "severity", "message"))

    full = {key(p) for p in validate_files([path]).problems}
    narrowed = validate_new([path], context=None)
    assert {key(p) for p, _ in narrowed.problems} == full


def test_the_guide_shows_what_validate_prints(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.test_docs import console, doc

    monkeypatch.chdir(PROJECT_ROOT)
    shown = console(
        doc("docs/authoring.md"), f"diplograph validate {MISTAKES.relative_to(PROJECT_ROOT)}"
    )
    result = runner.invoke(main, ["validate", str(MISTAKES.relative_to(PROJECT_ROOT))])
    assert result.stdout.splitlines() == shown


# --- one conversion a build, and the inputs' digest -------------------------------------------


def yaml_project(root: Path, text: str) -> Sources:
    for folder in ("ontology", "shapes"):
        shutil.copytree(PROJECT_ROOT / folder, root / folder)
    (root / "data").mkdir(parents=True)
    shutil.copy(PROJECT_ROOT / "data" / "reference.trig", root / "data")
    write(
        root / "data" / "sources",
        "test-source.yaml",
        MINIMAL.format(slug="test-source", quote="test meeting"),
        text,
    )
    return Sources.from_root(root)


def test_the_inputs_digest_covers_an_authored_sources_text(tmp_path: Path) -> None:
    """The text places the quotes (their passages' IRIs and offsets): another text is
    another input, though the YAML is the same."""
    sources = yaml_project(tmp_path / "root", "Yesterday’s test meeting took place.")
    before = sources.digest()
    text = tmp_path / "root" / "data" / "sources" / "test-source.txt"
    text.write_text("A test meeting took place.", encoding="utf-8")
    assert sources.digest() != before


def test_what_is_validated_is_the_conversion_that_was_checked(tmp_path: Path) -> None:
    """check_authored_sources converts each YAML source once; validate_sources (and so the
    store, and the release) uses that conversion, not a second one that could differ: here
    the text file changes between the two steps."""
    sources = yaml_project(tmp_path / "root", "Yesterday’s test meeting took place.")
    settings = Settings.from_env(home=tmp_path / "home", environ={})
    ctx = BuildContext(settings, sources, tmp_path / "staged", ox.Store(), log=lambda _: None)
    check_authored_sources(ctx)
    text = tmp_path / "root" / "data" / "sources" / "test-source.txt"
    text.write_text("A test meeting took place, then another.", encoding="utf-8")
    validate_sources(ctx)
    (path,) = (p for p in sources.data if p.suffix == ".yaml")
    validated = ctx.parsed[path].nquads.decode()
    assert "/passage/test-source-12-24>" in validated
    assert "/passage/test-source-2-14>" not in validated
    passages = {
        q.subject.value
        for q in ctx.store.quads_for_pattern(None, None, None)
        if "/passage/" in q.subject.value
    }
    assert passages == {"https://w3id.org/diplograph/id/passage/test-source-12-24"}
