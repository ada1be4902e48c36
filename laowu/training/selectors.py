"""Reads of training, always region-restricted; and the one "has passed training" rule."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.shortcuts import get_object_or_404

from laowu.core.scope import scope_prefix
from laowu.training.models import Course, Enrolment, EnrolmentStatus, TrainingClass
from laowu.workers.models import Certificate, Person

# Certificate kinds that prove training in a trade (带证输出: a certificate earned elsewhere counts).
TRAINING_PROOF_KINDS = ("training", "qualification")


def clean_filters(filters: Mapping[str, Any] | None) -> dict[str, str]:
    """Query-string values as plain strings; NUL bytes (which PostgreSQL refuses) dropped."""
    return {str(k): str(v).replace("\x00", "") for k, v in (filters or {}).items() if v is not None}


def as_id(value: object) -> int | None:
    """A primary key from a query string, or None (also for numbers too large for bigint)."""
    text = str(value or "")
    return int(text) if text.isdigit() and len(text) <= 18 else None


def course_list(*, user: Any, filters: Mapping[str, str] | None = None) -> QuerySet[Course]:
    filters = clean_filters(filters)
    qs = Course.objects.restrict(user)
    if filters.get("trade"):
        qs = qs.filter(trade=filters["trade"])
    if filters.get("q"):
        qs = qs.filter(name__contains=filters["q"].strip())
    return qs.order_by("trade", "name")


def course_choices(*, user: Any) -> QuerySet[Course]:
    """Courses a user may run classes of: in the subtree, or offered by a region above it."""
    prefix = scope_prefix(user)
    if prefix is None:
        return Course.objects.none()
    if prefix == "":
        return Course.objects.order_by("trade", "name")
    above = [prefix[:n] for n in (2, 4, 6, 9, 12) if n < len(prefix)]
    return Course.objects.filter(Q(region__code__startswith=prefix) | Q(region_id__in=above)).order_by("trade", "name")


def course_get(*, user: Any, pk: int) -> Course:
    return get_object_or_404(Course.objects.restrict(user), pk=pk)


def training_class_list(*, user: Any, filters: Mapping[str, str] | None = None) -> QuerySet[TrainingClass]:
    """Classes in scope. Filters: q (name/place/teacher), trade, status, year, region."""
    filters = clean_filters(filters)
    qs = TrainingClass.objects.restrict(user).select_related("course", "region")
    region = (filters.get("region") or "").strip()
    if region.isdigit():
        qs = qs.filter(region__code__startswith=region)
    if filters.get("trade"):
        qs = qs.filter(course__trade=filters["trade"])
    if filters.get("status"):
        qs = qs.filter(status=filters["status"])
    year = str(filters.get("year") or "")
    if year.isdigit() and 1950 <= int(year) <= 2100:
        qs = qs.filter(start_date__year=int(year))
    text = (filters.get("q") or "").strip()
    if text:
        qs = qs.filter(Q(name__contains=text) | Q(place__contains=text) | Q(teacher__contains=text))
    return qs.annotate(
        enrolled=Count("enrolments", filter=~Q(enrolments__status=EnrolmentStatus.WITHDRAWN)),
        passed=Count("enrolments", filter=Q(enrolments__status=EnrolmentStatus.PASSED)),
    ).order_by("-start_date", "-id")


def training_class_get(*, user: Any, pk: int) -> TrainingClass:
    return get_object_or_404(TrainingClass.objects.restrict(user).select_related("course", "region"), pk=pk)


def enrolment_list(*, user: Any, filters: Mapping[str, str] | None = None) -> QuerySet[Enrolment]:
    """Training records of people in scope. Filters: person (id), class (id), status, trade."""
    filters = clean_filters(filters)
    qs = Enrolment.objects.restrict(user).select_related("person", "training_class__course")
    if as_id(filters.get("person")) is not None:
        qs = qs.filter(person_id=as_id(filters.get("person")))
    if as_id(filters.get("class")) is not None:
        qs = qs.filter(training_class_id=as_id(filters.get("class")))
    if filters.get("status"):
        qs = qs.filter(status=filters["status"])
    if filters.get("trade"):
        qs = qs.filter(training_class__course__trade=filters["trade"])
    return qs.order_by("-training_class__start_date", "-id")


def enrolment_get(*, user: Any, pk: int) -> Enrolment:
    return get_object_or_404(Enrolment.objects.restrict(user).select_related("person", "training_class__course"), pk=pk)


def trained_in(trades: str | Iterable[str]) -> Q:
    """The one rule of "trained in this trade", as a filter on ``workers.Person``: a passed class
    of the trade, or a training or qualification certificate of the trade on the person (e.g.
    earned before the system). Uncorrelated ``IN`` subqueries, so that matching can apply it to
    a million people at once (PostgreSQL hashes each subquery once)."""
    codes = [trades] if isinstance(trades, str) else list(trades)
    passed = Enrolment.objects.filter(status=EnrolmentStatus.PASSED, training_class__course__trade__in=codes)
    certified = Certificate.objects.filter(trade__in=codes, kind__in=TRAINING_PROOF_KINDS)
    return Q(pk__in=passed.values("person_id")) | Q(pk__in=certified.values("person_id"))


def training_passed(*, person_id: int, trade: str) -> bool:
    """Whether a person is trained in a trade (``trained_in``)."""
    return Person.objects.filter(pk=person_id).filter(trained_in(trade)).exists()


def trained_trades(*, person_ids: Iterable[int]) -> dict[int, dict[str, str]]:
    """For each person, the trades they are trained in (``trained_in``) and how: "class" (a
    passed class) or the certificate kind. Two queries, for any number of people."""
    ids = list(person_ids)
    result: dict[int, dict[str, str]] = {pk: {} for pk in ids}
    if not ids:
        return result
    for person_id, trade in Enrolment.objects.filter(person_id__in=ids, status=EnrolmentStatus.PASSED).values_list(
        "person_id", "training_class__course__trade"
    ):
        result[person_id][trade] = "class"
    for person_id, trade, kind in (
        Certificate.objects.filter(person_id__in=ids, kind__in=TRAINING_PROOF_KINDS)
        .exclude(trade="")
        .values_list("person_id", "trade", "kind")
    ):
        result[person_id].setdefault(trade, kind)
    return result
