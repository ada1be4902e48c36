"""Shared test fixtures: regions are loaded by migration; these make users and clients."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from laowu.accounts.roles import Role

TEST_PASSWORD = "Test#2026pass"
SHAHE = "620723101"
LONGYANG = "530502"
_counter = itertools.count()


@pytest.fixture
def villages(db: Any) -> dict[str, str]:
    """Two villages in Shahe and one in Longyang's Lujiang town."""
    from laowu.regions.services import villages_load

    rows = [
        ["区划代码", "名称", "贫困村"],
        [SHAHE + "201", "五三村", "是"],
        [SHAHE + "202", "西头号村", ""],
        ["530502106201", "芒岗村", "是"],
    ]
    result = villages_load(rows=rows)
    assert not result.errors
    return {"wusan": SHAHE + "201", "xitou": SHAHE + "202", "mangang": "530502106201"}


@pytest.fixture
def make_user(db: Any) -> Callable[..., Any]:
    from laowu.accounts.models import User

    def make(role: str = Role.TOWNSHIP_STATION, region: str = SHAHE, username: str = "", **extra: Any) -> User:
        user = User(username=username or f"user{next(_counter)}", role=role, region_id=region, **extra)
        user.set_password(TEST_PASSWORD)
        user.save()
        return user

    return make


@pytest.fixture
def login(client: Client) -> Callable[[Any], Client]:
    def do(user: Any, c: Client | None = None) -> Client:
        c = c or client
        response = c.post("/accounts/login/", {"username": user.username, "password": TEST_PASSWORD})
        assert response.status_code == 302, response.content.decode()[:500]
        return c

    return do
