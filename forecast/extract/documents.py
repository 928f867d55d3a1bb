"""Plan documents as text: plain text (UTF-8 or GBK), Word, PDF and saved web pages.

Every reader returns one :class:`Document`: the text a person would read, paragraphs on their
own lines, and the document's tables as rows of cells. Tables are also in the text (one row
per line, cells separated by `` | ``) so targets written inside table cells are read like any
other sentence; ``Table.start``/``end`` say where each table sits in the text.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from forecast.config import (
    MAX_DOCUMENT_BYTES,
    MAX_DOCUMENT_CHARS,
    MAX_DOCUMENT_PAGES,
    MAX_DOCUMENT_UNPACKED,
)
from forecast.errors import InputError

FORMATS = {".txt": "text", ".text": "text", ".md": "text", ".docx": "Word", ".pdf": "PDF",
           ".html": "HTML", ".htm": "HTML", ".shtml": "HTML"}


@dataclass(frozen=True)
class Table:
    """A table of the document: rows of cell texts, and where it sits in ``Document.text``."""

    rows: tuple[tuple[str, ...], ...]
    start: int
    end: int


@dataclass(frozen=True)
class Document:
    """A plan document's text and tables."""

    path: Path
    text: str
    tables: tuple[Table, ...] = ()


class _Builder:
    """Text assembled paragraph by paragraph, recording where each table lands."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.length = 0
        self.tables: list[Table] = []

    def paragraph(self, text: str) -> None:
        text = text.strip()
        if text:
            self.parts.append(text + "\n")
            self.length += len(text) + 1

    def table(self, rows: list[list[str]]) -> None:
        rows = [[" ".join(c.split()) for c in r] for r in rows]
        rows = [r for r in rows if any(r)]
        if not rows:
            return
        start = self.length
        for r in rows:
            self.paragraph(" | ".join(r))
        self.tables.append(Table(tuple(tuple(r) for r in rows), start, self.length))

    def document(self, path: Path) -> Document:
        return Document(path, "".join(self.parts), tuple(self.tables))


def read_document(path: Path) -> Document:
    """The document at ``path``, by its suffix; bad or unreadable files raise InputError."""
    path = Path(path)
    if not path.is_file():
        raise InputError("no such file", file=path, fix="give the path of a plan document")
    kind = FORMATS.get(path.suffix.lower())
    if kind is None:
        raise InputError(f"cannot read {path.suffix or 'files without a suffix'}", file=path,
                         fix="save the plan as .txt, .docx, .pdf or .html (a .doc file: open "
                         "it in Word or LibreOffice and save as .docx)")
    size = path.stat().st_size
    if size > MAX_DOCUMENT_BYTES:
        raise InputError(f"the document is {size / 2**20:.0f} MB, more than the "
                         f"{MAX_DOCUMENT_BYTES // 2**20} MB a plan document may be", file=path,
                         fix="give the plan's own document, or the part of it with the targets")
    try:
        doc = {"text": _text, "Word": _docx, "PDF": _pdf, "HTML": _html}[kind](path)
    except InputError:
        raise
    except RecursionError:
        raise InputError(f"the {kind} file is nested too deeply to read", file=path,
                         fix=f"open it in its program and save it again as {kind}") from None
    except Exception as exc:  # a damaged file: say which and why, in one line
        raise InputError(f"not a readable {kind} file ({type(exc).__name__}: {exc})", file=path,
                         fix=f"open it in its program and save it again as {kind}") from None
    if len(doc.text) > MAX_DOCUMENT_CHARS:
        raise InputError(f"the document holds {len(doc.text):,} characters, more than the "
                         f"{MAX_DOCUMENT_CHARS:,} a plan document may", file=path,
                         fix="give the plan's own document, or the part of it with the targets")
    if not doc.text.strip():
        fix = ("the PDF has no text layer (a scan): run OCR on it first, e.g. ocrmypdf"
               if kind == "PDF" else "check that this is the plan document")
        raise InputError("the document has no text", file=path, fix=fix)
    return doc


def decode(data: bytes) -> str:
    """Bytes of a Chinese text file: UTF-8 (with or without BOM), else GB18030 (a superset
    of GBK and GB2312, the encodings of older government pages)."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError:
        raise InputError("the text is neither UTF-8 nor GBK", fix="save it as UTF-8") from None


