"""The ``diplograph`` command: thin click commands that call plain functions."""

from __future__ import annotations

from pathlib import Path

import click

from publisher.config import Settings
from publisher.releases import NoRelease


@click.group()
@click.option("--home", type=click.Path(path_type=Path), default=None,
              help="Directory holding the releases (default: ./var, or $DIPLOGRAPH_HOME).")
@click.option("--base-iri", default=None, help="Canonical base IRI of the dataset.")
@click.pass_context
def main(ctx: click.Context, home: Path | None, base_iri: str | None) -> None:
    """Diplograph: build, validate and publish the diplomatic-event knowledge graph."""
    ctx.obj = Settings.from_env(home=home, base_iri=base_iri)


@main.command()
@click.option("--host", default=None, help="Address to listen on (default 127.0.0.1).")
@click.option("--port", type=int, default=None, help="Port to listen on (default 8080).")
@click.option("--release", type=click.Path(path_type=Path, exists=True, file_okay=False),
              default=None, help="Serve this release directory instead of the current one.")
@click.option("--public-base", default=None,
              help="Rewrite IRIs to this base in every output (e.g. http://127.0.0.1:8080/).")
@click.option("--query-timeout", type=float, default=None,
              help="Seconds a SPARQL query may run (default 30).")
@click.option("--sparql-workers", type=int, default=None,
              help="Worker processes for SPARQL queries (default 3).")
@click.option("--threads", type=int, default=None,
              help="WSGI worker threads (default 16).")
@click.option("--max-query-bytes", type=int, default=None,
              help="Largest accepted SPARQL query, in bytes (default 65536).")
@click.option("--max-query-depth", type=int, default=None,
              help="Deepest nesting a SPARQL query may have (default 64).")
@click.option("--max-result-rows", type=int, default=None,
              help="SPARQL result-row cap; truncation is flagged (default 100000).")
@click.option("--per-client-queries", type=int, default=None,
              help="SPARQL queries one client address may run at once (default 4).")
@click.pass_obj
def serve(settings: Settings, **options: object) -> None:
    """Serve the current release over HTTP."""
    from publisher.server import serve as run_server

    try:
        run_server(settings.replace(**{k: v for k, v in options.items() if v is not None}))
    except NoRelease as exc:
        raise click.ClickException(str(exc)) from exc



@main.command()
@click.option("--out", "home", type=click.Path(path_type=Path), default=None,
              help="Directory that receives the release (default: the --home directory).")
@click.pass_obj
def build(settings: Settings, home: Path | None) -> None:
    """Validate ontology/, shapes/ and data/, and publish them as a new release."""
    from publisher.build import BuildError, build_release

    if home is not None:
        settings = settings.replace(home=home)
    try:
        release = build_release(settings, log=lambda message: click.echo(message, err=True))
    except BuildError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"published release {release.id} at {release.path}")
