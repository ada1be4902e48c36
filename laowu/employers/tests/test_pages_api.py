from __future__ import annotations

import pytest

from laowu.accounts.roles import Role
from laowu.employers.models import Employer
from laowu.employers.tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def longyang_employer():
    return factories.employer("530502", name="隆阳测试电子厂")


def test_shahe_user_gets_404_for_a_longyang_employer_in_list_detail_and_api(make_user, login, longyang_employer):
    shahe = login(make_user(role=Role.TOWNSHIP_STATION, region="620723101"))
    listing = shahe.get("/employers/")
    assert listing.status_code == 200 and "隆阳测试电子厂" not in listing.content.decode()
    assert shahe.get(f"/employers/{longyang_employer.pk}/").status_code == 404
    assert shahe.get(f"/api/employers/employers/{longyang_employer.pk}").status_code == 404
    api_list = shahe.get("/api/employers/employers").json()
    assert all(item["id"] != longyang_employer.pk for item in api_list["items"])


def test_county_user_sees_detail_with_masked_phone_for_roles_without_sensitive(make_user, login, longyang_employer):
    client = login(make_user(role=Role.CITY_OFFICE, region="5305"))
    body = client.get(f"/employers/{longyang_employer.pk}/").content.decode()
    assert "隆阳测试电子厂" in body and "138****5678" in body and "13812345678" not in body
    data = client.get(f"/api/employers/employers/{longyang_employer.pk}").json()
    assert data["contact_phone"] == "138****5678" and data["vetted"] is True


def test_list_page_query_count_does_not_grow_with_rows(make_user, login, django_assert_max_num_queries):
    for _ in range(15):
        factories.employer("530502")
    client = login(make_user(role=Role.COUNTY_OFFICE, region="530502"))
    with django_assert_max_num_queries(12):
        response = client.get("/employers/")
    assert response.status_code == 200 and response.content.decode().count("测试电子厂") >= 15
    with django_assert_max_num_queries(12):
        assert client.get("/employers/agencies/").status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get("/employers/bases/").status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get("/employers/visits/").status_code == 200


def test_create_form_shows_a_bad_credit_code_beside_the_field(make_user, login):
    client = login(make_user(role=Role.COUNTY_OFFICE, region="530502"))
    response = client.post(
        "/employers/new/",
        {"region": "530502", "name": "新厂", "credit_code": "91440300MA5D000000", "address_region": "440306"},
    )
    assert response.status_code == 200
    assert "统一社会信用代码" in response.content.decode() and "has-error" in response.content.decode()
    assert not Employer.objects.filter(name="新厂").exists()


def test_create_form_accepts_a_typed_region_code_and_redirects(make_user, login):
    import random

    from laowu.employers.credit_codes import credit_code_generate

    client = login(make_user(role=Role.COUNTY_OFFICE, region="530502"))
    code = credit_code_generate(random.Random(3), "440306")
    response = client.post(
        "/employers/new/",
        {
            "region": "530502",
            "name": "宝安新厂",
            "credit_code": code,
            "address_region_q": "440306",
            "industry_code": "18",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    employer = Employer.objects.get(name="宝安新厂")
    assert employer.address_region_id == "440306" and employer.region_id == "530502"


def test_blacklist_through_page_and_api(make_user, login, longyang_employer):
    client = login(make_user(role=Role.COUNTY_OFFICE, region="530502"))
    response = client.post(f"/employers/{longyang_employer.pk}/blacklist/", {"reason": ""}, follow=True)
    assert "原因" in response.content.decode()
    longyang_employer.refresh_from_db()
    assert not longyang_employer.is_blacklisted
    client.post(f"/employers/{longyang_employer.pk}/blacklist/", {"reason": "欠薪"})
    longyang_employer.refresh_from_db()
    assert longyang_employer.is_blacklisted
    data = client.post(
        f"/api/employers/employers/{longyang_employer.pk}/unblacklist",
        {"reason": "已整改"},
        content_type="application/json",
    ).json()
    assert data["is_blacklisted"] is False


def test_api_create_with_bad_code_is_400_with_a_message(make_user, login):
    client = login(make_user(role=Role.COUNTY_OFFICE, region="530502"))
    response = client.post(
        "/api/employers/employers",
        {"region_code": "530502", "name": "坏厂", "credit_code": "123", "address_region_code": "440306"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "统一社会信用代码" in str(response.json()["errors"])


def test_township_cannot_register_for_another_county_through_api(make_user, login):
    client = login(make_user(role=Role.COUNTY_OFFICE, region="530502"))
    response = client.post(
        "/api/employers/agencies",
        {"region_code": "620723", "name": "越界中介", "address_region_code": "620723"},
        content_type="application/json",
    )
    assert response.status_code == 403


def test_place_search_finds_regions_outside_the_users_scope(make_user, login):
    client = login(make_user(role=Role.TOWNSHIP_STATION, region="620723101"))
    body = client.get("/employers/places/search/", {"address_region_q": "宝安"}).content.decode()
    assert "440306" in body
