"""Typing helpers: views behind a login check receive a request whose user is a real User."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.http import HttpRequest

if TYPE_CHECKING:
    from laowu.accounts.models import User


class AuthedRequest(HttpRequest):
    user: User  # type: ignore[assignment]
    htmx: Any
