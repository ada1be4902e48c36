"""The rules for a person's data, in one place: used by the register/update services, the
Excel import and the API alike. Input is raw text (as typed or as read from a spreadsheet);
output is clean values for the Person model, or errors as (field label, reason) in Chinese.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pypinyin import Style, lazy_pinyin

from laowu.core import idcard
from laowu.core.codetables import code_table
from laowu.workers.models import LaborStatus, PovertyStatus

# Field key -> the label users see in messages and templates.
LABELS: dict[str, str] = {
    "name": "姓名",
    "id_number": "身份证号",
    "region": "所在村组（区划代码）",
    "ethnicity": "民族",
    "education": "文化程度",
    "health": "健康状况",
    "political_status": "政治面貌",
    "phone": "联系电话",
    "household_number": "户编号",
    "relation_to_head": "与户主关系",
    "poverty_status": "贫困状态",
    "trades": "技能（工种）",
    "labor_status": "劳动力状态",
    "wants_to_go_out": "有外出意愿",
    "preferred_destinations": "意向务工地",
    "preferred_trades": "意向工种",
    "available_from": "最早可外出日期",
    "notes": "备注",
}
_PHONE = re.compile(r"^(1[3-9][0-9]{9}|0[0-9]{2,3}-?[0-9]{7,8})$")
_TRUE = {"是", "有", "1", "y", "yes", "true", "√", "✓"}
_FALSE = {"否", "无", "0", "n", "no", "false", ""}
_SPLIT = re.compile(r"[、,，;；/\s]+")


@dataclass
class Cleaned:
    values: dict[str, Any] = field(default_factory=dict)
    errors: list[tuple[str, str]] = field(default_factory=list)  # (field label, reason)
    field_errors: dict[str, list[str]] = field(default_factory=dict)  # field key -> reasons (forms)

    def error(self, key: str, message: str) -> None:
        self.errors.append((LABELS.get(key, key), message))
        self.field_errors.setdefault(key, []).append(message)

    def messages_by_field(self) -> dict[str, list[str]]:
        """Errors keyed by field, each message naming the field (for forms and the API)."""
        return {key: [f"{LABELS.get(key, key)}：{m}" for m in msgs] for key, msgs in self.field_errors.items()}


def name_initials(name: str) -> str:
    return "".join(lazy_pinyin(name, style=Style.FIRST_LETTER)).lower()[:20]


def _text(raw: Mapping[str, Any], key: str) -> str:
    value = raw.get(key)
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).replace("\u3000", " ").replace("\x00", "").strip()


def _coded(cleaned: Cleaned, raw: Mapping[str, Any], key: str, table: str, default: str | None) -> None:
    text = _text(raw, key)
    if not text:
        if default is not None:
            cleaned.values[key] = default
        return
    code = code_table(table).lookup(text)
    if code is None:
        cleaned.error(key, f"「{text}」不是有效的{LABELS[key]}")
    else:
        cleaned.values[key] = code


def _choice(cleaned: Cleaned, raw: Mapping[str, Any], key: str, choices: Any, default: str) -> None:
    text = _text(raw, key)
    if not text:
        cleaned.values[key] = default
        return
    for value, label in choices:
        if text in (value, label):
            cleaned.values[key] = value
            return
    cleaned.error(key, f"「{text}」不是有效的{LABELS[key]}（可填：{'、'.join(str(lbl) for _, lbl in choices)}）")


def _codes_list(cleaned: Cleaned, raw: Mapping[str, Any], key: str, table: str) -> None:
    text = _text(raw, key)
    codes: list[str] = []
    for part in filter(None, _SPLIT.split(text)):
        code = code_table(table).lookup(part)
        if code is None:
            cleaned.error(key, f"「{part}」不是已知的工种")
        elif code not in codes:
            codes.append(code)
    cleaned.values[key] = codes


def clean_person(raw: Mapping[str, Any], *, partial: bool = False) -> Cleaned:
    """Validate one person's raw values. ``partial`` (updates) skips absent keys.

    Region scope and existence of the region are checked by the caller, which knows the user
    and can check many rows in one query (``region`` here is only format-checked).
    """
    cleaned = Cleaned()

    def present(key: str) -> bool:
        return not partial or key in raw

    if present("name"):
        name = _text(raw, "name").replace(" ", "")
        if not name:
            cleaned.error("name", "不能为空")
        elif len(name) > 50:
            cleaned.error("name", "超过 50 个字")
        else:
            cleaned.values["name"] = name
            cleaned.values["name_initials"] = name_initials(name)
    if present("id_number"):
        try:
            parsed = idcard.parse(raw.get("id_number"))
        except idcard.IdNumberError as exc:
            cleaned.error("id_number", str(exc))
        else:
            cleaned.values["id_number"] = parsed.number
            cleaned.values["birth_date"] = parsed.birth_date
            cleaned.values["sex"] = parsed.sex
    if present("region"):
        region = idcard.normalise(raw.get("region"))
        if not region:
            cleaned.error("region", "不能为空")
        elif not region.isdigit() or len(region) not in (12, 15):
            cleaned.error("region", f"「{region}」应为 12 位村级或 15 位组级区划代码")
        else:
            cleaned.values["region_id"] = region
    for key, table, default in (
        ("ethnicity", "ethnicity", "01"),
        ("education", "education", ""),
        ("health", "health", "1"),
        ("political_status", "political", "13"),
        ("relation_to_head", "relation", ""),
    ):
        if present(key):
            _coded(cleaned, raw, key, table, default)
    if present("phone"):
        phone = idcard.normalise(raw.get("phone"))
        if phone and not _PHONE.match(phone):
            cleaned.error("phone", f"「{phone}」不是有效的手机或固定电话号码")
        else:
            cleaned.values["phone"] = phone
    if present("labor_status"):
        _choice(cleaned, raw, "labor_status", LaborStatus.choices, LaborStatus.FARMING)
    if present("poverty_status"):
        _choice(cleaned, raw, "poverty_status", PovertyStatus.choices, PovertyStatus.GENERAL)
    for key in ("trades", "preferred_trades"):
        if present(key):
            _codes_list(cleaned, raw, key, "trade")
    if present("wants_to_go_out"):
        text = _text(raw, "wants_to_go_out").lower()
        if text in _TRUE:
            cleaned.values["wants_to_go_out"] = True
        elif text in _FALSE:
            cleaned.values["wants_to_go_out"] = False
        else:
            cleaned.error("wants_to_go_out", f"「{text}」应填“是”或“否”")
    if present("preferred_destinations"):
        codes = [idcard.normalise(p) for p in _SPLIT.split(_text(raw, "preferred_destinations")) if p]
        bad = [c for c in codes if not c.isdigit() or len(c) not in (2, 4, 6)]
        if bad:
            cleaned.error("preferred_destinations", f"「{'、'.join(bad)}」应为 2/4/6 位省市县区划代码")
        cleaned.values["preferred_destinations"] = [c for c in codes if c not in bad]
    if present("available_from"):
        text = _text(raw, "available_from")
        if text:
            try:
                cleaned.values["available_from"] = datetime.date.fromisoformat(text[:10].replace("/", "-"))
            except ValueError:
                cleaned.error("available_from", f"「{text}」不是有效日期（格式 2026-03-01）")
        else:
            cleaned.values["available_from"] = None
    if present("household_number"):
        cleaned.values["household_number"] = _text(raw, "household_number")[:32]
    if present("notes"):
        cleaned.values["notes"] = _text(raw, "notes")[:2000]
    return cleaned
