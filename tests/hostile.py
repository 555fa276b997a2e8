"""Hostile inputs for the build's defences, written by the tests that use them, and ways to
run them that stay bounded when a defence regresses (a listener that records connections,
a CLI run with an address-space limit and a timeout)."""

from __future__ import annotations

import os
import resource
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from publisher.config import PROJECT_ROOT

RDF_NS = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS_NS = "http://www.w3.org/2000/01/rdf-schema#"
OWL_IMPORTS = "http://www.w3.org/2002/07/owl#imports"
ONTOLOGY_IRI = "https://w3id.org/diplograph/ontology"


def billion_laughs(path: Path, levels: int = 9) -> Path:
    """The classic: nested internal entities, ten references a level; under 700 bytes for
    9 levels, which expand to 10**10 bytes of text (10 GB) in one literal."""
    names = "abcdefghijk"[: levels + 1]
    lines = ['<?xml version="1.0"?>', "<!DOCTYPE rdf:RDF [", f'<!ENTITY a "{"a" * 10}">']
    for name, previous in zip(names[1:], names, strict=False):
        lines.append(f'<!ENTITY {name} "{f"&{previous};" * 10}">')
    lines += [
        "]>",
        f'<rdf:RDF xmlns:rdf="{RDF_NS}" xmlns:rdfs="{RDFS_NS}">',
        '<rdf:Description rdf:about="urn:x:laughs">'
        f"<rdfs:comment>&{names[-1]};</rdfs:comment></rdf:Description>",
        "</rdf:RDF>",
        "",
    ]
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


@dataclass
class Listener:
    """A TCP listener on a free loopback port that records every connection.

    ``answer=False`` holds each connection open without a byte of reply (a URL that never
    answers); ``answer=True`` closes it at once, so a regression fails instead of hanging.
    """

    answer: bool = False
    connections: list[bytes] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._sock = socket.socket()
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(16)
        self._sock.settimeout(0.2)
        self.port: int = self._sock.getsockname()[1]
        self._held: list[socket.socket] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def url(self, path: str = "x") -> str:
        return f"http://127.0.0.1:{self.port}/{path}"

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            conn.settimeout(2)
            try:
                self.connections.append(conn.recv(512) or b"(connected, sent nothing)")
            except OSError:
                self.connections.append(b"(connected, sent nothing)")
            if self.answer:
                conn.close()
            else:
                self._held.append(conn)

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        for conn in self._held:
            conn.close()
        self._sock.close()


@contextmanager
def listening(answer: bool = False) -> Iterator[Listener]:
    listener = Listener(answer=answer)
    try:
        yield listener
    finally:
        listener.close()


@dataclass(frozen=True)
class Run:
    """A finished (or cut-off) CLI run."""

    returncode: int
    stdout: str
    stderr: str
    seconds: float


def run_cli(args: Sequence[str], *, memory_mb: int | None = 2048, timeout: float = 180) -> Run:
    """``python -m publisher ARGS`` in a child with an address-space limit and a timeout, so
    that a defence that regresses fails the test fast instead of taking the machine down.

    The child gets its own process group, killed whole on timeout (HermiT's JVM with it).
    Leave ``memory_mb`` None for a run that reaches HermiT: a JVM cannot start under an
    address-space limit (it reserves its heap and class space up front); it has a heap limit.
    """

    def limit() -> None:
        if memory_mb is not None:
            cap = memory_mb * 1024 * 1024
            resource.setrlimit(resource.RLIMIT_AS, (cap, cap))

    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "publisher", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=PROJECT_ROOT,
        preexec_fn=limit,
        start_new_session=True,
    )
    try:
        stdout, stderr = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        stdout, stderr = process.communicate()
        stderr += f"\n(killed after {timeout} s)"
    return Run(process.returncode, stdout, stderr, time.perf_counter() - started)


def project_with(tmp_path: Path, *data: Path, name: str = "project") -> Path:
    """A project tree with the real ontology and shapes and the given data files."""
    root = tmp_path / name
    shutil.copytree(PROJECT_ROOT / "ontology", root / "ontology")
    shutil.copytree(PROJECT_ROOT / "shapes", root / "shapes")
    (root / "data").mkdir()
    for path in data:
        shutil.copy(path, root / "data" / path.name)
    return root
