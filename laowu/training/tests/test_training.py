from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from laowu.accounts.roles import Role
from laowu.audit.models import AuditEvent
from laowu.training import selectors, services
from laowu.training.models import Attendance, EnrolmentStatus
from laowu.training.tests.factories import make_person
from laowu.workers.models import Certificate, Person

pytestmark = pytest.mark.django_db
SHAHE = "620723101"


def test_enrolment_enforces_capacity_with_a_clear_message(make_user, shahe_class, villages):
    user = make_user()
    people = [make_person(villages["wusan"]) for _ in range(3)]
    services.enrolment_create(user=user, training_class=shahe_class, person=people[0])
    services.enrolment_create(user=user, training_class=shahe_class, person=people[1])
    with pytest.raises(ValidationError, match="已满"):
        services.enrolment_create(user=user, training_class=shahe_class, person=people[2])
    assert shahe_class.enrolments.count() == 2


def test_withdrawn_trainee_frees_a_place(make_user, shahe_class, villages):
    user = make_user()
    a, b, c = (make_person(villages["wusan"]) for _ in range(3))
    first = services.enrolment_create(user=user, training_class=shahe_class, person=a)
    services.enrolment_create(user=user, training_class=shahe_class, person=b)
    services.enrolment_withdraw(user=user, enrolment=first)
    services.enrolment_create(user=user, training_class=shahe_class, person=c)
    assert shahe_class.enrolments.exclude(status=EnrolmentStatus.WITHDRAWN).count() == 2


def test_enrolling_twice_is_refused(make_user, shahe_class, shahe_person):
    user = make_user()
    services.enrolment_create(user=user, training_class=shahe_class, person=shahe_person)
    with pytest.raises(ValidationError, match="已在培训班"):
        services.enrolment_create(user=user, training_class=shahe_class, person=shahe_person)


def test_enrolment_refuses_person_out_of_scope(make_user, shahe_class, villages):
    user = make_user()
    outsider = make_person(villages["mangang"])
    with pytest.raises(Exception) as info:
        services.enrolment_create(user=user, training_class=shahe_class, person=outsider)
    assert info.type.__name__ == "Http404"
    assert not shahe_class.enrolments.exists()


def test_township_user_cannot_create_class_in_another_county(make_user, villages):
    from laowu.training.tests.factories import make_course

    user = make_user()
    course = make_course("530502")
    with pytest.raises(PermissionDenied):
        services.training_class_save(
            user=user,
            values={
                "region_id": "530502106",
                "course_id": course.pk,
                "name": "x",
                "start_date": datetime.date(2024, 1, 1),
                "end_date": datetime.date(2024, 1, 2),
                "place": "x",
                "capacity": 5,
            },
        )


def test_passing_issues_certificates_and_adds_trade(make_user, shahe_class, shahe_person):
    user = make_user()
    enrolment = services.enrolment_create(user=user, training_class=shahe_class, person=shahe_person)
    assert not selectors.training_passed(person_id=shahe_person.pk, trade="01")
    services.enrolment_record_result(
        user=user,
        enrolment=enrolment,
        passed=True,
        exam_date=datetime.date(2024, 3, 15),
        score=Decimal("86.5"),
        training_certificate_no="PX2024-001",
        qualification_certificate_no="ZG6207-0001",
        qualification_level="初级",
    )
    person = Person.objects.get(pk=shahe_person.pk)
    assert "01" in person.trades
    kinds = set(Certificate.objects.filter(person=person, trade="01").values_list("kind", flat=True))
    assert kinds == {"training", "qualification"}
    assert selectors.training_passed(person_id=person.pk, trade="01")
    assert not selectors.training_passed(person_id=person.pk, trade="08")
    assert AuditEvent.objects.filter(object_type="training.enrolment", object_id=str(enrolment.pk)).count() == 2


def test_failing_issues_nothing(make_user, shahe_class, shahe_person):
    user = make_user()
    enrolment = services.enrolment_create(user=user, training_class=shahe_class, person=shahe_person)
    services.enrolment_record_result(
        user=user, enrolment=enrolment, passed=False, exam_date=datetime.date(2024, 3, 15), score=Decimal("40")
    )
    assert not Certificate.objects.filter(person=shahe_person).exists()
    assert Person.objects.get(pk=shahe_person.pk).trades == []
    with pytest.raises(ValidationError):
        services.enrolment_record_result(
            user=user,
            enrolment=enrolment,
            passed=False,
            exam_date=datetime.date(2024, 3, 15),
            qualification_certificate_no="X1",
        )


