"""Matching in a real browser: a station ticks candidates of a job order and registers them."""

from __future__ import annotations

import pytest

from conftest import SHAHE
from laowu.accounts.roles import Role

pytestmark = pytest.mark.browser


def test_station_registers_ticked_candidates(page, live_server, make_user, villages, browser_login, shoot):
    from laowu.jobs.tests.test_matching import order, person
    from laowu.placements.models import Application

    make_user(role=Role.TOWNSHIP_STATION, region=SHAHE, username="station_shahe")
    job = order(trade_codes=["01"], min_age=18, max_age=45, title="建筑瓦工（西宁）")
    other = order(min_age=18, max_age=40, title="电子厂普工（深圳）")
    first = person(villages["wusan"], trades=["01"], name="贾天海", wants_to_go_out=True, preferred_destinations=["44"])
    second = person(villages["xitou"], trades=["01"], name="樊金花")
    person(villages["xitou"], name="没有技能")  # fails the trade requirement: not listed
    browser_login(page, "station_shahe")
    page.goto(f"{live_server.url}/jobs/{job.pk}/")
    page.get_by_role("link", name="匹配候选人").click()
    rows = page.locator("#candidate-rows tbody tr")
    assert rows.count() == 2 and "贾天海" in rows.nth(0).inner_text()
    assert "有瓦工（砌筑工）技能" in rows.nth(0).inner_text()
    shoot(page, "matching_candidates")
    page.get_by_label("选择 贾天海").check()
    page.get_by_label("选择 樊金花").check()
    page.get_by_role("button", name="加入报名").click()
    assert "已为 2 人报名" in page.locator(".msg-success").inner_text()
    assert set(Application.objects.filter(job_order=job).values_list("person_id", flat=True)) == {first.pk, second.pk}
    assert "没有符合全部硬性条件" in page.locator("#candidate-rows").inner_text()  # both left the list
    page.goto(f"{live_server.url}/jobs/people/{first.pk}/orders/")
    assert page.locator("h1").inner_text().startswith("推荐岗位")
    listed = page.locator("tbody tr")
    assert listed.count() == 1 and "电子厂普工（深圳）" in listed.inner_text()  # applied to the other already
    assert "意向去广东省" in listed.inner_text()
    shoot(page, "matching_person_orders")
    listed.get_by_role("button", name="报名").click()
    assert "贾天海 已报名「电子厂普工（深圳）」" in page.locator(".msg-success").inner_text()
    assert Application.objects.filter(job_order=other, person=first).exists()
