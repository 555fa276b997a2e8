"""Shared fixtures: one real release built from the project's sources, the Flask app over it,
and a live server (the real Waitress server in its own process) on a free port.

Tests wait for conditions, never for time: ``wait_until`` polls a predicate until it holds
or a deadline passes, so a busy machine makes a test slower, not red.

``--engine oxigraph`` or ``--engine virtuoso`` (or ``DIPLOGRAPH_TEST_ENGINE``) runs the same
tests with the release on an external engine: each release a test serves is loaded into an
engine of its own, started with ``deploy/engines/*.sh`` on loopback, and the apps and servers
of ``app``, ``linked_app``, ``live_server``, ``start_server`` and ``store_for`` use it
(``--sparql-endpoint``). ``.ci/run`` runs the linked-data, SPARQL-protocol and download tests
so against both engines.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import pyoxigraph as ox
import pytest
import requests
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient

from publisher.build.pipeline import build_release
from publisher.config import PROJECT_ROOT, Settings
from publisher.release.dataset import VOID, dataset_iri, graph_iri
from publisher.release.layout import Release
from publisher.release.sparql_store import OWL_VERSION_INFO, SparqlStore
from publisher.release.store import Store
from publisher.web.app import create_app

TESTS = Path(__file__).parent
TEST_DATA = TESTS / "data"
SHARED = PROJECT_ROOT.parent / "shared"
T = TypeVar("T")


def wait_until(
    predicate: Callable[[], T],
    timeout: float,
    message: str | Callable[[], str],
    *,
    interval: float = 0.05,
) -> T:
    """Poll ``predicate`` until it returns something truthy, and return that.

    Why: a fixed sleep is either too short on a busy machine or wasted on an idle one; a
    condition with a generous deadline is neither. On timeout the test fails with
    ``message`` (a callable is called then, e.g. to include a server log). Exceptions from
    ``predicate`` propagate at once.
    """
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            text = message() if callable(message) else message
            raise AssertionError(f"{text} (waited {timeout:g} s)")
        time.sleep(interval)


ENGINES = ("embedded", "oxigraph", "virtuoso")
ENGINE_SCRIPTS = PROJECT_ROOT / "deploy" / "engines"
ENGINE_START = 300.0  # seconds an engine may take to start and load a test release


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--engine",
        choices=ENGINES,
        default=os.environ.get("DIPLOGRAPH_TEST_ENGINE") or "embedded",
        help="where the tests' apps and servers read their release: the embedded store, or "
        "an external engine started for each release (default: $DIPLOGRAPH_TEST_ENGINE, "
        "else embedded)",
    )


@dataclass(frozen=True)
class Engine:
    """One external engine started for the tests: its query endpoint, the Graph Store
    credentials (Virtuoso's), and the folder the script keeps it in."""

    kind: str
    url: str
    credentials: Path | None
    folder: Path


def stop_engine(kind: str, folder: Path) -> None:
    script = str(ENGINE_SCRIPTS / f"{kind}.sh")
    subprocess.run([script, "stop", str(folder)], capture_output=True, timeout=60)


class Engines:
    """The external engines of a test session: one per release served, started on first use
    with ``deploy/engines/{kind}.sh`` and loaded with ``diplograph load``'s function."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self.folder: Path | None = None
        self.started: list[Path] = []  # every engine's folder
        self.running: dict[Path, tuple[str, Path]] = {}  # release → (endpoint, engine folder)

    def url_for(self, release: Release) -> str | None:
        """The query endpoint of the engine holding ``release`` (None: the embedded store)."""
        if self.kind == "embedded":
            return None
        if release.path not in self.running:
            self.running[release.path] = self._start(release)
        return self.running[release.path][0]

    def _start(self, release: Release) -> tuple[str, Path]:
        from publisher.build.engine_load import load_release

        engine = self.fresh()
        self.running[release.path] = (engine.url, engine.folder)  # stopped even if loading fails
        load_release(release, engine.url, credentials=engine.credentials)
        return engine.url, engine.folder

    def fresh(self) -> Engine:
        """A new, empty engine of this session's kind (stopped with the session's, or by
        ``stop_engine``)."""
        if self.folder is None:
            self.folder = Path(tempfile.mkdtemp(prefix="diplograph-engines-"))
        folder = self.folder / f"{self.kind}-{len(self.started)}"
        self.started.append(folder)
        script = str(ENGINE_SCRIPTS / f"{self.kind}.sh")
        port = free_port()
        env = dict(os.environ)
        if self.kind == "oxigraph":
            command = [script, "start", str(folder), str(port)]
            # The tests' engine is private and asked a few queries a second, so it keeps
            # Oxigraph's own time limit, which a deployment's engines go without
            # (deploy/engines/oxigraph.sh): the time-limit test leaves a cross product
            # running there after the publisher gave up on it, and only that limit stops it.
            env.setdefault("TIMEOUT", "30")
            engine = Engine(self.kind, f"http://127.0.0.1:{port}/query", None, folder)
        else:
            template = virtuoso_template()
            command = [script, "start", str(folder), str(port), str(free_port()), str(template)]
            url = f"http://127.0.0.1:{port}/sparql"
            engine = Engine(self.kind, url, folder / "credentials", folder)
        subprocess.run(command, check=True, capture_output=True, timeout=ENGINE_START, env=env)
        return engine

    def stop(self) -> None:
        for folder in self.started:
            stop_engine(self.kind, folder)
        self.started.clear()
        self.running.clear()
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)


def virtuoso_template() -> Path:
    """A Virtuoso database set up once (``virtuoso.sh template``) that each test engine
    copies: ``$DIPLOGRAPH_VIRTUOSO_TEMPLATE``, else ``var/engines/virtuoso-template``."""
    template = Path(
        os.environ.get("DIPLOGRAPH_VIRTUOSO_TEMPLATE")
        or PROJECT_ROOT / "var" / "engines" / "virtuoso-template"
    )
    if not (template / "credentials").is_file():
        shutil.rmtree(template, ignore_errors=True)
        script = str(ENGINE_SCRIPTS / "virtuoso.sh")
        subprocess.run([script, "template", str(template)], check=True, timeout=ENGINE_START)
    return template


_engines: list[Engines] = []  # the session's, set in pytest_configure


def pytest_configure(config: pytest.Config) -> None:
    _engines[:] = [Engines(config.getoption("--engine"))]


def pytest_unconfigure(config: pytest.Config) -> None:
    for engines in _engines:
        engines.stop()


def engine_kind() -> str:
    """``embedded``, ``oxigraph`` or ``virtuoso``: where this session's releases are served
    from (``--engine``), for the few expectations an engine's dialect changes
    (docs/engines.md)."""
    return _engines[0].kind if _engines else "embedded"


def embedded_only(why: str) -> pytest.MarkDecorator:
    """Skip a test of the embedded store's query workers when an external engine runs the
    queries instead (``why`` says what the engine does in their place)."""
    return pytest.mark.skipif(engine_kind() != "embedded", reason=why)


def fresh_engine() -> Engine:
    """A new, empty engine of the session's kind (``--engine`` must name one)."""
    assert _engines and _engines[0].kind != "embedded", "no external engine in this session"
    return _engines[0].fresh()


