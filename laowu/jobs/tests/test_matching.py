"""Matching, both ways: hard requirements (one person failing each), scope, ranking, reasons,
both directions agreeing, shortlist → applications, bounded queries, pages and API."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from laowu.accounts.roles import Role
from laowu.jobs import matching, services
from laowu.jobs.models import JobOrder, JobOrderStatus
from laowu.placements.models import Application, Stint
from laowu.training.models import Enrolment, EnrolmentStatus
from laowu.training.tests.factories import make_class, make_person
from laowu.workers.models import Certificate

pytestmark = pytest.mark.django_db
TODAY = datetime.date.today()


def _birth(age: int) -> datetime.date:
    """Born ``age`` years and half a year ago: that age on any day in the next months."""
    return TODAY.replace(year=TODAY.year - age, day=1) - datetime.timedelta(days=170)


def order(region: str = "620723", **fields: Any) -> JobOrder:
    from laowu.employers.models import Employer

    employer = Employer.objects.create(
        name=f"测试厂{JobOrder.objects.count()}", region_id=region, address_region_id="4403"
    )
    values: dict[str, Any] = {
        "title": "建筑瓦工",
        "headcount": 20,
        "wage_min": Decimal("5000"),
        "wage_max": Decimal("8000"),
        "place_region_id": "440306",
        "status": JobOrderStatus.PUBLISHED,
    }
    values.update(fields)
    return JobOrder.objects.create(region_id=region, employer=employer, **values)


def person(village: str, age: int = 30, *, male: bool = True, **fields: Any) -> Any:
    values: dict[str, Any] = {"labor_status": "surplus", "education": "70", "health": "1"}
    values.update(fields)
    return make_person(village, birth=_birth(age), male=male, **values)


def certify(p: Any, kind: str, trade: str = "", **fields: Any) -> Certificate:
    return Certificate.objects.create(person=p, kind=kind, trade=trade, number="C1", **fields)


def train(p: Any, trade: str = "01") -> Enrolment:
    klass = make_class("620723101", trade=trade)
    return Enrolment.objects.create(
        training_class=klass, person=p, region_id=p.region_id, status=EnrolmentStatus.PASSED
    )


def stint(p: Any, start: datetime.date, days: int | None) -> Stint:
    """A stint written directly, then the one rule that keeps the person's counters."""
    from laowu.placements.services import labor_status_sync

    end = start + datetime.timedelta(days=days) if days is not None else None
    record = Stint.objects.create(
        person=p,
        region_id=p.region_id,
        channel="self_arranged",
        destination_id="4403",
        destination_scope="out_province",
        start_date=start,
        end_date=end,
    )
    labor_status_sync(person_ids=[p.pk])
    p.refresh_from_db()
    return record


@pytest.fixture
def station(make_user):
    return make_user(role=Role.TOWNSHIP_STATION, region="620723101")


@pytest.fixture
def strict(villages):
    """An order with every hard requirement, and a person who meets them all."""
    o = order(
        min_age=20,
        max_age=40,
        sex="1",
        min_education="70",
        health_codes=["1"],
        trade_codes=["01"],
        certificate_kinds=["special"],
        training_required=True,
        training_trade_code="01",
    )
    return o


def _fit(village: str, **fields: Any) -> Any:
    values: dict[str, Any] = {"trades": ["01"]}
    values.update(fields)
    p = person(village, **values)
    certify(p, "special", "01", valid_until=TODAY + datetime.timedelta(days=400))
    certify(p, "training", "01")
    return p


