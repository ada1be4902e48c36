"""Workbooks in the township ledger layout (xlsxwriter): a title row, a two-row header with
group cells merged over their columns, text-formatted number columns (an ID number stays 18
digits), frozen header. Import templates and exports share it, so an export can be imported.

Exports stream: ``constant_memory`` writes each row to disk as it comes, so a million-row export
holds one row in memory; the file lives in the data folder's ``exports/`` until sent, then is
deleted (SECURITY.md item 24).
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import xlsxwriter

from laowu.db import data_dir


@dataclass(frozen=True)
class SheetColumn:
    header: str
    group: str = ""
    width: int = 12
    text: bool = False  # stored as text: ID numbers, phones, codes
    note: str = ""
    choices: Sequence[str] = ()  # offered as a drop-down in templates


class LedgerBook:
    """One workbook with a ledger sheet first (the sheet an import reads)."""

    def __init__(self, target: Any, *, constant_memory: bool = False) -> None:
        options = {"constant_memory": constant_memory, "strings_to_numbers": False, "strings_to_formulas": False}
        if not constant_memory:
            options["in_memory"] = True
        self.book = xlsxwriter.Workbook(target, options)
        self.title_format = self.book.add_format(
            {"bold": True, "font_size": 16, "align": "center", "valign": "vcenter"}
        )
        self.head_format = self.book.add_format(
            {
                "bold": True,
                "align": "center",
                "valign": "vcenter",
                "text_wrap": True,
                "border": 1,
                "bg_color": "#DCE6F1",
            }
        )
        self.text_format = self.book.add_format({"num_format": "@"})
        self.constant_memory = constant_memory
        self.sheet: Any = None
        self.columns: Sequence[SheetColumn] = ()
        self.next_row = 0

    def ledger_sheet(self, name: str, title: str, columns: Sequence[SheetColumn], subtitle: str = "") -> Any:
        """Add the ledger sheet with its title and header; rows then go in with ``write_row``."""
        sheet = self.book.add_worksheet(name)
        self.sheet, self.columns = sheet, columns
        last = max(len(columns) - 1, 0)
        sheet.set_row(0, 30)
        if last:
            sheet.merge_range(0, 0, 0, last, title, self.title_format)
        else:
            sheet.write(0, 0, title, self.title_format)
        row = 1
        if subtitle:
            sheet.write(1, 0, subtitle)
            row = 2
        top, bottom = row, row + 1
        grouped = any(c.group for c in columns)
        for index, column in enumerate(columns):
            sheet.set_column(index, index, column.width, self.text_format if column.text else None)
        if not grouped:
            for index, column in enumerate(columns):
                sheet.write(top, index, column.header, self.head_format)
            self.next_row = top + 1
        elif self.constant_memory:
            # Rows are written in order and a row is final once the next one starts, so a cell
            # merged down both header rows cannot be written: a single column's header goes in
            # the lower row (what an import reads first), under a blank cell of the same format.
            index = 0
            while index < len(columns):
                group = columns[index].group
                end = index
                while group and end + 1 < len(columns) and columns[end + 1].group == group:
                    end += 1
                if end > index:
                    sheet.merge_range(top, index, top, end, group, self.head_format)
                else:
                    sheet.write(top, index, group, self.head_format)
                index = end + 1
            for index, column in enumerate(columns):
                sheet.write(bottom, index, column.header, self.head_format)
            sheet.set_row(bottom, 30)
            self.next_row = bottom + 1
        else:
            index = 0
            while index < len(columns):
                group = columns[index].group
                end = index
                while group and end + 1 < len(columns) and columns[end + 1].group == group:
                    end += 1
                if not group:
                    sheet.merge_range(top, index, bottom, index, columns[index].header, self.head_format)
                else:
                    if end > index:
                        sheet.merge_range(top, index, top, end, group, self.head_format)
                    else:
                        sheet.write(top, index, group, self.head_format)
                    for sub in range(index, end + 1):
                        sheet.write(bottom, sub, columns[sub].header, self.head_format)
                index = end + 1
            sheet.set_row(bottom, 30)
            self.next_row = bottom + 1
        sheet.freeze_panes(self.next_row, 0)
        return sheet

    def write_row(self, values: Sequence[Any]) -> None:
        for index, value in enumerate(values):
            if value is None or value == "":
                continue
            if isinstance(value, str):
                self.sheet.write_string(self.next_row, index, value)
            else:
                self.sheet.write(self.next_row, index, value)
        self.next_row += 1

    def add_dropdowns(self, first_row: int, last_row: int, lists_sheet: str = "代码表") -> None:
        """Drop-down lists (data validation) for the columns with ``choices``, read from a sheet
        of lists (Excel limits an inline list to 255 characters)."""
        lists = self.book.add_worksheet(lists_sheet)
        col = 0
        for index, column in enumerate(self.columns):
            if not column.choices:
                continue
            lists.write(0, col, column.header, self.head_format)
            for offset, choice in enumerate(column.choices, start=1):
                lists.write_string(offset, col, choice)
            letter = xlsxwriter.utility.xl_col_to_name(col)
            self.sheet.data_validation(
                first_row,
                index,
                last_row,
                index,
                {
                    "validate": "list",
                    "source": f"='{lists_sheet}'!${letter}$2:${letter}${len(column.choices) + 1}",
                    "error_type": "warning",
                    "error_message": "请从下拉列表中选择，或按填表说明填写",
                },
            )
            lists.set_column(col, col, max(column.width, 12))
            col += 1

    def notes_sheet(self, name: str, lines: Iterable[Sequence[str]]) -> None:
        sheet = self.book.add_worksheet(name)
        sheet.set_column(0, 0, 18)
        sheet.set_column(1, 1, 90)
        for row, line in enumerate(lines):
            for col, text in enumerate(line):
                sheet.write_string(row, col, text, self.head_format if row == 0 else None)

    def list_sheet(self, name: str, header: Sequence[str], rows: Iterable[Sequence[str]]) -> None:
        sheet = self.book.add_worksheet(name)
        for col, text in enumerate(header):
            sheet.write_string(0, col, text, self.head_format)
            sheet.set_column(col, col, 16 if col == 0 else 40, self.text_format)
        for row, values in enumerate(rows, start=1):
            for col, value in enumerate(values):
                sheet.write_string(row, col, str(value))

    def close(self) -> None:
        self.book.close()


def exports_dir() -> Path:
    path = data_dir() / "exports"
    path.mkdir(parents=True, exist_ok=True)
    return path


@contextlib.contextmanager
def export_file(suffix: str = ".xlsx") -> Iterator[Path]:
    """A temporary file in the data folder for one export; removed if the export fails."""
    handle, name = tempfile.mkstemp(prefix="export-", suffix=suffix, dir=exports_dir())
    os.close(handle)
    path = Path(name)
    try:
        yield path
    except BaseException:
        path.unlink(missing_ok=True)
        raise


class DeleteOnClose:
    """A file object that deletes its file when closed (FileResponse closes it when sent)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.handle = open(path, "rb")

    def read(self, size: int = -1) -> bytes:
        return self.handle.read(size)

    def close(self) -> None:
        self.handle.close()
        self.path.unlink(missing_ok=True)

    def __iter__(self) -> Iterator[bytes]:
        while chunk := self.handle.read(1 << 16):
            yield chunk
