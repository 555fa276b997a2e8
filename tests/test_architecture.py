"""The cut between the two programs (docs/architecture.md), checked on the source itself.

Imports are read from every module's syntax tree, those inside functions and under
``TYPE_CHECKING`` included, so a lazy import cannot hide a cycle or a dependency across the
cut. The serve process is checked for real: a server is started and asked which modules it
has loaded.
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from publisher.config import PROJECT_ROOT
from publisher.release.layout import Release

PACKAGE = PROJECT_ROOT / "publisher"
#: Modules at the top of the package: what both programs use.
SHARED = {"publisher", "publisher.config", "publisher.namespaces", "publisher.uris"}
SHARED |= {"publisher.formats", "publisher.terms", "publisher.__main__", "publisher.cli"}
SHARED |= {"publisher.closure"}


def module_name(path: Path) -> str:
    parts = path.relative_to(PROJECT_ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def imported_names(path: Path) -> Iterator[str]:
    """Every module name ``path`` imports, anywhere in the file."""
    package = module_name(path) if path.name == "__init__.py" else module_name(path.parent)
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - node.level + 1])
                source = f"{base}.{node.module}" if node.module else base
            else:
                source = node.module or ""
            yield source
            yield from (f"{source}.{alias.name}" for alias in node.names)


def internal_imports(name: str) -> set[str]:
    """The project modules ``name`` imports (``from pkg import mod`` counts as ``mod``)."""
    found = set()
    for imported in imported_names(MODULES[name]):
        while imported and imported not in MODULES:
            imported = imported.rpartition(".")[0]
        if imported and imported != name and not name.startswith(imported + "."):
            found.add(imported)
    return found


GRAPH = {name: internal_imports(name) for name in MODULES}


def external_imports(name: str) -> set[str]:
    return {n.split(".")[0] for n in imported_names(MODULES[name]) if not n.startswith("publisher")}


def cycles() -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in GRAPH[node]:
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(GRAPH):
        if node not in index:
            visit(node)
    return found


def test_the_reader_sees_imports_inside_functions() -> None:
    """The checker itself: cli imports the build lazily, and that import is seen."""
    assert "publisher.build.pipeline" in GRAPH["publisher.cli"]


def test_no_import_cycles() -> None:
    assert cycles() == []


def half(name: str) -> str:
    for part in ("release", "build", "web"):
        if name == f"publisher.{part}" or name.startswith(f"publisher.{part}."):
            return part
    assert name in SHARED, f"{name}: a new top-level module must be shared by both halves"
    return "shared"


ALLOWED = {
    "shared": {"shared", "release"},
    "release": {"shared", "release"},
    "build": {"shared", "release", "build"},
    "web": {"shared", "release", "web"},
}


@pytest.mark.parametrize("name", sorted(MODULES))
def test_module_stays_on_its_side_of_the_cut(name: str) -> None:
    """release/ imports neither half; build/ never web/; web/ never build/."""
    if name in ("publisher.cli", "publisher.__main__"):
        return  # the command line starts either program
    crossing = {m for m in GRAPH[name] if half(m) not in ALLOWED[half(name)]}
    assert not crossing, f"{name} imports {sorted(crossing)} across the cut"


@pytest.mark.parametrize("name", sorted(n for n in MODULES if half(n) in ("release", "shared")))
def test_the_contract_is_pure(name: str) -> None:
    """The release contract and the shared modules load no web framework and no validator."""
    if name in ("publisher.cli", "publisher.__main__"):
        return
    assert not external_imports(name) & {"flask", "werkzeug", "pyshacl", "owlready2", "waitress"}


@pytest.mark.parametrize("name", sorted(n for n in MODULES if half(n) == "web"))
def test_web_never_loads_the_validators(name: str) -> None:
    assert not external_imports(name) & {"pyshacl", "owlready2"}


PROBE = """
import sys
import publisher.cli, publisher.web.server
from publisher.config import Settings
from publisher.web.app import create_app
app = create_app(Settings.from_env(release=sys.argv[1]))
assert app.state.background.wait(60)
client = app.test_client()
for path in ("/", "/doc/person/kim-jong-un", "/ontology", "/shapes", "/dataset", "/downloads/",
             "/search?q=kim", "/sparql?query=ASK%7B%7D"):
    assert client.get(path).status_code == 200, path
print(" ".join(sorted(m for m in sys.modules if m.split(".")[0] in ("pyshacl", "owlready2"))))
"""


def test_serving_never_imports_pyshacl_or_owlready2(release: Release) -> None:
    """A server that has answered every kind of page has loaded neither validator."""
    loaded = subprocess.run(
        [sys.executable, "-c", PROBE, str(release.path)],
        capture_output=True,
        text=True,
        check=True,
        timeout=240,
    ).stdout.strip()
    assert loaded == ""


DOCS = [PROJECT_ROOT / "README.md", PROJECT_ROOT / "data" / "README.md"]
DOCS += sorted((PROJECT_ROOT / "docs").glob("*.md"))
_PATH = re.compile(r"`(publisher/[\w/.-]*?)(?:NN[\w.-]*)?`")
_DOTTED = re.compile(r"\b(publisher(?:\.\w+)+)")


@pytest.mark.parametrize("doc", DOCS, ids=[d.name for d in DOCS])
def test_every_module_the_docs_name_exists(doc: Path) -> None:
    """A moved or renamed module cannot leave the docs pointing at nothing."""
    text = doc.read_text(encoding="utf-8")
    missing = [p for p in _PATH.findall(text) if not (PROJECT_ROOT / p).exists()]
    for dotted in _DOTTED.findall(text):
        module, _, attribute = dotted.rpartition(".")
        if dotted in MODULES:
            continue
        if module not in MODULES or attribute not in MODULES[module].read_text(encoding="utf-8"):
            missing.append(dotted)
    assert not missing, f"{doc.name} names what does not exist: {missing}"