def test_one_person_failing_each_hard_requirement_is_excluded(strict, villages, station):
    wusan, mangang = villages["wusan"], villages["mangang"]
    fit = _fit(wusan, name="合格")
    failing = {
        "min_age": _fit(wusan, age=19, name="太小"),
        "max_age": _fit(wusan, age=41, name="太大"),
        "sex": _fit(wusan, male=False, name="女性"),
        "education": _fit(wusan, education="80", name="小学"),
        "education_blank": _fit(wusan, education="", name="学历未登记"),
        "health": _fit(wusan, health="3", name="慢性病"),
        "trades": _fit(wusan, trades=["16"], name="缝纫工"),
        "surplus": _fit(wusan, labor_status="working_away", name="在外"),
    }
    no_cert = person(wusan, trades=["01"], name="无证")
    certify(no_cert, "training", "01")
    certify(no_cert, "special", "01", valid_until=TODAY - datetime.timedelta(days=1))  # expired
    failing["certificate_special"] = no_cert
    untrained = person(wusan, trades=["01"], name="未培训")
    certify(untrained, "special", "01")
    failing["training"] = untrained
    applied = _fit(wusan, name="已报名")
    Application.objects.create(person=applied, job_order=strict, region_id=applied.region_id, registered_on=TODAY)
    failing["not_applied"] = applied
    outsider = _fit(mangang, name="外乡镇")  # meets everything, in another township

    found = [c.person.pk for c in matching.candidates_for_order(user=station, order=strict)]
    assert found == [fit.pk]
    unmet = matching.unmet_requirements(user=station, order=strict, person_ids=[p.pk for p in failing.values()])
    for key, p in failing.items():
        label = next(
            r.label
            for r in matching.requirements(strict, on=matching.match_date(strict))
            if r.key == key.split("_blank")[0]
        )
        assert unmet[p.pk] == [label], (key, unmet[p.pk])
    assert outsider.pk not in matching.unmet_requirements(user=station, order=strict, person_ids=[outsider.pk])
    # The county above sees both townships' people: the outsider is a candidate there.
    from laowu.accounts.models import User

    city = User.objects.create(username="city", role=Role.CITY_OFFICE, region_id="00")
    assert {c.person.pk for c in matching.candidates_for_order(user=city, order=strict)} == {fit.pk, outsider.pk}


def test_training_counts_as_a_passed_class_or_a_certificate_in_the_trade(strict, villages, station):
    by_class = person(villages["wusan"], trades=["01"], name="培训班")
    certify(by_class, "special", "01")
    train(by_class, "01")
    other_trade = person(villages["wusan"], trades=["01"], name="别的工种")
    certify(other_trade, "special", "01")
    train(other_trade, "08")
    found = {c.person.pk: c for c in matching.candidates_for_order(user=station, order=strict)}
    assert set(found) == {by_class.pk}
    assert "已完成瓦工（砌筑工）培训（本岗位须先培训）" in [r.text for r in found[by_class.pk].reasons]


def test_ranking_follows_the_weights(villages, station):
    o = order(min_age=18, max_age=45, trade_codes=["01"], place_region_id="440306")
    v = villages["wusan"]
    best = person(v, trades=["01"], wants_to_go_out=True, preferred_destinations=["44"], name="甲")
    train(best)
    skilled = person(v, trades=["01"], name="乙")
    travelled = person(v, wants_to_go_out=True, name="丙", trades=["01", "02"])
    stint(travelled, datetime.date(2022, 3, 1), 300)
    early = person(v, wants_to_go_out=True, name="丁", trades=["01"])
    stint(early, datetime.date(2023, 3, 1), 40)
    result = matching.candidates_for_order(user=station, order=o)
    w = matching.WEIGHTS
    assert [(c.person.pk, c.score) for c in result] == [
        (best.pk, w["trade"] + w["trained"] + w["destination"] + w["wants_out"]),
        (travelled.pk, w["trade"] + w["wants_out"] + w["experience"]),
        (early.pk, w["trade"] + w["wants_out"] + w["experience"] + w["early_return"]),
        (skilled.pk, w["trade"]),
    ]
    for c in result:  # the reasons add up to the score
        assert sum(r.points for r in c.reasons) == c.score


def test_reasons_name_the_facts(villages, station):
    o = order(min_age=18, max_age=45, trade_codes=["08"], certificate_kinds=["special"], place_region_id="440306")
    p = person(
        villages["wusan"],
        age=32,
        trades=["08"],
        wants_to_go_out=True,
        preferred_destinations=["44"],
        preferred_trades=["08"],
    )
    certify(p, "special", "08")
    train(p, "08")
    stint(p, datetime.date(2021, 3, 1), 300)
    stint(p, datetime.date(2023, 3, 1), 50)
    (candidate,) = matching.candidates_for_order(user=station, order=o)
    texts = [r.text for r in candidate.reasons]
    for expected in (
        "年龄 32 岁，符合 18–45 岁",
        "有电工技能",
        "持有电工特种作业操作证",
        "意向去广东省",
        "意向工种：电工",
        "有外出意愿",
        "已完成电工培训",
        "曾外出务工 2 次，1 次 3 个月内返乡",
    ):
        assert expected in texts, (expected, texts)


