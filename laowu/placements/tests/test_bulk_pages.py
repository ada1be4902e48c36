"""Bulk pages of the process: 批量报名 (all or nothing), bulk actions with their facts entered once
on a confirmation page, and page speed with 60+ people (query counts that do not grow)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from laowu.accounts.roles import Role
from laowu.placements import services
from laowu.placements.choices import ApplicationStatus
from laowu.placements.models import AgencyUser, Application
from laowu.placements.tests.conftest import make_order
from laowu.placements.tests.flow import advance
from laowu.training.tests.factories import make_person
from laowu.workers.models import LaborStatus

pytestmark = pytest.mark.django_db

BULK_REGISTER = reverse("placements:application_bulk_register")
BULK = reverse("placements:application_bulk")


def _surplus(villages, count, **extra):
    return [
        make_person(villages["wusan"], labor_status=LaborStatus.SURPLUS, birth=datetime.date(1995, 1, 1), **extra)
        for _ in range(count)
    ]


def _register(user, order, people):
    return [services.application_register(user=user, person=p, job_order=order) for p in people]


def _queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured.captured_queries)


# --- 批量报名 ---------------------------------------------------------------------------------


def test_bulk_register_lists_the_surplus_ledger_and_registers_everyone_ticked(make_user, login, villages, order):
    user = make_user()
    people = _surplus(villages, 5)
    farming = make_person(villages["wusan"], name="务农甲", labor_status=LaborStatus.FARMING)
    client = login(user)
    page = client.get(BULK_REGISTER, {"order": order.pk}).content.decode()
    assert all(f'name="person" value="{p.pk}"' in page for p in people)
    assert farming.name not in page  # not in the surplus ledger
    response = client.post(
        BULK_REGISTER,
        {"job_order": order.pk, "person": [p.pk for p in people], "planned_departure": "2026-03-01"},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("placements:application_list") + f"?order={order.pk}&size=100"
    apps = Application.objects.filter(job_order=order)
    assert sorted(apps.values_list("person_id", flat=True)) == sorted(p.pk for p in people)
    assert set(apps.values_list("planned_departure", flat=True)) == {datetime.date(2026, 3, 1)}


def test_bulk_register_is_all_or_nothing_and_names_who_failed(make_user, login, villages, order):
    user = make_user()
    people = _surplus(villages, 4)
    services.application_register(user=user, person=people[2], job_order=order)
    client = login(user)
    response = client.post(BULK_REGISTER, {"job_order": order.pk, "person": [p.pk for p in people]})
    assert response.status_code == 200
    assert f"{people[2].name} 已报名该岗位" in response.content.decode()
    assert Application.objects.filter(job_order=order).count() == 1  # only the earlier one


def test_bulk_register_refuses_people_out_of_scope_and_registers_none(make_user, login, villages, order):
    user = make_user()
    mine = _surplus(villages, 2)
    stranger = make_person(villages["mangang"], labor_status=LaborStatus.SURPLUS)
    response = login(user).post(BULK_REGISTER, {"job_order": order.pk, "person": [*(p.pk for p in mine), stranger.pk]})
    assert response.status_code == 200 and "不在您的管辖范围内" in response.content.decode()
    assert not Application.objects.exists()


def test_bulk_register_marks_people_already_registered(make_user, login, villages, order):
    user = make_user()
    people = _surplus(villages, 2)
    services.application_register(user=user, person=people[0], job_order=order)
    page = login(user).get(BULK_REGISTER, {"order": order.pk}).content.decode()
    assert f'name="person" value="{people[0].pk}"' not in page and "已报名" in page
    assert f'name="person" value="{people[1].pk}"' in page


def test_bulk_register_service_rolls_back_on_any_failure(make_user, villages):
    from django.core.exceptions import ValidationError

    user = make_user()
    draft = make_order(status="draft")
    with pytest.raises(ValidationError, match="不能报名"):
        services.application_register_many(user=user, people=_surplus(villages, 3), job_order=draft)
    assert not Application.objects.exists()


def test_surplus_ledger_links_to_bulk_register_with_its_current_query(make_user, login, villages):
    client = login(make_user())
    page = client.get("/workers/surplus/", {"region": villages["wusan"]}).content.decode()
    assert f"{BULK_REGISTER}?region={villages['wusan']}" in page
    # An htmx query re-sends the toolbar out of band: its links follow the new query.
    partial = client.get("/workers/surplus/", {"q": "王"}, HTTP_HX_REQUEST="true").content.decode()
    assert 'id="ledger-toolbar" hx-swap-oob="true"' in partial and f"{BULK_REGISTER}?q=%E7%8E%8B" in partial
    assert "批量报名" not in client.get("/workers/resource/").content.decode()
    village = login(make_user(role=Role.VILLAGE_OFFICER, region=villages["wusan"]), type(client)())
    assert "批量报名" not in village.get("/workers/surplus/").content.decode()  # no placements.edit


# --- bulk actions with facts ------------------------------------------------------------------


def test_bulk_health_check_asks_for_the_facts_once_then_records_them_for_all(make_user, login, villages, order):
    user = make_user()
    apps = _register(user, order, _surplus(villages, 3))
    for app in apps:
        advance(user, app, until="screen")
    client = login(user)
    ids = [a.pk for a in apps]
    confirm = client.post(BULK, {"action": "health_check", "app": ids})
    body = confirm.content.decode()
    assert confirm.status_code == 200 and "批量办理：登记体检（3 人）" in body
    assert Application.objects.filter(status=ApplicationStatus.HEALTH_CHECKED).count() == 0
    response = client.post(
        BULK,
        {
            "action": "health_check",
            "confirm": "1",
            "app": ids,
            "health_check_date": "2026-02-20",
            "health_check_hospital": "临泽县人民医院",
            "health_check_passed": "1",
            "health_check_fee": "27",
        },
    )
    assert response.status_code == 302
    checked = Application.objects.filter(pk__in=ids, status=ApplicationStatus.HEALTH_CHECKED)
    assert checked.filter(health_check_fee=Decimal("27"), health_check_date=datetime.date(2026, 2, 20)).count() == 3


def test_bulk_confirmation_with_invalid_facts_shows_errors_and_moves_no_one(make_user, login, villages, order):
    user = make_user()
    apps = _register(user, order, _surplus(villages, 2))
    for app in apps:
        advance(user, app, until="screen")
    response = login(user).post(
        BULK, {"action": "health_check", "confirm": "1", "app": [a.pk for a in apps], "health_check_passed": "1"}
    )
    assert response.status_code == 200 and 'class="error"' in response.content.decode()  # the date is required
    assert not Application.objects.filter(status=ApplicationStatus.HEALTH_CHECKED).exists()


def test_bulk_screening_does_not_claim_the_political_review(make_user, login, villages, order):
    """Before, the bulk screen set 政审通过 for everyone without asking: now it must be ticked."""
    user = make_user()
    apps = _register(user, order, _surplus(villages, 2))
    client = login(user)
    ids = [a.pk for a in apps]
    response = client.post(BULK, {"action": "screen", "confirm": "1", "app": ids}, follow=True)
    assert "政审未通过或未登记" in response.content.decode()
    assert not Application.objects.filter(status=ApplicationStatus.SCREENED).exists()
    client.post(BULK, {"action": "screen", "confirm": "1", "app": ids, "political_review_passed": "on"})
    assert Application.objects.filter(status=ApplicationStatus.SCREENED).count() == 2


def test_bulk_documents_records_the_ticked_documents(make_user, login, villages, order):
    """Before, the bulk 证件办齐 carried no document ticks and so could never succeed."""
    user = make_user()
    apps = _register(user, order, _surplus(villages, 2))
    for app in apps:
        advance(user, app, until="sign_contract")
    ids = [a.pk for a in apps]
    client = login(user)
    response = client.post(BULK, {"action": "documents", "confirm": "1", "app": ids, "doc_id_card": "on"}, follow=True)
    assert "证件未办齐：务工证" in response.content.decode()
    client.post(BULK, {"action": "documents", "confirm": "1", "app": ids, "doc_id_card": "on", "doc_work_permit": "on"})
    assert Application.objects.filter(status=ApplicationStatus.DOCUMENTS_READY, doc_work_permit=True).count() == 2


def test_bulk_contract_page_offers_the_orders_terms(make_user, login, villages):
    user = make_user()
    order = make_order(contract_months=10)
    apps = _register(user, order, _surplus(villages, 2))
    for app in apps:
        advance(user, app, until="interview")
    body = login(user).post(BULK, {"action": "sign_contract", "app": [a.pk for a in apps]}).content.decode()
    assert 'name="contract_term_months" value="10"' in body
    assert 'name="contract_wage" value="3000.00"' in body and 'name="guaranteed_wage" value="2800.00"' in body


def test_batch_page_bulk_action_without_selection_covers_all_members(make_user, login, villages, order):
    user = make_user()
    apps = _register(user, order, _surplus(villages, 3))
    for app in apps:
        advance(user, app, until="health_check")
    batch = services.batch_save(
        user=user,
        values={"region_id": "620723101", "name": "第1批", "departure_date": datetime.date(2026, 3, 1)},
        job_orders=[order],
    )
    services.batch_add_members(user=user, batch=batch, applications=apps)
    client = login(user)
    url = reverse("placements:batch_action", args=[batch.pk])
    body = client.post(url, {"action": "interview"}).content.decode()
    assert "批量办理：面试通过（3 人）" in body
    response = client.post(
        url, {"action": "interview", "confirm": "1", "app": [a.pk for a in apps], "interview_date": "2026-02-22"}
    )
    assert response["Location"] == reverse("placements:batch_detail", args=[batch.pk])
    assert batch.members.filter(status=ApplicationStatus.INTERVIEWED, interview_date="2026-02-22").count() == 3


def test_clicked_button_wins_over_the_toolbar_select(make_user, login, villages, order):
    user = make_user()
    app = advance(user, _register(user, order, _surplus(villages, 1))[0])
    batch = services.batch_save(
        user=user,
        values={"region_id": "620723101", "name": "第1批", "departure_date": datetime.date(2026, 3, 1)},
        job_orders=[order],
    )
    services.batch_add_members(user=user, batch=batch, applications=[app])
    services.batch_transition(user=user, batch=batch, action="depart")
    # The form posts the select's value first, then the "全部确认到岗" button's.
    login(user).post(reverse("placements:batch_action", args=[batch.pk]), {"action": ["start_work", "arrive"]})
    assert Application.objects.get(pk=app.pk).status == ApplicationStatus.ARRIVED


def test_bulk_next_must_stay_on_this_site(make_user, login, villages, order):
    user = make_user()
    app = _register(user, order, _surplus(villages, 1))[0]
    client = login(user)
    evil = client.post(BULK, {"action": "withdraw", "app": [app.pk], "next": "https://evil.example/"})
    assert evil["Location"] == reverse("placements:application_list")
    own = client.post(
        BULK, {"action": "withdraw", "app": [app.pk], "next": "/placements/applications/?status=registered"}
    )
    assert own["Location"] == "/placements/applications/?status=registered"


# --- speed with 60+ people: the query count does not grow with the rows --------------------------


@pytest.fixture
def grow(make_user, villages, order):
    """A batch of the order, and a function adding ``n`` members and ``n`` unbatched candidates."""
    user = make_user()
    batch = services.batch_save(
        user=user,
        values={"region_id": "620723101", "name": "第1批", "departure_date": datetime.date(2026, 3, 1)},
        job_orders=[order],
    )

    def add(n):
        members = _register(user, order, _surplus(villages, n))
        services.batch_add_members(user=user, batch=batch, applications=members)
        _register(user, order, _surplus(villages, n))

    return user, batch, add


def _post_queries(client, url, data):
    with CaptureQueriesContext(connection) as captured:
        response = client.post(url, data)
    assert response.status_code == 200
    return len(captured.captured_queries)


def test_process_pages_query_count_does_not_grow_with_60_people(make_user, login, grow, order):
    user, batch, add = grow
    agency = make_user(role=Role.AGENCY, region="00")
    AgencyUser.objects.create(user=agency, agency=order.agency)
    add(2)
    station, portal = login(user), login(agency, type(login(user))())
    pages = [
        (station, reverse("placements:batch_detail", args=[batch.pk])),
        (station, reverse("placements:application_list") + f"?order={order.pk}&size=100"),
        (station, reverse("placements:application_list") + "?size=100&unbatched=1"),
        (station, f"{BULK_REGISTER}?order={order.pk}"),
        (station, reverse("placements:batch_list")),
        (portal, reverse("placements:portal_batch_detail", args=[batch.pk])),
    ]

    def measure():
        counts = {url: _queries(client, url) for client, url in pages}
        ids = list(Application.objects.values_list("pk", flat=True))
        counts["confirm"] = _post_queries(station, BULK, {"action": "sign_contract", "app": ids})
        counts["batch confirm"] = _post_queries(
            station, reverse("placements:batch_action", args=[batch.pk]), {"action": "interview"}
        )
        return counts

    measure()  # warm caches (code tables, sessions)
    small = measure()
    add(62)
    large = measure()
    assert large == small
    assert max(large.values()) <= 15, large
    page = station.get(reverse("placements:batch_detail", args=[batch.pk])).content.decode()
    assert "成员（64 人）" in page and "可加入本批次的报名（64）" in page


def test_batch_form_action_with_no_member_selected_moves_no_one(make_user, login, villages, order):
    user = make_user()
    apps = _register(user, order, _surplus(villages, 2))
    batch = services.batch_save(
        user=user,
        values={"region_id": "620723101", "name": "第1批", "departure_date": datetime.date(2026, 3, 1)},
        job_orders=[order],
    )
    services.batch_add_members(user=user, batch=batch, applications=apps)
    outsider = _register(user, order, _surplus(villages, 1))[0]  # not a member
    url = reverse("placements:batch_action", args=[batch.pk])
    response = login(user).post(
        url, {"action": "screen", "confirm": "1", "app": [outsider.pk], "political_review_passed": "on"}
    )
    assert response.status_code == 302
    assert not Application.objects.filter(status=ApplicationStatus.SCREENED).exists()


def test_database_keeps_one_open_application_per_person_and_order(make_user, villages, order, monkeypatch):
    from django.core.exceptions import ValidationError
    from django.db import IntegrityError, transaction

    user = make_user()
    person = _surplus(villages, 1)[0]
    app = services.application_register(user=user, person=person, job_order=order)
    with pytest.raises(IntegrityError, match="application_one_open_per_order"), transaction.atomic():
        Application.objects.create(
            person=person, job_order=order, region_id=person.region_id, registered_on=app.registered_on
        )
    # Two officers at once: the service's own check sees nothing yet, the database refuses.
    monkeypatch.setattr(services, "FINAL_STATUSES", tuple(ApplicationStatus.values))
    with pytest.raises(ValidationError, match="已报名该岗位"):
        services.application_register(user=user, person=person, job_order=order)
    monkeypatch.undo()
    services.application_transition(user=user, application=app, action="withdraw", reason="本人放弃")
    services.application_register(user=user, person=person, job_order=order)  # a closed one does not count
    assert Application.objects.filter(person=person).count() == 2


def test_bulk_register_can_list_only_people_the_order_accepts(make_user, login, villages, order):
    young = make_person(villages["wusan"], labor_status=LaborStatus.SURPLUS, birth=datetime.date(2000, 1, 1))
    old = make_person(villages["wusan"], labor_status=LaborStatus.SURPLUS, birth=datetime.date(1960, 1, 1))
    client = login(make_user())
    everyone = client.get(BULK_REGISTER, {"order": order.pk}).content.decode()
    assert f'name="person" value="{young.pk}"' in everyone and f'name="person" value="{old.pk}"' in everyone
    matching = client.get(BULK_REGISTER, {"order": order.pk, "match": "1"}).content.decode()
    assert (
        f'name="person" value="{young.pk}"' in matching and f'name="person" value="{old.pk}"' not in matching
    )  # order: 18 to 40
