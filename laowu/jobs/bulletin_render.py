"""A bulletin issue as a printable PDF (reportlab, built-in CID font STSong-Light: no font file
to ship) and as a Word document (python-docx). Both render the items' snapshots, so a printed
issue never changes after the fact."""

from __future__ import annotations

import io
from typing import Any

from laowu.jobs.models import Bulletin
from laowu.jobs.selectors import bulletin_items

FONT = "STSong-Light"

# (label, snapshot key) lines printed under each item's heading.
ITEM_LINES = (
    ("招用人数", "headcount"),
    ("工作地点", "place"),
    ("月工资", "wage"),
    ("保底工资", "guaranteed_wage"),
    ("招用条件", "requirements"),
    ("待遇", "terms"),
    ("交通安排", "travel"),
    ("工作内容", "description"),
    ("报名截止", "deadline"),
    ("报名咨询", "contact"),
)


def _heading(item: dict[str, Any]) -> str:
    party = " / ".join(p for p in (item.get("employer"), item.get("agency")) if p)
    return f"{item['position']}. {item['title']}" + (f"（{party}）" if party else "")


def _lines(item: dict[str, Any]) -> list[tuple[str, str]]:
    rows = []
    for label, key in ITEM_LINES:
        value = item.get(key)
        if value in (None, ""):
            continue
        rows.append((label, f"{value} 人" if key == "headcount" else str(value)))
    return rows


def _subtitle(bulletin: Bulletin) -> str:
    region = bulletin.region.full_name or bulletin.region.name
    # Full-width spaces, not "·": the built-in CID font has no glyph for U+00B7.
    return f"第 {bulletin.number} 期　{bulletin.issue_date:%Y-%m-%d}　{region}劳务工作站编印"


def bulletin_pdf(bulletin: Bulletin) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_CENTER
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import HRFlowable, KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    title_style = ParagraphStyle("t", fontName=FONT, fontSize=22, leading=30, alignment=TA_CENTER)
    sub_style = ParagraphStyle(
        "s", fontName=FONT, fontSize=10.5, leading=16, alignment=TA_CENTER, textColor=colors.grey
    )
    head_style = ParagraphStyle("h", fontName=FONT, fontSize=13, leading=20, spaceBefore=6, spaceAfter=2)
    body_style = ParagraphStyle("b", fontName=FONT, fontSize=10.5, leading=16, wordWrap="CJK")
    note_style = ParagraphStyle("n", parent=body_style, leftIndent=0, textColor=colors.HexColor("#333333"))

    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=16 * mm,
        bottomMargin=16 * mm,
        title=f"{bulletin.title} 第{bulletin.number}期",
    )
    story: list[Any] = [
        Paragraph(_escape(bulletin.title), title_style),
        Paragraph(_escape(_subtitle(bulletin)), sub_style),
        HRFlowable(width="100%", thickness=1.5, color=colors.HexColor("#b22222"), spaceBefore=4, spaceAfter=8),
    ]
    if bulletin.editor_note:
        story += [Paragraph("编者按：" + _escape(bulletin.editor_note), note_style), Spacer(1, 6)]
    for item in bulletin_items(bulletin):
        rows = [
            [Paragraph(_escape(label), body_style), Paragraph(_escape(value), body_style)]
            for label, value in _lines(item)
        ]
        table = Table(rows, colWidths=[24 * mm, None])
        table.setStyle(
            TableStyle(
                [
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("TEXTCOLOR", (0, 0), (0, -1), colors.HexColor("#555555")),
                    ("LINEBELOW", (0, -1), (-1, -1), 0.3, colors.lightgrey),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
                    ("TOPPADDING", (0, 0), (-1, -1), 2),
                ]
            )
        )
        story.append(KeepTogether([Paragraph(_escape(_heading(item)), head_style), table]))
    story += [
        Spacer(1, 10),
        Paragraph(
            _escape("提示：外出务工请通过正规渠道报名，不向任何人交纳押金；遇到纠纷请联系镇劳务工作站。"), sub_style
        ),
    ]
    doc.build(story)
    return buffer.getvalue()


def _escape(text: str) -> str:
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def bulletin_docx(bulletin: Bulletin) -> bytes:
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Pt, RGBColor

    document = Document()
    normal = document.styles["Normal"]
    normal.font.name = "宋体"
    normal.font.size = Pt(10.5)
    normal.element.rPr.rFonts.set(qn("w:eastAsia"), "宋体")

    title = document.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = title.add_run(bulletin.title)
    run.bold = True
    run.font.size = Pt(22)
    run.font.color.rgb = RGBColor(0xB2, 0x22, 0x22)
    subtitle = document.add_paragraph(_subtitle(bulletin))
    subtitle.alignment = WD_ALIGN_PARAGRAPH.CENTER
    if bulletin.editor_note:
        document.add_paragraph("编者按：" + bulletin.editor_note)
    for item in bulletin_items(bulletin):
        heading = document.add_paragraph()
        heading_run = heading.add_run(_heading(item))
        heading_run.bold = True
        heading_run.font.size = Pt(13)
        lines = _lines(item)
        table = document.add_table(rows=len(lines), cols=2)
        table.style = "Table Grid"
        for row, (label, value) in zip(table.rows, lines, strict=True):
            row.cells[0].text = label
            row.cells[1].text = value
    document.add_paragraph("提示：外出务工请通过正规渠道报名，不向任何人交纳押金；遇到纠纷请联系镇劳务工作站。")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
