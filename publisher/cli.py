"""The ``diplograph`` command: thin click commands that call plain functions."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import fields
from pathlib import Path
from typing import Any, TypeVar

import click

from publisher.config import Settings
from publisher.release.layout import NoRelease

F = TypeVar("F", bound=Callable[..., Any])
#: ``ctx.meta`` key: show the traceback of an internal error instead of one line.
TRACEBACK = "diplograph.traceback"


def release_option(verb: str) -> Callable[[F], F]:
    """The ``--release DIR`` option shared by commands that read one release directory."""
    return click.option(
        "--release",
        type=click.Path(path_type=Path, exists=True, file_okay=False),
        default=None,
        help=f"{verb} this release directory instead of the current one.",
    )


_SETTINGS = {f.name: f for f in fields(Settings)}


def setting_option(flag: str) -> Callable[[F], F]:
    """``--flag`` for the setting ``flag`` (dashes for underscores), with the help text and
    default declared once in ``config.Settings``; unset, the setting keeps its value."""
    declared = _SETTINGS[flag.replace("-", "_")]
    default = declared.default
    if isinstance(default, bool):  # a switch: present means true
        return click.option(f"--{flag}", is_flag=True, default=None, help=declared.metadata["help"])
    shown = "" if default is None else f" (default {default})"
    return click.option(
        f"--{flag}",
        type=str if default is None else type(default),
        default=None,
        help=declared.metadata["help"] + shown,
    )


@click.group()
@click.option(
    "--home",
    type=click.Path(path_type=Path),
    default=None,
    help="Directory holding the releases (default: ./var, or $DIPLOGRAPH_HOME).",
)
@click.option("--base-iri", default=None, help="Canonical base IRI of the dataset.")
@click.option(
    "--traceback",
    "show_traceback",
    is_flag=True,
    help="Show the Python traceback of an internal error (for a bug report).",
)
@click.pass_context
def main(ctx: click.Context, home: Path | None, base_iri: str | None, show_traceback: bool) -> None:
    """Diplograph: build, validate and publish the diplomatic-event knowledge graph."""
    ctx.obj = Settings.from_env(home=home, base_iri=base_iri)
    ctx.meta[TRACEBACK] = show_traceback


@contextmanager
def internal_errors(doing: str, outcome: str, exit_code: int) -> Iterator[None]:
    """Turn an exception nobody expected into one line instead of a traceback.

    The last resort, not the defence: every input problem has its own error, raised where
    it is found with the file and the fix (``InputError``, ``BuildError``). What reaches
    here is a bug, and the message says so; ``--traceback`` shows where it happened.
    """
    try:
        yield
    except (click.ClickException, click.exceptions.Exit, click.Abort):
        raise
    except Exception as exc:
        if click.get_current_context().meta.get(TRACEBACK):
            raise
        click.echo(
            f"Error: internal error ({type(exc).__name__}: {exc}) while {doing}; {outcome}. "
            "This is a bug in diplograph, not something to fix in your files: please report "
            "it with the files involved (`diplograph --traceback …` shows where it happened).",
            err=True,
        )
        raise SystemExit(exit_code) from None


def load_options(command: F) -> F:
    """Where an engine's Graph Store is, and the credentials it wants."""
    for option in reversed(
        (
            click.option(
                "--graph-store",
                metavar="URL",
                default=None,
                help="The engine's Graph Store Protocol endpoint, where it cannot be "
                "guessed from its query endpoint (Oxigraph server's and Virtuoso's can).",
            ),
            click.option(
                "--load-credentials",
                type=click.Path(path_type=Path, dir_okay=False, exists=True),
                default=None,
                help="File holding user:password for the Graph Store (Virtuoso: a user "
                "with SPARQL_UPDATE; deploy/engines/virtuoso.sh writes one).",
            ),
        )
    ):
        command = option(command)
    return command


@main.command()
@setting_option("host")
@setting_option("port")
@release_option("Serve")
@setting_option("public-base")
@setting_option("allowed-hosts")
@setting_option("query-timeout")
@setting_option("sparql-workers")
@setting_option("threads")
@setting_option("processes")
@setting_option("max-query-bytes")
@setting_option("max-query-depth")
@setting_option("max-result-rows")
@setting_option("per-client-queries")
@setting_option("allow-networked-queries")
@setting_option("sparql-endpoint")
@setting_option("max-connections")
@setting_option("max-client-connections")
@setting_option("request-timeout")
@setting_option("trusted-proxy")
@setting_option("document-cache-mb")
@click.pass_obj
def serve(settings: Settings, **options: object) -> None:
    """Serve the current release over HTTP."""
    from publisher.release.sparql_client import EngineError
    from publisher.release.sparql_store import WrongRelease
    from publisher.web.processes import supervise
    from publisher.web.server import serve as run_server

    chosen = settings.replace(**{k: v for k, v in options.items() if v is not None})
    try:
        if chosen.processes > 1:
            if chosen.sparql_endpoint:
                raise click.ClickException(
                    "--processes cannot be combined with --sparql-endpoint: run one serve "
                    "process per core behind the reverse proxy instead (docs/deploy.md)"
                )
            supervise(chosen)
        else:
            run_server(chosen)
    except (NoRelease, WrongRelease) as exc:
        raise click.ClickException(str(exc)) from exc
    except EngineError as exc:
        raise click.ClickException(f"the SPARQL endpoint cannot be used: {exc}") from exc


