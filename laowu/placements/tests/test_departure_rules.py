"""Issue 5: no one departs without a signed contract, a passed health check, and training where
the order requires it — at every level a departure can be asked for: the service, the
application page, the bulk action of the application list, the batch page and the API.

Each rule is broken behind the process (a contract voided, a health result corrected, an order
changed to require training after the interview), so only the departure check stands in the
way. The unbroken case at each level departs: the refusals are not an accident of the set-up.
"""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from laowu.jobs.models import JobOrder
from laowu.placements import services
from laowu.placements.choices import ApplicationStatus
from laowu.placements.models import Application
from laowu.placements.tests.flow import advance

pytestmark = pytest.mark.django_db

RULES = {
    "contract": ("尚未签订就业合同", lambda app: Application.objects.filter(pk=app.pk).update(contract_signed_on=None)),
    "contract_terms": (
        "就业合同缺少期限或工资",
        lambda app: Application.objects.filter(pk=app.pk).update(contract_wage=None),
    ),
    "health_failed": (
        "体检不合格",
        lambda app: Application.objects.filter(pk=app.pk).update(health_check_passed=False),
    ),
    "health_missing": (
        "尚未登记体检结果",
        lambda app: Application.objects.filter(pk=app.pk).update(health_check_passed=None, health_check_date=None),
    ),
    "training": (
        "用工要求先培训",
        lambda app: JobOrder.objects.filter(pk=app.job_order_id).update(
            training_required=True, training_trade_code="01"
        ),
    ),
}


def _depart_service(user, app, client):
    try:
        services.application_transition(user=user, application=app, action="depart")
    except ValidationError as exc:
        return "；".join(exc.messages)
    return ""


def _depart_page(user, app, client):
    url = reverse("placements:application_transition", args=[app.pk])
    return client.post(url, {"action": "depart"}, follow=True).content.decode()


def _depart_list_bulk(user, app, client):
    url = reverse("placements:application_bulk")
    return client.post(url, {"action": "depart", "app": [app.pk]}, follow=True).content.decode()


def _depart_batch_page(user, app, client):
    url = reverse("placements:batch_action", args=[app.batch_id])
    return client.post(url, {"action": "depart"}, follow=True).content.decode()


def _depart_api(user, app, client):
    response = client.post(
        f"/api/placements/applications/{app.pk}/transitions", {"action": "depart"}, content_type="application/json"
    )
    assert response.status_code in (200, 400), response.content
    return str(response.json().get("errors", "")) if response.status_code == 400 else ""


LEVELS = {
    "service": _depart_service,
    "page": _depart_page,
    "list_bulk": _depart_list_bulk,
    "batch_page": _depart_batch_page,
    "api": _depart_api,
}


@pytest.fixture
def ready(make_user, person, order):
    """An application with every fact in place, in a planned batch, and a signed-in client."""
    user = make_user()
    app = advance(user, services.application_register(user=user, person=person, job_order=order))
    batch = services.batch_save(
        user=user,
        values={"region_id": "620723101", "name": "第1批", "departure_date": datetime.date(2026, 3, 1)},
        job_orders=[order],
    )
    services.batch_add_members(user=user, batch=batch, applications=[app])
    app.refresh_from_db()
    return user, app


@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize("rule", RULES)
def test_departure_refused_when_a_fact_is_missing(ready, login, level, rule):
    user, app = ready
    message, breach = RULES[rule]
    breach(app)
    output = LEVELS[level](user, app, login(user))
    assert message in output
    app.refresh_from_db()
    assert app.status == ApplicationStatus.DOCUMENTS_READY and app.departed_on is None


@pytest.mark.parametrize("level", LEVELS)
def test_departure_allowed_when_every_fact_is_there(ready, login, level):
    user, app = ready
    LEVELS[level](user, app, login(user))
    app.refresh_from_db()
    assert app.status == ApplicationStatus.DEPARTED and app.departed_on == datetime.date(2026, 3, 1)


def test_training_passed_after_the_order_changed_lets_them_depart(ready, login):
    """The training rule reads the person's training record: once passed, departure goes on."""
    from laowu.training import services as training_services
    from laowu.training.tests.factories import make_class

    user, app = ready
    RULES["training"][1](app)
    enrolment = training_services.enrolment_create(
        user=user, training_class=make_class("620723101", trade="01"), person=app.person
    )
    training_services.enrolment_record_result(
        user=user, enrolment=enrolment, passed=True, exam_date=datetime.date(2026, 2, 25)
    )
    assert _depart_api(user, app, login(user)) == ""
    assert Application.objects.get(pk=app.pk).status == ApplicationStatus.DEPARTED
