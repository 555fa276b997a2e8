"""A minute of mixed traffic, with misbehaving clients and faults, against a server of its own.

Builds a release into a temporary home, starts ``diplograph serve`` on loopback and, for
``--duration`` seconds (60), runs at once:

- well-behaved clients (``--clients``, 6; each its own address 127.0.0.(10+i), keep-alive):
  HTML pages, Turtle documents, small SPARQL queries (the shipped examples) and downloads
  with ``Range``, one after another with a short pause;
- a runaway client (127.0.0.200): cartesian-product queries that run to the time limit,
  four at a time (its per-client maximum);
- an abandoning client (127.0.0.201): large streamed SELECTs, hung up after the first 64 KB;
- slow clients (127.0.0.202): ``benchmarks/slowloris.py``'s 120 slow sockets, reopened when
  the server closes them;
- faults: at a third of the run, SIGKILL to the worker process that is computing (the
  runaway's query); at half, a second release is built into the same home
  (``diplograph build``), and the script reports which release the server then serves.

It prints throughput, p50/p99 latency per kind, the 5xx and failed requests of the
well-behaved clients (which must be 0: the exit status says so), and what the misbehaving
clients got. Loopback only, bounded in time.

    python benchmarks/load.py --duration 60
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.slowloris import SlowClients  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
DIPLOGRAPH = [sys.executable, "-m", "publisher"]
BASE = "https://w3id.org/diplograph/"
CARTESIAN = "SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
BIG = "SELECT * { ?a ?b ?c . ?d ?e ?f } LIMIT 100000"
JSON_RESULTS = "application/sparql-results+json"
QUERY_TIMEOUT = 10  # the server's, so runaway queries cycle several times a minute
WEIGHTS = {"html": 3, "turtle": 3, "sparql": 2, "download": 2}
LEAVE_OUT = ("runaway", "abandon", "slow", "kill", "swap")


class Client:
    """One keep-alive HTTP connection from a chosen source address, reopened when closed."""

    def __init__(self, port: int, source: str, timeout: float = 60.0) -> None:
        self.port, self.source, self.timeout = port, source, timeout
        self.conn: http.client.HTTPConnection | None = None

    def request(
        self, path: str, headers: dict[str, str] | None = None
    ) -> tuple[int, dict[str, str], bytes]:
        for attempt in (1, 2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection(
                    "127.0.0.1", self.port, timeout=self.timeout, source_address=(self.source, 0)
                )
            try:
                self.conn.request("GET", path, headers=headers or {})
                response = self.conn.getresponse()
                body = response.read()
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                self.close()  # a kept-alive connection the server had closed: once more
                if attempt == 2:
                    raise
                continue
            if response.getheader("Connection", "").lower() == "close":
                self.close()
            return response.status, dict(response.getheaders()), body
        raise AssertionError("unreachable")

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None


@dataclass
class Record:
    kind: str
    seconds: float
    status: int | None  # None: the request failed (connection error, timeout)
    error: str = ""
    at: float = field(default_factory=time.monotonic)


@dataclass
class Targets:
    """What the well-behaved clients ask for, read from the server at the start."""

    pages: list[str]
    documents: list[str]
    queries: list[str]
    downloads: list[tuple[str, int]]  # path, size


@dataclass
class Run:
    records: list[Record] = field(default_factory=list)
    runaway: Counter[str] = field(default_factory=Counter)
    abandoned: Counter[str] = field(default_factory=Counter)
    pool: Counter[tuple[int, int]] = field(default_factory=Counter)  # (up, busy) samples
    events: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    started: float = field(default_factory=time.monotonic)

    def add(self, record: Record) -> None:
        with self.lock:
            self.records.append(record)

    def event(self, started: float, text: str) -> None:
        with self.lock:
            self.events.append(f"{time.monotonic() - started:5.1f} s  {text}")


def well_behaved(port: int, source: str, targets: Targets, run: Run, stop: threading.Event) -> None:
    client = Client(port, source)
    rng = random.Random(source)
    kinds = [kind for kind, weight in WEIGHTS.items() for _ in range(weight)]
    while not stop.is_set():
        kind = rng.choice(kinds)
        path, headers = _request_for(kind, targets, rng)
        started = time.monotonic()
        try:
            status, _, body = client.request(path, headers)
        except OSError as exc:
            client.close()
            run.add(Record(kind, time.monotonic() - started, None, type(exc).__name__))
        else:
            expected = 206 if kind == "download" else 200
            error = "" if status == expected else body[:200].decode(errors="replace")
            run.add(Record(kind, time.monotonic() - started, status, error))
        stop.wait(0.02)
    client.close()


def _request_for(kind: str, targets: Targets, rng: random.Random) -> tuple[str, dict[str, str]]:
    if kind == "html":
        return rng.choice(targets.pages), {"Accept": "text/html"}
    if kind == "turtle":
        return rng.choice(targets.documents), {"Accept": "text/turtle"}
    if kind == "sparql":
        query = urllib.parse.urlencode({"query": rng.choice(targets.queries)})
        return "/sparql?" + query, {"Accept": JSON_RESULTS}
    path, size = rng.choice(targets.downloads)
    start = rng.randrange(max(1, size - 4096))
    return path, {"Range": f"bytes={start}-{start + 4095}"}


def runaway(port: int, run: Run, stop: threading.Event) -> None:
    client = Client(port, "127.0.0.200")
    path = "/sparql?" + urllib.parse.urlencode({"query": CARTESIAN})
    while not stop.is_set():
        try:
            status, _, _ = client.request(path, {"Accept": JSON_RESULTS})
            outcome = str(status)
        except OSError as exc:
            client.close()
            outcome = type(exc).__name__
        with run.lock:
            run.runaway[outcome] += 1
        if outcome == "429":
            stop.wait(0.5)  # told to wait: a runaway that listens a little
    client.close()


def abandoner(port: int, run: Run, stop: threading.Event) -> None:
    path = "/sparql?" + urllib.parse.urlencode({"query": BIG})
    while not stop.is_set():
        conn = http.client.HTTPConnection(
            "127.0.0.1", port, timeout=60, source_address=("127.0.0.201", 0)
        )
        try:
            conn.request("GET", path, headers={"Accept": JSON_RESULTS})
            response = conn.getresponse()
            response.read(65536)
            outcome = str(response.status)
        except OSError as exc:
            outcome = type(exc).__name__
        finally:
            conn.close()  # hang up mid-stream
        with run.lock:
            run.abandoned[outcome] += 1
        stop.wait(0.2)


def sample(port: int, run: Run, stop: threading.Event) -> None:
    """Every 0.1 s: how many workers are up and busy (``/healthz``)."""
    client = Client(port, "127.0.0.1", timeout=10)
    while not stop.wait(0.1):
        try:
            status, _, body = client.request("/healthz")
        except OSError:
            client.close()
            continue
        if status == 200:
            sparql = json.loads(body)["sparql"]
            with run.lock:
                run.pool[(sparql["workers"], sparql["busy"])] += 1
    client.close()


def workers_of(server_pid: int) -> dict[int, int]:
    """The server's SPARQL worker processes and the CPU ticks each has used."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if int(stat[1]) == server_pid and b"spawn_main" in cmdline:
            found[int(entry.name)] = int(stat[11]) + int(stat[12])
    return found


