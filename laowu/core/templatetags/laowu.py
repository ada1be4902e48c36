"""Template helpers shared by every app: ``{% load laowu %}``."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def has_cap(user: Any, cap: str) -> bool:
    """``{% if user|has_cap:"regions.edit" %}``: show an action only to those who may use it."""
    return bool(getattr(user, "is_authenticated", False)) and user.has_cap(cap)