def test_both_directions_agree(villages, station):
    v = villages["wusan"]
    orders = [
        order(min_age=18, max_age=35, trade_codes=["01"], place_region_id="440306"),
        order(sex="2", min_education="60", health_codes=["1", "2"], place_region_id="620702"),
        order(certificate_kinds=["health"], training_required=True, training_trade_code="11", title="家政"),
        order(max_age=50, trade_codes=["01", "03"], title="瓦工、抹灰工"),
    ]
    people = [
        person(v, age=25, trades=["01"], preferred_destinations=["4403"], wants_to_go_out=True),
        person(v, age=40, male=False, education="60", health="2", preferred_trades=["11"]),
        person(v, age=30, male=False, education="20", trades=["11"], preferred_destinations=["62"]),
        person(v, age=48, trades=["03"], labor_status="returned"),
        person(v, age=22, labor_status="farming", trades=["01"]),
    ]
    certify(people[2], "health")
    train(people[2], "11")
    stint(people[3], datetime.date(2024, 1, 1), 60)
    forward = {
        (c.person.pk, o.pk): c.score for o in orders for c in matching.candidates_for_order(user=station, order=o)
    }
    backward = {(p.pk, m.order.pk): m.score for p in people for m in matching.orders_for_person(user=station, person=p)}
    assert forward == backward
    assert len(forward) >= 4


def test_orders_for_person_rank_open_orders_and_skip_the_rest(villages, station):
    p = person(villages["wusan"], trades=["01"], preferred_destinations=["4403"], wants_to_go_out=True)
    near = order(trade_codes=["01"], place_region_id="440306", title="深圳瓦工")
    far = order(trade_codes=["01"], place_region_id="650102", title="乌鲁木齐瓦工")
    plain = order(title="普工", place_region_id="650102")
    order(title="草稿", status=JobOrderStatus.DRAFT)
    order(title="已截止", deadline=TODAY - datetime.timedelta(days=1))
    order(title="女工", sex="2")
    order(title="外县", region="530502")  # registered by another county: not visible to Shahe
    result = matching.orders_for_person(user=station, person=p)
    assert [m.order.pk for m in result] == [near.pk, far.pk, plain.pk]
    assert "意向去深圳市" in [r.text for r in result[0].reasons]
    away = person(villages["wusan"], labor_status="working_away")
    assert matching.orders_for_person(user=station, person=away) == []
    assert "不在富余劳动力台帐" in matching.person_pool_problem(away)


def test_shortlist_creates_applications_all_or_nothing_and_refuses_duplicates(villages, station):
    o = order(trade_codes=["01"])
    a = person(villages["wusan"], trades=["01"], name="甲")
    b = person(villages["xitou"], trades=["01"], name="乙")
    unskilled = person(villages["wusan"], name="丙")
    outsider = person(villages["mangang"], trades=["01"], name="丁")
    created = services.shortlist_register(user=station, order=o, person_ids=[a.pk, b.pk])
    assert {app.person_id for app in created} == {a.pk, b.pk}
    assert all(app.status == "registered" and app.job_order_id == o.pk for app in created)
    with pytest.raises(ValidationError) as duplicate:
        services.shortlist_register(user=station, order=o, person_ids=[a.pk])
    assert "甲：不符合用工要求——已报名过该岗位" in str(duplicate.value)
    c = person(villages["wusan"], trades=["01"], name="戊")
    with pytest.raises(ValidationError) as mixed:
        services.shortlist_register(user=station, order=o, person_ids=[c.pk, unskilled.pk, outsider.pk])
    text = " ".join(mixed.value.messages)
    assert "丙：不符合用工要求——没有瓦工（砌筑工）技能" in text
    assert f"编号 {outsider.pk}：人员不存在或不在您的管辖范围内" in text
    assert not Application.objects.filter(person=c).exists()  # all or nothing
    assert Application.objects.filter(job_order=o).count() == 2


