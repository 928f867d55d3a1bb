"""CSV (UTF-8 with or without BOM, or GBK as Chinese Excel writes it) and Excel files read as
frames of strings, in bounded chunks; one clear error when a file cannot be read."""

from __future__ import annotations

import codecs
import csv
from collections.abc import Iterator
from pathlib import Path

import pandas as pd

from forecast.config import MAX_TABLE_BYTES
from forecast.errors import InputError
from forecast.inputs.sheets import check_workbook

CHUNK_ROWS = 200_000  # rows read and validated at a time: memory stays bounded for big files


def read_chunks(path: Path, columns: tuple[str, ...] | None = None,
                chunk_rows: int | None = None) -> Iterator[pd.DataFrame]:
    """A CSV (UTF-8 or GBK) or Excel file as frames of strings, ``chunk_rows`` rows at a time;
    a clear error if unreadable.

    ``columns`` keeps only those (header whitespace ignored): a national observations file
    has a million rows, and its free-text columns would otherwise fill memory.
    """
    check_size(path)
    wanted = None if columns is None else (lambda c: str(c).strip() in columns)
    if path.suffix.lower() in (".xlsx", ".xlsm", ".xls"):
        if path.suffix.lower() != ".xls":
            check_workbook(path)  # a damaged or oversized workbook, before pandas reads it
        try:
            yield pd.read_excel(path, dtype=str, usecols=wanted).fillna("")
            return
        except Exception as exc:  # openpyxl raises many types for a damaged file
            raise InputError(f"cannot read Excel file ({exc})", file=path,
                             fix="save it again from Excel as .xlsx") from exc
    encoding = _encoding(path)
    _check_widths(path, encoding)
    try:
        # Arrow-backed strings: a fraction of the memory of Python str objects
        yield from pd.read_csv(path, dtype="string[pyarrow]", keep_default_na=False,
                               encoding=encoding, usecols=wanted,
                               chunksize=chunk_rows or CHUNK_ROWS)
    except pd.errors.EmptyDataError:
        raise InputError("the file is empty", file=path,
                         fix="write a header row and one row per value") from None
    except (pd.errors.ParserError, ValueError) as exc:
        raise InputError(f"not a valid CSV ({exc})".replace("\n", " "), file=path,
                         fix="check for stray commas or quotes") from exc


def check_size(path: Path) -> None:
    """Refuse a missing table, or one over ``MAX_TABLE_BYTES``, before reading it."""
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise InputError("file not found", file=path,
                         fix="check the path or create the file") from None
    if size > MAX_TABLE_BYTES:
        raise InputError(f"the file is {size / 2**20:.0f} MB, more than the "
                         f"{MAX_TABLE_BYTES // 2**20} MB a table may hold", file=path,
                         fix="split it into several files")


def csv_cells(path: Path) -> list[list[str]]:
    """A small CSV (UTF-8 or GBK) as rows of cell texts, the header row included, short rows
    padded with ""; an empty, ragged or undecodable file is an InputError naming it."""
    check_size(path)
    try:
        table = pd.read_csv(path, dtype=str, keep_default_na=False, header=None,
                            encoding=_encoding(path))
    except pd.errors.EmptyDataError:
        raise InputError("the file is empty", file=path,
                         fix="write a header row and one row per value") from None
    except (pd.errors.ParserError, ValueError) as exc:
        raise InputError(f"not a valid CSV ({exc})".replace("\n", " "), file=path,
                         fix="check for stray commas or quotes; every row needs as many "
                         "cells as the header") from exc
    return table.fillna("").values.tolist()


def _check_widths(path: Path, encoding: str) -> None:
    """Refuse a row with more cells than the header: a number written with a stray comma
    (1,175,5 unquoted) would otherwise be read as its first part, silently, since only the
    wanted columns are kept."""
    row, width = 0, None
    try:
        with path.open(encoding=encoding, newline="") as fh:
            for row, cells in enumerate(csv.reader(fh), start=1):
                if not cells:
                    continue
                if width is None:
                    width = len(cells)
                elif len(cells) > width:
                    raise InputError(f"{len(cells)} cells where the header has {width}",
                                     file=path, row=row, fix="quote values that hold commas "
                                     "(\"1,175.5\"), or remove the stray commas")
    except csv.Error as exc:  # a cell over the csv module's limit, a stray NUL
        raise InputError(f"not a valid CSV ({exc})", file=path, row=row + 1,
                         fix="check for stray quotes") from None


def _encoding(path: Path) -> str:
    """UTF-8 (with or without BOM), else GBK as Chinese Excel writes it (GB18030 covers it)."""
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    with path.open("rb") as fh:
        try:
            for block in iter(lambda: fh.read(1 << 20), b""):
                decoder.decode(block)
            decoder.decode(b"", final=True)
            return "utf-8-sig"
        except UnicodeDecodeError:
            pass
    try:
        path.read_bytes().decode("gb18030")
    except UnicodeDecodeError:
        raise InputError("not UTF-8 or GBK text", file=path,
                         fix="save the file as CSV UTF-8") from None
    return "gb18030"


def read_table(path: Path, columns: tuple[str, ...] | None = None) -> pd.DataFrame:
    """A whole CSV or Excel file as one frame of strings (see ``read_chunks``)."""
    chunks = list(read_chunks(path, columns))
    return pd.concat(chunks, ignore_index=True) if len(chunks) > 1 else chunks[0]


def require_columns(frame: pd.DataFrame, columns: tuple[str, ...], path: Path) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise InputError(
            f"missing column(s) {', '.join(missing)}",
            file=path,
            row=1,
            fix=f"the header must include {', '.join(columns)}",
        )