@main.command()
@click.option(
    "--out",
    "home",
    type=click.Path(path_type=Path),
    default=None,
    help="Directory that receives the release (default: the --home directory).",
)
@click.option(
    "--root",
    type=click.Path(path_type=Path, exists=True, file_okay=False),
    default=None,
    help="Project tree whose ontology/, shapes/ and data/ are built (default: this checkout).",
)
@click.option(
    "--load-into",
    metavar="URL",
    default=None,
    help="Then load the new release into the engine whose SPARQL query endpoint is URL, "
    "for `serve --sparql-endpoint URL` (docs/engines.md).",
)
@load_options
@click.pass_obj
def build(
    settings: Settings,
    home: Path | None,
    root: Path | None,
    load_into: str | None,
    graph_store: str | None,
    load_credentials: Path | None,
) -> None:
    """Validate ontology/, shapes/ and data/, and publish them as a new release."""
    from publisher.build.context import BuildError, Sources
    from publisher.build.pipeline import build_release, steps

    if home is not None:
        settings = settings.replace(home=home)
    sources = Sources.from_root(root) if root is not None else None
    with internal_errors("building", "the current release is unchanged", exit_code=1):
        try:
            release = build_release(
                settings, sources, log=lambda message: click.echo(message, err=True)
            )
        except BuildError as exc:
            message = f"build failed, the current release is unchanged: {exc}"
            raise click.ClickException(message) from None
    click.echo(f"published release {release.id} at {release.path}")
    manifest = release.manifest()
    inferred = manifest.get("inferred", {}).get("quads", 0)
    click.echo(f"quads: {manifest['quads']} ({inferred} inferred)")
    timings = manifest.get("timings_s", {})
    for step in [s.__name__ for s in steps() if s.__name__ in timings]:
        click.echo(f"  {step:<24} {timings[step]:7.2f} s")
    if load_into is not None:
        _load(release, load_into, graph_store, load_credentials)


def _load(release: Any, url: str, graph_store: str | None, credentials: Path | None) -> None:
    from publisher.build.engine_load import LoadError, load_release
    from publisher.release.sparql_client import EngineError
    from publisher.release.sparql_store import WrongRelease

    with internal_errors("loading", "the engine may hold part of the release", exit_code=1):
        try:
            report = load_release(
                release,
                url,
                graph_store=graph_store,
                credentials=credentials,
                log=lambda message: click.echo(message, err=True),
            )
        except (LoadError, EngineError, WrongRelease) as exc:
            raise click.ClickException(f"loading into {url} failed: {exc}") from None
    click.echo(
        f"loaded release {report.release} into {url}: {report.graphs} graphs, "
        f"{report.triples} triples, {report.deleted} stale graphs deleted, "
        f"{report.seconds:.1f} s"
    )


@main.command()
@click.argument("url")
@release_option("Load")
@load_options
@click.pass_obj
def load(
    settings: Settings,
    url: str,
    release: Path | None,
    graph_store: str | None,
    load_credentials: Path | None,
) -> None:
    """Load the current release (or --release DIR) into the engine whose SPARQL query
    endpoint is URL, replacing the release it held (docs/engines.md)."""
    from publisher.release.layout import current_release, open_release

    try:
        chosen = open_release(release) if release else current_release(settings.home)
    except NoRelease as exc:
        raise click.ClickException(str(exc)) from exc
    _load(chosen, url, graph_store, load_credentials)


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--ontology",
    "ontology",
    multiple=True,
    type=click.Path(path_type=Path),
    help="Ontology/vocabulary file or directory validated with the data (repeatable; "
    "default: every file in ontology/).",
)
@click.option(
    "--shapes",
    "shapes",
    multiple=True,
    type=click.Path(path_type=Path),
    help="SHACL shapes file or directory (repeatable; default: shapes/).",
)
@click.option(
    "--dataset",
    type=click.Path(path_type=Path, exists=True, file_okay=False),
    default=None,
    help="Data folder the files join, whose other files are their context "
    "(default: this checkout's data/).",
)
@click.option("--alone", is_flag=True, help="Validate the files by themselves, without context.")
def validate(
    files: tuple[Path, ...],
    ontology: tuple[Path, ...],
    shapes: tuple[Path, ...],
    dataset: Path | None,
    alone: bool,
) -> None:
    """Check that FILES (or directories) parse and conform to the shapes, with the rest of the
    dataset as context (exit 1 if not, 2 if unreadable).

    Turtle, TriG, N-Triples, N-Quads, JSON-LD and RDF/XML by extension, and authored sources
    (.yaml, docs/authoring.md). Only what is wrong with FILES is reported: each problem names
    the file and line, the resource, the property and what to fix.
    """
    from publisher.build.authoring.validate import default_context, validate_new
    from publisher.build.inputs import InputError, expand

    with internal_errors("validating", "nothing was checked", exit_code=2):
        try:
            report = validate_new(
                expand(files),
                context=None if alone else (dataset or default_context()),
                ontology=expand(ontology) if ontology else None,
                shapes=expand(shapes) if shapes else None,
            )
        except InputError as exc:
            click.echo(f"error: {exc}", err=True)
            raise SystemExit(2) from None
    click.echo(report.format(Path.cwd()))
    if not report.conforms:
        raise SystemExit(1)


