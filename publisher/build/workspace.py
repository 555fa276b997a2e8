"""One build at a time per home, and what an interrupted build left behind.

A killed build (SIGKILL, a power cut, an out-of-memory kill) cannot clean up after itself:
it leaves ``releases/.staging-*`` (with HermiT's working directory inside) and perhaps a
``.current-*`` link that was about to replace ``current``. The next build removes them, but
only while it holds ``{home}/.build.lock``: the kernel releases that lock when its holder
dies, however it dies, so whatever a lock holder finds there belongs to no running build.
Without the lock a second build started at the same time would delete the first one's
staging directory; with it, the second build fails at once and says why.
"""

from __future__ import annotations

import fcntl
import os
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from publisher.build.context import BuildError
from publisher.release.layout import releases_dir

LOCK_FILE = ".build.lock"


@contextmanager
def build_lock(home: Path) -> Iterator[None]:
    """Hold ``{home}/.build.lock`` for the duration of a build, or raise ``BuildError``."""
    home.mkdir(parents=True, exist_ok=True)
    path = home / LOCK_FILE
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.read(fd, 64).decode("ascii", "replace").strip() or "unknown"
            raise BuildError(
                f"another build is running in {home} (process {holder}); wait for it to end "
                f"and build again. Its lock, {path}, is released when it ends, even if it is "
                "killed."
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        yield
    finally:
        os.close(fd)  # releases the lock


def remove_leftovers(home: Path, log: Callable[[str], None]) -> None:
    """Remove what interrupted builds left in ``home``; call only under ``build_lock``."""
    found = [*releases_dir(home).glob(".staging-*"), *home.glob(".current-*")]
    for path in sorted(found):
        if path.is_symlink() or not path.is_dir():
            path.unlink()
        else:
            shutil.rmtree(path)
        log(f"removed {path}, left by an interrupted build")
