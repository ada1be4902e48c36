from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from conftest import TEST_PASSWORD
from laowu.accounts.services import user_change_password

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "password, reason",
    [
        ("Ab#1", "too short"),
        ("abcdefgh12", "two classes only"),
        ("Password123", "too common"),
    ],
)
def test_weak_passwords_are_refused(make_user, password, reason):
    user = make_user()
    with pytest.raises(ValidationError):
        user_change_password(user=user, old_password=TEST_PASSWORD, new_password=password, actor=user)


def test_password_containing_username_is_refused(make_user):
    user = make_user(username="wangfang")
    with pytest.raises(ValidationError) as info:
        user_change_password(user=user, old_password=TEST_PASSWORD, new_password="Wangfang#2026", actor=user)
    assert "用户名" in str(info.value)


def test_last_five_passwords_cannot_be_reused_but_the_sixth_can(make_user):
    user = make_user()
    history = [TEST_PASSWORD] + [f"Pass#{i}word{i}x" for i in range(5)]
    for old, new in zip(history, history[1:], strict=False):
        user_change_password(user=user, old_password=old, new_password=new, actor=user)
    current = history[-1]
    for reused in history[-5:]:
        with pytest.raises(ValidationError):
            user_change_password(user=user, old_password=current, new_password=reused, actor=user)
    # The original password is now six changes back: allowed again.
    user_change_password(user=user, old_password=current, new_password=TEST_PASSWORD, actor=user)


def test_wrong_old_password_is_refused(make_user):
    user = make_user()
    with pytest.raises(ValidationError):
        user_change_password(user=user, old_password="nope", new_password="Brand#New2026", actor=user)


def test_expired_password_sends_user_to_password_change(client, make_user, login):
    user = make_user(password_changed_at=timezone.now() - timedelta(days=91))
    login(user)
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].endswith("/accounts/password/")
    response = client.post(
        "/accounts/password/",
        {"old_password": TEST_PASSWORD, "new_password1": "Fresh#Pass2026", "new_password2": "Fresh#Pass2026"},
    )
    assert response.status_code == 302
    assert client.get("/").status_code == 200
