"""Session rules of SECURITY.md item 3 and the password expiry of item 1."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone

_EXEMPT_PREFIXES = ("/static/", "/accounts/logout/", "/accounts/password/", "/i18n/")


class SessionPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or request.path.startswith("/api/"):
            return self.get_response(request)
        from laowu.accounts.services import password_expired, user_logout

        now = timezone.now().timestamp()
        last_seen = request.session.get("last_seen", 0)
        login_at = request.session.get("login_at", 0)
        idle = now - last_seen > settings.SESSION_IDLE_MINUTES * 60
        too_old = now - login_at > settings.SESSION_COOKIE_AGE
        if idle or too_old:
            user_logout(request=request, reason="idle" if idle else "max_age")
            if request.headers.get("HX-Request"):
                response = HttpResponse(status=401)
                response["HX-Redirect"] = reverse("accounts:login")
                return response
            messages.info(request, "会话已超时，请重新登录。")
            return redirect(f"{reverse('accounts:login')}?next={request.path}")
        request.session["last_seen"] = now
        if user.last_seen_at is None or user.last_seen_at < timezone.now() - timedelta(minutes=5):
            from laowu.accounts.models import User

            User.objects.filter(pk=user.pk).update(last_seen_at=timezone.now())
        if password_expired(user) and not request.path.startswith(_EXEMPT_PREFIXES):
            if request.headers.get("accept", "").startswith("application/json"):
                return JsonResponse({"code": "password_expired", "message": "密码已过期，请先修改密码。"}, status=403)
            messages.warning(request, "密码已过期或为初始密码，请先修改密码。")
            return redirect("accounts:password_change")
        return self.get_response(request)
