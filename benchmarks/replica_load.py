"""Well-behaved traffic through a proxy in front of replicas, while a release rolls out.

``deploy/replicas.sh`` starts two Oxigraph-server replicas, two publishers reading one each,
and nginx in front, runs this script against nginx and, meanwhile, rolls a new release out
replica by replica. This script is the load: ``benchmarks/load.py``'s well-behaved clients
(pages, Turtle documents, the example queries, ranged downloads; each client its own
address, keep-alive; not the documents of one release's own files, which the next release
rightly does not know), plus a sampler that asks ``/healthz`` through the proxy every 0.1 s
and counts which release answered. It prints ``load.py``'s table (the failed and 5xx
requests must be 0: the exit status says so) and the releases seen over time.

    python benchmarks/replica_load.py --port 8080 --duration 60
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.load import Client, Run, discover, report, well_behaved  # noqa: E402


def releases(port: int, seen: list[tuple[float, str]], stop: threading.Event) -> None:
    """Every 0.1 s: which release answered ``/healthz`` through the proxy."""
    client = Client(port, "127.0.0.1", timeout=10)
    started = time.monotonic()
    while not stop.wait(0.1):
        try:
            status, _, body = client.request("/healthz")
        except OSError:
            client.close()
            seen.append((time.monotonic() - started, "(failed)"))
            continue
        release = json.loads(body)["release"] if status == 200 else f"({status})"
        seen.append((time.monotonic() - started, release))
    client.close()


def timeline(seen: list[tuple[float, str]]) -> list[str]:
    """Per answer (a release, or a failure): how often, first and last seen."""
    spans: dict[str, tuple[float, float, int]] = {}
    for at, release in seen:
        first, _, count = spans.get(release, (at, at, 0))
        spans[release] = (first, at, count + 1)
    return [
        f"{release}: {count} answers, from {first:.1f} s to {last:.1f} s"
        for release, (first, last, count) in spans.items()
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, required=True, help="the proxy's port")
    parser.add_argument("--duration", type=float, default=60.0)
    parser.add_argument("--clients", type=int, default=6)
    args = parser.parse_args()
    targets = discover(args.port)
    # A distribution's IRI names one release (id/distribution/{release}/…): once the next
    # release is out, it is rightly unknown (404), so the load leaves such documents out.
    targets.documents = [d for d in targets.documents if "/distribution/" not in d]
    targets.pages = [p for p in targets.pages if "/distribution/" not in p]
    first = json.loads(Client(args.port, "127.0.0.1").request("/healthz")[2])["release"]
    run, stop = Run(), threading.Event()
    seen: list[tuple[float, str]] = []
    threads = [
        threading.Thread(
            target=well_behaved, args=(args.port, f"127.0.0.{10 + i}", targets, run, stop)
        )
        for i in range(args.clients)
    ]
    threads.append(threading.Thread(target=releases, args=(args.port, seen, stop)))
    print(f"replica_load.py: {args.duration:g} s through :{args.port}, {args.clients} clients")
    sys.stdout.flush()
    run.started = time.monotonic()
    for thread in threads:
        thread.start()
    stop.wait(args.duration)
    stop.set()
    for thread in threads:
        thread.join(60)
    code = report(run, time.monotonic() - run.started, first)
    print("/healthz through the proxy every 0.1 s, by release that answered:")
    for line in timeline(seen):
        print(f"  {line}")
    raise SystemExit(code)


if __name__ == "__main__":
    main()