def kill_busiest_worker(server_pid: int, run: Run, started: float) -> None:
    before = workers_of(server_pid)
    time.sleep(0.5)  # a measuring window, not a wait for a condition
    after = workers_of(server_pid)
    gained = {pid: after[pid] - before.get(pid, after[pid]) for pid in after}
    if not gained:
        run.event(started, "no worker to kill")
        return
    pid = max(gained, key=lambda p: gained[p])
    os.kill(pid, signal.SIGKILL)
    run.event(started, f"killed worker {pid} (SIGKILL; it used {gained[pid]} ticks in 0.5 s)")


def swap_release(home: Path, port: int, run: Run, started: float) -> None:
    t0 = time.monotonic()
    built = subprocess.run(
        [*DIPLOGRAPH, "--home", str(home), "build"], capture_output=True, text=True, cwd=ROOT
    )
    match = re.search(r"published release (\S+)", built.stdout)
    new = match.group(1) if match else f"(build failed: {built.stderr[-200:]})"
    run.event(
        started,
        f"built release {new} into the same home (started at {t0 - started:.1f} s, "
        f"took {time.monotonic() - t0:.1f} s)",
    )
    serving = health(port)["release"]
    where = "the new one" if serving == new else "still the one it started with"
    run.event(started, f"the server now serves {serving}: {where}")


