"""Reading township spreadsheets: .xlsx / .xlsm / .xls / .ods (python-calamine) and .csv.

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
    # ((first_row, first_col), (last_row, last_col)), 0-based: merged header cells.
    merged: tuple[tuple[tuple[int, int], tuple[int, int]], ...] = ()

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
    """CSV rows all as wide as the widest seen so far (Excel rows are, by the reader)."""
    width = 0
    for row in rows:
        width = max(width, len(row))
        yield row + [""] * (width - len(row)) if len(row) < width else row


def open_table(path: Path, filename: str = "") -> Table:
    """The first sheet of an Excel file, or a CSV file, ready to iterate."""
    suffix = Path(filename or path.name).suffix.lower()
    if suffix not in SUFFIXES:
        raise ReadError(f"不支持的文件类型「{suffix or '无扩展名'}」，请上传 .xlsx、.xls 或 .csv 文件")
    if suffix == ".csv":
        text = _decode_csv(path.read_bytes())
        return Table("CSV", text.count("\n") + 1, _padded(csv.reader(io.StringIO(text))))
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
