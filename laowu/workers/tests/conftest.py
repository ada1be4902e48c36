"""Registry test fixtures: people in Shahe (Gansu) and Longyang (Yunnan) villages, users."""

from __future__ import annotations

import datetime
import itertools
from collections.abc import Callable
from typing import Any

import pytest

from laowu.accounts.roles import Role
from laowu.core import idcard

_seq = itertools.count(1)


def id_number(prefix: str = "620723", age: int = 30, male: bool = True) -> str:
    """A valid, unique ID number of someone ``age`` years old."""
    n = next(_seq)
    birth = datetime.date.today().replace(month=1, day=1) - datetime.timedelta(days=365 * age + 200 + n % 100)
    sequence = (2 * n + (1 if male else 0)) % 1000
    return idcard.make(prefix, birth, sequence)


@pytest.fixture
def shahe_station(make_user: Callable[..., Any]) -> Any:
    return make_user(role=Role.TOWNSHIP_STATION, region="620723101")


@pytest.fixture
def longyang_county(make_user: Callable[..., Any]) -> Any:
    return make_user(role=Role.COUNTY_OFFICE, region="530502")


@pytest.fixture
def register(villages: dict[str, str]) -> Callable[..., Any]:
    """Register a person through the service: register(user, region=..., **fields)."""
    from laowu.workers.services import person_register

    def do(user: Any, region: str | None = None, **fields: Any) -> Any:
        data = {"name": "张三", "id_number": id_number(), "region": region or villages["wusan"], **fields}
        return person_register(user=user, data=data)

    return do