def test_shortlist_needs_a_published_order_and_the_capability(villages, station, make_user):
    a = person(villages["wusan"])
    draft = order(status=JobOrderStatus.VETTED)
    with pytest.raises(ValidationError, match="不能报名"):
        services.shortlist_register(user=station, order=draft, person_ids=[a.pk])
    officer = make_user(role=Role.VILLAGE_OFFICER, region=villages["wusan"])
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.shortlist_register(user=officer, order=order(), person_ids=[a.pk])


def test_query_count_does_not_grow_with_candidates(villages, station):
    o = order(trade_codes=["01"], certificate_kinds=["health"])

    def run() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as captured:
            result = matching.candidates_for_order(user=station, order=o)
        return len(result), len(captured)

    for _ in range(2):
        p = person(villages["wusan"], trades=["01"], preferred_destinations=["44"])
        certify(p, "health")
        stint(p, datetime.date(2023, 1, 1), 100)
    small = run()
    for _ in range(8):
        p = person(villages["xitou"], trades=["01"], preferred_destinations=["4403"])
        certify(p, "health")
        train(p)
        stint(p, datetime.date(2023, 1, 1), 30)
    large = run()
    assert (small[0], large[0]) == (2, 10)
    assert small[1] == large[1] <= 6


# --- pages ------------------------------------------------------------------------------------


def test_candidates_page_lists_ranked_people_and_registers_the_selected(villages, station, login):
    client = login(station)
    o = order(trade_codes=["01"])
    a = person(villages["wusan"], trades=["01"], name="贾天海", wants_to_go_out=True)
    b = person(villages["xitou"], trades=["01"], name="樊金花")
    person(villages["mangang"], trades=["01"], name="外乡人")
    page = client.get(f"/jobs/{o.pk}/candidates/")
    html = page.content.decode()
    assert page.status_code == 200
    assert html.index("贾天海") < html.index("樊金花") and "外乡人" not in html
    assert "有瓦工（砌筑工）技能" in html and "加入报名" in html
    assert "匹配候选人" in client.get(f"/jobs/{o.pk}/").content.decode()
    narrowed = client.get(f"/jobs/{o.pk}/candidates/?region={villages['xitou']}").content.decode()
    assert "樊金花" in narrowed and "贾天海" not in narrowed
    response = client.post(f"/jobs/{o.pk}/candidates/", {"person": [a.pk, b.pk]}, follow=True)
    assert "已为 2 人报名" in response.content.decode()
    assert Application.objects.filter(job_order=o).count() == 2
    again = client.post(f"/jobs/{o.pk}/candidates/", {"person": [a.pk]}, follow=True).content.decode()
    assert "未办理任何报名" in again and "贾天海：不符合用工要求——已报名过该岗位" in again


def test_candidates_page_and_api_are_scoped(villages, station, login):
    client = login(station)
    other = order(region="530502", trade_codes=["01"])  # registered by Longyang: not Shahe's
    assert client.get(f"/jobs/{other.pk}/candidates/").status_code == 404
    api = client.get(f"/api/jobs/orders/{other.pk}/candidates")
    assert api.status_code == 404 and api.json()["code"] == "not_found"
    outsider = person(villages["mangang"])
    assert client.get(f"/jobs/people/{outsider.pk}/orders/").status_code == 404
    api = client.get(f"/api/jobs/people/{outsider.pk}/matching-orders")
    assert api.status_code == 404 and api.json()["code"] == "not_found"
    post = client.post(
        f"/api/jobs/orders/{other.pk}/applications", {"person_ids": [outsider.pk]}, content_type="application/json"
    )
    assert post.status_code == 404


def test_village_officer_sees_candidates_but_cannot_register(villages, make_user, login):
    officer = make_user(role=Role.VILLAGE_OFFICER, region=villages["wusan"])
    client = login(officer)
    o = order()
    mine = person(villages["wusan"], name="本村")
    person(villages["xitou"], name="邻村")
    html = client.get(f"/jobs/{o.pk}/candidates/").content.decode()
    assert "本村" in html and "邻村" not in html and "加入报名" not in html
    assert client.post(f"/jobs/{o.pk}/candidates/", {"person": [mine.pk]}).status_code == 403


