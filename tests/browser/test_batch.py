"""Issue 5 in a real browser: a batch of 60 people from a published job order to arrival.

Set-up is by factories (a published order with an agency, 60 surplus laborers of Shahe); every
step after that is done in Chromium the way a township labor station does it: 批量报名 from the
surplus ledger, the bulk actions of the application list and of the batch page (each a
confirmation page with the facts for the whole group), a batch with date, transport and escort,
departure, and the agency confirming arrival in its portal. The database must then hold 60
organised stints and 60 people marked 外出务工.
"""

from __future__ import annotations

import datetime
import itertools
from typing import Any

import pytest
from playwright.sync_api import expect

from conftest import SHAHE
from laowu.accounts.roles import Role
from laowu.placements.choices import ApplicationStatus, BatchStatus, Channel
from laowu.placements.models import AgencyUser, Application, Batch, Stint
from laowu.placements.tests.conftest import make_order
from laowu.training.tests.factories import make_person
from laowu.workers.models import LaborStatus, Person

pytestmark = pytest.mark.browser

SIZE = 60
BULK_TIMEOUT = 60_000  # one bulk step moves 60 applications, each through the transition service
SURNAMES = "王李张刘陈杨赵黄周吴"
GIVEN = ("建国", "秀英", "志强", "海燕", "德胜", "玉兰")


def _people(villages: dict[str, str]) -> list[Person]:
    people = []
    for index, (surname, given) in enumerate(itertools.product(SURNAMES, GIVEN)):
        people.append(
            make_person(
                villages["wusan"] if index % 2 else villages["xitou"],
                birth=datetime.date(1990 + index % 14, 1 + index % 12, 1 + index % 28),
                male=index % 3 != 0,
                name=surname + given,
                labor_status=LaborStatus.SURPLUS,
                wants_to_go_out=True,
            )
        )
    return people


def _submit(page: Any, target: Any) -> None:
    """Click a submit button and wait for the page the POST redirects to."""
    with page.expect_navigation(timeout=BULK_TIMEOUT):
        target.click()


def _bulk(page: Any, form: Any, label: str) -> None:
    """Choose a bulk action in a toolbar and run it for the selection (or, on the batch page, all)."""
    form.locator("select[name=action]").select_option(label=label)
    _submit(page, form.locator("button[type=submit]").first)


def _confirm(page: Any, label: str) -> None:
    """The bulk action's confirmation page: facts are filled in; confirm for all 60."""
    expect(page.locator("h1")).to_have_text(f"批量办理：{label}（{SIZE} 人）")
    _submit(page, page.get_by_role("button", name=f"确认办理（{SIZE} 人）"))


def _done(page: Any, label: str) -> None:
    expect(page.locator(".msg-success")).to_have_text(f"{label}：{SIZE} 人办理成功。")
    expect(page.locator(".msg-error")).to_have_count(0)


