"""Shared fixtures: one real release built from the project's sources, the Flask app over it,
and a live server (the real Waitress server in its own process) on a free port.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient

from publisher.build.pipeline import build_release
from publisher.config import PROJECT_ROOT, Settings
from publisher.release.layout import Release
from publisher.web.app import create_app

TESTS = Path(__file__).parent
TEST_DATA = TESTS / "data"
SHARED = PROJECT_ROOT.parent / "shared"


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
    flask_app = create_app(settings.replace(release=release.path))
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


def start_server(release: Release, log: Path, *extra: str, port: int | None = None) -> LiveServer:
    """Start the real server on a free port (or ``port``) and wait until /healthz answers."""
    port = port or free_port()
    command = [
        sys.executable,
        "-m",
        "publisher",
        "serve",
        "--release",
        str(release.path),
        "--port",
        str(port),
        *extra,
    ]
    with log.open("wb") as out:
        process = subprocess.Popen(
            command,
            stdout=out,
            stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited early:\n{log.read_text()}")
        try:
            if requests.get(url + "healthz", timeout=2).status_code == 200:
                return LiveServer(url, process, log)
        except requests.ConnectionError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"server did not answer /healthz in 60 s:\n{log.read_text()}")


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


LINKED_DATA = TEST_DATA / "linked"


@pytest.fixture(scope="session")
def linked_release(tmp_path_factory: pytest.TempPathFactory) -> Release:
    """A tiny release from ``tests/data/linked`` (ontology, shapes, two named graphs)."""
    from publisher.build.context import Sources

    home = tmp_path_factory.mktemp("linked-home")
    sources = Sources(
        ontology=(LINKED_DATA / "ontology.ttl",),
        shapes=(LINKED_DATA / "shapes.ttl",),
        data=(LINKED_DATA / "data.trig",),
    )
    return build_release(Settings.from_env(environ={}, home=home), sources, log=lambda m: None)


@pytest.fixture(scope="session")
def linked_app(linked_release: Release) -> Flask:
    flask_app = create_app(Settings.from_env(environ={}, release=linked_release.path))
    flask_app.config["TESTING"] = True
    return flask_app


@pytest.fixture
def linked_client(linked_app: Flask) -> FlaskClient:
    return linked_app.test_client()
