"""Account actions: login with lockout, logout, password change, user management, API tokens.

Every action writes its own audit row (laowu.audit) in the same transaction.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate, login, logout
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from laowu.accounts.models import ApiToken, PasswordHistory, User, UserSession
from laowu.accounts.roles import Role
from laowu.audit.models import AuditEvent, AuditEventType, Outcome
from laowu.audit.services import audit_record
from laowu.core.audit_context import audit_context, client_ip
from laowu.core.scope import in_scope


class LoginRefused(Exception):
    """Wrong credentials, locked account or blocked address: one message for all."""


def _lockout_until(username: str) -> Any:
    """When the username's current lock ends, or None if not locked."""
    window = timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)
    last = (
        AuditEvent.objects.filter(username=username, event__in=[AuditEventType.LOCKOUT, AuditEventType.UNLOCK])
        .order_by("-id")
        .values_list("event", "at")
        .first()
    )
    if last and last[0] == AuditEventType.LOCKOUT and last[1] > timezone.now() - window:
        return last[1] + window
    return None


def _recent_failures(*, username: str = "", ip: str = "") -> int:
    now = timezone.now()
    since = now - timedelta(minutes=settings.LOGIN_FAILURE_WINDOW_MINUTES)
    qs = AuditEvent.objects.filter(event=AuditEventType.LOGIN_FAILED, at__gte=since)
    if username:
        # Failures before the last lock or unlock do not count again.
        reset = (
            AuditEvent.objects.filter(username=username, event__in=[AuditEventType.LOCKOUT, AuditEventType.UNLOCK])
            .order_by("-id")
            .values_list("at", flat=True)
            .first()
        )
        qs = qs.filter(username=username)
        if reset and reset > since:
            qs = qs.filter(at__gt=reset)
    else:
        qs = qs.filter(ip=ip)
    return qs.count()


def _ip_blocked(ip: str) -> bool:
    return bool(ip) and _recent_failures(ip=ip) >= settings.LOGIN_IP_FAILURE_LIMIT


def user_login(*, request: Any, username: str, password: str) -> User:
    """Authenticate and log in, or raise ``LoginRefused`` (same message whatever the reason)."""
    ip = client_ip(request)
    username = username.strip()[:150]
    if _lockout_until(username) or _ip_blocked(ip):
        audit_record(
            event=AuditEventType.LOGIN_FAILED,
            username=username,
            ip=ip,
            outcome=Outcome.DENIED,
            detail={"reason": "locked"},
        )
        raise LoginRefused
    user = authenticate(request, username=username, password=password)
    if user is None:
        audit_record(
            event=AuditEventType.LOGIN_FAILED,
            username=username,
            ip=ip,
            outcome=Outcome.FAILURE,
            detail={"reason": "credentials"},
        )
        if _recent_failures(username=username) >= settings.LOGIN_FAILURE_LIMIT:
            audit_record(
                event=AuditEventType.LOCKOUT,
                username=username,
                ip=ip,
                detail={"minutes": settings.LOGIN_LOCKOUT_MINUTES},
            )
        if _recent_failures(ip=ip) == settings.LOGIN_IP_FAILURE_LIMIT:
            audit_record(event=AuditEventType.IP_BLOCKED, username=username, ip=ip)
        raise LoginRefused
    login(request, user)  # rotates the session key
    request.session["login_at"] = timezone.now().timestamp()
    request.session["last_seen"] = timezone.now().timestamp()
    request.session.save()
    UserSession.objects.update_or_create(session_key=request.session.session_key, defaults={"user": user, "ip": ip})
    audit_record(event=AuditEventType.LOGIN_OK, user=user, ip=ip)
    return user


def user_logout(*, request: Any, reason: str = "logout") -> None:
    """End the session server-side; a replayed cookie finds nothing."""
    user = request.user if request.user.is_authenticated else None
    key = request.session.session_key
    logout(request)  # flushes and deletes the server-side session
    if key:
        UserSession.objects.filter(session_key=key).delete()
    if user is not None:
        event = AuditEventType.LOGOUT if reason == "logout" else AuditEventType.SESSION_EXPIRED
        audit_record(event=event, user=user, ip=client_ip(request), detail={"reason": reason})


def _end_sessions(user: User) -> int:
    keys = list(UserSession.objects.filter(user=user).values_list("session_key", flat=True))
    Session.objects.filter(session_key__in=keys).delete()
    UserSession.objects.filter(user=user).delete()
    return len(keys)


def user_change_password(*, user: User, old_password: str | None, new_password: str, actor: User, ip: str = "") -> None:
    """Change a password under the rules of SECURITY.md item 1; keeps the last N hashes."""
    if old_password is not None and not user.check_password(old_password):
        raise ValidationError({"old_password": "原密码不正确。"})
    try:
        validate_password(new_password, user)
    except ValidationError as exc:
        raise ValidationError({"new_password1": exc.messages}) from exc
    with transaction.atomic():
        if user.password:
            PasswordHistory.objects.create(user=user, password=user.password)
        keep = list(user.password_history.values_list("pk", flat=True)[: settings.PASSWORD_HISTORY])
        user.password_history.exclude(pk__in=keep).delete()
        user.set_password(new_password)
        user.password_changed_at = timezone.now()
        user.must_change_password = actor.pk != user.pk
        user.save(update_fields=["password", "password_changed_at", "must_change_password"])
        event = AuditEventType.PASSWORD_CHANGE if actor.pk == user.pk else AuditEventType.PASSWORD_RESET
        audit_record(event=event, user=actor, ip=ip, obj=user)


