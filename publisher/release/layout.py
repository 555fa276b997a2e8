"""Where releases live on disk, and the atomic switch between them.

A release is a directory ``{home}/releases/{id}/`` holding ``store/`` (the pyoxigraph
store), ``dumps/`` and ``release.json``. ``{home}/current`` is a symlink to the release being
served. A build writes a new directory and only then replaces the symlink with
``os.replace`` (an atomic rename), so a failed build never touches the serving release.
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

MANIFEST = "release.json"
STORE_DIR = "store"
DUMPS_DIR = "dumps"


class NoRelease(RuntimeError):
    """There is no built release to serve; ``diplograph build`` makes one."""


@dataclass(frozen=True)
class Release:
    """A built, validated release directory."""

    path: Path

    @property
    def id(self) -> str:
        return self.path.name

    @property
    def store_path(self) -> Path:
        return self.path / STORE_DIR

    @property
    def dumps_path(self) -> Path:
        return self.path / DUMPS_DIR

    @property
    def manifest_path(self) -> Path:
        return self.path / MANIFEST

    def manifest(self) -> dict[str, Any]:
        """The release's metadata (id, creation time, counts, files), written by the build."""
        data: dict[str, Any] = json.loads(self.manifest_path.read_text(encoding="utf-8"))
        return data

    def created(self) -> datetime:
        """When the build made it (the manifest's ``created``), in UTC; the epoch if the
        manifest has no usable time, so a damaged manifest never breaks a response."""
        created = self.manifest().get("created")
        try:
            when = datetime.fromisoformat(created) if isinstance(created, str) else None
        except ValueError:
            when = None
        return (when or datetime.fromtimestamp(0, UTC)).astimezone(UTC)


def releases_dir(home: Path) -> Path:
    return home / "releases"


def current_link(home: Path) -> Path:
    return home / "current"


def new_release_id(digest: str, now: datetime | None = None) -> str:
    """A sortable, unique id: UTC build time plus a short digest of the inputs."""
    now = now or datetime.now(UTC)
    return f"{now:%Y%m%dT%H%M%S%fZ}-{digest[:8]}"


def staging_dir(home: Path, release_id: str) -> Path:
    """A fresh directory to build a release in; it is invisible until published."""
    path = releases_dir(home) / f".staging-{release_id}"
    if path.exists():
        shutil.rmtree(path)
    path.mkdir(parents=True)
    return path


def publish(home: Path, staged: Path, manifest: dict[str, Any]) -> Release:
    """Seal a staged release, move it into place and switch ``current`` to it atomically."""
    release_id = manifest["id"]
    (staged / MANIFEST).write_text(
        json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8"
    )
    final = releases_dir(home) / release_id
    os.replace(staged, final)
    link = current_link(home)
    tmp_link = home / f".current-{release_id}"
    if tmp_link.is_symlink() or tmp_link.exists():
        tmp_link.unlink()
    tmp_link.symlink_to(Path("releases") / release_id)
    os.replace(tmp_link, link)
    return Release(final)


def current_release(home: Path) -> Release:
    """The release ``current`` points at."""
    link = current_link(home)
    if not link.exists():
        raise NoRelease(f"no release under {home}: run `diplograph build` first")
    return open_release(link.resolve())


def open_release(path: Path) -> Release:
    """A release directory given explicitly (``--release``), checked to be complete."""
    release = Release(Path(path).resolve())
    if not release.manifest_path.is_file() or not release.store_path.is_dir():
        raise NoRelease(f"{path} is not a complete release (no {MANIFEST} or {STORE_DIR}/)")
    return release


def list_releases(home: Path) -> list[Release]:
    """Published releases, oldest first."""
    root = releases_dir(home)
    if not root.is_dir():
        return []
    return [
        Release(p)
        for p in sorted(root.iterdir())
        if not p.name.startswith(".") and (p / MANIFEST).is_file()
    ]
