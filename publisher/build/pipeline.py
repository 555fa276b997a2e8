"""The release pipeline: collect sources → parse → validate → materialise → load → publish.

A release is built in a staging directory and switched in atomically only when every step
has passed (see ``releases.py``); a failed build raises ``BuildError`` and leaves the
serving release untouched.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from datetime import UTC, datetime

import pyoxigraph as ox

from publisher import __version__
from publisher.build.authoring.step import check_authored_sources
from publisher.build.checks import check_consistency, check_named_graphs, validate_sources
from publisher.build.context import BuildContext, BuildError, Sources, Step
from publisher.build.dumps import write_dumps
from publisher.build.inference import add_date_bounds, materialise_alignments
from publisher.build.load import load_sources, persist_store, start_patching, start_persisting
from publisher.build.reads import start_reads
from publisher.build.tables import write_tables
from publisher.build.void import describe_dataset
from publisher.build.workspace import build_lock, remove_leftovers
from publisher.config import Settings
from publisher.release.layout import (
    Release,
    new_release_id,
    publish,
    staging_dir,
)

PROV_DERIVED_FROM = "http://www.w3.org/ns/prov#wasDerivedFrom"
#: Files larger than this are loaded with ``Store.bulk_load`` (no transaction).
BULK_LOAD_BYTES = 16 * 1024 * 1024
#: Problems quoted in a failed build's message; the rest are counted.
MAX_PROBLEMS_SHOWN = 20


def build_release(
    settings: Settings,
    sources: Sources | None = None,
    *,
    log: Callable[[str], None] = print,
) -> Release:
    """Build, validate and publish a new release; raise ``BuildError`` if anything is wrong.

    One build runs at a time in a home (``workspace.build_lock``); it first removes what
    interrupted builds left there.
    """
    sources = sources or Sources.from_root()
    missing = [str(p) for p in sources.all() if not p.is_file()]
    if missing:
        raise BuildError(f"input file(s) not found: {', '.join(missing)}")
    with build_lock(settings.home):
        remove_leftovers(settings.home, log)
        return _build(settings, sources, log)


def _build(settings: Settings, sources: Sources, log: Callable[[str], None]) -> Release:
    digest = sources.digest()
    release_id = new_release_id(digest)
    staged = staging_dir(settings.home, release_id)
    # The steps work on an in-memory store: reading the on-disk RocksDB store is ~8x slower
    # than serializing (benchmarks/dump_benchmark.py); ``persist_store`` writes it at the end.
    ctx = BuildContext(settings, sources, staged, ox.Store(), log=log)
    ctx.manifest.update(
        id=release_id,
        created=datetime.now(UTC).isoformat(timespec="seconds"),
        generator=f"diplograph {__version__}",
        base_iri=settings.base_iri,
        inputs_sha256=digest,
        inputs=[str(p.relative_to(p.parents[1])) for p in sources.all()],
    )
    try:
        for step in steps():
            started = time.perf_counter()
            step(ctx)
            ctx.timings[step.__name__] = round(time.perf_counter() - started, 3)
        ctx.manifest["timings_s"] = ctx.timings
        del ctx.store  # free the in-memory copy before the release is published
        return publish(settings.home, staged, ctx.manifest)
    except BaseException:
        ctx.ahead.cancel()
        for process in ctx.background.values():
            process.kill()
            process.join()
        shutil.rmtree(staged, ignore_errors=True)
        raise


def collect_ahead(ctx: BuildContext) -> None:
    """Wait for the work that ran beside the steps (``ahead.py``: HermiT's verdict, any read
    no step took) and record it: a release is published only with every check's verdict."""
    ctx.ahead.settle()


def steps() -> list[Step]:
    """The pipeline, in order. Each step reads and extends the context; a failing step
    raises ``BuildError`` and nothing is published. Add steps by appending to this list."""
    return [
        check_authored_sources,  # YAML sources, at their lines, before the shapes see them
        validate_sources,
        check_named_graphs,
        check_consistency,
        load_sources,
        add_date_bounds,  # before materialising, which aligns the bounds to SEM
        materialise_alignments,
        start_persisting,  # every quad but the VoID graph's is there: a child writes them
        start_reads,  # the counts, tables and statistics, in threads beside the dumps
        write_dumps,  # after every step that adds quads
        start_patching,  # a rebuild's on-disk store, patched in a thread from here
        write_tables,  # events.csv and network.graphml, into the same index
        describe_dataset,  # counts and checksums what the dumps hold
        persist_store,  # the on-disk store gets every quad, the VoID graph included
        collect_ahead,  # last: HermiT's verdict, and whatever else ran beside the steps
    ]
