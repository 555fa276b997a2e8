"""An error in an input file, with where it is: what curators read first."""

from __future__ import annotations

from pathlib import Path


class LocatedError(ValueError):
    """A problem in ``path`` (at ``line``:``column`` when known), said as ``file:line:col:
    reason`` so editors and terminals can jump to it."""

    def __init__(
        self, path: Path, reason: str, line: int | None = None, column: int | None = None
    ) -> None:
        self.path, self.reason, self.line, self.column = path, reason, line, column
        where = str(path)
        if line is not None:
            where += f":{line}" + (f":{column}" if column is not None else "")
        super().__init__(f"{where}: {reason}")
