from __future__ import annotations

from typing import Any

import pytest

from laowu.training.tests.factories import make_class, make_person


@pytest.fixture
def shahe_class(villages: dict[str, str]) -> Any:
    return make_class("620723101", capacity=2)


@pytest.fixture
def longyang_class(villages: dict[str, str]) -> Any:
    return make_class("530502106", name="隆阳区潞江镇电工培训班", trade="08")


@pytest.fixture
def shahe_person(villages: dict[str, str]) -> Any:
    return make_person(villages["wusan"])
