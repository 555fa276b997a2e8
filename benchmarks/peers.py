"""The servers ``engines_benchmark.py`` compares, started on loopback and stopped again.

Each ``Peer`` is one running server: where its SPARQL endpoint is, which parameters make its
default graph the union of the release's named graphs (as the publisher means it), the
processes whose memory it costs, and how to stop it. The engines are started with the
repo's own scripts (``deploy/engines/*.sh``), as the tests and ``deploy/replicas.sh`` start
them, so the benchmark measures the configuration that is documented (docs/deploy.md).
rdflib-endpoint (PyPI) runs from a virtualenv of its own under ``var/peers/``: it pins
versions of FastAPI and rdflib the project does not use.
"""

from __future__ import annotations

import os
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from publisher.build.engine_load import load_release  # noqa: E402
from publisher.release.layout import Release  # noqa: E402
from tests.conftest import free_port, virtuoso_template, wait_until  # noqa: E402

ENGINES = ROOT / "deploy" / "engines"
RDFLIB_ENDPOINT = "rdflib-endpoint[cli]==0.6.3"
PEERS_VENV = ROOT / "var" / "peers" / "rdflib-endpoint"
START = 1800.0  # seconds a peer may take to start (rdflib parses the whole dump first)


@dataclass
class Peer:
    """A running SPARQL server (module docstring)."""

    name: str
    endpoint: str  # the query endpoint's URL
    pids: list[int]  # processes whose memory counts (each with its children)
    stop: Callable[[], None]
    union: list[tuple[str, str]] = field(default_factory=list)  # union-default-graph params

    def query_path(self, query: str) -> str:
        """The path and query string of a GET of ``query`` over the union of the graphs."""
        parts = urllib.parse.urlsplit(self.endpoint)
        return parts.path + "?" + urllib.parse.urlencode([("query", query), *self.union])

    @property
    def port(self) -> int:
        port = urllib.parse.urlsplit(self.endpoint).port
        assert port is not None
        return port


def _script(kind: str, *args: str) -> None:
    subprocess.run([str(ENGINES / f"{kind}.sh"), *args], check=True, timeout=START)


def _pid(folder: Path) -> int:
    return int((folder / "pid").read_text().strip())


def oxigraph(release: Release, folder: Path) -> Peer:
    """Oxigraph server over the release's own store, read-only (``serve-release``)."""
    port = free_port()
    _script("oxigraph", "serve-release", str(release.store_path), str(port), str(folder))
    return Peer(
        "Oxigraph server",
        f"http://127.0.0.1:{port}/query",
        [_pid(folder)],
        lambda: _script("oxigraph", "stop", str(folder)),
        union=[("union-default-graph", "")],
    )


def virtuoso(release: Release, folder: Path) -> Peer:
    """Virtuoso from the tests' template database, the release loaded over the Graph Store
    Protocol (``diplograph load``'s function); its default graph is already the union."""
    template = virtuoso_template()
    port = free_port()
    _script("virtuoso", "start", str(folder), str(port), str(free_port()), str(template))
    url = f"http://127.0.0.1:{port}/sparql"
    stop = lambda: _script("virtuoso", "stop", str(folder))  # noqa: E731
    try:
        report = load_release(release, url, credentials=folder / "credentials")
    except BaseException:
        stop()
        raise
    print(
        f"# loaded into Virtuoso over the Graph Store Protocol: {report.graphs} graphs, "
        f"{report.triples:,} triples in {report.seconds:.1f} s",
        flush=True,
    )
    return Peer("Virtuoso", url, [_pid(folder)], stop)


def rdflib_endpoint(nquads: Path, log: Path) -> Peer:
    """rdflib-endpoint over the release's N-Quads (an rdflib Dataset, default graph the
    union), installed into ``var/peers/`` on first use."""
    command = PEERS_VENV / "bin" / "rdflib-endpoint"
    if not command.exists():
        subprocess.run([sys.executable, "-m", "venv", str(PEERS_VENV)], check=True)
        pip = [str(PEERS_VENV / "bin" / "pip"), "install", "--quiet", RDFLIB_ENDPOINT]
        subprocess.run(pip, check=True)
    port = free_port()
    with log.open("wb") as out:
        process = subprocess.Popen(
            [str(command), "serve", "--host", "127.0.0.1", "--port", str(port), str(nquads)],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}/"  # its root, whatever its --help says

    def stop() -> None:
        process.terminate()
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def answers() -> bool:
        if process.poll() is not None:
            raise RuntimeError(f"rdflib-endpoint exited:\n{log.read_text()[-2000:]}")
        try:
            ask = urllib.parse.urlencode({"query": "ASK {}"})
            with urllib.request.urlopen(f"{url}?{ask}", timeout=10) as response:
                return bool(response.status == 200)
        except (urllib.error.URLError, OSError):
            return False

    try:
        wait_until(answers, START, "rdflib-endpoint did not answer", interval=0.5)
    except BaseException:
        stop()
        raise
    return Peer("rdflib-endpoint", url, [process.pid], stop)


def memory_mb(pids: list[int]) -> float:
    """Proportional set size (PSS) of ``pids`` and all their descendants, in MB.

    PSS, not RSS: the embedded server's query workers map the same store files, and RSS
    would count those pages once per process."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            parent = int(stat.rsplit(")", 1)[1].split()[1])
            children.setdefault(parent, []).append(int(entry))
    seen: set[int] = set()
    todo = list(pids)
    while todo:
        pid = todo.pop()
        if pid not in seen:
            seen.add(pid)
            todo.extend(children.get(pid, []))
    total_kb = 0
    for pid in seen:
        try:
            rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
        except OSError:
            continue
        for line in rollup.splitlines():
            if line.startswith("Pss:"):
                total_kb += int(line.split()[1])
    return total_kb / 1024
