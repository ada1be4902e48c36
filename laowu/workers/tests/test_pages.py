"""Registry pages and API: region scope (a Shahe user never reaches Longyang people), masking
on the server, unmask logging, conflicts that keep the input, query counts."""

from __future__ import annotations

import pytest
from django.test import Client

from laowu.accounts.roles import Role
from laowu.audit.models import AuditEvent
from laowu.workers.models import Person
from laowu.workers.tests.conftest import id_number

pytestmark = pytest.mark.django_db

LONGYANG_NAME = "杨隆阳"


def _rows(response) -> str:
    body = response.content.decode()
    return body[body.index("<tbody>") : body.index("</tbody>")]


@pytest.fixture
def longyang_person(register, make_user, villages):
    user = make_user(role=Role.TOWNSHIP_STATION, region="530502106")
    number = id_number("530502")
    person = register(user, region=villages["mangang"], id_number=number, name=LONGYANG_NAME, phone="13911112222")
    return person, number


@pytest.fixture
def shahe_client(login, shahe_station):
    return login(shahe_station)


def test_shahe_user_cannot_see_a_longyang_person_anywhere(shahe_client, longyang_person, register, shahe_station):
    person, number = longyang_person
    register(shahe_station, name="沙河人")
    for url in ("/workers/resource/", "/workers/surplus/", "/workers/away/"):
        body = shahe_client.get(url).content.decode()
        assert LONGYANG_NAME not in body, url
    listing = shahe_client.get("/workers/resource/").content.decode()
    assert "沙河人" in listing  # the page works and shows the user's own people
    for query in (LONGYANG_NAME, "ylY", number, "139"):
        # The table rows only: the page echoes the typed query in the search box and pager.
        body = _rows(shahe_client.get("/workers/resource/", {"q": query}))
        assert LONGYANG_NAME not in body and "暂无符合条件的人员" in body, query
    assert shahe_client.get(f"/workers/people/{person.pk}/").status_code == 404
    assert shahe_client.get(f"/workers/people/{person.pk}/edit/").status_code == 404
    assert shahe_client.get(f"/api/workers/people/{person.pk}").status_code == 404
    api_list = shahe_client.get("/api/workers/people/", {"q": number}).json()
    assert api_list["items"] == []
    assert shahe_client.get(f"/api/workers/households/{person.household_id or 0}").status_code == 404


def test_shahe_user_cannot_register_into_longyang_through_the_page(shahe_client, villages):
    response = shahe_client.post(
        "/workers/people/new/",
        {
            "name": "越界",
            "id_number": id_number("530502"),
            "region": villages["mangang"],
            "ethnicity": "01",
            "health": "1",
            "political_status": "13",
            "labor_status": "farming",
        },
    )
    assert response.status_code == 200
    assert "不在您的管辖范围内" in response.content.decode()
    assert not Person.objects.filter(name="越界").exists()


def test_register_page_shows_the_error_beside_the_field(shahe_client, villages):
    response = shahe_client.post(
        "/workers/people/new/",
        {
            "name": "错号",
            "id_number": "620723199001011230",
            "region": villages["wusan"],
            "ethnicity": "01",
            "health": "1",
            "political_status": "13",
            "labor_status": "farming",
            "phone": "1234",
        },
    )
    body = response.content.decode()
    assert "身份证号：校验位错误" in body and "联系电话：「1234」不是有效的手机或固定电话号码" in body
    assert body.index("身份证号：校验位错误") > body.index('name="id_number"')


def test_register_page_creates_and_redirects(shahe_client, villages):
    response = shahe_client.post(
        "/workers/people/new/",
        {
            "name": "新人",
            "id_number": id_number(),
            "region": villages["wusan"],
            "ethnicity": "01",
            "health": "1",
            "political_status": "13",
            "labor_status": "surplus",
            "trades": ["01", "08"],
            "wants_to_go_out": "on",
        },
    )
    person = Person.objects.get(name="新人")
    assert response.status_code == 302 and response["Location"] == f"/workers/people/{person.pk}/"
    assert person.trades == ["01", "08"] and person.wants_to_go_out


