from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from laowu.accounts.roles import Role
from laowu.placements import services
from laowu.placements.choices import ApplicationStatus
from laowu.placements.models import AgencyUser, Application, Stint
from laowu.placements.tests.conftest import make_order
from laowu.placements.tests.flow import advance
from laowu.training.tests.factories import make_person

pytestmark = pytest.mark.django_db


def _batch(user, order, name="2024年第1批赴深圳", region="620723101"):
    return services.batch_save(
        user=user,
        values={
            "region_id": region,
            "name": name,
            "departure_date": datetime.date(2024, 3, 1),
            "escort_name": "张干事",
        },
        job_orders=[order],
    )


@pytest.fixture
def ready(make_user, person, order):
    """A Shahe station user, and one application ready to depart in a batch."""
    user = make_user()
    app = advance(user, services.application_register(user=user, person=person, job_order=order))
    batch = _batch(user, order)
    services.batch_add_members(user=user, batch=batch, applications=[app])
    return user, app, batch


def test_depart_without_contract_refused_on_page(login, ready):
    user, app, _ = ready
    Application.objects.filter(pk=app.pk).update(contract_signed_on=None)
    client = login(user)
    response = client.post(
        reverse("placements:application_transition", args=[app.pk]), {"action": "depart"}, follow=True
    )
    assert "尚未签订就业合同" in response.content.decode()
    assert Application.objects.get(pk=app.pk).status == ApplicationStatus.DOCUMENTS_READY


def test_depart_without_training_refused_in_api(make_user, login, person, training_order):
    user = make_user()
    app = services.application_register(user=user, person=person, job_order=training_order)
    app = advance(user, app, until="health_check")
    # Force the documents-ready state behind the process (e.g. an order changed to require training).
    Application.objects.filter(pk=app.pk).update(
        status=ApplicationStatus.DOCUMENTS_READY,
        contract_signed_on=datetime.date(2024, 2, 23),
        contract_term_months=12,
        contract_wage="3600",
        doc_id_card=True,
        doc_work_permit=True,
    )
    client = login(user)
    response = client.post(
        f"/api/placements/applications/{app.pk}/transitions", {"action": "depart"}, content_type="application/json"
    )
    assert response.status_code == 400
    assert "用工要求先培训" in str(response.json()["errors"])
    assert Application.objects.get(pk=app.pk).status == ApplicationStatus.DOCUMENTS_READY


def test_depart_without_health_check_refused_in_api(login, ready):
    user, app, _ = ready
    Application.objects.filter(pk=app.pk).update(health_check_passed=None, health_check_date=None)
    response = login(user).post(
        f"/api/placements/applications/{app.pk}/transitions", {"action": "depart"}, content_type="application/json"
    )
    assert response.status_code == 400 and "尚未登记体检结果" in str(response.json()["errors"])


