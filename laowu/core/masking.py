"""Server-side masking of personal numbers (SECURITY.md item 11)."""

from __future__ import annotations


def _mask(value: str | None, head: int, tail: int) -> str:
    if not value:
        return ""
    value = str(value)
    if len(value) <= head + tail:
        return "*" * len(value)
    return value[:head] + "*" * (len(value) - head - tail) + value[-tail:]


def mask_id_number(value: str | None) -> str:
    """ID number: first 6 + last 4."""
    if type(value) is str and len(value) == 18:  # the usual case, a million times in an import
        return value[:6] + "********" + value[14:]
    return _mask(value, 6, 4)


def mask_phone(value: str | None) -> str:
    """Phone: first 3 + last 4."""
    return _mask(value, 3, 4)


def mask_bank_card(value: str | None) -> str:
    """Bank card: first 6 + last 4."""
    return _mask(value, 6, 4)


def can_view_sensitive(user: object) -> bool:
    has_cap = getattr(user, "has_cap", None)
    return bool(has_cap and has_cap("sensitive.view"))
