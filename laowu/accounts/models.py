from __future__ import annotations

import pghistory
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils import timezone

from laowu.accounts.roles import ROLE_CAPABILITIES, Role
from laowu.core.scope import RegionScopedQuerySet, region_prefix_index


class UserQuerySet(RegionScopedQuerySet):
    pass


class LaowuUserManager(UserManager.from_queryset(UserQuerySet)):  # type: ignore[misc]
    pass


@pghistory.track(exclude=["password", "last_login", "last_seen_at"], model_name="UserEvent")
class User(AbstractUser):
    """An account (用户): one role and one region node; sees only that node's subtree."""

    role: models.CharField = models.CharField("角色", max_length=32, choices=Role.choices)
    region = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="+", verbose_name="所属区划", db_index=False
    )
    display_name = models.CharField("姓名", max_length=50, blank=True)
    phone = models.CharField("电话", max_length=20, blank=True)
    password_changed_at = models.DateTimeField("密码修改时间", default=timezone.now)
    must_change_password = models.BooleanField("下次登录须改密码", default=False)
    last_seen_at = models.DateTimeField("最近活动", null=True, blank=True)

    objects = LaowuUserManager()  # type: ignore[misc]

    region_field = "region"
    REQUIRED_FIELDS = ["role", "region"]

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"
        indexes = [region_prefix_index()]

    def __str__(self) -> str:
        return self.display_name or self.username

    @property
    def capabilities(self) -> frozenset[str]:
        if not self.is_active:
            return frozenset()
        return ROLE_CAPABILITIES.get(self.role, frozenset())

    def has_cap(self, cap: str) -> bool:
        return cap in self.capabilities

    @property
    def role_label(self) -> str:
        return Role(self.role).label if self.role in Role.values else self.role


class PasswordHistory(models.Model):
    """Hashes of earlier passwords, to refuse reuse of the last N (SECURITY.md item 1)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="password_history")
    password = models.CharField(max_length=128)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.user_id} @ {self.created_at:%Y-%m-%d}"


class UserSession(models.Model):
    """Which server-side sessions belong to which user, to end them at once (disable, logout)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="sessions")
    session_key = models.CharField(max_length=40, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    ip = models.CharField(max_length=45, blank=True)

    def __str__(self) -> str:
        return f"{self.user_id}: {self.session_key[:6]}…"


class ApiToken(models.Model):
    """A personal API token: only its SHA-256 is stored; the token is shown once."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField("名称", max_length=50)
    key_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "接口令牌"

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
