"""The rules for a person's data, in one place: used by the register/update services, the
Excel import and the API alike. Input is raw text (as typed or as read from a spreadsheet);
output is clean values for the Person model, or errors as (field label, reason) in Chinese.
"""

from __future__ import annotations

import datetime
import functools
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
HEAD_RELATION = "02"  # GB/T 4761-2008 户主
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


@functools.lru_cache(maxsize=65536)
def _initial(char: str) -> str:
    return "".join(lazy_pinyin(char, style=Style.FIRST_LETTER)).lower()


def name_initials(name: str) -> str:
    """Pinyin initials for search (王小明 → wxm), character by character (cached: imports call
    this a million times; names are not phrases, so nothing is lost against whole-string)."""
    return "".join(_initial(c) for c in name)[:20]


def _text(raw: Mapping[str, Any], key: str) -> str:
    value = raw.get(key)
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).replace("\u3000", " ").replace("\x00", "").strip()


class FieldError(ValueError):
    """One field's value is wrong; the message (Chinese) says why, without the field's name."""


# Per-field rules: raw text (never empty: blanks are handled by the caller) -> clean value.
# ``clean_person`` and the Excel import both use these, so a rule exists once.


def rule_name(text: str) -> str:
    name = text.replace(" ", "")
    if len(name) > 50:
        raise FieldError("超过 50 个字")
    return name


def rule_region(text: str) -> str:
    region = idcard.normalise(text)
    if not region.isdigit() or len(region) not in (12, 15):
        raise FieldError(f"「{region}」应为 12 位村级或 15 位组级区划代码")
    return region


def _coded_rule(key: str, table: str) -> Any:
    def rule(text: str) -> str:
        code = code_table(table).lookup(text)
        if code is None:
            raise FieldError(f"「{text}」不是有效的{LABELS[key]}")
        return code

    return rule


def rule_phone(text: str) -> str:
    phone = idcard.normalise(text)
    if phone and not _PHONE.match(phone):
        raise FieldError(f"「{phone}」不是有效的手机或固定电话号码")
    return phone


def _choice_rule(key: str, choices: Any) -> Any:
    def rule(text: str) -> str:
        for value, label in choices:
            if text in (value, label):
                return str(value)
        raise FieldError(f"「{text}」不是有效的{LABELS[key]}（可填：{'、'.join(str(lbl) for _, lbl in choices)}）")

    return rule


def rule_trades(text: str) -> list[str]:
    codes: list[str] = []
    bad: list[str] = []
    for part in filter(None, _SPLIT.split(text)):
        code = code_table("trade").lookup(part)
        if code is None:
            bad.append(part)
        elif code not in codes:
            codes.append(code)
    if bad:
        raise FieldError("；".join(f"「{part}」不是已知的工种" for part in bad))
    return codes


def rule_yes_no(text: str) -> bool:
    lowered = text.lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise FieldError(f"「{text}」应填“是”或“否”")


def rule_destinations(text: str) -> list[str]:
    codes = [idcard.normalise(p) for p in _SPLIT.split(text) if p]
    bad = [c for c in codes if not c.isdigit() or len(c) not in (2, 4, 6)]
    if bad:
        raise FieldError(f"「{'、'.join(bad)}」应为 2/4/6 位省市县区划代码")
    return codes


def rule_date(text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text[:10].replace("/", "-").replace(".", "-"))
    except ValueError:
        raise FieldError(f"「{text}」不是有效日期（格式 2026-03-01）") from None


def rule_household_number(text: str) -> str:
    if len(text) > 32:
        raise FieldError("超过 32 个字符")
    return text


def rule_notes(text: str) -> str:
    return text[:2000]


# Field key -> (rule, value for a blank cell on a new record; None = leave unset).
RULES: dict[str, tuple[Any, Any]] = {
    "ethnicity": (_coded_rule("ethnicity", "ethnicity"), "01"),
    "education": (_coded_rule("education", "education"), ""),
    "health": (_coded_rule("health", "health"), "1"),
    "political_status": (_coded_rule("political_status", "political"), "13"),
    "relation_to_head": (_coded_rule("relation_to_head", "relation"), ""),
    "phone": (rule_phone, ""),
    "labor_status": (_choice_rule("labor_status", LaborStatus.choices), LaborStatus.FARMING),
    "poverty_status": (_choice_rule("poverty_status", PovertyStatus.choices), PovertyStatus.GENERAL),
    "trades": (rule_trades, []),
    "preferred_trades": (rule_trades, []),
    "wants_to_go_out": (rule_yes_no, False),
    "preferred_destinations": (rule_destinations, []),
    "available_from": (rule_date, None),
    "household_number": (rule_household_number, ""),
    "notes": (rule_notes, ""),
}
# Cleaned only through the ID-number rules (birth date and sex come from the number).
REQUIRED = ("name", "id_number", "region")


def clean_person(raw: Mapping[str, Any], *, partial: bool = False) -> Cleaned:
    """Validate one person's raw values. ``partial`` (updates) skips absent keys.

    Region scope and existence of the region are checked by the caller, which knows the user
    and can check many rows in one query (``region`` here is only format-checked).
    """
    cleaned = Cleaned()

    def present(key: str) -> bool:
        return not partial or key in raw

    if present("name"):
        name = _text(raw, "name")
        if not name.replace(" ", ""):
            cleaned.error("name", "不能为空")
        else:
            try:
                cleaned.values["name"] = rule_name(name)
                cleaned.values["name_initials"] = name_initials(cleaned.values["name"])
            except FieldError as exc:
                cleaned.error("name", str(exc))
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
        region = _text(raw, "region")
        if not idcard.normalise(region):
            cleaned.error("region", "不能为空")
        else:
            try:
                cleaned.values["region_id"] = rule_region(region)
            except FieldError as exc:
                cleaned.error("region", str(exc))
    for key, (rule, default) in RULES.items():
        if not present(key):
            continue
        text = _text(raw, key)
        if not text:
            if default is not None or key == "available_from":
                cleaned.values[key] = list(default) if isinstance(default, list) else default
            continue
        try:
            cleaned.values[key] = rule(text)
        except FieldError as exc:
            cleaned.error(key, str(exc))
    return cleaned
