from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from laowu.placements import services
from laowu.placements.choices import Channel, DestinationScope
from laowu.placements.models import Stint, StintWage
from laowu.placements.scope import ScopeError, destination_scope
from laowu.training.tests.factories import make_person
from laowu.workers.models import LaborStatus, Person

HOME = "620723101201"  # 甘肃 张掖 临泽县 沙河镇 五三村


@pytest.mark.parametrize(
    ("destination", "expected"),
    [
        ("4403", DestinationScope.OUT_OF_PROVINCE),  # 深圳
        ("44", DestinationScope.OUT_OF_PROVINCE),  # 广东: two digits are enough
        ("620902", DestinationScope.OUT_OF_CITY),  # 酒泉 肃州区
        ("620702", DestinationScope.OUT_OF_COUNTY),  # 张掖 甘州区
        ("620723102", DestinationScope.OUT_OF_TOWNSHIP),  # 临泽县 新华镇
        ("620723101", DestinationScope.IN_TOWNSHIP),  # 沙河镇
        ("620723101202", DestinationScope.IN_TOWNSHIP),  # 西头号村
    ],
)
def test_destination_scope_by_code_prefix(destination, expected):
    assert destination_scope(HOME, destination) == expected


@pytest.mark.parametrize(
    ("destination", "fragment"), [("62", "精确到市"), ("6207", "精确到县"), ("620723", "精确到乡镇")]
)
def test_destination_scope_needs_enough_digits(destination, fragment):
    with pytest.raises(ScopeError, match=fragment):
        destination_scope(HOME, destination)


def _values(**extra):
    values = {
        "channel": Channel.SELF_ARRANGED,
        "employer_name": "深圳永信电子厂",
        "destination_id": "4403",
        "industry": "C",
        "start_date": datetime.date(2024, 3, 1),
    }
    values.update(extra)
    return values


@pytest.mark.django_db
def test_stint_derives_scope_and_sets_status_away(make_user, villages):
    user = make_user()
    person = make_person(villages["wusan"])
    stint = services.stint_create(user=user, person=person, values=_values())
    assert stint.destination_scope == DestinationScope.OUT_OF_PROVINCE
    assert Person.objects.get(pk=person.pk).labor_status == LaborStatus.WORKING_AWAY


@pytest.mark.django_db
def test_local_transfer_sets_status_local(make_user, villages):
    person = make_person(villages["wusan"])
    stint = services.stint_create(
        user=make_user(),
        person=person,
        values=_values(channel=Channel.LOCAL, destination_id="620723101", employer_name="沙建公司第三项目部"),
    )
    assert stint.destination_scope == DestinationScope.IN_TOWNSHIP
    assert Person.objects.get(pk=person.pk).labor_status == LaborStatus.WORKING_LOCAL


@pytest.mark.django_db
def test_ending_a_stint_sets_status_returned(make_user, villages):
    user = make_user()
    person = make_person(villages["wusan"])
    stint = services.stint_create(user=user, person=person, values=_values())
    services.stint_end(user=user, stint=stint, end_date=datetime.date(2024, 12, 20), reason="合同期满")
    person.refresh_from_db()
    assert person.labor_status == LaborStatus.RETURNED
    assert Stint.objects.get(pk=stint.pk).end_date == datetime.date(2024, 12, 20)


@pytest.mark.django_db
def test_overlapping_stint_is_refused_with_a_chinese_message(make_user, villages):
    user = make_user()
    person = make_person(villages["wusan"], name="王淑珍")
    first = services.stint_create(user=user, person=person, values=_values(end_date=datetime.date(2024, 10, 31)))
    with pytest.raises(ValidationError) as info:
        services.stint_create(user=user, person=person, values=_values(start_date=datetime.date(2024, 10, 31)))
    assert "王淑珍 在 2024-03-01 至 2024-10-31 已有务工记录" in info.value.messages[0]
    # The day after is fine.
    services.stint_create(user=user, person=person, values=_values(start_date=datetime.date(2024, 11, 1)))
    assert Stint.objects.filter(person=person).count() == 2
    assert first.pk


@pytest.mark.django_db
def test_database_refuses_overlap_even_behind_the_service(villages):
    person = make_person(villages["wusan"])
    common = {"person": person, "region_id": person.region_id, "channel": Channel.LOCAL, "destination_id": "620723101"}
    Stint.objects.create(**common, destination_scope="in_township", start_date=datetime.date(2024, 1, 1))
    with pytest.raises(IntegrityError, match="stint_no_overlap"), transaction.atomic():
        Stint.objects.create(**common, destination_scope="in_township", start_date=datetime.date(2025, 6, 1))
    # A different person may work the same dates.
    other = make_person(villages["wusan"])
    Stint.objects.create(
        **{**common, "person": other}, destination_scope="in_township", start_date=datetime.date(2024, 1, 1)
    )


@pytest.mark.django_db
def test_destination_too_vague_is_a_field_error(make_user, villages):
    person = make_person(villages["wusan"])
    with pytest.raises(ValidationError) as info:
        services.stint_create(user=make_user(), person=person, values=_values(destination_id="62"))
    assert "destination" in info.value.message_dict
    assert not Stint.objects.exists()


@pytest.mark.django_db
def test_wage_report_once_per_month_and_within_the_stint(make_user, villages):
    user = make_user()
    person = make_person(villages["wusan"])
    stint = services.stint_create(user=user, person=person, values=_values(end_date=datetime.date(2024, 8, 31)))
    services.stint_wage_report(user=user, stint=stint, month=datetime.date(2024, 4, 15), amount=Decimal("3200.00"))
    services.stint_wage_report(user=user, stint=stint, month=datetime.date(2024, 4, 1), amount=Decimal("3350.50"))
    assert list(StintWage.objects.values_list("month", "amount")) == [(datetime.date(2024, 4, 1), Decimal("3350.50"))]
    with pytest.raises(ValidationError, match="不在务工期内"):
        services.stint_wage_report(user=user, stint=stint, month=datetime.date(2024, 9, 1), amount=Decimal("1"))


@pytest.mark.django_db
def test_stint_out_of_scope_is_refused(make_user, villages):
    person = make_person(villages["mangang"])
    with pytest.raises(Exception) as info:
        services.stint_create(user=make_user(), person=person, values=_values())
    assert info.type.__name__ == "Http404"
