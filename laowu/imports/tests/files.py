"""Spreadsheets as townships make them, for the import tests."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import xlsxwriter

from laowu.core import idcard

HEADER_GROUPS = [
    ("", "序号"),
    ("基本情况", "姓名"),
    ("基本情况", "身份证号"),
    ("基本情况", "所在村组"),
    ("家庭情况", "户编号"),
    ("家庭情况", "与户主关系"),
    ("家庭情况", "贫困状态"),
    ("个人情况", "民族"),
    ("个人情况", "文化程度"),
    ("个人情况", "联系电话"),
    ("就业情况", "技能（工种）"),
    ("就业情况", "劳动力状态"),
    ("外出意向", "有外出意愿"),
    ("外出意向", "意向务工地"),
    ("", "备注"),
]


def person_id(index: int, prefix: str = "620723", age: int = 30) -> str:
    """A distinct valid ID number for row ``index`` (0 <= index < 500,000)."""
    birth = datetime.date(datetime.date.today().year - age, 1, 1) + datetime.timedelta(days=index // 500)
    return idcard.make(prefix, birth, (index % 500) * 2 + 1)


def person_row(index: int, village: str, **overrides: Any) -> list[Any]:
    """One data row in HEADER_GROUPS order."""
    values = {
        "序号": index + 1,
        "姓名": f"王{'明华强军芳'[index % 5]}{'一二三四五六七八九十'[index % 10]}",
        "身份证号": person_id(index),
        "所在村组": village,
        "户编号": f"H{index // 3:05d}",
        "与户主关系": "户主" if index % 3 == 0 else "子",
        "贫困状态": "脱贫户" if (index // 3) % 4 == 0 else "一般户",
        "民族": "汉族",
        "文化程度": "初中",
        "联系电话": f"139{index:08d}",
        "技能（工种）": "瓦工、电工" if index % 2 else "",
        "劳动力状态": "富余劳动力",
        "有外出意愿": "是",
        "意向务工地": "44",
        "备注": "",
    }
    values.update(overrides)
    return [values[h] for _, h in HEADER_GROUPS]


def township_xlsx(
    path: Path,
    rows: Sequence[Sequence[Any]],
    *,
    title: str = "沙河镇农村劳动力资源台帐",
    two_row_header: bool = True,
    header: Sequence[tuple[str, str]] = HEADER_GROUPS,
    footer: str = "填表人：张丽    审核人：王强    2026年11月20日",
    blank_rows_at: Sequence[int] = (),
) -> Path:
    """A ledger as a township makes it: a title row, a unit line, a merged two-row header,
    data with blank rows, a footer."""
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("台帐")
    sheet.merge_range(0, 0, 0, len(header) - 1, title)
    sheet.write(1, 0, "填报单位：沙河镇劳务工作站")
    top = 2
    if two_row_header:
        col = 0
        while col < len(header):
            group = header[col][0]
            end = col
            while group and end + 1 < len(header) and header[end + 1][0] == group:
                end += 1
            if not group:
                sheet.merge_range(top, col, top + 1, col, header[col][1])
            else:
                if end > col:
                    sheet.merge_range(top, col, top, end, group)
                else:
                    sheet.write(top, col, group)
                for sub in range(col, end + 1):
                    sheet.write(top + 1, sub, header[sub][1])
            col = end + 1
        row = top + 2
    else:
        for col, (_, text) in enumerate(header):
            sheet.write(top, col, text)
        row = top + 1
    blanks = set(blank_rows_at)
    for index, values in enumerate(rows):
        if index in blanks:
            row += 1
        for col, value in enumerate(values):
            if isinstance(value, str):
                sheet.write_string(row, col, value)
            elif value is not None:
                sheet.write(row, col, value)
        row += 1
    if footer:
        sheet.write(row + 1, 0, footer)
    book.close()
    return path


def first_data_row(two_row_header: bool = True) -> int:
    """The Excel row number of the first data row in ``township_xlsx``."""
    return 5 if two_row_header else 4


def simple_xlsx(path: Path, header: Sequence[str], rows: Sequence[Sequence[Any]]) -> Path:
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("Sheet1")
    sheet.write_row(0, 0, list(header))
    for index, values in enumerate(rows, start=1):
        for col, value in enumerate(values):
            if isinstance(value, str):
                sheet.write_string(index, col, value)
            elif value is not None:
                sheet.write(index, col, value)
    book.close()
    return path
