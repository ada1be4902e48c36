"""LimitOffsetPagination with a bounded offset: ninja's accepts any int, and an offset beyond
bigint is a database error (500). Belongs in core/api.py; kept here until the lead moves it."""

from __future__ import annotations

from django.conf import settings
from ninja import Field, Schema
from ninja.pagination import LimitOffsetPagination


class BoundedPagination(LimitOffsetPagination):
    class Input(Schema):
        limit: int = Field(settings.NINJA_PAGINATION_PER_PAGE, ge=1, le=settings.NINJA_PAGINATION_MAX_LIMIT)
        offset: int = Field(0, ge=0, le=10**9)
