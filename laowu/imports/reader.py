"""Reading township spreadsheets: .xlsx / .xlsm / .xls / .ods (python-calamine) and .csv.

.xlsx and .xlsm files are streamed row by row (python-calamine-plus, a fork of python-calamine
that decodes rows straight from the compressed sheet: a 1,000,000-row ledger reads in about
6.6 s in 140 MB, where loading the sheet first takes 9.6 s and 1,231 MB;
docs/decisions/0064-streaming-xlsx.md). A streamed sheet's merged cells are not known (they
are stored after the rows); header detection then spreads group headers itself (headers.py).

Rows come out as lists of normalised strings: full-width digits and spaces turned half-width,
integral floats without ``.0``, dates as ``2026-03-01``, surrounding spaces stripped. What cannot
be read gets a ``ReadError`` whose message says exactly what is wrong, in Chinese.

python-calamine rather than fastexcel: fastexcel hands rows over as Arrow columns, which needs
pyarrow (about 40 MB) to reach Python, and measured here its read plus conversion to Python values
costs about as much as calamine's own row iterator (docs/decisions/0063-import-engine.md).
"""

from __future__ import annotations

import csv
import datetime
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

EXCEL_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")
SUFFIXES = (*EXCEL_SUFFIXES, ".csv")
# Full-width digits, letters X/x, the ideographic space, full-width parentheses and hyphen.
_HALF = {0xFF10 + i: 0x30 + i for i in range(10)} | {0x3000: 0x20, 0xFF38: 0x58, 0xFF58: 0x78, 0xFF0D: 0x2D}
# A float at or above this lost digits: Excel keeps 15 significant digits (an 18-digit ID typed
# as a number ends in zeros). Reported as its own reason by the cleaners.
EXCEL_PRECISION_LIMIT = 1e15
LOST_PRECISION = "\x01lost-precision"


class ReadError(ValueError):
    """The file cannot be read at all (the message is for the user)."""


def normalise(value: Any) -> str:
    """One cell as text, the way every cleaner expects it."""
    if value is None:
        return ""
    if isinstance(value, str):
        if value.isascii():
            return value.strip()
        return value.translate(_HALF).strip()
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        if value.is_integer():
            if abs(value) >= EXCEL_PRECISION_LIMIT:
                return LOST_PRECISION
            return str(int(value))
        return repr(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat(sep=" ")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value).strip()


@dataclass
class Table:
    """One sheet: ``height`` rows (an upper bound for CSV), iterated once by ``rows()``."""

    name: str
    height: int
    _rows: Any
    # ((first_row, first_col), (last_row, last_col)), 0-based: merged header cells; None when
    # the reader cannot know them (a streamed sheet).
    merged: tuple[tuple[tuple[int, int], tuple[int, int]], ...] | None = ()

    def rows(self) -> Iterator[list[str]]:
        for row in self._rows:
            yield [normalise(cell) for cell in row]

    def raw_rows(self) -> Iterator[list[Any]]:
        """Rows as the reader gives them (str, float, date ...): for writers that normalise
        column by column themselves (``normalise`` once per distinct value)."""
        return iter(self._rows)


