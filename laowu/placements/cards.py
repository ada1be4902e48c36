"""Printable cards as PDF (reportlab, built-in CID font STSong-Light, no font files needed):
the information archive card (信息档案卡) and the contact card (联系卡), for one person or for
every member of a batch. ID and phone numbers are masked unless the user may see them."""

from __future__ import annotations

import io
from typing import Any

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

from laowu.core.masking import can_view_sensitive, mask_phone

FONT = "STSong-Light"
pdfmetrics.registerFont(UnicodeCIDFont(FONT))


def _numbers(person: Any, user: Any) -> tuple[str, str]:
    if can_view_sensitive(user):
        return person.id_number, person.phone
    return person.id_number_masked, mask_phone(person.phone)


def _table(c: canvas.Canvas, x: float, y: float, rows: list[tuple[str, str]], label_w: float, width: float) -> float:
    height = 9 * mm
    for label, value in rows:
        c.rect(x, y - height, label_w, height)
        c.rect(x + label_w, y - height, width - label_w, height)
        c.setFont(FONT, 10.5)
        c.drawString(x + 2 * mm, y - 6 * mm, label)
        c.drawString(x + label_w + 2 * mm, y - 6 * mm, value[:48])
        y -= height
    return y


def _archive_card(c: canvas.Canvas, person: Any, app: Any, stint: Any, user: Any) -> None:
    id_number, phone = _numbers(person, user)
    width, height = A4
    c.setFont(FONT, 18)
    c.drawCentredString(width / 2, height - 25 * mm, "外出务工人员信息档案卡")
    c.setFont(FONT, 10)
    c.drawCentredString(width / 2, height - 32 * mm, person.region.full_name or person.region.name)
    order = app.job_order if app else None
    rows = [
        ("姓名", person.name),
        ("性别 / 出生日期", f"{person.get_sex_display()} / {person.birth_date:%Y-%m-%d}"),
        ("公民身份号码", id_number),
        ("民族 / 文化程度", f"{person.get_ethnicity_display()} / {person.get_education_display() or '—'}"),
        ("健康状况 / 政治面貌", f"{person.get_health_display()} / {person.get_political_status_display()}"),
        ("联系电话", phone or "—"),
        ("户籍住址", person.region.full_name or person.region.name),
        ("家庭联系人", f"{app.emergency_contact} {app.emergency_phone}" if app else "—"),
        (
            "技能（工种）",
            "、".join(person.get_trades_display())
            if hasattr(person, "get_trades_display")
            else "、".join(person.trades) or "—",
        ),
        (
            "用工单位 / 岗位",
            f"{stint.employer_name if stint else (order.party_name if order else '—')} / {order.title if order else (stint.occupation if stint else '—')}",
        ),
        ("务工地", (stint.destination.full_name if stint else (order.place_region.full_name if order else "—")) or "—"),
        (
            "输出渠道 / 范围",
            f"{stint.get_channel_display()} / {stint.get_destination_scope_display()}" if stint else "有组织输出",
        ),
        ("批次 / 出发日期", f"{app.batch.name} / {app.batch.departure_date:%Y-%m-%d}" if app and app.batch else "—"),
        (
            "就业合同",
            f"{app.contract_term_months} 个月，{app.contract_wage} 元/月，保底 {app.guaranteed_wage or '—'} 元/月"
            if app and app.contract_signed_on
            else "—",
        ),
        (
            "到岗日期",
            f"{app.arrived_on:%Y-%m-%d}"
            if app and app.arrived_on
            else (f"{stint.start_date:%Y-%m-%d}" if stint else "—"),
        ),
    ]
    _table(c, 20 * mm, height - 40 * mm, rows, 42 * mm, width - 40 * mm)
    c.setFont(FONT, 9)
    c.drawString(20 * mm, 20 * mm, "本卡由乡镇劳务工作站建立，用于跟踪调查和后续服务，请妥善保管，不得外传。")


def _contact_card(c: canvas.Canvas, person: Any, app: Any, user: Any, top: float) -> None:
    """A half-page contact card (two per A4 page when printing a batch)."""
    width, _ = A4
    batch = app.batch if app else None
    order = app.job_order if app else None
    _, phone = _numbers(person, user)
    c.setFont(FONT, 15)
    c.drawCentredString(width / 2, top - 12 * mm, "外出务工人员联系卡")
    rows = [
        ("持卡人", f"{person.name}　电话 {phone or '—'}"),
        ("家庭联系人", f"{app.emergency_contact} {app.emergency_phone}" if app and app.emergency_contact else "—"),
        ("用工单位 / 岗位", f"{order.party_name} / {order.title}" if order else "—"),
        ("乡镇劳务工作站", batch.station_phone if batch and batch.station_phone else "—"),
        ("护送人员", f"{batch.escort_name} {batch.escort_phone}" if batch and batch.escort_name else "—"),
        (
            "中介驻厂管理人员",
            f"{batch.onsite_manager} {batch.onsite_manager_phone}" if batch and batch.onsite_manager else "—",
        ),
        ("劳务基地联系人", f"{batch.base_contact} {batch.base_contact_phone}" if batch and batch.base_contact else "—"),
    ]
    y = _table(c, 25 * mm, top - 18 * mm, rows, 40 * mm, width - 50 * mm)
    c.setFont(FONT, 9)
    c.drawString(25 * mm, y - 6 * mm, "遇劳资纠纷、工资拖欠或人身伤害，请及时与工作站或驻厂管理人员联系，依法维权。")


def cards_pdf(*, kind: str, entries: list[tuple[Any, Any, Any]], user: Any) -> bytes:
    """``entries``: (person, application or None, stint or None). ``kind``: archive | contact."""
    buffer = io.BytesIO()
    c = canvas.Canvas(buffer, pagesize=A4)
    c.setTitle("信息档案卡" if kind == "archive" else "联系卡")
    _, height = A4
    for index, (person, app, stint) in enumerate(entries):
        if kind == "archive":
            _archive_card(c, person, app, stint, user)
            c.showPage()
        else:
            top = height - 10 * mm if index % 2 == 0 else height / 2 - 5 * mm
            _contact_card(c, person, app, user, top)
            if index % 2 == 1 or index == len(entries) - 1:
                c.showPage()
    if not entries:
        c.setFont(FONT, 14)
        c.drawString(30 * mm, height - 30 * mm, "没有可打印的人员。")
        c.showPage()
    c.save()
    return buffer.getvalue()
