"""Person and household services: validation messages, one person per ID number, scope,
optimistic locking, transfer, audit rows."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from laowu.accounts.roles import Role
from laowu.audit.models import AuditEvent
from laowu.workers import services
from laowu.workers.models import Household, LaborStatus, Person, PersonEvent
from laowu.workers.tests.conftest import id_number

pytestmark = pytest.mark.django_db


def _messages(exc: ValidationError) -> dict[str, list[str]]:
    return exc.message_dict


@pytest.mark.parametrize(
    ("field", "value", "fragment"),
    [
        ("id_number", "620723199001011230", "身份证号：校验位错误"),
        ("id_number", "62072319900101", "身份证号：身份证号应为 18 位"),
        ("phone", "12345", "联系电话：「12345」不是有效的手机或固定电话号码"),
        ("education", "博士后大师", "文化程度：「博士后大师」不是有效的文化程度"),
        ("ethnicity", "火星族", "民族：「火星族」不是有效的民族"),
        ("trades", "瓦工、飞行员", "技能（工种）：「飞行员」不是已知的工种"),
        ("region", "6207231012", "所在村组（区划代码）：「6207231012」应为 12 位村级或 15 位组级区划代码"),
    ],
)
def test_register_refuses_bad_input_with_a_chinese_message_naming_the_field(
    register, shahe_station, field, value, fragment
):
    with pytest.raises(ValidationError) as info:
        register(shahe_station, **{field: value})
    messages = _messages(info.value)
    assert field in messages
    assert any(fragment in m for m in messages[field]), messages
    assert not Person.objects.exists()


def test_register_stores_the_id_encrypted_and_derives_birth_and_sex(register, shahe_station):
    number = id_number(age=40, male=False)
    person = register(shahe_station, id_number=number, phone="13812345678", trades="瓦工、电工")
    person.refresh_from_db()
    assert person.id_number == number
    assert number.encode() not in bytes(person.id_number_enc)
    assert person.id_number_masked == number[:6] + "********" + number[-4:]
    assert person.sex == "2" and person.birth_date.strftime("%Y%m%d") == number[6:14]
    assert person.trades == ["01", "08"]
    event = AuditEvent.objects.get(event="create", object_id=str(person.pk))
    assert event.user_id == shahe_station.pk
    assert "13812345678" not in str(event.detail) and number not in str(event.detail)
    assert event.detail["changes"]["phone"] == ["", "138****5678"]


def test_register_refuses_a_region_that_is_not_a_village_or_group(register, shahe_station):
    with pytest.raises(ValidationError) as info:
        register(shahe_station, region="620723101999")
    assert "不存在" in info.value.message_dict["region"][0]


def test_same_id_in_another_region_is_refused_and_names_only_the_region(register, villages, make_user, shahe_station):
    longyang = make_user(role=Role.TOWNSHIP_STATION, region="530502106")
    number = id_number("530502")
    register(longyang, region=villages["mangang"], id_number=number, name="李四", phone="13900001111")
    with pytest.raises(services.DuplicateIdNumber) as info:
        register(shahe_station, id_number=number, name="王五")
    message = info.value.message_dict["id_number"][0]
    assert "云南省保山市隆阳区潞江镇芒岗村" in message
    assert "李四" not in message and "13900001111" not in message
    assert info.value.existing_id is None
    assert Person.objects.count() == 1


def test_same_id_in_scope_points_to_the_existing_person(register, shahe_station):
    number = id_number()
    first = register(shahe_station, id_number=number)
    with pytest.raises(services.DuplicateIdNumber) as info:
        register(shahe_station, id_number=number, region="620723101202")
    assert info.value.existing_id == first.pk
    assert "已登记" in info.value.message_dict["id_number"][0]


def test_shahe_user_cannot_register_into_a_longyang_village(register, shahe_station, villages):
    with pytest.raises(ValidationError) as info:
        register(shahe_station, region=villages["mangang"], id_number=id_number("530502"))
    assert "不在您的管辖范围内" in info.value.message_dict["region"][0]
    assert not Person.objects.exists()


def test_stale_version_is_a_conflict_and_overwrites_nothing(register, shahe_station):
    person = register(shahe_station, name="赵六")
    loaded_version = person.version
    services.person_update(user=shahe_station, person=person, data={"notes": "第一次修改"}, version=loaded_version)
    with pytest.raises(services.PersonConflict) as info:
        services.person_update(user=shahe_station, person=person, data={"notes": "过期的修改"}, version=loaded_version)
    assert info.value.current.notes == "第一次修改"
    person.refresh_from_db()
    assert person.notes == "第一次修改" and person.version == loaded_version + 1


def test_update_writes_a_masked_audit_diff_and_history(register, shahe_station):
    person = register(shahe_station, phone="13812345678", labor_status="在家务农")
    services.person_update(
        user=shahe_station,
        person=person,
        data={"phone": "13987654321", "labor_status": "富余劳动力"},
        version=person.version,
    )
    event = AuditEvent.objects.filter(event="update", object_id=str(person.pk)).get()
    assert event.detail["changes"]["phone"] == ["138****5678", "139****4321"]
    assert event.detail["changes"]["labor_status"] == ["在家务农", "富余劳动力"]
    assert PersonEvent.objects.filter(pgh_obj_id=person.pk).count() == 2


def test_update_cannot_move_the_person(register, shahe_station):
    person = register(shahe_station)
    with pytest.raises(ValidationError) as info:
        services.person_update(user=shahe_station, person=person, data={"region": "620723101202"}, version=1)
    assert "迁移" in info.value.message_dict["region"][0]


def test_out_of_scope_update_is_404(register, shahe_station, longyang_county):
    person = register(shahe_station)
    with pytest.raises(Http404):
        services.person_update(user=longyang_county, person=person, data={"notes": "x"}, version=1)


def test_transfer_needs_the_capability_and_is_logged(register, shahe_station, make_user, villages):
    person = register(shahe_station, household_number="H001", relation_to_head="户主")
    with pytest.raises(PermissionDenied):
        services.person_transfer(user=shahe_station, person=person, to_region=villages["xitou"], reason="婚迁")
    county = make_user(role=Role.COUNTY_OFFICE, region="620723")
    moved = services.person_transfer(user=county, person=person, to_region=villages["xitou"], reason="婚迁")
    assert moved.region_id == villages["xitou"] and moved.household_id is None
    assert Household.objects.get(number="H001").head_id is None
    event = AuditEvent.objects.get(event="update", object_id=str(person.pk), detail__action="transfer")
    assert event.detail["from"] == villages["wusan"] and event.detail["to"] == villages["xitou"]
    assert event.detail["reason"] == "婚迁" and event.user_id == county.pk


def test_transfer_checks_the_target_scope(register, shahe_station, make_user, villages):
    person = register(shahe_station)
    county = make_user(role=Role.COUNTY_OFFICE, region="620723")
    with pytest.raises(ValidationError) as info:
        services.person_transfer(user=county, person=person, to_region=villages["mangang"], reason="迁往云南")
    assert "不在您的管辖范围内" in info.value.message_dict["region"][0]
    person.refresh_from_db()
    assert person.region_id == villages["wusan"]


def test_transfer_source_out_of_scope_is_404(register, make_user, villages, longyang_county):
    longyang = make_user(role=Role.TOWNSHIP_STATION, region="530502106")
    person = register(longyang, region=villages["mangang"], id_number=id_number("530502"))
    shahe_county = make_user(role=Role.COUNTY_OFFICE, region="620723")
    with pytest.raises(Http404):
        services.person_transfer(user=shahe_county, person=person, to_region=villages["wusan"], reason="x")


def test_household_members_head_and_income(register, shahe_station, villages):
    household = services.household_create(
        user=shahe_station, data={"number": "H100", "region": villages["wusan"], "poverty_status": "监测户"}
    )
    head = register(shahe_station, name="户主甲")
    wife = register(shahe_station, name="配偶乙", id_number=id_number(male=False))
    services.household_add_member(user=shahe_station, household=household, person=head, relation="户主")
    services.household_add_member(user=shahe_station, household=household, person=wife, relation="妻")
    household.refresh_from_db()
    assert household.head_id == head.pk and household.poverty_status == "monitored"
    wife.refresh_from_db()
    assert wife.household_id == household.pk and wife.relation_to_head == "10"
    income = services.household_set_income(
        user=shahe_station, household=household, year=2024, per_capita_net_income="8,650.5"
    )
    assert str(income.per_capita_net_income) == "8650.50"
    with pytest.raises(ValidationError) as info:
        services.household_set_income(user=shahe_station, household=household, year=2024, per_capita_net_income="很多")
    assert "人均纯收入" in info.value.messages[0]
    assert AuditEvent.objects.filter(object_type="workers.household", object_id=str(household.pk)).count() == 4


def test_register_joins_the_household_and_sets_the_head(register, shahe_station):
    head = register(shahe_station, household_number="H7", relation_to_head="户主", poverty_status="脱贫户")
    child = register(shahe_station, household_number="H7", relation_to_head="子", id_number=id_number(age=17))
    household = Household.objects.get(number="H7")
    assert household.head_id == head.pk and household.poverty_status == "lifted"
    assert child.household_id == household.pk


def test_ledger_definitions(register, shahe_station):
    from laowu.workers.selectors import Ledger, person_list

    away = register(shahe_station, name="外出甲", labor_status=LaborStatus.WORKING_AWAY)
    surplus = register(shahe_station, name="富余乙", labor_status=LaborStatus.SURPLUS)
    returned = register(shahe_station, name="返乡丙", labor_status=LaborStatus.RETURNED)
    old = register(shahe_station, name="老人丁", id_number=id_number(age=70))
    young = register(shahe_station, name="少年戊", id_number=id_number(age=14))

    def ids(ledger):
        return set(person_list(user=shahe_station, ledger=ledger).values_list("pk", flat=True))

    assert away.pk in ids(Ledger.AWAY) and away.pk not in ids(Ledger.SURPLUS)
    assert {surplus.pk, returned.pk} <= ids(Ledger.SURPLUS)
    assert surplus.pk not in ids(Ledger.AWAY)
    resource = ids(Ledger.RESOURCE)
    assert old.pk not in resource and young.pk not in resource
    assert {away.pk, surplus.pk, returned.pk} <= resource
