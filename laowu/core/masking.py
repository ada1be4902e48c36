"""Server-side masking of personal numbers (SECURITY.md item 11)."""

from __future__ import annotations


def _mask(value: str | None, head: int, tail: int) -> str:
    if not value:
        return ""
    if type(value) is not str:  # an import masks a million numbers: no str() call for strings
        value = str(value)
    hidden = len(value) - head - tail
    if hidden <= 0:
        return "*" * len(value)
    return value[:head] + "*" * hidden + value[-tail:]


def mask_id_number(value: str | None) -> str:
    """ID number: first 6 + last 4."""
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
