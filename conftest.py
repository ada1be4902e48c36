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


def _is_transactional(item: Any) -> bool:
    marker = item.get_closest_marker("django_db")
    names = set(getattr(item, "fixturenames", ()))
    return bool(marker and marker.kwargs.get("transaction")) or bool({"live_server", "transactional_db"} & names)


def _ensure_national_regions(config: Any) -> None:
    from pytest_django.plugin import blocking_manager_key

    from laowu.regions.models import Region
    from laowu.regions.services import regions_load_national

    with config.stash[blocking_manager_key].unblock():
        if not Region.objects.exists():
            regions_load_national()


def _database_set_up(item: Any) -> bool:
    """A test skipped before its fixtures ran (no browser, say) never reached the test database:
    touching the database then would reach the real one."""
    return getattr(item, "_laowu_setup_ok", False) or "_django_db_helper" in getattr(item, "funcargs", {})


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_setup(item: Any) -> Any:
    outcome = yield
    item._laowu_setup_ok = outcome.excinfo is None
    if _is_transactional(item) and _database_set_up(item):
        _ensure_national_regions(item.config)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item: Any, nextitem: Any) -> Any:
    """Transactional tests (live_server, transaction=True) end with a flush of every table, which
    also removes the national region tree that migration regions/0002 loads: load it back."""
    yield
    if _is_transactional(item) and _database_set_up(item):
        _ensure_national_regions(item.config)


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
