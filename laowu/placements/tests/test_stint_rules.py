"""Issue 5: one person cannot hold two overlapping stints (whichever way the second one comes:
the API, an edit on the page, an organised arrival) and ending a stint sets the person's status
(on the page, and by date when the end date was typed in the future)."""

from __future__ import annotations

import datetime

import pytest
from django.core.management import call_command
from django.urls import reverse

from laowu.placements import services
from laowu.placements.choices import ApplicationStatus, Channel
from laowu.placements.models import Application, Stint
from laowu.placements.tests.flow import advance
from laowu.training.tests.factories import make_person
from laowu.workers.models import LaborStatus, Person

pytestmark = pytest.mark.django_db


def _stint(user, person, **extra):
    values = {
        "channel": Channel.SELF_ARRANGED,
        "employer_name": "新疆天然气公司",
        "destination_id": "65",
        "start_date": datetime.date(2024, 3, 1),
        **extra,
    }
    return services.stint_create(user=user, person=person, values=values)


def _status(person):
    return Person.objects.get(pk=person.pk).labor_status


def test_overlapping_stint_refused_through_the_api(make_user, login, villages):
    user = make_user()
    person = make_person(villages["wusan"], name="王淑珍")
    _stint(user, person, end_date=datetime.date(2024, 10, 31))
    client = login(user)
    payload = {"person_id": person.pk, "channel": "self_arranged", "destination_id": "44", "start_date": "2024-10-01"}
    response = client.post("/api/placements/stints", payload, content_type="application/json")
    assert response.status_code == 400
    assert "王淑珍 在 2024-03-01 至 2024-10-31 已有务工记录" in str(response.json()["errors"])
    payload["start_date"] = "2024-11-01"  # the day after is fine
    assert client.post("/api/placements/stints", payload, content_type="application/json").status_code == 201
    assert Stint.objects.filter(person=person).count() == 2


def test_editing_dates_into_another_stint_is_refused_on_the_page(make_user, login, villages):
    user = make_user()
    person = make_person(villages["wusan"])
    first = _stint(user, person, end_date=datetime.date(2024, 6, 30))
    _stint(user, person, start_date=datetime.date(2024, 9, 1), destination_id="44")
    form = {
        "channel": "self_arranged",
        "employer_name": "新疆天然气公司",
        "destination_code": "65",
        "start_date": "2024-03-01",
        "end_date": "2024-09-15",  # runs into the second stint
    }
    response = login(user).post(reverse("placements:stint_edit", args=[first.pk]), form)
    assert response.status_code == 200 and "同一人的务工时间不能重叠" in response.content.decode()
    assert Stint.objects.get(pk=first.pk).end_date == datetime.date(2024, 6, 30)


def test_arrival_refused_while_another_stint_runs(make_user, login, person, order):
    """A person still recorded as away (self-arranged, never ended) cannot start an organised stint
    on arrival: the batch page names the clash and the application stays departed."""
    user = make_user()
    _stint(user, person)
    app = advance(user, services.application_register(user=user, person=person, job_order=order))
    batch = services.batch_save(
        user=user,
        values={"region_id": "620723101", "name": "第1批", "departure_date": datetime.date(2026, 3, 1)},
        job_orders=[order],
    )
    services.batch_add_members(user=user, batch=batch, applications=[app])
    services.batch_transition(user=user, batch=batch, action="depart")
    response = login(user).post(reverse("placements:batch_action", args=[batch.pk]), {"action": "arrive"}, follow=True)
    assert f"{person.name} 在 2024-03-01 至 今 已有务工记录" in response.content.decode()
    assert Application.objects.get(pk=app.pk).status == ApplicationStatus.DEPARTED
    assert not Stint.objects.filter(application=app).exists()
    assert _status(person) == LaborStatus.WORKING_AWAY  # still the self-arranged stint's


def test_ending_a_stint_on_the_page_sets_returned(make_user, login, villages):
    user = make_user()
    person = make_person(villages["wusan"])
    stint = _stint(user, person)
    assert _status(person) == LaborStatus.WORKING_AWAY
    response = login(user).post(
        reverse("placements:stint_end", args=[stint.pk]), {"end_date": "2024-12-20", "reason": "合同期满"}
    )
    assert response.status_code == 302
    assert _status(person) == LaborStatus.RETURNED
    assert Stint.objects.get(pk=stint.pk).end_date == datetime.date(2024, 12, 20)


def test_ending_a_local_transfer_sets_returned(make_user, villages):
    user = make_user()
    person = make_person(villages["wusan"])
    stint = _stint(user, person, channel=Channel.LOCAL, destination_id="620723101", employer_name="沙建公司")
    assert _status(person) == LaborStatus.WORKING_LOCAL
    services.stint_end(user=user, stint=stint, end_date=datetime.date(2024, 8, 1))
    assert _status(person) == LaborStatus.RETURNED


def test_end_date_in_the_future_flips_the_status_when_the_day_has_passed(make_user, villages):
    user = make_user()
    person = make_person(villages["wusan"])
    other = make_person(villages["wusan"])
    today = datetime.date.today()
    stint = _stint(user, person, start_date=today - datetime.timedelta(days=100))
    _stint(user, other, start_date=today - datetime.timedelta(days=100))  # still running
    services.stint_end(user=user, stint=stint, end_date=today + datetime.timedelta(days=3))
    assert _status(person) == LaborStatus.WORKING_AWAY  # away until the end date
    assert services.labor_status_refresh(today=today + datetime.timedelta(days=3)) == 0  # the last day
    assert services.labor_status_refresh(today=today + datetime.timedelta(days=5)) == 1
    assert _status(person) == LaborStatus.RETURNED and _status(other) == LaborStatus.WORKING_AWAY
    assert services.labor_status_refresh(today=today + datetime.timedelta(days=5)) == 0  # idempotent


def test_daily_command_catches_up_stints_that_ended(make_user, villages):
    user = make_user()
    person = make_person(villages["wusan"])
    stint = _stint(user, person, start_date=datetime.date.today() - datetime.timedelta(days=30))
    # An end date reached yesterday, written behind the service (as a run of the rule missed).
    Stint.objects.filter(pk=stint.pk).update(end_date=datetime.date.today() - datetime.timedelta(days=1))
    call_command("labor_status_refresh")
    assert _status(person) == LaborStatus.RETURNED