def _text(path: Path) -> Document:
    try:
        text = decode(path.read_bytes())
    except InputError as exc:
        exc.file = path
        raise
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return Document(path, text, tuple(_pipe_tables(text)))


# A table copied out of a web page into plain text: every cell on its own line ending in "|",
# rows separated by lines holding only "|".
_CELL_LINE = re.compile(r"^[^\n]*\|[ \t]*$", re.M)


def _pipe_tables(text: str) -> list[Table]:
    tables = []
    lines = text.split("\n")
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line) + 1)
    i = 0
    while i < len(lines):
        if not lines[i].rstrip().endswith("|"):
            i += 1
            continue
        j = i
        while j < len(lines) and lines[j].rstrip().endswith("|"):
            j += 1
        cells = [c.strip() for line in lines[i:j] for c in line.rstrip().rstrip("|").split("|")]
        rows: list[list[str]] = [[]]
        for c in cells:
            if c:
                rows[-1].append(" ".join(c.split()))
            elif rows[-1]:
                rows.append([])
        rows = [r for r in rows if r]
        if len(rows) >= 2:
            tables.append(Table(tuple(tuple(r) for r in rows), offsets[i], offsets[j]))
        i = j
    return tables


def _check_docx_parts(path: Path) -> None:
    """Refuse a Word file whose XML parts unpack to more than ``MAX_DOCUMENT_UNPACKED`` (a
    zip bomb: kilobytes that inflate to gigabytes of XML), read from the zip's directory
    before anything is inflated (pictures are not counted)."""
    with zipfile.ZipFile(path) as archive:
        unpacked = sum(info.file_size for info in archive.infolist()
                       if info.filename.lower().endswith((".xml", ".rels")))
    if unpacked > MAX_DOCUMENT_UNPACKED:
        raise InputError(f"the Word file's text unpacks to {unpacked / 2**20:.0f} MB, more "
                         f"than the {MAX_DOCUMENT_UNPACKED // 2**20} MB a plan's may", file=path,
                         fix="open it in Word, save it again as .docx, or give it as .txt")


def _docx(path: Path) -> Document:
    import docx
    from docx.table import Table as DocxTable
    from docx.text.paragraph import Paragraph

    _check_docx_parts(path)
    doc = docx.Document(str(path))
    out = _Builder()
    blocks = 0
    for block in doc.element.body.iterchildren():
        tag = block.tag.rsplit("}", 1)[-1]
        if tag == "p":
            blocks += 1
            out.paragraph(Paragraph(block, doc).text)
        elif tag == "tbl":
            blocks += len(block.findall(f".//{_W}tc"))
            if blocks > MAX_DOCX_BLOCKS:
                break
            table = DocxTable(block, doc)
            rows = []
            for row in table.rows:
                cells, seen = [], set()
                for cell in row.cells:  # a merged cell repeats: keep one copy of it
                    if id(cell._tc) not in seen:
                        seen.add(id(cell._tc))
                        cells.append(cell.text)
                rows.append(cells)
            out.table(rows)
        if blocks > MAX_DOCX_BLOCKS:
            raise InputError(f"the Word file holds more than {MAX_DOCX_BLOCKS:,} paragraphs "
                             "and table cells", file=path,
                             fix="give the part of the plan with the targets")
    return out.document(path)


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
MAX_DOCX_BLOCKS = 200_000  # paragraphs and table cells (a long plan has a few thousand)


