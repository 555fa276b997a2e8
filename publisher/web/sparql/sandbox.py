"""Defence in depth for the query workers: no network at all.

The guard refuses ``SERVICE`` before any engine sees a query; this is the second line. A
worker process moves itself into a new, empty network namespace (Linux ``unshare``), where
only an unconfigured loopback exists: should a query ever get past the guard, the engine's
outgoing request fails with "Network is unreachable" instead of reaching anything. The pipe
to the server was made before the move and keeps working.

It needs root or unprivileged user namespaces. Where the system allows neither (many
containers, or off Linux) the sandbox fails closed: the worker runs no query and the server
answers 503, unless the operator chose to run queries with the guard alone
(``allow_networked_queries``; see worker.serve).
"""

from __future__ import annotations

import ctypes
import os
import sys

CLONE_NEWUSER = 0x10000000
CLONE_NEWNET = 0x40000000


class SandboxRefused(Exception):
    """The system refused this process a network namespace of its own; the message says why."""


def leave_network() -> None:
    """Move this (still single-threaded) process into an empty network namespace, or raise
    ``SandboxRefused``."""
    if not sys.platform.startswith("linux"):
        raise SandboxRefused(f"network namespaces need Linux, not {sys.platform}")
    libc = ctypes.CDLL(None, use_errno=True)
    for flags in (CLONE_NEWNET, CLONE_NEWUSER | CLONE_NEWNET):
        if libc.unshare(flags) == 0:
            return
    raise SandboxRefused(f"unshare: {os.strerror(ctypes.get_errno())}")


def isolate_network() -> bool:
    """Leave the network if the system allows it, and say whether it did (a probe)."""
    try:
        leave_network()
    except SandboxRefused:
        return False
    return True
