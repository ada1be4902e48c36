from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError

from laowu.audit.models import AuditEvent
from laowu.placements import services
from laowu.placements.choices import ApplicationStatus, Channel, DestinationScope, FollowUpKind
from laowu.placements.models import Application, ApplicationEvent, FollowUpCase, Stint
from laowu.placements.tests.flow import advance
from laowu.training import services as training_services
from laowu.training.tests.factories import make_class, make_person
from laowu.workers.models import LaborStatus, Person

pytestmark = pytest.mark.django_db


def test_full_process_to_arrival_creates_organised_stint(make_user, person, order):
    user = make_user()
    app = services.application_register(user=user, person=person, job_order=order)
    app = advance(user, app)
    app = services.application_transition(user=user, application=app, action="depart")
    app = services.application_transition(
        user=user, application=app, action="arrive", data={"arrived_on": datetime.date(2024, 3, 3)}
    )
    assert app.status == ApplicationStatus.ARRIVED
    stint = Stint.objects.get(application=app)
    assert stint.channel == Channel.ORGANISED
    assert stint.destination_scope == DestinationScope.OUT_OF_PROVINCE
    assert stint.industry == "C" and stint.agency_id == order.agency_id
    assert Person.objects.get(pk=person.pk).labor_status == LaborStatus.WORKING_AWAY
    actions = list(ApplicationEvent.objects.filter(application=app).values_list("action", flat=True))
    assert actions == [
        "register",
        "screen",
        "health_check",
        "interview",
        "sign_contract",
        "documents",
        "depart",
        "arrive",
    ]
    assert AuditEvent.objects.filter(object_type="placements.application", object_id=str(app.pk)).count() == 8


def test_cannot_depart_without_signed_contract(make_user, person, order):
    user = make_user()
    app = advance(user, services.application_register(user=user, person=person, job_order=order))
    Application.objects.filter(pk=app.pk).update(contract_signed_on=None)  # e.g. a contract voided afterwards
    with pytest.raises(ValidationError, match="尚未签订就业合同"):
        services.application_transition(user=user, application=app, action="depart")
    assert Application.objects.get(pk=app.pk).status == ApplicationStatus.DOCUMENTS_READY


def test_cannot_depart_without_passed_health_check(make_user, person, order):
    user = make_user()
    app = advance(user, services.application_register(user=user, person=person, job_order=order))
    Application.objects.filter(pk=app.pk).update(health_check_passed=False)
    with pytest.raises(ValidationError, match="体检不合格"):
        services.application_transition(user=user, application=app, action="depart")


def test_failed_health_check_rejects_and_keeps_result_encrypted(make_user, person, order):
    user = make_user()
    app = services.application_register(user=user, person=person, job_order=order)
    app = advance(user, app, until="screen")
    app = services.application_transition(
        user=user,
        application=app,
        action="health_check",
        data={"health_check_date": datetime.date(2024, 2, 20), "health_check_passed": False},
        health_result_text="乙肝表面抗原阳性",
    )
    assert app.status == ApplicationStatus.REJECTED
    raw = bytes(Application.objects.get(pk=app.pk).health_check_result_enc)
    assert "乙肝".encode() not in raw
    assert services.health_result_text(app, user) == "乙肝表面抗原阳性"
    assert services.health_result_text(app, make_user(role="village_officer", region="620723101201")) == ""


def test_training_required_blocks_interview_and_departure_until_passed(make_user, person, training_order):
    user = make_user()
    app = services.application_register(user=user, person=person, job_order=training_order)
    app = advance(user, app, until="health_check")
    with pytest.raises(ValidationError, match="用工要求先培训"):
        services.application_transition(user=user, application=app, action="interview")
    # Pass a bricklayer class (registry trade 01) and go on.
    klass = make_class("620723101", trade="01")
    enrolment = training_services.enrolment_create(user=user, training_class=klass, person=person)
    training_services.enrolment_record_result(
        user=user, enrolment=enrolment, passed=True, exam_date=datetime.date(2024, 3, 15)
    )
    app = services.application_transition(user=user, application=app, action="train")
    app = advance(user, app, skip=("screen", "health_check"))
    assert app.status == ApplicationStatus.DOCUMENTS_READY
    # If the training record is withdrawn afterwards, departure is refused.
    enrolment.refresh_from_db()
    enrolment.status = "failed"
    enrolment.save()
    person.certificates.all().delete()
    with pytest.raises(ValidationError, match="用工要求先培训"):
        services.application_transition(user=user, application=app, action="depart")


def test_screening_uses_age_at_departure_date(make_user, villages, order):
    user = make_user()
    old = make_person(villages["wusan"], birth=datetime.date(1984, 3, 10))
    app = services.application_register(
        user=user, person=old, job_order=order, values={"planned_departure": datetime.date(2025, 3, 9)}
    )
    app = services.application_transition(
        user=user, application=app, action="screen", data={"political_review_passed": True}
    )
    assert app.status == ApplicationStatus.SCREENED  # 40 on 2025-03-09
    other = services.application_register(
        user=user,
        person=make_person(villages["wusan"], birth=datetime.date(1984, 3, 10)),
        job_order=order,
        values={"planned_departure": datetime.date(2025, 3, 10)},
    )
    with pytest.raises(ValidationError, match="超过要求的 40 岁"):
        services.application_transition(
            user=user, application=other, action="screen", data={"political_review_passed": True}
        )


def test_screening_needs_political_review(make_user, person, order):
    user = make_user()
    app = services.application_register(user=user, person=person, job_order=order)
    with pytest.raises(ValidationError, match="政审"):
        services.application_transition(
            user=user, application=app, action="screen", data={"political_review_passed": False}
        )


def test_reject_needs_reason_and_is_recorded(make_user, person, order):
    user = make_user()
    app = services.application_register(user=user, person=person, job_order=order)
    with pytest.raises(ValidationError):
        services.application_transition(user=user, application=app, action="reject")
    app = services.application_transition(user=user, application=app, action="reject", reason="面试未到")
    assert app.status == ApplicationStatus.REJECTED and app.closed_reason == "面试未到"
    with pytest.raises(ValidationError, match="不能执行"):
        services.application_transition(user=user, application=app, action="screen")


def test_not_arrived_opens_followup(make_user, person, order):
    user = make_user()
    app = advance(user, services.application_register(user=user, person=person, job_order=order))
    app = services.application_transition(user=user, application=app, action="depart")
    app = services.application_transition(user=user, application=app, action="not_arrived", reason="中途下车失联")
    case = FollowUpCase.objects.get(application=app)
    assert case.kind == FollowUpKind.NOT_ARRIVED and case.notes == "中途下车失联"
    assert not Stint.objects.filter(person=person).exists()


def test_register_refuses_unpublished_order_and_duplicates(make_user, person, villages):
    from laowu.placements.tests.conftest import make_order

    user = make_user()
    draft = make_order(status="draft")
    with pytest.raises(ValidationError, match="不能报名"):
        services.application_register(user=user, person=person, job_order=draft)
    published = make_order()
    services.application_register(user=user, person=person, job_order=published)
    with pytest.raises(ValidationError, match="已报名"):
        services.application_register(user=user, person=person, job_order=published)