def _pdf(path: Path) -> Document:
    import pdfplumber

    out = _Builder()
    with pdfplumber.open(str(path)) as pdf:
        if len(pdf.pages) > MAX_DOCUMENT_PAGES:
            raise InputError(f"the PDF has {len(pdf.pages):,} pages, more than the "
                             f"{MAX_DOCUMENT_PAGES:,} a plan document may", file=path,
                             fix="give the pages of the plan with the targets")
        for page in pdf.pages:
            found = page.find_tables()
            boxes = [t.bbox for t in found]

            def outside(obj: dict, boxes: list = boxes) -> bool:
                x = (obj["x0"] + obj["x1"]) / 2
                y = (obj["top"] + obj["bottom"]) / 2
                return not any(b[0] <= x <= b[2] and b[1] <= y <= b[3] for b in boxes)

            prose = page.filter(outside) if boxes else page
            for paragraph in _pdf_paragraphs(prose.extract_text_lines()):
                out.paragraph(paragraph)
            for t in found:
                out.table([[c or "" for c in row] for row in t.extract()])
    return out.document(path)


def _pdf_paragraphs(lines: list[dict]) -> list[str]:
    """A PDF page's lines joined into paragraphs: a line that reaches the right margin and
    does not end a sentence continues on the next (Chinese needs no space between)."""
    if not lines:
        return []
    right = max(line["x1"] for line in lines)
    paragraphs, current = [], ""

    def size(line: dict) -> float:
        return line["chars"][0]["size"] if line.get("chars") else 10.0

    for i, line in enumerate(lines):
        text = line["text"].strip()
        current += text
        after = lines[i + 1] if i + 1 < len(lines) else None
        ends = (line["x1"] < right - 2 * size(line) or text[-1:] in "。;；:：!！?？"
                or after is None or abs(size(after) - size(line)) > 0.5  # a heading
                or after["top"] - line["bottom"] > 0.8 * size(line))   # a gap between
        if ends:
            paragraphs.append(current)
            current = ""
    if current:
        paragraphs.append(current)
    return paragraphs


_BLOCKS = {"p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "br", "section", "article",
           "td", "th", "tr", "title", "dd", "dt", "blockquote", "pre"}


def _html(path: Path) -> Document:
    import lxml.html

    raw = path.read_bytes()
    head = raw[:2048].decode("ascii", "ignore").lower()
    declared = re.search(r"charset=[\"']?([a-z0-9_-]+)", head)
    if declared and declared.group(1) in ("gbk", "gb2312", "gb18030"):
        text = raw.decode("gb18030", "replace")
    else:
        text = decode(raw)
    root = lxml.html.document_fromstring(text)
    for bad in root.xpath("//script|//style|//noscript|//nav|//header|//footer"):
        bad.drop_tree()
    out = _Builder()
    title = root.findtext(".//title")
    if title:
        out.paragraph(title)
    body = root.find("body")
    _html_walk(body if body is not None else root, out)
    return out.document(path)


def _html_walk(element, out: _Builder) -> None:
    """Paragraphs in reading order; each <table> as rows of cell texts."""
    buffer: list[str] = []

    def flush() -> None:
        out.paragraph("".join(buffer))
        buffer.clear()

    def walk(el) -> None:
        tag = el.tag if isinstance(el.tag, str) else ""
        if tag == "table" and not el.xpath(".//table"):  # a data table, not page layout
            flush()
            rows = []
            for tr in el.iter("tr"):
                rows.append([" ".join(td.text_content().split())
                             for td in tr if getattr(td, "tag", "") in ("td", "th")])
            out.table(rows)
            if el.tail:
                buffer.append(el.tail)
            return
        block = tag in _BLOCKS
        if block:
            flush()
        if el.text:
            buffer.append(el.text)
        for child in el:
            walk(child)
        if block:
            flush()
        if el.tail:
            buffer.append(el.tail)

    walk(element)
    flush()
