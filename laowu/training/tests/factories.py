"""Test data helpers shared by training and placements tests."""

from __future__ import annotations

import datetime
import itertools
from decimal import Decimal
from typing import Any

from laowu.core import idcard
from laowu.workers.models import Person

_seq = itertools.count(1)


def make_person(
    region: str, *, birth: datetime.date = datetime.date(1990, 5, 1), male: bool = True, name: str = "", **extra: Any
) -> Person:
    n = next(_seq)
    sequence = (n * 2 + (1 if male else 0)) % 1000
    number = idcard.make(region[:6], birth, sequence)
    parsed = idcard.parse(number)
    person = Person(
        name=name or f"测试{n}",
        region_id=region,
        birth_date=parsed.birth_date,
        sex=parsed.sex,
        phone=f"1390000{n:04d}",
        **extra,
    )
    person.set_id_number(number)
    person.save()
    return person


def make_course(region: str, trade: str = "01", **extra: Any) -> Any:
    from laowu.training.models import Course

    return Course.objects.create(region_id=region, trade=trade, name=extra.pop("name", "瓦工培训"), **extra)


def make_class(region: str, trade: str = "01", capacity: int = 30, **extra: Any) -> Any:
    from laowu.training.models import TrainingClass

    course = make_course(region, trade)
    values: dict[str, Any] = {
        "name": "2024年第1期瓦工培训班",
        "start_date": datetime.date(2024, 3, 1),
        "end_date": datetime.date(2024, 3, 15),
        "place": "沙河镇劳动力培训基地",
        "teacher": "李师傅",
        "capacity": capacity,
        "cost": Decimal("12000.00"),
    }
    values.update(extra)
    return TrainingClass.objects.create(region_id=region, course=course, **values)
