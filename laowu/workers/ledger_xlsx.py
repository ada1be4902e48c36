"""The registry's spreadsheets: import templates and exports in one layout (``core/xlsx.py``).

The columns are the import profile's (``imports/profiles/laowu_person.json``), so an export made
by a user who may see full ID numbers imports back unchanged; exports add read-only columns
(性别, 出生日期, 年龄, 村组名称) that an import ignores.
"""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Iterable, Iterator
from typing import Any

from laowu.core.codetables import code_table
from laowu.core.masking import mask_phone
from laowu.core.scope import scope_prefix
from laowu.core.xlsx import LedgerBook, SheetColumn
from laowu.imports.profiles import Profile, get_profile
from laowu.regions.models import Region, RegionLevel
from laowu.workers.models import LaborStatus, Person, PovertyStatus
from laowu.workers.selectors import Ledger

PROFILE = "laowu_person"
_TEXT_FIELDS = {"id_number", "region", "household_number", "phone", "preferred_destinations", "available_from"}
_CODED = {
    "ethnicity": "ethnicity",
    "education": "education",
    "health": "health",
    "political_status": "political",
    "relation_to_head": "relation",
}
EXTRA_COLUMNS = (
    SheetColumn("性别", width=6),
    SheetColumn("出生日期", width=12, text=True),
    SheetColumn("年龄", width=6),
    SheetColumn("村组名称", width=30),
)
VILLAGE_LIST_LIMIT = 5000


def _choices(field: str) -> tuple[str, ...]:
    if field in _CODED:
        return tuple(code_table(_CODED[field]).names.values())
    if field == "labor_status":
        return tuple(str(label) for _, label in LaborStatus.choices)
    if field == "poverty_status":
        return tuple(str(label) for _, label in PovertyStatus.choices)
    if field == "wants_to_go_out":
        return ("是", "否")
    return ()


def ledger_columns(profile: Profile) -> list[SheetColumn]:
    return [
        SheetColumn(
            header=c.header,
            group=c.group,
            width=c.width,
            text=c.field in _TEXT_FIELDS,
            note=c.note,
            choices=_choices(c.field),
        )
        for c in profile.columns
    ]


def scope_name(user: Any) -> str:
    region = Region.objects.filter(code=getattr(user, "region_id", "")).only("name").first()
    return region.name if region and region.code != Region.ROOT_CODE else ""


def village_rows(user: Any) -> Iterator[tuple[str, str]]:
    prefix = scope_prefix(user)
    if prefix is None:
        return iter(())
    qs = Region.objects.filter(level__in=(RegionLevel.VILLAGE, RegionLevel.GROUP), code__startswith=prefix)
    return iter(qs.order_by("code").values_list("code", "full_name")[:VILLAGE_LIST_LIMIT])


def ledger_template(*, profile: Profile | None = None, ledger: str = Ledger.RESOURCE, user: Any) -> bytes:
    """An empty ledger for the user's region: title, two-row header, drop-downs, the villages
    of the user's subtree with their codes, and how to fill each column."""
    profile = profile or get_profile(PROFILE)
    buffer = io.BytesIO()
    book = LedgerBook(buffer)
    columns = ledger_columns(profile)
    title = f"{scope_name(user)}{Ledger.LABELS.get(ledger, Ledger.LABELS[Ledger.RESOURCE])}"
    book.ledger_sheet("台帐", title, columns)
    first_data_row = book.next_row
    notes = [("列", "填写说明")]
    for column in profile.columns:
        required = "（必填）" if column.required else ""
        allowed = _choices(column.field)
        hint = column.note or (f"可填：{'、'.join(allowed)}" if allowed and len(allowed) <= 12 else "")
        if column.field in _CODED and len(allowed) > 12:
            hint = hint or "从下拉列表选择（见“代码表”）"
        notes.append((column.header + required, hint))
    notes += [
        ("", ""),
        ("导入规则", "整个文件要么全部导入，要么一行也不导入：先“校验”，列出每一行每一列的错误，改正后再“导入”。"),
        ("", "同一身份证号在一个文件中只能出现一次；已登记的人员按所选方式更新、跳过或报错。"),
        ("", "更新已登记人员时，空白单元格不会清空原有信息。标题行、空行和“填表人”等落款行会被跳过。"),
        ("", "性别和出生日期由身份证号得出。Excel 中身份证号列须为“文本”格式，否则后几位会丢失。"),
    ]
    if ledger == Ledger.SURPLUS:
        notes.append(("", "富余劳动力台帐：未填“劳动力状态”的新登记人员记为“富余劳动力”。"))
    book.notes_sheet("填表说明", notes)
    book.list_sheet("村组代码", ("区划代码", "村组名称"), village_rows(user))
    book.add_dropdowns(first_data_row, first_data_row + 20000)  # its lists sheet goes last
    book.close()
    return buffer.getvalue()


def _age(birth: datetime.date, today: datetime.date) -> int:
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


def person_row(person: Person, *, full: bool, today: datetime.date) -> list[Any]:
    """One person as a ledger row, in the template's column order plus the read-only columns."""
    household = person.household
    names = {key: code_table(table).name(getattr(person, key)) for key, table in _CODED.items()}
    trade = code_table("trade")
    return [
        person.name,
        person.id_number if full else person.id_number_masked,
        person.region_id,
        household.number if household else "",
        names["relation_to_head"],
        PovertyStatus(household.poverty_status).label if household else "",
        names["ethnicity"],
        names["education"],
        names["health"],
        names["political_status"],
        person.phone if full else mask_phone(person.phone),
        "、".join(trade.name(c) or c for c in person.trades),
        LaborStatus(person.labor_status).label if person.labor_status in LaborStatus.values else person.labor_status,
        "是" if person.wants_to_go_out else "否",
        "、".join(person.preferred_destinations),
        "、".join(trade.name(c) or c for c in person.preferred_trades),
        person.available_from.isoformat() if person.available_from else "",
        person.notes,
        "男" if person.sex == "1" else "女",
        person.birth_date.isoformat(),
        _age(person.birth_date, today),
        person.region.full_name or person.region.name,
    ]


def export_headers(profile: Profile | None = None) -> list[str]:
    profile = profile or get_profile(PROFILE)
    return [c.header for c in profile.columns] + [c.header for c in EXTRA_COLUMNS]


def write_people_xlsx(path: Any, people: Iterable[Person], *, title: str, full: bool) -> int:
    """Write an export workbook to ``path`` row by row (constant memory); returns the row count."""
    profile = get_profile(PROFILE)
    book = LedgerBook(str(path), constant_memory=True)
    book.ledger_sheet("台帐", title, [*ledger_columns(profile), *EXTRA_COLUMNS])
    today = datetime.date.today()
    count = 0
    for person in people:
        book.write_row(person_row(person, full=full, today=today))
        count += 1
    book.close()
    return count


class _Echo:
    def write(self, value: str) -> str:
        return value


def people_csv_lines(people: Iterable[Person], *, full: bool) -> Iterator[str]:
    """CSV lines (UTF-8 with BOM so Excel opens it in Chinese), streamed."""
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow(export_headers())
    today = datetime.date.today()
    for person in people:
        yield writer.writerow(person_row(person, full=full, today=today))
