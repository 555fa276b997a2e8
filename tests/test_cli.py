"""``diplograph validate`` and ``diplograph build``: exit codes and what a curator reads."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from publisher.cli import main
from publisher.config import PROJECT_ROOT
from publisher.release.layout import current_release
from tests.hostile import (
    ONTOLOGY_IRI,
    OWL_IMPORTS,
    RDFS_NS,
    billion_laughs,
    listening,
    project_with,
    run_cli,
)

DATA = Path(__file__).parent / "data"
GOOD = DATA / "release" / "good.trig"
XSD = "http://www.w3.org/2001/XMLSchema#"
SYNTAX_ERROR = DATA / "release" / "syntax-error.trig"


def test_validate_valid_file(runner: CliRunner) -> None:
    result = runner.invoke(main, ["validate", str(GOOD)])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip().endswith("conforms")


def test_validate_reports_each_problem(runner: CliRunner) -> None:
    """Alone: the treaty of the bad file has one party (the dataset's has two)."""
    bad = DATA / "shapes" / "AgreementParties.trig"
    result = runner.invoke(main, ["validate", "--alone", str(GOOD), str(bad)])
    assert result.exit_code == 1
    out = result.stdout
    assert "AgreementParties.trig:22: " in out
    assert "<https://w3id.org/diplograph/id/agreement/2024-06-prk-rus-mutual-defence-treaty>" in out
    assert " dip:party\n" in out
    assert "Violation: An agreement needs at least two dip:party values" in out
    assert "(dsh:AgreementParties)" in out
    assert "does not conform (1 violation(s))" in out


def test_validate_syntax_error_has_position_not_traceback(runner: CliRunner) -> None:
    result = runner.invoke(main, ["validate", str(SYNTAX_ERROR)])
    assert result.exit_code == 2
    assert f"error: {SYNTAX_ERROR}:6:3: syntax error:" in result.stderr
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    ("name", "expected"),
    [("missing.ttl", "no such file"), ("notes.txt", "unknown RDF file extension '.txt'")],
)
def test_validate_unreadable_input(
    runner: CliRunner, tmp_path: Path, name: str, expected: str
) -> None:
    if name.endswith(".txt"):
        (tmp_path / name).write_text("hello", encoding="utf-8")
    result = runner.invoke(main, ["validate", str(tmp_path / name)])
    assert result.exit_code == 2
    assert expected in result.stderr


def test_validate_needs_a_file(runner: CliRunner) -> None:
    assert runner.invoke(main, ["validate"]).exit_code == 2


def test_validate_with_other_shapes(runner: CliRunner, tmp_path: Path) -> None:
    shapes = tmp_path / "strict.ttl"
    shapes.write_text(
        "@prefix sh: <http://www.w3.org/ns/shacl#> .\n"
        "<urn:s> a sh:NodeShape ; sh:targetClass <https://w3id.org/diplograph/ontology#Person> ;"
        " sh:property [ sh:path <http://schema.org/sameAs> ; sh:minCount 1 ;"
        ' sh:message "No QID" ] .\n',
        encoding="utf-8",
    )
    result = runner.invoke(main, ["validate", "--shapes", str(shapes), str(GOOD)])
    assert result.exit_code == 1
    assert "Violation: No QID" in result.stdout


def test_real_process_exit_code_and_no_traceback() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "publisher", "validate", str(SYNTAX_ERROR)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=PROJECT_ROOT,
    )
    assert done.returncode == 2
    assert "syntax-error.trig:6:3" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.java
