"""Reads of the organised export process, always restricted to what the user may see."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.shortcuts import get_object_or_404

from laowu.placements.agency import agency_batches, agency_stints
from laowu.placements.models import Application, Batch, FollowUpCase, Stint


def clean_filters(filters: Mapping[str, Any] | None) -> dict[str, str]:
    """Query-string values as plain strings; NUL bytes (which PostgreSQL refuses) dropped."""
    return {str(k): str(v).replace("\x00", "") for k, v in (filters or {}).items() if v is not None}


def as_id(value: object) -> int | None:
    """A primary key from a query string, or None (also for numbers too large for bigint)."""
    text = str(value or "")
    return int(text) if text.isdigit() and len(text) <= 18 else None


def stint_list(*, user: Any, filters: Mapping[str, str] | None = None) -> QuerySet[Stint]:
    """Stints in scope. Filters: q (person name), person (id), channel, scope, region, running
    ("1" running / "0" ended), year (started in), industry, destination (code prefix)."""
    filters = clean_filters(filters)
    qs = Stint.objects.restrict(user).select_related("person", "destination", "region")
    region = (filters.get("region") or "").strip()
    if region.isdigit():
        qs = qs.filter(region__code__startswith=region)
    if as_id(filters.get("person")) is not None:
        qs = qs.filter(person_id=as_id(filters.get("person")))
    for key, field in (("channel", "channel"), ("scope", "destination_scope"), ("industry", "industry")):
        if filters.get(key):
            qs = qs.filter(**{field: filters[key]})
    destination = (filters.get("destination") or "").strip()
    if destination.isdigit():
        qs = qs.filter(destination__code__startswith=destination)
    if filters.get("running") == "1":
        qs = qs.filter(end_date__isnull=True)
    elif filters.get("running") == "0":
        qs = qs.filter(end_date__isnull=False)
    year = str(filters.get("year") or "")
    if year.isdigit() and 1950 <= int(year) <= 2100:
        qs = qs.filter(start_date__year=int(year))
    text = (filters.get("q") or "").strip()
    if text:
        qs = qs.filter(Q(person__name__startswith=text) | Q(employer_name__contains=text))
    return qs.order_by("-start_date", "-id")


def stint_get(*, user: Any, pk: int) -> Stint:
    return get_object_or_404(Stint.objects.restrict(user).select_related("person", "destination"), pk=pk)


def followup_list(*, user: Any, filters: Mapping[str, str] | None = None) -> QuerySet[FollowUpCase]:
    filters = clean_filters(filters)
    qs = FollowUpCase.objects.restrict(user).select_related("person", "region")
    for key in ("kind", "status"):
        if filters.get(key):
            qs = qs.filter(**{key: filters[key]})
    return qs.order_by("-opened_on", "-id")


def followup_get(*, user: Any, pk: int) -> FollowUpCase:
    return get_object_or_404(FollowUpCase.objects.restrict(user).select_related("person"), pk=pk)


def application_list(*, user: Any, filters: Mapping[str, Any] | None = None) -> QuerySet[Application]:
    """Applications of people in scope. Filters: q (name), status, order (id), batch (id), region."""
    filters = clean_filters(filters)
    qs = Application.objects.restrict(user).select_related("person", "region", "job_order", "batch")
    region = (filters.get("region") or "").strip()
    if region.isdigit():
        qs = qs.filter(region__code__startswith=region)
    if filters.get("status"):
        qs = qs.filter(status=filters["status"])
    for key, field in (("order", "job_order_id"), ("batch", "batch_id"), ("person", "person_id")):
        if as_id(filters.get(key)) is not None:
            qs = qs.filter(**{field: as_id(filters.get(key))})
    if filters.get("unbatched") == "1":
        qs = qs.filter(batch__isnull=True)
    text = (filters.get("q") or "").strip()
    if text:
        qs = qs.filter(Q(person__name__startswith=text) | Q(job_order__title__contains=text))
    return qs.order_by("-registered_on", "-id")


def application_get(*, user: Any, pk: int) -> Application:
    return get_object_or_404(
        Application.objects.restrict(user).select_related(
            "person", "job_order__employer", "job_order__agency", "batch"
        ),
        pk=pk,
    )


def batch_list(*, user: Any, filters: Mapping[str, Any] | None = None) -> QuerySet[Batch]:
    filters = clean_filters(filters)
    qs = Batch.objects.restrict(user).select_related("region")
    if filters.get("status"):
        qs = qs.filter(status=filters["status"])
    year = str(filters.get("year") or "")
    if year.isdigit() and 1950 <= int(year) <= 2100:
        qs = qs.filter(departure_date__year=int(year))
    if filters.get("q"):
        qs = qs.filter(name__contains=filters["q"].strip())
    return qs.annotate(member_count=Count("members")).order_by("-departure_date", "-id")


def batch_get(*, user: Any, pk: int) -> Batch:
    return get_object_or_404(Batch.objects.restrict(user).select_related("region"), pk=pk)


def agency_batch_list(*, user: Any) -> QuerySet[Batch]:
    return agency_batches(user).annotate(member_count=Count("members")).order_by("-departure_date", "-id")


def agency_batch_get(*, user: Any, pk: int) -> Batch:
    return get_object_or_404(agency_batches(user), pk=pk)


def agency_stint_get(*, user: Any, pk: int) -> Stint:
    return get_object_or_404(agency_stints(user).select_related("person"), pk=pk)


def batch_members(batch: Batch, user: Any = None) -> QuerySet[Application]:
    """Members of a batch; with ``user``, only those of people in the user's scope (a county may
    put people of several townships in one batch). Agency users pass no user: the batch is theirs."""
    qs = Application.objects.filter(batch=batch)
    if user is not None:
        qs = Application.objects.restrict(user).filter(batch=batch)
    return qs.select_related("person", "person__region", "job_order").order_by("region_id", "id")
