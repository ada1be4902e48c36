from __future__ import annotations

import datetime

import pytest

from laowu.accounts.roles import Role
from laowu.employers import services as employer_services
from laowu.employers.tests import factories as ef
from laowu.jobs import services
from laowu.jobs.models import Bulletin, JobOrderStatus
from laowu.jobs.tests.factories import job_order

pytestmark = pytest.mark.django_db
S = JobOrderStatus


@pytest.fixture
def county(make_user, login):
    user = make_user(role=Role.COUNTY_OFFICE, region="530502")
    return user, login(user)


def _publish(order, actor):
    services.job_order_transition(actor=actor, order=order, to_status=S.VETTED)
    services.job_order_transition(actor=actor, order=order, to_status=S.PUBLISHED)


def test_unvetted_employer_order_cannot_be_published_through_the_page(county):
    user, client = county
    order = job_order(employer=ef.employer(vetted=False))
    response = client.post(f"/jobs/{order.pk}/transition/", {"to_status": "vetted"}, follow=True)
    assert "尚未通过实地考察" in response.content.decode()
    order.refresh_from_db()
    assert order.status == S.DRAFT


def test_blacklisted_employer_order_cannot_be_published_through_the_page_or_api(county):
    user, client = county
    employer = ef.employer()
    order = job_order(employer=employer)
    services.job_order_transition(actor=user, order=order, to_status=S.VETTED)
    employer_services.party_blacklist(actor=user, party=employer, reason="欠薪")
    response = client.post(f"/jobs/{order.pk}/transition/", {"to_status": "published"}, follow=True)
    assert "黑名单" in response.content.decode()
    api = client.post(
        f"/api/jobs/orders/{order.pk}/transition", {"to_status": "published"}, content_type="application/json"
    )
    assert api.status_code == 400 and "黑名单" in str(api.json())
    order.refresh_from_db()
    assert order.status == S.VETTED


def test_api_refuses_a_transition_not_in_the_table(county):
    user, client = county
    order = job_order()
    response = client.post(
        f"/api/jobs/orders/{order.pk}/transition", {"to_status": "filled"}, content_type="application/json"
    )
    assert response.status_code == 400
    assert "不能变为" in str(response.json())


def test_api_lifecycle_happy_path_and_history(county):
    user, client = county
    order = job_order()
    for target in ("vetted", "published"):
        response = client.post(
            f"/api/jobs/orders/{order.pk}/transition", {"to_status": target}, content_type="application/json"
        )
        assert response.status_code == 200, response.content
    assert response.json()["status"] == "published"
    history = client.get(f"/api/jobs/orders/{order.pk}/transitions").json()
    assert [h["to_status"] for h in history] == ["draft", "vetted", "published"]
    assert history[-1]["actor"] == user.username


def test_shahe_user_gets_404_for_longyang_order_in_list_detail_and_api(make_user, login, county):
    user, _client = county
    order = job_order("530502", title="隆阳专属岗位")
    _publish(order, user)
    shahe = login(make_user(role=Role.TOWNSHIP_STATION, region="620723101"))
    assert "隆阳专属岗位" not in shahe.get("/jobs/").content.decode()
    assert shahe.get(f"/jobs/{order.pk}/").status_code == 404
    assert shahe.get(f"/api/jobs/orders/{order.pk}").status_code == 404
    assert (
        shahe.post(
            f"/api/jobs/orders/{order.pk}/transition", {"to_status": "filled"}, content_type="application/json"
        ).status_code
        == 404
    )


def test_township_below_sees_published_county_orders_read_only(make_user, login, county):
    user, _client = county
    draft = job_order("530502", title="县里草稿")
    published = job_order("530502", title="县里已发布")
    _publish(published, user)
    station = login(make_user(role=Role.TOWNSHIP_STATION, region="530502106"))
    body = station.get("/jobs/").content.decode()
    assert "县里已发布" in body and "县里草稿" not in body
    assert station.get(f"/jobs/{draft.pk}/").status_code == 404
    assert station.get(f"/jobs/{published.pk}/edit/").status_code == 403


def test_order_list_query_count(county, django_assert_max_num_queries):
    user, client = county
    for _ in range(12):
        job_order()
    with django_assert_max_num_queries(10):
        response = client.get("/jobs/")
    assert response.content.decode().count("电子装配工") >= 12


def test_create_order_through_page(county):
    user, client = county
    employer = ef.employer()
    response = client.post(
        "/jobs/new/",
        {
            "region": "530502",
            "title": "保安员",
            "employer": employer.pk,
            "headcount": 5,
            "min_age": 20,
            "max_age": 45,
            "sex": "1",
            "trade_codes": ["security_guard"],
            "wage_min": "3000",
            "wage_max": "3800",
            "guaranteed_wage": "2500",
            "place_region": "310115",
            "industry_code": "72",
            "occupation_code": "3",
            "housing": "free",
            "meals": "paid",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    detail = client.get(response["Location"]).content.decode()
    assert "保安员" in detail and "2,500.00 元" in detail and "草稿" in detail


def test_bulletin_numbering_pdf_docx_mobile_and_figures(county, tmp_path):
    user, client = county
    orders = [job_order(title=f"岗位{i}") for i in range(3)]
    for order in orders:
        _publish(order, user)
    first = services.bulletin_compile(actor=user, region_code="530502", issue_date=datetime.date(2024, 4, 1))
    second = services.bulletin_compile(
        actor=user, region_code="530502", issue_date=datetime.date(2024, 5, 1), order_ids=[orders[0].pk]
    )
    assert (first.number, second.number) == (1, 2)
    assert first.items.count() == 3 and second.items.count() == 1
    pdf = client.get(f"/jobs/bulletins/{first.pk}/pdf/")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    docx = client.get(f"/jobs/bulletins/{first.pk}/docx/")
    assert docx.status_code == 200 and docx.content[:2] == b"PK"
    mobile = client.get(f"/jobs/bulletins/{first.pk}/m/").content.decode()
    assert "岗位0" in mobile and 'name="viewport"' in mobile
    client.post(
        f"/jobs/bulletins/{first.pk}/", {"copies_printed": 70, "people_informed": 35, "distributed_at": "2024-04-02"}
    )
    figures = client.get("/api/jobs/bulletins/figures").json()
    assert figures == {"issues": 2, "items": 4, "copies_printed": 70, "people_informed": 35}


def test_bulletin_refuses_orders_not_published(county):
    user, _client = county
    draft = job_order()
    with pytest.raises(Exception, match="不是本区划可刊登"):
        services.bulletin_compile(
            actor=user, region_code="530502", issue_date=datetime.date(2024, 4, 1), order_ids=[draft.pk]
        )
    assert not Bulletin.objects.exists()
