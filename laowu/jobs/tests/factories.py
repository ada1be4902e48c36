"""Job order factory (uses the employers factories)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from laowu.jobs import services
from laowu.jobs.models import JobOrder


def job_order(region: str = "530502", *, employer: Any = None, agency: Any = None, **fields: Any) -> JobOrder:
    if employer is None and agency is None:
        from laowu.employers.tests import factories

        employer = factories.employer(region)
    values: dict[str, Any] = {
        "title": "电子装配工",
        "employer_id": employer.pk if employer else None,
        "agency_id": agency.pk if agency else None,
        "headcount": 30,
        "min_age": 18,
        "max_age": 35,
        "wage_min": Decimal("2800.00"),
        "wage_max": Decimal("4500.00"),
        "place_region_id": "440306",
        "industry_code": "39",
        "occupation_code": "6",
        **fields,
    }
    return services.job_order_create(actor=None, region_code=region, **values)
