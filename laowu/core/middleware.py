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


class RejectBadInputMiddleware:
    """Bad input of any kind is a 400, never a 500 (SECURITY.md item 19).

    NUL bytes, which PostgreSQL refuses in text, are turned away before any view sees them (in
    the path, the query string and url-encoded or JSON bodies); a value the database cannot hold
    (an integer beyond bigint, an invalid date) that slips through becomes a 400 too.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        query = request.META.get("QUERY_STRING", "")
        bad = "\x00" in request.path or "\x00" in query or "%00" in query.lower()
        content_type = request.META.get("CONTENT_TYPE", "")
        if (
            not bad
            and request.method in ("POST", "PUT", "PATCH")
            and (
                content_type.startswith("application/x-www-form-urlencoded")
                or content_type.startswith("application/json")
            )
        ):
            body = request.body
            bad = b"\x00" in body or b"%00" in body or b"\\u0000" in body
        if bad:
            return _bad_request(request)
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        from django.db import DataError

        if isinstance(exception, DataError):
            return _bad_request(request)
        return None


def _bad_request(request: HttpRequest) -> HttpResponse:
    from django.http import JsonResponse
    from django.shortcuts import render

    if request.path.startswith("/api/"):
        return JsonResponse({"code": "invalid", "message": "输入含有无法处理的字符或超出范围的数值。"}, status=400)
    return render(request, "400.html", status=400)
