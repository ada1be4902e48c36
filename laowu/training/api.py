"""Training API: courses, classes, enrolment, exam results, a person's training records."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Schema
from ninja.pagination import paginate

from laowu.core.api import require_api_cap
from laowu.training import selectors, services
from laowu.training.pagination import BoundedPagination
from laowu.workers.models import Person

router = Router(tags=["training"])


class CourseOut(Schema):
    id: int
    region_id: str
    trade: str
    name: str
    hours: int
    certificate_kind: str


class ClassOut(Schema):
    id: int
    region_id: str
    course_id: int
    trade: str
    name: str
    start_date: datetime.date
    end_date: datetime.date
    place: str
    teacher: str
    capacity: int
    cost: Decimal
    funding_source: str
    status: str

    @staticmethod
    def resolve_trade(obj: Any) -> str:
        return obj.course.trade


class EnrolmentOut(Schema):
    id: int
    training_class_id: int
    class_name: str
    trade: str
    person_id: int
    person_name: str
    status: str
    exam_date: datetime.date | None
    exam_score: Decimal | None
    training_certificate_no: str
    qualification_certificate_no: str
    qualification_level: str

    @staticmethod
    def resolve_class_name(obj: Any) -> str:
        return obj.training_class.name

    @staticmethod
    def resolve_trade(obj: Any) -> str:
        return obj.training_class.course.trade

    @staticmethod
    def resolve_person_name(obj: Any) -> str:
        return obj.person.name


class EnrolIn(Schema):
    person_id: int


class ResultIn(Schema):
    passed: bool
    exam_date: datetime.date
    score: Decimal | None = None
    training_certificate_no: str = ""
    qualification_certificate_no: str = ""
    qualification_level: str = ""


@router.get("/courses", response=list[CourseOut])
@paginate(BoundedPagination)
def course_list(request: HttpRequest, trade: str = "", q: str = "") -> Any:
    user = require_api_cap(request, "training.view")
    return selectors.course_list(user=user, filters={"trade": trade, "q": q})


@router.get("/classes", response=list[ClassOut])
@paginate(BoundedPagination)
def class_list(request: HttpRequest, trade: str = "", status: str = "", year: str = "", q: str = "") -> Any:
    user = require_api_cap(request, "training.view")
    return selectors.training_class_list(user=user, filters={"trade": trade, "status": status, "year": year, "q": q})


@router.get("/classes/{pk}", response=ClassOut)
def class_detail(request: HttpRequest, pk: int) -> Any:
    user = require_api_cap(request, "training.view")
    return selectors.training_class_get(user=user, pk=pk)


@router.get("/classes/{pk}/enrolments", response=list[EnrolmentOut])
@paginate(BoundedPagination)
def class_enrolments(request: HttpRequest, pk: int) -> Any:
    user = require_api_cap(request, "training.view")
    obj = selectors.training_class_get(user=user, pk=pk)
    return selectors.enrolment_list(user=user, filters={"class": str(obj.pk)})


@router.post("/classes/{pk}/enrolments", response={201: EnrolmentOut})
def class_enrol(request: HttpRequest, pk: int, payload: EnrolIn) -> Any:
    user = require_api_cap(request, "training.edit")
    obj = selectors.training_class_get(user=user, pk=pk)
    person = get_object_or_404(Person.objects.restrict(user), pk=payload.person_id)
    return 201, services.enrolment_create(user=user, training_class=obj, person=person)


@router.get("/records", response=list[EnrolmentOut])
@paginate(BoundedPagination)
def training_records(request: HttpRequest, person_id: int | None = None, trade: str = "", status: str = "") -> Any:
    """Training records (培训记录) of people in scope; ``person_id`` for one person's."""
    user = require_api_cap(request, "training.view")
    filters = {"person": str(person_id or ""), "trade": trade, "status": status}
    return selectors.enrolment_list(user=user, filters=filters)


@router.post("/enrolments/{pk}/result", response=EnrolmentOut)
def enrolment_result(request: HttpRequest, pk: int, payload: ResultIn) -> Any:
    user = require_api_cap(request, "training.edit")
    enrolment = selectors.enrolment_get(user=user, pk=pk)
    return services.enrolment_record_result(user=user, enrolment=enrolment, **payload.dict())