def test_api_walks_the_process(make_user, login, person, order):
    client = login(make_user())
    response = client.post(
        "/api/placements/applications",
        {"person_id": person.pk, "job_order_id": order.pk},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    pk = response.json()["id"]
    steps = [
        {"action": "screen", "political_review_passed": True},
        {
            "action": "health_check",
            "health_check_date": "2024-02-20",
            "health_check_passed": True,
            "health_check_fee": "27.00",
        },
        {"action": "interview", "interview_date": "2024-02-22"},
        {
            "action": "sign_contract",
            "contract_signed_on": "2024-02-23",
            "contract_term_months": 12,
            "contract_wage": "3600",
        },
        {"action": "documents", "doc_id_card": True, "doc_work_permit": True},
        {"action": "depart"},
    ]
    for step in steps:
        response = client.post(f"/api/placements/applications/{pk}/transitions", step, content_type="application/json")
        assert response.status_code == 200, (step, response.content)
    assert response.json()["status"] == "departed"
    assert client.get(f"/api/placements/applications/{pk}/transitions").json() == [
        "arrive",
        "not_arrived",
        "withdraw",
        "reject",
    ]


def test_batch_page_bulk_depart_and_arrive_all(login, ready):
    user, app, batch = ready
    client = login(user)
    client.post(reverse("placements:batch_action", args=[batch.pk]), {"action": "depart", "app": [app.pk]})
    client.post(reverse("placements:batch_action", args=[batch.pk]), {"action": "arrive"})
    app.refresh_from_db()
    assert app.status == ApplicationStatus.ARRIVED and app.departed_on == datetime.date(2024, 3, 1)
    assert Stint.objects.filter(application=app).exists()
    page = client.get(reverse("placements:batch_detail", args=[batch.pk])).content.decode()
    assert app.person.name in page and "已到岗" in page


def test_region_scope_404_for_application_and_batch(make_user, login, villages):
    lujiang = make_user(region="530502106")
    order = make_order("530502")
    app = services.application_register(user=lujiang, person=make_person(villages["mangang"]), job_order=order)
    batch = _batch(lujiang, order, region="530502106")
    client = login(make_user())  # 沙河镇
    for url in (
        reverse("placements:application_detail", args=[app.pk]),
        reverse("placements:application_card", args=[app.pk]),
        reverse("placements:batch_detail", args=[batch.pk]),
        reverse("placements:batch_roster", args=[batch.pk]),
        reverse("placements:batch_cards", args=[batch.pk]),
        f"/api/placements/applications/{app.pk}",
        f"/api/placements/batches/{batch.pk}",
        f"/api/placements/batches/{batch.pk}/members",
    ):
        assert client.get(url).status_code == 404, url
    assert (
        client.post(reverse("placements:application_transition", args=[app.pk]), {"action": "reject"}).status_code
        == 404
    )
    assert client.post(reverse("placements:batch_action", args=[batch.pk]), {"action": "depart"}).status_code == 404
    assert client.get("/api/placements/applications").json()["items"] == []
    assert client.get("/api/placements/batches").json()["items"] == []


def test_agency_confirms_own_batch_but_not_another_agencys(make_user, login, ready, villages):
    user, app, batch = ready
    services.batch_transition(user=user, batch=batch, action="depart")
    own_agency = app.job_order.agency
    other_order = make_order(employer_name="昆明鑫德有限公司客户")
    own = make_user(role=Role.AGENCY, region="00")
    AgencyUser.objects.create(user=own, agency=own_agency)
    stranger = make_user(role=Role.AGENCY, region="00")
    AgencyUser.objects.create(user=stranger, agency=other_order.agency)
    other = login(stranger)
    assert other.get(reverse("placements:portal_batch_detail", args=[batch.pk])).status_code == 404
    assert (
        other.post(reverse("placements:portal_batch_action", args=[batch.pk]), {"action": "arrive"}).status_code == 404
    )
    assert (
        other.post(
            f"/api/placements/agency/batches/{batch.pk}/arrivals", {}, content_type="application/json"
        ).status_code
        == 404
    )
    assert Application.objects.get(pk=app.pk).status == ApplicationStatus.DEPARTED
    mine = login(own, type(other)())
    response = mine.post(f"/api/placements/agency/batches/{batch.pk}/arrivals", {}, content_type="application/json")
    assert response.status_code == 200 and response.json()["done"] == 1, response.content
    assert Application.objects.get(pk=app.pk).status == ApplicationStatus.ARRIVED
    stint = Stint.objects.get(application=app)
    wage = mine.post(
        f"/api/placements/agency/stints/{stint.pk}/wages",
        {"month": f"{datetime.date.today():%Y-%m}-01", "amount": "3500"},
        content_type="application/json",
    )
    assert wage.status_code == 200, wage.content
    assert (
        other.post(
            f"/api/placements/agency/stints/{stint.pk}/wages",
            {"month": "2024-04-01", "amount": "1"},
            content_type="application/json",
        ).status_code
        == 404
    )
    # The agency user sees no region-scoped pages.
    assert mine.get(reverse("placements:batch_detail", args=[batch.pk])).status_code == 403


def test_roster_and_cards_render(login, ready):
    user, _, batch = ready
    client = login(user)
    roster = client.get(reverse("placements:batch_roster", args=[batch.pk]))
    assert roster.status_code == 200 and roster.content[:2] == b"PK"
    for kind in ("archive", "contact"):
        pdf = client.get(reverse("placements:batch_cards", args=[batch.pk]) + f"?kind={kind}")
        assert pdf.status_code == 200 and pdf.content[:5] == b"%PDF-"


def test_application_list_query_count(login, ready, villages, order, django_assert_max_num_queries):
    user, _, _ = ready
    for _ in range(5):
        services.application_register(user=user, person=make_person(villages["wusan"]), job_order=order)
    client = login(user)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("placements:application_list")).status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get(reverse("placements:batch_list")).status_code == 200
