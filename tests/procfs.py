"""Processes as Linux's ``/proc`` shows them: what tests and benchmarks look at to see that
workers started, stopped, computed or were orphaned, without asking the server itself."""

from __future__ import annotations

from pathlib import Path

PROC = Path("/proc")


def stat_fields(pid: int) -> list[str] | None:
    """The fields of ``/proc/PID/stat`` after the command name (state, parent, …), or None
    if the process is gone. The name is cut off at its last ``)``: it may hold spaces."""
    try:
        return (PROC / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None


def children() -> dict[int, list[int]]:
    """Every process's children, by parent pid."""
    found: dict[int, list[int]] = {}
    for entry in PROC.iterdir():
        if entry.name.isdigit() and (fields := stat_fields(int(entry.name))) is not None:
            found.setdefault(int(fields[1]), []).append(int(entry.name))
    return found


def descendants(pid: int) -> set[int]:
    """Every process below ``pid``."""
    below = children()
    found: set[int] = set()
    todo = [pid]
    while todo:
        for child in below.get(todo.pop(), []):
            found.add(child)
            todo.append(child)
    return found


def alive(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie has ended)."""
    fields = stat_fields(pid)
    return fields is not None and fields[0] != "Z"


def spawned_workers(parent: int) -> set[int]:
    """``parent``'s children started by multiprocessing's spawn (its SPARQL workers)."""
    workers = set()
    for pid in children().get(parent, []):
        try:
            if b"spawn_main" in (PROC / str(pid) / "cmdline").read_bytes():
                workers.add(pid)
        except OSError:
            continue
    return workers


def cpu_ticks(pid: int) -> int:
    """User plus system CPU time ``pid`` has used, in clock ticks."""
    fields = stat_fields(pid)
    return 0 if fields is None else int(fields[11]) + int(fields[12])
