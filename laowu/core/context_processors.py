from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from laowu.core.nav import nav_for


def shell(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"nav_sections": nav_for(user, request.path)}
