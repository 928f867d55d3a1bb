"""Excel workbooks opened with their size bounded before any cell is read.

A workbook of 100 KB can declare a sheet of a million rows or a cell in column XFD (16,384
columns), which a reader then pads every row out to: gigabytes of memory from one stray
cell. A sheet's declared dimensions are checked first, and again while its rows stream (a
file may declare none, or lie), against ``MAX_SHEET_ROWS`` and ``MAX_SHEET_COLUMNS``; a file
that is not a workbook at all is one line too.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.workbook.workbook import Workbook

from forecast.config import MAX_SHEET_COLUMNS, MAX_SHEET_ROWS
from forecast.errors import InputError

FIX_SIZE = ("delete the empty rows and columns beyond the data (select them, Delete), or "
            "copy the data into a new workbook")


@contextmanager
def opened(path: Path) -> Iterator[Workbook]:
    """The workbook at ``path``, read-only, every sheet's declared size checked; a damaged
    file or an oversized sheet is an InputError naming the file."""
    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types (BadZipFile, KeyError, ...)
        raise InputError(f"cannot read Excel file ({type(exc).__name__}: {exc})"
                         .replace("\n", " "), file=path,
                         fix="open it in Excel and save it again as .xlsx") from None
    try:
        for ws in wb.worksheets:
            _check_size(path, ws.title, ws.max_row, ws.max_column)
        yield wb
    finally:
        wb.close()


def _check_size(path: Path, sheet: str, rows: int | None, columns: int | None) -> None:
    if columns is not None and columns > MAX_SHEET_COLUMNS:
        raise InputError(f"sheet {sheet!r} reaches column {get_column_letter(columns)} "
                         f"({columns} columns; at most {MAX_SHEET_COLUMNS} are read)",
                         file=path, fix=FIX_SIZE)
    if rows is not None and rows > MAX_SHEET_ROWS:
        raise InputError(f"sheet {sheet!r} has {rows:,} rows (at most {MAX_SHEET_ROWS:,} are "
                         "read)", file=path, fix=FIX_SIZE)


def check_workbook(path: Path) -> None:
    """Refuse a damaged or oversized workbook before another reader (pandas) opens it."""
    with opened(path):
        pass


def sheet_rows(path: Path, skip: tuple[str, ...] = ()) -> list[tuple[str, list[list[object]]]]:
    """Every sheet of the workbook at ``path`` but those titled in ``skip``, as rows of cell
    values, the size bounded while reading too (a sheet may declare no dimensions)."""
    out = []
    with opened(path) as wb:
        for ws in wb.worksheets:
            if ws.title in skip:
                continue
            rows: list[list[object]] = []
            try:
                for row in ws.iter_rows(values_only=True):
                    _check_size(path, ws.title, len(rows) + 1, len(row))
                    rows.append(list(row))
            except InputError:
                raise
            except Exception as exc:  # a damaged sheet inside a sound zip
                raise InputError(f"cannot read sheet {ws.title!r} ({type(exc).__name__}: "
                                 f"{exc})".replace("\n", " "), file=path,
                                 fix="open it in Excel and save it again as .xlsx") from None
            out.append((ws.title, rows))
    return out
