"""Plain factory functions for employers/agencies/visits (also used by laowu/jobs tests)."""

from __future__ import annotations

import datetime
import itertools
import random
from typing import Any

from laowu.employers import services
from laowu.employers.credit_codes import credit_code_generate
from laowu.employers.models import Agency, AgencyKind, Employer, Verdict

_rng = random.Random(7)
_n = itertools.count(1)
LONGYANG = "530502"
SHAHE = "620723101"
SHENZHEN_BAOAN = "440306"


def employer(region: str = LONGYANG, *, vetted: bool = True, **fields: Any) -> Employer:
    n = next(_n)
    values: dict[str, Any] = {
        "name": f"测试电子厂{n}",
        "credit_code": credit_code_generate(_rng, SHENZHEN_BAOAN),
        "address_region_id": SHENZHEN_BAOAN,
        "industry_code": "39",
        "contact_name": "王经理",
        "contact_phone": "13812345678",
        **fields,
    }
    obj = services.employer_create(actor=None, region_code=region, **values)
    if vetted:
        visit(obj, Verdict.PASSED)
    return obj


def agency(region: str = LONGYANG, *, vetted: bool = True, **fields: Any) -> Agency:
    n = next(_n)
    values: dict[str, Any] = {
        "name": f"测试职业介绍所{n}",
        "credit_code": credit_code_generate(_rng, "530502"),
        "address_region_id": "530502",
        "kind": AgencyKind.EMPLOYMENT_SERVICE,
        "licence_no": f"HR5305{n:04d}",
        "licence_valid_from": datetime.date(2020, 1, 1),
        "licence_valid_until": datetime.date(2099, 12, 31),
        **fields,
    }
    obj = services.agency_create(actor=None, region_code=region, **values)
    if vetted:
        visit(obj, Verdict.PASSED)
    return obj


def visit(party: Any, verdict: str = Verdict.PASSED, day: datetime.date | None = None) -> Any:
    return services.site_visit_record(
        actor=None,
        party=party,
        visit_date=day or datetime.date(2024, 3, 1),
        visitors="张三、李四",
        findings="厂房、宿舍、食堂符合要求。" if verdict == Verdict.PASSED else "宿舍拥挤，工资发放不规范。",
        verdict=verdict,
    )
