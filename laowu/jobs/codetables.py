"""Code tables (代码表): industry (GB/T 4754-2017), occupation groups (职业分类大典 2022),
education (GB/T 4658-2006), health (GB/T 2261.3), sex (GB/T 2261.1), trades and certificate kinds.

The data lives in ``laowu/jobs/data/*.csv`` (sources in its README); this module reads each file
once and offers names, choices and validators. Models store codes; pages show names.
"""

from __future__ import annotations

import csv
import functools
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from django.core.exceptions import ValidationError

DATA_DIR = Path(__file__).resolve().parent / "data"


@dataclass(frozen=True)
class CodeTable:
    """One dictionary: ordered (code, name) pairs plus any extra columns per code."""

    title: str
    rows: tuple[tuple[str, str], ...]
    extra: dict[str, dict[str, str]]

    @property
    def names(self) -> dict[str, str]:
        return dict(self.rows)

    def name(self, code: str | None) -> str:
        return self.names.get(code or "", code or "")

    def choices(self, blank: str | None = None) -> list[tuple[str, str]]:
        pairs = [(code, f"{code} {name}") for code, name in self.rows]
        return ([("", blank)] if blank is not None else []) + pairs

    def __contains__(self, code: object) -> bool:
        return code in self.names


@functools.cache
def _load(filename: str, title: str) -> CodeTable:
    with open(DATA_DIR / filename, encoding="utf-8", newline="") as handle:
        records = list(csv.DictReader(handle))
    rows = tuple((r["code"], r["name"]) for r in records)
    extra = {r["code"]: {k: v for k, v in r.items() if k not in ("code", "name")} for r in records}
    return CodeTable(title=title, rows=rows, extra=extra)


def industry() -> CodeTable:
    """Sections (A-T) and divisions (01-97) of GB/T 4754-2017, in standard order."""
    return _load("industry_gbt4754_2017.csv", "国民经济行业分类")


def industry_divisions() -> list[tuple[str, str]]:
    table = industry()
    return [(code, name) for code, name in table.rows if code.isdigit()]


def industry_sections() -> list[tuple[str, str]]:
    table = industry()
    return [(code, name) for code, name in table.rows if code.isalpha()]


def industry_section(division: str | None) -> str:
    """The section letter of a division code ("39" → "C"); "" when unknown."""
    if not division:
        return ""
    if division.isalpha():
        return division if division in industry() else ""
    return industry().extra.get(division, {}).get("section", "")


def industry_division_choices(blank: str | None = "—") -> list[tuple[str, list[tuple[str, str]]] | tuple[str, str]]:
    """Divisions grouped under their sections, for a <select> with <optgroup>s."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for code, name in industry_divisions():
        groups.setdefault(industry_section(code), []).append((code, f"{code} {name}"))
    result: list[tuple[str, list[tuple[str, str]]] | tuple[str, str]] = [("", blank)] if blank is not None else []
    for section, section_name in industry_sections():
        result.append((f"{section} {section_name}", groups.get(section, [])))
    return result


def occupation() -> CodeTable:
    return _load("occupation_2022.csv", "职业分类大典（2022）大类")


def education() -> CodeTable:
    return _load("education_gbt4658_2006.csv", "学历")


def education_rank(code: str | None) -> int:
    if not code:
        return 0
    return int(education().extra.get(code, {}).get("rank", "0"))


def education_codes_at_least(code: str | None) -> list[str]:
    """Every education code that meets a minimum ("70" → 初中 and above). For matching filters."""
    if not code:
        return [c for c, _ in education().rows]
    floor = education_rank(code)
    return [c for c, _ in education().rows if education_rank(c) >= floor]


def health() -> CodeTable:
    return _load("health_gbt2261_3.csv", "健康状况")


def trades() -> CodeTable:
    return _load("trades.csv", "工种")


def certificate_kinds() -> CodeTable:
    return _load("certificate_kinds.csv", "证书类别")


class Sex:
    """GB/T 2261.1 sex codes used in requirements; "" means either."""

    ANY = ""
    MALE = "1"
    FEMALE = "2"
    CHOICES = [("", "不限"), ("1", "男"), ("2", "女")]


# --- validators (referenced by model fields; a table change needs no migration) ---


def _check(table: CodeTable, value: str, label: str) -> None:
    if value and value not in table:
        raise ValidationError(f"「{value}」不是有效的{label}代码。", code="invalid_code")


def validate_industry_division(value: str) -> None:
    if value and not value.isdigit():
        raise ValidationError(f"「{value}」不是国民经济行业大类代码（两位数字）。", code="invalid_code")
    _check(industry(), value, "行业")


def validate_occupation(value: str) -> None:
    _check(occupation(), value, "职业大类")


def validate_education(value: str) -> None:
    _check(education(), value, "学历")


def validate_trade(value: str) -> None:
    _check(trades(), value, "工种")


def _check_all(table: CodeTable, values: Iterable[str], label: str) -> None:
    bad = [v for v in values or () if v not in table]
    if bad:
        raise ValidationError(f"无效的{label}代码：{'、'.join(bad)}。", code="invalid_code")


def validate_health_codes(values: Iterable[str]) -> None:
    _check_all(health(), values, "健康状况")


def validate_trade_codes(values: Iterable[str]) -> None:
    _check_all(trades(), values, "工种")


def validate_certificate_kinds(values: Iterable[str]) -> None:
    _check_all(certificate_kinds(), values, "证书类别")
