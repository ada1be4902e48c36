"""The 外出务工台帐 as a workbook: the import template and the export, in one layout
(``core/xlsx.py``, columns of ``imports/profiles/laowu_stint.json``).

An export made with full ID numbers imports back unchanged: same columns, codes where the
import reads codes, the latest reported wage with its month. Exports add read-only columns
(村组名称, 务工地名称, 输出范围, 务工状态) that an import ignores.
"""

from __future__ import annotations

import datetime
import io
from collections.abc import Iterable, Iterator
from typing import Any

from laowu.core.codetables import code_table
from laowu.core.masking import mask_phone
from laowu.core.xlsx import LedgerBook, SheetColumn
from laowu.imports.profiles import Profile, get_profile
from laowu.placements.choices import Channel, Industry
from laowu.placements.models import Stint
from laowu.regions.models import Region, RegionLevel
from laowu.workers.ledger_xlsx import scope_name, village_rows

PROFILE = "laowu_stint"
TITLE = "劳动力外出务工台帐"
_TEXT_FIELDS = {"id_number", "region", "phone", "destination", "start_date", "end_date", "wage_month"}
EXTRA_COLUMNS = (
    SheetColumn("村组名称", width=30),
    SheetColumn("务工地名称", width=24),
    SheetColumn("输出范围", width=10),
    SheetColumn("务工状态", width=10),
)


def _choices(field: str) -> tuple[str, ...]:
    if field == "channel":
        return tuple(str(label) for _, label in Channel.choices)
    if field == "industry":
        return tuple(str(label) for _, label in Industry.choices)
    if field == "trade":
        return tuple(code_table("trade").names.values())
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


def _destinations() -> Iterator[tuple[str, str]]:
    """Provinces and cities with their codes: what a destination cell usually needs."""
    qs = Region.objects.filter(level__in=(RegionLevel.PROVINCE, RegionLevel.CITY)).exclude(name="市辖区")
    return iter(qs.order_by("code").values_list("code", "full_name"))


def stint_template(*, profile: Profile | None = None, user: Any) -> bytes:
    """An empty away ledger for the user's region: title, two-row header, drop-downs, how to fill
    each column, the villages of the user's subtree and the destination codes."""
    profile = profile or get_profile(PROFILE)
    buffer = io.BytesIO()
    book = LedgerBook(buffer)
    book.ledger_sheet("台帐", f"{scope_name(user)}{TITLE}", ledger_columns(profile))
    book.add_dropdowns(book.next_row, book.next_row + 20000)
    notes = [("列", "填写说明")]
    for column in profile.columns:
        required = "（必填）" if column.required else ""
        allowed = _choices(column.field)
        hint = column.note or (f"可填：{'、'.join(allowed)}" if allowed and len(allowed) <= 12 else "")
        notes.append((column.header + required, hint))
    notes += [
        ("", ""),
        ("导入规则", "整个文件要么全部导入，要么一行也不导入：先“校验”，列出每一行每一列的错误，改正后再“导入”。"),
        ("", "人员须已在劳动力台帐中登记（按身份证号查找，姓名须一致）；未登记的请先导入劳动力台帐。"),
        ("", "同一人、同一外出时间的记录更新已有的务工记录（空白单元格不覆盖原有信息），其余新增。"),
        ("", "同一人的务工时间不能重叠（与已登记的记录、与文件中的其他行都不能重叠）；返乡时间不能早于外出时间。"),
        ("", "输出范围（省外 / 市外省内 / 县外市内 / 乡外县内）由户籍村组与务工地区划代码自动得出。"),
        ("", "导入后，在外务工的人员劳动力状态为“外出务工”（就地转移为“本地务工”），已返乡的为“返乡”。"),
        ("", "Excel 中身份证号列须为“文本”格式，否则后几位会丢失。"),
    ]
    book.notes_sheet("填表说明", notes)
    book.list_sheet("村组代码", ("区划代码", "村组名称"), village_rows(user))
    book.list_sheet("务工地代码", ("区划代码", "省、市名称"), _destinations())
    book.close()
    return buffer.getvalue()


def _money(value: Any) -> Any:
    if value is None:
        return ""
    return int(value) if value == int(value) else float(value)


def stint_row(stint: Stint, *, full: bool) -> list[Any]:
    """One stint as a ledger row, in the template's column order plus the read-only columns.
    ``latest_wage_month`` / ``latest_wage`` are annotated by the export's queryset."""
    person = stint.person
    wage_month = getattr(stint, "latest_wage_month", None)
    destination = stint.destination
    return [
        person.name,
        person.id_number if full else person.id_number_masked,
        person.region_id,
        person.phone if full else mask_phone(person.phone),
        stint.get_channel_display(),
        stint.destination_id,
        stint.employer_name,
        stint.agency.name if stint.agency_id and stint.agency else "",
        stint.get_industry_display() if stint.industry else "",
        code_table("trade").name(stint.trade) if stint.trade else "",
        stint.occupation,
        stint.start_date.isoformat(),
        stint.end_date.isoformat() if stint.end_date else "",
        stint.end_reason,
        _money(getattr(stint, "latest_wage", None)),
        f"{wage_month:%Y-%m}" if wage_month else "",
        stint.notes,
        person.region.full_name or person.region.name,
        destination.full_name or destination.name,
        stint.get_destination_scope_display(),
        "在外务工" if stint.end_date is None or stint.end_date >= datetime.date.today() else "已返乡",
    ]


def write_stints_xlsx(path: Any, stints: Iterable[Stint], *, title: str, full: bool) -> int:
    """Write an export workbook to ``path`` row by row (constant memory); returns the row count."""
    profile = get_profile(PROFILE)
    book = LedgerBook(str(path), constant_memory=True)
    book.ledger_sheet("台帐", title, [*ledger_columns(profile), *EXTRA_COLUMNS])
    count = 0
    for stint in stints:
        book.write_row(stint_row(stint, full=full))
        count += 1
    book.close()
    return count


def export_headers() -> list[str]:
    return [c.header for c in get_profile(PROFILE).columns] + [c.header for c in EXTRA_COLUMNS]
