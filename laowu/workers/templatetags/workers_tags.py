"""Display helpers for registry templates: code names, masked phone, age."""

from __future__ import annotations

import datetime
from typing import Any

from django import template

from laowu.core.codetables import code_table
from laowu.core.masking import mask_phone

register = template.Library()


@register.filter
def code_name(code: str | None, table: str) -> str:
    return code_table(table).name(code) or (code or "")


@register.filter
def trade_names(codes: list[str] | None) -> str:
    return "、".join(code_table("trade").name(c) or c for c in codes or [])


@register.filter
def masked_phone(value: str | None) -> str:
    return mask_phone(value)


@register.filter
def age(person: Any) -> int | str:
    birth = getattr(person, "birth_date", None)
    return person.age_on(datetime.date.today()) if birth else ""


@register.simple_tag(takes_context=True)
def sort_link(context: Any, key: str) -> str:
    """The query string that sorts by ``key`` (toggling direction), keeping the filters."""
    params = context["request"].GET.copy()
    current = params.get("sort", "")
    params["sort"] = f"-{key}" if current == key else key
    params.pop("page", None)
    return "?" + params.urlencode()


@register.simple_tag(takes_context=True)
def sort_mark(context: Any, key: str) -> str:
    current = context["request"].GET.get("sort", "")
    return "▲" if current == key else "▼" if current == f"-{key}" else ""
