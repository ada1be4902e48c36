"""The web shell in a real browser: login, lockout, region scope, the phone layout."""

from __future__ import annotations

import pytest

from conftest import LONGYANG, SHAHE
from laowu.accounts.roles import Role
from laowu.accounts.views import LOGIN_REFUSED

pytestmark = pytest.mark.browser


def test_login_lands_on_home_page(page, live_server, make_user, browser_login, shoot):
    make_user(role=Role.TOWNSHIP_STATION, region=SHAHE, username="station_shahe", display_name="沙河镇劳务工作站")
    page.goto(f"{live_server.url}/")
    assert "/accounts/login/" in page.url  # anonymous → login
    shoot(page, "login")
    browser_login(page, "station_shahe")
    assert page.url == f"{live_server.url}/"
    assert page.locator("h1").inner_text() == "您好，沙河镇劳务工作站"
    assert page.locator("#sidebar").get_by_role("link", name="行政区划").is_visible()
    shoot(page, "home_township_station")


def test_lockout_after_five_failures_shows_the_wrong_password_message(page, live_server, make_user, browser_login):
    make_user(username="station_shahe")
    messages = []
    for _ in range(5):
        browser_login(page, "station_shahe", "Wrong#2026pass")
        messages.append(page.locator(".msg-error").inner_text())
    assert messages == [LOGIN_REFUSED] * 5
    browser_login(page, "station_shahe")  # the right password, but the account is locked now
    assert "/accounts/login/" in page.url
    assert page.locator(".msg-error").inner_text() == LOGIN_REFUSED


def test_township_user_cannot_reach_another_county(page, live_server, make_user, villages, browser_login, shoot):
    make_user(role=Role.TOWNSHIP_STATION, region=SHAHE, username="station_shahe")
    browser_login(page, "station_shahe")
    response = page.goto(f"{live_server.url}/regions/{LONGYANG}/")
    assert response.status == 404
    assert "404" in page.locator("h1").inner_text()
    shoot(page, "error_404")

    page.goto(f"{live_server.url}/regions/")
    rows = page.locator("#region-rows")
    # Positive control first: the search box finds a village of the user's own town.
    with page.expect_response(lambda r: "q=" in r.url):
        page.fill("input[name=q]", "五三")
    assert "五三村" in rows.inner_text()
    with page.expect_response(lambda r: "q=" in r.url):
        page.fill("input[name=q]", "芒岗")
    text = rows.inner_text()
    assert "芒岗" not in text and LONGYANG not in text
    assert "暂无数据" in text
    page.fill("input[name=q]", "")
    page.goto(f"{live_server.url}/regions/?parent={SHAHE}")
    assert "五三村" in rows.inner_text()
    assert page.get_by_role("link", name="导入村组名单").is_visible()  # a township may import villages
    shoot(page, "region_list")


def test_phone_layout_hides_the_menu_behind_a_toggle(
    phone_page, live_server, make_user, villages, browser_login, shoot
):
    page = phone_page
    make_user(role=Role.VILLAGE_OFFICER, region=villages["wusan"], username="village_wusan")
    browser_login(page, "village_wusan")
    sidebar = page.locator("#sidebar")
    toggle = page.locator("[data-toggle-nav]")
    assert toggle.is_visible()
    assert not sidebar.is_visible()
    # Nothing wider than the phone: no sideways scrolling of the whole page.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shoot(page, "phone_home")
    toggle.click()
    assert sidebar.is_visible()
    shoot(page, "phone_menu")
    with page.expect_navigation():
        sidebar.get_by_role("link", name="行政区划").click()
    assert page.url.startswith(f"{live_server.url}/regions/")
    assert not sidebar.is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert page.get_by_role("link", name="导入村组名单").count() == 0  # not a village officer's action
    shoot(page, "phone_region_list")


@pytest.mark.parametrize(
    ("username", "role", "region", "path", "heading", "shot"),
    [
        ("county_longyang", Role.COUNTY_OFFICE, LONGYANG, "/", "您好，county_longyang", "home_county_office"),
        ("secadmin", Role.SECURITY_ADMIN, "00", "/accounts/users/", "用户管理", "user_list"),
        ("auditor", Role.AUDITOR, "00", "/audit/", "审计日志", "audit_log"),
    ],
)
def test_main_pages_of_other_roles_render(
    page, live_server, make_user, browser_login, shoot, username, role, region, path, heading, shot
):
    make_user(role=role, region=region, username=username)
    browser_login(page, username)
    response = page.goto(f"{live_server.url}{path}")
    assert response.status == 200
    assert page.locator("h1").first.inner_text() == heading
    # Chinese text is laid out with a CJK font: a line of Chinese has a real width.
    assert page.locator("h1").first.bounding_box()["width"] > 40
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    shoot(page, shot)
