from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest

from laowu.training.tests.factories import make_person


def make_order(region: str = "620723", *, agency: Any = None, **extra: Any) -> Any:
    from laowu.employers.models import Agency, Employer
    from laowu.jobs.models import JobOrder, JobOrderStatus

    employer = Employer.objects.create(
        name=extra.pop("employer_name", "深圳百灵电子厂"), region_id=region, address_region_id="4403"
    )
    if agency is None:
        agency = Agency.objects.create(name="深圳永信职业介绍所", region_id=region, address_region_id="4403")
    values: dict[str, Any] = {
        "title": "电子装配工",
        "headcount": 60,
        "min_age": 18,
        "max_age": 40,
        "wage_min": Decimal("3000"),
        "wage_max": Decimal("4500"),
        "guaranteed_wage": Decimal("2800"),
        "place_region_id": "4403",
        "industry_code": "39",
        "status": JobOrderStatus.PUBLISHED,
    }
    values.update(extra)
    return JobOrder.objects.create(region_id=region, employer=employer, agency=agency, **values)


@pytest.fixture
def order(villages: dict[str, str]) -> Any:
    return make_order()


@pytest.fixture
def training_order(villages: dict[str, str]) -> Any:
    return make_order(training_required=True, training_trade_code="01", title="建筑瓦工")


@pytest.fixture
def person(villages: dict[str, str]) -> Any:
    return make_person(villages["wusan"], birth=datetime.date(1995, 6, 1), name="贾天海")
