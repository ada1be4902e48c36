"""Default deny (SECURITY.md item 9): every URL sends anonymous users to login, and a signed-in
user without the URL's capability gets 403."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from laowu.accounts.roles import ROLE_CAPABILITIES, Role

pytestmark = pytest.mark.django_db

PUBLIC = {"/accounts/login/", "/i18n/setlang/"}


def _walk(patterns, prefix=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry.callback


def _concrete(route: str) -> str:
    route = re.sub(r"<int:[^>]+>", "1", route)
    route = re.sub(r"<str:action>", "disable", route)
    route = re.sub(r"<[^>]+>", "x", route)
    return "/" + route.lstrip("^").rstrip("$")


def _page_urls():
    for route, callback in _walk(get_resolver().url_patterns):
        if route.startswith("api/") or route.startswith("^static"):
            continue
        yield _concrete(route), callback


def test_every_page_sends_anonymous_users_to_login():
    client = Client()
    checked = 0
    for url, _callback in _page_urls():
        if url in PUBLIC:
            continue
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            assert response.status_code in (302, 405), (method, url, response.status_code)
            if response.status_code == 302:
                assert "/accounts/login/" in response["Location"], (method, url)
        checked += 1
    assert checked >= 10


def test_every_capability_guarded_page_refuses_roles_without_it(make_user, login):
    clients: dict[str, Client] = {}
    checked = 0
    for url, callback in _page_urls():
        cap = getattr(callback, "required_cap", None) or getattr(
            getattr(callback, "view_class", None), "required_cap", None
        )
        if not cap:
            continue
        lacking = [role for role in Role if cap not in ROLE_CAPABILITIES[role]]
        for role in lacking:
            if role not in clients:
                clients[role] = login(make_user(role=role, region="00"), Client())
            client = clients[role]
            status = client.get(url).status_code
            if status == 405:  # a POST-only action
                status = client.post(url).status_code
            assert status == 403, (role, url)
        checked += 1
    assert checked >= 5


def test_api_refuses_anonymous_with_json_401():
    response = Client().get("/api/me")
    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"
