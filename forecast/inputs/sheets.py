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
    """Refuse a damaged or oversized workbook, or one with a formula whose value was never
    saved, before another reader (pandas) opens it."""
    with opened(path):
        pass
    _check_formulas(path)


def _check_formulas(path: Path, skip: tuple[str, ...] = ()) -> None:
    """Refuse a formula cell with no saved value. A reader sees a cell's saved value, which
    Excel and LibreOffice store with each formula; a workbook written by a script keeps the
    formula alone, and its cell would read as blank: a figure lost without a word. One pass
    finds the formulas (most workbooks have none); only then are their values looked up."""
    try:
        found: dict[str, dict[tuple[int, int], str]] = {}
        book = load_workbook(path, read_only=True, data_only=False)
        try:
            for ws in book.worksheets:
                if ws.title in skip:  # a sheet no one reads
                    continue
                for r, row in enumerate(ws.iter_rows(), 1):
                    _check_size(path, ws.title, r, len(row))
                    for cell in row:
                        if cell.data_type == "f":
                            found.setdefault(ws.title, {})[cell.row, cell.column] = \
                                str(cell.value)
        finally:
            book.close()
        if not found:
            return
        book = load_workbook(path, read_only=True, data_only=True)
        try:
            for title, cells in found.items():
                saved = {(cell.row, cell.column): cell.value
                         for row in book[title].iter_rows(max_row=max(r for r, _ in cells))
                         for cell in row if (getattr(cell, "row", None),
                                             getattr(cell, "column", None)) in cells}
                for (r, c), formula in sorted(cells.items()):
                    if saved.get((r, c)) is None:
                        raise InputError(
                            f"cell {get_column_letter(c)}{r} of sheet {title!r} holds a "
                            f"formula ({formula[:40]}) with no saved value", file=path,
                            fix="open the file in Excel or LibreOffice and save it (that "
                            "stores each formula's value), or type the number")
        finally:
            book.close()
    except InputError:
        raise
    except Exception as exc:  # a damaged sheet inside a sound zip
        raise InputError(f"cannot read the workbook's cells ({type(exc).__name__}: {exc})"
                         .replace("\n", " "), file=path,
                         fix="open it in Excel and save it again as .xlsx") from None


def sheet_rows(path: Path, skip: tuple[str, ...] = ()) -> list[tuple[str, list[list[object]]]]:
    """Every sheet of the workbook at ``path`` but those titled in ``skip``, as rows of cell
    values, the size bounded while reading too (a sheet may declare no dimensions)."""
    out = []
    with opened(path) as wb:
        _check_formulas(path, skip)
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
