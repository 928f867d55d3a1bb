"""CSV (UTF-8 with or without BOM, or GBK as Chinese Excel writes it) and Excel files read as
frames of strings, in bounded chunks; one clear error when a file cannot be read."""

from __future__ import annotations

import codecs
from collections.abc import Iterator
from pathlib import Path

import pandas as pd

from forecast.errors import InputError

CHUNK_ROWS = 200_000  # rows read and validated at a time: memory stays bounded for big files


def read_chunks(path: Path, columns: tuple[str, ...] | None = None,
                chunk_rows: int | None = None) -> Iterator[pd.DataFrame]:
    """A CSV (UTF-8 or GBK) or Excel file as frames of strings, ``chunk_rows`` rows at a time;
    a clear error if unreadable.

    ``columns`` keeps only those (header whitespace ignored): a national observations file
    has a million rows, and its free-text columns would otherwise fill memory.
    """
    if not path.exists():
        raise InputError("file not found", file=path, fix="check the path or create the file")
    wanted = None if columns is None else (lambda c: str(c).strip() in columns)
    if path.suffix.lower() in (".xlsx", ".xlsm", ".xls"):
        try:
            yield pd.read_excel(path, dtype=str, usecols=wanted).fillna("")
            return
        except Exception as exc:  # openpyxl raises many types for a damaged file
            raise InputError(f"cannot read Excel file ({exc})", file=path,
                             fix="save it again from Excel as .xlsx") from exc
    encoding = _encoding(path)
    try:
        # Arrow-backed strings: a fraction of the memory of Python str objects
        yield from pd.read_csv(path, dtype="string[pyarrow]", keep_default_na=False,
                               encoding=encoding, usecols=wanted,
                               chunksize=chunk_rows or CHUNK_ROWS)
    except (pd.errors.ParserError, ValueError) as exc:
        raise InputError(f"not a valid CSV ({exc})", file=path,
                         fix="check for stray commas or quotes") from exc


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
