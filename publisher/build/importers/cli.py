"""What ``diplograph import`` does between its options and ``import_files``."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from publisher.build.context import Sources
from publisher.build.importers.importer import ImportFailed, ImportOptions, import_files
from publisher.build.importers.layouts import LAYOUTS
from publisher.config import PROJECT_ROOT, Settings

__all__ = ["run_import"]


def run_import(
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
    """Run the import, print the summary, exit 0 (all rows), 1 (some rejected) or 2."""
    root = root or PROJECT_ROOT
    project = Sources.from_root(root)
    if created is not None:
        try:
            created = date.fromisoformat(created).isoformat()
        except ValueError:
            raise click.BadParameter(
                f"{created!r} is not a date (YYYY-MM-DD)", param_hint="--created"
            ) from None
    options = ImportOptions(
        layout=LAYOUTS[layout_name],
        files=files,
        out=out,
        base=settings.base_iri,
        created=created or date.today().isoformat(),
        ontology=project.ontology,
        data=project.data,
        protected=(root / "data", root / "ontology", root / "shapes"),
        project_root=root,
        name=name,
        replace=replace,
        stories_per_file=stories_per_file,
    )
    try:
        summary = import_files(options, log=lambda message: click.echo(message, err=True))
    except ImportFailed as exc:
        click.echo(f"Error: {exc}", err=True)
        raise SystemExit(2) from None
    click.echo(summary.format())
    if summary.bad:
        raise SystemExit(1)