def test_batch_of_60_from_published_order_to_arrival(
    page, other_page, live_server, make_user, villages, browser_login, shoot
):
    make_user(role=Role.TOWNSHIP_STATION, region=SHAHE, username="station_shahe", display_name="沙河镇劳务工作站")
    order = make_order(headcount=SIZE, contract_months=12, title="电子装配工")
    agency_user = make_user(role=Role.AGENCY, region="00", username="agency_yongxin")
    AgencyUser.objects.create(user=agency_user, agency=order.agency)
    people = _people(villages)
    make_person(villages["wusan"], name="赵务农", labor_status=LaborStatus.FARMING)  # not in the surplus ledger
    make_person(villages["mangang"], name="芒岗富余", labor_status=LaborStatus.SURPLUS)  # another county
    assert len(people) == SIZE
    today = datetime.date.today()
    base = live_server.url

    # 1. 批量报名 from the surplus ledger: the 60, and only they, are listed; one submit.
    browser_login(page, "station_shahe")
    page.goto(f"{base}/workers/surplus/")
    with page.expect_navigation():
        page.get_by_role("link", name="批量报名").click()
    page.locator("select[name=order]").select_option(str(order.pk))
    with page.expect_navigation():
        page.get_by_role("button", name="查询").click()
    rows = page.locator("input[name=person]")
    expect(rows).to_have_count(SIZE)
    assert "赵务农" not in page.content() and "芒岗富余" not in page.content()
    page.get_by_label("全选").check()
    shoot(page, "batch60_bulk_register")
    _submit(page, page.get_by_role("button", name="报名所选人员"))
    expect(page.locator(".msg-success")).to_have_text(f"已为 {SIZE} 人报名「电子装配工」。")
    assert Application.objects.filter(job_order=order, status=ApplicationStatus.REGISTERED).count() == SIZE

    # 2. Screening and the group health check on the application list (all 60 on one page).
    toolbar = page.locator("form[action$='/applications/bulk/']")
    expect(page.locator("input[name=app]")).to_have_count(SIZE)
    page.get_by_label("全选").check()
    _bulk(page, toolbar, "初审（年龄、健康、政审）")
    page.get_by_label("政审通过").check()
    _confirm(page, "初审（年龄、健康、政审）")
    _done(page, "初审（年龄、健康、政审）")

    page.get_by_label("全选").check()
    _bulk(page, toolbar, "登记体检")
    page.get_by_label("体检医院").fill("临泽县人民医院")
    page.get_by_label("体检费（元）").fill("27")
    shoot(page, "batch60_bulk_health_check")
    _confirm(page, "登记体检")
    _done(page, "登记体检")

    # 3. A batch with date, transport and escort; the 60 join it from the candidates list.
    page.goto(f"{base}/placements/batches/new/")
    page.get_by_label("批次名称").fill("2026年第1批赴深圳电子厂")
    page.get_by_label("用工信息").select_option(str(order.pk))
    page.get_by_label("出发日期").fill(f"{today:%Y-%m-%d}")
    page.get_by_label("目的地").fill("广东省深圳市宝安区")
    page.get_by_label("交通方式").fill("旅游大巴至张掖站，K字头列车")
    page.get_by_label("护送人员", exact=True).fill("张干事")
    page.get_by_label("护送人员电话").fill("13909360001")
    _submit(page, page.get_by_role("button", name="保存"))
    expect(page.locator(".msg-success")).to_have_text("批次已保存。")
    batch = Batch.objects.get(name="2026年第1批赴深圳电子厂")
    candidates = page.locator("input.cand")
    expect(candidates).to_have_count(SIZE)
    page.get_by_label("全选").nth(1).check()  # the candidates table's own select-all
    _submit(page, page.get_by_role("button", name="加入本批次"))
    _done(page, "加入批次")
    expect(page.locator("h2").first).to_have_text(f"成员（{SIZE} 人）")

    # 4. Interview, contract (terms of the order) and documents for the whole batch, then depart.
    members = page.locator(f"form[action$='/batches/{batch.pk}/action/']")
    _bulk(page, members, "面试通过")
    _confirm(page, "面试通过")
    _done(page, "面试通过")

    _bulk(page, members, "签订就业合同")
    expect(page.get_by_label("合同期限（月）")).to_have_value("12")
    expect(page.get_by_label("保底工资（元/月）")).to_have_value("2800.00")
    _confirm(page, "签订就业合同")
    _done(page, "签订就业合同")

    _bulk(page, members, "证件办齐")
    page.get_by_label("身份证").check()
    page.get_by_label("务工证").check()
    page.get_by_label("办证工本费（元）").fill("15")
    _confirm(page, "证件办齐")
    _done(page, "证件办齐")

    _bulk(page, members, "出发")
    _done(page, "出发")
    expect(page.locator("h1 .tag")).to_have_text("已出发")
    expect(page.locator("#status-counts")).to_have_text(f"已出发 {SIZE} 人")
    expect(page.locator("input[name=app]")).to_have_count(SIZE)
    shoot(page, "batch60_departed")

    # 5. The agency confirms arrival of all 60 in its portal.
    agency = other_page
    browser_login(agency, "agency_yongxin")
    with agency.expect_navigation():
        agency.locator("#sidebar").get_by_role("link", name="批次到岗确认").click()
    with agency.expect_navigation():
        agency.get_by_role("link", name="查看").click()
    expect(agency.locator("h2").first).to_have_text(f"成员（{SIZE} 人）")
    _submit(agency, agency.get_by_role("button", name="全部确认到岗"))
    _done(agency, "确认到岗")
    expect(agency.locator("h1 .tag")).to_have_text("已到达")
    expect(agency.locator("#status-counts")).to_have_text(f"已到岗 {SIZE} 人")
    shoot(agency, "batch60_arrived_agency_portal")

    # 6. The records: 60 organised stints, 60 people out working, the batch closed.
    ids = [p.pk for p in people]
    assert Stint.objects.filter(person_id__in=ids, channel=Channel.ORGANISED, start_date=today).count() == SIZE
    assert Person.objects.filter(pk__in=ids, labor_status=LaborStatus.WORKING_AWAY).count() == SIZE
    assert set(batch.members.values_list("status", flat=True)) == {ApplicationStatus.ARRIVED}
    assert batch.members.filter(departed_on=today, health_check_fee=27, contract_term_months=12).count() == SIZE
    assert Batch.objects.get(pk=batch.pk).status == BatchStatus.CLOSED
    page.goto(f"{base}/placements/batches/{batch.pk}/")
    expect(page.locator("#status-counts")).to_have_text(f"已到岗 {SIZE} 人")
    shoot(page, "batch60_arrived")