def password_expired(user: User) -> bool:
    if user.must_change_password:
        return True
    return user.password_changed_at < timezone.now() - timedelta(days=settings.PASSWORD_MAX_AGE_DAYS)


def _require_manager(actor: User, region_code: str) -> None:
    if not actor.has_cap("accounts.manage") or not in_scope(actor, region_code):
        raise PermissionDenied("无权管理该区域的用户")


def user_create(
    *,
    actor: User | None,
    username: str,
    password: str,
    role: str,
    region_code: str,
    display_name: str = "",
    phone: str = "",
    must_change_password: bool = True,
    ip: str = "",
) -> User:
    """Create an account. ``actor=None`` only from the command line (setup, demo)."""
    if actor is not None:
        _require_manager(actor, region_code)
    if role not in Role.values:
        raise ValidationError({"role": f"未知角色：{role}"})
    if User.objects.filter(username=username).exists():
        raise ValidationError({"username": "该用户名已存在。"})
    user = User(
        username=username,
        role=role,
        region_id=region_code,
        display_name=display_name,
        phone=phone,
        must_change_password=must_change_password,
    )
    validate_password(password, user)
    user.set_password(password)
    user.full_clean(exclude=["password"])
    with transaction.atomic(), audit_context(source="web" if actor else "command", user=actor, ip=ip):
        user.save()
        audit_record(
            event=AuditEventType.USER_CREATE,
            user=actor,
            username=actor.username if actor else "(command)",
            ip=ip,
            obj=user,
            detail={"role": role, "region": region_code},
        )
    return user


def user_set_role(*, actor: User, user: User, role: str, region_code: str, ip: str = "") -> User:
    _require_manager(actor, user.region_id)
    _require_manager(actor, region_code)
    if role not in Role.values:
        raise ValidationError({"role": f"未知角色：{role}"})
    if actor.pk == user.pk:
        raise PermissionDenied("不能修改自己的角色")
    old = {"role": user.role, "region": user.region_id}
    with transaction.atomic(), audit_context(source="web", user=actor, ip=ip):
        user.role, user.region_id = role, region_code
        user.save(update_fields=["role", "region"])
        _end_sessions(user)
        audit_record(
            event=AuditEventType.ROLE_CHANGE,
            user=actor,
            ip=ip,
            obj=user,
            detail={"old": old, "new": {"role": role, "region": region_code}},
        )
    return user


def user_set_active(*, actor: User | None, user: User, active: bool, reason: str = "", ip: str = "") -> User:
    """Disable (ending every session at once) or re-enable an account."""
    if actor is not None:
        _require_manager(actor, user.region_id)
        if actor.pk == user.pk:
            raise PermissionDenied("不能停用自己的账户")
    with transaction.atomic(), audit_context(source="web" if actor else "command", user=actor, ip=ip):
        user.is_active = active
        if active:
            user.last_seen_at = timezone.now()  # a fresh 90 days before the inactivity rule
        user.save(update_fields=["is_active", "last_seen_at"])
        if not active:
            _end_sessions(user)
        audit_record(
            event=AuditEventType.USER_ENABLE if active else AuditEventType.USER_DISABLE,
            user=actor,
            username=actor.username if actor else "(system)",
            ip=ip,
            obj=user,
            detail={"reason": reason},
        )
    return user


def user_unlock(*, actor: User, user: User, ip: str = "") -> None:
    _require_manager(actor, user.region_id)
    audit_record(event=AuditEventType.UNLOCK, user=actor, username=user.username, ip=ip, obj=user)


def users_disable_inactive(*, now: Any = None) -> int:
    """Disable accounts unused for ACCOUNT_INACTIVE_DAYS (SECURITY.md item 7)."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.ACCOUNT_INACTIVE_DAYS)
    stale = User.objects.filter(is_active=True, date_joined__lt=cutoff).exclude(last_seen_at__gte=cutoff)
    count = 0
    for user in stale:
        user_set_active(actor=None, user=user, active=False, reason="inactive")
        count += 1
    return count


def api_token_create(*, user: User, name: str) -> tuple[ApiToken, str]:
    """Return the token row and the plain token, which is shown once and never stored."""
    plain = "lw_" + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, name=name[:50], key_hash=hashlib.sha256(plain.encode()).hexdigest(), prefix=plain[:8]
    )
    audit_record(event=AuditEventType.TOKEN_CREATE, user=user, obj=token, object_repr=token.name)
    return token, plain


def api_token_user(plain: str) -> User | None:
    digest = hashlib.sha256(plain.encode()).hexdigest()
    token = ApiToken.objects.select_related("user").filter(key_hash=digest, revoked_at__isnull=True).first()
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or token.last_used_at < now - timedelta(minutes=5):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