def test_village_officer_never_receives_full_numbers(register, make_user, login, villages, shahe_station):
    number = id_number()
    person = register(
        shahe_station, id_number=number, phone="13812345678", household_number="H1", relation_to_head="户主"
    )
    officer = make_user(role=Role.VILLAGE_OFFICER, region=villages["wusan"])
    client = login(officer)
    urls = [
        "/workers/resource/",
        f"/workers/people/{person.pk}/",
        f"/workers/people/{person.pk}/edit/",
        f"/workers/households/{person.household_id}/",
        f"/api/workers/people/{person.pk}",
        "/api/workers/people/",
        f"/api/workers/households/{person.household_id}",
    ]
    found = _rows(client.get("/workers/resource/", {"q": number}))
    assert person.name in found and number not in found
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert number.encode() not in response.content, url
        assert b"13812345678" not in response.content, url
    detail = client.get(f"/workers/people/{person.pk}/").content.decode()
    assert number[:6] in detail and "138****5678" in detail
    assert "查看完整号码" not in detail
    assert client.post(f"/workers/people/{person.pk}/unmask/", {"reason": "核对"}).status_code == 403
    assert (
        client.post(
            f"/api/workers/people/{person.pk}/unmask", {"reason": "核对"}, content_type="application/json"
        ).status_code
        == 403
    )


def test_unmask_shows_the_numbers_once_and_is_logged(register, shahe_station, shahe_client):
    number = id_number()
    person = register(shahe_station, id_number=number, phone="13812345678")
    detail = shahe_client.get(f"/workers/people/{person.pk}/")
    assert number.encode() not in detail.content and "查看完整号码" in detail.content.decode()
    refused = shahe_client.post(f"/workers/people/{person.pk}/unmask/", {"reason": " "}, HTTP_HX_REQUEST="true")
    assert number.encode() not in refused.content
    assert not AuditEvent.objects.filter(event="unmask").exists()
    shown = shahe_client.post(f"/workers/people/{person.pk}/unmask/", {"reason": "核对补贴"}, HTTP_HX_REQUEST="true")
    assert number.encode() in shown.content and b"13812345678" in shown.content
    event = AuditEvent.objects.get(event="unmask")
    assert event.object_id == str(person.pk) and event.user_id == shahe_station.pk
    assert event.detail["reason"] == "核对补贴"
    again = shahe_client.get(f"/workers/people/{person.pk}/")
    assert number.encode() not in again.content


def test_edit_with_a_stale_version_keeps_the_input_and_overwrites_nothing(register, shahe_station, shahe_client):
    from laowu.workers import services

    person = register(shahe_station, name="钱七", notes="原备注")
    form = {
        "name": "钱七",
        "ethnicity": "01",
        "health": "1",
        "political_status": "13",
        "labor_status": "farming",
        "notes": "我的修改",
        "version": str(person.version),
    }
    services.person_update(user=shahe_station, person=person, data={"notes": "别人的修改"}, version=person.version)
    response = shahe_client.post(f"/workers/people/{person.pk}/edit/", form)
    body = response.content.decode()
    assert response.status_code == 409
    assert "保存冲突" in body and "我的修改" in body and "别人的修改" in body
    person.refresh_from_db()
    assert person.notes == "别人的修改"
    assert f'name="version" value="{person.version}"' in body
    # Saving again after seeing the conflict is a deliberate overwrite.
    form["version"] = str(person.version)
    assert shahe_client.post(f"/workers/people/{person.pk}/edit/", form).status_code == 302
    person.refresh_from_db()
    assert person.notes == "我的修改"


def test_api_stale_version_is_409_conflict(register, shahe_station, shahe_client):
    person = register(shahe_station)
    url = f"/api/workers/people/{person.pk}"
    ok = shahe_client.patch(url, {"version": 1, "notes": "一"}, content_type="application/json")
    assert ok.status_code == 200 and ok.json()["version"] == 2
    stale = shahe_client.patch(url, {"version": 1, "notes": "二"}, content_type="application/json")
    assert stale.status_code == 409 and stale.json()["code"] == "conflict"
    person.refresh_from_db()
    assert person.notes == "一"