def health(port: int) -> dict:
    status, _, body = Client(port, "127.0.0.1", timeout=10).request("/healthz")
    return json.loads(body) if status == 200 else {}


def start_server(home: Path, port: int, log: Path) -> subprocess.Popen[bytes]:
    command = [*DIPLOGRAPH, "--home", str(home), "serve", "--port", str(port)]
    command += ["--query-timeout", str(QUERY_TIMEOUT)]
    with log.open("wb") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, cwd=ROOT)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"server exited:\n{log.read_text()}")
        try:
            body = health(port)
            if body.get("ready") and body["sparql"]["workers"] == 3:
                return process
        except OSError:
            pass
        time.sleep(0.2)
    process.kill()
    raise SystemExit("server never became ready")


def discover(port: int) -> Targets:
    client = Client(port, "127.0.0.1")
    select = (
        "SELECT DISTINCT ?s { ?s a ?t "
        f'FILTER(STRSTARTS(STR(?s), "{BASE}id/") && !STRSTARTS(STR(?s), "{BASE}id/graph/")) }} '
        "LIMIT 300"
    )
    _, _, body = client.request(
        "/sparql?" + urllib.parse.urlencode({"query": select}), {"Accept": JSON_RESULTS}
    )
    things = [b["s"]["value"] for b in json.loads(body)["results"]["bindings"]]
    candidates = ["/doc/" + iri[len(BASE) + 3 :] for iri in things if "#" not in iri]
    documents = [  # things that have a document (not every typed IRI does)
        path for path in candidates if client.request(path, {"Accept": "text/turtle"})[0] == 200
    ]
    _, _, body = client.request("/downloads/", {"Accept": "application/json"})
    files = json.loads(body)["files"]
    downloads = [("/downloads/" + f["name"], int(f["size"])) for f in files if f["size"] > 0]
    queries = [
        path.read_text() for path in sorted((ROOT / "publisher/web/sparql/queries").glob("*.rq"))
    ]
    pages = ["/", "/search?q=kim", "/downloads/", "/ontology", *documents[:40]]
    client.close()
    return Targets(pages, documents, queries, downloads)


