"""Where an import writes: a directory of its own, never over hand-written data.

An import writes every file into a staging directory next to ``--out`` and swaps it in with
renames at the end, so a failed import leaves nothing behind and a reader never sees half an
import. ``--out`` must be new, empty, or an earlier import's directory (it holds the
``IMPORT.json`` manifest, which lists every file the import wrote with its SHA-256); an
earlier import is replaced only with ``--replace``, and only if no file in it was added or
changed since (a curator's edit is never lost silently). Staging directories start with a
dot, which ``inputs.rdf_files`` skips, so a build running meanwhile never reads one.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path
from typing import Any

MANIFEST = "IMPORT.json"


class OutputRefused(ValueError):
    """``--out`` is not a directory the import may write; the message says what to do."""


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def check_out(out: Path, replace: bool, protected: tuple[Path, ...]) -> None:
    """Refuse an ``--out`` that would overwrite or mix with files the import did not write.

    ``protected`` are directories the import must not write into directly (the project's
    ``data/``, then ``ontology/`` and ``shapes/``, which it must not write into at all): an
    import gets a directory of its own, under the first.
    """
    target = out.resolve()
    for n, folder in enumerate(p.resolve() for p in protected):
        if target == folder or folder.is_relative_to(target):
            raise OutputRefused(
                f"{out}: an import writes a directory of its own, not into {folder} itself; "
                f"use --out {protected[0] / 'NAME'}"
            )
        if n > 0 and target.is_relative_to(folder):
            raise OutputRefused(f"{out}: an import belongs under {protected[0]}, not in {folder}")
    if not out.exists():
        return
    if not out.is_dir():
        raise OutputRefused(f"{out}: exists and is not a directory")
    entries = sorted(p.name for p in out.iterdir())
    if not entries:
        return
    manifest = out / MANIFEST
    if not manifest.is_file():
        raise OutputRefused(
            f"{out}: holds files that diplograph import did not write ({', '.join(entries[:5])}"
            f"{', …' if len(entries) > 5 else ''}); choose a new directory for the import"
        )
    if not replace:
        raise OutputRefused(
            f"{out}: holds an earlier import ({MANIFEST}); pass --replace to replace it, or "
            "choose a new directory"
        )
    written = read_manifest(out).get("files", {})
    extra = [name for name in entries if name != MANIFEST and name not in written]
    changed = [
        name
        for name, digest in written.items()
        if (out / name).is_file() and sha256(out / name) != digest
    ]
    if extra or changed:
        details = []
        if changed:
            details.append(f"changed since the import: {', '.join(changed)}")
        if extra:
            details.append(f"not written by the import: {', '.join(extra)}")
        raise OutputRefused(
            f"{out}: will not replace an import that was edited ({'; '.join(details)}); move "
            "the edits into a file of their own outside this directory first"
        )


def read_manifest(out: Path) -> dict[str, Any]:
    try:
        data: dict[str, Any] = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise OutputRefused(
            f"{out / MANIFEST}: unreadable ({exc}); move the directory away"
        ) from None
    return data


def staging(out: Path) -> Path:
    """A fresh hidden directory beside ``out`` to write the import into."""
    out.parent.mkdir(parents=True, exist_ok=True)
    path = out.parent / f".{out.name}.import-{os.getpid()}"
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir()
    return path


def publish(staged: Path, out: Path, manifest: dict[str, Any]) -> None:
    """Write the manifest, then put ``staged`` in the place of ``out`` (renames only)."""
    manifest["files"] = {p.name: sha256(p) for p in sorted(staged.iterdir()) if p.name != MANIFEST}
    (staged / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    old = out.parent / f".{out.name}.replaced-{os.getpid()}"
    if out.exists():
        os.replace(out, old)
    os.replace(staged, out)
    shutil.rmtree(old, ignore_errors=True)