def test_build_prints_summary_then_refuses_bad_data(runner: CliRunner, tmp_path: Path) -> None:
    home = tmp_path / "home"
    root = project_with(tmp_path, GOOD)
    result = runner.invoke(main, ["--home", str(home), "build", "--root", str(root)])
    assert result.exit_code == 0, result.output
    release = current_release(home)
    assert f"published release {release.id}" in result.stdout
    assert "quads: " in result.stdout and " inferred)" in result.stdout
    for step in ("validate_sources", "check_consistency", "load_sources", "materialise"):
        assert step in result.stdout
    assert "validated " in result.stderr  # progress goes to stderr

    shutil.copy(DATA / "shapes" / "EventPlace.trig", root / "data")
    failed = runner.invoke(main, ["--home", str(home), "build", "--root", str(root)])
    assert failed.exit_code == 1
    assert "build failed, the current release is unchanged" in failed.stderr
    assert "EventPlace.trig" in failed.stderr and "dsh:EventPlace" in failed.stderr
    assert "Traceback" not in failed.output
    assert current_release(home) == release


def test_validate_directories(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(main, ["validate", str(PROJECT_ROOT / "data")])
    assert result.exit_code == 0, result.output
    assert "conforms" in result.stdout
    empty = runner.invoke(main, ["validate", str(tmp_path)])
    assert empty.exit_code == 2
    assert "directory holds no RDF files" in empty.stderr


# --- hostile inputs: a clear message, never a traceback, bounded if a defence regresses -----


def test_billion_laughs_is_refused_at_once(tmp_path: Path) -> None:
    laughs = billion_laughs(tmp_path / "laughs.rdf")
    assert laughs.stat().st_size < 700
    run = run_cli(["validate", str(laughs)], memory_mb=1024, timeout=60)
    assert run.returncode == 2, run.stderr
    assert f"error: {laughs}:3:" in run.stderr
    assert "entity declarations are not accepted" in run.stderr
    assert "Traceback" not in run.stderr
    assert run.seconds < 30


def hostile_data(tmp_path: Path) -> dict[str, tuple[Path, str]]:
    """Data files that once ended builds in tracebacks, with what the message must say."""
    graph = "https://w3id.org/diplograph/id/graph/hostile"
    nul = tmp_path / "nul.trig"
    nul.write_text(f'GRAPH <{graph}> {{ <{graph}> <{RDFS_NS}comment> "a\\u0000b" . }}\n')
    nested = tmp_path / "nested.trig"
    depth = 5000  # deeper than Python's recursion limit, shallow enough to build quickly
    nested.write_text(
        f"GRAPH <{graph}> {{ <{graph}> <urn:x:p> "
        + "[ <urn:x:p> " * depth
        + "1"
        + " ]" * depth
        + " . }\n"
    )
    imports = tmp_path / "imports.trig"
    imports.write_text(
        f"GRAPH <{graph}> {{ <{ONTOLOGY_IRI}> <{OWL_IMPORTS}> <file:///etc/passwd> . }}\n"
    )
    ill_typed = tmp_path / "ill-typed.trig"
    ill_typed.write_text(f'GRAPH <{graph}> {{ <{graph}> <urn:x:p> "abc"^^<{XSD}integer> . }}\n')
    return {
        "nul": (nul, "U+0000"),
        "nested": (nested, ""),
        "ill-typed": (ill_typed, ""),
        "imports": (imports, "owl:imports <file:///etc/passwd>"),
        "laughs": (billion_laughs(tmp_path / "laughs.rdf"), "entity declarations"),
    }


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A project with good data and its home, built once by the real command."""
    tmp_path = tmp_path_factory.mktemp("built")
    home, root = tmp_path / "home", project_with(tmp_path, GOOD)
    run = run_cli(["--home", str(home), "build", "--root", str(root)], memory_mb=None)
    assert run.returncode == 0, run.stderr
    return home, root


@pytest.mark.parametrize("case", ["nul", "nested", "ill-typed", "imports", "laughs"])
def test_build_of_hostile_data_ends_in_a_message_not_a_traceback(
    tmp_path: Path, built: tuple[Path, Path], case: str
) -> None:
    bad, expected = hostile_data(tmp_path)[case]
    home, root = tmp_path / "home", tmp_path / "project"
    shutil.copytree(built[0], home, symlinks=True)
    shutil.copytree(built[1], root)
    release = current_release(home)
    shutil.copy(bad, root / "data")
    # The address-space limit is off because HermiT's JVM cannot start under one; the
    # refusals happen while parsing, long before that, and the timeout bounds the rest.
    run = run_cli(["--home", str(home), "build", "--root", str(root)], memory_mb=None)
    assert "Traceback" not in run.stderr
    if expected:
        assert run.returncode == 1, run.stderr
        assert "build failed, the current release is unchanged" in run.stderr
        assert f"{root / 'data' / bad.name}" in run.stderr and expected in run.stderr
        assert current_release(home) == release
    else:  # valid RDF, if odd: it builds
        assert run.returncode == 0, run.stderr
        assert current_release(home) != release


def test_build_never_waits_for_an_imported_url(tmp_path: Path, built: tuple[Path, Path]) -> None:
    """An ontology file importing a URL that never answers: the build neither connects nor
    waits (the old build hung forever); a bounded child, so a regression fails in minutes."""
    root = tmp_path / "project"
    shutil.copytree(built[1], root)
    with listening(answer=False) as silent:
        (root / "ontology" / "extra.ttl").write_text(
            f"<{ONTOLOGY_IRI}> <{OWL_IMPORTS}> <{silent.url()}> .\n", encoding="utf-8"
        )
        run = run_cli(
            ["--home", str(tmp_path / "home"), "build", "--root", str(root)], memory_mb=None
        )
    assert silent.connections == []
    assert run.returncode == 0, run.stderr
    assert f"owl:imports <{silent.url()}> not followed" in run.stderr


def test_validate_refuses_a_shape_that_queries_a_service(runner: CliRunner, tmp_path: Path) -> None:
    shapes = tmp_path / "service.ttl"
    shapes.write_text(
        "@prefix sh: <http://www.w3.org/ns/shacl#> .\n<urn:s> a sh:NodeShape ; "
        "sh:targetNode <urn:x> ; sh:sparql [ sh:select "
        '"SELECT $this WHERE { SERVICE <http://127.0.0.1:9/> { ?a ?b ?c } }" ] .\n',
        encoding="utf-8",
    )
    result = runner.invoke(main, ["validate", "--shapes", str(shapes), str(GOOD)])
    assert result.exit_code == 2, result.output
    assert f"error: {shapes}: the shapes cannot be used" in result.stderr
    assert "federated query (SERVICE)" in result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_an_unexpected_error_is_one_clear_message(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The last resort: a bug still says what happened and that nothing was published."""
    import publisher.build.pipeline as pipeline

    def broken(ctx: object) -> None:
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr(pipeline, "steps", lambda: [broken])
    home, root = tmp_path / "home", project_with(tmp_path, GOOD)
    result = runner.invoke(main, ["--home", str(home), "build", "--root", str(root)])
    assert result.exit_code == 1
    assert "internal error (RecursionError: maximum recursion depth exceeded)" in result.stderr
    assert "the current release is unchanged" in result.stderr
    assert "--traceback" in result.stderr
    assert isinstance(result.exception, SystemExit)
    shown = runner.invoke(main, ["--traceback", "--home", str(home), "build", "--root", str(root)])
    assert isinstance(shown.exception, RecursionError)


def test_serve_refuses_processes_with_an_external_engine(runner: CliRunner, tmp_path: Path) -> None:
    # Several processes are for the embedded store (each starts its own query workers); with
    # an engine, one serve per core behind the proxy is the documented way.
    args = ["--home", str(tmp_path), "serve", "--processes", "2"]
    args += ["--sparql-endpoint", "http://127.0.0.1:9/query"]
    result = runner.invoke(main, args)
    assert result.exit_code == 1
    assert "--processes cannot be combined with --sparql-endpoint" in result.output
    assert "docs/deploy.md" in result.output