def report(run: Run, duration: float, started_with: str) -> int:
    by_kind: dict[str, list[Record]] = defaultdict(list)
    for record in run.records:
        by_kind[record.kind].append(record)
    print(
        f"\n{'kind':<10}{'requests':>9}{'ok':>7}{'5xx':>6}{'failed':>8}{'p50 ms':>9}{'p99 ms':>9}"
    )
    bad = 0
    for kind in WEIGHTS:
        records = by_kind.get(kind, [])
        times = sorted(r.seconds * 1000 for r in records if r.status and r.status < 500)
        ok = sum(1 for r in records if r.status in (200, 206) and not r.error)
        server_errors = sum(1 for r in records if r.status and r.status >= 500)
        failed = sum(1 for r in records if r.status is None)
        other = len(records) - ok - server_errors - failed
        bad += server_errors + failed + other
        p50 = statistics.median(times) if times else float("nan")
        p99 = times[min(len(times) - 1, int(0.99 * len(times)))] if times else float("nan")
        print(
            f"{kind:<10}{len(records):>9}{ok:>7}{server_errors:>6}{failed + other:>8}"
            f"{p50:>9.1f}{p99:>9.1f}"
        )
    total = len(run.records)
    print(
        f"well-behaved: {total} requests in {duration:.0f} s = {total / duration:.1f} req/s; "
        f"5xx and failed: {bad}"
    )
    failures = [r for r in run.records if r.status is None or r.status >= 500 or r.error]
    if failures:
        when = ", ".join(f"{r.at - run.started:.1f}" for r in failures[:40])
        print(f"  at (s): {when}")
    for record in failures[:3]:
        print(f"  e.g. {record.kind}: {record.status} {record.error[:120].strip()}")
    samples = sum(run.pool.values()) or 1
    shares = ", ".join(
        f"{up} up/{busy} busy {100 * n / samples:.0f}%"
        for (up, busy), n in sorted(run.pool.items())
    )
    print(f"SPARQL pool over time (/healthz every 0.1 s): {shares}")
    print(f"runaway client (127.0.0.200): {dict(run.runaway)}")
    print(f"abandoning client (127.0.0.201): {dict(run.abandoned)} streams hung up")
    print(f"release at the start: {started_with}")
    for event in run.events:
        print(f"  {event}")
    return 1 if bad else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=60.0)
    parser.add_argument("--clients", type=int, default=6, help="well-behaved clients (6)")
    parser.add_argument("--slow-sockets", type=int, default=120)
    parser.add_argument("--port", type=int, default=0, help="default: a free port")
    parser.add_argument(
        "--without",
        action="append",
        default=[],
        choices=LEAVE_OUT,
        help="leave out a misbehaviour or fault (repeatable; to compare)",
    )
    args = parser.parse_args()
    port = args.port or _free_port()
    with tempfile.TemporaryDirectory(prefix="diplograph-load-") as folder:
        home = Path(folder) / "home"
        subprocess.run(
            [*DIPLOGRAPH, "--home", str(home), "build"], check=True, capture_output=True, cwd=ROOT
        )
        server = start_server(home, port, Path(folder) / "server.log")
        try:
            code = _run(args, port, home, server)
        finally:
            server.terminate()
            server.wait(10)
        lines = (Path(folder) / "server.log").read_text().splitlines()
        print(f"server log: {len(lines)} lines; warnings and errors:")
        for line in [x for x in lines if re.search(r"WARNING|ERROR|Error|Traceback", x)][:8]:
            print(f"  {line[:160]}")
    raise SystemExit(code)


def _run(args: argparse.Namespace, port: int, home: Path, server: subprocess.Popen[bytes]) -> int:
    targets = discover(port)
    first = health(port)["release"]
    workers_before = set(workers_of(server.pid))
    run, stop = Run(), threading.Event()
    threads = [
        threading.Thread(target=well_behaved, args=(port, f"127.0.0.{10 + i}", targets, run, stop))
        for i in range(args.clients)
    ]
    if "runaway" not in args.without:
        threads += [threading.Thread(target=runaway, args=(port, run, stop)) for _ in range(4)]
    if "abandon" not in args.without:
        threads.append(threading.Thread(target=abandoner, args=(port, run, stop)))
    threads.append(threading.Thread(target=sample, args=(port, run, stop)))
    print(
        f"load.py: {args.duration:g} s on port {port}: {args.clients} well-behaved clients, "
        f"4 runaway queries, 1 abandoning client, {args.slow_sockets} slow sockets"
        + (f"; without {', '.join(args.without)}" if args.without else "")
    )
    slow_sockets = 0 if "slow" in args.without else args.slow_sockets
    started = run.started = time.monotonic()
    with SlowClients("127.0.0.1", port, slow_sockets, source="127.0.0.202", reconnect=True) as slow:
        for thread in threads:
            thread.start()
        stop.wait(args.duration / 3)
        if "kill" not in args.without:
            kill_busiest_worker(server.pid, run, started)
        stop.wait(max(0.0, started + args.duration / 2 - time.monotonic()))
        if "swap" not in args.without:
            swap_release(home, port, run, started)
        stop.wait(max(0.0, started + args.duration - time.monotonic()))
        stop.set()
        run.event(started, f"slow sockets: {slow.opened} opened, {slow.held} open at the end")
    for thread in threads:
        thread.join(QUERY_TIMEOUT + 30)
    elapsed = time.monotonic() - started
    workers_after = set(workers_of(server.pid))
    run.event(
        started,
        f"worker processes: {len(workers_before - workers_after)} of the first 3 replaced "
        f"during the run (killed or timed out); {len(workers_after)} up at the end",
    )
    return report(run, elapsed, first)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


if __name__ == "__main__":
    main()
