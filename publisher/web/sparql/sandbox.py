"""Defence in depth for the query workers: no network at all.

The guard refuses ``SERVICE`` before any engine sees a query; this is the second line. A
worker process moves itself into a new, empty network namespace (Linux ``unshare``), where
only an unconfigured loopback exists: should a query ever get past the guard, the engine's
outgoing request fails with "Network is unreachable" instead of reaching anything. The pipe
to the server was made before the move and keeps working.

It needs root or unprivileged user namespaces; where neither is allowed (or off Linux) the
worker runs on with the guard alone, and says so in the server log.
"""

from __future__ import annotations

import ctypes
import logging
import os
import sys

CLONE_NEWUSER = 0x10000000
CLONE_NEWNET = 0x40000000

log = logging.getLogger(__name__)


def isolate_network() -> bool:
    """Move this (still single-threaded) process into an empty network namespace."""
    if not sys.platform.startswith("linux"):
        return False
    libc = ctypes.CDLL(None, use_errno=True)
    for flags in (CLONE_NEWNET, CLONE_NEWUSER | CLONE_NEWNET):
        if libc.unshare(flags) == 0:
            return True
    error = os.strerror(ctypes.get_errno())
    log.warning("SPARQL worker %d keeps the host network (unshare: %s)", os.getpid(), error)
    return False