def test_api_create_and_list_with_ledger_filters(shahe_client, villages):
    created = shahe_client.post(
        "/api/workers/people/",
        {
            "name": "接口人",
            "id_number": id_number(),
            "region": villages["wusan"],
            "labor_status": "working_away",
            "phone": "13700001234",
            "trades": ["电工"],
        },
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    assert created.json()["phone"] == "137****1234"
    away = shahe_client.get("/api/workers/people/", {"ledger": "away", "trade": "08"}).json()
    surplus = shahe_client.get("/api/workers/people/", {"ledger": "surplus"}).json()
    assert [p["name"] for p in away["items"]] == ["接口人"] and surplus["items"] == []
    bad = shahe_client.post(
        "/api/workers/people/",
        {"name": "坏", "id_number": "1", "region": villages["wusan"]},
        content_type="application/json",
    )
    assert bad.status_code == 400 and "身份证号" in bad.json()["errors"]["id_number"][0]


def test_ledger_page_filters_and_query_count(register, shahe_station, shahe_client, django_assert_max_num_queries):
    for i in range(30):
        register(
            shahe_station,
            name=f"人{i:02d}",
            household_number=f"H{i % 6}",
            trades="瓦工" if i % 2 else "",
            labor_status="surplus",
        )
    with django_assert_max_num_queries(12):
        response = shahe_client.get("/workers/surplus/", {"trade": "01", "sex": "1", "age_min": "18", "age_max": "60"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "人01" in body and "人02" not in body
    partial = shahe_client.get("/workers/surplus/", {"q": "人0"}, HTTP_HX_REQUEST="true")
    assert "<html" not in partial.content.decode() and "人05" in partial.content.decode()


def test_ledger_sort_is_whitelisted(register, shahe_station, shahe_client):
    register(shahe_station, name="阿", id_number=id_number(age=20))
    register(shahe_station, name="波", id_number=id_number(age=50))
    by_age = shahe_client.get("/workers/resource/", {"sort": "-age"}).content.decode()
    assert by_age.index("波") < by_age.index("阿")
    assert shahe_client.get("/workers/resource/", {"sort": "id_number_hash"}).status_code == 200


def test_toolbar_links_render_only_when_the_url_exists(shahe_client, monkeypatch):
    from django.urls import NoReverseMatch

    from laowu.workers import views

    body = shahe_client.get("/workers/surplus/").content.decode()
    assert "新增" in body

    def fake(name):
        if name in ("workers:import_upload", "workers:ledger_export"):
            return {"workers:import_upload": "/workers/import/", "workers:ledger_export": "/workers/export/"}[name]
        raise NoReverseMatch(name)

    monkeypatch.setattr(views, "_optional_url", fake)
    body = shahe_client.get("/workers/surplus/", {"sex": "2"}).content.decode()
    assert 'href="/workers/import/?ledger=surplus"' in body
    assert "/workers/export/?sex=2&amp;ledger=surplus" in body


def test_detail_timeline_shows_who_changed_what(register, shahe_station, shahe_client):
    person = register(shahe_station, name="孙八")
    shahe_client.post(
        f"/workers/people/{person.pk}/edit/",
        {
            "name": "孙八",
            "ethnicity": "01",
            "health": "1",
            "political_status": "13",
            "labor_status": "working_away",
            "version": "1",
        },
    )
    body = shahe_client.get(f"/workers/people/{person.pk}/").content.decode()
    assert "劳动力状态：" in body and "在家务农</span> → 外出务工" in body
    assert shahe_station.username in body


def test_transfer_page_requires_the_capability(register, shahe_station, shahe_client, make_user, login, villages):
    person = register(shahe_station)
    assert shahe_client.get(f"/workers/people/{person.pk}/transfer/").status_code == 403
    county = login(make_user(role=Role.COUNTY_OFFICE, region="620723"), Client())
    response = county.post(f"/workers/people/{person.pk}/transfer/", {"region": villages["xitou"], "reason": "搬迁"})
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.region_id == villages["xitou"]
    assert AuditEvent.objects.filter(detail__action="transfer", object_id=str(person.pk)).exists()


def test_household_pages(register, shahe_station, shahe_client, villages):
    response = shahe_client.post(
        "/workers/households/new/", {"number": "HH9", "region": villages["wusan"], "poverty_status": "lifted"}
    )
    assert response.status_code == 302
    url = response["Location"]
    member = register(shahe_station, name="周九")
    number = Person.objects.get(pk=member.pk).id_number
    assert shahe_client.post(url + "members/", {"id_number": number, "relation": "02"}).status_code == 302
    assert shahe_client.post(url + "income/", {"year": "2024", "per_capita_net_income": "7300.5"}).status_code == 302
    body = shahe_client.get(url).content.decode()
    assert "周九" in body and "7300.50 元" in body and "脱贫户" in body
    listing = shahe_client.get("/workers/households/").content.decode()
    assert "HH9" in listing and "周九" in listing