def test_person_orders_page_recommends_and_registers(villages, station, login):
    client = login(station)
    p = person(villages["wusan"], trades=["01"], name="贾天海")
    o = order(trade_codes=["01"], title="深圳瓦工")
    html = client.get(f"/workers/people/{p.pk}/").content.decode()
    assert f"/jobs/people/{p.pk}/orders/" in html
    page = client.get(f"/jobs/people/{p.pk}/orders/").content.decode()
    assert "深圳瓦工" in page and "有瓦工（砌筑工）技能" in page and "报名" in page
    response = client.post(f"/jobs/people/{p.pk}/orders/", {"order": o.pk}, follow=True)
    assert "贾天海 已报名「深圳瓦工」" in response.content.decode()
    assert Application.objects.filter(person=p, job_order=o).exists()
    again = client.post(f"/jobs/people/{p.pk}/orders/", {"order": o.pk}, follow=True).content.decode()
    assert "已报名过该岗位" in again


# --- API --------------------------------------------------------------------------------------


def test_api_candidates_shortlist_and_matching_orders(villages, station, login):
    client = login(station)
    o = order(trade_codes=["01"], min_age=18, max_age=45)
    a = person(villages["wusan"], trades=["01"], name="甲", wants_to_go_out=True)
    b = person(villages["xitou"], trades=["01"], name="乙")
    rows = client.get(f"/api/jobs/orders/{o.pk}/candidates?limit=10").json()
    assert [r["person_id"] for r in rows] == [a.pk, b.pk]
    assert rows[0]["score"] == sum(r["points"] for r in rows[0]["reasons"])
    assert {"text": "有瓦工（砌筑工）技能", "points": matching.WEIGHTS["trade"]} in rows[0]["reasons"]
    assert "id_number_masked" in rows[0] and "*" in rows[0]["id_number_masked"]
    orders = client.get(f"/api/jobs/people/{a.pk}/matching-orders").json()
    assert orders[0]["order"]["id"] == o.pk and orders[0]["score"] == rows[0]["score"]
    created = client.post(
        f"/api/jobs/orders/{o.pk}/applications", {"person_ids": [a.pk, b.pk]}, content_type="application/json"
    )
    assert created.status_code == 201 and {r["person_id"] for r in created.json()} == {a.pk, b.pk}
    duplicate = client.post(
        f"/api/jobs/orders/{o.pk}/applications", {"person_ids": [a.pk]}, content_type="application/json"
    )
    assert duplicate.status_code == 400 and duplicate.json()["code"] == "invalid"
    assert "已报名过该岗位" in duplicate.json()["errors"]["person_ids"][0]
    empty = client.post(f"/api/jobs/orders/{o.pk}/applications", {"person_ids": []}, content_type="application/json")
    assert empty.status_code == 400


def test_api_matching_needs_the_registry_capability(villages, make_user, login):
    agency = make_user(role=Role.AGENCY, region="5305")
    client = login(agency)
    o = order(region="620723")
    assert client.get(f"/api/jobs/orders/{o.pk}/candidates").status_code == 403


def test_stint_counters_follow_the_stints(villages, station):
    from laowu.placements import services as placement_services

    p = person(villages["wusan"])
    values = {"channel": "self_arranged", "destination_id": "4403", "start_date": datetime.date(2023, 1, 1)}
    record = placement_services.stint_create(user=station, person=p, values=values)
    p.refresh_from_db()
    assert (p.stint_count, p.early_return_count) == (1, 0)
    placement_services.stint_end(user=station, stint=record, end_date=datetime.date(2023, 2, 15))
    p.refresh_from_db()
    assert (p.stint_count, p.early_return_count) == (1, 1)
    placement_services.stint_delete(user=station, stint=record)
    p.refresh_from_db()
    assert (p.stint_count, p.early_return_count) == (0, 0)


def test_candidates_page_queries_do_not_grow_with_rows(villages, station, login):
    client = login(station)
    o = order(trade_codes=["01"])

    def page_queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(f"/jobs/{o.pk}/candidates/").status_code == 200
        # The page's own queries (session and last-seen bookkeeping come and go).
        return sum(
            1
            for q in captured.captured_queries
            if "django_session" not in q["sql"] and "accounts_user" not in q["sql"] and "SAVEPOINT" not in q["sql"]
        )

    person(villages["wusan"], trades=["01"])
    few = page_queries()
    for _ in range(9):
        p = person(villages["xitou"], trades=["01"], preferred_destinations=["44"])
        certify(p, "training", "01")
    assert page_queries() == few <= 9
