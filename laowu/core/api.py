"""API machinery shared by every app's ``api.py``: authentication, capability checks, errors.

Authentication: ``Authorization: Bearer <token>`` (personal tokens, accounts page) or the
browser session (with CSRF on writes). The region scope and capabilities are the pages' own.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from ninja import Field, Schema
from ninja.pagination import LimitOffsetPagination
from ninja.security import HttpBearer, SessionAuth


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        from laowu.accounts.services import api_token_user

        user = api_token_user(token)
        if user is None:
            return None
        request.user = user
        return user


class ActiveSessionAuth(SessionAuth):
    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = super().authenticate(request, key)
        return user if user is not None and user.is_active else None


AUTH = [TokenAuth(), ActiveSessionAuth()]


def require_api_cap(request: HttpRequest, cap: str) -> Any:
    user = request.auth  # type: ignore[attr-defined]
    if not user.has_cap("api.use") or not user.has_cap(cap):
        raise PermissionDenied(cap)
    return user


class BoundedPagination(LimitOffsetPagination):
    """Ninja's limit/offset with bounds: an offset beyond bigint would be a database error."""

    class Input(Schema):
        limit: int = Field(settings.NINJA_PAGINATION_PER_PAGE, ge=1, le=settings.NINJA_PAGINATION_MAX_LIMIT)
        offset: int = Field(0, ge=0, le=10**9)