def _decode_csv(raw: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ReadError("无法识别 CSV 文件的编码（请另存为 UTF-8 或 GBK 编码）")


def _padded(rows: Iterator[list[str]]) -> Iterator[list[str]]:
    """Rows all as wide as the widest seen so far (CSV rows, and streamed Excel rows, may stop
    at their last filled cell; the loading Excel reader pads them itself)."""
    width = 0
    for row in rows:
        n = len(row)
        if n < width:
            row = row + [""] * (width - n)
        elif n > width:
            width = n
        yield row


_ROW_NUMBER = re.compile(rb"<(?:\w+:)?row\s[^>]*?\br=\"([0-9]+)\"")
_DIMENSION = re.compile(rb"<(?:\w+:)?dimension\s+ref=\"(?:[A-Z]+[0-9]+:)?[A-Z]+([0-9]+)\"")


def _xlsx_sheet_rows(path: Path, name: str) -> int | None:
    """How many rows a sheet has, without decompressing it all: the last row of its
    ``<dimension>`` (the writer's own count, at the top of the sheet's XML), else an estimate from
    the XML's size and the rows in its first 256 KB (exact when that is all of it). None if the
    sheet cannot be found. Only progress and planning use it: the rows themselves are counted."""
    import zipfile
    from xml.etree import ElementTree

    main = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    rel = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
    try:
        with zipfile.ZipFile(path) as archive:
            book = ElementTree.fromstring(archive.read("xl/workbook.xml"))
            rid = next((s.get(rel) for s in book.iter(f"{main}sheet") if s.get("name") == name), None)
            rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
            target = next((r.get("Target", "") for r in rels if r.get("Id") == rid), "")
            member = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
            size = archive.getinfo(member).file_size
            with archive.open(member) as sheet:
                prefix = sheet.read(1 << 18)
    except (KeyError, OSError, ValueError, zipfile.BadZipFile, ElementTree.ParseError):
        return None
    found = _DIMENSION.search(prefix[:4096])
    if found:
        return int(found.group(1))
    numbers = _ROW_NUMBER.findall(prefix)
    rows = int(numbers[-1]) if numbers else prefix.count(b"<row")  # rows may skip numbers (blank rows)
    if len(prefix) >= size or not rows:
        return rows
    return round(size * rows / len(prefix))


def _streamed(workbook: Any, stream: Any, errors: Any) -> Iterator[list[Any]]:
    """A sheet's rows from a stream (the workbook is held while it runs); an error mid-file is a
    ``ReadError`` naming the row reached."""
    count = 0
    try:
        for row in stream:
            count += 1
            yield row
    except errors as exc:
        raise ReadError(f"读取到第 {count + 1} 行时文件内容有误（文件可能已损坏）：{str(exc)[:200]}") from None
    del workbook


def _stream_xlsx(path: Path) -> Table | None:
    """The first visible sheet of an .xlsx as a stream, or None where the loading reader must be
    used (the fork is not installed, or the file cannot be streamed)."""
    try:
        import python_calamine_plus as plus
    except ImportError:
        return None
    try:
        workbook = plus.CalamineWorkbook.from_path(str(path))
        visible = [m.name for m in workbook.sheets_metadata if m.visible == plus.SheetVisibleEnum.Visible]
        names = visible or workbook.sheet_names
        if not names:
            return None
        height = _xlsx_sheet_rows(path, names[0])
        if height is None:
            return None
        stream = workbook.stream_sheet_by_name(names[0])
    except (plus.CalamineError, ValueError, OSError):
        return None  # the loading reader says what is wrong
    # Padded: the stream drops a row's trailing blank cells.
    return Table(names[0], height, _padded(_streamed(workbook, stream, plus.CalamineError)), merged=None)


def open_table(path: Path, filename: str = "") -> Table:
    """The first sheet of an Excel file, or a CSV file, ready to iterate."""
    suffix = Path(filename or path.name).suffix.lower()
    if suffix not in SUFFIXES:
        raise ReadError(f"不支持的文件类型「{suffix or '无扩展名'}」，请上传 .xlsx、.xls 或 .csv 文件")
    if suffix == ".csv":
        text = _decode_csv(path.read_bytes())
        return Table("CSV", text.count("\n") + 1, _padded(csv.reader(io.StringIO(text))))
    if suffix in (".xlsx", ".xlsm"):
        streamed = _stream_xlsx(path)
        if streamed is not None:
            return streamed
    from python_calamine import CalamineError, CalamineWorkbook, SheetVisibleEnum

    try:
        workbook = CalamineWorkbook.from_path(str(path))
        visible = [m.name for m in workbook.sheets_metadata if m.visible == SheetVisibleEnum.Visible]
        names = visible or workbook.sheet_names
        if not names:
            raise ReadError("文件中没有工作表")
        sheet = workbook.get_sheet_by_name(names[0])
        merged = tuple(getattr(sheet, "merged_cell_ranges", None) or ())
    except CalamineError as exc:
        raise ReadError(f"无法读取该 Excel 文件（文件可能已损坏或已加密）：{str(exc)[:200]}") from None
    except (ValueError, OSError) as exc:
        raise ReadError(f"无法读取该文件：{str(exc)[:200]}") from None
    return Table(names[0], sheet.height, sheet.iter_rows(), merged)