@main.group()
def new() -> None:
    """Start a new file to fill in."""


@new.command("source")
@click.argument("slug")
@click.option(
    "--dir",
    "folder",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("data/sources"),
    show_default=True,
    help="Folder of the new file.",
)
def new_source(slug: str, folder: Path) -> None:
    """Write FOLDER/SLUG.yaml, a commented skeleton of a source file (docs/authoring.md)."""
    from publisher.build.authoring.skeleton import write_skeleton

    try:
        path = write_skeleton(slug, folder)
    except FileExistsError:
        raise click.ClickException(
            f"{folder / (slug + '.yaml')} exists; it is not replaced"
        ) from None
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"wrote {path}: fill it in, then `diplograph validate {path}`")


@main.command()
@click.option(
    "--format",
    "format_name",
    default="turtle",
    show_default=True,
    type=click.Choice(["turtle", "ntriples", "nquads", "trig", "jsonld", "rdfxml"]),
    help="Serialization; nquads and trig keep the named graphs.",
)
@click.option(
    "--graph",
    default=None,
    help="Only this named graph: an IRI, or a build graph's name (ontology, shapes, "
    "inferred, void). Default: the whole dataset, as in the release's dumps.",
)
@click.option(
    "--out",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="File to write (gzip-compressed if it ends in .gz; default: stdout).",
)
@release_option("Dump")
@click.pass_obj
def dump(
    settings: Settings, format_name: str, graph: str | None, out: Path | None, release: Path | None
) -> None:
    """Write the current release (or one graph of it) in one RDF format."""
    from publisher.build.dumps import dump_release

    try:
        dump_release(settings, format_name, graph=graph, out=out, release_path=release)
    except (NoRelease, ValueError) as exc:
        raise click.ClickException(str(exc)) from exc


@main.command("import")
@click.argument(
    "files", nargs=-1, required=True, type=click.Path(path_type=Path, exists=True, dir_okay=False)
)
@click.option(
    "--format",
    "layout_name",
    required=True,
    type=click.Choice(["icews", "polecat", "gdelt"]),
    help="The files' layout (docs/import.md lists each one's columns).",
)
@click.option(
    "--out",
    required=True,
    type=click.Path(path_type=Path, file_okay=False),
    help="A directory of the import's own, e.g. data/icews-2025 (new, empty, or an earlier "
    "import's with --replace).",
)
@click.option("--name", default=None, help="The import's name and graph (default: --out's name).")
@click.option("--replace", is_flag=True, help="Replace the earlier import in --out.")
@click.option(
    "--root",
    type=click.Path(path_type=Path, exists=True, file_okay=False),
    default=None,
    help="Project tree whose ontology/ and data/ the import joins (default: this checkout).",
)
@click.option("--created", default=None, help="Date recorded as dcterms:created (default: today).")
@click.option(
    "--stories-per-file",
    type=click.IntRange(min=1),
    default=500,
    show_default=True,
    help="Story graphs per TriG file (1: one file per source document).",
)
@click.pass_obj
def import_(
    settings: Settings,
    files: tuple[Path, ...],
    layout_name: str,
    out: Path,
    name: str | None,
    replace: bool,
    root: Path | None,
    created: str | None,
    stories_per_file: int,
) -> None:
    """Import coded event data files (ICEWS, POLECAT) into --out as TriG, one named graph
    per story, reconciled with the dataset; exit 0 if every row was imported, 1 if some were
    reported and the rest imported, 2 if nothing was written."""
    from publisher.build.importers.cli import run_import

    with internal_errors("importing", "nothing was written", exit_code=2):
        run_import(
            settings, files, layout_name, out, name, replace, root, created, stories_per_file
        )
