from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from laowu.core.audit_context import audit_context, client_ip


class AuditContextMiddleware:
    """Every data change made during a request carries the user, IP and URL in its history."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return self.get_response(request)
        user = request.user if getattr(request, "user", None) and request.user.is_authenticated else None
        with audit_context(source="web", user=user, ip=client_ip(request), url=request.path[:200]):
            return self.get_response(request)


class NoStoreMiddleware:
    """Pages of signed-in users may hold personal data: never cache them (SECURITY.md 24)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if getattr(request, "user", None) is not None and request.user.is_authenticated:
            response["Cache-Control"] = "no-store"
            response["Pragma"] = "no-cache"
        return response
