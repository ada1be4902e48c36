"""The REST API at /api/ (django-ninja): schema at /api/openapi.json, docs at /api/docs.

Each app contributes ``laowu.<app>.api.router``; routers are discovered, so adding a capability
does not edit this file.
"""

from __future__ import annotations

import importlib
from typing import Any

from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DataError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from laowu.core.api import AUTH

api = NinjaAPI(
    title="Laowu 劳务 API",
    version="1",
    auth=AUTH,
    urls_namespace="api",
    description="农村劳动力转移就业管理系统接口。错误均为 JSON：{code, message, errors?}。",
)


class ErrorOut(Schema):
    code: str
    message: str


def _error(request: HttpRequest, status: int, code: str, message: str, **extra: Any) -> HttpResponse:
    return api.create_response(request, {"code": code, "message": message, **extra}, status=status)


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
    return _error(request, 404, "not_found", "记录不存在或不在您的管辖范围内。")


@api.exception_handler(PermissionDenied)
def _forbidden(request: HttpRequest, exc: Exception) -> HttpResponse:
    return _error(request, 403, "forbidden", "无权执行此操作。")


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: Exception) -> HttpResponse:
    return _error(request, 401, "unauthenticated", "请提供有效的令牌或登录。")


@api.exception_handler(ValidationError)
def _invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    return _error(request, 400, "invalid", "输入有误。", errors=errors)


@api.exception_handler(NinjaValidationError)
def _schema_invalid(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    errors = [{"loc": list(e.get("loc", [])), "msg": str(e.get("msg", ""))} for e in exc.errors]
    return _error(request, 400, "invalid", "输入有误。", errors=errors)


@api.exception_handler(DataError)
def _data_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    return _error(request, 400, "invalid", "输入超出范围或格式无法处理。")


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return _error(request, exc.status_code, "error", str(exc))


class MeOut(Schema):
    username: str
    display_name: str
    role: str
    role_label: str
    region_code: str
    capabilities: list[str]


@api.get("/me", response=MeOut, tags=["accounts"])
def me(request: HttpRequest) -> dict[str, Any]:
    user = request.auth  # type: ignore[attr-defined]
    return {
        "username": user.username,
        "display_name": user.display_name,
        "role": user.role,
        "role_label": user.role_label,
        "region_code": user.region_id,
        "capabilities": sorted(user.capabilities),
    }


def _discover() -> None:
    for config in apps.get_app_configs():
        if not config.name.startswith("laowu."):
            continue
        for module_name in ("api", "api_io"):  # api_io: an app's import/export endpoints
            try:
                module = importlib.import_module(f"{config.name}.{module_name}")
            except ModuleNotFoundError as exc:
                if exc.name != f"{config.name}.{module_name}":
                    raise
                continue
            router = getattr(module, "router", None)
            if router is not None:
                api.add_router(f"/{config.label}/", router)


_discover()