def engine_url(release: Release) -> str | None:
    """Where ``release`` is served from in this session: an engine's endpoint, or None."""
    return _engines[0].url_for(release) if _engines else None


def store_for(release: Release) -> Store:
    """The release's store as this session's apps read it (embedded, or on the engine)."""
    url = engine_url(release)
    if url is None:
        return Store.for_release(release)
    return SparqlStore(url, base_iri=str(release.manifest()["base_iri"]))


def with_engine(settings: Settings, release: Release) -> Settings:
    """``settings`` serving ``release``, from this session's engine if there is one."""
    return settings.replace(release=release.path, sparql_endpoint=engine_url(release))


@pytest.fixture(scope="session")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    home = tmp_path_factory.mktemp("home")
    return Settings.from_env(environ={}, home=home)


@pytest.fixture(scope="session")
def release(settings: Settings) -> Release:
    """The project's own release, built once per test session."""
    return build_release(settings, log=lambda message: None)


@pytest.fixture(scope="session")
def app(settings: Settings, release: Release) -> Flask:
    flask_app = create_app(with_engine(settings, release))
    flask_app.config["TESTING"] = True
    return flask_app


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class LiveServer:
    """A running ``diplograph serve`` process and its URL."""

    url: str
    process: subprocess.Popen[bytes]
    log: Path

    def get(self, path: str, **kwargs: object) -> requests.Response:
        return requests.get(self.url + path.lstrip("/"), timeout=60, **kwargs)  # type: ignore[arg-type]

    def health(self) -> dict[str, Any]:
        """The server's ``/healthz`` body (readiness, SPARQL workers up and busy)."""
        body: dict[str, Any] = requests.get(self.url + "healthz", timeout=10).json()
        return body


SERVER_START = 60.0  # seconds a server may take to be ready; only a broken one needs them


_running: list[pytest.Item] = []  # the test being set up or run (at most one)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    _running[:] = [item]


def pytest_runtest_teardown(item: pytest.Item) -> None:
    _running.clear()


