"""Shared view machinery: capability checks, the home page, pagination without COUNT(*)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from laowu.core.nav import nav_for
from laowu.regions.models import Region


def require_cap(cap: str) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Anonymous → login page; signed in without the capability → 403 (default deny)."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not request.user.has_cap(cap):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapper.required_cap = cap  # type: ignore[attr-defined]
        return wrapper

    return decorator


class CapabilityRequiredMixin:
    """Class-based twin of ``require_cap``."""

    required_cap: str = ""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not self.required_cap or not request.user.has_cap(self.required_cap):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)  # type: ignore[misc]


class Page:
    """One page of results fetched as size+1 rows: no COUNT(*) over a large table."""

    def __init__(self, qs: QuerySet[Any], number: int, size: int) -> None:
        self.number = max(1, number)
        self.size = size
        rows = list(qs[(self.number - 1) * size : self.number * size + 1])
        self.has_next = len(rows) > size
        self.object_list = rows[:size]
        self.has_previous = self.number > 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def start_index(self) -> int:
        return (self.number - 1) * self.size + 1 if self.object_list else 0

    def __iter__(self) -> Any:
        return iter(self.object_list)

    def __len__(self) -> int:
        return len(self.object_list)


PAGE_SIZES = (20, 50, 100)


def paginate(request: HttpRequest, qs: QuerySet[Any], default_size: int = 50) -> Page:
    try:
        number = int(request.GET.get("page", "1"))
    except ValueError:
        number = 1
    try:
        size = int(request.GET.get("size", default_size))
    except ValueError:
        size = default_size
    if size not in PAGE_SIZES:
        size = default_size
    return Page(qs, number, size)


def home_view(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    region = Region.objects.filter(code=request.user.region_id).first()
    ancestors = Region.objects.filter(code__in=region.ancestors_codes()).order_by("code") if region else []
    return render(
        request,
        "core/home.html",
        {"region": region, "ancestors": ancestors, "sections": nav_for(request.user)},
    )


def permission_denied_view(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "403.html", status=403)


def not_found_view(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "404.html", status=404)


def server_error_view(request: HttpRequest) -> HttpResponse:
    return render(request, "500.html", status=500)


def bad_request_view(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "400.html", status=400)
