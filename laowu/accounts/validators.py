"""Password rules of SECURITY.md item 1 beyond Django's own validators."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError


def _classes(password: str) -> int:
    return sum(
        [
            any(c.islower() for c in password),
            any(c.isupper() for c in password),
            any(c.isdigit() for c in password),
            any(not c.isalnum() for c in password),
        ]
    )


class CharacterClassValidator:
    def validate(self, password: str, user: Any = None) -> None:
        needed = settings.PASSWORD_MIN_CLASSES
        if _classes(password) < needed:
            raise ValidationError(
                f"密码须包含大写字母、小写字母、数字、符号中的至少 {needed} 类。", code="password_classes"
            )

    def get_help_text(self) -> str:
        return f"至少包含大写字母、小写字母、数字、符号中的 {settings.PASSWORD_MIN_CLASSES} 类。"


class NotUsernameValidator:
    def validate(self, password: str, user: Any = None) -> None:
        username = getattr(user, "username", "") or ""
        if username and username.lower() in password.lower():
            raise ValidationError("密码不能包含用户名。", code="password_has_username")

    def get_help_text(self) -> str:
        return "不能包含用户名。"


class PasswordHistoryValidator:
    def validate(self, password: str, user: Any = None) -> None:
        if user is None or not getattr(user, "pk", None):
            return
        count = settings.PASSWORD_HISTORY
        # The last ``count`` passwords: the current one and the ones before it.
        recent = list(user.password_history.values_list("password", flat=True)[: count - 1])
        if user.password:
            recent.append(user.password)
        if any(check_password(password, old) for old in recent):
            raise ValidationError(f"不能使用最近 {count} 次用过的密码。", code="password_reused")

    def get_help_text(self) -> str:
        return f"不能与最近 {settings.PASSWORD_HISTORY} 次的密码相同。"
