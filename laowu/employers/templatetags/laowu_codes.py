"""Template filters: code-table names, masked phones, money in 元."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template

from laowu.core.masking import can_view_sensitive, mask_phone
from laowu.jobs import codetables

register = template.Library()


@register.filter
def industry_name(code: str) -> str:
    return codetables.industry().name(code) if code else ""


@register.filter
def occupation_name(code: str) -> str:
    return codetables.occupation().name(code) if code else ""


@register.filter
def education_name(code: str) -> str:
    return codetables.education().name(code) if code else ""


@register.filter
def trade_names(codes: list[str]) -> str:
    return "、".join(codetables.trades().name(c) for c in codes or [])


@register.filter
def health_names(codes: list[str]) -> str:
    return "、".join(codetables.health().name(c) for c in codes or [])


@register.filter
def certificate_names(codes: list[str]) -> str:
    return "、".join(codetables.certificate_kinds().name(c) for c in codes or [])


@register.filter
def trade_name(code: str) -> str:
    return codetables.trades().name(code) if code else ""


@register.filter
def phone_for(value: str, user: Any) -> str:
    """Full number only for users allowed to see it (SECURITY.md item 11), masked otherwise."""
    return value if can_view_sensitive(user) else mask_phone(value)


@register.filter
def yuan(value: Decimal | None) -> str:
    return f"{value:,.2f} 元" if value is not None else ""
