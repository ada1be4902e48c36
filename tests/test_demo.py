"""The demo loads, and every demo login works and lands on its home page."""

from __future__ import annotations

import pytest
from django.test import Client

from laowu.core.demo import DEMO_PASSWORD, DEMO_USERS, demo_load

pytestmark = pytest.mark.django_db


def test_demo_loads_and_every_login_works():
    demo_load()
    for username, _name, _role, _region, _note in DEMO_USERS:
        client = Client()
        response = client.post("/accounts/login/", {"username": username, "password": DEMO_PASSWORD})
        assert response.status_code == 302, username
        assert client.get("/").status_code == 200, username