def start_server(
    release: Release,
    log: Path,
    *extra: str,
    port: int | None = None,
    wait: float = SERVER_START,
) -> LiveServer:
    """Start the real server on a free port (or ``port``) and wait until it is ready.

    Ready means ``/healthz`` says ``"ready": true`` (start-up work done) and every SPARQL
    worker is up, so a test's first query neither races the warm-up nor waits for a worker.
    ``wait``: seconds it may take (a benchmark's large release on a busy machine needs more).
    A test that starts one (itself or through a fixture) must be marked ``live``, so that
    ``-m "not live"`` really leaves servers out.
    """
    unmarked = [item.nodeid for item in _running if item.get_closest_marker("live") is None]
    if unmarked:
        pytest.fail(f"{unmarked[0]} starts a server: mark it @pytest.mark.live", pytrace=False)
    port = port or free_port()
    endpoint = engine_url(release)
    command = [
        sys.executable,
        "-m",
        "publisher",
        "serve",
        "--release",
        str(release.path),
        "--port",
        str(port),
        *(("--sparql-endpoint", endpoint) if endpoint else ()),
        *extra,
    ]
    # every server process has its own workers (``serve --processes``)
    workers = _option(extra, "--sparql-workers", Settings.from_env().sparql_workers) * _option(
        extra, "--processes", 1
    )
    with log.open("wb") as out:
        process = subprocess.Popen(
            command,
            stdout=out,
            stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
    server = LiveServer(f"http://127.0.0.1:{port}/", process, log)

    def ready() -> bool:
        if process.poll() is not None:
            raise RuntimeError(f"server exited early ({process.returncode}):\n{log.read_text()}")
        try:
            body = server.health()
        except (requests.ConnectionError, requests.Timeout):
            return False
        return body["ready"] is True and body["sparql"]["workers"] == workers

    try:
        wait_until(ready, wait, lambda: f"server never became ready:\n{log.read_text()}")
    except BaseException:
        stop_server(server)
        raise
    return server


def _option(arguments: tuple[str, ...], name: str, default: int) -> int:
    """The integer value of ``name`` in a command line, or ``default``."""
    return int(arguments[arguments.index(name) + 1]) if name in arguments else default


def stop_server(server: LiveServer) -> None:
    server.process.terminate()
    try:
        server.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.process.kill()


@pytest.fixture(scope="session")
def live_server(release: Release, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    server = start_server(release, tmp_path_factory.mktemp("server") / "server.log")
    yield server
    stop_server(server)


def fixture_release(home: Path, folder: Path) -> Release:
    """A release built from a fixture folder's ``ontology.ttl``, ``data.trig`` and, when
    the folder has one, ``shapes.ttl``: the real pipeline over data made for a test."""
    from publisher.build.context import Sources

    shapes = folder / "shapes.ttl"
    sources = Sources(
        ontology=(folder / "ontology.ttl",),
        shapes=(shapes,) if shapes.is_file() else (),
        data=(folder / "data.trig",),
    )
    return build_release(Settings.from_env(environ={}, home=home), sources, log=lambda m: None)


def app_for(release: Release) -> Flask:
    """A test app over ``release``, with the defaults of an empty environment."""
    flask_app = create_app(with_engine(Settings.from_env(environ={}), release))
    flask_app.config["TESTING"] = True
    return flask_app


def release_of(folder: Path, quads: list[ox.Quad]) -> Release:
    """A release directory holding just ``quads`` and the VoID statement that names it (what
    an engine-backed server checks), without the build: for tests of the engine backend's
    edge cases (deep blank nodes, large graphs) that no fixture's data has."""
    base = Settings.from_env(environ={}).base_iri
    release = Release(folder)
    folder.mkdir(parents=True)
    store = ox.Store(str(release.store_path))
    store.extend(quads)
    void = ox.NamedNode(graph_iri(base, VOID))
    named = ox.NamedNode(OWL_VERSION_INFO), ox.Literal(release.id)
    store.add(ox.Quad(ox.NamedNode(dataset_iri(base)), *named, void))
    store.flush()
    del store
    (folder / "release.json").write_text(json.dumps({"base_iri": base}))
    return release


@pytest.fixture(scope="session")
def linked_release(tmp_path_factory: pytest.TempPathFactory) -> Release:
    """A tiny release from ``tests/data/linked`` (ontology, shapes, two named graphs)."""
    return fixture_release(tmp_path_factory.mktemp("linked-home"), TEST_DATA / "linked")


@pytest.fixture(scope="session")
def pages_release(tmp_path_factory: pytest.TempPathFactory) -> Release:
    """A small release from ``tests/data/pages`` (labels in five languages, two sources that
    disagree, an approximate estimate), built once per session like the others: a test that
    needs such a release shares it rather than building (and running HermiT) again."""
    return fixture_release(tmp_path_factory.mktemp("pages-home"), TEST_DATA / "pages")


@pytest.fixture(scope="session")
def linked_app(linked_release: Release) -> Flask:
    return app_for(linked_release)


@pytest.fixture
def linked_client(linked_app: Flask) -> FlaskClient:
    return linked_app.test_client()
