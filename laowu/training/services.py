"""Writes of training: courses, classes, enrolment (capacity enforced), attendance, exam results.

A passed exam issues the certificates onto the person (``workers.Certificate``) and adds the
trade to ``Person.trades``: one function, ``enrolment_record_result``.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F

from laowu.audit.models import AuditEventType
from laowu.audit.services import audit_record
from laowu.core.scope import require_in_scope, require_writable_region
from laowu.training.models import Attendance, ClassStatus, Course, Enrolment, EnrolmentStatus, TrainingClass
from laowu.workers.models import Certificate, Person

COURSE_FIELDS = ("region_id", "trade", "name", "hours", "certificate_kind", "description")
CLASS_FIELDS = (
    "region_id",
    "course_id",
    "name",
    "start_date",
    "end_date",
    "place",
    "teacher",
    "capacity",
    "cost",
    "funding_source",
    "status",
    "notes",
)
ACTIVE_ENROLMENT = (EnrolmentStatus.ENROLLED, EnrolmentStatus.PASSED, EnrolmentStatus.FAILED)


def _apply(obj: Any, values: dict[str, Any], allowed: Iterable[str]) -> dict[str, list[Any]]:
    changes: dict[str, list[Any]] = {}
    for key in allowed:
        if key in values:
            old = getattr(obj, key)
            if old != values[key]:
                changes[key] = [str(old), str(values[key])]
            setattr(obj, key, values[key])
    return changes


@transaction.atomic
def course_save(*, user: Any, values: dict[str, Any], course: Course | None = None) -> Course:
    """Create (``course=None``) or update a course."""
    creating = course is None
    course = course or Course()
    if not creating:
        require_writable_region(user, course.region_id)
    changes = _apply(course, values, COURSE_FIELDS)
    require_writable_region(user, course.region_id)
    course.full_clean()
    course.save()
    audit_record(
        event=AuditEventType.CREATE if creating else AuditEventType.UPDATE, user=user, obj=course, detail=changes
    )
    return course


@transaction.atomic
def training_class_save(
    *, user: Any, values: dict[str, Any], training_class: TrainingClass | None = None
) -> TrainingClass:
    """Create or update a class; the course must be one the user may use (in scope or above it)."""
    creating = training_class is None
    obj = training_class or TrainingClass()
    if not creating:
        require_writable_region(user, obj.region_id)
    changes = _apply(obj, values, CLASS_FIELDS)
    require_writable_region(user, obj.region_id)
    if obj.course_id:
        course_region = Course.objects.filter(pk=obj.course_id).values_list("region_id", flat=True).first()
        if course_region is None or not (
            course_region.startswith(obj.region_id) or obj.region_id.startswith(course_region)
        ):
            raise ValidationError({"course": "该课程不属于本培训班所在区域。"})
    obj.full_clean()
    if not creating and obj.capacity < obj.enrolments.filter(status__in=ACTIVE_ENROLMENT).count():
        raise ValidationError({"capacity": "计划人数不能少于已报名人数。"})
    obj.save()
    audit_record(event=AuditEventType.CREATE if creating else AuditEventType.UPDATE, user=user, obj=obj, detail=changes)
    return obj


@transaction.atomic
def enrolment_create(*, user: Any, training_class: TrainingClass, person: Person) -> Enrolment:
    """Enrol a person from the registry. Capacity is enforced under a row lock on the class."""
    require_writable_region(user, training_class.region_id)
    require_in_scope(user, person.region_id)
    locked = TrainingClass.objects.select_for_update().get(pk=training_class.pk)
    if locked.status in (ClassStatus.FINISHED, ClassStatus.CANCELLED):
        raise ValidationError(f"培训班「{locked.name}」已{locked.get_status_display()}，不能再报名。")
    existing = Enrolment.objects.filter(training_class=locked, person=person).first()
    if existing is not None and existing.status != EnrolmentStatus.WITHDRAWN:
        raise ValidationError(f"{person.name} 已在培训班「{locked.name}」中。")
    taken = locked.enrolments.filter(status__in=ACTIVE_ENROLMENT).count()
    if taken >= locked.capacity:
        raise ValidationError(f"培训班「{locked.name}」已满（计划 {locked.capacity} 人）。")
    if existing is not None:
        existing.status = EnrolmentStatus.ENROLLED
        existing.save(update_fields=["status", "updated_at"])
        enrolment = existing
    else:
        enrolment = Enrolment(training_class=locked, person=person, region_id=person.region_id)
        enrolment.full_clean()
        enrolment.save()
    audit_record(event=AuditEventType.CREATE, user=user, obj=enrolment, detail={"class": locked.pk})
    return enrolment


@transaction.atomic
def enrolment_withdraw(*, user: Any, enrolment: Enrolment) -> Enrolment:
    require_writable_region(user, enrolment.training_class.region_id)
    if enrolment.status != EnrolmentStatus.ENROLLED:
        raise ValidationError("只有在训学员可以退训。")
    enrolment.status = EnrolmentStatus.WITHDRAWN
    enrolment.save(update_fields=["status", "updated_at"])
    audit_record(event=AuditEventType.UPDATE, user=user, obj=enrolment, detail={"status": "withdrawn"})
    return enrolment


@transaction.atomic
def attendance_record(
    *, user: Any, training_class: TrainingClass, day: datetime.date, present_ids: Iterable[int]
) -> int:
    """Record one day's attendance for every active trainee (those not listed were absent)."""
    require_writable_region(user, training_class.region_id)
    if not training_class.start_date <= day <= training_class.end_date:
        raise ValidationError(
            {"day": f"{day:%Y-%m-%d} 不在培训期内（{training_class.start_date} 至 {training_class.end_date}）。"}
        )
    present = set(present_ids)
    enrolments = list(training_class.enrolments.filter(status__in=ACTIVE_ENROLMENT))
    for enrolment in enrolments:
        Attendance.objects.update_or_create(enrolment=enrolment, day=day, defaults={"present": enrolment.pk in present})
    audit_record(
        event=AuditEventType.UPDATE,
        user=user,
        obj=training_class,
        detail={"attendance": day.isoformat(), "present": len(present & {e.pk for e in enrolments})},
    )
    return len(enrolments)