def test_attendance_records_absent_trainees(make_user, shahe_class, villages):
    user = make_user()
    a = services.enrolment_create(user=user, training_class=shahe_class, person=make_person(villages["wusan"]))
    b = services.enrolment_create(user=user, training_class=shahe_class, person=make_person(villages["wusan"]))
    services.attendance_record(user=user, training_class=shahe_class, day=datetime.date(2024, 3, 2), present_ids=[a.pk])
    assert Attendance.objects.get(enrolment=a).present is True
    assert Attendance.objects.get(enrolment=b).present is False
    with pytest.raises(ValidationError, match="不在培训期内"):
        services.attendance_record(user=user, training_class=shahe_class, day=datetime.date(2024, 5, 1), present_ids=[])


def test_class_pages_deny_other_region_with_404(make_user, login, longyang_class, shahe_class):
    client = login(make_user())
    assert client.get(reverse("training:class_detail", args=[longyang_class.pk])).status_code == 404
    assert client.get(reverse("training:class_edit", args=[longyang_class.pk])).status_code == 404
    assert client.get(reverse("training:class_detail", args=[shahe_class.pk])).status_code == 200
    listing = client.get(reverse("training:class_list")).content.decode()
    assert shahe_class.name in listing and longyang_class.name not in listing


def test_class_api_denies_other_region_with_404(make_user, login, longyang_class, shahe_class):
    client = login(make_user())
    assert client.get(f"/api/training/classes/{longyang_class.pk}").status_code == 404
    assert client.get(f"/api/training/classes/{shahe_class.pk}").status_code == 200
    names = [c["name"] for c in client.get("/api/training/classes").json()["items"]]
    assert names == [shahe_class.name]


def test_enrol_and_result_through_pages(make_user, login, shahe_class, shahe_person):
    client = login(make_user())
    response = client.post(reverse("training:class_enrol", args=[shahe_class.pk]), {"person": [shahe_person.pk]})
    assert response.status_code == 302
    enrolment = shahe_class.enrolments.get()
    response = client.post(
        reverse("training:enrolment_result", args=[enrolment.pk]),
        {"passed": "1", "exam_date": "2024-03-15", "score": "90", "training_certificate_no": "PX-9"},
    )
    assert response.status_code == 302
    assert Certificate.objects.filter(person=shahe_person, number="PX-9").exists()
    page = client.get(reverse("training:class_detail", args=[shahe_class.pk])).content.decode()
    assert shahe_person.id_number_masked in page and shahe_person.id_number not in page


def test_enrol_and_result_through_api(make_user, login, shahe_class, shahe_person):
    client = login(make_user())
    response = client.post(
        f"/api/training/classes/{shahe_class.pk}/enrolments",
        {"person_id": shahe_person.pk},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    pk = response.json()["id"]
    response = client.post(
        f"/api/training/enrolments/{pk}/result",
        {"passed": True, "exam_date": "2024-03-15", "score": "75"},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "passed"
    records = client.get(f"/api/training/records?person_id={shahe_person.pk}").json()["items"]
    assert [r["status"] for r in records] == ["passed"]
    full = client.post(
        f"/api/training/classes/{shahe_class.pk}/enrolments", {"person_id": 999999}, content_type="application/json"
    )
    assert full.status_code == 404


def test_village_officer_cannot_edit_training(make_user, login, shahe_class):
    client = login(make_user(role=Role.VILLAGE_OFFICER, region="620723101201"))
    assert client.get(reverse("training:class_create")).status_code == 403
    assert client.get(reverse("training:class_list")).status_code == 200


def test_class_list_query_count(make_user, login, villages, django_assert_max_num_queries):
    from laowu.training.tests.factories import make_class

    for i in range(5):
        make_class(SHAHE, name=f"班{i}")
    client = login(make_user())
    with django_assert_max_num_queries(12):
        response = client.get(reverse("training:class_list"))
    assert response.status_code == 200


def test_class_create_page_saves(make_user, login, villages):
    from laowu.training.tests.factories import make_course

    course = make_course(SHAHE, trade="08", name="实用电工")
    client = login(make_user())
    response = client.post(
        reverse("training:class_create"),
        {
            "region_id": SHAHE,
            "course": course.pk,
            "name": "2025年电工班",
            "start_date": "2025-04-01",
            "end_date": "2025-03-01",
            "place": "镇培训基地",
            "capacity": "40",
            "cost": "8000",
            "funding_source": "poverty_fund",
            "status": "planned",
        },
    )
    assert response.status_code == 200  # end before start: shown beside the form, nothing saved
    assert "结业日期不能早于开班日期" in response.content.decode()
    assert not course.classes.exists()
    client.post(
        reverse("training:class_create"),
        {
            "region_id": SHAHE,
            "course": course.pk,
            "name": "2025年电工班",
            "start_date": "2025-03-01",
            "end_date": "2025-04-01",
            "place": "镇培训基地",
            "capacity": "40",
            "cost": "8000",
            "funding_source": "poverty_fund",
            "status": "planned",
        },
    )
    assert course.classes.count() == 1
