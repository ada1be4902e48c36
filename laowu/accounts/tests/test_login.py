from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone

from conftest import TEST_PASSWORD
from laowu.accounts.views import LOGIN_REFUSED
from laowu.audit.models import AuditEvent, AuditEventType

pytestmark = pytest.mark.django_db


def _post_login(client: Client, username: str, password: str) -> object:
    return client.post("/accounts/login/", {"username": username, "password": password})


def test_login_succeeds_rotates_session_and_is_audited(client, make_user):
    user = make_user()
    client.get("/accounts/login/")
    client.session.save()
    before = client.session.session_key
    response = _post_login(client, user.username, TEST_PASSWORD)
    assert response.status_code == 302
    assert client.session.session_key != before
    assert AuditEvent.objects.filter(event=AuditEventType.LOGIN_OK, username=user.username).exists()


def test_five_failures_lock_the_account_with_the_same_message(client, make_user):
    user = make_user()
    for _ in range(5):
        response = _post_login(client, user.username, "wrong-Password1")
        assert LOGIN_REFUSED in response.content.decode()
    assert AuditEvent.objects.filter(event=AuditEventType.LOCKOUT, username=user.username).count() == 1
    # Now even the right password is refused, with the same message as a wrong one.
    response = _post_login(client, user.username, TEST_PASSWORD)
    assert response.status_code == 200
    assert LOGIN_REFUSED in response.content.decode()


def test_four_failures_do_not_lock(client, make_user):
    user = make_user()
    for _ in range(4):
        _post_login(client, user.username, "wrong-Password1")
    assert _post_login(client, user.username, TEST_PASSWORD).status_code == 302


def test_lock_expires_after_thirty_minutes(client, make_user, settings):
    user = make_user()
    for _ in range(5):
        _post_login(client, user.username, "wrong-Password1")
    # Age the lock by moving the events back 31 minutes is impossible (append-only), so shorten it.
    settings.LOGIN_LOCKOUT_MINUTES = 0
    settings.LOGIN_FAILURE_WINDOW_MINUTES = 0
    assert _post_login(client, user.username, TEST_PASSWORD).status_code == 302


def test_security_admin_unlock_is_audited_and_works(client, make_user, login):
    from laowu.accounts.roles import Role

    user = make_user()
    for _ in range(5):
        _post_login(Client(), user.username, "wrong-Password1")
    admin = make_user(role=Role.SECURITY_ADMIN, region="00")
    admin_client = login(admin, Client())
    response = admin_client.post(f"/accounts/users/{user.pk}/unlock/")
    assert response.status_code == 302
    assert AuditEvent.objects.filter(event=AuditEventType.UNLOCK, username=user.username).exists()
    assert _post_login(client, user.username, TEST_PASSWORD).status_code == 302


def test_logout_deletes_server_session_and_replayed_cookie_is_refused(client, make_user, login):
    user = make_user()
    login(user)
    key = client.session.session_key
    cookie = client.cookies["sessionid"].value
    client.post("/accounts/logout/")
    assert not Session.objects.filter(session_key=key).exists()
    replay = Client()
    replay.cookies["sessionid"] = cookie
    response = replay.get("/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_idle_session_goes_to_login(client, make_user, login):
    user = make_user()
    login(user)
    session = client.session
    session["last_seen"] = timezone.now().timestamp() - 31 * 60
    session.save()
    response = client.get("/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert AuditEvent.objects.filter(event=AuditEventType.SESSION_EXPIRED, username=user.username).exists()


def test_session_ends_after_twelve_hours_even_if_active(client, make_user, login):
    user = make_user()
    login(user)
    session = client.session
    session["login_at"] = timezone.now().timestamp() - 12 * 3600 - 60
    session.save()
    assert client.get("/").status_code == 302


def test_post_without_csrf_token_is_refused():
    client = Client(enforce_csrf_checks=True)
    assert client.post("/accounts/login/", {"username": "x", "password": "y"}).status_code == 403


def test_disabling_an_account_ends_its_sessions_at_once(client, make_user, login):
    from laowu.accounts.services import user_set_active

    user = make_user()
    login(user)
    assert client.get("/").status_code == 200
    user_set_active(actor=None, user=user, active=False, reason="test")
    assert client.get("/").status_code == 302


def test_inactive_accounts_are_disabled_after_ninety_days(make_user):
    from laowu.accounts.services import users_disable_inactive

    old = make_user(date_joined=timezone.now() - timedelta(days=200), last_seen_at=timezone.now() - timedelta(days=91))
    recent = make_user(
        date_joined=timezone.now() - timedelta(days=200), last_seen_at=timezone.now() - timedelta(days=10)
    )
    assert users_disable_inactive() == 1
    old.refresh_from_db()
    recent.refresh_from_db()
    assert not old.is_active and recent.is_active


def test_argon2_is_the_first_hasher():
    from django.conf import settings as dj_settings

    from laowu.settings import base

    assert base.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
    assert "Argon2PasswordHasher" in " ".join(dj_settings.PASSWORD_HASHERS)