def _issue_certificates(enrolment: Enrolment, exam_date: datetime.date, issuer: str) -> None:
    course = enrolment.training_class.course
    person = Person.objects.select_for_update().get(pk=enrolment.person_id)
    wanted = [("training", enrolment.training_certificate_no, "")]
    if enrolment.qualification_certificate_no:
        wanted.append(("qualification", enrolment.qualification_certificate_no, enrolment.qualification_level))
    for kind, number, level in wanted:
        Certificate.objects.update_or_create(
            person=person,
            kind=kind,
            trade=course.trade,
            number=number,
            defaults={"level": level, "issuer": issuer, "issued_on": exam_date},
        )
    if course.trade not in person.trades:
        Person.objects.filter(pk=person.pk).update(trades=[*person.trades, course.trade], version=F("version") + 1)


@transaction.atomic
def enrolment_record_result(
    *,
    user: Any,
    enrolment: Enrolment,
    passed: bool,
    exam_date: datetime.date,
    score: Decimal | None = None,
    training_certificate_no: str = "",
    qualification_certificate_no: str = "",
    qualification_level: str = "",
) -> Enrolment:
    """Record the exam. Passing issues the certificates onto the person and adds the trade."""
    training_class = enrolment.training_class
    require_writable_region(user, training_class.region_id)
    if enrolment.status == EnrolmentStatus.WITHDRAWN:
        raise ValidationError("已退训的学员不能登记考核结果。")
    if exam_date < training_class.start_date:
        raise ValidationError({"exam_date": "考核日期不能早于开班日期。"})
    if score is not None and not Decimal(0) <= score <= Decimal(100):
        raise ValidationError({"exam_score": "成绩应在 0 至 100 之间。"})
    if qualification_certificate_no and not passed:
        raise ValidationError({"qualification_certificate_no": "考核不合格不能登记职业资格证书。"})
    enrolment.status = EnrolmentStatus.PASSED if passed else EnrolmentStatus.FAILED
    enrolment.exam_date = exam_date
    enrolment.exam_score = score
    enrolment.training_certificate_no = training_certificate_no.strip()
    enrolment.qualification_certificate_no = qualification_certificate_no.strip()
    enrolment.qualification_level = qualification_level.strip()
    enrolment.full_clean()
    enrolment.save()
    if passed:
        _issue_certificates(enrolment, exam_date, issuer=f"{training_class.region.full_name}人社部门")
    audit_record(
        event=AuditEventType.UPDATE,
        user=user,
        obj=enrolment,
        detail={"status": enrolment.status, "score": str(score) if score is not None else ""},
    )
    return enrolment
