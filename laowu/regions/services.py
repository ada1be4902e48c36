"""Writes to the region tree: the national load and a county's village list."""

from __future__ import annotations

import csv
import functools
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import connection, transaction
from pypinyin import Style, lazy_pinyin

from laowu.regions.models import LEVEL_BY_LENGTH, Region, RegionLevel

DATA_DIR = Path(__file__).resolve().parent / "data"
_SKIP_IN_FULL_NAME = {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"}


def pinyin_initials(name: str) -> str:
    return "".join(lazy_pinyin(name, style=Style.FIRST_LETTER)).lower()[:100]


@functools.cache
def _national_rows() -> list[tuple[str, str, int, str, str, str]]:
    return list(_read_national_rows())


def _read_national_rows() -> Iterable[tuple[str, str, int, str, str, str]]:
    """(code, name, level, parent, full_name, pinyin) for provinces to townships, parents first."""
    names: dict[str, str] = {}
    full: dict[str, str] = {Region.ROOT_CODE: ""}
    files = [
        ("provinces.csv", RegionLevel.PROVINCE, None),
        ("cities.csv", RegionLevel.CITY, "provinceCode"),
        ("areas.csv", RegionLevel.COUNTY, "cityCode"),
        ("streets.csv", RegionLevel.TOWNSHIP, "areaCode"),
    ]
    for filename, level, parent_column in files:
        with open(DATA_DIR / filename, encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                code, name = row["code"], row["name"]
                parent = row[parent_column] if parent_column else Region.ROOT_CODE
                if parent not in full:
                    continue  # an orphan in the source data: skip rather than break the tree
                names[code] = name
                full[code] = full[parent] + ("" if name in _SKIP_IN_FULL_NAME else name)
                yield code, name, int(level), parent, full[code], pinyin_initials(name)


def regions_load_national() -> int:
    """Load (or reload) the national tree down to townships with COPY. Idempotent."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO regions_region (code, name, level, parent_id, full_name, pinyin_initials,"
            " is_poor_village, is_paired_aid_village, paired_unit, is_demo)"
            " VALUES (%s, '全国', 0, NULL, '', 'qg', false, false, '', false) ON CONFLICT (code) DO NOTHING",
            [Region.ROOT_CODE],
        )
        cursor.execute(
            "CREATE TEMP TABLE region_load (code varchar(15), name varchar(100), level smallint,"
            " parent_id varchar(15), full_name varchar(300), pinyin_initials varchar(100)) ON COMMIT DROP"
        )
        count = 0
        with cursor.cursor.copy("COPY region_load FROM STDIN") as copy:
            for row in _national_rows():
                copy.write_row(row)
                count += 1
        cursor.execute(
            "INSERT INTO regions_region (code, name, level, parent_id, full_name, pinyin_initials,"
            " is_poor_village, is_paired_aid_village, paired_unit, is_demo)"
            " SELECT code, name, level, parent_id, full_name, pinyin_initials, false, false, '', false"
            " FROM region_load ORDER BY length(code), code"
            " ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name, full_name = EXCLUDED.full_name,"
            " pinyin_initials = EXCLUDED.pinyin_initials"
        )
    return count


@dataclass
class RowError:
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        return f"第 {self.row} 行「{self.column}」：{self.message}"


@dataclass
class VillageLoadResult:
    created: int = 0
    updated: int = 0
    errors: list[RowError] = field(default_factory=list)
    dry_run: bool = False


_TRUE = {"1", "是", "y", "yes", "true", "√", "✓"}
COLUMN_ALIASES = {
    "code": ("code", "区划代码", "代码", "统计用区划代码"),
    "name": ("name", "名称", "村名", "村（社区）名称", "村名称"),
    "poor": ("poor", "贫困村", "is_poor_village"),
    "paired": ("paired", "挂钩扶贫村", "is_paired_aid_village"),
    "paired_unit": ("paired_unit", "挂钩单位"),
}


def _normalise(value: Any) -> str:
    text = "" if value is None else str(value)
    # Full-width digits and spaces are common in township spreadsheets.
    text = text.translate({0x3000: 0x20, **{0xFF10 + i: 0x30 + i for i in range(10)}})
    if text.endswith(".0") and text[:-2].isdigit():
        text = text[:-2]  # a code read from Excel as a float
    return text.strip()


def read_table(path: Path) -> list[list[str]]:
    """Read a CSV or Excel sheet into rows of normalised strings."""
    if path.suffix.lower() == ".csv":
        raw = path.read_bytes()
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                text = raw.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise ValueError("无法识别文件编码（请使用 UTF-8 或 GBK）")
        return [[_normalise(c) for c in row] for row in csv.reader(text.splitlines())]
    from python_calamine import CalamineWorkbook

    sheet = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0)
    return [[_normalise(c) for c in row] for row in sheet.to_python()]


def villages_load(
    *, rows: list[list[str]], dry_run: bool = False, is_demo: bool = False, scope: str = ""
) -> VillageLoadResult:
    """Load villages (12-digit) and groups (15-digit) under existing townships/villages.

    All-or-nothing: any error and nothing is written; every error names row, column and reason.
    ``scope`` is the loading user's region prefix: rows outside it are errors.
    """
    result = VillageLoadResult(dry_run=dry_run)
    if not rows:
        result.errors.append(RowError(1, "表头", "文件为空"))
        return result
    header = rows[0]
    columns: dict[str, int] = {}
    for key, aliases in COLUMN_ALIASES.items():
        for index, title in enumerate(header):
            if title in aliases:
                columns[key] = index
                break
    for required, label in (("code", "区划代码"), ("name", "名称")):
        if required not in columns:
            result.errors.append(RowError(1, label, "缺少此列"))
    if result.errors:
        return result

    def cell(row: list[str], key: str) -> str:
        index = columns.get(key)
        return _normalise(row[index]) if index is not None and index < len(row) else ""

    parsed: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    for number, row in enumerate(rows[1:], start=2):
        if not any(row):
            continue
        code, name = cell(row, "code"), cell(row, "name")
        if not code.isdigit() or len(code) not in (12, 15):
            result.errors.append(RowError(number, "区划代码", f"「{code}」不是 12 位村级或 15 位组级代码"))
            continue
        if not name:
            result.errors.append(RowError(number, "名称", "不能为空"))
            continue
        if not code.startswith(scope):
            result.errors.append(RowError(number, "区划代码", f"「{code}」不在您的管辖范围内"))
            continue
        if code in seen:
            result.errors.append(RowError(number, "区划代码", f"与第 {seen[code]} 行重复"))
            continue
        seen[code] = number
        parsed.append(
            {
                "row": number,
                "code": code,
                "name": name[:100],
                "poor": cell(row, "poor").lower() in _TRUE,
                "paired": cell(row, "paired").lower() in _TRUE,
                "paired_unit": cell(row, "paired_unit")[:100],
            }
        )
    parent_codes = {item["code"][:9] if len(item["code"]) == 12 else item["code"][:12] for item in parsed}
    existing_parents = dict(Region.objects.filter(code__in=parent_codes).values_list("code", "full_name"))
    for item in parsed:
        parent = item["code"][:9] if len(item["code"]) == 12 else item["code"][:12]
        if parent not in existing_parents and parent not in seen:
            result.errors.append(RowError(item["row"], "区划代码", f"上级区划 {parent} 不存在"))
    if result.errors or dry_run:
        result.created = sum(1 for _ in parsed) if not result.errors else 0
        return result

    existing = set(Region.objects.filter(code__in=seen).values_list("code", flat=True))
    with transaction.atomic():
        for item in sorted(parsed, key=lambda i: len(i["code"])):
            parent = item["code"][:9] if len(item["code"]) == 12 else item["code"][:12]
            parent_full = existing_parents.get(parent)
            if parent_full is None:
                parent_full = Region.objects.get(code=parent).full_name
                existing_parents[parent] = parent_full
            defaults = {
                "name": item["name"],
                "level": LEVEL_BY_LENGTH[len(item["code"])],
                "parent_id": parent,
                "full_name": (parent_full + item["name"])[:300],
                "pinyin_initials": pinyin_initials(item["name"]),
                "is_poor_village": item["poor"],
                "is_paired_aid_village": item["paired"],
                "paired_unit": item["paired_unit"],
                "is_demo": is_demo,
            }
            Region.objects.update_or_create(code=item["code"], defaults=defaults)
            existing_parents[item["code"]] = defaults["full_name"]
        result.created = len(parsed) - len(existing)
        result.updated = len(existing)
    return result
