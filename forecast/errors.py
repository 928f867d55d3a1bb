"""Errors a user can cause: each names the file, row and column, and says how to fix it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass
class InputError(Exception):
    """Bad input. The CLI prints it as one line and exits with status 2."""

    message: str
    file: Path | str | None = None
    row: int | None = None
    column: str | None = None
    fix: str | None = None

    def __str__(self) -> str:
        where = []
        if self.file is not None:
            where.append(str(self.file))
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column {self.column!r}")
        head = ", ".join(where)
        text = f"{head}: {self.message}" if head else self.message
        return f"{text}. Fix: {self.fix}" if self.fix else text
